//! Stage 7: capabilities read through each maturity model (spec §3.1).
//!
//! Staged models are cumulative: level N needs the required practices of N and of every level
//! below. Coverage per level is always given, so a team "ahead" on a higher level sees it.
//! GigaOm is read as five categories with an indicative band, labelled as ripen's derivation.

use crate::catalogue::{Alternative, Catalogue, Category, Model, ModelKind, Practice, TriggerReq};
use crate::model::{
    CapabilityResult, CategoryResult, Evidence, LevelResult, ModelResult, PracticeResult, State,
    Tier,
};
use std::collections::BTreeMap;

pub(crate) fn trigger_ok(e: &Evidence, req: Option<TriggerReq>) -> bool {
    match req {
        None => true,
        Some(TriggerReq::CodeChange) => e.triggers.iter().any(|t| t.kind.is_code_change()),
        Some(TriggerReq::Recurring) => e.triggers.iter().any(|t| t.kind.is_recurring()),
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

pub fn evaluate(cat: &Catalogue, caps: &[CapabilityResult]) -> BTreeMap<String, ModelResult> {
    let by_id: BTreeMap<&str, &CapabilityResult> =
        caps.iter().map(|c| (c.id.as_str(), c)).collect();
    cat.models
        .iter()
        .map(|m| {
            (
                m.id.clone(),
                match m.kind {
                    ModelKind::Staged => staged(cat, &by_id, m),
                    ModelKind::Categories => categories(m, caps),
                },
            )
        })
        .collect()
}

pub(crate) fn staged(
    cat: &Catalogue,
    caps: &BTreeMap<&str, &CapabilityResult>,
    m: &Model,
) -> ModelResult {
    let mut levels = Vec::new();
    let mut all_below = true;
    let mut reached = 0;
    for l in &m.levels {
        let required: Vec<PracticeResult> =
            l.required.iter().map(|p| practice(cat, caps, p)).collect();
        let expected: Vec<PracticeResult> =
            l.expected.iter().map(|p| practice(cat, caps, p)).collect();
        let own = required.iter().all(|p| p.met);
        let met = all_below && own;
        if met {
            reached = l.level;
        }
        all_below = met;
        let total = required.len() + expected.len();
        let present = required.iter().chain(&expected).filter(|p| p.met).count();
        levels.push(LevelResult {
            level: l.level,
            name: l.name.clone(),
            met,
            coverage: if total == 0 {
                1.0
            } else {
                (present as f64 / total as f64 * 1000.0).round() / 1000.0
            },
            missing_required: required
                .iter()
                .filter(|p| !p.met)
                .map(|p| p.id.clone())
                .collect(),
            missing_expected: expected
                .iter()
                .filter(|p| !p.met)
                .map(|p| p.id.clone())
                .collect(),
            required,
            expected,
        });
    }
    ModelResult {
        title: m.title.clone(),
        source: m.source.clone(),
        level: Some(reached),
        max_level: m.levels.last().map(|l| l.level),
        level_name: m
            .levels
            .iter()
            .find(|l| l.level == reached)
            .map(|l| l.name.clone()),
        levels,
        categories: None,
        note: m.note.clone(),
        level_with_waivers: None,
    }
}

pub(crate) fn categories(m: &Model, caps: &[CapabilityResult]) -> ModelResult {
    let mut out = BTreeMap::new();
    for cat in Category::ALL {
        let members: Vec<&CapabilityResult> = caps
            .iter()
            .filter(|c| c.category == cat && c.state != State::NotObservable)
            .collect();
        let n = members.len();
        let implemented = members
            .iter()
            .filter(|c| c.tier >= Tier::Implemented || c.attested.is_some())
            .count();
        let automated = members.iter().filter(|c| c.tier >= Tier::Automated).count();
        let share = |k: usize| {
            if n == 0 {
                0.0
            } else {
                (k as f64 / n as f64 * 1000.0).round() / 1000.0
            }
        };
        let band = if n == 0 {
            None
        } else if automated == n {
            Some(4)
        } else if automated * 2 > n {
            Some(3)
        } else if implemented * 2 > n {
            Some(2)
        } else if implemented > 0 {
            Some(1)
        } else {
            Some(0)
        };
        let mut title = cat.id().to_string();
        title[..1].make_ascii_uppercase();
        out.insert(
            cat.id().to_string(),
            CategoryResult {
                title,
                band,
                capabilities: members.iter().map(|c| c.id.clone()).collect(),
                implemented_share: share(implemented),
                automated_share: share(automated),
            },
        );
    }
    ModelResult {
        title: m.title.clone(),
        source: m.source.clone(),
        level: None,
        max_level: None,
        level_name: None,
        levels: Vec::new(),
        categories: Some(out),
        note: m.note.clone(),
        level_with_waivers: None,
    }
}
