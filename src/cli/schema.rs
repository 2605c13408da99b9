//! The JSON Schemas kept in `schemas/`, generated from the Rust types that read the files, so
//! editors can check `.ripen.yml` and rule files and the schemas cannot drift from the code
//! (`tests/schemas.rs` fails when a committed schema differs from the generated one).

/// `(file name in schemas/, JSON text)` for every generated schema.
pub fn all() -> Vec<(String, String)> {
    let mut out = vec![(
        "ripen-config.schema.json".to_string(),
        text(&crate::config::schema()),
    )];
    for (kind, s) in crate::catalogue::schemas() {
        out.push((format!("ripen-{kind}.schema.json"), text(&s)));
    }
    out.push(("ripen-report.schema.json".to_string(), text(&report())));
    out
}

/// The schema called `config`, `rules`, `capabilities` or `model`.
pub(crate) fn by_name(kind: &str) -> Option<String> {
    let file = format!("ripen-{kind}.schema.json");
    all().into_iter().find(|(f, _)| *f == file).map(|(_, s)| s)
}

pub fn text(s: &schemars::Schema) -> String {
    let mut t = serde_json::to_string_pretty(s).expect("schemas serialise");
    t.push('\n');
    t
}

/// The output contract: the JSON `ripen scan --format json` writes, from the types that write it.
fn report() -> schemars::Schema {
    let mut s = schemars::schema_for!(crate::model::Report);
    s.insert(
        "$id".into(),
        "https://ripen.dev/schemas/ripen-report.schema.json".into(),
    );
    s.insert("title".into(), "ripen report (--format json)".into());
    s
}
