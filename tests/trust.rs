//! Issue 19: the scanned repository is an adversary as much as a subject. It cannot move the
//! gate past what ripen's own rules find, nor make ripen write where it should not, nor get a
//! secret into a report.

mod common;

use common::{assert_exit, ripen};
use serde_json::Value;
use std::fs;
use std::path::Path;

const TODAY: &str = "2026-06-01";

use common::capabilities;

fn scan(root: &Path, extra: &[&str]) -> std::process::Output {
    ripen()
        .env("RIPEN_TODAY", TODAY)
        .arg("scan")
        .arg(root)
        .args(extra)
        .output()
        .unwrap()
}

/// A repository with a README and nothing else, and a config waiving every capability.
fn waiving_repo(expires: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("README.md"), "# nothing here\n").unwrap();
    let mut cfg = String::from("waivers:\n");
    for c in capabilities() {
        cfg.push_str(&format!(
            "  - capability: {c}\n    reason: later\n    expires: {expires}\n"
        ));
    }
    fs::write(tmp.path().join(".ripen.yml"), cfg).unwrap();
    tmp
}

#[test]
fn waivers_do_not_pass_a_gate_unless_the_caller_trusts_them() {
    let tmp = waiving_repo("2026-12-31");
    let out = scan(tmp.path(), &["--fail-under", "azure=4", "--format", "json"]);
    assert_exit(&out, 1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &v["targets"][0];
    assert_eq!(t["actual"], 0, "{t}");
    assert_eq!(
        t["with_waivers"], 4,
        "what waivers would make it is shown: {t}"
    );
    assert_eq!(t["gated"], 0, "{t}");
    assert_eq!(t["met"], false, "{t}");
    let text = scan(tmp.path(), &["--fail-under", "azure=4"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("4 with waivers (not counted: --trust-waivers)"),
        "{text}"
    );

    let out = scan(tmp.path(), &["--fail-under", "azure=4", "--trust-waivers"]);
    assert_exit(&out, 0);
}

#[test]
fn a_waiver_further_ahead_than_the_maximum_is_an_error_with_its_position() {
    let tmp = waiving_repo("9999-12-31");
    let out = scan(tmp.path(), &["--fail-under", "azure=4", "--trust-waivers"]);
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(".ripen.yml:2:17:"), "file:line:col: {err}");
    assert!(err.contains("more than 365 days ahead"), "{err}");
    // The caller, not the repository, sets the limit.
    let out = scan(tmp.path(), &["--max-waiver-days", "3000000"]);
    assert_exit(&out, 0);
    let out = scan(waiving_repo("2027-06-02").path(), &[]);
    assert_exit(&out, 2);
    let out = scan(waiving_repo("2027-06-01").path(), &[]);
    assert_exit(&out, 0);
}

/// A repository whose config loads a catch-all rule for every capability, at tier automated.
fn rule_stuffed_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("README.md"), "# nothing here\n").unwrap();
    fs::create_dir(tmp.path().join("my-rules")).unwrap();
    let mut rules = String::from("rules:\n");
    for c in capabilities() {
        rules.push_str(&format!(
            "  - id: all-{id}\n    capability: {c}\n    title: t\n    rationale: r\n    tier: implemented\n    files: {{include: ['**']}}\n    match:\n      - regex: '(?s).'\n",
            id = c.replace('_', "-"),
        ));
    }
    fs::write(tmp.path().join("my-rules/all.yml"), rules).unwrap();
    fs::write(tmp.path().join(".ripen.yml"), "rules: [my-rules]\n").unwrap();
    tmp
}

