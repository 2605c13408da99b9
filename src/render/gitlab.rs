//! GitLab Code Quality report (`--format gitlab`): a JSON array of issues in the format GitLab
//! reads from `artifacts:reports:codequality` and shows in merge requests. One issue per
//! practice missing between a model's level and its target (see [`super::gaps`]), at the file
//! where it belongs.
//!
//! Severities: `critical` for a required practice of a `--fail-under` target that is not met,
//! `major` for a required practice of the next level, `info` for an expected practice or a gap
//! a waiver accepts. The fingerprint is stable across runs (model, level, practice), so GitLab
//! can tell new gaps from old ones. The scan's warnings follow as `info` issues on the scanned
//! directory, and with `--per-project` an `info` issue on each sub-project with its levels.

use super::{Severity, gap_headline, gap_location, gaps, repo_path};
use crate::model::Report;
use serde_json::{Value, json};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "info",
    }
}

/// A 128-bit FNV-1a hash in hex: GitLab asks for a unique, stable fingerprint string.
pub(crate) fn fingerprint(key: &str) -> String {
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in key.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(PRIME);
    }
    format!("{h:032x}")
}

/// The scan's warnings (what it could not see or read, such as a sub-directory whose CI may
/// live in the enclosing repository), as `info` issues on the scanned directory: a Code Quality
/// report has no other place for them.
fn warnings(r: &Report) -> impl Iterator<Item = Value> + '_ {
    let dir = match &r.scope {
        Some(scope) => scope.clone(),
        None => {
            let d = repo_path(r, "");
            let d = d.trim_end_matches('/');
            if d.is_empty() {
                ".".into()
            } else {
                d.to_string()
            }
        }
    };
    r.warnings.iter().take(50).map(move |w| {
        json!({
            "description": format!("ripen: {w}"),
            "check_name": "ripen/warning",
            "fingerprint": fingerprint(&format!("ripen/warning/{w}")),
            "severity": "info",
            "location": { "path": dir, "lines": { "begin": 1 } },
        })
    })
}

/// Sub-projects (`--per-project`): an `info` issue on each with its levels.
fn projects(r: &Report) -> impl Iterator<Item = Value> + '_ {
    r.projects.iter().map(move |p| {
        let levels = crate::render::common::project_level_labels(p);
        json!({
            "description": format!("ripen: sub-project {}: {}", p.path, levels.join(", ")),
            "check_name": "ripen/sub-project",
            "fingerprint": fingerprint(&format!("ripen/sub-project/{}/{}", p.path, levels.join(","))),
            "severity": "info",
            "location": { "path": repo_path(r, &p.path), "lines": { "begin": 1 } },
        })
    })
}

pub fn render(r: &Report) -> String {
    let issues: Vec<Value> = gaps(r)
        .iter()
        .map(|g| {
            let p = g.practice;
            let loc = gap_location(r, p);
            let path = loc
                .as_ref()
                .map(|l| repo_path(r, &l.path))
                .unwrap_or_else(|| repo_path(r, "."));
            let line = loc.as_ref().and_then(|l| l.line).unwrap_or(1).max(1);
            let description = match &p.waived {
                Some(_) => format!("{} (waived).", gap_headline(g)),
                None => format!("{}. {}", gap_headline(g), p.remediation.trim()),
            };
            json!({
                "description": description,
                "check_name": format!("ripen/{}", p.id),
                "fingerprint": fingerprint(&format!("ripen/{}/{}/{}", g.model, g.level.level, p.id)),
                "severity": severity(g.severity),
                "location": { "path": path, "lines": { "begin": line } },
            })
        })
        .chain(warnings(r))
        .chain(projects(r))
        .collect();
    let mut out = serde_json::to_string_pretty(&Value::Array(issues)).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        assert_eq!(fingerprint("a"), fingerprint("a"));
        assert_ne!(
            fingerprint("ripen/azure/1/ci"),
            fingerprint("ripen/azure/2/ci")
        );
        assert_eq!(fingerprint("").len(), 32);
    }
}
