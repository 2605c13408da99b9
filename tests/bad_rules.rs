//! Bad rule, model, capability and config files, end to end: `ripen scan X --rules BADDIR` and
//! `ripen scan X --config BAD` exit 2, and the first line of stderr names `file:line:col` and
//! says how to fix the problem.

mod common;
use common::ripen;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/ci-only")
}

/// Runs `ripen scan` with `args` and returns the first line of stderr after `error: `.
fn first_error_line(args: &[&std::ffi::OsStr]) -> String {
    first_error_line_in(&fixture(), args)
}

/// [`first_error_line`] for a scan of `root`.
fn first_error_line_in(root: &std::path::Path, args: &[&std::ffi::OsStr]) -> String {
    let out = ripen().arg("scan").arg(root).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2; stderr:\n{err}"
    );
    let first = err.lines().next().unwrap_or_default();
    first
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("no `error: ` line: {err}"))
        .to_string()
}

/// A rules directory holding `files`, scanned with `--rules`; returns the message after
/// `DIR/<file>:` (i.e. starting at `line:col:`).
fn rules_error(files: &[(&str, &str)]) -> String {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(f, t)| (*f, t.as_bytes())).collect();
    rules_error_bytes(&files)
}

fn rules_error_bytes(files: &[(&str, &[u8])]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("rules");
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    let line = first_error_line(&["--rules".as_ref(), dir.as_os_str()]);
    let (_, rest) = line
        .split_once(&format!("{}/", dir.display()))
        .unwrap_or_else(|| panic!("error does not name the file: {line}"));
    let (file, rest) = rest.split_once(':').unwrap();
    assert!(files.iter().any(|(f, _)| *f == file), "{line}");
    rest.to_string()
}

fn config_error(text: &[u8]) -> String {
    // Inside the scanned directory: messages about a file outside it never quote it.
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bad.yml");
    std::fs::write(&p, text).unwrap();
    let line = first_error_line_in(tmp.path(), &["--config".as_ref(), p.as_os_str()]);
    line.strip_prefix(&format!("{}:", p.display()))
        .unwrap_or_else(|| panic!("error does not name the config: {line}"))
        .to_string()
}

/// A valid rule, to be broken one field at a time.
const RULE: &str = "rules:
  - id: my-rule
    capability: ci
    title: Something CI-ish
    rationale: Because.
    tier: implemented
    files: {include: ['**/*.py']}
";

fn rule_with(from: &str, to: &str) -> String {
    assert!(RULE.contains(from));
    RULE.replacen(from, to, 1)
}

fn assert_at(e: &str, pos: &str, needles: &[&str]) {
    assert!(e.starts_with(pos), "expected {pos}: {e}");
    for n in needles {
        assert!(e.contains(n), "expected `{n}` in: {e}");
    }
}

#[test]
fn a_valid_extra_rule_loads() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("x.yml"), RULE).unwrap();
    ripen()
        .arg("scan")
        .arg(fixture())
        .arg("--rules")
        .arg(tmp.path())
        .assert()
        .code(0);
}

#[test]
fn broken_yaml() {
    let e = rules_error(&[(
        "x.yml",
        "rules:\n  - id: a\n    title: \"unclosed\n    x: y\n",
    )]);
    assert_at(&e, "3:", &["unclosed quote", "end the string"]);
    let e = rules_error(&[("x.yml", "rules:\n  - id: a: b\n")]);
    assert_at(&e, "2:", &["quote a value that contains `: `"]);
    let e = rules_error(&[("x.yml", "rules:\n\t- id: a\n")]);
    assert_at(&e, "2:", &["tabs", "spaces"]);
    let e = rules_error(&[("x.yml", "just some text\n")]);
    assert_at(&e, "1:1:", &["expected a mapping here"]);
    let e = rules_error_bytes(&[("x.yml", b"rules:\n  - id: a\xff\n")]);
    assert_at(&e, "2:10:", &["not UTF-8", "save the rule file as UTF-8"]);
}

