//! `ripen init`: a starting `.ripen.yml` whose targets are the levels the repository has
//! today, so that CI fails when a level drops and the team raises the targets as it goes (a
//! ratchet). It never overwrites a configuration unless asked to.

use crate::catalogue::Catalogue;
use crate::config;
use crate::model::Date;
use crate::model::{Report, Staged};
use crate::pipeline::ScanOptions;
use std::fmt::Write as _;
use std::path::Path;

/// The configuration text for `report`, as of `today`.
pub(crate) fn template(report: &Report, today: Date) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# ripen configuration, written by `ripen init` on {today} (ripen {}).",
        report.tool.version
    );
    let _ = writeln!(
        o,
        "# Schema: schemas/ripen-config.schema.json in ripen's repository. Docs: README, \"Configuration\".\n"
    );
    let _ = writeln!(
        o,
        "# Targets: the levels this repository has today (a ratchet). `ripen scan` exits 1 when a\n# level drops below its target; raise them as the repository matures."
    );
    let _ = writeln!(o, "fail_under:");
    for (id, m) in &report.models {
        let Some(Staged {
            level,
            max_level: max,
            levels,
            ..
        }) = m.staged()
        else {
            continue;
        };
        let (level, max) = (*level, *max);
        let mut comment = String::new();
        if let Some(next) = levels.iter().find(|l| l.level == level + 1) {
            let missing: Vec<&str> = next
                .required
                .iter()
                .filter(|p| !p.met)
                .map(|p| p.id.as_str())
                .collect();
            comment = format!(
                "  # of {max}; level {} needs: {}",
                next.level,
                missing.join(", ")
            );
        } else if level == max {
            comment = "  # the top level".to_string();
        }
        let _ = writeln!(o, "  {id}: {level}{comment}");
    }
    o.push_str(
        r#"
# The examples below are commented out: each starts at a `#key:` line (no space after the
# `#`); remove the `#` at the start of each of its lines to use it.

# Paths left out of the scan (globs relative to the scanned root).
#exclude:
#  - "fixtures/**"

# Extra rule directories, relative to this file (see docs/rules.md).
rules: []

# Practices carried out outside this repository. Shown apart from detected evidence; they
# count as implemented. A gate counts them only with `ripen scan --trust-attestations`;
# `--no-attestations` ignores them.
#attestations:
#  - capability: model_performance_monitoring
#    reason: Drift and latency alerts are configured in the platform team's Datadog.
#    link: https://example.com/runbooks/model-monitoring

# Capabilities accepted as missing until a date (at most a year ahead). While active, the
# practices they cover are reported as waived (never as evidence); a gate counts them only with
# `ripen scan --trust-waivers`. An expired waiver is reported and stops counting.
#waivers:
#  - capability: continuous_delivery
#    reason: The deployment pipeline lands next quarter.
#    expires: EXPIRES
"#,
    );
    // A quarter ahead, whenever the file is written: not reached yet, and well within the year
    // a waiver may run (`--max-waiver-days`), so the uncommented example is a valid config.
    let expires = Date::from_days(crate::model::days_from_civil(today) + 90);
    o.replace("EXPIRES", &expires.to_string())
}

/// Writes `text` to `target` in `root` without following a link: a `.ripen.yml` that is a
/// symbolic link (dangling or not) is refused, and the file is written beside it and renamed
/// into place, which replaces a directory entry and never writes through one.
fn write_inside(root: &Path, target: &Path, text: &str) -> Result<(), String> {
    if std::fs::symlink_metadata(target).is_ok_and(|m| !m.is_file()) {
        return Err(format!(
            "{} is a symbolic link or not a regular file; ripen init writes only a regular \
             file inside the repository",
            target.display()
        ));
    }
    let err = |e: std::io::Error| format!("cannot write {}: {e}", target.display());
    let mut tmp = tempfile::NamedTempFile::new_in(root).map_err(err)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(err)?;
    }
    tmp.persist(target).map_err(|e| err(e.error))?;
    Ok(())
}

/// Writes `<root>/.ripen.yml`. Refuses when a configuration exists, unless `force`.
pub(crate) fn init(root: &Path, cat: &Catalogue, force: bool) -> Result<String, String> {
    if !root.is_dir() {
        return Err(format!("{}: not a directory", root.display()));
    }
    let target = root.join(config::DEFAULT_NAME);
    if !force {
        for name in config::CANDIDATES {
            let p = root.join(name);
            if !p.is_file() {
                continue;
            }
            // A pyproject.toml configures ripen only with a [tool.ripen] table (one that cannot
            // be parsed might: refuse rather than guess).
            let configured = *name != "pyproject.toml"
                || std::fs::read_to_string(&p).map_or(true, |text| {
                    config::Config::parse_pyproject(name, &text, root).map_or(true, |c| c.is_some())
                });
            if configured {
                return Err(format!(
                    "{} already configures ripen; pass --force to write {} anyway",
                    p.display(),
                    target.display()
                ));
            }
        }
    }
    let report =
        crate::pipeline::scan(root, cat, &ScanOptions::default()).map_err(|e| e.to_string())?;
    let text = template(&report, Date::today());
    write_inside(root, &target, &text)?;
    let levels: Vec<String> = report
        .models
        .iter()
        .filter_map(|(id, m)| m.level().map(|l| format!("{id} >= {l}")))
        .collect();
    Ok(format!(
        "wrote {} with targets {}\n",
        target.display(),
        levels.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples, uncommented as the template says (the `#` removed from each line of each
    /// `#key:` block), make a configuration that loads and validates against the catalogue.
    #[test]
    fn uncommented_examples_load() {
        let cat = Catalogue::load(&[]).expect("built-in rules");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("train.py"), "import torch\n").expect("write");
        let report =
            crate::pipeline::scan(dir.path(), &cat, &ScanOptions::default()).expect("scan");
        // Any day of the year: a waiver dated by the year alone ran over a year ahead from
        // January to March.
        for today in ["2026-01-15", "2026-03-30", "2026-12-31"] {
            let today = Date::parse(today).unwrap();
            let text = template(&report, today);
            uncommented_example_is_valid(&cat, dir.path(), &text, today);
        }
    }

    fn uncommented_example_is_valid(
        cat: &Catalogue,
        dir: &std::path::Path,
        text: &str,
        today: Date,
    ) {
        let as_written = config::Config::parse(".ripen.yml", text, dir).expect("parses");
        as_written.validate(cat).expect("valid");
        // An example: a `#key:` line and the `#  ` lines under it.
        let mut in_example = false;
        let uncommented: String = text
            .lines()
            .map(|l| {
                let rest = l.strip_prefix('#').unwrap_or(l);
                in_example = if rest.starts_with(|c: char| c.is_ascii_lowercase()) {
                    true
                } else {
                    in_example && rest.starts_with("  ")
                };
                if in_example { rest } else { l }
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert_ne!(uncommented, text.trim_end());
        let c = config::Config::parse(".ripen.yml", &uncommented, dir)
            .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        c.validate(cat)
            .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        // As `ripen scan` checks it, with its default limit of a year.
        c.check_waiver_expiry(today, 365)
            .unwrap_or_else(|e| panic!("{today}: {e}\n{uncommented}"));
        assert_eq!(c.exclude, ["fixtures/**"]);
        assert_eq!(c.attestations.len(), 1);
        assert_eq!(c.waivers.len(), 1);
    }
}
