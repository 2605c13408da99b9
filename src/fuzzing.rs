//! The bodies of the fuzz targets in `fuzz/`, kept in the library so that `cargo fuzz` and the
//! regression replay (`tests/regressions.rs`) run exactly the same code on an input. Not an API.

use crate::read::{self, ReadOutcome};
use std::path::Path;

/// Rule loader and matcher compiler. The input is one to three YAML parts separated by
/// `\n===\n`: a rule pack (against the built-in catalogue); a model and a rule pack; or a
/// catalogue, a model and a rule pack.
pub fn rules(data: &[u8]) {
    let caps = crate::catalogue::EMBEDDED_RULES
        .iter()
        .find(|(p, _)| p.ends_with("capabilities.yml"))
        .map(|(_, c)| *c)
        .unwrap_or_default();
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, "\n===\n");
    let a = parts.next().unwrap_or_default();
    let files: Vec<(String, String)> = match (parts.next(), parts.next()) {
        (None, _) => vec![
            ("rules/capabilities.yml".into(), caps.into()),
            ("rules/x.yml".into(), a.into()),
        ],
        (Some(b), None) => vec![
            ("rules/capabilities.yml".into(), caps.into()),
            ("rules/models/m.yml".into(), a.into()),
            ("rules/x.yml".into(), b.into()),
        ],
        (Some(b), Some(c)) => vec![
            ("rules/capabilities.yml".into(), a.into()),
            ("rules/models/m.yml".into(), b.into()),
            ("rules/x.yml".into(), c.into()),
        ],
    };
    if let Ok(cat) = crate::Catalogue::from_files(&files) {
        // A catalogue that loads must also compile into a matcher without panicking.
        let _ = crate::matcher::Matcher::new(&cat.rules);
    }
}

/// Config loaders: the first byte picks YAML, TOML or `pyproject.toml`.
pub fn config(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let dir = Path::new(".");
    let _ = match which % 3 {
        0 => crate::config::Config::parse(".ripen.yml", &text, dir).map(|_| ()),
        1 => crate::config::Config::parse_toml("ripen.toml", &text, dir).map(|_| ()),
        _ => crate::config::Config::parse_pyproject("pyproject.toml", &text, dir).map(|_| ()),
    };
}

/// Paths that select each reader of the automation extractor.
pub(crate) const CI_PATHS: &[&str] = &[
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
    "azure-pipelines.yml",
    "Jenkinsfile",
    ".circleci/config.yml",
    "bitbucket-pipelines.yml",
    "cloudbuild.yaml",
    "buildspec.yml",
    "Makefile",
    "dvc.yaml",
    "scripts/train.sh",
    "src/train.py",
    "jobs/train-job.yml",
    ".github/actions/setup/action.yml",
    "prefect.yaml",
    "databricks.yml",
    ".travis.yml",
    ".buildkite/pipeline.yml",
    "tekton/pipeline.yaml",
    ".drone.yml",
    ".woodpecker/ci.yml",
    "appveyor.yml",
    ".semaphore/semaphore.yml",
];

/// The automation extractor over every kind of file it reads (the first byte picks the path),
/// and the shell line reader over every line.
pub fn ci(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let rel = CI_PATHS[usize::from(which) % CI_PATHS.len()];
    if let ReadOutcome::Doc(doc) = read::from_bytes(rel, rest) {
        let _ = crate::extract::extract(&doc);
        let mut cwd = None;
        for line in doc.text.lines() {
            let _ = crate::shell::parse_line(line, &mut cwd);
        }
    }
}

/// The reader and the automation extractor on one file at `rel` (any path: the extractor picks
/// its reader by name and shape), and the shell line reader over every line.
pub fn file(rel: &str, data: &[u8]) {
    if let ReadOutcome::Doc(doc) = read::from_bytes(rel, data) {
        let _ = crate::extract::extract(&doc);
        let mut cwd = None;
        for line in doc.text.lines() {
            let _ = crate::shell::parse_line(line, &mut cwd);
        }
    }
}

/// The notebook reader and every line lookup on its result.
pub fn notebook(data: &[u8]) {
    if let ReadOutcome::Doc(doc) = read::from_bytes("notebooks/n.ipynb", data) {
        let lines = doc.text.lines().count();
        for i in 0..=lines + 1 {
            let _ = doc.file_line(i);
            let _ = doc.line_text(i);
            let _ = doc.is_comment_line(i);
        }
        for (off, _) in doc.text.char_indices().step_by(7) {
            let _ = doc.line_index(off);
        }
        for l in 0..=u32::try_from(lines).unwrap_or(u32::MAX).saturating_add(2) {
            let _ = doc.text_at_file_line(l);
        }
        let _ = doc.structured();
    }
}

/// Secret redaction on arbitrary text: never a panic, and what it returns is stable (redacting
/// a redacted text changes nothing a reader could use: no rule finds a secret in it).
pub fn redact(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let once = crate::evidence::clean_snippet(line);
        let _ = crate::evidence::clean_snippet(&once);
    }
    let _ = crate::evidence::redact::redact(&text);
}
