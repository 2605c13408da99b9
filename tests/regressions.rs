//! Inputs the fuzz targets in `fuzz/` found (crashes, hangs, slow units), replayed through the
//! same code paths on every `cargo test`. Add a file to `tests/regressions/<target>/` to keep
//! a new one. Each input must finish without a panic, well inside the guard.
//!
//! The targets' seed corpora (`fuzz/seeds/<target>/`) are replayed the same way: without a
//! nightly toolchain (cargo-fuzz needs one) every target still runs on its corpus in CI.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GUARD: Duration = Duration::from_secs(120);

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = files(Path::new("tests/regressions"), target);
    all.extend(files(Path::new("fuzz/seeds"), target));
    all
}

fn files(under: &Path, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(under)
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

macro_rules! replay {
    ($($test:ident => $target:ident),* $(,)?) => {$(
        #[test]
        fn $test() {
            for (p, data) in inputs(stringify!($target)) {
                guarded(&p, move || ripen::fuzzing::$target(&data));
            }
        }
    )*};
}

replay! {
    rules_inputs => rules,
    config_inputs => config,
    ci_inputs => ci,
    notebook_inputs => notebook,
    redact_inputs => redact,
}

/// Readers cut text at byte offsets (a window after a match, a prefix of a line): a character
/// of several bytes at every position of every CI seed must never fall under such a cut.
#[test]
fn multi_byte_characters_at_every_offset() {
    for (p, data) in files(Path::new("fuzz/seeds"), "ci") {
        let Some((&which, rest)) = data.split_first() else {
            continue;
        };
        let text = String::from_utf8_lossy(rest).into_owned();
        guarded(&p, move || {
            for (i, _) in text.char_indices().take(4_000) {
                for ch in ["\u{2500}", "\u{e9}", "\u{1f600}"] {
                    let mut t = text.clone();
                    t.insert_str(i, ch);
                    let mut input = vec![which];
                    input.extend_from_slice(t.as_bytes());
                    ripen::fuzzing::ci(&input);
                }
            }
        });
    }
}

/// The same over every reader: each fixture file, read at its own path (Dockerfiles, manifests,
/// Terraform, notebooks, build files...), with a multi-byte character at a spread of offsets.
#[test]
fn fixture_files_with_multi_byte_characters() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    assert!(files.len() > 500, "{}", files.len());
    let at = root.clone();
    guarded(&at, move || {
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            // The path inside its fixture repository picks the reader.
            let rel = f
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let Some((_, rel)) = rel.split_once('/') else {
                continue;
            };
            for (n, (i, _)) in text.char_indices().step_by(11).take(400).enumerate() {
                let mut t = text.clone();
                t.insert_str(i, ["\u{2500}", "\u{e9}", "\u{1f600}"][n % 3]);
                ripen::fuzzing::file(rel, t.as_bytes());
            }
        }
    });
}

/// Every target has a seed corpus, so a replay without nightly exercises each of them.
#[test]
fn every_target_has_seeds() {
    let targets =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets"))
            .unwrap()
            .flatten()
            .filter_map(|e| {
                e.path()
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .collect::<Vec<_>>();
    assert!(targets.len() >= 5, "{targets:?}");
    for t in targets {
        assert!(
            !files(Path::new("fuzz/seeds"), &t).is_empty(),
            "fuzz/seeds/{t}/ is empty"
        );
    }
}

/// The fuzz targets run, not only exist (issue 19): `make fuzz` (scripts/fuzz.sh) runs every
/// target in `fuzz/fuzz_targets/` for a time budget with nightly and cargo-fuzz, else replays
/// the corpora (this file); CI's fuzz job and the scheduled workflow call it, and what a run
/// finds is fed back from `tests/regressions/`.
#[test]
fn fuzzing_runs_in_ci_and_on_a_schedule() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let script = read("scripts/fuzz.sh");
    assert!(script.contains("fuzz_targets/*.rs"), "every target");
    assert!(script.contains("-max_total_time=\"$secs\""), "a budget");
    assert!(script.contains("cargo test --locked --test regressions"));
    assert!(
        script.contains("tests/regressions/$t"),
        "kept inputs seed the corpus"
    );
    assert!(read("Makefile").contains("scripts/fuzz.sh"));
    let ci = read(".github/workflows/ci.yml");
    assert!(ci.contains("make fuzz FUZZ_SECONDS="), "{ci}");
    let scheduled = read(".github/workflows/fuzz.yml");
    assert!(scheduled.contains("schedule:") && scheduled.contains("make fuzz FUZZ_SECONDS="));
    // `make test` (.ci/run) stays within its budget: it replays, it does not fuzz.
    let make_test = read("Makefile")
        .lines()
        .find(|l| l.starts_with("test:"))
        .unwrap()
        .to_string();
    assert!(!make_test.contains("fuzz"), "{make_test}");
}
