//! A maturity model's verdict: levels with their practices, or categories with their bands.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct PracticeResult {
    pub id: String,
    pub title: String,
    pub met: bool,
    /// The capabilities that would satisfy it, with the tier each needs.
    pub satisfied_by: Vec<String>,
    /// The evidence that satisfied it, as `path:line` (rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The file of that evidence (what [`ModelResult::cites`] asks about).
    #[serde(skip)]
    pub evidence_path: Option<String>,
    pub remediation: String,
    /// The capability ids of the alternatives, in order (`satisfied_by` labels them).
    pub capabilities: Vec<String>,
    /// Not met, but a waiver in the config accepts the gap: the capability it waives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelResult {
    pub level: u32,
    pub name: String,
    /// This level and every level below have their required practices.
    pub met: bool,
    /// Share of this level's required + expected practices present (0..1).
    pub coverage: f64,
    pub missing_required: Vec<String>,
    pub missing_expected: Vec<String>,
    pub required: Vec<PracticeResult>,
    pub expected: Vec<PracticeResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryResult {
    pub title: String,
    /// Indicative band 0-4, or null when nothing in the category can be seen in a repository.
    pub band: Option<u32>,
    pub capabilities: Vec<String>,
    pub implemented_share: f64,
    pub automated_share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelResult {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Reached level for staged models; null for category models.
    pub level: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_level: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_name: Option<String>,
    pub levels: Vec<LevelResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<BTreeMap<String, CategoryResult>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The level counted for `fail_under` when active waivers accept missing practices; set
    /// only when a waiver applies to this model. `level` stays the level the evidence shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_with_waivers: Option<u32>,
}

impl ModelResult {
    /// Whether a practice of this model names evidence in `path` as what satisfied it.
    pub fn cites(&self, path: &str) -> bool {
        self.levels
            .iter()
            .flat_map(|l| l.required.iter().chain(&l.expected))
            .any(|p| p.evidence_path.as_deref() == Some(path))
    }
}
