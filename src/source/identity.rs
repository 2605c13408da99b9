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
    for readme in [
        "README.md",
        "README.rst",
        "README.txt",
        "README",
        "readme.md",
        "Readme.md",
    ] {
        for n in readme_clone_names(&root.join(readme)) {
            add(Some(n));
        }
    }
    out
}

/// The names the README's own install instructions clone the repository under: a `git clone
/// URL` followed, on its line or one of the next three, by `cd NAME` into the folder the clone
/// makes (`git clone https://github.com/acme/tfdf-rules-tfx && cd tfdf-rules-tfx`). A
/// repository renamed since keeps its old name there, and its CI often clones it so.
fn readme_clone_names(path: &Path) -> Vec<String> {
    use std::io::Read;
    let mut text = String::new();
    let Ok(f) = std::fs::File::open(path) else {
        return Vec::new();
    };
    if f.take(MAX_CONFIG).read_to_string(&mut text).is_err() {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find("git clone ") else {
            continue;
        };
        let Some(url) = line[at + 10..]
            .split_whitespace()
            .find(|w| !w.starts_with('-'))
        else {
            continue;
        };
        let Some(name) = repository_name(url.trim_matches(['`', '"', '\''])) else {
            continue;
        };
        let enters = lines[i..lines.len().min(i + 4)].iter().any(|l| {
            l.split(['&', ';', '`', '\n'])
                .map(str::trim)
                .filter_map(|c| c.strip_prefix("cd "))
                .any(|d| d.trim().trim_end_matches('/').eq_ignore_ascii_case(&name))
        });
        if enters && !out.contains(&name) {
            out.push(name);
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

    /// The README's install instructions name the repository as they clone it, when they
    /// enter the clone's folder; a dependency cloned without entering it names nothing.
    #[test]
    fn readme_clone_instructions_name_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let readme = dir.path().join("README.md");
        std::fs::write(
            &readme,
            "## Setup\n```\ngit clone https://github.com/edpark/tfdf-rules-tfx.git\ncd tfdf-rules-tfx\n```\nAlso `git clone https://github.com/ultralytics/yolov5` for the weights.\n",
        )
        .unwrap();
        assert_eq!(
            readme_clone_names(&readme),
            vec!["tfdf-rules-tfx".to_string()]
        );
        assert!(names(dir.path()).contains(&"tfdf-rules-tfx".to_string()));
    }
}
