//! From the configuration file and the command line to what a scan needs, in one place: the
//! config that applies to the root, the catalogue (built-in rules, the config's rule
//! directories, `--rules`), and the scan options (exclusions from both, the size limit,
//! attestations and waivers).

use crate::catalogue::Catalogue;
use crate::cli::args::TrustArgs;
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
    /// What the caller trusts (`--trust-*`, `--max-waiver-days`, `--follow-git-file`): the
    /// same for every command.
    pub trust: &'a TrustArgs,
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
        .check_waiver_expiry(crate::model::Date::today(), flags.trust.max_waiver_days)
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
        trust: flags.trust.trust(),
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

/// Why ripen does not read the git directory of `dir`: the `.git` file or link of its
/// repository's top level (`dir` or the nearest ancestor with a `.git`) leads outside that
/// directory, and the caller did not pass `--follow-git-file`. One message for `scan` (a
/// warning, no history facts) and `diff`/`history` (an error: they read nothing else).
pub(crate) fn unfollowed_git_dir(dir: &Path, follow: bool) -> Option<String> {
    if follow {
        return None;
    }
    let top = if std::fs::symlink_metadata(dir.join(".git")).is_ok() {
        dir.to_path_buf()
    } else {
        crate::source::enclosing::enclosing_repo(dir)?.0
    };
    let target = crate::source::git::git_dir_outside(&top)?;
    Some(format!(
        ".git leads outside the scanned directory (to {}): not followed; pass --follow-git-file \
         to read it",
        target.display()
    ))
}