#[test]
fn unknown_keys_and_missing_ones() {
    let e = rules_error(&[("x.yml", &rule_with("title:", "titel:"))]);
    assert_at(
        &e,
        "4:5:",
        &["unknown field `titel`", "expected one of", "title"],
    );
    let e = rules_error(&[("x.yml", &rule_with("    rationale: Because.\n", ""))]);
    assert_at(&e, "", &["missing field `rationale`", "add `rationale:`"]);
    let e = rules_error(&[(
        "x.yml",
        &rule_with(
            "    tier: implemented\n",
            "    tier: implemented\n    tier: mentioned\n",
        ),
    )]);
    assert_at(&e, "7:5:", &["duplicate key `tier`", "remove or merge"]);
}

#[test]
fn wrong_types() {
    let e = rules_error(&[(
        "x.yml",
        &rule_with("files: {include: ['**/*.py']}", "files: '**/*.py'"),
    )]);
    assert_at(&e, "7:12:", &["expected a mapping here"]);
    let e = rules_error(&[("x.yml", "rules: yes\n")]);
    assert_at(&e, "1:8:", &["expected a list here"]);
    let e = rules_error(&[(
        "x.yml",
        &rule_with("title: Something CI-ish", "title: [a, b]"),
    )]);
    assert_at(&e, "4:12:", &["expected a single text value"]);
    let e = rules_error(&[("x.yml", &rule_with("tier: implemented", "tier: 3"))]);
    assert_at(&e, "6:11:", &["expected one of", "implemented"]);
    let e = rules_error(&[("x.yml", &rule_with("tier: implemented", "tier: automated"))]);
    assert_at(
        &e,
        "6:11:",
        &["`implemented` or `mentioned`", "automation graph"],
    );
}

#[test]
fn invalid_regex_and_glob() {
    let e = rules_error(&[(
        "x.yml",
        &format!("{RULE}    match:\n      - regex: '(?<=x)y'\n"),
    )]);
    assert_at(
        &e,
        "9:16:",
        &["invalid regex", "look-around", "Rust regex syntax"],
    );
    let e = rules_error(&[(
        "x.yml",
        &format!("{RULE}    match:\n      - regex: '(unclosed'\n"),
    )]);
    assert_at(&e, "9:16:", &["invalid regex", "unclosed group"]);
    let e = rules_error(&[(
        "x.yml",
        &format!("{RULE}    facets:\n      training: '[z-a]'\n"),
    )]);
    assert_at(&e, "9:17:", &["invalid regex"]);
    // A placed facet names one of the rule's facets.
    let e = rules_error(&[(
        "x.yml",
        &format!("{RULE}    facets:\n      gated: 'input'\n    facets_before_match: [gatd]\n"),
    )]);
    assert_at(&e, "10:27:", &["`gatd`", "not a facet"]);
    let e = rules_error(&[("x.yml", &rule_with("'**/*.py'", "'src/[a-'"))]);
    assert_at(
        &e,
        "7:23:",
        &["invalid glob `src/[a-`", "unclosed character class"],
    );
    let e = rules_error(&[(
        "x.yml",
        &format!("{RULE}    match:\n      - regex: a\n        key: b\n"),
    )]);
    assert_at(&e, "9:16:", &["exactly one of"]);
}

#[test]
fn unknown_and_duplicate_ids() {
    let e = rules_error(&[(
        "x.yml",
        &rule_with("capability: ci", "capability: experiment_trackin"),
    )]);
    assert_at(
        &e,
        "3:17:",
        &[
            "unknown capability `experiment_trackin`",
            "did you mean `experiment_tracking`",
        ],
    );
    let e = rules_error(&[("x.yml", &rule_with("my-rule", "My_Rule"))]);
    assert_at(&e, "2:9:", &["kebab-case"]);
    // Twice in one file, and a built-in id reused.
    let twice = format!("{RULE}{}", RULE.trim_start_matches("rules:\n"));
    let e = rules_error(&[("x.yml", &twice)]);
    assert_at(
        &e,
        "8:9:",
        &[
            "duplicate rule id `my-rule`",
            "first defined at",
            "x.yml:2",
            "rename",
        ],
    );
    let e = rules_error(&[("x.yml", &rule_with("my-rule", "mlflow-tracking"))]);
    assert_at(
        &e,
        "2:9:",
        &["duplicate rule id `mlflow-tracking`", "rules/", "rename"],
    );
    let caps = "capabilities:\n  - id: ci\n    title: CI\n    category: processes\n    definition: d\n    remediation: r\n";
    let e = rules_error(&[("capabilities.yml", caps)]);
    assert_at(&e, "2:9:", &["duplicate capability id `ci`", "rename"]);
    let e = rules_error(&[(
        "capabilities.yml",
        &caps
            .replace("id: ci", "id: new_cap")
            .replace("processes", "modelling"),
    )]);
    assert_at(
        &e,
        "4:15:",
        &["unknown category `modelling`", "did you mean `modeling`"],
    );
}

