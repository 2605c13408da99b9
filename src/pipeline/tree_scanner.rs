//! Scanning successive git trees of one repository with the walk's skip rules, reusing what
//! was learnt about each (path, blob): the cost of `ripen history` follows what changed between
//! commits, not commits × files.

use crate::catalogue::Catalogue;
use crate::evidence::{self, ProjectFacts};
use crate::graph::EdgeMemo;
use crate::matcher::Matcher;
use crate::model::{CacheStats, LargeFile, Report, SkipStats};
use crate::pipeline::ScanOptions;
use crate::pipeline::assemble::Tree;
use crate::pipeline::file_scan::{FileScan, ForLevels, Rules};
use crate::pipeline::incremental::EditEffect;
use crate::pipeline::scan::parse_pool;
use crate::source::git::{
    Entry, GitError, MODE_COMMIT, MODE_LINK, MODE_TREE, Repo, blob_size, tree_delta,
};
use crate::source::skip::{Venvs, under_skipped_dir, venv_of};
use crate::source::walk::{self, WalkOptions};
use git2::Oid;
use globset::GlobSet;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

/// Scans successive trees of one repository, reusing what it learnt about each (path, blob).
pub struct TreeScanner<'a> {
    pub(crate) repo: &'a Repo,
    pub(crate) matcher: Matcher,
    pub(crate) opts: WalkOptions,
    pub(crate) exclude: GlobSet,
    /// The current tree's files that no skipped directory hides, by path.
    pub(crate) entries: BTreeMap<String, Entry>,
    /// The virtualenvs among them.
    pub(crate) venvs: Venvs,
    pub(crate) prev_tree: Option<Oid>,
    pub(crate) sizes: HashMap<Oid, u64>,
    pub(crate) cache: BlobCache,
    /// Whether the path lies under a skipped directory (`SKIP_DIRS`, `.dvc/cache`).
    pub(crate) hidden: HashMap<String, bool>,
    /// The automation graph's edges for the current tree, kept while they stay valid.
    pub(crate) edges: Rc<EdgeMemo>,
    /// Only levels are asked of the trees ([`TreeScanner::levels_only`]).
    pub(crate) levels_only: Option<LevelsOnly<'a>>,
    /// Workers with the parse stacks, built once (not per commit).
    pub(crate) pool: Option<rayon::ThreadPool>,
    pub stats: CacheStats,
}

/// What moving to another tree changed, for the levels ([`TreeScanner::advance`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Nothing they read.
    Nothing,
    /// Only the lines of the evidence in these files, which a model shows only where it cites
    /// one of them.
    Lines(Vec<String>),
    /// Anything else: assemble the tree.
    Levels,
}

impl Change {
    pub(crate) fn moved(&mut self, rel: &str) {
        match self {
            Change::Nothing => *self = Change::Lines(vec![rel.to_string()]),
            Change::Lines(paths) => paths.push(rel.to_string()),
            Change::Levels => {}
        }
    }
}

/// What a scanner asked for levels only keeps: the catalogue, and the project facts of the
/// latest snapshot (which lowered hits read against).
pub(crate) struct LevelsOnly<'a> {
    pub(crate) cat: &'a Catalogue,
    /// Some model counts mentions: every hit matters.
    pub(crate) mentions_count: bool,
    pub(crate) project: ProjectFacts,
}

/// What each (path, blob) gave (None: nothing assembly uses), by path and then blob, so that
/// looking one up builds no key.
#[derive(Default)]
pub(crate) struct BlobCache(HashMap<String, HashMap<Oid, Option<Arc<FileScan>>>>);

impl BlobCache {
    /// None: not scanned yet; Some(None): the scan found nothing assembly uses.
    pub(crate) fn get(&self, rel: &str, oid: Oid) -> Option<Option<&FileScan>> {
        Some(self.0.get(rel)?.get(&oid)?.as_deref())
    }

    pub(crate) fn shared(&self, rel: &str, oid: Oid) -> Option<Arc<FileScan>> {
        self.0.get(rel)?.get(&oid)?.clone()
    }

