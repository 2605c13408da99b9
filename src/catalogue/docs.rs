//! `docs/practices.md`: every practice the maturity models gate on, with what satisfies it and
//! how to get there, generated from the catalogue (so SARIF's `helpUri` and `ripen explain`
//! say the same thing). `tests/schemas.rs` fails when the committed page differs.

use super::{Catalogue, Practice};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The page, relative to the repository's top level.
pub const PRACTICES_PAGE: &str = "docs/practices.md";

/// Where the documentation is browsed, for SARIF `helpUri`s: `RIPEN_DOCS_URL` at build time (a
/// fork or a mirror sets it), else the package's repository at its default branch.
fn docs_base() -> String {
    match option_env!("RIPEN_DOCS_URL") {
        Some(base) if !base.is_empty() => base.trim_end_matches('/').to_string(),
        _ => format!("{}/blob/main", env!("CARGO_PKG_REPOSITORY")),
    }
}

/// The page's anchor for a practice id (the id itself: ids are `[a-z0-9_]`).
pub fn practice_url(id: &str) -> String {
    format!("{}/{PRACTICES_PAGE}#{id}", docs_base())
}

/// The Markdown of `docs/practices.md`.
pub fn practices_markdown(cat: &Catalogue) -> String {
    // Practice id -> (title, [(model title, level, level name, required, practice)]).
    type Use<'a> = (&'a str, u32, &'a str, bool, &'a Practice);
    let mut by_id: BTreeMap<&str, Vec<Use>> = BTreeMap::new();
    for m in &cat.models {
        for l in m.levels() {
            for (required, ps) in [(true, &l.required), (false, &l.expected)] {
                for p in ps {
                    by_id.entry(p.id.as_str()).or_default().push((
                        m.title.as_str(),
                        l.level,
                        l.name.as_str(),
                        required,
                        p,
                    ));
                }
            }
        }
    }
    let mut o = String::from(
        "# Practices\n\n<!-- Generated from rules/models/*.yml by `RIPEN_UPDATE_DOCS=1 cargo test --test schemas`; do not edit. -->\n\nEvery practice a maturity level requires or expects, what satisfies it, and how to get there. `ripen explain <id>` prints the same for one id; SARIF results link here.\n",
    );
    for (id, uses) in &by_id {
        let title = uses.first().map_or("", |u| u.4.title.as_str());
        let _ = write!(o, "\n<a id=\"{id}\"></a>\n## `{id}` — {title}\n\n");
        for (model, level, name, required, p) in uses {
            let alts: Vec<String> = p
                .any
                .iter()
                .map(|a| {
                    let mut s = format!("`{}` ({})", a.capability, a.tier.label());
                    if let Some(f) = &a.facet {
                        let _ = write!(s, " [{f}]");
                    }
                    s
                })
                .collect();
            let _ = writeln!(
                o,
                "- **{model}**, level {level} ({name}): {}. Satisfied by {}.",
                if *required { "required" } else { "expected" },
                alts.join(" or ")
            );
            if let Some(r) = &p.remediation {
                let _ = writeln!(
                    o,
                    "  How to get there: {}",
                    r.split_whitespace().collect::<Vec<_>>().join(" ")
                );
            }
        }
    }
    o
}
