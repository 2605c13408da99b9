//! The rule loader: capability catalogue, a maturity model and a rule pack, split from one
//! input at `\n===\n`. Any input must give a catalogue or a `DataError`, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

/// The built-in catalogue, so that rule packs copied from `rules/` load.
fn caps() -> &'static str {
    ripen::rules::EMBEDDED_RULES
        .iter()
        .find(|(p, _)| p.ends_with("capabilities.yml"))
        .map(|(_, c)| *c)
        .unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, "\n===\n");
    let a = parts.next().unwrap_or_default();
    let b = parts.next();
    let c = parts.next();
    let files: Vec<(String, String)> = match (b, c) {
        // One part: a rule pack against a fixed catalogue.
        (None, _) => vec![
            ("rules/capabilities.yml".into(), caps().into()),
            ("rules/x.yml".into(), a.into()),
        ],
        // Two: a model and a rule pack.
        (Some(b), None) => vec![
            ("rules/capabilities.yml".into(), caps().into()),
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
        // A catalogue that loads must also compile into a matcher without panicking.
        let _ = ripen::matcher::Matcher::new(&cat.rules);
    }
});
