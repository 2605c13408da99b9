//! What to do next, always: a met `--fail-under` target still shows the next level's missing
//! practices (as notes, never errors) in every CI format, and the text report lists every
//! level's blocking practices up to a target above the next level.

mod common;

use std::path::PathBuf;

fn scan(fixture: &str, format: &str, extra: &[&str]) -> (i32, String) {
    let out = common::ripen()
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
        .args(["scan", fixture, "--format", format])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn a_met_target_still_shows_the_next_level_as_notes() {
    // ci-only is at Azure 1: the target is met, and Azure 2's practices are still missing.
    let met = ["--fail-under", "azure=1"];
    let (code, github) = scan("ci-only", "github", &met);
    assert_eq!(code, 0);
    assert!(
        github.contains("::notice ") && github.contains("Azure level 2"),
        "{github}"
    );
    assert!(
        !github.contains("::error "),
        "a met target raises no error: {github}"
    );

    let (_, sarif) = scan("ci-only", "sarif", &met);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let azure: Vec<_> = results
        .iter()
        .filter(|r| r["properties"]["model"] == "azure")
        .collect();
    assert!(
        !azure.is_empty(),
        "the next Azure level's gaps are reported"
    );
    assert!(azure.iter().all(|r| r["level"] == "note"), "{azure:?}");

    let (_, md) = scan("ci-only", "markdown", &met);
    assert!(md.contains("Automated training"), "{md}");

    let (_, gitlab) = scan("ci-only", "gitlab", &met);
    let v: serde_json::Value = serde_json::from_str(&gitlab).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|i| i["check_name"] == "ripen/automated_training" && i["severity"] == "info")
    );
}

#[test]
fn text_shows_every_level_up_to_a_far_target() {
    let (code, text) = scan("ci-only", "text", &["--fail-under", "azure=3"]);
    assert_eq!(code, 1);
    assert!(text.contains("Next: Azure 2"), "{text}");
    assert!(text.contains("Then: Azure 3"), "{text}");
    let (_, plain) = scan("ci-only", "text", &[]);
    assert!(
        !plain.contains("Then: Azure"),
        "without a target only the next level: {plain}"
    );
}

#[test]
fn the_glance_line_says_why_the_level_stops() {
    let (_, text) = scan("ci-only", "text", &[]);
    let azure = text
        .lines()
        .find(|l| l.trim_start().starts_with("Azure"))
        .unwrap();
    assert!(
        azure.contains("1/4") && azure.contains("— level 2 missing Automated training"),
        "{azure}"
    );
    assert!(azure.contains("already L2 "), "{azure}");
    let gigaom = text
        .lines()
        .find(|l| l.trim_start().starts_with("GigaOm"))
        .unwrap();
    assert!(gigaom.contains("/4"), "bands show their scale: {gigaom}");
    // The same one-line reason wherever the level shows: the Markdown table (the job summary)
    // and the first log line of the CI formats.
    let (_, md) = scan("ci-only", "markdown", &[]);
    let row = md.lines().find(|l| l.starts_with("| **Azure**")).unwrap();
    assert!(
        row.contains("**Automated training**") && row.contains("already L2 "),
        "{row}"
    );
    for format in ["github", "azure"] {
        let (_, out) = scan("ci-only", format, &[]);
        let first = out.lines().next().unwrap();
        assert!(
            first.contains("Azure 1/4 (level 2 missing Automated training"),
            "{format}: {first}"
        );
    }
}

#[test]
fn github_annotations_are_one_per_practice_and_capped() {
    // notebook-only misses the same practices for Azure and Google: one annotation each.
    let (_, out) = scan(
        "notebook-only",
        "github",
        &["--fail-under", "azure=4", "--fail-under", "google=2"],
    );
    let titles: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("::"))
        .filter_map(|l| l.split("::").nth(2))
        .collect();
    let training = titles
        .iter()
        .filter(|m| m.contains("requires Automated training"))
        .count();
    assert_eq!(training, 1, "one annotation per missing practice:\n{out}");
    for kind in ["::error ", "::warning ", "::notice "] {
        let n = out.lines().filter(|l| l.starts_with(kind)).count();
        assert!(n <= 10, "{n} {kind} annotations, GitHub shows 10:\n{out}");
    }
    assert!(out.contains("more gap(s) not annotated"), "{out}");
    assert!(
        !out.contains(".ipynb"),
        "no annotation on a notebook:\n{out}"
    );
}

