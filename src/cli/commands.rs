//! The catalogue's commands (`rules list`, `rules test`, `explain`) and `badge`.

use crate::catalogue::Catalogue;
use crate::catalogue::Scale;
use crate::cli::args::{BadgeArgs, ListFormat, ScanArgs};
use crate::cli::scan::scan_root;
use crate::cli::{error, load, out};
use crate::render::{self, Format};
use std::path::{Path, PathBuf};

/// `ripen badge`: a scan as `ripen scan` does it (config, rules), printed as a badge.
pub(crate) fn badge_cmd(a: BadgeArgs) -> i32 {
    if !a.path.is_dir() {
        return error(format!("{}: not a directory", a.path.display()));
    }
    let args = ScanArgs {
        paths: vec![a.path.clone()],
        as_system: false,
        history_commits: 0,
        format: Format::Text,
        fail_under: Vec::new(),
        rules: a.rules,
        config: a.config,
        max_file_size: crate::source::walk::DEFAULT_MAX_FILE_SIZE,
        exclude: Vec::new(),
        no_attestations: false,
        report_files: Vec::new(),
        per_project: false,
        exit_zero: false,
        quiet: false,
        models: Vec::new(),
        github_summary: false,
        enclosing_repo: false,
        trust: crate::cli::args::TrustArgs::default(),
    };
    match scan_root(&args, &a.path, None) {
        Ok((report, ..)) => match render::badge::badge(&report, &a.model) {
            Some(b) => {
                out(&render::badge::render(&b, a.format));
                0
            }
            None => error(format!("`{}` is not a staged model", a.model)),
        },
        Err(code) => code,
    }
}

pub(crate) fn list_rules(cat: &Catalogue, format: ListFormat) {
    match format {
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = cat
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "capability": r.capability, "tier": r.tier,
                        "title": r.title, "docs": r.docs, "source": r.source,
                    })
                })
                .collect();
            out(&(serde_json::to_string_pretty(&v).expect("serialises") + "\n"));
        }
        ListFormat::Text => {
            let mut s = String::new();
            for r in &cat.rules {
                s.push_str(&format!(
                    "{:<40} {:<32} {:<11} {}\n",
                    r.id,
                    r.capability,
                    r.tier.label(),
                    r.title
                ));
            }
            s.push_str(&format!(
                "{} rules, {} capabilities, {} models\n",
                cat.rules.len(),
                cat.capabilities.len(),
                cat.models.len()
            ));
            out(&s);
        }
    }
}

