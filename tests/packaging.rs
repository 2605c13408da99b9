//! What ships, tested the way users install it:
//!
//! - the PyPI wheel (`pypi/pyproject.toml`), built with maturin, installed into a fresh virtual
//!   environment and run from there: `ripen --version` and a scan of a fixture;
//! - the pre-commit hook (`.pre-commit-hooks.yaml` and the root `pyproject.toml`), run by
//!   `pre-commit try-repo` on a throwaway git repository, installing that wheel;
//! - the crate (`cargo package --list`): the code and the embedded rules, no test corpora;
//! - the release preflight (`scripts/check-release.sh`): tag, versions and URLs agree;
//! - shell completions and man pages from `ripen completions` / `ripen man`.
//!
//! maturin and pre-commit come from the project's virtual environment (`make tools` creates
//! `.venv`), else from PATH. Without them the wheel and hook tests are skipped with a message,
//! unless `CI` or `RIPEN_REQUIRE_TOOLS` (set by `.ci/run`) is set: then they fail.

mod common;
use common::{assert_exit, assert_success, ripen};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run(c: &mut Command) -> Output {
    c.output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", c.get_program()))
}

/// A Python tool from `.venv/bin`, else PATH; None (skip) when missing outside CI.
fn tool(name: &str) -> Option<PathBuf> {
    let venv = repo().join(".venv/bin").join(name);
    let found = venv.is_file().then_some(venv).or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("CI").is_some() || std::env::var_os("RIPEN_REQUIRE_TOOLS").is_some() {
            panic!("CI (or RIPEN_REQUIRE_TOOLS) is set but `{name}` is missing: run `make tools`");
        }
        eprintln!("SKIPPED: `{name}` not found; `make tools` installs it into .venv");
    }
    found
}