const MODEL: &str = "id: mymodel
title: M
kind: staged
levels:
  - level: 0
    name: a
  - level: 1
    name: b
    required:
      - capability: ci
        tier: automated
";

#[test]
fn model_definitions() {
    let e = rules_error(&[("models/m.yml", &MODEL.replace("level: 1", "level: 2"))]);
    assert_at(&e, "7:12:", &["without gaps", "expected level 1, found 2"]);
    // A level listed twice (a cycle back to an earlier level).
    let cycle = format!("{MODEL}  - level: 1\n    name: c\n");
    let e = rules_error(&[("models/m.yml", &cycle)]);
    assert_at(&e, "12:12:", &["expected level 2, found 1"]);
    let back = MODEL.replace("level: 1", "level: 0");
    let e = rules_error(&[("models/m.yml", &back)]);
    assert_at(&e, "7:12:", &["expected level 1, found 0"]);
    let e = rules_error(&[(
        "models/m.yml",
        &MODEL.replace("capability: ci", "capability: cii"),
    )]);
    assert_at(
        &e,
        "10:21:",
        &["unknown capability `cii`", "did you mean `ci`"],
    );
    let e = rules_error(&[("models/m.yml", &MODEL.replace("id: mymodel", "id: google"))]);
    assert_at(&e, "1:5:", &["duplicate model id `google`", "another id"]);
    let e = rules_error(&[(
        "models/m.yml",
        &MODEL.replace("kind: staged", "kind: stages"),
    )]);
    assert_at(&e, "3:7:", &["unknown variant `stages`", "staged"]);
    let e = rules_error(&[(
        "models/m.yml",
        &MODEL.replace("tier: automated", "tier: automatic"),
    )]);
    assert_at(&e, "11:15:", &["unknown variant `automatic`", "automated"]);
    let e = rules_error(&[(
        "models/m.yml",
        &MODEL.replace(
            "      - capability: ci\n        tier: automated\n",
            "      - id: x\n",
        ),
    )]);
    assert_at(&e, "7:12:", &["needs `capability:` or `any:`"]);
    let e = rules_error(&[(
        "models/m.yml",
        "id: mymodel\ntitle: M\nkind: staged\nlevels: []\n",
    )]);
    assert_at(&e, "1:5:", &["needs levels"]);
}

#[test]
fn hostile_rule_directories_do_not_hang() {
    // A `--rules` directory (or one named by a repository's `.ripen.yml`) with a link loop and
    // a FIFO: loading must neither loop forever nor block.
    #[cfg(unix)]
    {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("rules");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("x.yml"), RULE).unwrap();
        std::os::unix::fs::symlink(".", dir.join("loop")).unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("loop2")).unwrap();
        let _ = std::process::Command::new("mkfifo")
            .arg(dir.join("fifo.yml"))
            .status();
        ripen()
            .arg("scan")
            .arg(fixture())
            .arg("--rules")
            .arg(&dir)
            .assert()
            .code(0);
    }
}

