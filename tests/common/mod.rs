//! What the integration tests share: the `ripen` binary in a clean environment.

use assert_cmd::Command;
use std::time::Duration;

/// `ripen` with no GitHub runner variables leaking in from a real runner, no colour, a fixed
/// clock only when a test sets `RIPEN_TODAY` itself, and a guard so that a hang fails the test
/// instead of stalling CI.
#[allow(dead_code)]
pub fn ripen() -> Command {
    let mut c = Command::cargo_bin("ripen").expect("the ripen binary");
    for k in [
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "RIPEN_TODAY",
        // The text report fits its lines to COLUMNS: tests choose it themselves.
        "COLUMNS",
    ] {
        c.env_remove(k);
    }
    // The fixtures live inside this repository's checkout: a scan of one must not take the
    // checkout for its enclosing repository (as git, ripen stops at a ceiling directory).
    c.env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", env!("CARGO_MANIFEST_DIR"))
        .timeout(Duration::from_secs(240));
    c
}

/// Asserts a process's exit code, showing its stderr when it differs.
#[allow(dead_code)]
pub fn assert_exit(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts exit 0, showing stderr otherwise.
#[allow(dead_code)]
pub fn assert_success(out: &std::process::Output) {
    assert_exit(out, 0);
}

/// Every capability id of the built-in catalogue.
#[allow(dead_code)]
pub fn capabilities() -> Vec<String> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/capabilities.yml"),
    )
    .unwrap();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- id:"))
        .map(|id| id.trim().to_string())
        .collect()
}