    /// Forgets the scans made without rules ([`FileScan::unmatched`]) of paths `stale` holds
    /// for. Returns whether it forgot any.
    pub(crate) fn forget_unmatched(&mut self, stale: impl Fn(&str) -> bool) -> bool {
        let mut any = false;
        for (rel, blobs) in self.0.iter_mut() {
            if blobs
                .values()
                .any(|s| s.as_ref().is_some_and(|s| s.unmatched()))
                && stale(rel)
            {
                blobs.retain(|_, s| !s.as_ref().is_some_and(|s| s.unmatched()));
                any = true;
            }
        }
        any
    }

    /// Forgets the scan of a version of `rel` that left the tree: the cache then holds about
    /// one version of each path, and memory follows the tree, not the length of the history
    /// (5,000 commits kept ~10,000 scans). A version that comes back (a revert) is scanned
    /// again.
    pub(crate) fn forget(&mut self, rel: &str, oid: Oid) {
        if let Some(blobs) = self.0.get_mut(rel) {
            blobs.remove(&oid);
            if blobs.is_empty() {
                self.0.remove(rel);
            }
        }
    }

    /// How many (path, blob) scans it holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.values().map(HashMap::len).sum()
    }

    pub fn insert(&mut self, rel: String, oid: Oid, scan: Option<FileScan>) {
        self.0
            .entry(rel)
            .or_default()
            .insert(oid, scan.map(Arc::new));
    }
}

/// One tree as the walk would have seen it, with the scans of its files.
pub(crate) struct Snapshot {
    pub tree: Tree,
    pub scans: Vec<Arc<FileScan>>,
}

impl<'a> TreeScanner<'a> {
    pub fn new(repo: &'a Repo, cat: &Catalogue, opts: &WalkOptions) -> Result<Self, GitError> {
        let matcher = Matcher::new(&cat.rules)?;
        let exclude = walk::build_globset(&opts.exclude)
            .map_err(|e| GitError(format!("invalid exclude glob: {e}")))?;
        Ok(TreeScanner {
            repo,
            matcher,
            opts: opts.clone(),
            exclude,
            entries: BTreeMap::new(),
            venvs: Venvs::default(),
            prev_tree: None,
            sizes: HashMap::new(),
            cache: BlobCache::default(),
            hidden: HashMap::new(),
            edges: Rc::new(EdgeMemo::tracking()),
            levels_only: None,
            pool: parse_pool(),
            stats: CacheStats::default(),
        })
    }

    /// Only levels will be asked of the trees (`ripen history`): edges whose lines moved are
    /// kept (only chains show those lines), and hits that give only mentions are ignored when
    /// no model counts mentions ([`ForLevels`]).
    pub(crate) fn levels_only(&mut self, cat: &'a Catalogue) {
        self.levels_only = Some(LevelsOnly {
            cat,
            mentions_count: cat.counts_mentions(),
            project: ProjectFacts::default(),
        });
    }

    /// How the rules run on `rel`: not where every hit would only be a mention, which no model
    /// counts. Prose no rule can count ([`Rules::None`]) is decided by the catalogue alone;
    /// a tool's own source or a library's examples ([`Rules::UnlessMentionsOnly`]) by the
    /// latest snapshot's project facts: a commit that changes them is assembled, and
    /// [`TreeScanner::snapshot`] then scans again what the new facts no longer lower.
    pub(crate) fn rules_for(&self, rel: &str) -> Rules {
        let Some(l) = self.for_levels() else {
            return Rules::Run;
        };
        if evidence::no_hit_can_count(l.cat, rel, &self.matcher.candidates(rel)) {
            Rules::None
        } else if evidence::lowers_every_hit(l.cat, l.project, rel) {
            Rules::UnlessMentionsOnly
        } else {
            Rules::Run
        }
    }

    /// Whether the scan of `rel` reads its content ([`crate::pipeline::file_scan::needs_content_with`]).
    pub fn needs_content(&self, rel: &str) -> bool {
        crate::pipeline::file_scan::needs_content_with(&self.matcher, rel, self.rules_for(rel))
    }

