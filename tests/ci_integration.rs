//! CI integration end to end: a simulated GitHub runner (environment variables and files),
//! SARIF validated against the OASIS schema, `--format github` escaping, `--report-file`,
//! waivers and their expiry, attestations and `--no-attestations`, `[tool.ripen]` in
//! pyproject.toml, `ripen init`, and configuration errors (exit 2 with file:line:col).

mod common;
use common::{assert_success, ripen};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    repo().join("fixtures")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// A copy of a fixture in a temporary directory, with an optional `.ripen.yml`.
fn fixture_copy(name: &str, config: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join(name);
    copy_dir(&fixtures().join(name), &root);
    if let Some(c) = config {
        std::fs::write(root.join(".ripen.yml"), c).unwrap();
    }
    (tmp, root)
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("schemas/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("  {e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: invalid SARIF:\n{}",
        errors.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// A simulated GitHub runner

#[test]
fn github_runner_gets_summary_outputs_and_annotations() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let output = tmp.path().join("output");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let out = ripen()
        .current_dir(fixtures())
        .args(["scan", "dvc-mlflow", "--format", "github"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/models")
        .env("GITHUB_SHA", "0123abc")
        .output()
        .unwrap();
    assert_success(&out);

    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(
        s.starts_with("# earlier step\n"),
        "the summary is appended to, not replaced"
    );
    assert!(s.contains("## ripen: MLOps maturity"), "{s}");
    assert!(s.contains("| **Google** | **1** of 2"), "{s}");
    assert!(s.contains("| **Azure** | **2** of 4"), "{s}");
    assert!(
        s.contains("(https://github.com/acme/models/blob/0123abc/dvc-mlflow/src/train.py#L"),
        "evidence links to the file at the commit, under the scanned path: {s}"
    );

    let o = std::fs::read_to_string(&output).unwrap();
    let lines: Vec<&str> = o.lines().collect();
    assert!(lines.contains(&"google-level=1"), "{o}");
    assert!(lines.contains(&"azure-level=2"), "{o}");
    assert!(lines.contains(&"targets-met=true"), "{o}");
    for c in [
        "strategy",
        "architecture",
        "modeling",
        "processes",
        "management",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("gigaom-{c}="))),
            "gigaom-{c} missing: {o}"
        );
    }

    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut annotated = 0;
    for line in stdout.lines() {
        if line.starts_with("ripen ") {
            continue;
        }
        assert!(
            line.starts_with("::warning ")
                || line.starts_with("::notice ")
                || line.starts_with("::error "),
            "every line is a plain summary or a workflow command: {line}"
        );
        if let Some(file) = line
            .split_once(' ')
            .and_then(|(_, rest)| rest.split("::").next())
            .and_then(|props| props.split(',').find_map(|p| p.strip_prefix("file=")))
        {
            assert!(
                fixtures().join(file).is_file(),
                "annotation file {file} exists relative to the working directory"
            );
            annotated += 1;
        }
    }
    assert!(annotated > 0, "{stdout}");
    assert!(
        stdout.contains("::warning "),
        "next-level required gaps are warnings: {stdout}"
    );
}

#[test]
fn outside_github_actions_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("output");
    let summary = tmp.path().join("summary.md");
    ripen()
        .current_dir(fixtures())
        .args(["scan", "ci-only", "--format", "json"])
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .assert()
        .success();
    assert!(!output.exists() && !summary.exists());
}

