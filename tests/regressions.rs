//! Inputs the fuzz targets in `fuzz/` found (crashes, hangs, slow units), replayed through the
//! same code paths on every `cargo test`. Add a file to `tests/regressions/<target>/` to keep
//! a new one. Each input must finish without a panic, well inside the guard.

use ripen::read::{self, ReadOutcome};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GUARD: Duration = Duration::from_secs(120);

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    out.sort();
    out.into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect()
}

/// Runs `f` on a thread of its own, failing (not hanging) past the guard.
fn guarded(what: &Path, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = std::sync::mpsc::channel();
    let start = Instant::now();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            f();
            let _ = tx.send(());
        })
        .unwrap();
    rx.recv_timeout(GUARD)
        .unwrap_or_else(|_| panic!("{} did not finish within {GUARD:?}", what.display()));
    eprintln!("{}: {:?}", what.display(), start.elapsed());
}

/// As `fuzz/fuzz_targets/rules.rs`.
fn rules_target(data: &[u8]) {
    let caps = ripen::rules::EMBEDDED_RULES
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
    if let Ok(cat) = ripen::Catalogue::from_files(&files) {
        let _ = ripen::matcher::Matcher::new(&cat.rules);
    }
}

#[test]
fn rules_inputs() {
    for (p, data) in inputs("rules") {
        guarded(&p, move || rules_target(&data));
    }
}

#[test]
fn config_inputs() {
    for (p, data) in inputs("config") {
        guarded(&p, move || {
            let Some((&which, rest)) = data.split_first() else {
                return;
            };
            let text = String::from_utf8_lossy(rest);
            let dir = Path::new(".");
            let _ = match which % 3 {
                0 => ripen::config::Config::parse(".ripen.yml", &text, dir).map(|_| ()),
                1 => ripen::config::Config::parse_toml("ripen.toml", &text, dir).map(|_| ()),
                _ => {
                    ripen::config::Config::parse_pyproject("pyproject.toml", &text, dir).map(|_| ())
                }
            };
        });
    }
}

#[test]
fn ci_inputs() {
    const PATHS: &[&str] = &[
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
    ];
    for (p, data) in inputs("ci") {
        guarded(&p, move || {
            let Some((&which, rest)) = data.split_first() else {
                return;
            };
            let rel = PATHS[usize::from(which) % PATHS.len()];
            if let ReadOutcome::Doc(doc) = read::from_bytes(rel, rest) {
                let _ = ripen::automation::extract::extract(&doc);
                let mut cwd = None;
                for line in doc.text.lines() {
                    let _ = ripen::automation::shell::parse_line(line, &mut cwd);
                }
            }
        });
    }
}

#[test]
fn notebook_inputs() {
    for (p, data) in inputs("notebook") {
        guarded(&p, move || {
            if let ReadOutcome::Doc(doc) = read::from_bytes("notebooks/n.ipynb", &data) {
                let lines = doc.text.lines().count();
                for i in 0..=lines + 1 {
                    let _ = doc.file_line(i);
                    let _ = doc.line_text(i);
                }
                let _ = doc.structured();
            }
        });
    }
}