pub(crate) fn rules_test(dir: Option<PathBuf>) -> i32 {
    let extra: Vec<PathBuf> = dir.iter().cloned().collect();
    let cat = match load(&extra) {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    let prefix = dir.as_ref().map(|d| d.display().to_string());
    let outcome = match crate::pipeline::rules_test::run(&cat, |r| {
        prefix
            .as_ref()
            .is_none_or(|p| Path::new(&r.source).starts_with(p) || r.source.starts_with(p.as_str()))
    }) {
        Ok(o) => o,
        Err(e) => return error(e),
    };
    let mut s = String::new();
    for f in &outcome.failures {
        s.push_str(&format!("FAIL {f}\n"));
    }
    let failed = outcome.failures.len();
    s.push_str(&format!(
        "{} rules, {} examples: {} passed, {} failed\n",
        outcome.rules,
        outcome.examples,
        outcome.examples.saturating_sub(failed),
        failed
    ));
    out(&s);
    if failed == 0 { 0 } else { 1 }
}

pub(crate) fn explain(cat: &Catalogue, id: &str) -> Option<String> {
    let mut s = String::new();
    if let Some(c) = cat.capability(id) {
        s.push_str(&format!("{} — {}\n\n", c.id, c.title));
        s.push_str(&format!("Category (GigaOm): {}\n", c.category));
        if !c.observable {
            s.push_str("Not observable in a repository: reported, never counted toward a gate.\n");
        }
        s.push_str(&format!(
            "\n{}\n\nHow to get there:\n  {}\n",
            c.definition.trim(),
            c.remediation.trim()
        ));
        if let Some(sig) = &c.signals {
            s.push_str(&format!("\nSignals: {}\n", sig.trim()));
        }
        let rules: Vec<&str> = cat
            .rules
            .iter()
            .filter(|r| r.capability == c.id)
            .map(|r| r.id.as_str())
            .collect();
        s.push_str(&format!(
            "\nRules ({}): {}\n",
            rules.len(),
            rules.join(", ")
        ));
        let gates: Vec<String> = cat
            .models
            .iter()
            .flat_map(|m| {
                m.levels().iter().flat_map(move |l| {
                    l.required
                        .iter()
                        .map(|p| ("required", p))
                        .chain(l.expected.iter().map(|p| ("expected", p)))
                        .filter(|(_, p)| p.any.iter().any(|a| a.capability == c.id))
                        .map(move |(k, p)| format!("{} {} ({k}: {})", m.id, l.level, p.title))
                })
            })
            .collect();
        if !gates.is_empty() {
            s.push_str(&format!("Used by: {}\n", gates.join("; ")));
        }
        return Some(s);
    }
    if let Some(m) = cat.model(id) {
        s.push_str(&format!("{} — {}\n", m.id, m.title));
        if let Some(src) = &m.source {
            s.push_str(&format!("Source: {src}\n"));
        }
        if let Some(n) = &m.note {
            s.push_str(&format!("{}\n", n.trim()));
        }
        for l in m.levels() {
            s.push_str(&format!("\nLevel {} — {}\n", l.level, l.name));
            if let Some(sum) = &l.summary {
                s.push_str(&format!("  {}\n", sum.trim()));
            }
            for p in &l.required {
                s.push_str(&format!(
                    "  required: {} — {}\n",
                    p.title,
                    p.any
                        .iter()
                        .map(|a| format!("{} ≥ {}", a.capability, a.tier.label()))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
            }
            for p in &l.expected {
                s.push_str(&format!("  expected: {}\n", p.title));
            }
        }
        return Some(s);
    }
    if let Some(r) = cat.rule(id) {
        s.push_str(&format!("{} — {}\n\n", r.id, r.title));
        s.push_str(&format!(
            "Capability: {}   Tier: {}   Defined at: {}\n\n",
            r.capability,
            r.tier.label(),
            r.source
        ));
        s.push_str(&format!("Why it matters:\n  {}\n", r.rationale.trim()));
        let fix = r
            .remediation
            .clone()
            .or_else(|| cat.capability(&r.capability).map(|c| c.remediation.clone()));
        if let Some(f) = fix {
            s.push_str(&format!("\nHow to close the gap:\n  {}\n", f.trim()));
        }
        if let Some(d) = &r.docs {
            s.push_str(&format!("\nDocs: {d}\n"));
        }
        s.push_str(&format!("\nFiles: {}\n", r.include.join(", ")));
        if let Some(p) = r.positive.first() {
            s.push_str(&format!("\nExample ({}):\n", p.path));
            for l in p.content.lines().take(12) {
                s.push_str(&format!("  {l}\n"));
            }
        }
        return Some(s);
    }
    explain_practice(cat, id).or_else(|| explain_category(cat, id))
}

/// Every id `explain` accepts: capabilities, models, rules, practices, categories.
pub(crate) fn explain_ids(cat: &Catalogue) -> Vec<&str> {
    let mut ids: Vec<&str> = cat
        .capabilities
        .iter()
        .map(|c| c.id.as_str())
        .chain(cat.models.iter().map(|m| m.id.as_str()))
        .chain(cat.rules.iter().map(|r| r.id.as_str()))
        .collect();
    for m in &cat.models {
        match &m.scale {
            Scale::Levels(levels) => ids.extend(
                levels
                    .iter()
                    .flat_map(|l| l.required.iter().chain(&l.expected))
                    .map(|p| p.id.as_str()),
            ),
            Scale::Categories { categories, .. } => {
                ids.extend(categories.iter().map(|c| c.id.as_str()))
            }
        }
    }
    ids
}

/// A practice of a staged model's level (`ci_on_code_change`), as the reports name it: where
/// it is required or expected, what satisfies it and how to get there.
fn explain_practice(cat: &Catalogue, id: &str) -> Option<String> {
    let mut s = String::new();
    let mut remediation = None;
    for m in &cat.models {
        for l in m.levels() {
            let kinds = l
                .required
                .iter()
                .map(|p| ("required", p))
                .chain(l.expected.iter().map(|p| ("expected", p)));
            for (kind, p) in kinds.filter(|(_, p)| p.id == id) {
                if s.is_empty() {
                    s.push_str(&format!("{} — {} (a practice)\n\n", p.id, p.title));
                }
                s.push_str(&format!(
                    "{} level {} ({}): {kind}\n",
                    m.id, l.level, l.name
                ));
                s.push_str(&format!(
                    "  satisfied by: {}\n",
                    p.any
                        .iter()
                        .map(|a| format!("{} ≥ {}", a.capability, a.tier.label()))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
                if remediation.is_none() {
                    remediation = p.remediation.clone().or_else(|| {
                        p.any
                            .first()
                            .and_then(|a| cat.capability(&a.capability))
                            .map(|c| c.remediation.clone())
                    });
                }
            }
        }
    }
    if s.is_empty() {
        return None;
    }
    if let Some(r) = remediation {
        s.push_str(&format!("\nHow to get there:\n  {}\n", r.trim()));
    }
    s.push_str("\nEach capability: `ripen explain CAPABILITY`.\n");
    Some(s)
}

/// A category of a categories model (GigaOm's `processes`): its capabilities and bands.
fn explain_category(cat: &Catalogue, id: &str) -> Option<String> {
    for m in &cat.models {
        let Scale::Categories { categories, .. } = &m.scale else {
            continue;
        };
        let Some(c) = categories.iter().find(|c| c.id == id) else {
            continue;
        };
        let caps: Vec<&str> = cat
            .capabilities
            .iter()
            .filter(|x| x.category == c.id)
            .map(|x| x.id.as_str())
            .collect();
        return Some(format!(
            "{} — {} (a category of {})\n\nCapabilities ({}): {}\nBands: `ripen explain {}`.\n",
            c.id,
            c.title,
            m.id,
            caps.len(),
            caps.join(", "),
            m.id
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every id a JSON report shows (models, the practices of their levels, categories,
    /// capabilities, the rules of evidence) is one `explain` knows.
    #[test]
    fn explain_accepts_every_id_a_report_shows() {
        let cat = Catalogue::load(&[]).expect("built-in rules");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/full-level4");
        let report = crate::pipeline::scan(&root, &cat, &Default::default()).expect("scan");
        let j = serde_json::to_value(&report).expect("json");
        let mut ids: Vec<String> = Vec::new();
        for (id, m) in j["models"].as_object().expect("models") {
            ids.push(id.clone());
            for l in m["levels"].as_array().into_iter().flatten() {
                for k in ["required", "expected"] {
                    for p in l[k].as_array().into_iter().flatten() {
                        ids.push(p["id"].as_str().expect("practice id").to_string());
                    }
                }
            }
            ids.extend(
                m["categories"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(c, _)| c.clone()),
            );
        }
        for c in j["capabilities"].as_array().expect("capabilities") {
            ids.push(c["id"].as_str().expect("id").to_string());
            for e in c["evidence"].as_array().into_iter().flatten() {
                ids.extend(e["rule"].as_str().map(str::to_string));
            }
        }
        assert!(ids.iter().any(|i| i == "ci_on_code_change"), "{ids:?}");
        assert!(ids.iter().any(|i| i == "processes"), "{ids:?}");
        for id in &ids {
            assert!(explain(&cat, id).is_some(), "`ripen explain {id}` fails");
        }
    }
}
