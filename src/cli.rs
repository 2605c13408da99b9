//! The command line: a thin layer over the library. Exit codes (spec §5): 0 success, 1 a
//! `--fail-under` target not met (or failing rule examples), 2 usage, configuration or rule
//! error.

use crate::config::Config;
use crate::render::{self, Format, github};
use crate::report::Report;
use crate::rules::{Catalogue, DataError};
use crate::scan::{self, ScanOptions};
use crate::walk::WalkOptions;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

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
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a repository and report its maturity.
    Scan(ScanArgs),
    /// The levels at each commit, oldest to newest, from git history (no checkout).
    History(crate::cli_git::HistoryArgs),
    /// Level and capability changes between a base revision and the working tree (or --head).
    Diff(crate::cli_git::DiffArgs),
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
    Generate(crate::completions::Generate),
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List every rule: id, capability, tier, title.
    List {
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Run every rule's positive and negative examples (or only those of the rules in DIR).
    Test {
        /// A directory of extra rule files to load and test.
        dir: Option<PathBuf>,
    },
}

#[derive(Args)]
struct ScanArgs {
    /// The repositories to scan: directories, or git URLs (cloned shallow into a temporary
    /// directory; `file://` by libgit2, https/ssh by the system `git`). Several give one report
    /// each and a summary.
    #[arg(default_value = ".", value_name = "PATH|URL")]
    paths: Vec<PathBuf>,
    /// Merge the evidence of all the repositories into one verdict (one ML system split across
    /// repositories; paths are prefixed with each repository's name).
    #[arg(long)]
    as_system: bool,
    /// Commits of git history to examine for the history facts (last change to the training
    /// pipeline, binaries committed in history); 0 turns them off.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    history_commits: usize,
    #[arg(long, short, value_enum, default_value = "text")]
    format: Format,
    /// Exit 1 unless MODEL reaches LEVEL, e.g. `--fail-under azure=3` (repeatable).
    #[arg(long = "fail-under", value_name = "MODEL=LEVEL", value_parser = parse_target)]
    fail_under: Vec<(String, u32)>,
    /// Extra rule directory, loaded after the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Config file (default: `.ripen.yml` at the scanned root, when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    max_file_size: u64,
    /// Leave out paths matching this glob, relative to the root (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Ignore the attestations in the config file (they are listed as ignored).
    #[arg(long)]
    no_attestations: bool,
    /// Also write the report in FORMAT to PATH, e.g. `--report-file sarif=ripen.sarif`
    /// (repeatable; one scan, several reports).
    #[arg(long = "report-file", value_name = "FORMAT=PATH", value_parser = parse_report_file)]
    report_files: Vec<(Format, PathBuf)>,
    /// Also report each sub-project of a monorepo (directories with their own pyproject.toml,
    /// setup.py, dvc.yaml, MLproject or databricks.yml).
    #[arg(long)]
    per_project: bool,
}

