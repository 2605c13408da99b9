//! Issue 19, for every command that computes levels: `ripen diff` and `ripen history` apply
//! `scan`'s trust model. The repository's own rules, waivers and attestations do not count
//! toward what a gate compares (`--fail-on-regression`) or history's levels unless the caller
//! opts in with the same flags; `--max-waiver-days` holds; a `.git` file that leads outside the
//! scanned directory is refused unless `--follow-git-file`.

mod common;

use common::{assert_exit, ripen};
use git2::{IndexAddOption, Repository, Signature, Time};
use serde_json::Value;
use std::fs;
use std::path::Path;

const TODAY: &str = "2026-06-01";

use common::capabilities;

/// Commits everything in the working tree (removed files too).
fn commit(repo: &Repository, msg: &str, n: i64) {
    let mut idx = repo.index().unwrap();
    idx.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
    idx.update_all(["*"], None).unwrap();
    idx.write().unwrap();
    let tree = repo.find_tree(idx.write_tree().unwrap()).unwrap();
    let sig = Signature::new(
        "t",
        "t@example.com",
        &Time::new(1_704_067_200 + n * 86_400, 0),
    )
    .unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents)
        .unwrap();
}

/// CI on push that runs the tests: Azure 1 on ripen's own rules.
fn write_ci(root: &Path) {
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::create_dir_all(root.join("tests")).unwrap();
    fs::write(
        root.join(".github/workflows/ci.yml"),
        "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
    )
    .unwrap();
    fs::write(
        root.join("tests/test_x.py"),
        "def test_x():\n    assert 1\n",
    )
    .unwrap();
}

/// A config that loads a catch-all rule for every capability, from the repository.
fn write_stuffed_rules(root: &Path) {
    fs::create_dir_all(root.join("my-rules")).unwrap();
    let mut rules = String::from("rules:\n");
    for c in capabilities() {
        rules.push_str(&format!(
            "  - id: all-{id}\n    capability: {c}\n    title: t\n    rationale: r\n    tier: implemented\n    files: {{include: ['**']}}\n    match:\n      - regex: '(?s).'\n",
            id = c.replace('_', "-"),
        ));
    }
    fs::write(root.join("my-rules/all.yml"), rules).unwrap();
    fs::write(root.join(".ripen.yml"), "rules: [my-rules]\n").unwrap();
}

/// A config waiving every capability until `expires`.
fn write_waivers(root: &Path, expires: &str) {
    let mut cfg = String::from("waivers:\n");
    for c in capabilities() {
        cfg.push_str(&format!(
            "  - capability: {c}\n    reason: later\n    expires: {expires}\n"
        ));
    }
    fs::write(root.join(".ripen.yml"), cfg).unwrap();
}

/// Training that CI runs on push.
fn write_training(root: &Path, tracked: bool) {
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::write(
        root.join(".github/workflows/train.yml"),
        "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python train.py\n",
    )
    .unwrap();
    let mlflow = if tracked {
        "import mlflow\nmlflow.autolog()\n"
    } else {
        ""
    };
    fs::write(
        root.join("train.py"),
        format!("{mlflow}from sklearn.ensemble import RandomForestClassifier\nRandomForestClassifier().fit(X, y)\n"),
    )
    .unwrap();
}

/// Training without tracking, and a config attesting tracking: Google 1 only when the
/// attestation counts.
fn write_attested(root: &Path) {
    write_training(root, false);
    fs::write(
        root.join(".ripen.yml"),
        "attestations:\n  - capability: experiment_tracking\n    reason: elsewhere\n",
    )
    .unwrap();
}

/// A repository whose first commit is what `base` writes (real evidence) and whose second
/// holds only what `head` writes (the repository's own claims).
fn claimed_repo(base: impl Fn(&Path), head: impl Fn(&Path)) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let repo = Repository::init(root).unwrap();
    fs::write(root.join("README.md"), "# x\n").unwrap();
    base(root);
    commit(&repo, "real evidence", 0);
    for e in fs::read_dir(root).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .is_some_and(|n| n != ".git" && n != "README.md")
        {
            if p.is_dir() {
                fs::remove_dir_all(&p).unwrap();
            } else {
                fs::remove_file(&p).unwrap();
            }
        }
    }
    head(root);
    commit(&repo, "evidence removed, claims added", 1);
    tmp
}

