//! The native formats of the other CI systems: GitLab Code Quality (validated against the
//! format GitLab documents), Azure Pipelines logging commands, and JUnit XML.

mod common;

use serde_json::Value;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scan(fixture: &str, format: &str, extra: &[&str]) -> String {
    let out = common::ripen()
        .current_dir(repo().join("fixtures"))
        .args(["scan", fixture, "--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn gitlab_code_quality_validates_and_flags_the_target() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("schemas/gitlab-codequality.schema.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).expect("schema compiles");
    for (fixture, extra) in [
        ("ci-only", vec!["--fail-under", "azure=2"]),
        ("azureml-v2", vec![]),
        ("notebook-only", vec!["--fail-under", "google=1"]),
    ] {
        let out = scan(fixture, "gitlab", &extra);
        let report: Value = serde_json::from_str(&out).expect("valid JSON");
        let errors: Vec<String> = v.iter_errors(&report).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{fixture}: {errors:?}");
        let issues = report.as_array().unwrap();
        assert!(!issues.is_empty(), "{fixture}: no issues");
        let mut prints: Vec<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        prints.sort();
        prints.dedup();
        assert_eq!(
            prints.len(),
            issues.len(),
            "{fixture}: fingerprints collide"
        );
        for i in issues {
            let path = i["location"]["path"].as_str().unwrap();
            assert!(
                path.starts_with(fixture),
                "{fixture}: {path} is not under the scanned root"
            );
        }
    }
    let out: Value =
        serde_json::from_str(&scan("ci-only", "gitlab", &["--fail-under", "azure=2"])).unwrap();
    assert!(
        out.as_array()
            .unwrap()
            .iter()
            .any(|i| i["severity"] == "critical" && i["check_name"] == "ripen/automated_training"),
        "the unmet target's required practice is critical"
    );
}

#[test]
fn azure_logging_commands_annotate_and_set_variables() {
    let out = scan("ci-only", "azure", &["--fail-under", "azure=2"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("ripen "), "{}", lines[0]);
    assert!(lines.iter().any(
        |l| l.starts_with("##vso[task.logissue type=error;sourcepath=ci-only/")
            && l.contains(";code=ripen/automated_training]")
    ));
    assert!(lines.contains(&"##vso[task.setvariable variable=ripen_azure_level;isOutput=true]1"));
    assert!(
        lines.contains(&"##vso[task.setvariable variable=ripen_targets_met;isOutput=true]false")
    );
    // Every line is a command ripen meant, or plain text that cannot start one.
    for l in &lines[1..] {
        assert!(l.starts_with("##vso[") || l.starts_with("note: "), "{l}");
    }
}

#[test]
fn junit_has_a_case_per_practice_and_fails_only_an_unmet_target() {
    let failing = scan("ci-only", "junit", &["--fail-under", "azure=2"]);
    assert!(failing.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    assert_eq!(
        failing.matches("<testsuite ").count(),
        2,
        "one suite per staged model"
    );
    assert_eq!(
        failing.matches("<testcase ").count(),
        failing.matches("/>").count()
            - failing.matches("<failure").count()
            - failing.matches("<skipped").count()
            + failing.matches("</testcase>").count(),
        "every test case is closed"
    );
    assert!(
        failing.contains("<failure message="),
        "the unmet target fails"
    );
    let next = scan("ci-only", "junit", &[]);
    assert!(
        !next.contains("<failure"),
        "without a target nothing fails: {next}"
    );
    assert!(
        next.contains("<skipped message="),
        "the next level's gaps are shown as skipped"
    );
}

#[test]
fn gitlab_format_snapshot() {
    insta::assert_snapshot!(scan("ci-only", "gitlab", &["--fail-under", "azure=2"]));
}

#[test]
fn azure_format_snapshot() {
    insta::assert_snapshot!(
        scan("ci-only", "azure", &[]).replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
    );
}

#[test]
fn junit_format_snapshot() {
    insta::assert_snapshot!(scan("notebook-only", "junit", &[]));
}

#[test]
fn sarif_rules_are_practices_with_a_help_page() {
    let out = scan("ci-only", "sarif", &["--fail-under", "azure=2"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let page = std::fs::read_to_string(repo().join("docs/practices.md")).unwrap();
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let uri = rule["helpUri"].as_str().unwrap();
        assert!(uri.ends_with(&format!("docs/practices.md#{id}")), "{uri}");
        assert!(
            page.contains(&format!("<a id=\"{id}\"></a>")),
            "{id} has no section"
        );
    }
    for res in run["results"].as_array().unwrap() {
        let id = res["ruleId"].as_str().unwrap();
        assert_eq!(
            res["properties"]["practice"], id,
            "ruleId is the practice id"
        );
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], id);
    }
}

/// The CI examples in `docs/ci/` run: each `ripen scan` line of the GitLab and Azure Pipelines
/// examples, on a fixture, writes the report the rest of the file publishes.
#[test]
fn the_docs_ci_examples_run_and_write_what_they_publish() {
    let tmp = tempfile::tempdir().unwrap();
    let staging = tmp.path().to_str().unwrap();
    let example = |name: &str| -> Value {
        let text = std::fs::read_to_string(repo().join("docs/ci").join(name)).unwrap();
        serde_saphyr::from_str(&text).unwrap()
    };
    let run = |line: &str| {
        let line = line.replace("$(Build.ArtifactStagingDirectory)", staging);
        let words = shlex::split(&line).unwrap();
        assert_eq!(&words[..3], ["ripen", "scan", "."], "{line}");
        let out = common::ripen()
            .current_dir(tmp.path())
            .args(&words[1..2])
            .arg(repo().join("fixtures/ci-only"))
            .args(&words[3..])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };

    let gitlab = example("gitlab-ci.yml");
    let script = gitlab["ripen"]["script"].as_array().unwrap();
    let line = script
        .iter()
        .filter_map(Value::as_str)
        .find(|l| l.starts_with("ripen scan"))
        .unwrap();
    run(line);
    let artifact = gitlab["ripen"]["artifacts"]["reports"]["codequality"]
        .as_str()
        .unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join(artifact)).unwrap()).unwrap();
    assert!(!report.as_array().unwrap().is_empty());

    let azure = example("azure-pipelines.yml");
    let steps = azure["steps"].as_array().unwrap();
    let line = steps
        .iter()
        .filter_map(|s| s["script"].as_str())
        .find(|l| l.starts_with("ripen scan"))
        .unwrap();
    let log = run(line);
    assert!(log.contains("##vso[task.setvariable variable=ripen_azure_level;isOutput=true]"));
    let junit = steps
        .iter()
        .find_map(|s| s["inputs"]["testResultsFiles"].as_str())
        .unwrap()
        .replace("$(Build.ArtifactStagingDirectory)", staging);
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(
        xml.starts_with("<?xml") && xml.contains("<testcase "),
        "{xml}"
    );
}