#[test]
fn bad_config_files() {
    let e = config_error(b"fail_under: {azure: three}\n");
    assert_at(&e, "1:21:", &["whole number"]);
    let e = config_error(b"fail_under: [azure]\n");
    assert_at(&e, "1:13:", &["expected a mapping here"]);
    let e = config_error(b"exclude: 'a/**'\n");
    assert_at(&e, "1:10:", &["expected a list here"]);
    let e = config_error(b"exclude: ['a/[b']\n");
    assert_at(&e, "1:11:", &["invalid exclude glob `a/[b`"]);
    let e = config_error(b"fail_under:\n  azure: 2\n  azure: 3\n");
    assert_at(&e, "3:3:", &["duplicate key `azure`"]);
    let e = config_error(b"fail_under:\n  azure: 9\n");
    assert_at(&e, "2:10:", &["levels 0 to 4"]);
    let e = config_error(b"fail_under:\n  azur: 2\n");
    assert_at(&e, "2:", &["unknown model `azur`", "known: "]);
    let e = config_error(b"attestations:\n  - capability: cii\n    reason: r\n");
    assert_at(
        &e,
        "2:17:",
        &["unknown capability `cii`", "did you mean `ci`"],
    );
    let e = config_error(b"fail_undr: {azure: 2}\n");
    assert_at(&e, "1:1:", &["unknown field `fail_undr`", "fail_under"]);
    let e = config_error(b"a: [\n");
    assert_at(&e, "", &[]);
    let e = config_error(b"exclude: [\"x\"\n  - y\n");
    assert!(!e.is_empty());
}

#[test]
fn a_huge_config_is_refused_without_reading_it() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("big.yml");
    std::fs::File::create(&p)
        .unwrap()
        .set_len(8 * 1024 * 1024 * 1024)
        .unwrap();
    let line = first_error_line(&["--config".as_ref(), p.as_os_str()]);
    assert!(line.contains("at most"), "{line}");
}

#[test]
fn a_repositorys_broken_pyproject_is_not_a_config_error() {
    // pyproject.toml belongs to the project; unless it configures ripen, its state is not
    // ripen's business and the scan goes on.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("train.py"), "import mlflow\n").unwrap();
    for text in [&b"[project\nname = \"x\n"[..], b"\xff\xfe[project]\n", b""] {
        std::fs::write(root.join("pyproject.toml"), text).unwrap();
        ripen().arg("scan").arg(root).assert().code(0);
    }
    // One that does configure ripen must be valid.
    std::fs::write(root.join("pyproject.toml"), "[tool.ripen]\nfail_undr = 1\n").unwrap();
    ripen().arg("scan").arg(root).assert().code(2);
}

/// A repository under scan is untrusted: its `.ripen.yml` may not load rules from outside it,
/// nor be a link to a file elsewhere.
#[test]
fn repository_config_cannot_reach_outside_the_repository() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.yml"), "rules: []\n").unwrap();
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(
        repo.path().join(".ripen.yml"),
        format!("rules: [\"{}\"]\n", outside.path().display()),
    )
    .unwrap();
    let out = ripen().arg("scan").arg(repo.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("outside the scanned repository"), "{err}");

    let linked = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("cfg.yml"), "exclude: []\n").unwrap();
    std::os::unix::fs::symlink(
        elsewhere.path().join("cfg.yml"),
        linked.path().join(".ripen.yml"),
    )
    .unwrap();
    let out = ripen().arg("scan").arg(linked.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));

    // The same directory given explicitly by the person running ripen is fine.
    let ok = tempfile::tempdir().unwrap();
    ripen()
        .arg("scan")
        .arg(ok.path())
        .arg("--rules")
        .arg(outside.path())
        .assert()
        .code(0);
}

/// The rule-file example in the README is a rule file that loads and whose examples pass.
#[test]
fn the_readme_rule_example_loads_and_its_examples_pass() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let at = readme
        .find("negative examples that `ripen rules test` runs:")
        .expect("the README's rule example");
    let start = readme[at..].find("```yaml\n").unwrap() + at + 8;
    let end = readme[start..].find("```").unwrap() + start;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tracking.yml"), &readme[start..end]).unwrap();
    let out = assert_cmd::Command::cargo_bin("ripen")
        .unwrap()
        .args(["rules", "test"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