#[test]
fn evidence_from_the_repository_s_own_rules_is_marked_and_not_gated() {
    let tmp = rule_stuffed_repo();
    let out = scan(
        tmp.path(),
        &["--fail-under", "google=1", "--format", "json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &v["targets"][0];
    assert!(
        t["actual"].as_u64().unwrap() >= 1,
        "the rules raise the detected level: {t}"
    );
    assert_eq!(t["gated"], 0, "{t}");
    assert_exit(&out, 1);
    let marked = v["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["evidence"].as_array().cloned().unwrap_or_default())
        .filter(|e| e["rule"].as_str().unwrap_or("").starts_with("all-"))
        .collect::<Vec<_>>();
    assert!(!marked.is_empty());
    assert!(
        marked.iter().all(|e| e["repository_rule"] == true),
        "{marked:?}"
    );
    for format in ["text", "markdown", "html", "sarif", "github"] {
        let out = scan(tmp.path(), &["--format", format]);
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains("[repository rule]"), "{format}: {s}");
    }
    let out = scan(
        tmp.path(),
        &["--fail-under", "google=1", "--trust-repo-rules"],
    );
    assert_exit(&out, 0);
    // The caller's own --rules are trusted.
    let plain = tempfile::tempdir().unwrap();
    fs::write(plain.path().join("README.md"), "# nothing here\n").unwrap();
    fs::create_dir(plain.path().join("my-rules")).unwrap();
    fs::copy(
        tmp.path().join("my-rules/all.yml"),
        plain.path().join("my-rules/all.yml"),
    )
    .unwrap();
    let rules = plain.path().join("my-rules");
    let out = scan(
        plain.path(),
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--fail-under",
            "google=1",
        ],
    );
    assert_exit(&out, 0);
}

/// Training that CI runs on push, without tracking: Google 0, or 1 with tracking attested.
fn attested_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::write(
        root.join(".github/workflows/train.yml"),
        "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python train.py\n",
    )
    .unwrap();
    fs::write(
        root.join("train.py"),
        "from sklearn.ensemble import RandomForestClassifier\nRandomForestClassifier().fit(X, y)\n",
    )
    .unwrap();
    fs::write(
        root.join(".ripen.yml"),
        "attestations:\n  - capability: experiment_tracking\n    reason: elsewhere\n",
    )
    .unwrap();
    tmp
}

