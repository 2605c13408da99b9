//! `ripen scan`: one or several repositories (paths or URLs), each with its own config.

use crate::catalogue::Catalogue;
use crate::cli::args::ScanArgs;
use crate::cli::many;
use crate::cli::options::{Flags, options, targets};
use crate::cli::{error, out, warn};
use crate::model::Report;
use crate::pipeline::ScanOptions;
use crate::render::{self, github};
use crate::source::remote::{self, Source};
use std::path::{Path, PathBuf};

pub(crate) fn scan_cmd(args: ScanArgs) -> i32 {
    if args.paths.len() > 1
        && !args.as_system
        && let Err(e) = many::many_format(args.format)
    {
        return error(e);
    }
    // URLs are cloned into temporary directories, removed when `sources` is dropped.
    let sources = match resolve(&args.paths) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let mut scanned = Vec::new();
    for src in &sources {
        match scan_source(&args, src) {
            Ok((report, targets, cat, opts)) => {
                scanned.push((src.name.clone(), report, targets, cat, opts));
            }
            Err(code) => return code,
        }
    }
    let (mut report, met) = if args.as_system {
        let (_, _, targets, cat, opts) = &scanned[0];
        let parts: Vec<(String, Report)> = scanned
            .iter()
            .map(|(n, r, ..)| (n.clone(), r.clone()))
            .collect();
        let Some(mut r) = crate::assess::system::merge(cat, &parts, opts) else {
            return error("no repository to scan");
        };
        keep_models(&mut r, &args.models);
        let met = r.check_targets(targets, args.trust.trust());
        (r, met)
    } else if scanned.len() == 1 {
        let (_, mut r, targets, ..) = scanned.remove(0);
        let met = r.check_targets(&targets, args.trust.trust());
        (r, met)
    } else {
        return report_many(&args, scanned);
    };
    let env = |k: &str| std::env::var(k).ok();
    if github::in_actions(&env) {
        report.browse_url = github::browse_url(&env);
    }
    for (format, path) in &args.report_files {
        if let Some(e) = sources.iter().find_map(|s| committed_link(&s.root, path)) {
            return error(format!("--report-file: {e}"));
        }
        if let Err(e) = std::fs::write(path, render::render(&report, *format)) {
            return error(format!(
                "--report-file: cannot write {}: {e}",
                path.display()
            ));
        }
    }
    // The job summary and step outputs are written when asked, not by every scan that runs
    // inside a workflow.
    if (args.github_summary || args.format == render::Format::Github)
        && let Err(e) = github::publish(&report, &env)
    {
        warn(format!(
            "cannot write the GitHub step summary or outputs: {e}"
        ));
    }
    if args.quiet && args.format == render::Format::Text {
        out(&render::text::render_quiet(&report));
    } else {
        out(&render::render_with(
            &report,
            args.format,
            &crate::cli::render_options(),
        ));
    }
    if met || args.exit_zero { 0 } else { 1 }
}

