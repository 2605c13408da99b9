//! Snapshots of the CI formats (Markdown, SARIF, GitHub workflow commands) on fixtures, with
//! the tool version redacted. Update with `INSTA_UPDATE=always cargo test --test ci_snapshots`
//! (or `cargo insta review`) after an intended change, and review the diff.

mod common;

use std::path::PathBuf;

fn render(fixture: &str, format: &str, extra: &[&str]) -> String {
    let out = common::ripen()
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
        .args(["scan", fixture, "--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
    // The rule count grows with every rule pack; the file count with the walk's reach.
    regex::Regex::new(r"`[^`]+` · \d+ files read · \d+ rules")
        .unwrap()
        .replace(&text, |_: &regex::Captures| {
            format!("`{fixture}` · [N] files read · [N] rules")
        })
        .into_owned()
}

#[test]
fn dvc_mlflow_markdown() {
    insta::assert_snapshot!(render("dvc-mlflow", "markdown", &[]));
}

#[test]
fn dvc_mlflow_github() {
    insta::assert_snapshot!(render("dvc-mlflow", "github", &["--fail-under", "azure=3"]));
}

#[test]
fn ci_only_sarif() {
    insta::assert_snapshot!(render("ci-only", "sarif", &["--fail-under", "azure=2"]));
}

#[test]
fn azureml_markdown_with_target() {
    insta::assert_snapshot!(render(
        "azureml-v2",
        "markdown",
        &["--fail-under", "azure=4", "--fail-under", "google=2"]
    ));
}

#[test]
fn azureml_github() {
    insta::assert_snapshot!(render("azureml-v2", "github", &[]));
}
