//! A sub-directory of a git repository (a monorepo's project, the action's `path:`): by
//! default the scan says, in every format, that the repository's CI is not seen; with
//! `--enclosing-repo` it scans the repository, scoped to the directory, and the root workflows
//! that reach into it count, unless the repository's config excludes the directory (then the
//! directory is scanned alone, and the report says so).

use assert_cmd::Command;
use serde_json::Value;
use std::fs;

fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::create_dir_all(root.join("proj/tests")).unwrap();
    fs::create_dir_all(root.join("other")).unwrap();
    fs::write(
        root.join(".github/workflows/ci.yml"),
        "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest proj/tests\n",
    )
    .unwrap();
    fs::write(
        root.join("proj/tests/test_model.py"),
        "import sklearn\n\ndef test_fit():\n    assert True\n",
    )
    .unwrap();
    fs::write(root.join("proj/train.py"), "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit([[0], [1]], [0, 1])\n").unwrap();
    fs::write(root.join("other/README.md"), "# unrelated\n").unwrap();
    git2::Repository::init(root).unwrap();
    dir
}

fn scan(dir: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "proj", "--format", "json", "--history-commits", "0"];
    args.extend_from_slice(extra);
    run_json(dir, &args)
}

#[test]
fn a_sub_directory_says_it_cannot_see_the_repository_ci() {
    let repo = monorepo();
    let r = scan(repo.path(), &[]);
    assert_eq!(r["models"]["azure"]["level"], 0);
    let w = r["warnings"][0].as_str().unwrap();
    assert!(
        w.contains("`proj` inside a git repository") && w.contains("--enclosing-repo"),
        "{w}"
    );
    assert!(r.get("scope").is_none());
}

#[test]
fn enclosing_repo_credits_the_root_ci_that_reaches_the_directory() {
    let repo = monorepo();
    let r = scan(repo.path(), &["--enclosing-repo"]);
    assert_eq!(r["scope"], "proj");
    assert_eq!(r["root"], ".");
    assert_eq!(
        r["models"]["azure"]["level"], 1,
        "the root workflow runs proj's tests"
    );
    let paths: Vec<&str> = r["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["evidence"].as_array().unwrap())
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.iter().all(|p| !p.starts_with("other/")),
        "evidence outside the scope that nothing reaches stays out: {paths:?}"
    );
}

#[test]
fn a_sub_directory_with_its_own_automation_is_scanned_as_it_stands() {
    let repo = monorepo();
    let own = repo.path().join("proj/.github/workflows");
    fs::create_dir_all(&own).unwrap();
    fs::write(
        own.join("ci.yml"),
        "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest tests\n",
    )
    .unwrap();
    let r = scan(repo.path(), &[]);
    let warned = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("--enclosing-repo"));
    assert!(!warned, "{:?}", r["warnings"]);
}

/// Whatever the format, a scan of a sub-directory that cannot see the enclosing repository's CI
/// says so (CI systems show only their own format).
#[test]
fn the_sub_directory_warning_is_in_every_format() {
    let repo = monorepo();
    for format in [
        "text", "json", "markdown", "html", "sarif", "github", "gitlab", "azure", "junit",
    ] {
        let out = Command::cargo_bin("ripen")
            .unwrap()
            .env_remove("GITHUB_ACTIONS")
            .current_dir(repo.path())
            .args(["scan", "proj", "--history-commits", "0", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("inside a git repository") && text.contains("--enclosing-repo"),
            "{format}:\n{text}"
        );
        if format == "gitlab" {
            let schema: Value = serde_json::from_str(
                &fs::read_to_string(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("schemas/gitlab-codequality.schema.json"),
                )
                .unwrap(),
            )
            .unwrap();
            let report: Value = serde_json::from_str(&text).unwrap();
            let v = jsonschema::validator_for(&schema).unwrap();
            let errors: Vec<String> = v.iter_errors(&report).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:?}");
            let w = report
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["check_name"] == "ripen/warning")
                .unwrap();
            assert_eq!(w["location"]["path"], "proj");
        }
    }
}

