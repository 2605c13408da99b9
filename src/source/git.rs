//! Reading a repository from git's object database instead of the working tree: opening it
//! (whoever owns it), resolving revisions, listing commits and diffing trees. Nothing here
//! writes to the repository or runs anything from it.

use crate::catalogue::DataError;
use git2::{ObjectType, Oid, Repository, Sort};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Once;

/// What to tell people whose clone is shallow (the GitHub Actions default).
pub(crate) const SHALLOW_FIX: &str = "fetch the full history with `git fetch --unshallow` (in GitHub Actions: \
`fetch-depth: 0` on actions/checkout)";

/// An error reading a repository, with what to do about it where ripen knows.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GitError(pub String);

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
pub(crate) fn allow_any_owner() {
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
        // libgit2 keeps every commit and small tree it parses, up to 256 MiB: `ripen history`
        // reads each once, in order, so the cache grew with the history's length (about 10 KiB
        // a commit) and saved nothing. Its own caches (the blob scans, the previous tree) are
        // what gets reused.
        git2::opts::enable_caching(false);
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

/// Where `root/.git` leads when it is a file (`gitdir: PATH`, as worktrees and submodules
/// have) or a link whose target lies outside `root`: the scanned directory would then read
/// a git directory it does not contain. None when `.git` is a directory inside `root`, or
/// absent.
pub fn git_dir_outside(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    let meta = std::fs::symlink_metadata(&dot_git).ok()?;
    let target = if meta.file_type().is_symlink() {
        std::fs::read_link(&dot_git).ok().map(|t| root.join(t))?
    } else if meta.is_file() {
        let text = std::fs::read_to_string(&dot_git).ok()?;
        let dir = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?.trim();
        root.join(dir)
    } else {
        return None;
    };
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    (!canon(&target).starts_with(canon(root))).then_some(target)
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
                    format!("{}/", crate::paths::relative(Path::new(""), rel))
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
    pub(crate) fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The commits at the shallow boundary (their parents are missing).
    pub(crate) fn shallow_boundary(&self) -> HashSet<Oid> {
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .map(|s| {
                s.lines()
                    .filter_map(|l| Oid::from_str(l.trim()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Resolves a revision to a commit, saying what to do when a shallow clone lacks it.
    pub(crate) fn commit(&self, rev: &str) -> Result<git2::Commit<'_>, GitError> {
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
    pub(crate) fn subtree<'r>(
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

pub(crate) const MODE_LINK: i32 = 0o120000;

pub(crate) const MODE_COMMIT: i32 = 0o160000;

pub(crate) const MODE_TREE: i32 = 0o040000;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) oid: Oid,
    pub(crate) mode: i32,
}

/// A file that differs between two trees: its entry before and after (None: absent).
pub(crate) struct PathDelta {
    pub(crate) rel: String,
    pub(crate) old: Option<Entry>,
    pub(crate) new: Option<Entry>,
}

/// The files that differ between two trees (None: empty), as libgit2's tree diff reports them
/// without type changes: a file whose kind changes (blob, link, submodule, directory) is one
/// path removed and one added. Only subtrees whose ids differ are read; a commit touches a few
/// directories, and libgit2's diff cost a tenth of `ripen history`.
pub(crate) fn tree_delta(
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
pub(crate) fn side(
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

pub(crate) fn descend(
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

/// A tree path as the walk names files (`paths::relative`: lossy UTF-8).
pub(crate) fn path_of(prefix: &[u8], name: &[u8]) -> String {
    let mut p = prefix.to_vec();
    p.extend_from_slice(name);
    String::from_utf8_lossy(&p).into_owned()
}

/// A blob's size from its header (no content read), remembered.
pub(crate) fn blob_size(sizes: &mut HashMap<Oid, u64>, repo: &Repository, oid: Oid) -> u64 {
    *sizes.entry(oid).or_insert_with(|| {
        repo.odb()
            .and_then(|odb| odb.read_header(oid))
            .map(|(n, _)| n as u64)
            .unwrap_or(0)
    })
}

/// The commits `history` walks: newest first from `start`, at most `max`, none older than
/// `since` (days since the epoch), optionally along first parents only. Returned oldest first,
/// with whether more commits were left out by `max`.
pub(crate) fn commits(
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
    use std::collections::BTreeMap;

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
                    (crate::paths::relative(Path::new(""), path), o, n)
                })
                .collect();
            ours.sort();
            theirs.sort();
            assert_eq!(ours, theirs);
            assert!(!ours.is_empty());
        }
    }
}
