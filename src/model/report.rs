//! The finished report, one model rendered many ways (`render`). Its JSON form is the output
//! contract of docs/levels.md ("Output contract"): fields may be added, never renamed.

use crate::model::{CapabilityResult, Date, EntryPoint, ModelResult, Unresolved};
use serde::Serialize;
use std::collections::BTreeMap;

pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "ripen",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MlProject {
    pub detected: bool,
    /// A few files that show it (framework imports, notebooks, model artefacts).
    pub signals: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Automation {
    pub entry_points: Vec<EntryPoint>,
    pub unresolved: Vec<Unresolved>,
    /// CI configurations their service never runs from where they lie (seed code, templates,
    /// a sub-folder's or a misnamed file): CI for another repository, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ci_for_another_repository: Vec<CiCopy>,
}

/// A CI configuration that is CI for another repository (docs/levels.md).
#[derive(Debug, Clone, Serialize)]
pub struct CiCopy {
    pub path: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub files_seen: usize,
    pub files_read: usize,
    pub bytes_read: u64,
    pub rules: usize,
    pub skipped: SkipStats,
}

/// A `--fail-under` target and whether the scan meets it.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub model: String,
    pub level: u32,
    pub actual: Option<u32>,
    /// The level counted with active waivers, when a waiver applies to this model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_waivers: Option<u32>,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    /// The scanned root as given on the command line.
    pub root: String,
    pub ml_project: MlProject,
    pub models: BTreeMap<String, ModelResult>,
    pub capabilities: Vec<CapabilityResult>,
    pub automation: Automation,
    /// Model or data binaries found in the tree (a level-0 marker: artefacts in git).
    pub committed_artifacts: Vec<LargeFile>,
    pub stats: Stats,
    pub targets: Vec<Target>,
    pub warnings: Vec<String>,
    /// The configuration file used, relative to the scanned root when inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The repository's README at the root, if any (a location for repository-wide findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readme: Option<String>,
    /// Practices declared satisfied outside the repository (config), apart from evidence.
    pub attestations: Vec<crate::model::AttestationEntry>,
    /// Capabilities accepted as missing (config), with their status.
    pub waivers: Vec<crate::model::WaiverEntry>,
    /// Where files can be browsed (`https://github.com/o/r/blob/SHA/`), for links in Markdown;
    /// set by the caller (e.g. from the GitHub Actions environment), not part of the contract.
    #[serde(skip)]
    pub browse_url: Option<String>,
    /// With `--per-project`: each sub-project of a monorepo, beside the whole-repository verdict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<Project>,
    /// What only git history shows (scans of a git repository): the last change to the
    /// training pipeline and model/data binaries committed in history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::model::RepoHistory>,
}

impl Report {
    pub fn level(&self, model: &str) -> Option<u32> {
        self.models.get(model).and_then(|m| m.level())
    }

    pub fn capability(&self, id: &str) -> Option<&CapabilityResult> {
        self.capabilities.iter().find(|c| c.id == id)
    }

    /// Records whether each target is met; true when all are.
    pub(crate) fn check_targets(&mut self, targets: &[(String, u32)]) -> bool {
        self.targets = targets
            .iter()
            .map(|(m, l)| {
                let actual = self.level(m);
                let with_waivers = self
                    .models
                    .get(m)
                    .and_then(|r| r.staged())
                    .and_then(|s| s.level_with_waivers);
                Target {
                    model: m.clone(),
                    level: *l,
                    actual,
                    with_waivers,
                    met: actual.max(with_waivers).is_some_and(|a| a >= *l),
                }
            })
            .collect();
        self.targets.iter().all(|t| t.met)
    }
}

/// One sub-project's verdict (a directory with its own pyproject, setup.py, dvc.yaml...).
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub path: String,
    pub models: BTreeMap<String, ModelResult>,
    /// Capabilities with any evidence, and their best tier.
    pub capabilities: BTreeMap<String, crate::model::Tier>,
}

/// What the walk left out, reported so that nobody mistakes silence for absence.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SkipStats {
    pub too_large: u64,
    pub binary: u64,
    pub unreadable: u64,
    pub symlinks: u64,
    pub special: u64,
    pub excluded: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LargeFile {
    pub path: String,
    pub size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationStatus {
    /// Counted: satisfies practices that ask for the capability at up to `implemented`.
    Applied,
    /// Listed in the config but switched off by `--no-attestations`.
    Ignored,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttestationEntry {
    pub capability: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Line of the declaration in the config file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub status: AttestationStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// In force and covering at least one missing practice.
    Active,
    /// In force, but nothing it names is missing: it can be removed.
    Unused,
    /// Past its date: counts for nothing.
    Expired,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaiverEntry {
    pub capability: String,
    pub reason: String,
    pub expires: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub status: WaiverStatus,
    /// The practices it accepts as missing, as `model level practice-id`.
    pub applies_to: Vec<String>,
}

/// A model or data file committed at some point, though git keeps it forever.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HistoricBinary {
    pub path: String,
    pub size: u64,
    /// The oldest examined commit that added this content.
    pub commit: String,
    pub date: String,
    /// Whether the same path is still in the scanned tree (HEAD).
    pub in_head: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrainingChange {
    pub commit: String,
    pub date: String,
    pub days_ago: i64,
    /// One training-pipeline file the commit changed.
    pub path: String,
    pub summary: String,
    /// The commit is at a shallow clone's boundary: the change may be older.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub at_least: bool,
}

/// What only history shows, added to a scan of a git repository.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RepoHistory {
    /// Commits examined, newest first from HEAD (at most `--history-commits`).
    pub commits_examined: usize,
    /// More commits exist beyond the limit.
    pub truncated: bool,
    pub shallow: bool,
    /// The newest commit touching a file with model_training or ml_pipeline_orchestration
    /// evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_training_change: Option<TrainingChange>,
    /// Model and data binaries over the size limit committed in the examined history.
    pub binaries_in_history: Vec<HistoricBinary>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
