//! What a gate counts: the models evaluated on the evidence the caller trusts. Evidence from the
//! scanned repository's own rules and its attestations are left out unless the caller opts in
//! (`--trust-repo-rules`, `--trust-attestations`); waivers are applied later, and counted only
//! with `--trust-waivers` ([`crate::model::Report::check_targets`]).

use crate::assess::projects;
use crate::catalogue::Catalogue;
use crate::config::ScanOptions;
use crate::model::{Evidence, ModelResult};
use std::collections::BTreeMap;

/// The evidence a gate counts when it differs from the report's; None: the same.
pub(crate) fn gate_evidence(opts: &ScanOptions, evs: &[Evidence]) -> Option<Vec<Evidence>> {
    let untrusted_rules = !opts.trust.repo_rules && evs.iter().any(|e| e.repository_rule);
    let untrusted_attestations =
        !opts.trust.attestations && !opts.no_attestations && !opts.attestations.is_empty();
    (untrusted_rules || untrusted_attestations).then(|| {
        evs.iter()
            .filter(|e| opts.trust.repo_rules || !e.repository_rule)
            .cloned()
            .collect()
    })
}

/// The models a gate judges, from [`gate_evidence`]: never above the detected `models`.
pub(crate) fn gate_models(
    cat: &Catalogue,
    opts: &ScanOptions,
    evs: Vec<Evidence>,
    models: &BTreeMap<String, ModelResult>,
) -> BTreeMap<String, ModelResult> {
    let caps = gate_capabilities(cat, opts, evs);
    let mut gate = crate::assess::models::evaluate(cat, &caps);
    projects::take_lower(&mut gate, models.clone());
    gate
}

/// The capabilities a gate counts, from [`gate_evidence`]: attestations only when trusted.
pub(crate) fn gate_capabilities(
    cat: &Catalogue,
    opts: &ScanOptions,
    evs: Vec<Evidence>,
) -> Vec<crate::model::CapabilityResult> {
    if opts.trust.attestations {
        crate::assess::capabilities::assess_with_attestations(cat, opts, evs)
    } else {
        crate::assess::capabilities::assess(cat, evs)
    }
}

/// What `ripen history`'s levels leave out, as a gate does: the rules the scanned repository's
/// config loads and its attestations, unless the caller trusts them. None: nothing left out.
pub(crate) fn untrusted_note(cat: &Catalogue, opts: &ScanOptions) -> Option<String> {
    let mut left_out = Vec::new();
    if !opts.trust.repo_rules && cat.rules.iter().any(|r| r.repository) {
        left_out.push("evidence from the rules the repository's config loads (--trust-repo-rules)");
    }
    if !opts.trust.attestations && !opts.no_attestations && !opts.attestations.is_empty() {
        left_out.push("the config's attestations (--trust-attestations)");
    }
    (!left_out.is_empty()).then(|| {
        format!(
            "the levels are those a gate counts: {} not counted",
            left_out.join(" and ")
        )
    })
}

/// The ids of the repository-supplied rules that produced evidence.
pub(crate) fn repository_rules(evs: &[Evidence]) -> Vec<String> {
    let mut ids: Vec<String> = evs
        .iter()
        .filter(|e| e.repository_rule)
        .map(|e| e.rule.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The warning every format shows when repository rules found evidence.
pub(crate) fn repository_rules_warning(ids: &[String]) -> Option<String> {
    (!ids.is_empty()).then(|| {
        format!(
            "[repository rule] evidence from rules the scanned repository supplies ({}): marked \
             in every format; --fail-under counts it only with --trust-repo-rules",
            ids.join(", ")
        )
    })
}
