//! The command line: a thin layer over the library. Exit codes (docs/levels.md): 0 success, 1 a
//! `--fail-under` target not met (or failing rule examples), 2 usage, configuration or rule
//! error.

mod args;
mod commands;
mod completions;
mod git;
mod init;
mod many;
mod options;
mod progress;
mod scan;
mod schema;

pub use many::render_many;
pub use scan::annotate;
pub use schema::all as schemas;

use crate::catalogue::{Catalogue, DataError};
use crate::render::common::clean;
use args::{Cli, Command, RulesCommand};
use clap::Parser;
use commands::{badge_cmd, explain, list_rules, rules_test};
use git::{diff_cmd, history_cmd};
use scan::scan_cmd;
use std::io::Write;
use std::path::PathBuf;

pub(crate) fn warn(msg: impl std::fmt::Display) {
    let mut err = anstream::stderr();
    let style = anstyle::AnsiColor::Yellow.on_default().bold();
    let _ = writeln!(err, "{style}warning{style:#}: {}", clean(&msg.to_string()));
}

pub(crate) fn error(msg: impl std::fmt::Display) -> i32 {
    let mut err = anstream::stderr();
    let style = anstyle::AnsiColor::Red.on_default().bold();
    // Lines of its own are the message's; anything else a repository put in it is escaped.
    let msg = crate::source::remote::redact_urls(&msg.to_string());
    let lines: Vec<_> = msg.split('\n').map(clean).collect();
    let _ = writeln!(err, "{style}error{style:#}: {}", lines.join("\n"));
    2
}

pub(crate) fn note(msg: impl std::fmt::Display) {
    let mut err = anstream::stderr();
    let style = anstyle::AnsiColor::Yellow.on_default().bold();
    let _ = writeln!(err, "{style}note{style:#}: {}", clean(&msg.to_string()));
}

pub(crate) fn out(s: &str) {
    let mut o = anstream::stdout();
    let _ = o.write_all(s.as_bytes());
}

/// How the reports printed on stdout are rendered: `COLUMNS` wide when it is set to a number,
/// else as wide as the terminal when stdout is one, else [`crate::render::DEFAULT_WIDTH`].
pub(crate) fn render_options() -> crate::render::Options {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0);
    let terminal = || terminal_size::terminal_size().map(|(w, _)| usize::from(w.0));
    crate::render::Options {
        width: columns
            .or_else(terminal)
            .unwrap_or(crate::render::DEFAULT_WIDTH),
    }
}

pub fn load(extra: &[PathBuf]) -> Result<Catalogue, DataError> {
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
    cli.color.choice().write_global();
    match cli.command {
        Command::Scan(args) => scan_cmd(args),
        Command::History(args) => history_cmd(args),
        Command::Diff(args) => diff_cmd(args),
        Command::Badge(args) => badge_cmd(args),
        Command::Generate(g) => {
            completions::run(g, <Cli as clap::CommandFactory>::command()).map_or_else(error, |()| 0)
        }
        Command::Init { path, force, rules } => match load(&rules) {
            Ok(cat) => match crate::cli::init::init(&path, &cat, force) {
                Ok(msg) => {
                    out(&msg);
                    0
                }
                Err(e) => error(e),
            },
            Err(e) => error(e),
        },
        Command::Schema { kind } => match crate::cli::schema::by_name(&kind) {
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
                    "`{id}` is not a capability, model, rule, practice or category id{}",
                    crate::catalogue::closest(&id, commands::explain_ids(&cat).into_iter())
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default()
                )),
            },
            Err(e) => error(e),
        },
    }
}
