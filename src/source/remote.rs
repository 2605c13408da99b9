//! `ripen scan <git URL>`: clone into a temporary directory and scan the checkout.
//!
//! `file://` URLs (and other local repositories) are cloned with libgit2, shallow (depth 1).
//! ripen's libgit2 is built without TLS or SSH (no OpenSSL or libssh2 to vendor), so network
//! URLs (`https://`, `http://`, `ssh://`, `git://`, `user@host:path`) are cloned by running
//! the system `git clone --depth 1`, which has its own transports and credential helpers. The
//! temporary directory (`tempfile`) is removed when the scan is done.

use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

/// Every URL in `text` without its credentials: the user information of
/// `https://user:token@host/…` is removed whole for http(s) and git (a bare user there is
/// usually a token), and its password for other schemes (`ssh://git@host` keeps its login).
/// Applied to the URL a report shows as its root and to every message that names one.
pub fn redact_urls(text: &str) -> String {
    static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*)://([^/\s@]*)@").expect("userinfo pattern")
    });
    USERINFO
        .replace_all(text, |c: &regex::Captures| {
            let scheme = &c[1];
            let user = &c[2];
            if matches!(
                scheme.to_ascii_lowercase().as_str(),
                "http" | "https" | "git"
            ) {
                format!("{scheme}://")
            } else {
                let login = user.split(':').next().unwrap_or("");
                if login.is_empty() {
                    format!("{scheme}://")
                } else {
                    format!("{scheme}://{login}@")
                }
            }
        })
        .into_owned()
}

/// Whether a report's root names a URL rather than a directory (a clone's origin): its
/// paths are then relative to the repository, never prefixed with the URL.
pub fn is_url(root: &str) -> bool {
    if root.contains("://") {
        return true;
    }
    // scp-like `user@host:path`.
    root.split_once(':')
        .is_some_and(|(host, _)| host.contains('@') && !host.contains('/'))
}

/// How a scan argument names its repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A directory on this machine.
    Path(PathBuf),
    /// A `file://` URL, cloned with libgit2.
    Local(String),
    /// A network URL, cloned with the `git` program.
    Network(String),
}

/// Decides what an argument is. An existing path is always a path.
pub fn classify(arg: &Path) -> Source {
    let s = arg.to_string_lossy();
    if arg.exists() {
        return Source::Path(arg.to_path_buf());
    }
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("file://") {
        return Source::Local(s.into_owned());
    }
    if [
        "https://",
        "http://",
        "ssh://",
        "git://",
        "git+ssh://",
        "ssh+git://",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return Source::Network(s.into_owned());
    }
    // scp-like `user@host:path` (no scheme, the colon before any slash).
    if let Some((host, _)) = s.split_once(':')
        && host.contains('@')
        && !host.contains('/')
        && !s.starts_with('-')
    {
        return Source::Network(s.into_owned());
    }
    Source::Path(arg.to_path_buf())
}

/// A clone, alive as long as this value.
pub(crate) struct Clone {
    pub url: String,
    /// The checkout (a subdirectory of the temporary directory).
    pub path: PathBuf,
    pub(crate) _dir: tempfile::TempDir,
}

/// The repository name a URL or path suggests (`org/repo.git` → `repo`).
pub fn repo_name(s: &str) -> String {
    let t = s.trim_end_matches(['/', '\\']);
    let last = t.rsplit(['/', '\\', ':']).next().unwrap_or(t);
    let name = last.strip_suffix(".git").unwrap_or(last);
    if name.is_empty() || name == "." || name == ".." {
        "repository".into()
    } else {
        name.to_string()
    }
}

/// Clones `source` (not a `Source::Path`) shallowly into a temporary directory.
pub(crate) fn clone(source: &Source) -> Result<Clone, String> {
    clone_inner(source).map_err(|e| redact_urls(&e))
}

fn clone_inner(source: &Source) -> Result<Clone, String> {
    let dir = tempfile::Builder::new()
        .prefix("ripen-clone-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let dest = dir.path().join("repo");
    match source {
        Source::Path(p) => Err(format!("{}: not a URL", p.display())),
        Source::Local(url) => {
            crate::source::git::allow_any_owner();
            let shallow = |depth| {
                let mut fo = git2::FetchOptions::new();
                fo.depth(depth);
                git2::build::RepoBuilder::new()
                    .fetch_options(fo)
                    .clone(url, &dest)
            };
            // libgit2's local transport may not do shallow fetches: fall back to a full clone.
            match shallow(1) {
                Ok(_) => Ok(Clone {
                    url: url.clone(),
                    path: dest,
                    _dir: dir,
                }),
                Err(_) => {
                    let _ = std::fs::remove_dir_all(&dest);
                    git2::build::RepoBuilder::new()
                        .clone(url, &dest)
                        .map_err(|e| format!("cannot clone {url}: {}", e.message()))?;
                    Ok(Clone {
                        url: url.clone(),
                        path: dest,
                        _dir: dir,
                    })
                }
            }
        }
        Source::Network(url) => {
            let out = Command::new("git")
                .args(["clone", "--depth", "1", "--quiet", "--no-tags", "--"])
                .arg(url)
                .arg(&dest)
                // Never wait for a password prompt in a scan; fail instead.
                .env("GIT_TERMINAL_PROMPT", "0")
                .env("GIT_ASKPASS", "true")
                .stdin(std::process::Stdio::null())
                .output()
                .map_err(|e| {
                    format!(
                        "cannot clone {url}: running `git` failed ({e}). ripen's built-in git has no \
https/ssh transport, so network URLs need the `git` program; install git, or clone the repository \
yourself and pass its directory"
                    )
                })?;
            if !out.status.success() {
                return Err(format!(
                    "cannot clone {url}: git clone failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            Ok(Clone {
                url: url.clone(),
                path: dest,
                _dir: dir,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_leave_urls_and_logins_stay() {
        assert_eq!(
            redact_urls("https://user:tok@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(redact_urls("https://tok@h/r"), "https://h/r");
        assert_eq!(
            redact_urls("cannot clone HTTP://a:b@h/r: fatal: 'https://a:b@h/r' not found"),
            "cannot clone HTTP://h/r: fatal: 'https://h/r' not found"
        );
        assert_eq!(redact_urls("ssh://git:pw@h/r"), "ssh://git@h/r");
        assert_eq!(redact_urls("ssh://git@h/r"), "ssh://git@h/r");
        assert_eq!(
            redact_urls("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
        assert_eq!(redact_urls("https://h/a@b"), "https://h/a@b");
        assert!(is_url("https://h/r") && is_url("git@h:o/r") && !is_url("fixtures/x"));
        assert!(!is_url("/abs/path") && !is_url("C:/x"));
    }
}
