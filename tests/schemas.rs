//! The JSON Schemas in `schemas/` are generated from the Rust types that read the files. These
//! tests fail when a committed schema differs from the generated one (regenerate with
//! `RIPEN_UPDATE_SCHEMAS=1 cargo test --test schemas`), and validate the repository's own rule
//! files and example configurations against them.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema(name: &str) -> Value {
    let p = repo().join("schemas").join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn validate(schema: &Value, instance: &Value, what: &str) {
    let v = jsonschema::validator_for(schema).expect("schema compiles");
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("  {} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[test]
fn committed_schemas_match_the_code() {
    let update = std::env::var_os("RIPEN_UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (file, text) in ripen::cli::schemas() {
        let p = repo().join("schemas").join(&file);
        let committed = std::fs::read_to_string(&p).unwrap_or_default();
        if committed != text {
            if update {
                std::fs::write(&p, &text).expect("write schema");
            } else {
                stale.push(file);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "schemas/{} differ from the types that read the files; regenerate with \
         `RIPEN_UPDATE_SCHEMAS=1 cargo test --test schemas` and commit them",
        stale.join(", schemas/")
    );
}

#[test]
fn hidden_schema_command_prints_the_committed_schema() {
    let out = assert_cmd::Command::cargo_bin("ripen")
        .unwrap()
        .args(["schema", "config"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        std::fs::read_to_string(repo().join("schemas/ripen-config.schema.json")).unwrap()
    );
}

#[test]
fn repository_rule_files_validate() {
    let rules = schema("ripen-rules.schema.json");
    let caps = schema("ripen-capabilities.schema.json");
    let model = schema("ripen-model.schema.json");
    let mut n = 0;
    let mut stack = vec![repo().join("rules")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if !matches!(p.extension().and_then(|x| x.to_str()), Some("yml" | "yaml")) {
                continue;
            }
            let which = if p.file_stem().is_some_and(|s| s == "capabilities") {
                &caps
            } else if p.parent().is_some_and(|d| d.ends_with("models")) {
                &model
            } else {
                &rules
            };
            validate(which, &yaml(&p), &p.display().to_string());
            n += 1;
        }
    }
    assert!(n >= 5, "found only {n} rule files");
}

#[test]
fn schemas_reject_what_the_loader_rejects() {
    let rules = schema("ripen-rules.schema.json");
    let v = jsonschema::validator_for(&rules).unwrap();
    let typo: Value = serde_json::json!({"rules": [{"id": "a", "capability": "ci", "titel": "t"}]});
    assert!(!v.is_valid(&typo), "unknown keys are refused");
    let config = schema("ripen-config.schema.json");
    let v = jsonschema::validator_for(&config).unwrap();
    assert!(!v.is_valid(&serde_json::json!({"fail_under": {"azure": "three"}})));
    assert!(!v.is_valid(&serde_json::json!({"waivers": [{"capability": "ci", "reason": "r"}]})));
    assert!(!v.is_valid(
        &serde_json::json!({"waivers": [{"capability": "ci", "reason": "r", "expires": "soon"}]})
    ));
    assert!(v.is_valid(&serde_json::json!({})));
}

#[test]
fn example_configs_validate() {
    let config = schema("ripen-config.schema.json");
    let example = repo().join("docs/examples/ripen.yml");
    validate(&config, &yaml(&example), "docs/examples/ripen.yml");
    ripen::config::Config::load(&example).expect("the example loads");

    let py = repo().join("docs/examples/pyproject.toml");
    let text = std::fs::read_to_string(&py).unwrap();
    let table: toml::Value = toml::from_str(&text).unwrap();
    let ripen_table = toml_to_json(table["tool"]["ripen"].clone());
    validate(
        &config,
        &ripen_table,
        "docs/examples/pyproject.toml [tool.ripen]",
    );
    let c = ripen::config::Config::load(&py).expect("the example loads");
    assert_eq!(c.waivers.len(), 1);

    let cat = ripen::Catalogue::load(&[]).unwrap();
    for p in [&example, &py] {
        ripen::config::Config::load(p)
            .unwrap()
            .validate(&cat)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Every fixture's JSON report, with and without targets, waivers and sub-projects, validates
/// against the output contract generated from the Rust types (`schemas/ripen-report.schema.json`).
#[test]
fn every_json_report_validates_against_the_report_schema() {
    let schema = schema("ripen-report.schema.json");
    // Compiled once; the scans (two per fixture) run on every core.
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let fixtures = repo().join("fixtures");
    let extras: [&[&str]; 2] = [
        &[],
        &[
            "--fail-under",
            "azure=2",
            "--fail-under",
            "google=1",
            "--per-project",
        ],
    ];
    let mut jobs = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let dir = entry.unwrap().path();
        if dir.is_dir() {
            jobs.extend(extras.iter().map(|e| (dir.clone(), *e)));
        }
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((dir, extra)) = jobs.get(i) else {
                        break;
                    };
                    let out = assert_cmd::Command::cargo_bin("ripen")
                        .unwrap()
                        .env_remove("GITHUB_ACTIONS")
                        .args(["scan", "--format", "json"])
                        .arg(dir)
                        .args(*extra)
                        .output()
                        .unwrap();
                    let report: Value = serde_json::from_slice(&out.stdout)
                        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
                    let errors: Vec<String> = validator
                        .iter_errors(&report)
                        .map(|e| format!("  {} at {}", e, e.instance_path()))
                        .collect();
                    assert!(
                        errors.is_empty(),
                        "{} {extra:?} does not validate:\n{}",
                        dir.display(),
                        errors.join("\n")
                    );
                }
            });
        }
    });
    assert!(jobs.len() >= 20, "only {} reports checked", jobs.len());
}

/// `docs/practices.md` (where SARIF's `helpUri`s point) is generated from the catalogue and
/// committed; regenerate with `RIPEN_UPDATE_DOCS=1 cargo test --test schemas`.
#[test]
fn practices_page_matches_the_catalogue() {
    let cat = ripen::catalogue::Catalogue::load(&[]).expect("catalogue loads");
    let text = ripen::catalogue::docs::practices_markdown(&cat);
    let p = repo().join("docs/practices.md");
    if std::env::var_os("RIPEN_UPDATE_DOCS").is_some() {
        std::fs::write(&p, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&p).unwrap_or_default();
    assert!(
        committed == text,
        "docs/practices.md is stale: RIPEN_UPDATE_DOCS=1 cargo test --test schemas"
    );
    for id in ["ci_on_code_change", "automated_training"] {
        assert!(text.contains(&format!("<a id=\"{id}\"></a>")), "{id}");
    }
}
