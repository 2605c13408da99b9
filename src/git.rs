//! Reading a repository from git's object database instead of the working tree: the files of any
//! commit, without a checkout, with the walk's skip rules (`walk.rs`), and a per-(path, blob)
//! cache of what each file contributed, so that scanning many commits costs what changed
//! between them, not commits × files. Used by `history`, `diff` and the history facts of `scan`.
//!
//! Nothing here writes to the repository or runs anything from it.

use crate::automation::EdgeMemo;
use crate::evidence;
use crate::evidence::ProjectFacts;
use crate::matcher::Matcher;
use crate::report::Report;
use crate::rules::{Catalogue, DataError};
use crate::scan::{self, EditEffect, FileScan, ForLevels, Rules, ScanOptions, Tree};
use crate::walk::{self, LargeFile, SKIP_DIRS, SkipStats, WalkOptions};
use git2::{ObjectType, Oid, Repository, Sort};
use globset::GlobSet;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::Once;

/// What to tell people whose clone is shallow (the GitHub Actions default).
pub const SHALLOW_FIX: &str = "fetch the full history with `git fetch --unshallow` (in GitHub Actions: \
`fetch-depth: 0` on actions/checkout)";

#[derive(Debug)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GitError {}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        GitError(e.message().to_string())
    }
}

impl From<DataError> for GitError {
    fn from(e: DataError) -> Self {
        GitError(e.to_string())
    }
}

/// Turns off libgit2's "repository owned by another user" check, once per process.
///
/// The check (git's `safe.directory`) exists because git *executes* programs named in a
/// repository's config (`core.fsmonitor`, hooks, filters): opening an attacker's repository as
/// another user could run their code. ripen only reads objects and refs through libgit2, which
/// runs none of those, and repositories owned by another user are the normal case in containers
/// and CI (a checkout made by another uid). So the check protects nothing here and only breaks
/// scans. The `git clone` ripen may run for network URLs creates its own directory, owned by us.
pub fn allow_any_owner() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: this sets a process-global libgit2 option. It is unsafe because it must not
        // race with other threads using libgit2; `Once` runs it exactly once, and every path
        // to a `Repository` in ripen goes through `open`/`clone` below, which call this first.
        let _ = unsafe { git2::opts::set_verify_owner_validation(false) };
        // Re-hashing every blob read to check its id cost a tenth of `ripen history`. A blob
        // that does not match its id is a corrupt object store; ripen reads it as text like any
        // other and never writes it back, so the check buys nothing here.
        git2::opts::strict_hash_verification(false);
    });
}

/// A repository and where the scanned directory sits in it.
pub struct Repo {
    pub repo: Repository,
    /// The scanned directory relative to the repository root, `/`-terminated, or empty.
    pub prefix: String,
    /// The scanned directory as given.
    pub root: PathBuf,
}

/// Opens the repository that contains `path` (a working tree, a subdirectory of one, or a bare
/// repository), whoever owns it.
pub fn open(path: &Path) -> Result<Repo, GitError> {
    allow_any_owner();
    let repo = Repository::discover(path).map_err(|e| {
        GitError(format!(
            "{}: not in a git repository ({})",
            path.display(),
            e.message()
        ))
    })?;
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    // The git directory itself (a bare repository, even one whose config does not say so):
    // its whole tree.
    let is_git_dir = canon(repo.path()) == canon(path);
    let prefix = match repo.workdir() {
        Some(_) if is_git_dir => String::new(),
        Some(wd) => {
            let wd = wd.canonicalize().unwrap_or_else(|_| wd.to_path_buf());
            let p = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            match p.strip_prefix(&wd) {
                Ok(rel) if !rel.as_os_str().is_empty() => {
                    format!("{}/", walk::relative(Path::new(""), rel))
                }
                _ => String::new(),
            }
        }
        None => String::new(),
    };
    Ok(Repo {
        repo,
        prefix,
        root: path.to_path_buf(),
    })
}

