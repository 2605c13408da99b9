//! The graph's edges, computed once per node and shared by every walk over a tree, and what
//! each edge read of the file list, so that `ripen history` can keep them across commits.

use crate::graph::{Automation, NodeId};
use crate::model::{Trigger, Unresolved};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

#[derive(Clone)]
pub(crate) struct Edge {
    pub(crate) to: NodeId,
    pub(crate) via: String,
    pub(crate) line: u32,
    pub(crate) tests: bool,
    /// The command runs its target with experiment tracking switched off.
    pub(crate) tracking_off: bool,
    /// The command's failure is ignored (`|| true`, `set +e`).
    pub(crate) masked: bool,
}

impl Edge {
    /// The walk modes this edge adds ([`MODE_TESTS`], [`MODE_TRACKING_OFF`]).
    pub(crate) fn modes(&self) -> u8 {
        (u8::from(self.tests) * MODE_TESTS)
            | (u8::from(self.tracking_off) * MODE_TRACKING_OFF)
            | (u8::from(self.masked) * MODE_MASKED)
    }
}

/// A walk that went through a test runner (or a smoke run of a script): Python imports are not
/// followed, and only what tests exercise is automated by it.
pub(crate) const MODE_TESTS: u8 = 1;
/// A walk that went through a command with experiment tracking switched off.
pub(crate) const MODE_TRACKING_OFF: u8 = 2;
/// A walk that went through a command whose failure is ignored: what it reaches gates nothing.
pub(crate) const MODE_MASKED: u8 = 4;

/// The edges out of a node, the commands it could not resolve, and (when the memo tracks
/// them) what computing them read of the file list; computed once per node.
pub(crate) type EdgeEntry = Rc<(Vec<Edge>, Vec<Unresolved>, Option<Box<Probes>>)>;

/// What resolving references read of the file list: the paths whose existence it asked about,
/// and the directories whose files it listed (`true`: only the Python files). A file that came
/// or went can change a resolution only if it is one of those paths or lies in those
/// directories, so edges and module resolutions that touch neither stay valid.
/// Paths are kept as hashes: recording must not allocate per probe, and a collision only
/// forgets an edge that was still valid.
#[derive(Default, Debug, Clone)]
pub struct Probes {
    pub(crate) paths: Vec<u64>,
    pub(crate) under: Vec<(u64, bool)>,
    /// File names (`pyproject.toml`) whose files, wherever they lie, the resolution listed.
    pub(crate) names: Vec<u64>,
}

pub(crate) fn path_key(p: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    p.hash(&mut h);
    h.finish()
}

/// A file that came or went, as [`Probes`] see it.
pub(crate) struct Listed {
    pub(crate) path: u64,
    /// Its file name.
    pub(crate) name: u64,
    /// Its directories, the root ("") included.
    pub(crate) dirs: Vec<u64>,
    pub(crate) python: bool,
}

impl Listed {
    pub(crate) fn of(p: &str) -> Listed {
        Listed {
            path: path_key(p),
            name: path_key(crate::paths::file_name(p)),
            dirs: std::iter::once("")
                .chain(p.match_indices('/').map(|(i, _)| &p[..i]))
                .map(path_key)
                .collect(),
            python: p.ends_with(".py"),
        }
    }
}

impl Probes {
    pub(crate) fn extend(&mut self, other: &Probes) {
        self.paths.extend_from_slice(&other.paths);
        self.under.extend_from_slice(&other.under);
        self.names.extend_from_slice(&other.names);
    }

    /// Whether adding or removing `f` can change what these probes saw.
    pub(crate) fn touch(&self, f: &Listed) -> bool {
        self.paths.contains(&f.path)
            || self.names.contains(&f.name)
            || self
                .under
                .iter()
                .any(|(d, py)| (!py || f.python) && f.dirs.contains(d))
    }
}

/// (module, importing directory, bases) → the file it resolves to, and what that read.
pub(crate) type ModuleMemo =
    HashMap<(String, String, Vec<String>), (Option<String>, Option<Rc<Probes>>)>;

/// Entry points found by rules (schedules, CI files the graph does not parse), with triggers.
pub(crate) type RuleEntries = Vec<(String, Trigger)>;

/// The latest walk's rule entries, which path-filtered triggers could fire, and its result.
pub(crate) type LastWalk = (RuleEntries, Vec<bool>, Rc<Automation>);

