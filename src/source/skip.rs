//! What is never the project's own evidence, one policy for both ways of reading a tree: the
//! directory walk (`walk`) and git trees (`pipeline::tree_scanner`, `pipeline::repo_history`).

use std::collections::BTreeMap;
use std::path::Path;

/// Directory names that are never the project's own evidence.
pub(crate) const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "site-packages",
    "dist-packages",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    ".eggs",
    "vendor",
    "third_party",
    "_vendor",
    ".terraform",
];

pub(crate) fn under_skipped_dir(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts.iter().any(|p| SKIP_DIRS.contains(p))
        || rel.starts_with(".dvc/cache/")
        || rel.contains("/.dvc/cache/")
}

/// The virtualenv (under any name) that `rel` marks, as `dir/`: a directory holding
/// `pyvenv.cfg` or `conda-meta/` (the walk's `is_virtualenv`, for a tree read from git).
pub(crate) fn venv_of(rel: &str) -> Option<String> {
    if let Some(d) = rel.strip_suffix("/pyvenv.cfg") {
        return Some(format!("{d}/"));
    }
    rel.find("conda-meta/")
        .filter(|&i| i > 0 && rel.as_bytes()[i - 1] == b'/')
        .map(|i| rel[..i].to_string())
}

/// The virtualenv directories of a tree ([`venv_of`]), with how many of its files mark each,
/// kept as files come and go rather than searched for in every snapshot.
#[derive(Default)]
pub(crate) struct Venvs(BTreeMap<String, usize>);

impl Venvs {
    pub(crate) fn add(&mut self, rel: &str) {
        if let Some(v) = venv_of(rel) {
            *self.0.entry(v).or_default() += 1;
        }
    }

    pub(crate) fn remove(&mut self, rel: &str) {
        if let Some(v) = venv_of(rel)
            && let Some(n) = self.0.get_mut(&v)
        {
            *n -= 1;
            if *n == 0 {
                self.0.remove(&v);
            }
        }
    }

    pub(crate) fn hides(&self, rel: &str) -> bool {
        !self.0.is_empty() && self.0.keys().any(|v| rel.starts_with(v.as_str()))
    }
}

/// A virtualenv or conda env under any name: it has `pyvenv.cfg` or `conda-meta/`.
pub(crate) fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file() || dir.join("conda-meta").is_dir()
}
