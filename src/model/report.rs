//! The finished report, one model rendered many ways (`render`). Its JSON form is the output
//! contract of docs/levels.md ("Output contract"): fields may be added, never renamed.

use crate::model::{CapabilityResult, Date, EntryPoint, ModelResult, Unresolved};
use serde::Serialize;
use std::collections::BTreeMap;

pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MlProject {
    pub detected: bool,
    /// A few files that show it (framework imports, notebooks, model artefacts).
    pub signals: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Automation {
    pub entry_points: Vec<EntryPoint>,
    pub unresolved: Vec<Unresolved>,
    /// CI configurations that run nothing of this repository, with why: CI for another
    /// repository (seed code, templates, a sub-folder's or a misnamed file, one written for
    /// another tree), a retired pipeline, or one that cannot load (it includes a file that
    /// does not parse). The name is kept from when copies were the only kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ci_for_another_repository: Vec<CiCopy>,
}

/// A CI configuration that is CI for another repository (docs/levels.md).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CiCopy {
    pub path: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Stats {
    pub files_seen: usize,
    pub files_read: usize,
    pub bytes_read: u64,
    pub rules: usize,
    pub skipped: SkipStats,
}

/// A `--fail-under` target and whether the scan meets it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Target {
    pub model: String,
    pub level: u32,
    /// The level detected, every rule and attestation counted.
    pub actual: Option<u32>,
    /// The level counted with active waivers, when a waiver applies to this model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_waivers: Option<u32>,
    /// The level the gate judged: from ripen's own (and the caller's) rules, without
    /// attestations or waivers, unless the caller trusts them (`trusted`).
    pub gated: Option<u32>,
    /// What the caller chose to count toward the gate: `repo_rules`, `waivers`,
    /// `attestations`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trusted: Vec<&'static str>,
    pub met: bool,
}

impl Target {
    /// The detected level, what waivers would make it, and what the gate counted when that
    /// differs: "2; 4 with waivers (not counted: --trust-waivers); the gate counts 1 (ripen's
    /// own rules, no attestations)".
    pub fn summary(&self) -> String {
        let n = |l: Option<u32>| l.map_or("–".to_string(), |a| a.to_string());
        let mut s = n(self.actual);
        if let Some(w) = self.with_waivers.filter(|w| Some(*w) != self.actual) {
            s.push_str(&format!("; {w} with waivers"));
            if !self.trusted.contains(&"waivers") {
                s.push_str(" (not counted: --trust-waivers)");
            }
        }
        if self.gated != self.actual {
            s.push_str(&format!(
                "; the gate counts {} (evidence from the repository's own rules and \
                 attestations are not counted unless trusted: --trust-repo-rules, \
                 --trust-attestations)",
                n(self.gated)
            ));
        }
        s
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub projects: Vec<Project>,
    /// What only git history shows (scans of a git repository): the last change to the
    /// training pipeline and model/data binaries committed in history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::model::RepoHistory>,
    /// With `--enclosing-repo`: the sub-directory of the scanned repository (`root`) this
    /// report is about; evidence paths stay relative to `root`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The models as a gate judges them when the scan found something the caller has not
    /// chosen to trust (evidence from the repository's own rules, attestations): evaluated
    /// without it. None: the same as `models`.
    #[serde(skip)]
    pub gate_models: Option<BTreeMap<String, ModelResult>>,
}

/// What the caller of a gate chose to count beyond ripen's own rules and the evidence found.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Trust {
    /// `--trust-repo-rules`: evidence from rules the scanned repository's config loads.
    pub repo_rules: bool,
    /// `--trust-waivers`: the config's active waivers.
    pub waivers: bool,
    /// `--trust-attestations`: the config's attestations.
    pub attestations: bool,
}

impl Report {
    pub fn level(&self, model: &str) -> Option<u32> {
        self.models.get(model).and_then(|m| m.level())
    }

    pub fn capability(&self, id: &str) -> Option<&CapabilityResult> {
        self.capabilities.iter().find(|c| c.id == id)
    }

