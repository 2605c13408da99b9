//! Stage 7½: what the configuration declares about the repository, applied to the finished
//! levels. Attestations are recorded apart from evidence (they were already counted by
//! `levels`, as an implemented practice); waivers are applied here.
//!
//! Waiver semantics: a waiver names a capability. While it is active (today is on or before
//! `expires`), every practice of a staged model that is *not met* and lists that capability
//! among its alternatives is marked `waived`. Waived practices never become evidence: the
//! model's `level` is unchanged; `level_with_waivers` is the level reached when waived
//! practices count as met, and that is the level a `fail_under` target is checked against.
//! An expired waiver counts for nothing and is reported (`status: expired`, and a warning). A
//! waiver that covers no missing practice is reported as `unused`.

use crate::config::{Attestation, Waiver};
use crate::model::{
    AttestationEntry, AttestationStatus, Date, ModelResult, Outcome, Report, WaiverEntry,
    WaiverStatus,
};
use std::collections::BTreeMap;

/// Records attestations (`enabled` false: listed as ignored) and applies waivers as of `today`.
pub(crate) fn apply(
    report: &mut Report,
    attestations: &[Attestation],
    enabled: bool,
    waivers: &[Waiver],
    today: Date,
) {
    report.attestations = attestations
        .iter()
        .map(|a| AttestationEntry {
            capability: a.capability.clone(),
            reason: a.reason.clone(),
            link: a.link.clone(),
            line: (a.line > 0).then_some(a.line),
            status: if enabled {
                AttestationStatus::Applied
            } else {
                AttestationStatus::Ignored
            },
        })
        .collect();

    let mut entries: Vec<WaiverEntry> = waivers
        .iter()
        .map(|w| WaiverEntry {
            capability: w.capability.clone(),
            reason: w.reason.clone(),
            expires: w.expires,
            line: (w.line > 0).then_some(w.line),
            status: if today > w.expires {
                WaiverStatus::Expired
            } else {
                WaiverStatus::Active
            },
            applies_to: Vec::new(),
        })
        .collect();

    waive(&mut report.models, &mut entries);
    // The gate's own view (ripen's rules only, or without attestations) gets the same waivers;
    // what they cover is recorded once, from the report's models.
    if let Some(gate) = report.gate_models.as_mut() {
        waive(gate, &mut entries.clone());
    }

    for w in entries.iter_mut() {
        let at = report
            .config
            .as_deref()
            .map(|c| match w.line {
                Some(l) => format!("{c}:{l}: "),
                None => format!("{c}: "),
            })
            .unwrap_or_default();
        match w.status {
            WaiverStatus::Expired => report.warnings.push(format!(
                "{at}the waiver for `{}` expired on {}: it no longer counts",
                w.capability, w.expires
            )),
            WaiverStatus::Active if w.applies_to.is_empty() => {
                w.status = WaiverStatus::Unused;
                report.warnings.push(format!(
                    "{at}the waiver for `{}` covers no missing practice: it can be removed",
                    w.capability
                ));
            }
            _ => {}
        }
    }
    report.waivers = entries;
}

/// Marks the practices active waivers cover and sets each staged model's `level_with_waivers`.
fn waive(models: &mut BTreeMap<String, ModelResult>, entries: &mut [WaiverEntry]) {
    for (model_id, model) in models.iter_mut() {
        let Outcome::Staged(model) = &mut model.outcome else {
            continue;
        };
        if model.levels.is_empty() {
            continue;
        }
        let mut any = false;
        for level in model.levels.iter_mut() {
            let n = level.level;
            for p in level.required.iter_mut().chain(level.expected.iter_mut()) {
                if p.met {
                    continue;
                }
                let Some(w) = entries.iter_mut().find(|w| {
                    w.status != WaiverStatus::Expired && p.capabilities.contains(&w.capability)
                }) else {
                    continue;
                };
                p.waived = Some(w.capability.clone());
                w.applies_to.push(format!("{model_id} {n} {}", p.id));
                any = true;
            }
        }
        if any {
            let mut reached = 0;
            for level in &model.levels {
                if level.required.iter().all(|p| p.met || p.waived.is_some()) {
                    reached = level.level;
                } else {
                    break;
                }
            }
            model.level_with_waivers = Some(reached.max(model.level));
        }
    }
}
