//! Stage 8: the finished report, one model rendered many ways (`render`). Its JSON form is the
//! output contract of spec §5: fields may be added, never renamed.

use crate::automation::{EntryPoint, Unresolved};
use crate::capabilities::CapabilityResult;
use crate::levels::ModelResult;
use crate::walk::{LargeFile, SkipStats};
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA_VERSION: u32 = 1;

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
    pub attestations: Vec<crate::waivers::AttestationEntry>,
    /// Capabilities accepted as missing (config), with their status.
    pub waivers: Vec<crate::waivers::WaiverEntry>,
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
    pub history: Option<crate::git::RepoHistory>,
}

impl Report {
    pub fn level(&self, model: &str) -> Option<u32> {
        self.models.get(model).and_then(|m| m.level)
    }

    pub fn capability(&self, id: &str) -> Option<&CapabilityResult> {
        self.capabilities.iter().find(|c| c.id == id)
    }

    /// Records whether each target is met; true when all are.
    pub fn check_targets(&mut self, targets: &[(String, u32)]) -> bool {
        self.targets = targets
            .iter()
            .map(|(m, l)| {
                let actual = self.level(m);
                let with_waivers = self.models.get(m).and_then(|r| r.level_with_waivers);
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
    pub capabilities: BTreeMap<String, crate::rules::Tier>,
}
