//! Staged models: level N is reached when the required practices of N and of every level below
//! are met; each level's coverage counts its required and expected practices.

use super::practice;
use crate::catalogue::{Catalogue, Level};
use crate::model::{CapabilityResult, LevelResult, PracticeResult, Staged};
use std::collections::BTreeMap;

pub(crate) fn evaluate(
    cat: &Catalogue,
    caps: &BTreeMap<&str, &CapabilityResult>,
    model_levels: &[Level],
) -> Staged {
    let mut levels = Vec::new();
    let mut all_below = true;
    let mut reached = 0;
    for l in model_levels {
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
    Staged {
        level: reached,
        max_level: model_levels.last().map_or(0, |l| l.level),
        level_name: model_levels
            .iter()
            .find(|l| l.level == reached)
            .map(|l| l.name.clone()),
        levels,
        level_with_waivers: None,
    }
}