fn diff(root: &Path, extra: &[&str]) -> std::process::Output {
    ripen()
        .env("RIPEN_TODAY", TODAY)
        .args([
            "diff",
            "--base",
            "HEAD~1",
            "--fail-on-regression",
            "--format",
            "json",
        ])
        .args(extra)
        .arg(root)
        .output()
        .unwrap()
}

fn history(root: &Path, extra: &[&str]) -> std::process::Output {
    ripen()
        .env("RIPEN_TODAY", TODAY)
        .args(["history", "--format", "json"])
        .args(extra)
        .arg(root)
        .output()
        .unwrap()
}

/// The newest commit's level of `model` in a history's JSON.
fn last_level(out: &std::process::Output, model: &str) -> Option<u64> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let commits = v["commits"].as_array().unwrap();
    let last = commits.last().unwrap();
    let models = match last["models_from"].as_str() {
        Some(from) => &commits.iter().find(|c| c["commit"] == from).unwrap()["models"],
        None => &last["models"],
    };
    models[model]["level"].as_u64()
}

#[test]
fn diff_does_not_let_repository_rules_hide_a_regression() {
    let tmp = claimed_repo(write_ci, write_stuffed_rules);
    let out = diff(tmp.path(), &[]);
    assert_exit(&out, 1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["base"]["gated"]["azure"], 1, "{}", v["base"]["gated"]);
    assert_eq!(v["head"]["gated"]["azure"], 0, "{}", v["head"]["gated"]);
    assert!(
        v["head"]["models"]["azure"]["level"].as_u64().unwrap() >= 1,
        "the detected level is still shown: {}",
        v["head"]["models"]["azure"]
    );
    assert_eq!(v["regression"], true);
    assert!(
        v["warnings"].to_string().contains("the gate compares"),
        "{}",
        v["warnings"]
    );
    assert_exit(&diff(tmp.path(), &["--trust-repo-rules"]), 0);
    // The working tree as head: the same gate.
    let out = ripen()
        .env("RIPEN_TODAY", TODAY)
        .args(["diff", "--base", "HEAD~1", "--fail-on-regression"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_exit(&out, 1);
}

#[test]
fn diff_does_not_let_attestations_or_waivers_hide_a_regression() {
    let tmp = claimed_repo(|root| write_training(root, true), write_attested);
    assert_exit(&diff(tmp.path(), &[]), 1);
    assert_exit(&diff(tmp.path(), &["--trust-attestations"]), 0);

    let tmp = claimed_repo(write_ci, |root| write_waivers(root, "2026-12-31"));
    assert_exit(&diff(tmp.path(), &[]), 1);
    assert_exit(&diff(tmp.path(), &["--trust-waivers"]), 0);
}

#[test]
fn diff_and_history_hold_waivers_to_the_maximum() {
    let tmp = claimed_repo(write_ci, |root| write_waivers(root, "9999-12-31"));
    for out in [
        diff(tmp.path(), &["--trust-waivers"]),
        history(tmp.path(), &[]),
    ] {
        assert_exit(&out, 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("more than 365 days ahead"), "{err}");
        assert!(err.contains(".ripen.yml:2:"), "file:line:col: {err}");
    }
    assert_exit(&diff(tmp.path(), &["--max-waiver-days", "3000000"]), 1);
    assert_exit(&history(tmp.path(), &["--max-waiver-days", "3000000"]), 0);
}

#[test]
fn history_levels_count_repository_rules_and_attestations_only_when_trusted() {
    // Nothing but the repository's claims (and training without tracking), at every commit.
    for (declare, flag) in [
        (write_stuffed_rules as fn(&Path), "--trust-repo-rules"),
        (write_attested, "--trust-attestations"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let repo = Repository::init(tmp.path()).unwrap();
        fs::write(tmp.path().join("README.md"), "# nothing here\n").unwrap();
        declare(tmp.path());
        commit(&repo, "claims", 0);
        let out = history(tmp.path(), &[]);
        assert_exit(&out, 0);
        assert_eq!(last_level(&out, "google"), Some(0));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            v["warnings"]
                .to_string()
                .contains("the levels are those a gate counts"),
            "{}",
            v["warnings"]
        );
        let out = history(tmp.path(), &[flag]);
        assert_exit(&out, 0);
        assert!(
            last_level(&out, "google").unwrap() >= 1,
            "{flag}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn diff_and_history_refuse_a_git_file_pointing_outside() {
    // A real repository elsewhere, with a commit; the scanned directory's `.git` file points
    // at it.
    let outside = tempfile::tempdir().unwrap();
    let repo = Repository::init(outside.path()).unwrap();
    write_ci(outside.path());
    commit(&repo, "one", 0);
    fs::write(outside.path().join("README.md"), "# x\n").unwrap();
    commit(&repo, "two", 1);
    let scanned = tempfile::tempdir().unwrap();
    fs::write(scanned.path().join("README.md"), "# x\n").unwrap();
    fs::write(
        scanned.path().join(".git"),
        format!("gitdir: {}\n", outside.path().join(".git").display()),
    )
    .unwrap();
    for out in [diff(scanned.path(), &[]), history(scanned.path(), &[])] {
        assert_exit(&out, 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(".git leads outside the scanned directory")
                && err.contains("--follow-git-file"),
            "{err}"
        );
    }
    assert_exit(&history(scanned.path(), &["--follow-git-file"]), 0);
    let out = diff(scanned.path(), &["--follow-git-file"]);
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
}

#[test]
fn the_action_s_diff_step_gates_with_the_workflow_s_trust() {
    let tmp = claimed_repo(write_ci, write_stuffed_rules);
    let run = |env: &[(&str, &str)]| {
        let mut c = std::process::Command::new("bash");
        c.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("action/diff.sh"))
            .current_dir(tmp.path())
            .env("RIPEN_BIN", env!("CARGO_BIN_EXE_ripen"))
            .env("INPUT_DIFF_BASE", "HEAD~1")
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    assert_exit(&run(&[]), 1);
    assert_exit(&run(&[("INPUT_TRUST_REPO_RULES", "true")]), 0);
    assert_exit(&run(&[("INPUT_TRUST_REPO_RULES", "yes")]), 2);
    assert_exit(&run(&[("INPUT_MAX_WAIVER_DAYS", "x")]), 2);
}

/// "Done means": the README's Security model says what ripen reads, what it never does and who
/// controls the gate, and names every control the caller has, on the command line and in the
/// action.
#[test]
fn the_readme_s_security_model_names_every_control() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("## Security model")
        .expect("a Security model section");
    let end = readme[start + 3..]
        .find("\n## ")
        .map_or(readme.len(), |e| start + 3 + e);
    let section = &readme[start..end];
    for needle in [
        "**What ripen reads.**",
        "**What ripen never does.**",
        "**Who controls the gate.**",
        "--trust-repo-rules",
        "--trust-waivers",
        "--trust-attestations",
        "--max-waiver-days",
        "--follow-git-file",
        "trust-repo-rules: true",
        "`diff",
        "`history`",
    ] {
        assert!(section.contains(needle), "{needle}");
    }
    // The action's input is documented beside the others.
    assert!(readme.contains("| `max-waiver-days` | `365` |"));
}

#[test]
fn a_waiver_needs_a_reason_in_every_command() {
    for (cfg, want) in [
        (
            "waivers:\n  - capability: ci\n    expires: 2026-12-31\n",
            "missing field `reason`",
        ),
        (
            "waivers:\n  - capability: ci\n    reason: \"  \"\n    expires: 2026-12-31\n",
            "a waiver needs a `reason`",
        ),
    ] {
        let tmp = claimed_repo(write_ci, |root| {
            fs::write(root.join(".ripen.yml"), cfg).unwrap()
        });
        let scan = ripen()
            .env("RIPEN_TODAY", TODAY)
            .arg("scan")
            .arg(tmp.path())
            .output()
            .unwrap();
        for out in [scan, diff(tmp.path(), &[]), history(tmp.path(), &[])] {
            assert_exit(&out, 2);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(want) && err.contains(".ripen.yml:"), "{err}");
        }
    }
}

#[test]
fn several_repositories_and_as_system_gate_the_same_way() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for t in [&a, &b] {
        fs::write(t.path().join("README.md"), "# nothing here\n").unwrap();
        write_stuffed_rules(t.path());
    }
    let run = |extra: &[&str]| {
        ripen()
            .env("RIPEN_TODAY", TODAY)
            .args(["scan", "--history-commits", "0", "--fail-under", "google=1"])
            .args(extra)
            .arg(a.path())
            .arg(b.path())
            .output()
            .unwrap()
    };
    assert_exit(&run(&[]), 1);
    assert_exit(&run(&["--as-system"]), 1);
    assert_exit(&run(&["--trust-repo-rules"]), 0);
    assert_exit(&run(&["--as-system", "--trust-repo-rules"]), 0);
}
