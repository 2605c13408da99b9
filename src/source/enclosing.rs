//! The git repository a scanned directory lies inside (a monorepo's project): `--enclosing-repo`
//! scans that repository scoped to the directory.

use std::path::{Path, PathBuf};

/// The git work tree a directory lies strictly inside (a `.git` directory or file, as worktrees
/// and submodules have, in an ancestor below any `GIT_CEILING_DIRECTORIES`), and
/// the directory's path in it (`/`-separated). `None` at a repository's top level, outside any
/// repository, or when the paths cannot be resolved.
pub(crate) fn enclosing_repo(dir: &Path) -> Option<(PathBuf, String)> {
    let dir = dir.canonicalize().ok()?;
    if dir.join(".git").exists() {
        return None;
    }
    // Like git, never look into a directory named in GIT_CEILING_DIRECTORIES or above it.
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| {
            std::env::split_paths(&v)
                .filter_map(|p| p.canonicalize().ok())
                .collect()
        })
        .unwrap_or_default();
    let repo = dir
        .ancestors()
        .skip(1)
        .take_while(|a| !ceilings.iter().any(|c| c == a))
        .find(|a| a.join(".git").exists())?;
    let scope: Vec<String> = dir
        .strip_prefix(repo)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!scope.is_empty()).then(|| (repo.to_path_buf(), scope.join("/")))
}
