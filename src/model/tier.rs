//! Evidence tiers (docs/levels.md, "Evidence tiers").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Evidence tiers (docs/levels.md), ordered so that `max` gives the best.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    None,
    Mentioned,
    Implemented,
    Automated,
}

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::None => "none",
            Tier::Mentioned => "mentioned",
            Tier::Implemented => "implemented",
            Tier::Automated => "automated",
        }
    }
    pub(crate) fn short(self) -> &'static str {
        match self {
            Tier::None => "T0",
            Tier::Mentioned => "T1",
            Tier::Implemented => "T2",
            Tier::Automated => "T3",
        }
    }
}
