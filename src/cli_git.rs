//! The git-aware commands (`ripen history`, `ripen diff`) and the parts of `ripen scan` that
//! deal with URLs and several repositories. Kept apart from `cli.rs`, which only dispatches
//! here. Exit codes as everywhere: 0 success, 1 a gate failed (`--fail-on-regression`), 2
//! usage, configuration, rule or repository error.

use crate::config::{Config, Date};
use crate::diff;
use crate::history::{self, HistoryOptions};
use crate::remote::{self, Source};
use crate::render::diff::DiffFormat;
use crate::render::history::HistoryFormat;
use crate::render::{self, Format};
use crate::report::Report;
use crate::rules::Catalogue;
use crate::scan::ScanOptions;
use crate::system::{self, Multi};
use crate::walk::WalkOptions;
use clap::Args;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options shared by `history` and `diff`: which rules, which files.
#[derive(Args, Debug, Clone)]
pub struct TreeArgs {
    /// Extra rule directory, loaded after the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Config file (default: the one at the scanned root, as for `scan`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_file_size: u64,
    /// Leave out paths matching this glob, relative to the root (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The repository (or a directory inside one) to follow.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// At most this many commits, the newest.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_commits: usize,
    /// Leave out commits older than this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<Date>,
    /// Follow only the first parent of merges (the main line).
    #[arg(long)]
    pub first_parent: bool,
    /// Where to start (default: HEAD).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub rev: String,
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: HistoryFormat,
    #[command(flatten)]
    pub tree: TreeArgs,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The repository (or a directory inside one).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The revision to compare against (e.g. `origin/main`, a commit, a tag).
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// The revision to compare (default: the working tree, scanned as `ripen scan` does).
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Exit 1 when any model's level is lower at head than at base.
    #[arg(long)]
    pub fail_on_regression: bool,
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: DiffFormat,
    #[command(flatten)]
    pub tree: TreeArgs,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("expected a date YYYY-MM-DD, got `{s}`"))
}

fn error(msg: impl std::fmt::Display) -> i32 {
    let mut err = anstream::stderr();
    let style = anstyle::AnsiColor::Red.on_default().bold();
    let _ = writeln!(err, "{style}error{style:#}: {msg}");
    2
}

fn note(msg: impl std::fmt::Display) {
    let mut err = anstream::stderr();
    let style = anstyle::AnsiColor::Yellow.on_default().bold();
    let _ = writeln!(err, "{style}note{style:#}: {msg}");
}

fn out(s: &str) {
    let mut o = anstream::stdout();
    let _ = o.write_all(s.as_bytes());
}

/// The catalogue and scan options for `root`, from its config and the command line.
fn prepare(root: &Path, t: &TreeArgs) -> Result<(Catalogue, ScanOptions), i32> {
    let config = Config::discover(root, t.config.as_deref())
        .map_err(error)?
        .unwrap_or_default();
    let mut rule_dirs = config.rules.clone();
    rule_dirs.extend(t.rules.iter().cloned());
    let cat = Catalogue::load(&rule_dirs).map_err(error)?;
    config.validate(&cat).map_err(error)?;
    let mut exclude = config.exclude.clone();
    exclude.extend(t.exclude.iter().cloned());
    let opts = ScanOptions {
        walk: WalkOptions {
            max_file_size: t.max_file_size,
            exclude,
            threads: 0,
        },
        attestations: config.attestations.clone(),
        waivers: config.waivers.clone(),
        ..ScanOptions::default()
    };
    Ok((cat, opts))
}

pub fn history_cmd(a: HistoryArgs) -> i32 {
    if !a.path.is_dir() {
        return error(format!("{}: not a directory", a.path.display()));
    }
    if a.max_commits == 0 {
        return error("--max-commits must be at least 1");
    }
    let (cat, opts) = match prepare(&a.path, &a.tree) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let hopts = HistoryOptions {
        max_commits: a.max_commits,
        since: a.since,
        first_parent: a.first_parent,
        rev: a.rev.clone(),
    };
    match history::history(&a.path, &cat, &opts, &hopts) {
        Ok(h) => {
            if a.format != HistoryFormat::Text {
                for w in &h.warnings {
                    note(w);
                }
            }
            out(&render::history::render(&h, a.format));
            0
        }
        Err(e) => error(e),
    }
}

pub fn diff_cmd(a: DiffArgs) -> i32 {
    if !a.path.is_dir() {
        return error(format!("{}: not a directory", a.path.display()));
    }
    let (cat, opts) = match prepare(&a.path, &a.tree) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match diff::diff(&a.path, &cat, &opts, &a.base, a.head.as_deref()) {
        Ok(d) => {
            if a.format != DiffFormat::Text {
                for w in &d.warnings {
                    note(w);
                }
            }
            out(&render::diff::render(&d, a.format));
            if a.fail_on_regression && d.regression {
                1
            } else {
                0
            }
        }
        Err(e) => error(e),
    }
}

