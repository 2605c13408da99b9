//! Issue 19: the scanned repository is an adversary as much as a subject. It cannot move the
//! gate past what ripen's own rules find, nor make ripen write where it should not, nor get a
//! secret into a report.

mod common;

use common::{assert_exit, ripen};
use serde_json::Value;
use std::fs;
use std::path::Path;

const TODAY: &str = "2026-06-01";

/// Every capability id of the built-in catalogue.
fn capabilities() -> Vec<String> {
    let text =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/capabilities.yml"))
            .unwrap();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- id:"))
        .map(|id| id.trim().to_string())
        .collect()
}

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