/// The project's Python (it can make virtual environments), else `python3`.
fn python() -> PathBuf {
    let venv = repo().join(".venv/bin/python");
    if venv.is_file() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

/// The wheel, built once per test run (debug profile: the packaging is under test, not the
/// optimiser) into target/test-wheels.
fn wheel() -> Option<&'static Path> {
    static WHEEL: OnceLock<Option<PathBuf>> = OnceLock::new();
    WHEEL
        .get_or_init(|| {
            let maturin = tool("maturin")?;
            let out_dir = repo().join("target/test-wheels");
            let _ = std::fs::remove_dir_all(&out_dir);
            let out = run(Command::new(maturin)
                .args(["build", "--locked", "--quiet", "--out"])
                .arg(&out_dir)
                .current_dir(repo().join("pypi")));
            assert_success(&out);
            let wheels: Vec<PathBuf> = std::fs::read_dir(&out_dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            assert_eq!(wheels.len(), 1, "one wheel: {wheels:?}");
            Some(wheels.into_iter().next().unwrap())
        })
        .as_deref()
}

#[test]
fn the_wheel_installs_into_a_fresh_virtual_environment_and_runs() {
    let Some(wheel) = wheel() else { return };
    let name = wheel.file_name().unwrap().to_string_lossy();
    assert!(
        name.starts_with(&format!("ripen_mlops-{VERSION}-py3-none-")),
        "{name}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    assert_success(&run(Command::new(python()).args(["-m", "venv"]).arg(&venv)));
    let bin = venv.join("bin");
    assert_success(&run(Command::new(bin.join("python"))
        .args(["-m", "pip", "install", "--quiet", "--no-index"])
        .arg(wheel)));

    let out = run(Command::new(bin.join("ripen")).arg("--version"));
    assert_success(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("ripen {VERSION}\n")
    );

    let out = run(Command::new(bin.join("ripen"))
        .args(["scan", "fixtures/dvc-mlflow", "--format", "json"])
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS"));
    assert_success(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["models"]["azure"]["level"], 2);
    assert_eq!(report["models"]["google"]["level"], 1);

    // The metadata PyPI shows, and the licence inside the wheel.
    let out = run(Command::new(bin.join("python")).args([
        "-c",
        "import importlib.metadata as m; d = m.distribution('ripen-mlops'); \
         print(d.metadata['Name'], d.metadata['License-Expression']); \
         print(*sorted(str(f) for f in d.files), sep='\\n')",
    ]));
    assert_success(&out);
    let meta = String::from_utf8_lossy(&out.stdout);
    assert!(meta.starts_with("ripen-mlops MIT\n"), "{meta}");
    assert!(meta.contains("/licenses/LICENSE\n"), "{meta}");
    assert!(
        !meta.contains(".py\n"),
        "a binary-only wheel, no Python code: {meta}"
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = run(Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com"));
    assert_success(&out);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A git repository holding the working tree's hook definition and pre-commit install, as a
/// user's `rev:` would; and a throwaway repository (a fixture) with a `.ripen.yml`.
fn hook_and_project(tmp: &Path, fail_under: &str) -> (PathBuf, PathBuf) {
    let hooks = tmp.join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    for f in [".pre-commit-hooks.yaml", "pyproject.toml"] {
        std::fs::copy(repo().join(f), hooks.join(f)).unwrap();
    }
    git(&hooks, &["init", "--quiet"]);
    git(&hooks, &["add", "."]);
    git(&hooks, &["commit", "--quiet", "-m", "hooks"]);

    let project = tmp.join("project");
    copy_dir(&repo().join("fixtures/dvc-mlflow"), &project);
    std::fs::write(
        project.join(".ripen.yml"),
        format!("fail_under:\n  {fail_under}\n"),
    )
    .unwrap();
    git(&project, &["init", "--quiet"]);
    git(&project, &["add", "."]);
    git(&project, &["commit", "--quiet", "-m", "project"]);
    (hooks, project)
}

/// `pre-commit try-repo` of the hook on a project, with pip pointed at the wheel built here
/// for `ripen-mlops` (a direct-URL constraint; the rest, setuptools for the pin in
/// pyproject.toml, comes from the index as it does for users).
fn try_repo(pre_commit: &Path, tmp: &Path, fail_under: &str) -> Output {
    let wheel = wheel().expect("maturin is there when pre-commit is");
    let (hooks, project) = hook_and_project(tmp, fail_under);
    let constraints = tmp.join("constraints.txt");
    std::fs::write(
        &constraints,
        format!("ripen-mlops @ file://{}\n", wheel.display()),
    )
    .unwrap();
    run(Command::new(pre_commit)
        .args(["try-repo"])
        .arg(&hooks)
        .args(["ripen", "--all-files", "--color", "never"])
        .current_dir(&project)
        .env("PRE_COMMIT_HOME", tmp.join("cache"))
        .env("PIP_CONSTRAINT", &constraints)
        .env_remove("PIP_FIND_LINKS")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS"))
}

#[test]
fn pre_commit_runs_the_hook_from_the_wheel_and_fails_below_the_targets() {
    let Some(pre_commit) = tool("pre-commit") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = try_repo(&pre_commit, &tmp.path().join("met"), "azure: 2");
    assert_success(&out);
    assert!(
        text(&out).contains("ripen MLOps maturity"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("Passed"), "{}", text(&out));

    let out = try_repo(&pre_commit, &tmp.path().join("missed"), "azure: 3");
    assert_exit(&out, 1);
    let shown = text(&out);
    assert!(shown.contains("Failed"), "{shown}");
    assert!(
        shown.contains("exit code: 1") && shown.contains("azure"),
        "the report says which target is missed: {shown}"
    );
}

#[test]
fn the_pre_commit_hook_scans_the_repository_once_with_its_config() {
    let text = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let h = &hooks[0];
    assert_eq!(h["id"], "ripen");
    assert_eq!(h["language"], "python", "installs the PyPI wheel");
    assert_eq!(h["pass_filenames"], false);
    assert_eq!(h["always_run"], true);
    assert_eq!(h["entry"], "ripen scan");
    let args: Vec<&str> = h["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(
        args.contains(&"--quiet"),
        "levels and what blocks them only: {args:?}"
    );
}

#[test]
fn the_crate_holds_the_code_and_rules_and_no_test_corpora() {
    let out = run(Command::new(env!("CARGO"))
        .args(["package", "--list", "--locked", "--allow-dirty"])
        .current_dir(repo()));
    assert_success(&out);
    let list = String::from_utf8_lossy(&out.stdout);
    for f in [
        "Cargo.toml",
        "Cargo.lock",
        "LICENSE",
        "README.md",
        "build.rs",
        "src/main.rs",
        "src/lib.rs",
        "rules/capabilities.yml",
        "rules/models/azure.yml",
    ] {
        assert!(list.lines().any(|l| l == f), "{f} is packaged:\n{list}");
    }
    for prefix in [
        "fixtures/",
        "tests/",
        "benches/",
        "fuzz/",
        "docs/",
        "schemas/",
        "action",
        "pypi/",
    ] {
        assert!(
            !list.lines().any(|l| l.starts_with(prefix)),
            "{prefix} is not packaged:\n{list}"
        );
    }
}

#[test]
fn versions_agree_for_a_release_of_this_version_only() {
    let check = |tag: &str| {
        run(Command::new("bash")
            .arg(repo().join("scripts/check-release.sh"))
            .arg(tag)
            .arg(env!("CARGO_PKG_REPOSITORY")))
    };
    assert_success(&check(&format!("v{VERSION}")));
    let out = check("v99.0.0");
    assert_exit(&out, 1);
    assert!(text(&out).contains("expected '99.0.0'"), "{}", text(&out));
    assert_exit(&check("main"), 1);
    let out = run(Command::new("bash")
        .arg(repo().join("scripts/check-release.sh"))
        .arg(format!("v{VERSION}"))
        .arg("https://github.com/someone-else/ripen"));
    assert_exit(&out, 1);
}

#[test]
fn bash_accepts_the_completion_script_and_every_shell_gets_one() {
    let out = ripen().args(["completions", "bash"]).output().unwrap();
    assert_success(&out);
    let script = String::from_utf8(out.stdout).unwrap();
    for sub in [
        "scan", "history", "diff", "badge", "rules", "init", "explain",
    ] {
        assert!(script.contains(sub), "completes {sub}");
    }
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), &script).unwrap();
    assert_success(&run(Command::new("bash").arg("-n").arg(tmp.path())));

    for (shell, marker) in [
        ("zsh", "#compdef ripen"),
        ("fish", "complete -c ripen"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[ripen]"),
    ] {
        let out = ripen().args(["completions", shell]).output().unwrap();
        assert_success(&out);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(marker),
            "{shell}"
        );
    }
    assert_exit(&ripen().args(["completions", "tcsh"]).output().unwrap(), 2);
}

#[test]
fn man_pages_cover_every_visible_command() {
    let out = ripen().arg("man").output().unwrap();
    assert_success(&out);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH ripen 1"), "{page}");
    assert!(page.contains(&format!("ripen {VERSION}")), "{page}");

    let tmp = tempfile::tempdir().unwrap();
    assert_success(
        &ripen()
            .args(["man", "--dir"])
            .arg(tmp.path().join("man"))
            .output()
            .unwrap(),
    );
    let mut pages: Vec<String> = std::fs::read_dir(tmp.path().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for p in [
        "ripen.1",
        "ripen-scan.1",
        "ripen-rules-test.1",
        "ripen-completions.1",
    ] {
        assert!(pages.iter().any(|x| x == p), "{p} in {pages:?}");
    }
    assert!(
        !pages
            .iter()
            .any(|p| p.contains("schema") || p.contains("man")),
        "hidden commands get no page: {pages:?}"
    );
}
