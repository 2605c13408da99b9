//! Stage 1: find the files that are the project's own.
//!
//! gitignore-aware and parallel (the `ignore` crate). Hidden folders are walked, because
//! `.github`, `.dvc` and `.azuredevops` hold the evidence that matters most; vendored and generated
//! trees are not. Symlinks are never followed, so nothing outside the root is read. In a git
//! work tree, files git tracks are listed even when an ignore file matches them (`tracked`).

use crate::model::{LargeFile, SkipStats};
use crate::source::skip::{SKIP_DIRS, is_virtualenv};
use crate::source::tracked::{ignored_tracked, tracked_files};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;
use ignore::WalkState;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Files larger than this are listed, not read (`--max-file-size`).
pub(crate) const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// A notebook may be this many times `--max-file-size`: only its code cells are read, and the
/// outputs (plots embedded as base64, tables) that make a notebook of a few hundred lines of
/// code weigh megabytes are dropped as it is parsed.
pub(crate) const NOTEBOOK_SIZE_FACTOR: u64 = 16;

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub max_file_size: u64,
    /// Globs (relative to the root) excluded by the config or the command line.
    pub exclude: Vec<String>,
    pub threads: usize,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
            threads: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Path relative to the scanned root, `/`-separated (the full path is the root joined
    /// with it: not kept, 200,000 of them cost ~25 MiB).
    pub rel: String,
    /// The full path, kept only when it is not UTF-8 (`rel` is then a lossy copy).
    pub raw: Option<PathBuf>,
    pub size: u64,
}

impl WalkOptions {
    /// The size above which the file at `rel` is listed, not read ([`NOTEBOOK_SIZE_FACTOR`]).
    pub(crate) fn size_limit(&self, rel: &str) -> u64 {
        if rel.to_ascii_lowercase().ends_with(".ipynb") {
            self.max_file_size.saturating_mul(NOTEBOOK_SIZE_FACTOR)
        } else {
            self.max_file_size
        }
    }
}

impl FileEntry {
    /// Where the file is, under the walk's `root`.
    pub fn path(&self, root: &Path) -> PathBuf {
        self.raw.clone().unwrap_or_else(|| root.join(&self.rel))
    }
}

pub struct WalkResult {
    pub files: Vec<FileEntry>,
    pub skipped: SkipStats,
    /// Files over the size limit, kept so model binaries can be reported.
    pub large: Vec<LargeFile>,
    pub warnings: Vec<String>,
    pub has_git: bool,
}

pub(crate) fn build_globset(globs: &[String]) -> Result<GlobSet, globset::Error> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(GlobBuilder::new(g).literal_separator(true).build()?);
        // `dir/**` should also exclude `dir` itself when given as `dir`.
        if !g.contains('*') && !g.contains('?') {
            b.add(
                GlobBuilder::new(&format!("{}/**", g.trim_end_matches('/')))
                    .literal_separator(true)
                    .build()?,
            );
        }
    }
    b.build()
}

use crate::paths::relative;

pub fn walk(root: &Path, opts: &WalkOptions) -> Result<WalkResult, String> {
    let meta = std::fs::metadata(root).map_err(|e| format!("{}: {e}", root.display()))?;
    if !meta.is_dir() {
        return Err(format!("{}: not a directory", root.display()));
    }
    let exclude = build_globset(&opts.exclude).map_err(|e| format!("invalid exclude glob: {e}"))?;
    let has_git = root.join(".git").exists();

    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .ignore(true)
        // A directory that is not a git checkout (an unpacked archive, a fixture) still means
        // its .gitignore.
        .require_git(false)
        .parents(false)
        .threads(opts.threads)
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            if e.depth() == 0 {
                return true;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            !(is_dir
                && (SKIP_DIRS.contains(&name.as_ref())
                    || e.path().ends_with(".dvc/cache")
                    || is_virtualenv(e.path())))
        });

    let files = Mutex::new(Vec::new());
    let large = Mutex::new(Vec::new());
    let warnings = Mutex::new(Vec::new());
    let skipped = Mutex::new(SkipStats::default());
    builder.build_parallel().run(|| {
        Box::new(|res| {
            let entry = match res {
                Ok(e) => e,
                Err(err) => {
                    let mut w = warnings.lock().unwrap();
                    if w.len() < 100 {
                        w.push(format!("walk: {err}"));
                    }
                    skipped.lock().unwrap().unreadable += 1;
                    // The error names the path; it is listed among the warnings.
                    return WalkState::Continue;
                }
            };
            if entry.depth() == 0 {
                return WalkState::Continue;
            }
            let Some(ft) = entry.file_type() else {
                return WalkState::Continue;
            };
            if ft.is_dir() {
                return WalkState::Continue;
            }
            let rel = relative(root, entry.path());
            if ft.is_symlink() {
                // Never followed: a link may point out of the tree or into a loop.
                let mut s = skipped.lock().unwrap();
                s.symlinks += 1;
                s.name(&rel, "symlink (never followed)");
                return WalkState::Continue;
            }
            if !ft.is_file() {
                // FIFOs, sockets and devices would block or never end.
                let mut s = skipped.lock().unwrap();
                s.special += 1;
                s.name(&rel, "special file");
                return WalkState::Continue;
            }
            if exclude.is_match(&rel) {
                skipped.lock().unwrap().excluded += 1;
                return WalkState::Continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            if size > opts.size_limit(&rel) {
                let mut s = skipped.lock().unwrap();
                s.too_large += 1;
                s.name(&rel, "too large (--max-file-size)");
                drop(s);
                large.lock().unwrap().push(LargeFile {
                    path: rel.clone(),
                    size,
                });
                return WalkState::Continue;
            }
            let raw = entry.path().to_str().is_none().then(|| entry.into_path());
            files.lock().unwrap().push(FileEntry { rel, raw, size });
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().unwrap();
    let mut large = large.into_inner().unwrap();
    if has_git {
        add_tracked(root, opts, &exclude, &mut files, &mut large);
    }
    // Parallel walks finish in any order; reports and tests need a stable one.
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    large.sort_by(|a, b| a.path.cmp(&b.path));
    let mut warnings = warnings.into_inner().unwrap();
    warnings.sort();
    let mut skipped = skipped.into_inner().unwrap();
    skipped.settle();
    Ok(WalkResult {
        files,
        skipped,
        large,
        warnings,
        has_git,
    })
}

/// Adds the tracked files of the git work tree at `root` that the walk left out because an
/// ignore file matched them, with the walk's own limits (exclude globs, size).
fn add_tracked(
    root: &Path,
    opts: &WalkOptions,
    exclude: &GlobSet,
    files: &mut Vec<FileEntry>,
    large: &mut Vec<LargeFile>,
) {
    let tracked = tracked_files(root);
    if tracked.is_empty() {
        return;
    }
    let extra = {
        let walked: HashSet<&str> = files
            .iter()
            .map(|f| f.rel.as_str())
            .chain(large.iter().map(|l| l.path.as_str()))
            .collect();
        ignored_tracked(root, tracked, &walked)
    };
    for (rel, _full, size) in extra {
        if exclude.is_match(&rel) {
            continue;
        }
        if size > opts.size_limit(&rel) {
            large.push(LargeFile { path: rel, size });
            continue;
        }
        files.push(FileEntry {
            rel,
            raw: None,
            size,
        });
    }
}