/// A scan argument made into a directory: a path as given, or a temporary clone of a URL.
pub struct Resolved {
    pub root: PathBuf,
    /// What the report calls it: the path or URL as given.
    pub display: String,
    /// A short name (`--as-system` prefixes, the summary table).
    pub name: String,
    pub clone: Option<remote::Clone>,
}

/// Turns the arguments of `ripen scan` into directories, cloning URLs.
pub fn resolve(paths: &[PathBuf]) -> Result<Vec<Resolved>, String> {
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
                    clone: None,
                }
            }
            src @ (Source::Local(_) | Source::Network(_)) => {
                let c = remote::clone(&src)?;
                Resolved {
                    root: c.path.clone(),
                    display: c.url.clone(),
                    name: remote::repo_name(&c.url),
                    clone: Some(c),
                }
            }
        };
        out.push(r);
    }
    let names = system::unique_names(out.iter().map(|r| r.name.clone()).collect());
    for (r, n) in out.iter_mut().zip(names) {
        r.name = n;
    }
    Ok(out)
}

/// Adds the history facts to a scan of a repository's top level (`.git` at the root; a
/// subdirectory or an unpacked tree gets none).
pub fn annotate(report: &mut Report, root: &Path, max_commits: usize, max_size: u64) {
    if max_commits == 0 || !root.join(".git").exists() {
        return;
    }
    report.history = crate::git::repo_history(root, report, max_commits, max_size);
}

/// Whether several repositories can be reported in `format` (checked before scanning).
pub fn many_format(format: Format) -> Result<(), String> {
    match format {
        Format::Text | Format::Json | Format::Markdown => Ok(()),
        other => Err(format!(
            "--format {} reports one repository: scan them one at a time, or merge them with --as-system",
            other.name()
        )),
    }
}

/// Several repositories, each reported: text and Markdown one after the other with a summary
/// table; JSON `{"repositories": [...], "summary": [...]}`.
pub fn render_many(parts: &[(String, Report)], format: Format) -> Result<String, String> {
    many_format(format)?;
    let summary: Vec<system::SummaryRow> = parts
        .iter()
        .map(|(n, r)| system::summary_row(n, r))
        .collect();
    match format {
        Format::Json => {
            let m = Multi {
                schema_version: crate::report::SCHEMA_VERSION,
                tool: crate::report::Tool::default(),
                repositories: parts.iter().map(|(_, r)| r.clone()).collect(),
                summary,
            };
            let mut s = serde_json::to_string_pretty(&m).map_err(|e| e.to_string())?;
            s.push('\n');
            Ok(s)
        }
        // Text or Markdown (`many_format` refused the rest).
        _ => {
            let md = format == Format::Markdown;
            let mut o = String::new();
            for (n, r) in parts {
                if md {
                    let _ = writeln!(o, "## {}\n", n.replace(['<', '>', '`', '|'], "_"));
                } else {
                    let _ = writeln!(o, "━━ {n} ━━");
                }
                o.push_str(&render::render(r, format));
                o.push('\n');
            }
            o.push_str(&summary_table(&summary, md));
            Ok(o)
        }
    }
}

fn summary_table(rows: &[system::SummaryRow], md: bool) -> String {
    let staged: Vec<String> = rows
        .first()
        .map(|r| r.levels.keys().cloned().collect())
        .unwrap_or_default();
    let band_text = |r: &system::SummaryRow| {
        r.bands
            .values()
            .flat_map(|cats| {
                cats.values()
                    .map(|b| b.map(|b| b.to_string()).unwrap_or_else(|| "–".into()))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut o = String::new();
    let head: Vec<String> = staged
        .iter()
        .map(|s| crate::render::text::capitalise(s))
        .collect();
    if md {
        let _ = writeln!(
            o,
            "## Summary\n\n| Repository | {} | GigaOm bands | ML project |",
            head.join(" | ")
        );
        let _ = writeln!(o, "|---|{}---|:-:|", ":-:|".repeat(staged.len()));
    } else {
        let _ = write!(o, "Summary\n  {:<28}", "repository");
        for h in &head {
            let _ = write!(o, " {h:<7}");
        }
        let _ = writeln!(o, " gigaom bands  ml");
    }
    for r in rows {
        let lv: Vec<String> = staged
            .iter()
            .map(|s| {
                r.levels
                    .get(s)
                    .copied()
                    .flatten()
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "–".into())
            })
            .collect();
        if md {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                r.name.replace(['<', '>', '`', '|'], "_"),
                lv.join(" | "),
                band_text(r),
                if r.ml_project { "yes" } else { "no" }
            );
        } else {
            let _ = write!(o, "  {:<28}", r.name);
            for l in &lv {
                let _ = write!(o, " {l:<7}");
            }
            let _ = writeln!(
                o,
                " {:<13} {}",
                band_text(r),
                if r.ml_project { "yes" } else { "no" }
            );
        }
    }
    o
}