#[test]
fn failing_target_is_an_error_annotation_and_outputs_are_still_written() {
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("output");
    let out = ripen()
        .current_dir(fixtures())
        .args([
            "scan",
            "ci-only",
            "--format",
            "github",
            "--fail-under",
            "azure=3",
        ])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(
            "::error title=ripen%3A target not met::Azure is at level 1, below the target 3."
        ),
        "{stdout}"
    );
    assert!(stdout.contains("::error file=ci-only/"), "{stdout}");
    let o = std::fs::read_to_string(&output).unwrap();
    assert!(
        o.contains("azure-level=1\n") && o.contains("targets-met=false\n"),
        "{o}"
    );
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_validates_on_fixtures_of_every_kind() {
    let v = sarif_validator();
    let mut results = 0;
    // A spread of stacks and levels (each scan costs seconds in a debug build).
    for name in [
        "notebook-only",
        "ci-only",
        "azureml-v2",
        "sagemaker-pipeline",
        "full-level4",
        "tooling-library",
    ] {
        let out = ripen()
            .current_dir(fixtures())
            .args(["scan", name, "--format", "sarif", "--fail-under", "azure=4"])
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{name}");
        let doc = json_of(&out);
        assert_valid_sarif(&v, &doc, name);
        let run = &doc["runs"][0];
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        let mut prints = std::collections::HashSet::new();
        for r in run["results"].as_array().unwrap() {
            results += 1;
            let rule = r["ruleId"].as_str().unwrap();
            assert!(
                rules.contains(&rule),
                "{name}: result for unknown rule {rule}"
            );
            assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], rule);
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("every result has a location");
            assert!(
                fixtures().join(uri).is_file(),
                "{name}: {uri} is a real file"
            );
            assert!(
                prints.insert(
                    r["partialFingerprints"]["ripenGap/v1"]
                        .as_str()
                        .unwrap()
                        .to_string()
                ),
                "{name}: fingerprints are unique"
            );
        }
    }
    assert!(results > 10, "the fixtures produce results");
}

