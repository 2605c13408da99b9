//! Category models (GigaOm): each category's observable capabilities, the shares of them
//! implemented and automated, and the band the model's `bands` give.

use crate::catalogue::{Band, CategoryDef};
use crate::model::{CapabilityResult, Categories, CategoryResult, State, Tier};
use std::collections::BTreeMap;

pub(crate) fn evaluate(
    categories: &[CategoryDef],
    bands: &[Band],
    caps: &[CapabilityResult],
) -> Categories {
    let mut by_id = BTreeMap::new();
    for cat in categories {
        let members: Vec<&CapabilityResult> = caps
            .iter()
            .filter(|c| c.category == cat.id && c.state != State::NotObservable)
            .collect();
        let n = members.len();
        // Attested capabilities count as implemented, never as automated.
        let at = |tier: Tier| {
            members
                .iter()
                .filter(|c| c.tier >= tier || (tier <= Tier::Implemented && c.attested.is_some()))
                .count()
        };
        let share = |k: usize| {
            if n == 0 {
                0.0
            } else {
                (k as f64 / n as f64 * 1000.0).round() / 1000.0
            }
        };
        let band = (n > 0)
            .then(|| {
                bands
                    .iter()
                    .find(|b| b.condition.is_none_or(|(tier, s)| s.holds(at(tier), n)))
                    .map(|b| b.band)
            })
            .flatten();
        by_id.insert(
            cat.id.clone(),
            CategoryResult {
                title: cat.title.clone(),
                band,
                capabilities: members.iter().map(|c| c.id.clone()).collect(),
                implemented_share: share(at(Tier::Implemented)),
                automated_share: share(at(Tier::Automated)),
            },
        );
    }
    Categories {
        by_id,
        order: categories.iter().map(|c| c.id.clone()).collect(),
        max_band: bands.iter().map(|b| b.band).max().unwrap_or(0),
    }
}
