//! Stage 7: capabilities read through each maturity model (docs/levels.md, "Staged gates").
//!
//! Staged models are cumulative: level N needs the required practices of N and of every level
//! below. Coverage per level is always given, so a team "ahead" on a higher level sees it.
//! GigaOm is read as five categories with an indicative band, labelled as ripen's derivation.

mod categories;
mod staged;

use crate::catalogue::{Alternative, Catalogue, Practice, Scale, TriggerReq};
use crate::model::{CapabilityResult, Evidence, ModelResult, Outcome, PracticeResult, State, Tier};
use std::collections::BTreeMap;

pub(crate) fn trigger_ok(e: &Evidence, req: Option<TriggerReq>) -> bool {
    match req {
        None => true,
        Some(TriggerReq::CodeChange) => e.triggers.iter().any(|t| t.kind.is_code_change()),
        Some(TriggerReq::Recurring) => e.triggers.iter().any(|t| t.kind.is_recurring()),
        Some(TriggerReq::Unattended) => e.triggers.iter().any(|t| !t.kind.is_manual()),
    }
}

pub(crate) fn alternative_evidence<'a>(
    caps: &'a BTreeMap<&str, &CapabilityResult>,
    alt: &Alternative,
) -> Option<&'a Evidence> {
    let c = caps.get(alt.capability.as_str())?;
    if c.state != State::Observed && c.attested.is_none() {
        return None;
    }
    c.evidence.iter().find(|e| {
        e.tier >= alt.tier
            && (alt.tier < Tier::Automated || trigger_ok(e, alt.trigger))
            && alt.facet.as_ref().is_none_or(|f| e.facets.contains(f))
    })
}

pub(crate) fn alt_label(a: &Alternative) -> String {
    let mut s = format!("{} ({})", a.capability, a.tier.label());
    if let Some(t) = a.trigger {
        s.push_str(match t {
            TriggerReq::CodeChange => " on push/PR",
            TriggerReq::Recurring => " on a schedule or event",
            TriggerReq::Unattended => " started without a person",
        });
    }
    if let Some(f) = &a.facet {
        s.push_str(&format!(" [{f}]"));
    }
    s
}

pub(crate) fn practice(
    cat: &Catalogue,
    caps: &BTreeMap<&str, &CapabilityResult>,
    p: &Practice,
) -> PracticeResult {
    let mut evidence = None;
    let mut evidence_path = None;
    let mut met = false;
    for alt in &p.any {
        // An attestation satisfies a practice as if implemented (never as automated by itself
        // unless the gate only asks for implemented).
        let attested = caps
            .get(alt.capability.as_str())
            .is_some_and(|c| c.attested.is_some())
            && alt.tier <= Tier::Implemented
            && alt.facet.is_none();
        if let Some(e) = alternative_evidence(caps, alt) {
            met = true;
            evidence = Some(match e.line {
                Some(l) => format!("{}:{} ({})", e.path, l, e.rule),
                None => format!("{} ({})", e.path, e.rule),
            });
            evidence_path = Some(e.path.clone());
            break;
        }
        if attested {
            met = true;
            evidence = Some(format!("attested in config ({})", alt.capability));
            break;
        }
    }
    let remediation = p.remediation.clone().unwrap_or_else(|| {
        cat.capability(&p.any[0].capability)
            .map(|c| c.remediation.clone())
            .unwrap_or_default()
    });
    PracticeResult {
        id: p.id.clone(),
        title: p.title.clone(),
        met,
        satisfied_by: p.any.iter().map(alt_label).collect(),
        evidence,
        evidence_path,
        remediation,
        capabilities: p.any.iter().map(|a| a.capability.clone()).collect(),
        waived: None,
    }
}

pub(crate) fn evaluate(
    cat: &Catalogue,
    caps: &[CapabilityResult],
) -> BTreeMap<String, ModelResult> {
    let by_id: BTreeMap<&str, &CapabilityResult> =
        caps.iter().map(|c| (c.id.as_str(), c)).collect();
    cat.models
        .iter()
        .map(|m| {
            let outcome = match &m.scale {
                Scale::Levels(levels) => Outcome::Staged(staged::evaluate(cat, &by_id, levels)),
                Scale::Categories { categories, bands } => {
                    Outcome::Categories(categories::evaluate(categories, bands, caps))
                }
            };
            (
                m.id.clone(),
                ModelResult {
                    title: m.title.clone(),
                    source: m.source.clone(),
                    outcome,
                    note: m.note.clone(),
                },
            )
        })
        .collect()
}
