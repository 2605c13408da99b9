//! The command line's shape (clap): commands, arguments and their parsers.

use crate::catalogue::Catalogue;
use crate::model::Date;
use crate::render::Format;
use crate::render::badge::BadgeFormat;
use crate::render::diff::DiffFormat;
use crate::render::history::HistoryFormat;
use crate::source::walk::DEFAULT_MAX_FILE_SIZE;
use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "ripen",
    version,
    about = "Infer a repository's MLOps maturity (Google 0-2, Azure 0-4, GigaOm) from evidence",
    long_about = "ripen reads a repository — CI configurations, training code, pipelines, tracking, \
registries, deployment manifests, monitoring — and maps what it finds to Google's and Azure's MLOps \
maturity levels and GigaOm's categories, with file:line evidence and the gaps that block the next level.\n\n\
Exit codes: 0 success; 1 a --fail-under target is not met; 2 usage, configuration or rule error."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// When to colour the output: `auto` (on a terminal, unless `NO_COLOR` is set), `always`,
    /// `never`.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub(crate) color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    pub(crate) fn choice(self) -> anstream::ColorChoice {
        match self {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Scan a repository and report its maturity.
    Scan(ScanArgs),
    /// The levels at each commit, oldest to newest, from git history (no checkout).
    History(HistoryArgs),
    /// Level and capability changes between a base revision and the working tree (or --head).
    Diff(DiffArgs),
    /// Print a README badge of a model's level: SVG, or a shields.io endpoint JSON.
    Badge(BadgeArgs),
    /// List or test the evidence rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Write a starting `.ripen.yml` whose targets are today's levels (a ratchet).
    Init {
        /// The repository to configure.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Overwrite an existing configuration.
        #[arg(long)]
        force: bool,
        /// Extra rule directory (repeatable).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Print a JSON Schema: config, rules, capabilities or model (as kept in `schemas/`).
    #[command(hide = true)]
    Schema {
        #[arg(value_parser = ["config", "rules", "capabilities", "model"])]
        kind: String,
    },
    /// Explain a capability, a maturity model or a rule: what it is, why it matters, how to get it.
    Explain {
        /// A capability id (`experiment_tracking`), model id (`azure`) or rule id.
        id: String,
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    #[command(flatten)]
    Generate(super::completions::Generate),
}

#[derive(Subcommand)]
pub(crate) enum RulesCommand {
    /// List every rule: id, capability, tier, title.
    List {
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        /// Text, or JSON (the other report formats do not apply to a list of rules).
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Run every rule's positive and negative examples (or only those of the rules in DIR).
    Test {
        /// A directory of extra rule files to load and test.
        dir: Option<PathBuf>,
    },
}

/// The formats of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ListFormat {
    Text,
    Json,
}

#[derive(Args)]
pub(crate) struct ScanArgs {
    /// The repositories to scan: directories, or git URLs (cloned shallow into a temporary
    /// directory; `file://` by libgit2, https/ssh by the system `git`). Several give one report
    /// each and a summary.
    #[arg(default_value = ".", value_name = "PATH|URL")]
    pub(crate) paths: Vec<PathBuf>,
    /// Merge the evidence of all the repositories into one verdict (one ML system split across
    /// repositories; paths are prefixed with each repository's name).
    #[arg(long)]
    pub(crate) as_system: bool,
    /// Commits of git history to examine for the history facts (last change to the training
    /// pipeline, binaries committed in history); 0 turns them off.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub(crate) history_commits: usize,
    #[arg(long, short, value_enum, default_value = "text")]
    pub(crate) format: Format,
    /// Exit 1 unless MODEL reaches LEVEL, e.g. `--fail-under azure=3` (repeatable).
    #[arg(long = "fail-under", value_name = "MODEL=LEVEL", value_parser = parse_target)]
    pub(crate) fail_under: Vec<(String, u32)>,
    /// Extra rule directory, loaded after the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub(crate) rules: Vec<PathBuf>,
    /// Config file (default: `.ripen.yml` at the scanned root, when present).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Skip files larger than this many bytes (a notebook: 16 times as many, as only its code
    /// cells are read).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    pub(crate) max_file_size: u64,
    /// Leave out paths matching this glob, relative to the root (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    /// Ignore the attestations in the config file (they are listed as ignored).
    #[arg(long)]
    pub(crate) no_attestations: bool,
    /// Also write the report in FORMAT to PATH, e.g. `--report-file sarif=ripen.sarif`
    /// (repeatable; one scan, several reports).
    #[arg(long = "report-file", value_name = "FORMAT=PATH", value_parser = parse_report_file)]
    pub(crate) report_files: Vec<(Format, PathBuf)>,
    /// Also report each sub-project of a monorepo (directories with their own pyproject.toml,
    /// setup.py, dvc.yaml, MLproject or databricks.yml).
    #[arg(long)]
    pub(crate) per_project: bool,
    /// Report as usual but exit 0 even when a `--fail-under` target is not met (errors still
    /// exit 2).
    #[arg(long)]
    pub(crate) exit_zero: bool,
    /// Text output with the levels and what blocks them only (no evidence, history or
    /// notes); other formats are unchanged.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Report and gate only these models, e.g. `--model azure,google` (comma-separated or
    /// repeated; default: every model).
    #[arg(long = "model", value_name = "MODEL", value_delimiter = ',')]
    pub(crate) models: Vec<String>,
    /// Write the GitHub job summary (`$GITHUB_STEP_SUMMARY`) and step outputs
    /// (`$GITHUB_OUTPUT`) when they are set (as `--format github` does; otherwise a scan
    /// inside a workflow leaves them alone).
    #[arg(long)]
    pub(crate) github_summary: bool,
    /// When PATH is a sub-directory of a git repository (a monorepo's project), scan that
    /// repository and report PATH's scope: its own files plus the CI jobs, schedules and
    /// pipelines of the repository that reach into it. When the repository's config excludes
    /// PATH (as `exclude: [fixtures/**]` does `fixtures/x`), PATH is scanned alone and the
    /// report says so. Without the flag, such a scan says, in every format, that it cannot see
    /// the enclosing repository's CI (the GitHub Action passes it by default).
    #[arg(long)]
    pub(crate) enclosing_repo: bool,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
}

/// What the caller counts of the scanned repository's own declarations, and whether ripen may
/// follow its `.git` file: the same flags, one meaning, for every command that computes levels
/// (`scan`, `diff`, `history`). The repository cannot set them; its config is data under scan.
#[derive(Args, Debug, Clone)]
pub(crate) struct TrustArgs {
    /// Count evidence from the rules the scanned repository's config loads toward the gate
    /// (--fail-under, --fail-on-regression) and history's levels (by default only ripen's own
    /// rules and --rules DIR count).
    #[arg(long)]
    pub(crate) trust_repo_rules: bool,
    /// Count the config's active waivers toward the gate (by default they are reported, not
    /// counted).
    #[arg(long)]
    pub(crate) trust_waivers: bool,
    /// Count the config's attestations toward the gate and history's levels (by default they
    /// are reported, not counted).
    #[arg(long)]
    pub(crate) trust_attestations: bool,
    /// The furthest ahead a waiver may expire, in days from today; a waiver expiring later is
    /// a configuration error.
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    pub(crate) max_waiver_days: i64,
    /// Read the git directory a `.git` file (worktree, submodule) or link points to even when
    /// it lies outside the scanned directory (by default it is reported, not followed).
    #[arg(long)]
    pub(crate) follow_git_file: bool,
}

impl Default for TrustArgs {
    /// Nothing trusted, the default limit: what a command without the flags gets.
    fn default() -> Self {
        TrustArgs {
            trust_repo_rules: false,
            trust_waivers: false,
            trust_attestations: false,
            max_waiver_days: 365,
            follow_git_file: false,
        }
    }
}

impl TrustArgs {
    /// What the caller counts toward a gate beyond ripen's own rules (`--trust-*`).
    pub(crate) fn trust(&self) -> crate::model::Trust {
        crate::model::Trust {
            repo_rules: self.trust_repo_rules,
            waivers: self.trust_waivers,
            attestations: self.trust_attestations,
        }
    }
}

#[derive(Args)]
pub(crate) struct BadgeArgs {
    /// The repository to scan.
    #[arg(default_value = ".")]
    pub(crate) path: PathBuf,
    /// The staged model the badge shows.
    #[arg(long, value_parser = PossibleValuesParser::new(Catalogue::builtin_staged_models()), default_value = "azure")]
    pub(crate) model: String,
    #[arg(long, short, value_enum, default_value = "svg")]
    pub(crate) format: BadgeFormat,
    /// Extra rule directory, loaded after the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub(crate) rules: Vec<PathBuf>,
    /// Config file (default: `.ripen.yml` at the scanned root, when present).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

/// Options shared by `history` and `diff`: which rules, which files.
#[derive(Args, Debug, Clone)]
pub(crate) struct TreeArgs {
    /// Extra rule directory, loaded after the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Config file (default: the one at the scanned root, as for `scan`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Skip files larger than this many bytes (a notebook: 16 times as many, as only its code
    /// cells are read).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Leave out paths matching this glob, relative to the root (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// When PATH is a sub-directory of a git repository, read that repository scoped to PATH,
    /// as `scan --enclosing-repo` does (the repository's CI that reaches into PATH counts).
    #[arg(long)]
    pub enclosing_repo: bool,
    #[command(flatten)]
    pub trust: TrustArgs,
}

#[derive(Args, Debug)]
pub(crate) struct HistoryArgs {
    /// The repository (or a directory inside one) to follow.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// At most this many commits, the newest.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_commits: usize,
    /// Leave out commits older than this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<Date>,
    /// Follow only the first parent of merges, the branch's main line (the default; as
    /// `git log --first-parent`).
    #[arg(long, hide = true, conflicts_with = "all_commits")]
    pub first_parent: bool,
    /// Walk every commit reachable from REV, side branches included, in date order (each is
    /// compared with the one before it in that order, not with its parent).
    #[arg(long)]
    pub all_commits: bool,
    /// Where to start (default: HEAD).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub rev: String,
    #[arg(long, short, value_enum, default_value = "text")]
    pub format: HistoryFormat,
    #[command(flatten)]
    pub tree: TreeArgs,
}

#[derive(Args, Debug)]
pub(crate) struct DiffArgs {
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

pub(crate) fn parse_target(s: &str) -> Result<(String, u32), String> {
    let (m, l) = s
        .split_once('=')
        .ok_or_else(|| format!("expected MODEL=LEVEL (e.g. azure=3), got `{s}`"))?;
    let level = l
        .trim()
        .parse()
        .map_err(|_| format!("level must be a whole number, got `{l}`"))?;
    Ok((m.trim().to_ascii_lowercase(), level))
}

pub(crate) fn parse_report_file(s: &str) -> Result<(Format, PathBuf), String> {
    use clap::ValueEnum;
    let (f, p) = s
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=PATH (e.g. sarif=ripen.sarif), got `{s}`"))?;
    let format = Format::from_str(f.trim(), true)
        .map_err(|_| format!("unknown format `{f}` (text, json, markdown, sarif, github, html)"))?;
    if p.is_empty() {
        return Err("the path after `=` is empty".into());
    }
    Ok((format, PathBuf::from(p)))
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("expected a date YYYY-MM-DD, got `{s}`"))
}
