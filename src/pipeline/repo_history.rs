//! The history facts of a scan of a git repository: the last change to the training pipeline
//! and the model or data binaries committed in history, from tree diffs only.

use crate::catalogue::builtin::capability;
use crate::evidence;
use crate::model::{
    CommitInfo, HistoricBinary, RepoHistory, Report, TrainingChange, days_from_civil,
};
use crate::source::git::{SHALLOW_FIX, open, tree_delta};
use crate::source::skip::under_skipped_dir;
use git2::{Oid, Sort};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Model and data file types that do not belong in git history.
pub(crate) const DATA_EXTENSIONS: &[&str] = &[
    ".parquet",
    ".feather",
    ".arrow",
    ".npy",
    ".npz",
    ".tfrecord",
    ".tfrecords",
    ".avro",
    ".orc",
    ".csv",
    ".tsv",
    ".jsonl",
    ".zarr",
    ".lmdb",
    ".bin",
    ".gguf",
    ".msgpack",
];

pub(crate) fn is_data_binary(rel: &str) -> bool {
    let l = rel.to_ascii_lowercase();
    evidence::is_model_artifact(rel) || DATA_EXTENSIONS.iter().any(|e| l.ends_with(e))
}

/// The training-pipeline files of a report: where model_training or ml_pipeline_orchestration
/// has implemented (or better) evidence.
pub(crate) fn training_files(report: &Report) -> HashSet<String> {
    report
        .capabilities
        .iter()
        .filter(|c| {
            c.id == capability::MODEL_TRAINING || c.id == capability::ML_PIPELINE_ORCHESTRATION
        })
        .flat_map(|c| c.evidence.iter())
        .filter(|e| e.tier >= crate::model::Tier::Implemented)
        .map(|e| e.path.clone())
        .collect()
}

/// Walks at most `max_commits` commits back from HEAD with tree diffs (no blob is read, only
/// sizes of model/data files): the newest change to the training pipeline and the large
/// binaries committed along the way. None when `root` is not in a git repository or the
/// repository has no commits.
pub(crate) fn repo_history(
    root: &Path,
    report: &Report,
    max_commits: usize,
    max_size: u64,
) -> Option<RepoHistory> {
    let repo = open(root).ok()?;
    let head = repo.repo.head().ok()?.peel_to_commit().ok()?;
    let r = &repo.repo;
    let mut walk = r.revwalk().ok()?;
    walk.set_sorting(Sort::TIME).ok()?;
    walk.push(head.id()).ok()?;
    let training: HashSet<String> = training_files(report)
        .into_iter()
        .map(|p| format!("{}{p}", repo.prefix))
        .collect();
    let boundary = repo.shallow_boundary();
    let odb = r.odb().ok()?;
    let today = days_from_civil(crate::model::Date::today());
    let head_tree = head.tree().ok();
    let mut last: Option<TrainingChange> = None;
    let mut found: BTreeMap<(String, Oid), HistoricBinary> = BTreeMap::new();
    let mut examined = 0;
    let mut truncated = false;
    for oid in walk {
        let Ok(oid) = oid else { break };
        if examined >= max_commits {
            truncated = true;
            break;
        }
        examined += 1;
        let Ok(c) = r.find_commit(oid) else { break };
        if c.parent_count() > 1 {
            // A merge's changes arrive with the commits it merges, which the walk visits too.
            continue;
        }
        let parent_tree = c.parent(0).ok().and_then(|p| p.tree().ok());
        let Ok(tree) = c.tree() else { continue };
        let mut deltas = Vec::new();
        if tree_delta(
            r,
            parent_tree.as_ref(),
            Some(&tree),
            &mut Vec::new(),
            &mut deltas,
        )
        .is_err()
        {
            continue;
        }
        // In path order, as git's diff lists them: the first training file a commit touches.
        deltas.sort_by(|a, b| a.rel.cmp(&b.rel));
        let info = || CommitInfo::of(&c);
        for d in deltas {
            let (deleted, file) = match (d.old, d.new) {
                (_, Some(new)) => (false, new),
                (Some(old), None) => (true, old),
                (None, None) => continue,
            };
            let path = d.rel;
            if !path.starts_with(&repo.prefix) {
                continue;
            }
            if last.is_none() && training.contains(&path) {
                let i = info();
                last = Some(TrainingChange {
                    days_ago: today - i.time.div_euclid(86_400),
                    commit: i.commit,
                    date: i.date,
                    path: path[repo.prefix.len()..].to_string(),
                    summary: i.summary,
                    at_least: boundary.contains(&oid),
                });
            }
            if !deleted && is_data_binary(&path) && !under_skipped_dir(&path) {
                let size = odb
                    .read_header(file.oid)
                    .map(|(n, _)| n as u64)
                    .unwrap_or(0);
                if size > max_size {
                    let i = info();
                    let rel = path[repo.prefix.len()..].to_string();
                    let in_head = head_tree
                        .as_ref()
                        .is_some_and(|t| t.get_path(Path::new(&path)).is_ok());
                    // Newest first: an older commit adding the same content replaces it.
                    found.insert(
                        (rel.clone(), file.oid),
                        HistoricBinary {
                            path: rel,
                            size,
                            commit: i.commit,
                            date: i.date,
                            in_head,
                        },
                    );
                }
            }
        }
    }
    let shallow = repo.is_shallow();
    let notes = notes(shallow, truncated, examined, max_commits);
    let mut binaries: Vec<HistoricBinary> = found.into_values().collect();
    binaries.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
    binaries.truncate(50);
    Some(RepoHistory {
        commits_examined: examined,
        truncated,
        shallow,
        last_training_change: last,
        binaries_in_history: binaries,
        notes,
    })
}

/// What the history facts could not see.
fn notes(shallow: bool, truncated: bool, examined: usize, max_commits: usize) -> Vec<String> {
    let mut notes = Vec::new();
    if shallow {
        notes.push(format!(
            "shallow clone: only {examined} commit(s) of history are present, so older changes and binaries are not seen; {SHALLOW_FIX}"
        ));
    }
    if truncated {
        notes.push(format!(
            "history examined up to {max_commits} commits back (--history-commits)"
        ));
    }
    notes
}
