//! `ripen diff`'s result: both sides' models and what changed between them.

use crate::model::{CommitInfo, ModelResult, Report, Tool};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Side {
    /// The revision as given; null for the working tree.
    pub rev: Option<String>,
    /// The commit it resolved to; null for the working tree.
    pub commit: Option<CommitInfo>,
    pub models: BTreeMap<String, ModelResult>,
    /// Each staged model's level as a gate counts it (`--fail-on-regression` compares these):
    /// without evidence from the repository's own rules, attestations or waivers unless the
    /// caller trusts them (`--trust-*`), as `scan --fail-under` judges.
    pub gated: BTreeMap<String, Option<u32>>,
    #[serde(skip)]
    pub report: Report,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A staged model's level (Google, Azure).
    Level,
    /// A category model's indicative band (GigaOm).
    Band,
    /// A capability's best tier.
    Capability,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From nothing to something (a capability with no evidence before).
    Gained,
    Raised,
    Lowered,
    /// From something to nothing.
    Lost,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Change {
    pub kind: ChangeKind,
    /// The model (level, band) or capability id.
    pub id: String,
    /// The GigaOm category, for `band` changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub title: String,
    /// A level or band (number, or null), or a tier (`none` … `automated`).
    pub from: serde_json::Value,
    pub to: serde_json::Value,
    pub direction: Direction,
    /// A staged model's level as a gate counts it ([`Side::gated`]) went down: what
    /// `--fail-on-regression` fails on.
    pub regression: bool,
    /// For capabilities: the best evidence that appeared (gained, raised) or went away (lost,
    /// lowered), as `path:line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Diff {
    pub schema_version: u32,
    pub tool: Tool,
    pub root: String,
    pub base: Side,
    pub head: Side,
    /// Levels first, then bands, then capabilities.
    pub changes: Vec<Change>,
    /// Any staged model's level, as a gate counts it, is lower at head than at base.
    pub regression: bool,
    pub warnings: Vec<String>,
}