/// The enclosing repository's config excludes the directory (as this repository's excludes
/// `fixtures/**`): the directory is scanned alone, and the report says so instead of finding
/// nothing.
#[test]
fn a_directory_the_enclosing_config_excludes_is_scanned_alone_and_says_so() {
    let repo = monorepo();
    fs::write(repo.path().join(".ripen.yml"), "exclude:\n  - proj/**\n").unwrap();
    let r = scan(repo.path(), &["--enclosing-repo"]);
    assert!(r.get("scope").is_none(), "{:?}", r["scope"]);
    assert_eq!(r["root"], "proj");
    let w = r["warnings"][0].as_str().unwrap();
    assert!(
        w.contains(".ripen.yml excludes `proj`") && w.contains("scanned alone"),
        "{w}"
    );
    assert_eq!(r["ml_project"]["detected"], true, "its own files are read");
    for format in ["text", "gitlab", "junit"] {
        let out = Command::cargo_bin("ripen")
            .unwrap()
            .env_remove("GITHUB_ACTIONS")
            .current_dir(repo.path())
            .args(["scan", "proj", "--enclosing-repo", "--history-commits", "0"])
            .args(["--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("excludes `proj`"), "{format}:\n{text}");
    }
}

/// The README's first command, `scan fixtures/full-level4` in this checkout, without a ceiling:
/// the fixture has automation of its own, so it is scanned as it stands and warns of nothing;
/// with `--enclosing-repo`, this repository's `.ripen.yml` excludes `fixtures/**`, so the
/// fixture is still scanned alone (when the checkout is a git repository, the report says so).
#[test]
fn the_readme_s_first_command_does_not_warn() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |extra: &[&str]| -> Value {
        let out = Command::cargo_bin("ripen")
            .unwrap()
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GIT_CEILING_DIRECTORIES")
            .current_dir(root)
            .args(["scan", "fixtures/full-level4", "--format", "json"])
            .args(["--history-commits", "0"])
            .args(extra)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let plain = run(&[]);
    assert_eq!(plain["warnings"], serde_json::json!([]));
    let enclosing = run(&["--enclosing-repo"]);
    assert!(enclosing.get("scope").is_none());
    assert_eq!(enclosing["models"], plain["models"]);
    let warnings = enclosing["warnings"].as_array().unwrap();
    if root.join(".git").exists() {
        assert!(
            warnings[0]
                .as_str()
                .unwrap()
                .contains(".ripen.yml excludes `fixtures/full-level4`"),
            "{warnings:?}"
        );
    }
}

/// Commits the whole working tree of `root` on top of HEAD.
fn commit_all(root: &std::path::Path, msg: &str) {
    let repo = git2::Repository::open(root).unwrap();
    let mut idx = repo.index().unwrap();
    idx.add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    idx.write().unwrap();
    let tree = repo.find_tree(idx.write_tree().unwrap()).unwrap();
    let sig =
        git2::Signature::new("t", "t@example.com", &git2::Time::new(1_704_067_200, 0)).unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
        .unwrap();
}

/// [`monorepo`] in two commits: the project, then the root workflow that tests it.
fn monorepo_gaining_ci() -> tempfile::TempDir {
    let repo = monorepo();
    let root = repo.path();
    let ci = root.join(".github/workflows/ci.yml");
    let workflow = fs::read_to_string(&ci).unwrap();
    fs::remove_file(&ci).unwrap();
    commit_all(root, "the project");
    fs::write(&ci, workflow).unwrap();
    commit_all(root, "CI for the project");
    repo
}

fn run_json(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("ripen")
        .unwrap()
        .env_remove("GITHUB_ACTIONS")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// `diff` and `history` of a sub-directory read the enclosing repository with
/// `--enclosing-repo`, as `scan` does: the root workflow added by the last commit lifts the
/// directory's level, which the directory alone never sees.
#[test]
fn diff_and_history_use_the_enclosing_repository_when_asked() {
    let repo = monorepo_gaining_ci();
    let root = repo.path();
    let diff = |extra: &[&str]| {
        let mut a = vec![
            "diff", "proj", "--base", "HEAD~1", "--head", "HEAD", "--format", "json",
        ];
        a.extend_from_slice(extra);
        run_json(root, &a)
    };
    let d = diff(&["--enclosing-repo"]);
    assert_eq!(d["base"]["models"]["azure"]["level"], 0, "{d}");
    assert_eq!(d["head"]["models"]["azure"]["level"], 1, "{d}");
    let alone = diff(&[]);
    assert_eq!(alone["head"]["models"]["azure"]["level"], 0, "{alone}");
    let h = run_json(
        root,
        &["history", "proj", "--enclosing-repo", "--format", "json"],
    );
    let text = h.to_string();
    assert!(text.contains("\"azure\""), "{text}");
    let last = h["commits"]
        .as_array()
        .and_then(|c| c.last())
        .cloned()
        .unwrap_or_default();
    assert!(last.to_string().contains("\"level\":1"), "{h}");
}

/// The action's diff step reads a sub-directory `path` as its scan step does (the
/// `enclosing-repo` input, default on), so the two gates judge the same levels.
#[test]
fn the_action_s_diff_step_uses_the_enclosing_repository() {
    let repo = monorepo_gaining_ci();
    let root = repo.path();
    let run = |enclosing: Option<&str>| {
        let mut c = std::process::Command::new("bash");
        c.arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("action/diff.sh"))
            .current_dir(root)
            .env("RIPEN_BIN", env!("CARGO_BIN_EXE_ripen"))
            .env("INPUT_PATH", "proj")
            .env("INPUT_DIFF_BASE", "HEAD~1")
            .env("NO_COLOR", "1")
            .env_remove("INPUT_ENCLOSING_REPO")
            .env_remove("GITHUB_STEP_SUMMARY");
        if let Some(v) = enclosing {
            c.env("INPUT_ENCLOSING_REPO", v);
        }
        let out = c.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, with) = run(None);
    assert_eq!(code, Some(0), "{with}");
    let (code, alone) = run(Some("false"));
    assert_eq!(code, Some(0), "{alone}");
    assert!(with.contains("| Azure | 0 | 1 |"), "{with}");
    assert!(alone.contains("| Azure | 0 | 0 |"), "{alone}");
    assert_eq!(run(Some("yes")).0, Some(2));
}