#[test]
fn text_names_skipped_files_and_prints_warnings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("train.py"), "import sklearn\n").unwrap();
    std::fs::write(dir.path().join("big.csv"), vec![b'a'; 4096]).unwrap();
    std::fs::write(dir.path().join("model.bin"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let out = common::ripen()
        .args(["scan", "--max-file-size", "1000"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Skipped"), "{text}");
    assert!(
        text.contains("big.csv") && text.contains("too large"),
        "{text}"
    );
    assert!(!text.contains("see --format json"), "{text}");
}

/// Text shows each automated piece of evidence's chain on a line of its own under it, shortened to
/// the width `COLUMNS` gives (stdout is not a terminal here); JSON keeps every hop.
#[test]
fn text_chains_fit_the_columns_and_json_keeps_them_whole() {
    let text_at = |cols: &str| {
        let out = common::ripen()
            .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
            .env("COLUMNS", cols)
            .args(["scan", "full-level4", "--history-commits", "0"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let line = |text: &str, id: &str| {
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains(&format!(" {id} ")))
            .unwrap_or_else(|| panic!("no {id} line:\n{text}"));
        let chain = lines[at + 1];
        assert!(chain.trim_start().starts_with("via "), "{text}");
        chain.to_string()
    };
    let (wide, narrow) = (text_at("400"), text_at("120"));
    let (w, n) = (
        line(&wide, "model_training"),
        line(&narrow, "model_training"),
    );
    assert!(w.contains("[import pipelines.training_pipeline]"), "{w}");
    assert!(n.chars().count() <= 120, "{n}");
    assert!(n.contains("train.yml:68") && n.contains("hop(s)"), "{n}");
    for l in narrow.lines().filter(|l| l.contains(" → ")) {
        assert!(l.chars().count() <= 120, "{l}");
    }
    let (_, json) = scan("full-level4", "json", &["--history-commits", "0"]);
    let r: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cap = r["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "model_training")
        .unwrap();
    let chain = cap["evidence"][0]["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 4, "{chain:?}");
    assert_eq!(chain[2]["via"], "import pipelines.training_pipeline");
}

/// Level 0 is never styled as a success: yellow in the text glance (green is for a level
/// reached), red on a badge.
#[test]
fn level_zero_is_never_styled_as_success() {
    const GREEN: &str = "\u{1b}[32m";
    let glance = |fixture: &str, model: &str| {
        let (_, text) = scan(fixture, "text", &["--color", "always"]);
        text.lines()
            .find(|l| l.contains(&format!("\u{1b}[1m{model} ")))
            .unwrap_or_else(|| panic!("{text}"))
            .to_string()
    };
    let zero = glance("notebook-only", "Azure");
    assert!(zero.contains("0/4") && !zero.contains(GREEN), "{zero:?}");
    let one = glance("ci-only", "Azure");
    assert!(one.contains("1/4") && one.contains(GREEN), "{one:?}");
    let out = common::ripen()
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
        .args([
            "badge",
            "notebook-only",
            "--model",
            "azure",
            "--format",
            "shields",
        ])
        .output()
        .unwrap();
    let badge: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(badge["color"], "red", "{badge}");
}

/// Training code a rule finds is an ML project, whatever it imports: a SageMaker estimator
/// trained from CI is never reported beside "No ML project found".
#[test]
fn training_evidence_makes_an_ml_project() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::write(
        root.join(".github/workflows/train.yml"),
        "on: [push]\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python train.py\n",
    )
    .unwrap();
    std::fs::write(
        root.join("train.py"),
        "from sagemaker.estimator import Estimator\nest = Estimator(image_uri='xgboost', role='r', instance_count=1, instance_type='ml.m5.xlarge')\nest.fit({'train': 's3://b/train'})\n",
    )
    .unwrap();
    let out = common::ripen()
        .args(["scan", "--history-commits", "0", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let training = r["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "model_training")
        .unwrap();
    assert_ne!(training["tier"], "none", "{training}");
    assert_eq!(r["ml_project"]["detected"], true, "{}", r["ml_project"]);
}
