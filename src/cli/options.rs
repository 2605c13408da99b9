//! From the configuration file and the command line to what a scan needs, in one place: the
//! config that applies to the root, the catalogue (built-in rules, the config's rule
//! directories, `--rules`), and the scan options (exclusions from both, the size limit,
//! attestations and waivers).

use crate::catalogue::Catalogue;
use crate::config::{Config, ScanOptions};
use crate::source::walk::WalkOptions;
use std::path::{Path, PathBuf};

/// What the command line adds to the configuration file.
pub(crate) struct Flags<'a> {
    pub config: Option<&'a Path>,
    pub rules: &'a [PathBuf],
    pub exclude: &'a [String],
    pub max_file_size: u64,
    pub no_attestations: bool,
    pub per_project: bool,
    /// What the caller counts toward a gate beyond ripen's own rules.
    pub trust: crate::model::Trust,
    /// The furthest ahead, in days, a waiver may expire (`--max-waiver-days`).
    pub max_waiver_days: i64,
}

/// The config, the catalogue and the scan options for `root`. Errors are messages for the
/// user (exit 2).
pub(crate) fn options(
    root: &Path,
    flags: &Flags,
) -> Result<(Config, Catalogue, ScanOptions), String> {
    let config = Config::discover(root, flags.config)
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    // The config's rule directories are the repository's (inside it, checked by `discover`,
    // also for --config); --rules DIR are the caller's.
    let cat =
        Catalogue::load_with_repository(flags.rules, &config.rules).map_err(|e| e.to_string())?;
    let outside = flags
        .config
        .is_some_and(|p| !crate::config::inside(root, p));
    let unquote =
        |e: crate::catalogue::DataError| if outside { e.unquoted() } else { e }.to_string();
    config.validate(&cat).map_err(unquote)?;
    config
        .check_waiver_expiry(crate::model::Date::today(), flags.max_waiver_days)
        .map_err(unquote)?;
    let mut exclude = config.exclude.clone();
    exclude.extend(flags.exclude.iter().cloned());
    let opts = ScanOptions {
        walk: WalkOptions {
            max_file_size: flags.max_file_size,
            exclude,
            threads: 0,
        },
        attestations: config.attestations.clone(),
        no_attestations: flags.no_attestations,
        waivers: config.waivers.clone(),
        today: None,
        config: config
            .path
            .as_ref()
            .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string()),
        per_project: flags.per_project,
        scope: None,
        trust: flags.trust,
        progress: None,
    };
    Ok((config, cat, opts))
}

/// The config's `fail_under` targets, with `--fail-under` ones replacing them model by model.
pub(crate) fn targets(
    config: &Config,
    cat: &Catalogue,
    flags: &[(String, u32)],
) -> Result<Vec<(String, u32)>, String> {
    let mut targets = config.fail_under.clone();
    for (m, l) in flags {
        let Some(model) = cat.model(m).filter(|m| !m.levels().is_empty()) else {
            return Err(format!(
                "--fail-under: unknown model `{m}` (known: {})",
                cat.staged_models().join(", ")
            ));
        };
        let max = model.levels().last().map(|l| l.level).unwrap_or(0);
        if *l > max {
            return Err(format!("--fail-under: `{m}` has levels 0 to {max}"));
        }
        targets.retain(|(x, _)| x != m);
        targets.push((m.clone(), *l));
    }
    Ok(targets)
}
