//! What the CI renderers flag: the gaps between each staged model's level and its *target* (the
//! `--fail-under` target for that model, else the next level), each placed at its most relevant
//! file.

use crate::model::{LevelResult, Outcome, PracticeResult, Report};
use crate::render::common::capitalise;

/// How much a gap matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    /// An expected practice, or a gap a waiver accepts.
    Note,
    /// A required practice of the next level (no target set for the model).
    Warning,
    /// A required practice of a `--fail-under` target that is not met.
    Error,
}

/// A practice missing between a model's level and its target.
#[derive(Debug, Clone)]
pub(crate) struct Gap<'a> {
    pub model: &'a str,
    pub model_title: &'a str,
    /// The model's level now.
    pub current: u32,
    pub level: &'a LevelResult,
    pub practice: &'a PracticeResult,
    pub required: bool,
    pub severity: Severity,
    /// Whether the level range comes from a `--fail-under` target (else: the next level).
    pub targeted: bool,
}

/// Every practice missing on the levels above each staged model's level, up to its target.
/// A target already met gives the next level's gaps as notes, so a team that meets its gate
/// still sees what to do next.
pub(crate) fn gaps(report: &Report) -> Vec<Gap<'_>> {
    let mut out = Vec::new();
    for (id, m) in &report.models {
        let title = &m.title;
        let m = match &m.outcome {
            Outcome::Staged(s) => s,
            Outcome::Categories(_) => continue,
        };
        let level = m.level;
        let target = report.targets.iter().find(|t| &t.model == id);
        // A met target still shows what to do next: the next level's gaps, as notes.
        let met = target.is_some_and(|t| t.met);
        let (upto, targeted) = match target {
            Some(t) if !t.met => (t.level, true),
            _ => (level + 1, false),
        };
        let failing = target.is_some_and(|t| !t.met);
        for l in m
            .levels
            .iter()
            .filter(|l| l.level > level && l.level <= upto)
        {
            for (required, ps) in [(true, &l.required), (false, &l.expected)] {
                for p in ps.iter().filter(|p| !p.met) {
                    let severity = if met || p.waived.is_some() || !required {
                        Severity::Note
                    } else if failing {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    out.push(Gap {
                        model: id,
                        model_title: title,
                        current: level,
                        level: l,
                        practice: p,
                        required,
                        severity,
                        targeted,
                    });
                }
            }
        }
    }
    out
}

/// A place in the scanned tree, relative to its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub path: String,
    pub line: Option<u32>,
}

/// Where to show a gap: the best evidence of one of the practice's capabilities (present, but
/// short of the tier the gate needs); for a waived gap, the waiver in the config; else the
/// config file, else the README, else any evidenced file; `None` for a repository with none.
pub(crate) fn gap_location(report: &Report, p: &PracticeResult) -> Option<Location> {
    if let Some(cap) = &p.waived
        && let (Some(config), Some(w)) = (
            &report.config,
            report.waivers.iter().find(|w| &w.capability == cap),
        )
    {
        return Some(Location {
            path: config.clone(),
            line: w.line.and_then(|l| u32::try_from(l).ok()),
        });
    }
    for c in &p.capabilities {
        if let Some(e) = report
            .capability(c)
            .and_then(|c| c.evidence.iter().find(|e| placeable(&e.path)))
        {
            return Some(Location {
                path: e.path.clone(),
                line: e.line,
            });
        }
    }
    // The config, else the README, else any file ripen found evidence in: code scanning
    // needs a file to show a result on.
    report
        .config
        .as_ref()
        .or(report.readme.as_ref())
        .or_else(|| {
            report
                .capabilities
                .iter()
                .find_map(|c| c.evidence.first())
                .map(|e| &e.path)
        })
        .map(|p| Location {
            path: p.clone(),
            line: None,
        })
}

/// Whether an annotation on this file helps whoever reads it: not a notebook (its lines are
/// JSON, not cells), and not a dependency list or environment file, which only names a tool.
fn placeable(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    !(name.ends_with(".ipynb")
        || name.ends_with(".lock")
        || name.starts_with("requirements") && name.ends_with(".txt")
        || name.starts_with("environment") && (name.ends_with(".yml") || name.ends_with(".yaml"))
        || name.starts_with("conda") && (name.ends_with(".yml") || name.ends_with(".yaml"))
        || name == "pipfile"
        || name == "setup.cfg")
}

/// A path relative to the scanned root, made relative to where ripen ran (the repository
/// root in CI) when the root was given as a relative path: `fixtures/x` + `dvc.yaml` →
/// `fixtures/x/dvc.yaml`. A root that is a URL (a clone) adds nothing: the path is the
/// repository's own.
pub(crate) fn repo_path(report: &Report, rel: &str) -> String {
    let root = report.root.trim_end_matches('/');
    let root = root.strip_prefix("./").unwrap_or(root);
    if root.is_empty()
        || root == "."
        || std::path::Path::new(root).is_absolute()
        || crate::source::remote::is_url(root)
    {
        rel.to_string()
    } else {
        format!("{root}/{rel}")
    }
}

/// One line: the model, its level, and the level it is short of.
pub(crate) fn gap_headline(g: &Gap) -> String {
    format!(
        "{} level {} ({}) {} {}",
        capitalise(g.model),
        g.level.level,
        g.level.name,
        if g.required { "requires" } else { "expects" },
        g.practice.title
    )
}

#[cfg(test)]
mod tests {
    use super::placeable;

    #[test]
    fn gaps_are_not_placed_on_notebooks_or_dependency_files() {
        for p in [
            "notebooks/a.ipynb",
            "requirements-dev.txt",
            "env/environment.yml",
            "conda.yaml",
            "poetry.lock",
        ] {
            assert!(!placeable(p), "{p}");
        }
        for p in [
            ".github/workflows/ci.yml",
            "README.md",
            "src/train.py",
            "pyproject.toml",
        ] {
            assert!(placeable(p), "{p}");
        }
    }
}