#[derive(Args)]
struct BadgeArgs {
    /// The repository to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// The staged model the badge shows.
    #[arg(long, value_parser = ["azure", "google"], default_value = "azure")]
    model: String,
    #[arg(long, short, value_enum, default_value = "svg")]
    format: render::badge::BadgeFormat,
    /// Extra rule directory, loaded after the built-in rules (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Config file (default: `.ripen.yml` at the scanned root, when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// `ripen badge`: a scan as `ripen scan` does it (config, rules), printed as a badge.
fn badge_cmd(a: BadgeArgs) -> i32 {
    if !a.path.is_dir() {
        return error(format!("{}: not a directory", a.path.display()));
    }
    let args = ScanArgs {
        paths: vec![a.path.clone()],
        as_system: false,
        history_commits: 0,
        format: Format::Text,
        fail_under: Vec::new(),
        rules: a.rules,
        config: a.config,
        max_file_size: 1024 * 1024,
        exclude: Vec::new(),
        no_attestations: false,
        report_files: Vec::new(),
        per_project: false,
    };
    match scan_root(&args, &a.path) {
        Ok((report, ..)) => match render::badge::badge(&report, &a.model) {
            Some(b) => {
                out(&render::badge::render(&b, a.format));
                0
            }
            None => error(format!("`{}` is not a staged model", a.model)),
        },
        Err(code) => code,
    }
}

fn parse_target(s: &str) -> Result<(String, u32), String> {
    let (m, l) = s
        .split_once('=')
        .ok_or_else(|| format!("expected MODEL=LEVEL (e.g. azure=3), got `{s}`"))?;
    let level = l
        .trim()
        .parse()
        .map_err(|_| format!("level must be a whole number, got `{l}`"))?;
    Ok((m.trim().to_ascii_lowercase(), level))
}

fn parse_report_file(s: &str) -> Result<(Format, PathBuf), String> {
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

fn warn(msg: impl std::fmt::Display) {
    let mut err = anstream::stderr();
    let style = anstyle::AnsiColor::Yellow.on_default().bold();
    let _ = writeln!(err, "{style}warning{style:#}: {msg}");
}

fn error(msg: impl std::fmt::Display) -> i32 {
    let mut err = anstream::stderr();
    let style = anstyle::AnsiColor::Red.on_default().bold();
    let _ = writeln!(err, "{style}error{style:#}: {msg}");
    2
}

fn out(s: &str) {
    let mut o = anstream::stdout();
    let _ = o.write_all(s.as_bytes());
}

fn load(extra: &[PathBuf]) -> Result<Catalogue, DataError> {
    Catalogue::load(extra)
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Scan(args) => scan_cmd(args),
        Command::History(args) => crate::cli_git::history_cmd(args),
        Command::Diff(args) => crate::cli_git::diff_cmd(args),
        Command::Badge(args) => badge_cmd(args),
        Command::Generate(g) => {
            crate::completions::run(g, <Cli as clap::CommandFactory>::command())
                .map_or_else(error, |()| 0)
        }
        Command::Init { path, force, rules } => match load(&rules) {
            Ok(cat) => match crate::init::init(&path, &cat, force) {
                Ok(msg) => {
                    out(&msg);
                    0
                }
                Err(e) => error(e),
            },
            Err(e) => error(e),
        },
        Command::Schema { kind } => match crate::schema::by_name(&kind) {
            Some(s) => {
                out(&s);
                0
            }
            None => error(format!("unknown schema `{kind}`")),
        },
        Command::Rules { command } => match command {
            RulesCommand::List { rules, format } => match load(&rules) {
                Ok(cat) => {
                    list_rules(&cat, format);
                    0
                }
                Err(e) => error(e),
            },
            RulesCommand::Test { dir } => rules_test(dir),
        },
        Command::Explain { id, rules } => match load(&rules) {
            Ok(cat) => match explain(&cat, &id) {
                Some(s) => {
                    out(&s);
                    0
                }
                None => error(format!(
                    "`{id}` is not a capability, model or rule id{}",
                    crate::rules::closest(
                        &id,
                        cat.capabilities
                            .iter()
                            .map(|c| c.id.as_str())
                            .chain(cat.models.iter().map(|m| m.id.as_str()))
                            .chain(cat.rules.iter().map(|r| r.id.as_str()))
                    )
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default()
                )),
            },
            Err(e) => error(e),
        },
    }
}

fn scan_cmd(args: ScanArgs) -> i32 {
    if args.paths.len() > 1
        && !args.as_system
        && let Err(e) = crate::cli_git::many_format(args.format)
    {
        return error(e);
    }
    // URLs are cloned into temporary directories, removed when `sources` is dropped.
    let sources = match crate::cli_git::resolve(&args.paths) {
        Ok(s) => s,
        Err(e) => return error(e),
    };
    let mut scanned = Vec::new();
    for src in &sources {
        match scan_root(&args, &src.root) {
            Ok((mut report, targets, cat, opts)) => {
                crate::cli_git::annotate(
                    &mut report,
                    &src.root,
                    args.history_commits,
                    args.max_file_size,
                );
                report.root = src.display.clone();
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
        let Some(mut r) = crate::system::merge(cat, &parts, opts) else {
            return error("no repository to scan");
        };
        let met = r.check_targets(targets);
        (r, met)
    } else if scanned.len() == 1 {
        let (_, mut r, targets, ..) = scanned.remove(0);
        let met = r.check_targets(&targets);
        (r, met)
    } else {
        if !args.report_files.is_empty() {
            return error(
                "--report-file writes one report: give one repository, or merge them with --as-system",
            );
        }
        let mut met = true;
        let parts: Vec<(String, Report)> = scanned
            .into_iter()
            .map(|(n, mut r, t, ..)| {
                met &= r.check_targets(&t);
                (n, r)
            })
            .collect();
        return match crate::cli_git::render_many(&parts, args.format) {
            Ok(s) => {
                out(&s);
                if met { 0 } else { 1 }
            }
            Err(e) => error(e),
        };
    };
    let env = |k: &str| std::env::var(k).ok();
    if github::in_actions(&env) {
        report.browse_url = github::browse_url(&env);
    }
    for (format, path) in &args.report_files {
        if let Err(e) = std::fs::write(path, render::render(&report, *format)) {
            return error(format!(
                "--report-file: cannot write {}: {e}",
                path.display()
            ));
        }
    }
    if let Err(e) = github::publish(&report, &env) {
        warn(format!(
            "cannot write the GitHub step summary or outputs: {e}"
        ));
    }
    out(&render::render(&report, args.format));
    if met { 0 } else { 1 }
}

/// One root's report, with the targets, catalogue and options it was scanned with.
type Scanned = (Report, Vec<(String, u32)>, Catalogue, ScanOptions);

/// Config, catalogue, targets and options for one root, and its report.
fn scan_root(args: &ScanArgs, root: &Path) -> Result<Scanned, i32> {
    let config = match Config::discover(root, args.config.as_deref()) {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => return Err(error(e)),
    };
    let mut rule_dirs = config.rules.clone();
    rule_dirs.extend(args.rules.iter().cloned());
    let cat = match load(&rule_dirs) {
        Ok(c) => c,
        Err(e) => return Err(error(e)),
    };
    if let Err(e) = config.validate(&cat) {
        return Err(error(e));
    }
    let mut targets = config.fail_under.clone();
    for (m, l) in &args.fail_under {
        let Some(model) = cat.model(m).filter(|m| !m.levels.is_empty()) else {
            return Err(error(format!(
                "--fail-under: unknown model `{m}` (known: google, azure)"
            )));
        };
        let max = model.levels.last().map(|l| l.level).unwrap_or(0);
        if *l > max {
            return Err(error(format!("--fail-under: `{m}` has levels 0 to {max}")));
        }
        targets.retain(|(x, _)| x != m);
        targets.push((m.clone(), *l));
    }
    let mut exclude = config.exclude.clone();
    exclude.extend(args.exclude.iter().cloned());
    let opts = ScanOptions {
        walk: WalkOptions {
            max_file_size: args.max_file_size,
            exclude,
            threads: 0,
        },
        attestations: config.attestations.clone(),
        no_attestations: args.no_attestations,
        waivers: config.waivers.clone(),
        today: None,
        config: config
            .path
            .as_ref()
            .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string()),
        per_project: args.per_project,
        progress: None,
    };
    let scanned = crate::progress::with_progress(|progress| {
        let opts = ScanOptions {
            progress,
            ..opts.clone()
        };
        scan::scan(root, &cat, &opts)
    });
    match scanned {
        Ok(r) => Ok((r, targets, cat, opts)),
        Err(e) => Err(error(e)),
    }
}

fn list_rules(cat: &Catalogue, format: Format) {
    match format {
        Format::Json => {
            let v: Vec<serde_json::Value> = cat
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "capability": r.capability, "tier": r.tier,
                        "title": r.title, "docs": r.docs, "source": r.source,
                    })
                })
                .collect();
            out(&(serde_json::to_string_pretty(&v).expect("serialises") + "\n"));
        }
        _ => {
            let mut s = String::new();
            for r in &cat.rules {
                s.push_str(&format!(
                    "{:<40} {:<32} {:<11} {}\n",
                    r.id,
                    r.capability,
                    r.tier.label(),
                    r.title
                ));
            }
            s.push_str(&format!(
                "{} rules, {} capabilities, {} models\n",
                cat.rules.len(),
                cat.capabilities.len(),
                cat.models.len()
            ));
            out(&s);
        }
    }
}