    pub(crate) fn for_levels(&self) -> Option<ForLevels<'_>> {
        self.levels_only
            .as_ref()
            .filter(|l| !l.mentions_count)
            .map(|l| ForLevels {
                cat: l.cat,
                project: &l.project,
            })
    }

    /// Moves to `tree` (None: the directory does not exist in this commit) by diffing it
    /// against the previous one. Returns what of the levels' input changed: a changed blob
    /// that a rule or the automation graph reads ([`EditEffect`]), or that is or was over the
    /// size limit and under it in the other version, or a path added or removed that holds
    /// something or that a reference of the latest assembled tree looked for.
    pub(crate) fn advance(&mut self, tree: Option<&git2::Tree>) -> Result<Change, GitError> {
        let new_id = tree.map(|t| t.id());
        if new_id == self.prev_tree {
            return Ok(Change::Nothing);
        }
        let old = match self.prev_tree {
            Some(id) => Some(self.repo.repo.find_tree(id)?),
            None => None,
        };
        let mut deltas = Vec::new();
        tree_delta(
            &self.repo.repo,
            old.as_ref(),
            tree,
            &mut Vec::new(),
            &mut deltas,
        )?;
        let mut adds = Vec::new();
        let mut modified = Vec::new();
        // Paths that came or went, with their blob then or now.
        let mut listed: Vec<(String, Entry)> = Vec::new();
        for d in deltas {
            match (d.old, d.new) {
                // Overwritten below; it matters only if the two versions can give different
                // levels (decided once all deltas are known).
                (Some(_), Some(new)) => {
                    if let Some(old) = self.entries.get(&d.rel).copied() {
                        modified.push((d.rel.clone(), old.oid, new.oid));
                    }
                }
                (Some(_), None) => {
                    if let Some(old) = self.entries.remove(&d.rel) {
                        self.venvs.remove(&d.rel);
                        listed.push((d.rel.clone(), old));
                    }
                }
                _ => {}
            }
            if let Some(new) = d.new {
                adds.push((d.rel, new));
            }
        }
        for (rel, e) in adds {
            let hidden = *self
                .hidden
                .entry(rel.clone())
                .or_insert_with(|| under_skipped_dir(&rel));
            if !hidden && self.entries.insert(rel.clone(), e).is_none() {
                self.venvs.add(&rel);
                listed.push((rel, e));
            }
        }
        let first = self.prev_tree.is_none();
        self.prev_tree = new_id;
        // Both run: each keeps the edge memo valid for what it saw.
        let effects = self.edits_that_matter(&modified);
        let mut change = Change::Nothing;
        for ((rel, old, new), effect) in modified.iter().zip(effects) {
            // An edit that keeps the signature keeps every edge but their lines, which only
            // chains show.
            let walks_changed = match effect {
                EditEffect::Nothing if self.levels_only.is_some() => continue,
                // The same CI jobs or Make/DVC targets doing the same, only moved: the walks
                // hold. Their remembered edges keep the old lines, which only chains show.
                EditEffect::Lines if self.levels_only.is_some() && self.holds_jobs(rel, *new) => {
                    false
                }
                _ => self.forget_edges(rel, *old, *new),
            };
            let matters = match effect {
                EditEffect::Nothing => false,
                _ if self.levels_only.is_none() => true,
                // Only levels are asked: the file's new edges matter only where walks went.
                EditEffect::Edges => walks_changed,
                EditEffect::Lines if !walks_changed => {
                    change.moved(rel);
                    false
                }
                _ => true,
            };
            if matters {
                change = Change::Levels;
            }
        }
        if first || self.list_change_matters(&listed) {
            change = Change::Levels;
        }
        // The versions that left the tree were needed only to decide the above.
        for (rel, old, new) in &modified {
            if old != new {
                self.cache.forget(rel, *old);
            }
        }
        for (rel, e) in &listed {
            if self.entries.get(rel).is_none_or(|now| now.oid != e.oid) {
                self.cache.forget(rel, e.oid);
            }
        }
        Ok(change)
    }

    /// Whether files coming or going (`listed`) can change the levels, forgetting the graph
    /// edges they can change. A file counts if assembly reads it whatever else is there (rule
    /// hits, project facts, CI jobs or Make/DVC targets, a model artifact, a virtualenv marker
    /// that hides a directory), or if a reference walked in the latest assembled tree looked
    /// for its path or listed its directory. Anything else (most new modules, tests, data) is
    /// reached by nothing and leaves the levels as they were.
    pub(crate) fn list_change_matters(&mut self, listed: &[(String, Entry)]) -> bool {
        let mut matters = false;
        let mut want = Vec::new();
        for (rel, e) in listed {
            if venv_of(rel).is_some() {
                self.edges.clear();
                return true;
            }
            // Symlinks and submodules are not in the file list; excluded paths are not read.
            if e.mode == MODE_LINK
                || e.mode == MODE_COMMIT
                || e.mode == MODE_TREE
                || self.exclude.is_match(rel)
            {
                continue;
            }
            matters |= evidence::is_model_artifact(rel);
            let size = self.size(e.oid);
            if size <= self.opts.size_limit(rel) {
                want.push((rel.clone(), e.oid, size));
            }
        }
        self.fill_cache(&want);
        for (rel, oid, _) in &want {
            let Some(Some(scan)) = self.cache.get(rel, *oid) else {
                continue;
            };
            if scan.others_resolve_into() {
                // Other files' commands resolve into its targets or jobs.
                self.edges.clear();
                return true;
            }
            if scan.has_jobs_or_targets() {
                // New or gone entry points.
                self.edges.entries_changed();
                matters = true;
            }
            matters |= scan.read_wherever_it_is(self.for_levels());
        }
        let paths: Vec<&str> = want.iter().map(|(rel, _, _)| rel.as_str()).collect();
        matters |= self.edges.walks_read(&paths);
        self.edges.forget_paths(&paths);
        matters
    }

    /// Whether the scanned version `oid` of `rel` holds CI jobs or Make/DVC targets.
    pub(crate) fn holds_jobs(&self, rel: &str, oid: Oid) -> bool {
        matches!(self.cache.get(rel, oid), Some(Some(s)) if s.has_jobs_or_targets())
    }

    /// Keeps the graph's edges valid across an edit of `rel`: its own nodes' edges go; if it
    /// holds (or held) Make/DVC targets or bundle jobs, which other files' commands resolve
    /// into, all go; if it holds (or held) CI jobs, the walks start differently. A file scanned
    /// from its path alone holds none of these; without both scans at hand (a version over the
    /// size limit), only Python, notebooks and shell scripts are known not to.
    /// Returns whether the walks of the latest assembly may no longer hold.
    pub(crate) fn forget_edges(&mut self, rel: &str, old: Oid, new: Oid) -> bool {
        let kind = |s: &Self, oid: Oid| {
            s.cache.get(rel, oid).map(|scan| {
                scan.as_ref().map_or((false, false), |f| {
                    (f.others_resolve_into(), f.has_jobs_or_targets())
                })
            })
        };
        let (shared, entry) = match (kind(self, old), kind(self, new)) {
            _ if !self.needs_content(rel) => (false, false),
            (Some(a), Some(b)) => (a.0 || b.0, a.1 || b.1),
            _ => {
                let code = [".py", ".ipynb", ".sh", ".bash"]
                    .iter()
                    .any(|x| rel.ends_with(x));
                (!code, !code)
            }
        };
        if shared {
            self.edges.clear();
            true
        } else {
            let forgot_used = self.edges.forget_file(rel);
            if entry {
                self.edges.entries_changed();
            }
            forgot_used || entry
        }
    }

    /// What each of these (path, old blob, new blob) edits can change ([`crate::pipeline::incremental::edit_effect`]);
    /// a version over the size limit (or that might be) can change anything. Most commits
    /// edit code without touching what a rule or the graph sees; those reuse the previous
    /// commit's levels.
    pub(crate) fn edits_that_matter(&mut self, modified: &[(String, Oid, Oid)]) -> Vec<EditEffect> {
        let mut compare = Vec::new();
        for (rel, old, new) in modified {
            if self.needs_content(rel) {
                compare.push((rel.clone(), *old, self.size(*old)));
                compare.push((rel.clone(), *new, self.size(*new)));
            }
        }
        // Scanned even when the size decides: `forget_edges` reads both versions.
        compare.retain(|(rel, _, size)| *size <= self.opts.size_limit(rel));
        self.fill_cache(&compare);
        modified
            .iter()
            .map(|(rel, old, new)| {
                if !self.needs_content(rel) {
                    // Scanned from the path alone: both versions give the same scan.
                    return EditEffect::Nothing;
                }
                if evidence::is_model_artifact(rel) {
                    return EditEffect::Levels;
                }
                let scan = |oid: Oid| self.cache.get(rel, oid);
                match (scan(*old), scan(*new)) {
                    (Some(a), Some(b)) => {
                        crate::pipeline::incremental::edit_effect(a, b, self.for_levels())
                    }
                    // Both over the size limit (not scanned): a large file either way, which
                    // only a model artifact (above) makes more than a count.
                    (None, None) => EditEffect::Nothing,
                    // One version over the limit: the file enters or leaves the file list.
                    _ => EditEffect::Levels,
                }
            })
            .collect()
    }

    pub(crate) fn size(&mut self, oid: Oid) -> u64 {
        blob_size(&mut self.sizes, &self.repo.repo, oid)
    }

    /// Scans the (path, blob) pairs not in the cache yet: reads the blobs that need reading
    /// (git2 is single-threaded), then matches in parallel. Counts hits and misses.
    pub(crate) fn fill_cache<S: AsRef<str>>(&mut self, want: &[(S, Oid, u64)]) {
        type Miss = (String, Oid, u64, Rules, Option<Result<Vec<u8>, String>>);
        let mut misses: Vec<Miss> = Vec::new();
        for (rel, oid, size) in want {
            let rel = rel.as_ref();
            if self.cache.get(rel, *oid).is_some() {
                self.stats.cache_hits += 1;
                continue;
            }
            let rules = self.rules_for(rel);
            let content = crate::pipeline::file_scan::needs_content_with(&self.matcher, rel, rules)
                .then(|| {
                    self.stats.blobs_read += 1;
                    self.repo
                        .repo
                        .find_blob(*oid)
                        .map(|b| b.content().to_vec())
                        .map_err(|e| format!("{rel}: {}", e.message()))
                });
            misses.push((rel.to_string(), *oid, *size, rules, content));
        }
        self.stats.blobs_scanned += misses.len() as u64;
        if misses.is_empty() {
            return;
        }
        let matcher = &self.matcher;
        // Deeply nested YAML needs the scan's large worker stacks (see `scan::PARSE_STACK`).
        let work = || -> Vec<(String, Oid, Option<FileScan>)> {
            misses
                .into_par_iter()
                .map(|(rel, oid, size, rules, content)| {
                    let s = crate::pipeline::file_scan::scan_file_with(
                        matcher,
                        &rel,
                        size,
                        rules,
                        || content.unwrap_or_else(|| Err(format!("{rel}: not loaded"))),
                    );
                    (rel, oid, s)
                })
                .collect()
        };
        let scanned = match &self.pool {
            Some(pool) => pool.install(work),
            None => work(),
        };
        for (rel, oid, s) in scanned {
            if s.as_ref().is_some_and(FileScan::unmatched) {
                self.stats.blobs_without_rules += 1;
            }
            self.cache.insert(rel, oid, s);
        }
    }

    /// The current tree's files as the walk sees them, with each file's scan (from the cache
    /// when the same path had the same blob before).
    pub(crate) fn snapshot(&mut self, root: &str) -> Snapshot {
        let mut skipped = SkipStats::default();
        let mut large = Vec::new();
        let mut files = Vec::new();
        let mut blobs: Vec<(Oid, u64)> = Vec::new();
        for (rel, e) in &self.entries {
            if self.venvs.hides(rel) {
                continue;
            }
            if e.mode == MODE_LINK {
                skipped.symlinks += 1;
                skipped.name(rel, "symlink (never followed)");
                continue;
            }
            if e.mode == MODE_COMMIT || e.mode == MODE_TREE {
                // A submodule: its content is another repository's.
                skipped.special += 1;
                skipped.name(rel, "submodule");
                continue;
            }
            if self.exclude.is_match(rel) {
                skipped.excluded += 1;
                continue;
            }
            let size = blob_size(&mut self.sizes, &self.repo.repo, e.oid);
            if size > self.opts.size_limit(rel) {
                skipped.too_large += 1;
                skipped.name(rel, "too large (--max-file-size)");
                large.push(LargeFile {
                    path: rel.clone(),
                    size,
                });
                continue;
            }
            files.push(rel.clone());
            blobs.push((e.oid, size));
        }
        skipped.settle();

        let want: Vec<(&str, Oid, u64)> = files
            .iter()
            .zip(&blobs)
            .map(|(rel, (oid, size))| (rel.as_str(), *oid, *size))
            .collect();
        self.fill_cache(&want);
        let collect = |s: &Self| -> Vec<Arc<FileScan>> {
            want.iter()
                .filter_map(|(rel, oid, _)| s.cache.shared(rel, *oid))
                .collect()
        };
        let mut scans = collect(self);
        if let Some(l) = &mut self.levels_only {
            let project = crate::pipeline::file_scan::project_of(&scans);
            // Files scanned without rules under the old project facts whose hits may count
            // under the new ones are scanned again, with rules.
            let stale = !project.same_for_levels(&l.project) && {
                let cat = l.cat;
                self.cache
                    .forget_unmatched(|rel| !evidence::lowers_every_hit(cat, &project, rel))
            };
            l.project = project;
            if stale {
                self.fill_cache(&want);
                scans = collect(self);
            }
        }
        Snapshot {
            tree: Tree {
                root: root.to_string(),
                files,
                large,
                skipped,
                warnings: Vec::new(),
                // As the walk decides it: a `.git` at the scanned root.
                has_git: self.repo.prefix.is_empty(),
                edges: Some(Rc::clone(&self.edges)),
                quiet_reads: (0, 0),
            },
            scans,
        }
    }

    /// Scans the tree of `commit` into a full report.
    pub fn report(
        &mut self,
        cat: &Catalogue,
        opts: &ScanOptions,
        commit: &git2::Commit,
        root: &str,
    ) -> Result<Report, GitError> {
        let tree = self.repo.subtree(commit)?;
        self.advance(tree.as_ref())?;
        let snap = self.snapshot(root);
        self.stats.trees_assembled += 1;
        Ok(crate::pipeline::assemble::assemble(
            cat, opts, snap.tree, snap.scans,
        ))
    }
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    /// `ripen history` at 5,000 commits: the cache holds the versions in the current tree,
    /// not every version the history ever had.
    #[test]
    fn the_cache_follows_the_tree_not_the_history() {
        crate::source::git::allow_any_owner();
        // SAFETY: reads two process-global counters of libgit2.
        let cached = || {
            unsafe { git2::opts::get_cached_memory() }
                .expect("libgit2 cache")
                .0
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let g = git2::Repository::init(dir.path()).expect("git init");
        let sig = git2::Signature::new("t", "t@example.com", &git2::Time::new(1_700_000_000, 0))
            .expect("signature");
        let mut commits: Vec<Oid> = Vec::new();
        for i in 0..30 {
            let train = format!("import mlflow\nmlflow.log_metric(\"auc\", 0.{i})\n");
            std::fs::write(dir.path().join("train.py"), train).expect("write");
            std::fs::write(dir.path().join("notes.py"), format!("X = {i}\n")).expect("write");
            let mut idx = g.index().expect("index");
            idx.add_all(["*"], git2::IndexAddOption::DEFAULT, None)
                .expect("add");
            let tree = g.find_tree(idx.write_tree().expect("tree")).expect("tree");
            let parent = commits.last().map(|p| g.find_commit(*p).expect("parent"));
            let parents: Vec<&git2::Commit> = parent.iter().collect();
            commits.push(
                g.commit(Some("HEAD"), &sig, &sig, "c", &tree, &parents)
                    .expect("commit"),
            );
        }
        let repo = crate::source::git::open(dir.path()).expect("open");
        let cat = Catalogue::load(&[]).expect("built-in rules");
        let before = cached();
        let mut scanner = TreeScanner::new(&repo, &cat, &WalkOptions::default()).expect("scanner");
        scanner.levels_only(&cat);
        for oid in commits {
            let c = repo.repo.find_commit(oid).expect("commit");
            let tree = repo.subtree(&c).expect("subtree");
            scanner.advance(tree.as_ref()).expect("advance");
            assert!(
                scanner.cache.len() <= 2,
                "{} scans kept",
                scanner.cache.len()
            );
        }
        assert!(scanner.stats.blobs_scanned >= 30, "{:?}", scanner.stats);
        // Nor does libgit2 keep the commits and trees it parsed (`allow_any_owner` turns its
        // object cache off: it grew by about 10 KiB a commit).
        assert!(
            cached() <= before,
            "libgit2's object cache grew: {before} → {}",
            cached()
        );
    }
}
