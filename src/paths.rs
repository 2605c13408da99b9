//! Paths inside a scanned tree: `/`-separated, relative to its root, never touching the disk.

use std::path::Path;

/// A YAML file, by its extension.
pub(crate) fn is_yaml(rel: &str) -> bool {
    rel.ends_with(".yml") || rel.ends_with(".yaml")
}

pub(crate) fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

pub(crate) fn join(base: &str, rel: &str) -> Option<String> {
    // Most paths need no normalising: one allocation instead of a segment list.
    let clean = |p: &str| !p.split('/').any(|s| s.is_empty() || s == "." || s == "..");
    if clean(rel) && (base.is_empty() || clean(base)) {
        return Some(if base.is_empty() {
            rel.to_string()
        } else {
            format!("{base}/{rel}")
        });
    }
    let mut parts: Vec<&str> = if base.is_empty() {
        Vec::new()
    } else {
        base.split('/').collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// `p` relative to `root`, `/`-separated (lossy UTF-8): how the walk names files.
pub(crate) fn relative(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    let s = rel.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}