impl Repo {
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The commits at the shallow boundary (their parents are missing).
    pub fn shallow_boundary(&self) -> HashSet<Oid> {
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .map(|s| {
                s.lines()
                    .filter_map(|l| Oid::from_str(l.trim()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Resolves a revision to a commit, saying what to do when a shallow clone lacks it.
    pub fn commit(&self, rev: &str) -> Result<git2::Commit<'_>, GitError> {
        let obj = self.repo.revparse_single(rev).map_err(|e| {
            let mut msg = format!("cannot resolve revision `{rev}`: {}", e.message());
            if self.is_shallow() {
                msg.push_str(&format!(
                    "\nthis clone is shallow, so older commits and other branches are missing: {SHALLOW_FIX}"
                ));
            } else if rev.starts_with("origin/") {
                msg.push_str(&format!(
                    "\nfetch it first, e.g. `git fetch origin {}`",
                    rev.trim_start_matches("origin/")
                ));
            }
            GitError(msg)
        })?;
        obj.peel_to_commit()
            .map_err(|e| GitError(format!("`{rev}` is not a commit: {}", e.message())))
    }

    /// The tree of the scanned directory at `commit` (None when it does not exist there).
    pub fn subtree<'r>(
        &'r self,
        commit: &git2::Commit<'r>,
    ) -> Result<Option<git2::Tree<'r>>, GitError> {
        let tree = commit.tree()?;
        if self.prefix.is_empty() {
            return Ok(Some(tree));
        }
        match tree.get_path(Path::new(self.prefix.trim_end_matches('/'))) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                Ok(Some(self.repo.find_tree(entry.id())?))
            }
            _ => Ok(None),
        }
    }
}

/// A commit's identity as reports show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommitInfo {
    pub commit: String,
    /// Committer time, UTC, RFC 3339.
    pub date: String,
    pub summary: String,
    #[serde(skip)]
    pub time: i64,
}