    /// The level of a staged model a gate counts: on the evidence the caller trusts (without
    /// the repository's own rules and attestations unless trusted, [`Self::gate_models`]),
    /// raised by active waivers only with `trust.waivers`. Every gate asks here: `scan
    /// --fail-under` and `diff --fail-on-regression`.
    pub fn gated_level(&self, model: &str, trust: Trust) -> Option<u32> {
        let basis = self.gate_models.as_ref().unwrap_or(&self.models);
        let gate = basis.get(model);
        let gated = gate.and_then(|r| r.level());
        if trust.waivers {
            let waived = gate
                .and_then(|r| r.staged())
                .and_then(|s| s.level_with_waivers);
            gated.max(waived)
        } else {
            gated
        }
    }

    /// Records whether each target is met; true when all are.
    pub(crate) fn check_targets(&mut self, targets: &[(String, u32)], trust: Trust) -> bool {
        let trusted: Vec<&'static str> = [
            (trust.repo_rules, "repo_rules"),
            (trust.waivers, "waivers"),
            (trust.attestations, "attestations"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        self.targets = targets
            .iter()
            .map(|(m, l)| {
                let actual = self.level(m);
                let with_waivers = self
                    .models
                    .get(m)
                    .and_then(|r| r.staged())
                    .and_then(|s| s.level_with_waivers);
                let gated = self.gated_level(m, trust);
                Target {
                    model: m.clone(),
                    level: *l,
                    actual,
                    with_waivers,
                    gated,
                    trusted: trusted.clone(),
                    met: gated.is_some_and(|a| a >= *l),
                }
            })
            .collect();
        self.targets.iter().all(|t| t.met)
    }
}

/// One sub-project's verdict (a directory with its own pyproject, setup.py, dvc.yaml...).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Project {
    pub path: String,
    pub models: BTreeMap<String, ModelResult>,
    /// Capabilities with any evidence, and their best tier.
    pub capabilities: BTreeMap<String, crate::model::Tier>,
}

/// What the walk left out, reported so that nobody mistakes silence for absence.
#[derive(Debug, Clone, Default, Serialize, PartialEq, schemars::JsonSchema)]
pub struct SkipStats {
    pub too_large: u64,
    pub binary: u64,
    pub unreadable: u64,
    pub symlinks: u64,
    pub special: u64,
    pub excluded: u64,
    /// The first files left out and why (`too large`, `binary`, `symlink`, `special file`,
    /// `unreadable`), at most [`SkipStats::FILES_SHOWN`]; the counts above are complete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<SkippedFile>,
}

/// A file the scan left out, and why.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

impl SkipStats {
    /// How many skipped files a report names.
    pub const FILES_SHOWN: usize = 20;

    /// Names a skipped file (bounded: a parallel walk names up to 1,000, and
    /// [`Self::settle`] keeps the first [`Self::FILES_SHOWN`] by path).
    pub(crate) fn name(&mut self, path: &str, reason: &str) {
        if self.files.len() < 1000 {
            self.files.push(SkippedFile {
                path: path.to_string(),
                reason: reason.to_string(),
            });
        }
    }

    /// The named files in path order, the first [`Self::FILES_SHOWN`] kept: the same report
    /// whatever order a parallel walk met them in.
    pub(crate) fn settle(&mut self) {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.files.dedup();
        self.files.truncate(Self::FILES_SHOWN);
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct LargeFile {
    pub path: String,
    pub size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttestationStatus {
    /// Counted: satisfies practices that ask for the capability at up to `implemented`.
    Applied,
    /// Listed in the config but switched off by `--no-attestations`.
    Ignored,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// In force and covering at least one missing practice.
    Active,
    /// In force, but nothing it names is missing: it can be removed.
    Unused,
    /// Past its date: counts for nothing.
    Expired,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct HistoricBinary {
    pub path: String,
    pub size: u64,
    /// The oldest examined commit that added this content.
    pub commit: String,
    pub date: String,
    /// Whether the same path is still in the scanned tree (HEAD).
    pub in_head: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct TrainingChange {
    pub commit: String,
    pub date: String,
    pub days_ago: i64,
    /// One training-pipeline file the commit changed.
    pub path: String,
    pub summary: String,
    /// The commit is at a shallow clone's boundary: the change may be older.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub at_least: bool,
}

/// What only history shows, added to a scan of a git repository.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