/// The edges of a tree's nodes, computed once and shared by every walk over that tree. A caller
/// that moves between trees (`ripen history`) keeps it and tells it what changed: edges depend
/// on the node's own file, on the file list (through their [`Probes`]), and on other files only
/// through their Make/DVC targets or Databricks bundle jobs.
#[derive(Default)]
pub struct EdgeMemo {
    pub(crate) edges: RefCell<HashMap<(NodeId, bool), EdgeEntry>>,
    /// Python module resolutions per (module, importing directory, bases): they depend on
    /// the file list only.
    pub(crate) modules: RefCell<ModuleMemo>,
    /// Record [`Probes`] with every entry (callers that move between trees).
    pub(crate) track: bool,
    /// Since the latest [`build_shared`] walked, an edge its walks used was forgotten: its
    /// automation no longer holds.
    pub(crate) changed: Cell<bool>,
    /// The latest [`build_shared`] result, with the rule entries it started from (tracking).
    /// With it, which path-filtered CI triggers could fire on that file list ([`crate::graph::walk::fires`]).
    pub(crate) last: RefCell<Option<LastWalk>>,
    /// The entries the walks since the latest [`build_shared`] walked used (tracking only): what
    /// the file list must keep for those walks to stay the same.
    pub(crate) used: RefCell<Used>,
}

#[derive(Default)]
pub(crate) struct Used {
    /// [`build_shared`] has walked with this memo (before that, nothing is known).
    pub(crate) walked: bool,
    pub(crate) keys: HashSet<(NodeId, bool)>,
    pub(crate) entries: Vec<EdgeEntry>,
}

impl EdgeMemo {
    /// A memo for a caller that moves between trees: it records what each edge read of the
    /// file list, so that files coming and going forget only the edges they can change.
    pub(crate) fn tracking() -> EdgeMemo {
        EdgeMemo {
            track: true,
            ..EdgeMemo::default()
        }
    }

    /// Forgets everything (a file other nodes resolve into changed).
    pub(crate) fn clear(&self) {
        self.changed.set(true);
        self.edges.borrow_mut().clear();
        self.modules.borrow_mut().clear();
    }

    /// The entry points may have changed (a CI file was edited, added or removed): the walks
    /// must run again, though the edges they follow still hold.
    pub(crate) fn entries_changed(&self) {
        self.changed.set(true);
    }

    /// Forgets the edges out of one file's nodes (its content changed). Returns whether a
    /// walk since the latest [`build_shared`] used one of them (true when unknown).
    pub(crate) fn forget_file(&self, path: &str) -> bool {
        let used = self.used.borrow();
        let mut forgot_used = !self.track || !used.walked;
        self.edges.borrow_mut().retain(|(n, b), _| {
            if n.0 == path && used.keys.contains(&(n.clone(), *b)) {
                forgot_used = true;
            }
            n.0 != path
        });
        if forgot_used {
            self.changed.set(true);
        }
        forgot_used
    }

    /// Forgets the edges and module resolutions that `paths` (files that came or went) can
    /// change, and the edges out of those files. Without tracking, that is all of them.
    pub(crate) fn forget_paths(&self, paths: &[&str]) {
        if !self.track {
            return self.clear();
        }
        let listed: Vec<Listed> = paths.iter().map(|p| Listed::of(p)).collect();
        let touched = |p: Option<&Probes>| p.is_none_or(|p| listed.iter().any(|x| p.touch(x)));
        if self.walks_read(paths) {
            self.changed.set(true);
        }
        self.edges
            .borrow_mut()
            .retain(|(n, _), e| !paths.contains(&n.0.as_str()) && !touched(e.2.as_deref()));
        self.modules
            .borrow_mut()
            .retain(|_, (_, p)| !touched(p.as_deref()));
    }

    /// Whether the walks over the latest graph read whether any of `paths` exists (so that
    /// adding or removing them can change what those walks reach). True when unknown.
    pub(crate) fn walks_read(&self, paths: &[&str]) -> bool {
        let used = self.used.borrow();
        let listed: Vec<Listed> = paths.iter().map(|p| Listed::of(p)).collect();
        !self.track
            || !used.walked
            || used.entries.iter().any(|e| {
                e.2.as_deref()
                    .is_none_or(|p| listed.iter().any(|x| p.touch(x)))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resolution that listed the files of a name (`pyproject.toml`, wherever they lie) is
    /// changed by one of that name coming or going, and only by that.
    #[test]
    fn file_name_probes_are_touched_by_files_of_that_name() {
        let probes = Probes {
            names: vec![path_key("pyproject.toml")],
            ..Probes::default()
        };
        assert!(probes.touch(&Listed::of("training-pipeline/pyproject.toml")));
        assert!(!probes.touch(&Listed::of("training-pipeline/train.py")));
    }
}
