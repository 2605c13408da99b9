//! Snapshot tests of the text and JSON reports on fixtures (insta). A change to a report's
//! shape or to the rules shows up here as a reviewed diff; update with
//! `INSTA_UPDATE=always cargo test --test report_snapshots` after checking it.

use ripen::render::{self, Format};
use ripen::{Catalogue, ScanOptions};
use std::path::Path;

fn report(name: &str) -> ripen::Report {
    let cat = Catalogue::load(&[]).expect("rules load");
    ripen::scan(
        Path::new("fixtures").join(name).as_path(),
        &cat,
        &ScanOptions::default(),
    )
    .expect("scan")
}

#[test]
fn json_report_dvc_mlflow() {
    let r = report("dvc-mlflow");
    insta::assert_snapshot!(render::render(&r, Format::Json));
}

#[test]
fn json_report_keeps_the_contract_fields() {
    let r = report("full-level4");
    let v: serde_json::Value = serde_json::from_str(&render::render(&r, Format::Json)).unwrap();
    assert!(v["schema_version"].is_u64());
    assert!(v["tool"]["version"].is_string());
    assert_eq!(v["models"]["google"]["level"], 2);
    assert_eq!(v["models"]["azure"]["level"], 4);
    for l in v["models"]["azure"]["levels"].as_array().unwrap() {
        assert!(l["met"].is_boolean());
        assert!(
            l["coverage"]
                .as_f64()
                .is_some_and(|c| (0.0..=1.0).contains(&c))
        );
        assert!(l["missing_required"].is_array());
        assert!(l["missing_expected"].is_array());
    }
    for c in [
        "strategy",
        "architecture",
        "modeling",
        "processes",
        "management",
    ] {
        let band = &v["models"]["gigaom"]["categories"][c]["band"];
        assert!(band.is_u64() || band.is_null(), "{c}: {band}");
    }
    let caps = v["capabilities"].as_array().unwrap();
    assert!(caps.len() >= 35);
    for c in caps {
        assert!(c["id"].is_string() && c["state"].is_string() && c["tier"].is_string());
        for e in c["evidence"].as_array().unwrap() {
            assert!(e["rule"].is_string() && e["path"].is_string() && e["tier"].is_string());
            assert!(e.get("line").is_some() && e["chain"].is_array());
        }
    }
}

#[test]
fn text_report_full_level4() {
    let r = report("full-level4");
    let text = render::render(&r, Format::Text);
    insta::assert_snapshot!(anstream::adapter::strip_str(&text).to_string());
}

#[test]
fn text_report_notebook_only() {
    let r = report("notebook-only");
    let text = render::render(&r, Format::Text);
    insta::assert_snapshot!(anstream::adapter::strip_str(&text).to_string());
}
