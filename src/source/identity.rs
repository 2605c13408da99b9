//! Which repository the scanned tree is, by name: the scanned folder's name and the remotes its
//! git configuration names (`.git/config`, read as text, never run). A CI file that checks out
//! a repository by a name that is none of these builds that other repository.

use std::path::Path;

/// The most bytes of `.git/config` read.
const MAX_CONFIG: u64 = 64 * 1024;

/// The repository's names, lower-case (`churn-model` for `~/src/churn-model` and for a remote
/// `git@github.com:acme/churn-model.git`). Empty when none is known.
pub(crate) fn names(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |n: Option<String>| {
        if let Some(n) = n
            && !out.contains(&n)
        {
            out.push(n);
        }
    };
    let folder = root
        .canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(root)
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(repository_name);
    // A downloaded archive unpacks into `NAME-main` (or `-master`).
    let unpacked = folder.as_deref().and_then(|f| {
        f.strip_suffix("-main")
            .or_else(|| f.strip_suffix("-master"))
            .map(str::to_string)
    });
    add(folder);
    add(unpacked);
    let config = root.join(".git").join("config");
    if let Ok(f) = std::fs::File::open(&config) {
        use std::io::Read;
        let mut text = String::new();
        if f.take(MAX_CONFIG).read_to_string(&mut text).is_ok() {
            for line in text.lines() {
                if let Some((k, v)) = line.split_once('=')
                    && k.trim() == "url"
                {
                    add(repository_name(v.trim()));
                }
            }
        }
    }
    out
}

/// The repository name a URL or folder name ends with (`https://github.com/acme/churn.git`,
/// `git@host:acme/churn`, `churn`), lower-case; None when it is held in a variable.
pub(crate) fn repository_name(url: &str) -> Option<String> {
    let last = url.trim().trim_end_matches('/').rsplit(['/', ':']).next()?;
    let name = last.strip_suffix(".git").unwrap_or(last);
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| name.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_folder_and_the_remotes() {
        assert_eq!(
            repository_name("https://github.com/Acme/Churn-Model.git").as_deref(),
            Some("churn-model")
        );
        assert_eq!(
            repository_name("git@github.com:acme/churn").as_deref(),
            Some("churn")
        );
        assert_eq!(repository_name("${REPO_URL}"), None);
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("checkout");
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        std::fs::write(
            root.join(".git/config"),
            "[remote \"origin\"]\n\turl = https://github.com/acme/churn-model.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
        )
        .expect("write");
        assert_eq!(names(&root), vec!["checkout", "churn-model"]);
        let unpacked = dir.path().join("churn-model-main");
        std::fs::create_dir_all(&unpacked).expect("mkdir");
        assert_eq!(names(&unpacked), vec!["churn-model-main", "churn-model"]);
    }
}
