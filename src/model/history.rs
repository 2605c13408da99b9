//! `ripen history`'s result: the models at each commit, oldest to newest.

use crate::model::{ModelResult, Tool, rfc3339};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A commit's identity as reports show it.
#[derive(Debug, Clone, Serialize, PartialEq, schemars::JsonSchema)]
pub struct CommitInfo {
    pub commit: String,
    /// Committer time, UTC, RFC 3339.
    pub date: String,
    pub summary: String,
    #[serde(skip)]
    pub time: i64,
}

impl CommitInfo {
    pub(crate) fn of(c: &git2::Commit) -> CommitInfo {
        let time = c.time().seconds();
        CommitInfo {
            commit: c.id().to_string(),
            date: rfc3339(time),
            summary: String::from_utf8_lossy(c.summary_bytes().unwrap_or_default())
                .chars()
                .take(120)
                .collect(),
            time,
        }
    }

    pub(crate) fn short(&self) -> &str {
        self.commit.get(..8).unwrap_or(&self.commit)
    }
}

/// Counters that show the cache at work.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, schemars::JsonSchema)]
pub struct CacheStats {
    /// `scan_file` calls: distinct (path, blob) pairs seen.
    pub blobs_scanned: u64,
    /// Blobs whose content was read from the object database.
    pub blobs_read: u64,
    /// Blobs read without running the rules because the project facts make every hit in them
    /// a mention ([`Rules::UnlessMentionsOnly`]). Prose no rule can count ([`Rules::None`]) is
    /// mostly not read at all, and not counted here.
    pub blobs_without_rules: u64,
    /// (path, blob) pairs answered from the cache.
    pub cache_hits: u64,
    /// Trees fully assembled into levels (commits whose relevant files did not change reuse
    /// the previous result).
    pub trees_assembled: u64,
}

/// A commit's models. Consecutive commits whose changes cannot move a model share one.
pub(crate) type Models = Arc<BTreeMap<String, ModelResult>>;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Point {
    #[serde(flatten)]
    pub commit: CommitInfo,
    /// As in `ripen scan`'s report.
    pub models: Models,
}

impl Point {
    pub fn level(&self, model: &str) -> Option<u32> {
        self.models.get(model).and_then(|m| m.level())
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HistoryStats {
    pub commits: usize,
    /// Σ files over all commits: what a scan of every checkout would have read.
    pub file_visits: u64,
    #[serde(flatten)]
    pub cache: CacheStats,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct History {
    pub schema_version: u32,
    pub tool: Tool,
    pub root: String,
    /// Oldest first.
    pub commits: Vec<Point>,
    /// Older commits exist beyond `--max-commits`.
    pub truncated: bool,
    /// A shallow clone: history before the first commit is missing.
    pub shallow: bool,
    pub stats: HistoryStats,
    pub warnings: Vec<String>,
}

/// A level reached or lost between two consecutive commits.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub index: usize,
    pub model: String,
    pub from: Option<u32>,
    pub to: Option<u32>,
}

/// Every change of a staged model's level along the timeline.
pub fn transitions(h: &History) -> Vec<Transition> {
    let mut out = Vec::new();
    for (i, w) in h.commits.windows(2).enumerate() {
        for (id, m) in w[1].models.iter() {
            if m.level().is_none() {
                continue;
            }
            let before = w[0].level(id);
            if before != m.level() {
                out.push(Transition {
                    index: i + 1,
                    model: id.clone(),
                    from: before,
                    to: m.level(),
                });
            }
        }
    }
    out
}
