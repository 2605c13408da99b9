//! Files git tracks are the repository's, even when a `.gitignore` pattern matches them: a
//! `.*` line hides a tracked `.github/` from a gitignore-aware walk, and with it the CI. In a
//! git work tree the file list is the index plus the untracked files that are not ignored
//! (what the walk finds); this adds the tracked files the walk left out.

use crate::source::skip::{is_virtualenv, under_skipped_dir};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// The index entries of the work tree at `root` (`root/.git` must exist): paths relative to
/// `root`, regular files and executables only (no symlinks, no submodules). Empty when the
/// repository or its index cannot be read.
pub(crate) fn tracked_files(root: &Path) -> Vec<String> {
    crate::source::git::allow_any_owner();
    let Ok(repo) = git2::Repository::open(root) else {
        return Vec::new();
    };
    let Ok(index) = repo.index() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in index.iter() {
        // 0o100644 / 0o100755: blobs; 0o120000 symlinks and 0o160000 submodules are not read.
        if e.mode & 0o170000 != 0o100000 {
            continue;
        }
        let Ok(rel) = String::from_utf8(e.path) else {
            continue;
        };
        if safe_relative(&rel) {
            out.push(rel);
        }
    }
    out
}

/// A path the index may claim, but only within the root: no `..`, no absolute paths, nothing
/// under `.git` (the index is the scanned repository's, and untrusted).
fn safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(n) if n != ".git"))
}

/// The tracked files the walk did not list because an ignore file matched them, as they are on
/// disk now: skipped directories, virtualenvs, deleted files, symlinks (the file or any folder
/// above it) and non-files are left out, as the walk leaves them out.
pub(crate) fn ignored_tracked(
    root: &Path,
    tracked: Vec<String>,
    walked: &HashSet<&str>,
) -> Vec<(String, PathBuf, u64)> {
    let mut out = Vec::new();
    let mut checked_dirs: HashSet<String> = HashSet::new();
    for rel in tracked {
        if walked.contains(rel.as_str()) || under_skipped_dir(&rel) {
            continue;
        }
        if !dirs_are_plain(root, &rel, &mut checked_dirs) {
            continue;
        }
        let full = root.join(&rel);
        let Ok(meta) = std::fs::symlink_metadata(&full) else {
            continue;
        };
        if !meta.file_type().is_file() {
            continue;
        }
        out.push((rel, full, meta.len()));
    }
    out
}

/// Every folder above `rel` is a real directory (not a symlink) and not a virtualenv.
fn dirs_are_plain(root: &Path, rel: &str, checked: &mut HashSet<String>) -> bool {
    let mut dir = String::new();
    let parts: Vec<&str> = rel.split('/').collect();
    for p in &parts[..parts.len() - 1] {
        if !dir.is_empty() {
            dir.push('/');
        }
        dir.push_str(p);
        if checked.contains(&dir) {
            continue;
        }
        let full = root.join(&dir);
        let plain = std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_dir())
            && !is_virtualenv(&full);
        if !plain {
            return false;
        }
        checked.insert(dir.clone());
    }
    true
}
