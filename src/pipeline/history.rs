//! `ripen history`: the levels at each commit, oldest to newest, read from git's object
//! database (no checkout; the working tree is never touched).
//!
//! Cost grows with what changed, not commits × files: consecutive trees are diffed (libgit2
//! skips identical subtrees), each (path, blob) is scanned once and cached (`git::TreeScanner`),
//! and a commit whose changes cannot affect the levels reuses the previous commit's result.

use crate::catalogue::Catalogue;
use crate::model::{self, CommitInfo, Date, History, HistoryStats, Point, Tool};
use crate::pipeline::ScanOptions;
use crate::pipeline::tree_scanner::{Change, TreeScanner};
use crate::source::git::{self, GitError, SHALLOW_FIX};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct HistoryOptions {
    pub max_commits: usize,
    /// Leave out commits older than this day.
    pub since: Option<Date>,
    /// Follow the first parent of merges only (the branch's main line, each commit compared
    /// with its parent); false walks every reachable commit in date order.
    pub first_parent: bool,
    /// Where the walk starts.
    pub rev: String,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            max_commits: 1000,
            since: None,
            first_parent: true,
            rev: "HEAD".into(),
        }
    }
}

pub fn history(
    root: &Path,
    cat: &Catalogue,
    opts: &ScanOptions,
    hopts: &HistoryOptions,
) -> Result<History, GitError> {
    let repo = git::open(root)?;
    let start = repo.commit(&hopts.rev)?;
    let since = hopts.since.map(model::days_from_civil);
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
                Arc::new(crate::pipeline::assemble::assemble_models(
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
    let mut warnings: Vec<String> = crate::assess::gate::untrusted_note(cat, opts)
        .into_iter()
        .collect();
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
        schema_version: crate::model::SCHEMA_VERSION,
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