/// The models `--model` keeps (all when it is empty), validated against the catalogue.
pub(crate) fn model_filter(cat: &Catalogue, models: &[String]) -> Result<(), String> {
    for m in models {
        if cat.model(m).is_none() {
            return Err(format!(
                "--model: unknown model `{m}` (known: {})",
                cat.models
                    .iter()
                    .map(|m| m.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(())
}

/// Leaves out of a report (and its sub-projects) the models `--model` does not name.
pub(crate) fn keep_models(report: &mut Report, models: &[String]) {
    if models.is_empty() {
        return;
    }
    report.models.retain(|id, _| models.contains(id));
    for p in &mut report.projects {
        p.models.retain(|id, _| models.contains(id));
    }
}

/// Why `path` must not be written: a symbolic link inside the scanned repository `root` (the
/// file itself or a directory on the way), which the repository committed and could aim at any
/// file the runner may write. None: nothing in the repository redirects the write.
pub(crate) fn committed_link(root: &Path, path: &Path) -> Option<String> {
    let root = std::path::absolute(root).ok()?;
    let path = std::path::absolute(path).ok()?;
    let rel = path.strip_prefix(&root).ok()?;
    let mut at = root.clone();
    for c in rel.components() {
        at.push(c);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(format!(
                "{} is a symbolic link in the scanned repository; ripen does not write through \
                 a link the repository controls (remove it or write elsewhere)",
                at.display()
            ));
        }
    }
    None
}

/// One repository's scan: its name, report, targets, catalogue and options.
type ScannedRepo = (String, Report, Vec<(String, u32)>, Catalogue, ScanOptions);

/// Several repositories, each reported, then a summary (and, asked, the job summary and step
/// outputs under Actions).
fn report_many(args: &ScanArgs, scanned: Vec<ScannedRepo>) -> i32 {
    if !args.report_files.is_empty() {
        return error(
            "--report-file writes one report: give one repository, or merge them with --as-system",
        );
    }
    let mut met = true;
    let parts: Vec<(String, Report)> = scanned
        .into_iter()
        .map(|(n, mut r, t, ..)| {
            met &= r.check_targets(&t, args.trust.trust());
            (n, r)
        })
        .collect();
    let env = |k: &str| std::env::var(k).ok();
    if args.github_summary
        && let Ok(md) = crate::cli::render_many(&parts, render::Format::Markdown)
        && let Err(e) = github::publish_many(&md, &parts, met, &env)
    {
        warn(format!(
            "cannot write the GitHub step summary or outputs: {e}"
        ));
    }
    match crate::cli::many::render_many_with(&parts, args.format, &crate::cli::render_options()) {
        Ok(s) => {
            out(&s);
            if met || args.exit_zero { 0 } else { 1 }
        }
        Err(e) => error(e),
    }
}

/// One root's report, with the targets, catalogue and options it was scanned with.
pub(crate) type Scanned = (Report, Vec<(String, u32)>, Catalogue, ScanOptions);

/// One source's scan. A sub-directory of a git repository is scanned as that repository,
/// scoped to the directory, when asked (`--enclosing-repo`) and the repository's config does
/// not exclude the directory; otherwise as it stands, and the report says what it cannot see.
fn scan_source(args: &ScanArgs, src: &Resolved) -> Result<Scanned, i32> {
    let chosen = if src._clone.is_none() {
        choose_root(&src.root, args.enclosing_repo, args.config.as_deref())
    } else {
        Chosen::alone(&src.root)
    };
    let display = match &chosen.scope {
        Some(scope) => {
            strip_scope(&src.display, scope).unwrap_or_else(|| chosen.root.display().to_string())
        }
        None => src.display.clone(),
    };
    let (mut report, targets, cat, opts) = scan_root(args, &chosen.root, chosen.scope.clone())?;
    crate::cli::annotate(
        &mut report,
        &chosen.root,
        args.history_commits,
        args.max_file_size,
        args.trust.follow_git_file,
    );
    report.root = display;
    // A directory with automation of its own (a project kept as its own root, an example with
    // its CI) is scanned as it stands; one without says what it misses.
    let said = chosen.said.or_else(|| {
        chosen
            .unseen
            .filter(|_| report.automation.entry_points.is_empty())
            .map(|scope| unseen_ci(&scope))
    });
    if let Some(w) = said {
        report.warnings.insert(0, w);
    }
    Ok((report, targets, cat, opts))
}

/// Which root a directory is scanned from: the directory itself, or, with `--enclosing-repo`,
/// the git repository it lies in, scoped to it.
pub(crate) struct Chosen {
    pub(crate) root: std::path::PathBuf,
    /// The directory's path inside `root`, when `root` is the enclosing repository.
    pub(crate) scope: Option<String>,
    /// A warning the report must carry (the enclosing config excludes the directory).
    pub(crate) said: Option<String>,
    /// The directory's path inside a repository that is not used (no `--enclosing-repo`): the
    /// report says what it cannot see when the directory has no automation of its own.
    pub(crate) unseen: Option<String>,
}

impl Chosen {
    fn alone(dir: &Path) -> Chosen {
        Chosen {
            root: dir.to_path_buf(),
            scope: None,
            said: None,
            unseen: None,
        }
    }
}

/// The root to scan `dir` from, for `scan`, `diff` and `history` alike: with `enclosing`, the
/// git repository `dir` lies in, scoped to `dir`, unless that repository's config excludes it
/// (then `dir` alone, and a warning that says so).
pub(crate) fn choose_root(dir: &Path, enclosing: bool, config: Option<&Path>) -> Chosen {
    let Some((repo, scope)) = crate::source::enclosing::enclosing_repo(dir) else {
        return Chosen::alone(dir);
    };
    if !enclosing {
        return Chosen {
            unseen: Some(scope),
            ..Chosen::alone(dir)
        };
    }
    match excluding_config(config, &repo, &scope) {
        Some(cfg) => Chosen {
            said: Some(excluded_scope(&scope, &cfg)),
            ..Chosen::alone(dir)
        },
        None => Chosen {
            root: repo,
            scope: Some(scope),
            said: None,
            unseen: None,
        },
    }
}

/// Config, catalogue, targets and options for one root, and its report.
pub(crate) fn scan_root(
    args: &ScanArgs,
    root: &Path,
    scope: Option<String>,
) -> Result<Scanned, i32> {
    let flags = Flags {
        config: args.config.as_deref(),
        rules: &args.rules,
        exclude: &args.exclude,
        max_file_size: args.max_file_size,
        no_attestations: args.no_attestations,
        per_project: args.per_project,
        trust: &args.trust,
    };
    let (config, cat, mut opts) = options(root, &flags).map_err(error)?;
    opts.scope = scope;
    let mut targets = targets(&config, &cat, &args.fail_under).map_err(error)?;
    model_filter(&cat, &args.models).map_err(error)?;
    if !args.models.is_empty() {
        if let Some((m, _)) = args
            .fail_under
            .iter()
            .find(|(m, _)| !args.models.contains(m))
        {
            return Err(error(format!(
                "--fail-under {m}: `{m}` is not among the models --model reports"
            )));
        }
        // The config's targets for models left out are not checked.
        targets.retain(|(m, _)| args.models.contains(m));
    }
    let scanned = crate::cli::progress::with_progress(|progress| {
        let opts = ScanOptions {
            progress,
            ..opts.clone()
        };
        crate::pipeline::scan(root, &cat, &opts)
    });
    match scanned {
        Ok(mut r) => {
            keep_models(&mut r, &args.models);
            Ok((r, targets, cat, opts))
        }
        Err(e) => Err(error(e)),
    }
}

/// A scan argument made into a directory: a path as given, or a temporary clone of a URL.
pub(crate) struct Resolved {
    pub root: PathBuf,
    /// What the report calls it: the path or URL as given.
    pub display: String,
    /// A short name (`--as-system` prefixes, the summary table).
    pub name: String,
    pub _clone: Option<remote::Clone>,
}

/// Turns the arguments of `ripen scan` into directories, cloning URLs.
pub(crate) fn resolve(paths: &[PathBuf]) -> Result<Vec<Resolved>, String> {
    let mut out = Vec::new();
    for p in paths {
        let r = match remote::classify(p) {
            Source::Path(p) => {
                if !p.is_dir() {
                    return Err(format!("{}: not a directory", p.display()));
                }
                let name = p
                    .canonicalize()
                    .ok()
                    .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_else(|| remote::repo_name(&p.to_string_lossy()));
                Resolved {
                    display: p.display().to_string(),
                    root: p,
                    name,
                    _clone: None,
                }
            }
            src @ (Source::Local(_) | Source::Network(_)) => {
                let c = remote::clone(&src)?;
                let url = remote::redact_urls(&c.url);
                Resolved {
                    root: c.path.clone(),
                    name: remote::repo_name(&url),
                    display: url,
                    _clone: Some(c),
                }
            }
        };
        out.push(r);
    }
    let names = crate::assess::system::unique_names(out.iter().map(|r| r.name.clone()).collect());
    for (r, n) in out.iter_mut().zip(names) {
        r.name = n;
    }
    Ok(out)
}

/// Adds the history facts to a scan of a repository's top level (`.git` at the root; a
/// subdirectory or an unpacked tree gets none). A `.git` file or link that leads outside the
/// scanned directory is reported and not followed unless `follow` (`--follow-git-file`).
pub fn annotate(report: &mut Report, root: &Path, max_commits: usize, max_size: u64, follow: bool) {
    if max_commits == 0 || !root.join(".git").exists() {
        return;
    }
    if let Some(why) = crate::cli::options::unfollowed_git_dir(root, follow) {
        report.warnings.push(format!("{why} (no history facts)"));
        return;
    }
    report.history =
        crate::pipeline::repo_history::repo_history(root, report, max_commits, max_size);
}

/// The repository's path as the user would write it: `PATH` without its trailing `scope`
/// (`sub/dir` scoped `sub/dir` → `.`; `../x/sub` scoped `sub` → `../x`), when it ends so.
fn strip_scope(display: &str, scope: &str) -> Option<String> {
    let d = display.trim_end_matches('/');
    let parts: Vec<&str> = d
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let scope: Vec<&str> = scope.split('/').collect();
    if parts.len() < scope.len() || parts[parts.len() - scope.len()..] != scope[..] {
        return None;
    }
    let rest = &parts[..parts.len() - scope.len()];
    Some(match (d.starts_with('/'), rest.is_empty()) {
        (true, _) => format!("/{}", rest.join("/")),
        (false, true) => ".".to_string(),
        (false, false) => rest.join("/"),
    })
}

/// The config of the enclosing repository `repo` (as the report names it) when it excludes the
/// whole of `scope` (a glob matches every path under it, as `fixtures/**` does `fixtures/x`):
/// that repository says the directory is not its own, so the directory is scanned alone.
/// `None` when nothing excludes it, or the config cannot be read (the scan then says why).
fn excluding_config(config: Option<&Path>, repo: &Path, scope: &str) -> Option<String> {
    let config = crate::config::Config::discover(repo, config)
        .ok()
        .flatten()?;
    let probe = format!("{scope}/ripen-scope-probe");
    let set = crate::source::walk::build_globset(&config.exclude).ok()?;
    if !set.is_match(&probe) {
        return None;
    }
    let path = config.path.as_deref().unwrap_or(Path::new("the config"));
    Some(
        path.strip_prefix(repo)
            .unwrap_or(path)
            .display()
            .to_string(),
    )
}

/// The warning of `--enclosing-repo` on a directory the enclosing repository's config excludes.
fn excluded_scope(scope: &str, config: &str) -> String {
    format!(
        "the enclosing repository's {config} excludes `{scope}`: this directory was scanned alone (its own files, config and CI), without the repository's CI or history"
    )
}

/// The warning of a scan of a sub-directory without `--enclosing-repo`.
fn unseen_ci(scope: &str) -> String {
    format!(
        "this directory is `{scope}` inside a git repository: the CI jobs, schedules and pipelines of that repository are not seen, so levels that need them may be too low; scan with --enclosing-repo to use them"
    )
}

#[cfg(test)]
mod scope_tests {
    use super::strip_scope;

    #[test]
    fn the_repository_is_written_as_the_user_wrote_the_path() {
        assert_eq!(strip_scope("sub/dir", "sub/dir").as_deref(), Some("."));
        assert_eq!(strip_scope("./sub/dir/", "sub/dir").as_deref(), Some("."));
        assert_eq!(strip_scope("../x/sub", "sub").as_deref(), Some("../x"));
        assert_eq!(
            strip_scope("/abs/repo/sub", "sub").as_deref(),
            Some("/abs/repo")
        );
        assert_eq!(strip_scope("elsewhere", "sub"), None);
    }
}
