//! Several repositories at once: `ripen scan A B C` reports each and a summary; `--as-system`
//! merges the evidence of repositories that make one ML system (training, serving,
//! infrastructure) into one verdict.
//!
//! Each repository is scanned on its own first, so automation edges (a workflow running a
//! script) stay within the repository that holds both; only the finished evidence is merged,
//! with paths prefixed by the repository's name.

use crate::assess::capabilities;
use crate::catalogue::Catalogue;
use crate::config::ScanOptions;
use crate::model::{Evidence, Hop, Outcome, Report};
use serde::Serialize;
use std::collections::BTreeMap;

/// One line of the summary table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SummaryRow {
    /// The repository's name (as used for `--as-system` prefixes).
    pub name: String,
    pub root: String,
    /// Staged models' levels (`google`, `azure`, …).
    pub levels: BTreeMap<String, Option<u32>>,
    /// Category models' indicative bands (`gigaom` → category → band).
    pub bands: BTreeMap<String, BTreeMap<String, Option<u32>>>,
    pub ml_project: bool,
    /// Every `--fail-under` target is met.
    pub targets_met: bool,
}

pub(crate) fn summary_row(name: &str, r: &Report) -> SummaryRow {
    let mut levels = BTreeMap::new();
    let mut bands = BTreeMap::new();
    for (id, m) in &r.models {
        match &m.outcome {
            Outcome::Categories(cats) => {
                bands.insert(
                    id.clone(),
                    cats.by_id
                        .iter()
                        .map(|(c, v)| (c.clone(), v.band))
                        .collect(),
                );
            }
            Outcome::Staged(s) => {
                levels.insert(id.clone(), Some(s.level));
            }
        }
    }
    SummaryRow {
        name: name.to_string(),
        root: r.root.clone(),
        levels,
        bands,
        ml_project: r.ml_project.detected,
        targets_met: r.targets.iter().all(|t| t.met),
    }
}

/// `{"repositories": [...], "summary": [...]}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Multi {
    pub schema_version: u32,
    pub tool: crate::model::Tool,
    pub repositories: Vec<Report>,
    pub summary: Vec<SummaryRow>,
}

/// Names that tell repositories apart: the last path component, made unique.
pub(crate) fn unique_names(names: Vec<String>) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    names
        .into_iter()
        .map(|n| {
            let k = seen.entry(n.clone()).or_insert(0);
            *k += 1;
            if *k == 1 { n } else { format!("{n}-{k}") }
        })
        .collect()
}

pub(crate) fn prefixed(name: &str, p: &str) -> String {
    if p.is_empty() {
        name.to_string()
    } else {
        format!("{name}/{p}")
    }
}

pub(crate) fn prefix_hops(name: &str, hops: &mut [Hop]) {
    for h in hops {
        h.path = prefixed(name, &h.path);
    }
}

/// One verdict for several repositories: their evidence together, paths prefixed with each
/// repository's name, read through the models again. Capabilities count from whichever
/// repository shows them (training in one, deployment in another).
pub(crate) fn merge(
    cat: &Catalogue,
    parts: &[(String, Report)],
    opts: &ScanOptions,
) -> Option<Report> {
    let (_, first) = parts.first()?;
    let mut evs: Vec<Evidence> = Vec::new();
    let mut r = first.clone();
    r.root = parts
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    r.ml_project.detected = parts.iter().any(|(_, p)| p.ml_project.detected);
    r.ml_project.signals.clear();
    r.automation.entry_points.clear();
    r.automation.unresolved.clear();
    r.committed_artifacts.clear();
    r.warnings = vec![format!(
        "system verdict over {} repositories ({}); automation chains stay within each repository",
        parts.len(),
        r.root
    )];
    r.targets.clear();
    r.readme = None;
    r.history = None;
    let mut stats = first.stats.clone();
    stats.files_seen = 0;
    stats.files_read = 0;
    stats.bytes_read = 0;
    stats.skipped = Default::default();
    for (name, p) in parts {
        for c in &p.capabilities {
            for e in &c.evidence {
                let mut e = e.clone();
                e.capability = c.id.clone();
                e.path = prefixed(name, &e.path);
                prefix_hops(name, &mut e.chain);
                evs.push(e);
            }
        }
        r.ml_project
            .signals
            .extend(p.ml_project.signals.iter().map(|s| prefixed(name, s)));
        for ep in &p.automation.entry_points {
            let mut ep = ep.clone();
            ep.path = prefixed(name, &ep.path);
            r.automation.entry_points.push(ep);
        }
        for u in &p.automation.unresolved {
            let mut u = u.clone();
            u.path = prefixed(name, &u.path);
            prefix_hops(name, &mut u.chain);
            r.automation.unresolved.push(u);
        }
        for a in &p.committed_artifacts {
            let mut a = a.clone();
            a.path = prefixed(name, &a.path);
            r.committed_artifacts.push(a);
        }
        r.warnings
            .extend(p.warnings.iter().take(50).map(|w| format!("{name}: {w}")));
        stats.files_seen += p.stats.files_seen;
        stats.files_read += p.stats.files_read;
        stats.bytes_read += p.stats.bytes_read;
        let (s, t) = (&mut stats.skipped, &p.stats.skipped);
        s.too_large += t.too_large;
        s.binary += t.binary;
        s.unreadable += t.unreadable;
        s.symlinks += t.symlinks;
        s.special += t.special;
        s.excluded += t.excluded;
        s.files
            .extend(t.files.iter().map(|f| crate::model::SkippedFile {
                path: format!("{name}/{}", f.path),
                reason: f.reason.clone(),
            }));
    }
    stats.skipped.settle();
    r.ml_project.signals.truncate(10);
    r.stats = stats;
    let gate_evs = crate::assess::gate::gate_evidence(opts, &evs);
    if let Some(w) =
        crate::assess::gate::repository_rules_warning(&crate::assess::gate::repository_rules(&evs))
    {
        r.warnings.insert(0, w);
    }
    let mut caps = crate::assess::capabilities::assess_with_attestations(cat, opts, evs);
    r.models = crate::assess::models::evaluate(cat, &caps);
    r.gate_models = gate_evs.map(|evs| crate::assess::gate::gate_models(cat, opts, evs, &r.models));
    capabilities::cap_evidence(&mut caps);
    r.capabilities = caps;
    r.config = opts.config.clone();
    crate::assess::waivers::apply(
        &mut r,
        &opts.attestations,
        !opts.no_attestations,
        &opts.waivers,
        opts.today.unwrap_or_else(crate::model::Date::today),
    );
    Some(r)
}
