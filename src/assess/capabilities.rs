//! Stage 6: evidence grouped into capabilities, each with its best tier and an honest state
//! (docs/levels.md): `observed`, `no_evidence` (never "absent": it may live elsewhere) or
//! `not_observable` (cannot be seen in a repository at all).

use crate::catalogue::Catalogue;
use crate::config::ScanOptions;
use crate::model::{Attestation, CapabilityResult, Evidence, State, Tier};
use std::collections::HashMap;

/// Evidence kept per capability in the report; the rest is counted. Levels are decided on
/// all of it first.
pub(crate) const EVIDENCE_CAP: usize = 50;

pub(crate) fn cap_evidence(caps: &mut [CapabilityResult]) {
    for c in caps {
        c.evidence.truncate(EVIDENCE_CAP);
    }
}

pub(crate) fn assess(cat: &Catalogue, mut evidence: Vec<Evidence>) -> Vec<CapabilityResult> {
    evidence.sort_by(|a, b| {
        b.tier
            .cmp(&a.tier)
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    // Moved, not copied, into their capabilities (the sort order is kept within each).
    let mut by_cap: HashMap<String, Vec<Evidence>> = HashMap::new();
    for e in evidence {
        match by_cap.get_mut(&e.capability) {
            Some(v) => v.push(e),
            None => {
                by_cap.insert(e.capability.clone(), vec![e]);
            }
        }
    }
    cat.capabilities
        .iter()
        .map(|c| {
            let evs: Vec<Evidence> = by_cap.remove(&c.id).unwrap_or_default();
            let tier = evs.iter().map(|e| e.tier).max().unwrap_or(Tier::None);
            let state = if !c.observable {
                State::NotObservable
            } else if evs.is_empty() {
                State::NoEvidence
            } else {
                State::Observed
            };
            let total = evs.len();
            CapabilityResult {
                id: c.id.clone(),
                title: c.title.clone(),
                category: c.category.clone(),
                state,
                tier,
                evidence: evs,
                evidence_total: total,
                attested: None,
                definition: c.definition.trim().to_string(),
                remediation: c.remediation.trim().to_string(),
            }
        })
        .collect()
}

/// Stage 6 with the config's attestations applied (unless `--no-attestations`).
pub(crate) fn assess_with_attestations(
    cat: &Catalogue,
    opts: &ScanOptions,
    evs: Vec<Evidence>,
) -> Vec<CapabilityResult> {
    let mut caps = assess(cat, evs);
    for a in opts.attestations.iter().filter(|_| !opts.no_attestations) {
        if let Some(c) = caps.iter_mut().find(|c| c.id == a.capability) {
            c.attested = Some(Attestation {
                reason: a.reason.clone(),
                link: a.link.clone(),
            });
        }
    }
    caps
}