impl CommitInfo {
    pub fn of(c: &git2::Commit) -> CommitInfo {
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

    pub fn short(&self) -> &str {
        self.commit.get(..8).unwrap_or(&self.commit)
    }
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let d = crate::config::Date::from_days(days);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year,
        d.month,
        d.day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days from 1970-01-01 to `d`.
pub fn days_from_civil(d: crate::config::Date) -> i64 {
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(d.month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const MODE_LINK: i32 = 0o120000;
const MODE_COMMIT: i32 = 0o160000;
const MODE_TREE: i32 = 0o040000;

#[derive(Clone, Copy, PartialEq, Eq)]
struct Entry {
    oid: Oid,
    mode: i32,
}

/// Counters that show the cache at work.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
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

/// Scans successive trees of one repository, reusing what it learnt about each (path, blob).
pub struct TreeScanner<'a> {
    repo: &'a Repo,
    matcher: Matcher,
    opts: WalkOptions,
    exclude: GlobSet,
    /// The current tree's files that no skipped directory hides, by path.
    entries: BTreeMap<String, Entry>,
    /// The virtualenvs among them.
    venvs: Venvs,
    prev_tree: Option<Oid>,
    sizes: HashMap<Oid, u64>,
    cache: BlobCache,
    /// Whether the path lies under a skipped directory (`SKIP_DIRS`, `.dvc/cache`).
    hidden: HashMap<String, bool>,
    /// The automation graph's edges for the current tree, kept while they stay valid.
    edges: Rc<EdgeMemo>,
    /// Only levels are asked of the trees ([`TreeScanner::levels_only`]).
    levels_only: Option<LevelsOnly<'a>>,
    /// Workers with the parse stacks, built once (not per commit).
    pool: Option<rayon::ThreadPool>,
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
    fn moved(&mut self, rel: &str) {
        match self {
            Change::Nothing => *self = Change::Lines(vec![rel.to_string()]),
            Change::Lines(paths) => paths.push(rel.to_string()),
            Change::Levels => {}
        }
    }
}

/// What a scanner asked for levels only keeps: the catalogue, and the project facts of the
/// latest snapshot (which lowered hits read against).
struct LevelsOnly<'a> {
    cat: &'a Catalogue,
    /// Some model counts mentions: every hit matters.
    mentions_count: bool,
    project: ProjectFacts,
}

/// What each (path, blob) gave (None: nothing assembly uses), by path and then blob, so that
/// looking one up builds no key.
#[derive(Default)]
struct BlobCache(HashMap<String, HashMap<Oid, Option<Arc<FileScan>>>>);

impl BlobCache {
    /// None: not scanned yet; Some(None): the scan found nothing assembly uses.
    fn get(&self, rel: &str, oid: Oid) -> Option<Option<&FileScan>> {
        Some(self.0.get(rel)?.get(&oid)?.as_deref())
    }

    fn shared(&self, rel: &str, oid: Oid) -> Option<Arc<FileScan>> {
        self.0.get(rel)?.get(&oid)?.clone()
    }

    /// Forgets the scans made without rules ([`FileScan::unmatched`]) of paths `stale` holds
    /// for. Returns whether it forgot any.
    fn forget_unmatched(&mut self, stale: impl Fn(&str) -> bool) -> bool {
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

    fn insert(&mut self, rel: String, oid: Oid, scan: Option<FileScan>) {
        self.0
            .entry(rel)
            .or_default()
            .insert(oid, scan.map(Arc::new));
    }
}

/// One tree as the walk would have seen it, with the scans of its files.
pub struct Snapshot {
    pub tree: Tree,
    pub scans: Vec<Arc<FileScan>>,
}

/// The virtualenv (under any name) that `rel` marks, as `dir/`: a directory holding
/// `pyvenv.cfg` or `conda-meta/` (the walk's `is_virtualenv`, for a tree read from git).
fn venv_of(rel: &str) -> Option<String> {
    if let Some(d) = rel.strip_suffix("/pyvenv.cfg") {
        return Some(format!("{d}/"));
    }
    rel.find("conda-meta/")
        .filter(|&i| i > 0 && rel.as_bytes()[i - 1] == b'/')
        .map(|i| rel[..i].to_string())
}

/// A file that differs between two trees: its entry before and after (None: absent).
struct PathDelta {
    rel: String,
    old: Option<Entry>,
    new: Option<Entry>,
}

/// The files that differ between two trees (None: empty), as libgit2's tree diff reports them
/// without type changes: a file whose kind changes (blob, link, submodule, directory) is one
/// path removed and one added. Only subtrees whose ids differ are read; a commit touches a few
/// directories, and libgit2's diff cost a tenth of `ripen history`.
fn tree_delta(
    repo: &Repository,
    old: Option<&git2::Tree>,
    new: Option<&git2::Tree>,
    prefix: &mut Vec<u8>,
    out: &mut Vec<PathDelta>,
) -> Result<(), git2::Error> {
    let entries = |t: Option<&git2::Tree>| -> Vec<(Vec<u8>, Entry)> {
        t.map(|t| {
            t.iter()
                .map(|e| {
                    let entry = Entry {
                        oid: e.id(),
                        mode: e.filemode(),
                    };
                    (e.name_bytes().to_vec(), entry)
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let (olds, news) = (entries(old), entries(new));
    let olds_by_name: HashMap<&[u8], Entry> =
        olds.iter().map(|(n, e)| (n.as_slice(), *e)).collect();
    let news_by_name: HashMap<&[u8], Entry> =
        news.iter().map(|(n, e)| (n.as_slice(), *e)).collect();
    let kind = |mode: i32| match mode {
        MODE_TREE | MODE_LINK | MODE_COMMIT => mode,
        _ => 0,
    };
    for (name, o) in &olds {
        match news_by_name.get(name.as_slice()) {
            Some(n) if n.oid == o.oid && n.mode == o.mode => {}
            Some(n) if o.mode == MODE_TREE && n.mode == MODE_TREE => {
                let (ot, nt) = (repo.find_tree(o.oid)?, repo.find_tree(n.oid)?);
                descend(repo, prefix, name, Some(&ot), Some(&nt), out)?;
            }
            Some(n) if kind(n.mode) == kind(o.mode) => out.push(PathDelta {
                rel: path_of(prefix, name),
                old: Some(*o),
                new: Some(*n),
            }),
            _ => side(repo, prefix, name, *o, true, out)?,
        }
    }
    for (name, n) in &news {
        match olds_by_name.get(name.as_slice()) {
            Some(o) if kind(n.mode) == kind(o.mode) => {}
            _ => side(repo, prefix, name, *n, false, out)?,
        }
    }
    Ok(())
}

/// Every file of `entry` (a file or a whole directory) as removed (`gone`) or added.
fn side(
    repo: &Repository,
    prefix: &mut Vec<u8>,
    name: &[u8],
    entry: Entry,
    gone: bool,
    out: &mut Vec<PathDelta>,
) -> Result<(), git2::Error> {
    if entry.mode == MODE_TREE {
        let t = repo.find_tree(entry.oid)?;
        let (o, n) = if gone {
            (Some(&t), None)
        } else {
            (None, Some(&t))
        };
        return descend(repo, prefix, name, o, n, out);
    }
    out.push(PathDelta {
        rel: path_of(prefix, name),
        old: gone.then_some(entry),
        new: (!gone).then_some(entry),
    });
    Ok(())
}

fn descend(
    repo: &Repository,
    prefix: &mut Vec<u8>,
    name: &[u8],
    old: Option<&git2::Tree>,
    new: Option<&git2::Tree>,
    out: &mut Vec<PathDelta>,
) -> Result<(), git2::Error> {
    let len = prefix.len();
    prefix.extend_from_slice(name);
    prefix.push(b'/');
    let r = tree_delta(repo, old, new, prefix, out);
    prefix.truncate(len);
    r
}

/// A tree path as the walk names files (`walk::relative`: lossy UTF-8).
fn path_of(prefix: &[u8], name: &[u8]) -> String {
    let mut p = prefix.to_vec();
    p.extend_from_slice(name);
    String::from_utf8_lossy(&p).into_owned()
}

/// A blob's size from its header (no content read), remembered.
fn blob_size(sizes: &mut HashMap<Oid, u64>, repo: &Repository, oid: Oid) -> u64 {
    *sizes.entry(oid).or_insert_with(|| {
        repo.odb()
            .and_then(|odb| odb.read_header(oid))
            .map(|(n, _)| n as u64)
            .unwrap_or(0)
    })
}

/// The virtualenv directories of a tree ([`venv_of`]), with how many of its files mark each,
/// kept as files come and go rather than searched for in every snapshot.
#[derive(Default)]
struct Venvs(BTreeMap<String, usize>);

impl Venvs {
    fn add(&mut self, rel: &str) {
        if let Some(v) = venv_of(rel) {
            *self.0.entry(v).or_default() += 1;
        }
    }

    fn remove(&mut self, rel: &str) {
        if let Some(v) = venv_of(rel)
            && let Some(n) = self.0.get_mut(&v)
        {
            *n -= 1;
            if *n == 0 {
                self.0.remove(&v);
            }
        }
    }

    fn hides(&self, rel: &str) -> bool {
        !self.0.is_empty() && self.0.keys().any(|v| rel.starts_with(v.as_str()))
    }
}

fn under_skipped_dir(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts.iter().any(|p| SKIP_DIRS.contains(p))
        || rel.starts_with(".dvc/cache/")
        || rel.contains("/.dvc/cache/")
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
            pool: scan::parse_pool(),
            stats: CacheStats::default(),
        })
    }

    /// Only levels will be asked of the trees (`ripen history`): edges whose lines moved are
    /// kept (only chains show those lines), and hits that give only mentions are ignored when
    /// no model counts mentions ([`ForLevels`]).
    pub fn levels_only(&mut self, cat: &'a Catalogue) {
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
    fn rules_for(&self, rel: &str) -> Rules {
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

    /// Whether the scan of `rel` reads its content ([`scan::needs_content_with`]).
    fn needs_content(&self, rel: &str) -> bool {
        scan::needs_content_with(&self.matcher, rel, self.rules_for(rel))
    }

    fn for_levels(&self) -> Option<ForLevels<'_>> {
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
    pub fn advance(&mut self, tree: Option<&git2::Tree>) -> Result<Change, GitError> {
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
        Ok(change)
    }

    /// Whether files coming or going (`listed`) can change the levels, forgetting the graph
    /// edges they can change. A file counts if assembly reads it whatever else is there (rule
    /// hits, project facts, CI jobs or Make/DVC targets, a model artifact, a virtualenv marker
    /// that hides a directory), or if a reference walked in the latest assembled tree looked
    /// for its path or listed its directory. Anything else (most new modules, tests, data) is
    /// reached by nothing and leaves the levels as they were.
    fn list_change_matters(&mut self, listed: &[(String, Entry)]) -> bool {
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
            if size <= self.opts.max_file_size {
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
    fn holds_jobs(&self, rel: &str, oid: Oid) -> bool {
        matches!(self.cache.get(rel, oid), Some(Some(s)) if s.has_jobs_or_targets())
    }

    /// Keeps the graph's edges valid across an edit of `rel`: its own nodes' edges go; if it
    /// holds (or held) Make/DVC targets or bundle jobs, which other files' commands resolve
    /// into, all go; if it holds (or held) CI jobs, the walks start differently. A file scanned
    /// from its path alone holds none of these; without both scans at hand (a version over the
    /// size limit), only Python, notebooks and shell scripts are known not to.
    /// Returns whether the walks of the latest assembly may no longer hold.
    fn forget_edges(&mut self, rel: &str, old: Oid, new: Oid) -> bool {
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

    /// What each of these (path, old blob, new blob) edits can change ([`scan::edit_effect`]);
    /// a version over the size limit (or that might be) can change anything. Most commits
    /// edit code without touching what a rule or the graph sees; those reuse the previous
    /// commit's levels.
    fn edits_that_matter(&mut self, modified: &[(String, Oid, Oid)]) -> Vec<EditEffect> {
        let mut compare = Vec::new();
        for (rel, old, new) in modified {
            if self.needs_content(rel) {
                compare.push((rel.clone(), *old, self.size(*old)));
                compare.push((rel.clone(), *new, self.size(*new)));
            }
        }
        // Scanned even when the size decides: `forget_edges` reads both versions.
        compare.retain(|(_, _, size)| *size <= self.opts.max_file_size);
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
                    (Some(a), Some(b)) => scan::edit_effect(a, b, self.for_levels()),
                    // Both over the size limit (not scanned): a large file either way, which
                    // only a model artifact (above) makes more than a count.
                    (None, None) => EditEffect::Nothing,
                    // One version over the limit: the file enters or leaves the file list.
                    _ => EditEffect::Levels,
                }
            })
            .collect()
    }

    fn size(&mut self, oid: Oid) -> u64 {
        blob_size(&mut self.sizes, &self.repo.repo, oid)
    }

    /// Scans the (path, blob) pairs not in the cache yet: reads the blobs that need reading
    /// (git2 is single-threaded), then matches in parallel. Counts hits and misses.
    fn fill_cache<S: AsRef<str>>(&mut self, want: &[(S, Oid, u64)]) {
        type Miss = (String, Oid, u64, Rules, Option<Result<Vec<u8>, String>>);
        let mut misses: Vec<Miss> = Vec::new();
        for (rel, oid, size) in want {
            let rel = rel.as_ref();
            if self.cache.get(rel, *oid).is_some() {
                self.stats.cache_hits += 1;
                continue;
            }
            let rules = self.rules_for(rel);
            let content = scan::needs_content_with(&self.matcher, rel, rules).then(|| {
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
                    let s = scan::scan_file_with(matcher, &rel, size, rules, || {
                        content.unwrap_or_else(|| Err(format!("{rel}: not loaded")))
                    });
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
    pub fn snapshot(&mut self, root: &str) -> Snapshot {
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
                continue;
            }
            if e.mode == MODE_COMMIT || e.mode == MODE_TREE {
                // A submodule: its content is another repository's.
                skipped.special += 1;
                continue;
            }
            if self.exclude.is_match(rel) {
                skipped.excluded += 1;
                continue;
            }
            let size = blob_size(&mut self.sizes, &self.repo.repo, e.oid);
            if size > self.opts.max_file_size {
                skipped.too_large += 1;
                large.push(LargeFile {
                    path: rel.clone(),
                    size,
                });
                continue;
            }
            files.push(rel.clone());
            blobs.push((e.oid, size));
        }

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
            let project = scan::project_of(&scans);
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
        Ok(scan::assemble(cat, opts, snap.tree, snap.scans))
    }
}

/// Model and data file types that do not belong in git history.
const DATA_EXTENSIONS: &[&str] = &[
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

pub fn is_data_binary(rel: &str) -> bool {
    let l = rel.to_ascii_lowercase();
    evidence::is_model_artifact(rel) || DATA_EXTENSIONS.iter().any(|e| l.ends_with(e))
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

/// The training-pipeline files of a report: where model_training or ml_pipeline_orchestration
/// has implemented (or better) evidence.
fn training_files(report: &Report) -> HashSet<String> {
    report
        .capabilities
        .iter()
        .filter(|c| c.id == "model_training" || c.id == "ml_pipeline_orchestration")
        .flat_map(|c| c.evidence.iter())
        .filter(|e| e.tier >= crate::rules::Tier::Implemented)
        .map(|e| e.path.clone())
        .collect()
}

/// Walks at most `max_commits` commits back from HEAD with tree diffs (no blob is read, only
/// sizes of model/data files): the newest change to the training pipeline and the large
/// binaries committed along the way. None when `root` is not in a git repository or the
/// repository has no commits.
pub fn repo_history(
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
    let today = days_from_civil(crate::config::Date::today());
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

/// The commits `history` walks: newest first from `start`, at most `max`, none older than
/// `since` (days since the epoch), optionally along first parents only. Returned oldest first,
/// with whether more commits were left out by `max`.
pub fn commits(
    repo: &Repo,
    start: Oid,
    max: usize,
    since: Option<i64>,
    first_parent: bool,
) -> Result<(Vec<Oid>, bool), GitError> {
    let r = &repo.repo;
    let mut walk = r.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    if first_parent {
        walk.simplify_first_parent()?;
    }
    walk.push(start)?;
    let mut out = Vec::new();
    let mut more = false;
    for oid in walk {
        let oid = oid?;
        if let Some(days) = since {
            let c = r.find_commit(oid)?;
            if c.time().seconds().div_euclid(86_400) < days {
                continue;
            }
        }
        if out.len() >= max {
            more = true;
            break;
        }
        out.push(oid);
    }
    out.reverse();
    Ok((out, more))
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Delta, DiffOptions, TreeBuilder};

    /// A file to write: its path split at `/`, its content and mode.
    type Spec<'a> = (Vec<&'a str>, &'a str, i32);
    /// A changed path with its (blob, mode) before and after.
    type Seen = (String, Option<(Oid, i32)>, Option<(Oid, i32)>);

    /// Writes a tree from (path, content, mode) triples; `content` is a blob's bytes.
    fn tree(repo: &Repository, files: &[(&str, &str, i32)]) -> Oid {
        fn build(repo: &Repository, files: &[Spec]) -> Oid {
            let mut b: TreeBuilder = repo.treebuilder(None).expect("treebuilder");
            let mut dirs: BTreeMap<&str, Vec<Spec>> = BTreeMap::new();
            for (parts, content, mode) in files {
                if parts.len() == 1 {
                    let blob = repo.blob(content.as_bytes()).expect("blob");
                    b.insert(parts[0], blob, *mode).expect("insert");
                } else {
                    dirs.entry(parts[0])
                        .or_default()
                        .push((parts[1..].to_vec(), content, *mode));
                }
            }
            for (name, sub) in dirs {
                b.insert(name, build(repo, &sub), MODE_TREE)
                    .expect("insert tree");
            }
            b.write().expect("write tree")
        }
        let split: Vec<Spec> = files
            .iter()
            .map(|(p, c, m)| (p.split('/').collect(), *c, *m))
            .collect();
        build(repo, &split)
    }

    /// The changed paths as libgit2's diff reports them (no type changes), and as
    /// [`tree_delta`] does, must agree: files added, removed, edited, made executable, turned
    /// into a symlink or a directory, and directories turned into files, at any depth.
    #[test]
    fn tree_delta_agrees_with_libgit2() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        const F: i32 = 0o100644;
        let a = tree(
            &repo,
            &[
                ("README.md", "hello", F),
                ("same/deep/x.py", "x", F),
                ("src/train.py", "fit()", F),
                ("src/util.py", "u", F),
                ("run.sh", "echo", F),
                ("link", "target", F),
                ("becomes_dir", "file", F),
                ("was_dir/a.txt", "a", F),
                ("was_dir/sub/b.txt", "b", F),
                ("gone/c.txt", "c", F),
            ],
        );
        let b = tree(
            &repo,
            &[
                ("README.md", "hello", F),
                ("same/deep/x.py", "x", F),
                ("src/train.py", "fit(); log()", F),
                ("src/new.py", "n", F),
                ("run.sh", "echo", 0o100755),
                ("link", "target", MODE_LINK),
                ("becomes_dir/inner.py", "i", F),
                ("was_dir", "now a file", F),
                ("added/deep/d.txt", "d", F),
            ],
        );
        let (a, b) = (repo.find_tree(a).unwrap(), repo.find_tree(b).unwrap());
        for (old, new) in [(None, Some(&a)), (Some(&a), Some(&b)), (Some(&b), Some(&a))] {
            let mut ours = Vec::new();
            tree_delta(&repo, old, new, &mut Vec::new(), &mut ours).expect("tree delta");
            let mut ours: Vec<Seen> = ours
                .into_iter()
                .map(|d| {
                    (
                        d.rel,
                        d.old.map(|e| (e.oid, e.mode)),
                        d.new.map(|e| (e.oid, e.mode)),
                    )
                })
                .collect();
            let mut opts = DiffOptions::new();
            opts.ignore_submodules(false).include_typechange(false);
            let diff = repo
                .diff_tree_to_tree(old, new, Some(&mut opts))
                .expect("diff");
            let mut theirs: Vec<Seen> = diff
                .deltas()
                .map(|d| {
                    let file = |f: git2::DiffFile| (f.id(), i32::from(f.mode()));
                    let path = d.new_file().path().or(d.old_file().path()).unwrap();
                    let (o, n) = match d.status() {
                        Delta::Added => (None, Some(file(d.new_file()))),
                        Delta::Deleted => (Some(file(d.old_file())), None),
                        _ => (Some(file(d.old_file())), Some(file(d.new_file()))),
                    };
                    (walk::relative(Path::new(""), path), o, n)
                })
                .collect();
            ours.sort();
            theirs.sort();
            assert_eq!(ours, theirs);
            assert!(!ours.is_empty());
        }
    }
}