#[test]
fn attestations_do_not_pass_a_gate_unless_the_caller_trusts_them() {
    let tmp = attested_repo();
    let out = scan(
        tmp.path(),
        &["--fail-under", "google=1", "--format", "json"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &v["targets"][0];
    assert_eq!(
        (t["actual"].as_u64(), t["gated"].as_u64()),
        (Some(1), Some(0)),
        "{t}"
    );
    assert_exit(&out, 1);
    let out = scan(
        tmp.path(),
        &["--fail-under", "google=1", "--trust-attestations"],
    );
    assert_exit(&out, 0);
}

#[test]
fn a_config_given_on_the_command_line_is_contained_too() {
    let repo = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs::write(repo.path().join("README.md"), "# x\n").unwrap();
    // Its rule directories stay inside the repository.
    fs::create_dir(outside.path().join("rules")).unwrap();
    let cfg = repo.path().join("ci.yml");
    fs::write(
        &cfg,
        format!("rules: [{}]\n", outside.path().join("rules").display()),
    )
    .unwrap();
    let out = scan(repo.path(), &["--config", cfg.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside the scanned repository"));
    // A file outside the repository is never quoted.
    let secret = outside.path().join("credentials");
    fs::write(
        &secret,
        "aws_secret_access_key_SENTINEL: 1\nwaivers: [{capability: SENTINEL_CAP, reason: r, expires: 2026-07-01}]\n",
    )
    .unwrap();
    let out = scan(repo.path(), &["--config", secret.to_str().unwrap()]);
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("SENTINEL"), "{err}");
    fs::write(
        &secret,
        "waivers: [{capability: SENTINEL_CAP, reason: r, expires: 2026-07-01}]\n",
    )
    .unwrap();
    let out = scan(repo.path(), &["--config", secret.to_str().unwrap()]);
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("SENTINEL"), "{err}");
}

#[test]
fn init_never_writes_through_a_link() {
    use std::os::unix::fs::symlink;
    let repo = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs::write(repo.path().join("README.md"), "# x\n").unwrap();
    // A dangling link: `init` would create the file it names, outside the repository.
    let victim = outside.path().join("created-by-init");
    symlink(&victim, repo.path().join(".ripen.yml")).unwrap();
    let out = ripen()
        .arg("init")
        .arg(repo.path())
        .arg("--force")
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(!victim.exists(), "nothing written outside the repository");
    // A link to an existing file: not overwritten.
    fs::write(&victim, "precious\n").unwrap();
    let out = ripen()
        .arg("init")
        .arg(repo.path())
        .arg("--force")
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
    // A regular file is still written.
    fs::remove_file(repo.path().join(".ripen.yml")).unwrap();
    let out = ripen().arg("init").arg(repo.path()).output().unwrap();
    assert_exit(&out, 0);
    assert!(
        fs::read_to_string(repo.path().join(".ripen.yml"))
            .unwrap()
            .contains("fail_under:")
    );
}

#[test]
fn report_file_refuses_a_link_the_repository_committed() {
    use std::os::unix::fs::symlink;
    let repo = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs::write(repo.path().join("README.md"), "# x\n").unwrap();
    let victim = outside.path().join("victim");
    fs::write(&victim, "precious\n").unwrap();
    symlink(&victim, repo.path().join("ripen.sarif")).unwrap();
    symlink(outside.path(), repo.path().join("reports")).unwrap();
    for target in ["ripen.sarif", "reports/victim"] {
        let out = scan(
            repo.path(),
            &[
                "--report-file",
                &format!("sarif={}", repo.path().join(target).display()),
            ],
        );
        assert_exit(&out, 2);
        assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
    }
    // Outside the repository, the caller's own paths are the caller's business.
    let mine = outside.path().join("mine.sarif");
    let out = scan(
        repo.path(),
        &["--report-file", &format!("sarif={}", mine.display())],
    );
    assert_exit(&out, 0);
    assert!(mine.exists());
}

#[test]
fn a_git_file_pointing_outside_is_reported_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let g = std::process::Command::new("git")
        .args(["init", "-q"])
        .arg(outside.path())
        .status();
    if !g.is_ok_and(|s| s.success()) {
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    fs::write(repo.path().join("README.md"), "# x\n").unwrap();
    fs::write(
        repo.path().join(".git"),
        format!("gitdir: {}\n", outside.path().join(".git").display()),
    )
    .unwrap();
    let out = scan(repo.path(), &["--format", "json"]);
    assert_exit(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains(".git leads outside the scanned directory"),
        "{warnings}"
    );
    let out = scan(repo.path(), &["--format", "json", "--follow-git-file"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!v["warnings"].to_string().contains(".git leads outside"));
}

/// Deterministic filler for generated (never real) secrets.
struct Gen(u64);

impl Gen {
    fn chars(&mut self, alphabet: &str, n: usize) -> String {
        let a: Vec<char> = alphabet.chars().collect();
        (0..n)
            .map(|_| {
                self.0 = self
                    .0
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                a[((self.0 >> 33) as usize) % a.len()]
            })
            .collect()
    }
}

const HEX: &str = "0123456789abcdef";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_NUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const LOWER_NUM: &str = "abcdefghijklmnopqrstuvwxyz0123456789";

/// Secrets recognisable by their shape: (name, token).
fn token_shapes() -> Vec<(&'static str, String)> {
    let mut g = Gen(19);
    let mut t = |prefix: &str, alphabet: &str, n: usize, suffix: &str| {
        format!("{prefix}{}{suffix}", g.chars(alphabet, n))
    };
    vec![
        ("aws-akia", t("AKIA", UPPER_NUM, 16, "")),
        ("aws-asia", t("ASIA", UPPER_NUM, 16, "")),
        ("github-ghp", t("ghp_", ALNUM, 36, "")),
        ("github-gho", t("gho_", ALNUM, 36, "")),
        ("github-ghu", t("ghu_", ALNUM, 36, "")),
        ("github-ghs", t("ghs_", ALNUM, 36, "")),
        ("github-ghr", t("ghr_", ALNUM, 36, "")),
        ("github-fine-grained", t("github_pat_", ALNUM, 82, "")),
        ("gitlab-pat", t("glpat-", ALNUM, 20, "")),
        ("gitlab-ptt", t("glptt-", HEX, 40, "")),
        ("gitlab-rrt", t("GR1348941", ALNUM, 20, "")),
        (
            "slack-bot",
            t("xoxb-1234567890-1234567890123-", ALNUM, 24, ""),
        ),
        (
            "slack-user",
            t("xoxp-1234567890-1234567890-1234567890-", HEX, 32, ""),
        ),
        (
            "slack-app",
            t("xapp-1-A0123456789-1234567890-", HEX, 40, ""),
        ),
        (
            "slack-webhook",
            t(
                "https://hooks.slack.com/services/T0000/B0000/",
                ALNUM,
                44,
                "",
            ),
        ),
        ("stripe-live", t("sk_live_", ALNUM, 24, "")),
        ("stripe-restricted", t("rk_live_", ALNUM, 24, "")),
        ("stripe-test", t("sk_test_", ALNUM, 24, "")),
        ("stripe-webhook", t("whsec_", ALNUM, 32, "")),
        ("google-api", t("AIza", ALNUM, 35, "")),
        ("databricks", t("dapi", HEX, 32, "")),
        ("huggingface", t("hf_", LOWER, 34, "")),
        ("huggingface-org", t("api_org_", LOWER, 34, "")),
        ("openai-project", t("sk-proj-", ALNUM, 48, "")),
        ("anthropic", t("sk-ant-api03-", ALNUM, 93, "AA")),
        ("npm", t("npm_", LOWER_NUM, 36, "")),
        ("pypi", t("pypi-AgEIcHlwaS5vcmc", ALNUM, 60, "")),
        (
            "jwt",
            format!(
                "eyJhbGciOiJIUzI1NiJ9.eyJ{}.{}",
                t("", ALNUM, 24, ""),
                t("", ALNUM, 32, "")
            ),
        ),
        (
            "rsa-private-key",
            t("-----BEGIN RSA PRIVATE KEY-----MIIE", ALNUM, 40, ""),
        ),
        (
            "openssh-private-key",
            t("-----BEGIN OPENSSH PRIVATE KEY-----b3Bl", ALNUM, 40, ""),
        ),
        ("azure-ad-client-secret", t("abc8Q~", ALNUM, 32, "")),
        (
            "azure-storage",
            t(
                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=",
                ALNUM,
                64,
                "==",
            ),
        ),
        (
            "azure-sas",
            t(
                "https://a.blob.core.windows.net/c?sv=2021&sig=",
                ALNUM,
                40,
                "",
            ),
        ),
        ("digitalocean", t("dop_v1_", HEX, 64, "")),
        ("doppler", t("dp.pt.", LOWER_NUM, 43, "")),
        ("shopify", t("shpat_", HEX, 32, "")),
        ("sendgrid", t("SG.", ALNUM, 66, "")),
        ("twilio", t("SK", HEX, 32, "")),
        (
            "postman",
            format!("PMAK-{}-{}", t("", HEX, 24, ""), t("", HEX, 34, "")),
        ),
        ("pulumi", t("pul-", HEX, 40, "")),
        ("grafana-cloud", t("glc_", ALNUM, 40, "")),
        (
            "grafana-service-account",
            format!("glsa_{}_{}", t("", ALNUM, 32, ""), t("", HEX, 8, "")),
        ),
        (
            "terraform-cloud",
            format!(
                "{}.atlasv1.{}",
                t("", LOWER_NUM, 14, ""),
                t("", LOWER_NUM, 64, "")
            ),
        ),
        ("vault", t("hvs.", ALNUM, 95, "")),
        ("linear", t("lin_api_", LOWER_NUM, 40, "")),
        ("clojars", t("CLOJARS_", LOWER_NUM, 60, "")),
        ("rubygems", t("rubygems_", HEX, 48, "")),
        ("planetscale", t("pscale_tkn_", ALNUM, 40, "")),
        ("perplexity", t("pplx-", ALNUM, 48, "")),
        (
            "notion",
            format!(
                "ntn_{}{}",
                t("", "0123456789", 11, ""),
                t("", ALNUM, 35, "")
            ),
        ),
        ("infracost", t("ico-", ALNUM, 32, "")),
        ("readme", t("rdme_", LOWER_NUM, 70, "")),
        ("prefect", t("pnu_", ALNUM, 36, "")),
        ("scalingo", t("tk-us-", ALNUM, 48, "")),
        ("easypost", t("EZAK", LOWER_NUM, 54, "")),
        ("duffel", t("duffel_test_", ALNUM, 43, "")),
        (
            "dynatrace",
            format!(
                "dt0c01.{}.{}",
                t("", UPPER_NUM, 24, ""),
                t("", UPPER_NUM, 64, "")
            ),
        ),
        ("frameio", t("fio-u-", ALNUM, 64, "")),
        (
            "age",
            t(
                "AGE-SECRET-KEY-1",
                "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
                58,
                "",
            ),
        ),
    ]
}

/// Secrets recognisable by the name they are given: (line of code or command, secret). Each
/// template's `{}` is a generated secret of the given length.
fn keyword_forms() -> Vec<(String, String)> {
    const FORMS: &[(&str, usize)] = &[
        ("aws configure set aws_secret_access_key {}", 20),
        ("dvc remote modify store secret_access_key {}", 20),
        ("docker login -u me -p {} registry.io", 14),
        ("az login --service-principal -u app -p {} --tenant t", 14),
        ("sshpass -p {} ssh host", 12),
        ("python fit.py --api_key {}", 24),
        ("python fit.py --wandb-api-key {}", 24),
        ("curl -u admin:{} https://x", 12),
        ("KAGGLE_KEY={}", 32),
        ("os.environ[\"WANDB_API_KEY\"] = \"{}\"", 32),
        ("wandb.login(key=\"{}\")", 40),
        ("git clone https://{}@github.com/o/r", 30),
        ("DB_PASSWORD=abc;{}", 10),
        ("run --password \"a b {}\"", 6),
        ("engine = create_engine('postgresql://u:{}@db/x')", 16),
        ("headers = {'Authorization': 'Bearer {}'}", 24),
        ("mlflow_password: {}", 16),
        ("client_secret = \"{}\"", 16),
        ("os.environ.setdefault(\"HF_TOKEN\", \"{}\")", 16),
        ("export MLFLOW_TRACKING_TOKEN={}", 16),
    ];
    let mut g = Gen(7);
    FORMS
        .iter()
        .map(|(form, n)| {
            let v = g.chars(ALNUM, *n);
            (form.replace("{}", &v), v)
        })
        .collect()
}

/// Ordinary text that must survive redaction as written.
const READABLE: &[&str] = &[
    "docker run -p 8080:80 img",
    "token: ${{ secrets.HF_TOKEN }}",
    "password: ${{ secrets.DB_PASSWORD }}",
    "image: python@sha256:4f53d1b3a8bb0e1bba0f1b6f3e4d4a9c0a2e8b4e9c1f0d7b2a6e5c3d9f8a7b6c",
    "run_id = '123e4567-e89b-12d3-a456-426614174000'",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "md5 = 'd41d8cd98f00b204e9800998ecf8427e'",
    "tokenizer = AutoTokenizer.from_pretrained(name)",
    "docker login --password-stdin registry.io",
    "mkdir -p out && python fit.py --epochs 3",
];

#[test]
fn no_secret_reaches_any_format() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::create_dir_all(root.join("src")).unwrap();
    fs::write(
        root.join("src/train.py"),
        "import mlflow\nmlflow.log_metric('auc', 1)\n",
    )
    .unwrap();
    // Shapes: commands CI runs that name a missing script (unresolved commands; one job
    // each, as a job stops at its first), and one that reaches training (a chain).
    let tokens = token_shapes();
    let mut wf = String::from("on: [push]\njobs:\n");
    for (i, (_, tok)) in tokens.iter().enumerate() {
        wf.push_str(&format!(
            "  t{i}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'python missing_{i}.py --x \"{tok}\"'\n"
        ));
    }
    wf.push_str(&format!(
        "  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'python src/train.py --api-key {}'\n",
        tokens[2].1
    ));
    fs::write(root.join(".github/workflows/ci.yml"), wf).unwrap();
    // Keyword forms and readable text: lines of code that rules quote as snippets.
    // One file each: a rule reports its first hit in a file.
    let forms = keyword_forms();
    for (i, (line, _)) in forms.iter().enumerate() {
        let py = format!("import mlflow\nmlflow.log_param('k{i}', 1); {line}\n");
        fs::write(root.join(format!("src/k{i}.py")), py).unwrap();
    }
    for (i, line) in READABLE.iter().enumerate() {
        let py = format!("import mlflow\nmlflow.log_param('r{i}', 1); {line}\n");
        fs::write(root.join(format!("src/r{i}.py")), py).unwrap();
    }

    let mut secrets: Vec<(String, String)> = tokens
        .iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect();
    secrets.extend(forms.iter().map(|(l, s)| (l.clone(), s.clone())));
    assert!(secrets.len() >= 50, "{}", secrets.len());

    let summary = root.join("summary.md");
    let outputs = root.join("outputs");
    let mut reports = Vec::new();
    let formats = [
        "text", "json", "markdown", "sarif", "github", "html", "gitlab", "azure", "junit",
    ];
    for format in formats {
        let out = ripen()
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs)
            .args(["scan", "--history-commits", "0", "--format", format])
            .arg(root)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        reports.push((format, String::from_utf8_lossy(&out.stdout).into_owned()));
    }
    reports.push(("job summary", fs::read_to_string(&summary).unwrap()));
    let mut leaks = Vec::new();
    for (format, text) in &reports {
        for (name, secret) in &secrets {
            let tail = &secret[secret.len().saturating_sub(12)..];
            if text.contains(secret.as_str()) || text.contains(tail) {
                let at = text.find(tail).unwrap_or(0);
                let line = text[..at].rsplit('\n').next().unwrap_or("");
                leaks.push(format!("{format}: {name}: …{line}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    // The redacted places are reported (the test is not vacuous), and readable text is kept.
    let json = &reports[1].1;
    let v: Value = serde_json::from_str(json).unwrap();
    let commands = v["automation"]["unresolved"].to_string();
    for i in 0..tokens.len() {
        assert!(
            commands.contains(&format!("missing_{i}.py")),
            "command {i} is reported"
        );
    }
    let snippets: Vec<String> = v["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["evidence"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["snippet"].as_str().map(str::to_string))
        .collect();
    for i in 0..forms.len() {
        let tag = format!("'k{i}'");
        assert!(
            snippets
                .iter()
                .any(|s| s.contains(&tag) && s.contains("***")),
            "form {i} is reported, redacted"
        );
    }
    for (i, line) in READABLE.iter().enumerate() {
        let tag = format!("'r{i}', 1); {line}");
        assert!(
            snippets.iter().any(|s| s.contains(&tag)),
            "`{line}` stays readable: {snippets:?}"
        );
    }
}