fn rules_test(dir: Option<PathBuf>) -> i32 {
    let extra: Vec<PathBuf> = dir.iter().cloned().collect();
    let cat = match load(&extra) {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    let prefix = dir.as_ref().map(|d| d.display().to_string());
    let outcome = match crate::rulestest::run(&cat, |r| {
        prefix
            .as_ref()
            .is_none_or(|p| Path::new(&r.source).starts_with(p) || r.source.starts_with(p.as_str()))
    }) {
        Ok(o) => o,
        Err(e) => return error(e),
    };
    let mut s = String::new();
    for f in &outcome.failures {
        s.push_str(&format!("FAIL {f}\n"));
    }
    let failed = outcome.failures.len();
    s.push_str(&format!(
        "{} rules, {} examples: {} passed, {} failed\n",
        outcome.rules,
        outcome.examples,
        outcome.examples.saturating_sub(failed),
        failed
    ));
    out(&s);
    if failed == 0 { 0 } else { 1 }
}

fn explain(cat: &Catalogue, id: &str) -> Option<String> {
    let mut s = String::new();
    if let Some(c) = cat.capability(id) {
        s.push_str(&format!("{} — {}\n\n", c.id, c.title));
        s.push_str(&format!("Category (GigaOm): {}\n", c.category.id()));
        if !c.observable {
            s.push_str("Not observable in a repository: reported, never counted toward a gate.\n");
        }
        s.push_str(&format!(
            "\n{}\n\nHow to get there:\n  {}\n",
            c.definition.trim(),
            c.remediation.trim()
        ));
        if let Some(sig) = &c.signals {
            s.push_str(&format!("\nSignals: {}\n", sig.trim()));
        }
        let rules: Vec<&str> = cat
            .rules
            .iter()
            .filter(|r| r.capability == c.id)
            .map(|r| r.id.as_str())
            .collect();
        s.push_str(&format!(
            "\nRules ({}): {}\n",
            rules.len(),
            rules.join(", ")
        ));
        let gates: Vec<String> = cat
            .models
            .iter()
            .flat_map(|m| {
                m.levels.iter().flat_map(move |l| {
                    l.required
                        .iter()
                        .map(|p| ("required", p))
                        .chain(l.expected.iter().map(|p| ("expected", p)))
                        .filter(|(_, p)| p.any.iter().any(|a| a.capability == c.id))
                        .map(move |(k, p)| format!("{} {} ({k}: {})", m.id, l.level, p.title))
                })
            })
            .collect();
        if !gates.is_empty() {
            s.push_str(&format!("Used by: {}\n", gates.join("; ")));
        }
        return Some(s);
    }
    if let Some(m) = cat.model(id) {
        s.push_str(&format!("{} — {}\n", m.id, m.title));
        if let Some(src) = &m.source {
            s.push_str(&format!("Source: {src}\n"));
        }
        if let Some(n) = &m.note {
            s.push_str(&format!("{}\n", n.trim()));
        }
        for l in &m.levels {
            s.push_str(&format!("\nLevel {} — {}\n", l.level, l.name));
            if let Some(sum) = &l.summary {
                s.push_str(&format!("  {}\n", sum.trim()));
            }
            for p in &l.required {
                s.push_str(&format!(
                    "  required: {} — {}\n",
                    p.title,
                    p.any
                        .iter()
                        .map(|a| format!("{} ≥ {}", a.capability, a.tier.label()))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
            }
            for p in &l.expected {
                s.push_str(&format!("  expected: {}\n", p.title));
            }
        }
        return Some(s);
    }
    if let Some(r) = cat.rule(id) {
        s.push_str(&format!("{} — {}\n\n", r.id, r.title));
        s.push_str(&format!(
            "Capability: {}   Tier: {}   Defined at: {}\n\n",
            r.capability,
            r.tier.label(),
            r.source
        ));
        s.push_str(&format!("Why it matters:\n  {}\n", r.rationale.trim()));
        let fix = r
            .remediation
            .clone()
            .or_else(|| cat.capability(&r.capability).map(|c| c.remediation.clone()));
        if let Some(f) = fix {
            s.push_str(&format!("\nHow to close the gap:\n  {}\n", f.trim()));
        }
        if let Some(d) = &r.docs {
            s.push_str(&format!("\nDocs: {d}\n"));
        }
        s.push_str(&format!("\nFiles: {}\n", r.include.join(", ")));
        if let Some(p) = r.positive.first() {
            s.push_str(&format!("\nExample ({}):\n", p.path));
            for l in p.content.lines().take(12) {
                s.push_str(&format!("  {l}\n"));
            }
        }
        return Some(s);
    }
    None
}
