//! A capability's verdict: its best tier, an honest state and its evidence.

use crate::model::{Evidence, Tier};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Observed,
    NoEvidence,
    NotObservable,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CapabilityResult {
    pub id: String,
    pub title: String,
    /// Its category in the categories models (GigaOm).
    pub category: String,
    pub state: State,
    pub tier: Tier,
    /// Best first: automated, then implemented, then mentioned.
    pub evidence: Vec<Evidence>,
    /// How many records there were before the list was capped.
    pub evidence_total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attested: Option<Attestation>,
    /// What the capability is, and how to get it (from the catalogue).
    pub definition: String,
    pub remediation: String,
}

/// A practice satisfied outside the repository, declared in the config (docs/levels.md, "Reporting").
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Attestation {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}
