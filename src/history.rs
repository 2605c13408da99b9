//! `ripen history`: the levels at each commit, oldest to newest, read from git's object
//! database (no checkout; the working tree is never touched).
//!
//! Cost grows with what changed, not commits × files: consecutive trees are diffed (libgit2
//! skips identical subtrees), each (path, blob) is scanned once and cached (`git::TreeScanner`),
//! and a commit whose changes cannot affect the levels reuses the previous commit's result.

use crate::config::Date;
use crate::git::{self, CacheStats, Change, CommitInfo, GitError, SHALLOW_FIX, TreeScanner};
use crate::levels::ModelResult;
use crate::report::{self, Tool};
use crate::rules::Catalogue;
use crate::scan::ScanOptions;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct HistoryOptions {
    pub max_commits: usize,
    /// Leave out commits older than this day.
    pub since: Option<Date>,
    pub first_parent: bool,
    /// Where the walk starts.
    pub rev: String,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            max_commits: 1000,
            since: None,
            first_parent: false,
            rev: "HEAD".into(),
        }
    }
}

/// A commit's models. Consecutive commits whose changes cannot move a model share one.
pub type Models = Arc<BTreeMap<String, ModelResult>>;

#[derive(Debug, Clone, Serialize)]
pub struct Point {
    #[serde(flatten)]
    pub commit: CommitInfo,
    /// As in `ripen scan`'s report.
    pub models: Models,
}

impl Point {
    pub fn level(&self, model: &str) -> Option<u32> {
        self.models.get(model).and_then(|m| m.level)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryStats {
    pub commits: usize,
    /// Σ files over all commits: what a scan of every checkout would have read.
    pub file_visits: u64,
    #[serde(flatten)]
    pub cache: CacheStats,
}

#[derive(Debug, Clone, Serialize)]
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

pub fn history(
    root: &Path,
    cat: &Catalogue,
    opts: &ScanOptions,
    hopts: &HistoryOptions,
) -> Result<History, GitError> {
    let repo = git::open(root)?;
    let start = repo.commit(&hopts.rev)?;
    let since = hopts.since.map(git::days_from_civil);
    let (oids, truncated) = git::commits(
        &repo,
        start.id(),
        hopts.max_commits,
        since,
        hopts.first_parent,
    )?;
    let mut scanner = TreeScanner::new(&repo, cat, &opts.walk)?;
    scanner.levels_only(cat);
    let mut points: Vec<Point> = Vec::with_capacity(oids.len());
    let mut file_visits = 0;
    let root_name = root.display().to_string();
    for oid in oids {
        let c = repo.repo.find_commit(oid)?;
        let tree = repo.subtree(&c)?;
        let change = scanner.advance(tree.as_ref())?;
        let models = match (points.last(), change) {
            (Some(prev), Change::Nothing) => Arc::clone(&prev.models),
            // Evidence moved within files no practice cites: the citations stay first.
            (Some(prev), Change::Lines(paths))
                if !prev
                    .models
                    .values()
                    .any(|m| paths.iter().any(|p| m.cites(p))) =>
            {
                Arc::clone(&prev.models)
            }
            _ => {
                let snap = scanner.snapshot(&root_name);
                file_visits += snap.tree.files.len() as u64;
                scanner.stats.trees_assembled += 1;
                Arc::new(crate::scan::assemble_models(
                    cat, opts, snap.tree, snap.scans,
                ))
            }
        };
        points.push(Point {
            commit: CommitInfo::of(&c),
            models,
        });
    }
    let shallow = repo.is_shallow();
    let mut warnings = Vec::new();
    if shallow {
        warnings.push(format!(
            "shallow clone: history starts at {} (the commits before it are not in this clone), so the timeline is incomplete; {SHALLOW_FIX}",
            points
                .first()
                .map(|p| p.commit.short().to_string())
                .unwrap_or_else(|| "HEAD".into())
        ));
    }
    if truncated {
        warnings.push(format!(
            "only the newest {} commits are shown (--max-commits)",
            hopts.max_commits
        ));
    }
    if !repo.prefix.is_empty() {
        warnings.push(format!(
            "scanning `{}` inside the repository at {}",
            repo.prefix.trim_end_matches('/'),
            repo.repo.workdir().unwrap_or(repo.repo.path()).display()
        ));
    }
    Ok(History {
        schema_version: report::SCHEMA_VERSION,
        tool: Tool::default(),
        root: root_name,
        stats: HistoryStats {
            commits: points.len(),
            file_visits,
            cache: scanner.stats,
        },
        commits: points,
        truncated,
        shallow,
        warnings,
    })
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
            if m.level.is_none() {
                continue;
            }
            let before = w[0].level(id);
            if before != m.level {
                out.push(Transition {
                    index: i + 1,
                    model: id.clone(),
                    from: before,
                    to: m.level,
                });
            }
        }
    }
    out
}