#[test]
fn sarif_results_are_the_target_levels_gaps_with_stable_fingerprints() {
    let run = |extra: &[&str]| {
        let out = ripen()
            .current_dir(fixtures())
            .args(["scan", "ci-only", "--format", "sarif"])
            .args(extra)
            .output()
            .unwrap();
        json_of(&out)
    };
    let next = run(&[]);
    let target = run(&["--fail-under", "azure=3"]);
    let levels = |d: &Value| -> Vec<(String, u64, String)> {
        d["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["properties"]["model"].as_str().unwrap().to_string(),
                    r["properties"]["level"].as_u64().unwrap(),
                    r["level"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // No target: the next level only (Azure 2, Google 1), warnings and notes.
    let n = levels(&next);
    assert!(
        n.iter()
            .all(|(m, l, _)| (m == "azure" && *l == 2) || (m == "google" && *l == 1)),
        "{n:?}"
    );
    assert!(n.iter().all(|(_, _, s)| s != "error"), "{n:?}");
    // Target azure=3: levels 2 and 3, required ones are errors.
    let t = levels(&target);
    assert!(
        t.iter()
            .any(|(m, l, s)| m == "azure" && *l == 3 && s == "error"),
        "{t:?}"
    );
    assert!(
        t.iter()
            .any(|(m, l, s)| m == "azure" && *l == 2 && s == "error"),
        "{t:?}"
    );
    assert!(
        t.iter()
            .all(|(m, l, s)| m != "google" || (*l == 1 && s != "error")),
        "a model without a target keeps its next-level gaps, never errors: {t:?}"
    );
    // Fingerprints do not depend on the target or the run.
    let fp = |d: &Value| -> Vec<String> {
        d["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["properties"]["model"] == "azure" && r["properties"]["level"] == 2)
            .map(|r| {
                r["partialFingerprints"]["ripenGap/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(fp(&next), fp(&target));
    assert_eq!(fp(&target), fp(&run(&["--fail-under", "azure=3"])));
    assert!(fp(&next).iter().all(|f| f.starts_with("azure/2/")));
}

#[test]
fn sarif_with_an_absolute_root_uses_a_base_uri() {
    let root = fixtures().join("ci-only");
    let out = ripen()
        .args(["scan", root.to_str().unwrap(), "--format", "sarif"])
        .output()
        .unwrap();
    let doc = json_of(&out);
    assert_valid_sarif(&sarif_validator(), &doc, "absolute root");
    let base = doc["runs"][0]["originalUriBaseIds"]["SCANROOT"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with("/ci-only/"),
        "{base}"
    );
    let loc = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uriBaseId"], "SCANROOT");
    assert!(root.join(loc["uri"].as_str().unwrap()).is_file());
}

#[test]
fn report_files_write_several_formats_from_one_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let sarif = tmp.path().join("r.sarif");
    let json = tmp.path().join("r.json");
    let md = tmp.path().join("r.md");
    let out = ripen()
        .current_dir(fixtures())
        .args(["scan", "dvc-mlflow", "--format", "text"])
        .arg("--report-file")
        .arg(format!("sarif={}", sarif.display()))
        .arg("--report-file")
        .arg(format!("json={}", json.display()))
        .arg("--report-file")
        .arg(format!("Markdown={}", md.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Evidence"));
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(j["models"]["google"]["level"], 1);
    assert!(j["waivers"].as_array().unwrap().is_empty());
    assert!(j["attestations"].as_array().unwrap().is_empty());
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_valid_sarif(&sarif_validator(), &s, "report file");
    assert!(
        std::fs::read_to_string(&md)
            .unwrap()
            .starts_with("## ripen")
    );

    ripen()
        .current_dir(fixtures())
        .args(["scan", "dvc-mlflow", "--report-file", "pdf=x.pdf"])
        .assert()
        .code(2);
}

// ---------------------------------------------------------------------------------------------
// Waivers

const WAIVED: &str = "fail_under:\n  azure: 3\nwaivers:\n  - capability: continuous_delivery\n    reason: Deployment pipeline lands next quarter.\n    expires: 2027-01-01\n";

#[test]
fn an_active_waiver_lets_the_target_pass_without_becoming_evidence() {
    let (_tmp, root) = fixture_copy("dvc-mlflow", Some(WAIVED));
    // The gate counts waivers only when the caller trusts them.
    let out = ripen()
        .args(["scan", root.to_str().unwrap(), "--format", "json"])
        .env("RIPEN_TODAY", "2027-01-01")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let j = json_of(&out);
    assert_eq!(j["targets"][0]["gated"], 2);
    assert_eq!(j["targets"][0]["with_waivers"], 3);
    let out = ripen()
        .args([
            "scan",
            root.to_str().unwrap(),
            "--format",
            "json",
            "--trust-waivers",
        ])
        .env("RIPEN_TODAY", "2027-01-01")
        .output()
        .unwrap();
    assert_success(&out);
    let j = json_of(&out);
    assert_eq!(j["targets"][0]["gated"], 3);
    assert_eq!(j["targets"][0]["trusted"][0], "waivers");
    assert_eq!(
        j["models"]["azure"]["level"], 2,
        "the level stays what the evidence shows"
    );
    assert_eq!(j["models"]["azure"]["level_with_waivers"], 3);
    assert_eq!(j["targets"][0]["met"], true);
    assert_eq!(j["targets"][0]["actual"], 2);
    assert_eq!(j["targets"][0]["with_waivers"], 3);
    let w = &j["waivers"][0];
    assert_eq!(w["status"], "active");
    assert_eq!(w["expires"], "2027-01-01");
    assert_eq!(w["line"], 4);
    assert!(
        w["applies_to"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "azure 3 automated_model_deployment"),
        "{w}"
    );
    let cd = j["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "continuous_delivery")
        .unwrap();
    assert_eq!(cd["state"], "no_evidence", "a waiver is never evidence");
    assert!(cd["evidence"].as_array().unwrap().is_empty());
    let l3 = &j["models"]["azure"]["levels"][3];
    assert_eq!(l3["met"], false);
    assert!(
        l3["missing_required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "automated_model_deployment")
    );
    assert_eq!(l3["required"][0]["waived"], "continuous_delivery");

    // SARIF: the waived gap is suppressed and points at the waiver.
    let out = ripen()
        .args(["scan", root.to_str().unwrap(), "--format", "sarif"])
        .env("RIPEN_TODAY", "2027-01-01")
        .output()
        .unwrap();
    let doc = json_of(&out);
    assert_valid_sarif(&sarif_validator(), &doc, "waived");
    let r = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["partialFingerprints"]["ripenGap/v1"] == "azure/3/automated_model_deployment")
        .unwrap();
    assert_eq!(r["level"], "note");
    assert_eq!(r["suppressions"][0]["status"], "accepted");
    let loc = &r["locations"][0]["physicalLocation"];
    assert!(
        loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with(".ripen.yml")
    );
    assert_eq!(loc["region"]["startLine"], 4);
}

#[test]
fn an_expired_waiver_is_reported_and_stops_counting() {
    let (_tmp, root) = fixture_copy("dvc-mlflow", Some(WAIVED));
    let out = ripen()
        .args(["scan", root.to_str().unwrap(), "--format", "json"])
        .env("RIPEN_TODAY", "2027-01-02")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let j = json_of(&out);
    assert_eq!(j["waivers"][0]["status"], "expired");
    assert!(j["models"]["azure"].get("level_with_waivers").is_none());
    assert_eq!(j["targets"][0]["met"], false);
    assert!(
        j["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains(
                ".ripen.yml:4: the waiver for `continuous_delivery` expired on 2027-01-01"
            )),
        "{}",
        j["warnings"]
    );

    let out = ripen()
        .current_dir(root.parent().unwrap())
        .args(["scan", "dvc-mlflow", "--format", "github"])
        .env("RIPEN_TODAY", "2027-01-02")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(
            "::warning file=dvc-mlflow/.ripen.yml,line=4,title=ripen%3A expired waiver::"
        ),
        "{stdout}"
    );
    let md = ripen()
        .args(["scan", root.to_str().unwrap(), "--format", "markdown"])
        .env("RIPEN_TODAY", "2027-01-02")
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("**expired**"), "{md}");
    assert!(md.contains("| Azure | ≥ 3 | 2 | ❌ not met |"), "{md}");
}

#[test]
fn a_waiver_for_an_observed_capability_is_unused() {
    let (_tmp, root) = fixture_copy(
        "dvc-mlflow",
        Some("waivers:\n  - capability: ci\n    reason: r\n    expires: 2030-01-01\n"),
    );
    let out = ripen()
        .env("RIPEN_TODAY", "2029-06-01")
        .args(["scan", root.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let j = json_of(&out);
    assert_eq!(j["waivers"][0]["status"], "unused");
    assert!(j["waivers"][0]["applies_to"].as_array().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Attestations

const ATTESTED: &str = "attestations:\n  - capability: model_registry\n    reason: Registered in the platform's MLflow registry.\n    link: https://mlflow.example.com/#/models/churn\n";

#[test]
fn attestations_are_shown_apart_and_can_be_switched_off() {
    let (_tmp, root) = fixture_copy("dvc-mlflow", Some(ATTESTED));
    let scan = |extra: &[&str]| {
        let out = ripen()
            .args(["scan", root.to_str().unwrap(), "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        json_of(&out)
    };
    let expected_missing = |j: &Value| -> bool {
        j["models"]["google"]["levels"][2]["missing_expected"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "model_registry")
    };
    let cap = |j: &Value| {
        j["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "model_registry")
            .unwrap()
            .clone()
    };

    let on = scan(&[]);
    assert_eq!(on["attestations"][0]["status"], "applied");
    assert_eq!(on["attestations"][0]["line"], 2);
    assert_eq!(cap(&on)["state"], "no_evidence", "attested, not detected");
    assert!(cap(&on)["evidence"].as_array().unwrap().is_empty());
    assert_eq!(
        cap(&on)["attested"]["reason"],
        "Registered in the platform's MLflow registry."
    );
    assert!(
        !expected_missing(&on),
        "an attestation satisfies the practice"
    );

    let off = scan(&["--no-attestations"]);
    assert_eq!(off["attestations"][0]["status"], "ignored");
    assert!(cap(&off).get("attested").is_none());
    assert!(expected_missing(&off));

    let md = |extra: &[&str]| {
        let out = ripen()
            .args(["scan", root.to_str().unwrap(), "--format", "markdown"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let m = md(&[]);
    let (evidence, attest) = m.split_once("### Attestations").expect("own section");
    assert!(
        !evidence.contains("Registered in the platform"),
        "not mixed with evidence"
    );
    assert!(
        attest.contains("| `model_registry` | Registered in the platform's MLflow registry. |"),
        "{attest}"
    );
    assert!(attest.contains("| counted |"), "{attest}");
    assert!(md(&["--no-attestations"]).contains("ignored (`--no-attestations`)"));

    let text = ripen()
        .args(["scan", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(text.stdout)
            .unwrap()
            .contains("AT model_registry")
    );
}

// ---------------------------------------------------------------------------------------------
// Untrusted text stays inert

#[test]
fn hostile_config_text_cannot_inject_markdown_or_workflow_commands() {
    let hostile = "attestations:\n  - capability: model_registry\n    reason: \"<script>alert(1)</script> | @octocat ![x](https://evil.example/p.png)\\n::error::pwned\"\nwaivers:\n  - capability: continuous_delivery\n    reason: \"50% done\\n::error file=x::pwned, really\"\n    expires: 2030-01-01\n";
    let (_tmp, root) = fixture_copy("dvc-mlflow", Some(hostile));
    let md = ripen()
        .env("RIPEN_TODAY", "2029-06-01")
        .args(["scan", root.to_str().unwrap(), "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains("@octocat"), "no mentions");
    assert!(!md.contains("![x]("), "no images");
    assert!(md.contains("&lt;script&gt;"));
    for line in md.lines().filter(|l| l.starts_with("| `model_registry`")) {
        assert_eq!(
            line.matches(" | ").count(),
            3,
            "four cells, the pipe is escaped: {line}"
        );
    }

    let gh = ripen()
        .env("RIPEN_TODAY", "2029-06-01")
        .current_dir(root.parent().unwrap())
        .args([
            "scan",
            "dvc-mlflow",
            "--format",
            "github",
            "--fail-under",
            "azure=3",
        ])
        .output()
        .unwrap();
    let gh = String::from_utf8(gh.stdout).unwrap();
    for line in gh.lines() {
        assert!(
            !line.starts_with("::error::pwned") && !line.starts_with("::error file=x"),
            "{gh}"
        );
    }
    assert!(
        gh.contains("50%25 done%0A::error file=x::pwned, really"),
        "{gh}"
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration: pyproject.toml, errors

#[test]
fn pyproject_tool_ripen_is_read() {
    let (_tmp, root) = fixture_copy("ci-only", None);
    let py = root.join("pyproject.toml");
    let mut text = std::fs::read_to_string(&py).unwrap();
    text.push_str("\n[tool.ripen.fail_under]\nazure = 2\n");
    std::fs::write(&py, text).unwrap();
    let out = ripen()
        .args(["scan", root.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "ci-only is Azure 1");
    let j = json_of(&out);
    assert_eq!(j["config"], "pyproject.toml");
    assert_eq!(j["targets"][0]["model"], "azure");

    // .ripen.yml comes first.
    std::fs::write(root.join(".ripen.yml"), "fail_under:\n  azure: 1\n").unwrap();
    ripen()
        .args(["scan", root.to_str().unwrap()])
        .assert()
        .code(0);
}

fn config_error(file: &str, text: &str) -> String {
    let (_tmp, root) = fixture_copy("ci-only", None);
    let p = root.join(file);
    if file == "pyproject.toml" {
        let mut t = std::fs::read_to_string(&p).unwrap();
        t.push_str(text);
        std::fs::write(&p, t).unwrap();
    } else {
        std::fs::write(&p, text).unwrap();
    }
    let out = ripen()
        .args(["scan", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{file}: {text}");
    let err = String::from_utf8(out.stderr).unwrap();
    err.split_once(&format!("{file}:"))
        .map(|(_, rest)| rest.lines().next().unwrap_or("").to_string())
        .unwrap_or_else(|| panic!("no {file}: in {err}"))
}

#[test]
fn config_errors_exit_2_with_file_line_col() {
    let e = config_error(
        ".ripen.yml",
        "fail_under:\n  azure: 2\nwaivers:\n  - capability: continous_delivery\n    reason: r\n    expires: 2027-01-01\n",
    );
    assert!(
        e.starts_with("4:17: unknown capability `continous_delivery` in waivers"),
        "{e}"
    );
    assert!(e.contains("did you mean `continuous_delivery`"), "{e}");
    let e = config_error(
        ".ripen.yml",
        "waivers:\n  - capability: ci\n    reason: r\n    expires: 31/12/2027\n",
    );
    assert!(e.starts_with("4:"), "{e}");
    assert!(e.contains("YYYY-MM-DD"), "{e}");
    let e = config_error(
        ".ripen.yml",
        "waivers:\n  - capability: ci\n    reason: r\n",
    );
    assert!(e.contains("expires"), "{e}");
    let e = config_error(".ripen.yml", "fail_under:\n  azur: 2\n");
    assert!(e.starts_with("2:9: unknown model `azur`"), "{e}");
    let e = config_error(
        ".ripen.yml",
        "attestations:\n  - capability: ci\n    reason: r\n    url: x\n",
    );
    assert!(e.starts_with("4:"), "{e}");

    let lines = std::fs::read_to_string(fixtures().join("ci-only/pyproject.toml"))
        .unwrap()
        .lines()
        .count();
    let e = config_error(
        "pyproject.toml",
        "\n[tool.ripen]\nfail_undr = {azure = 1}\n",
    );
    assert!(e.starts_with(&format!("{}:1:", lines + 3)), "{e}");
    let e = config_error(
        "pyproject.toml",
        "\n[[tool.ripen.waivers]]\ncapability = \"nope\"\nreason = \"r\"\nexpires = 2027-01-01\n",
    );
    assert!(e.starts_with(&format!("{}:", lines + 3)), "{e}");
    assert!(e.contains("unknown capability `nope`"), "{e}");
    let e = config_error("pyproject.toml", "\n[tool.ripen.fail_under]\nazure = 9\n");
    assert!(
        e.starts_with(&format!("{}:1: `azure` has levels 0 to 4", lines + 3)),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// ripen init

#[test]
fn init_writes_a_ratchet_and_refuses_to_overwrite() {
    let (_tmp, root) = fixture_copy("dvc-mlflow", None);
    let out = ripen()
        .args(["init", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert_success(&out);
    let p = root.join(".ripen.yml");
    let c = ripen::config::Config::load(&p).unwrap();
    let mut targets = c.fail_under.clone();
    targets.sort();
    assert_eq!(
        targets,
        vec![("azure".to_string(), 2), ("google".to_string(), 1)]
    );
    ripen::config::Config::load(&p)
        .unwrap()
        .validate(&ripen::Catalogue::load(&[]).unwrap())
        .unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(
        text.contains("azure: 2  # of 4; level 3 needs: automated_model_deployment"),
        "{text}"
    );

    // The ratchet holds today.
    ripen()
        .args(["scan", root.to_str().unwrap()])
        .assert()
        .code(0);

    // No overwrite without --force.
    std::fs::write(&p, "# mine\n").unwrap();
    let out = ripen()
        .args(["init", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "# mine\n");
    ripen()
        .args(["init", root.to_str().unwrap(), "--force"])
        .assert()
        .code(0);
    assert!(std::fs::read_to_string(&p).unwrap().contains("fail_under:"));
}

#[test]
fn init_refuses_when_pyproject_configures_ripen() {
    let (_tmp, root) = fixture_copy("ci-only", None);
    let py = root.join("pyproject.toml");
    let mut text = std::fs::read_to_string(&py).unwrap();
    text.push_str("\n[tool.ripen]\nexclude = []\n");
    std::fs::write(&py, text).unwrap();
    ripen()
        .args(["init", root.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "pyproject.toml already configures ripen",
        ));
    assert!(!root.join(".ripen.yml").exists());

    // A pyproject.toml without [tool.ripen] does not count.
    let (_tmp2, plain) = fixture_copy("ci-only", None);
    ripen()
        .args(["init", plain.to_str().unwrap()])
        .assert()
        .code(0);
}

// ---------------------------------------------------------------------------------------------
// Conventions of linters and scanners (issue 18)

fn run(args: &[&str]) -> std::process::Output {
    ripen().current_dir(fixtures()).args(args).output().unwrap()
}

#[test]
fn exit_zero_reports_and_never_fails_on_a_target() {
    let out = run(&["scan", "ci-only", "--fail-under", "azure=3"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&["scan", "ci-only", "--fail-under", "azure=3", "--exit-zero"]);
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("target NOT met: azure >= 3"), "{text}");
    // Errors still exit 2.
    let out = run(&["scan", "no-such-dir", "--exit-zero"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn color_always_and_never_override_the_terminal_test() {
    let out = run(&["scan", "ci-only", "--color", "always"]);
    assert_success(&out);
    assert!(out.stdout.contains(&0x1b), "styles with --color always");
    let out = run(&["--color", "never", "scan", "ci-only"]);
    assert_success(&out);
    assert!(!out.stdout.contains(&0x1b));
    let out = run(&["scan", "ci-only", "--color", "sometimes"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn quiet_prints_levels_and_blocking_gaps_only() {
    let full = String::from_utf8(run(&["scan", "dvc-mlflow"]).stdout).unwrap();
    let out = run(&["scan", "dvc-mlflow", "--quiet", "--fail-under", "azure=2"]);
    assert_success(&out);
    let q = String::from_utf8(out.stdout).unwrap();
    assert!(q.contains("Azure") && q.contains("Google"), "{q}");
    assert!(q.contains("✗ Azure 3: "), "{q}");
    assert!(q.contains("target met: azure >= 2"), "{q}");
    assert!(full.contains("Evidence") && !q.contains("Evidence"), "{q}");
    assert!(
        !q.contains("✓") && q.lines().count() < full.lines().count() / 2,
        "{q}"
    );
}

#[test]
fn model_restricts_reporting_and_gating() {
    let out = run(&[
        "scan",
        "ci-only",
        "--format",
        "json",
        "--model",
        "google,gigaom",
    ]);
    assert_success(&out);
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let models: Vec<&String> = j["models"].as_object().unwrap().keys().collect();
    assert_eq!(models, ["gigaom", "google"]);
    // A config target for a model left out is not checked; one on the command line is an error.
    let (_tmp, root) = fixture_copy("ci-only", Some("fail_under:\n  azure: 4\n"));
    let out = ripen()
        .args(["scan", "--model", "google"])
        .arg(&root)
        .output()
        .unwrap();
    assert_success(&out);
    let out = ripen()
        .args(["scan", "--model", "azure"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = run(&[
        "scan",
        "ci-only",
        "--model",
        "google",
        "--fail-under",
        "azure=1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["scan", "ci-only", "--model", "aws"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown model `aws`"));
}

#[test]
fn rules_list_rejects_formats_it_cannot_write() {
    let out = ripen()
        .args(["rules", "list", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = ripen()
        .args(["rules", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let _: Value = serde_json::from_slice(&out.stdout).unwrap();
}

/// Practice ids (what reports list under each level) are explained; a near miss gets a
/// suggestion. (Every id of a report: `cli::commands` unit tests.)
#[test]
fn explain_accepts_practice_ids() {
    let out = ripen()
        .args(["explain", "ci_on_code_change"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("azure level 1") && text.contains("satisfied by"),
        "{text}"
    );
    let out = ripen()
        .args(["explain", "ci_on_code_chang"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `ci_on_code_change`"));
}

#[test]
fn github_summary_and_outputs_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("output");
    let summary = tmp.path().join("summary.md");
    let scan = |extra: &[&str]| {
        ripen()
            .current_dir(fixtures())
            .args(["scan", "ci-only"])
            .args(extra)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap()
    };
    for format in ["text", "json", "sarif", "markdown"] {
        assert_success(&scan(&["--format", format]));
        assert!(
            !output.exists() && !summary.exists(),
            "--format {format} inside a workflow writes nothing"
        );
    }
    assert_success(&scan(&["--format", "json", "--github-summary"]));
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("## ripen")
    );
    assert!(
        std::fs::read_to_string(&output)
            .unwrap()
            .contains("azure-level=1\n")
    );
    std::fs::remove_file(&output).unwrap();
    assert_success(&scan(&["--format", "github"]));
    let o = std::fs::read_to_string(&output).unwrap();
    // Everything ripen writes to $GITHUB_OUTPUT, the action declares.
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    for key in o.lines().filter_map(|l| l.split_once('=')).map(|(k, _)| k) {
        assert!(
            action.contains(&format!("\n  {key}:\n")),
            "action.yml does not declare the output {key}"
        );
    }
}

#[test]
fn per_project_reaches_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("mono");
    copy_dir(&fixtures().join("dvc-mlflow"), &root.join("fraud"));
    copy_dir(&fixtures().join("ci-only"), &root.join("svc"));
    std::fs::write(
        root.join("svc/pyproject.toml"),
        "[project]\nname = \"svc\"\n",
    )
    .unwrap();
    let render = |format: &str, per: bool| {
        let mut c = ripen();
        c.args(["scan", "--format", format]).arg(&root);
        if per {
            c.arg("--per-project");
        }
        let out = c.output().unwrap();
        assert_success(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    for format in [
        "text", "json", "markdown", "html", "sarif", "github", "gitlab", "azure", "junit",
    ] {
        let with = render(format, true);
        let without = render(format, false);
        assert!(with.contains("fraud"), "{format}: {with}");
        assert_ne!(with, without, "{format} ignores --per-project");
    }
    let sarif: Value = serde_json::from_str(&render("sarif", true)).unwrap();
    let projects = sarif["runs"][0]["properties"]["projects"]
        .as_array()
        .unwrap();
    assert!(
        projects.iter().any(|p| p["path"] == "fraud"),
        "{projects:?}"
    );
    let md = render("markdown", true);
    assert!(md.contains("| `fraud` |"), "{md}");
}

/// Several repositories under Actions (`--github-summary`): the summary table goes to the job
/// summary, and each repository's levels to the step outputs under its name.
#[test]
fn several_repositories_get_a_summary_and_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let output = tmp.path().join("output");
    let summary = tmp.path().join("summary.md");
    let out = ripen()
        .current_dir(fixtures())
        .args([
            "scan",
            "ci-only",
            "notebook-only",
            "--format",
            "json",
            "--github-summary",
        ])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_success(&out);
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(s.contains("ci-only") && s.contains("notebook-only"), "{s}");
    let o = std::fs::read_to_string(&output).unwrap();
    assert!(o.contains("ci-only-azure-level=1\n"), "{o}");
    assert!(o.contains("notebook-only-azure-level=0\n"), "{o}");
    assert!(o.ends_with("targets-met=true\n"), "{o}");
}
