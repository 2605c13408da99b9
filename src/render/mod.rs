//! Renderers read the finished `Report` and nothing else.
//!
//! The CI renderers (`markdown`, `sarif`, `github`) share one notion of what to flag: the
//! [`gaps`] between each staged model's level and its *target* — the `--fail-under` target for
//! that model, else the next level — each placed at its most relevant file ([`gap_location`]).

pub(crate) mod azure;
pub(crate) mod badge;
pub mod common;
pub mod diff;
pub(crate) mod gaps;
pub(crate) mod github;
pub(crate) mod gitlab;
pub mod history;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod markdown;
pub(crate) mod sarif;
pub mod text;

pub(crate) use gaps::*;

use crate::model::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people at a terminal.
    Text,
    /// The output contract (docs/levels.md).
    Json,
    /// GitHub-flavoured Markdown, for job summaries and pull-request comments.
    Markdown,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`) that annotate files.
    Github,
    /// One self-contained HTML page: level ladders, GigaOm chart, capability matrix, gaps.
    Html,
    /// GitLab Code Quality report (JSON), for `artifacts:reports:codequality` in merge requests.
    Gitlab,
    /// Azure Pipelines logging commands (`##vso[task.logissue …]`) and output variables.
    Azure,
    /// JUnit XML: one test case per practice up to the target, for any CI's test tab.
    Junit,
}

impl Format {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Html => "html",
            Format::Gitlab => "gitlab",
            Format::Azure => "azure",
            Format::Junit => "junit",
        }
    }
}

/// How to render, beyond the report itself: what the CLI knows about where the output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Columns of a text line: the text report shortens evidence chains to fit (the full
    /// chain stays in `--format json`).
    pub width: usize,
}

/// The width of a text line when nothing says otherwise (not a terminal, no `COLUMNS`).
pub const DEFAULT_WIDTH: usize = 120;

impl Default for Options {
    fn default() -> Self {
        Options {
            width: DEFAULT_WIDTH,
        }
    }
}

/// `report` in `format`, with the default [`Options`].
pub fn render(report: &Report, format: Format) -> String {
    render_with(report, format, &Options::default())
}

/// `report` in `format`, with `opts`. Whatever the format, no `##vso[` from the repository is
/// left for Azure Pipelines to run, should the output reach its log (see
/// [`common::defuse_vso`]).
pub fn render_with(report: &Report, format: Format, opts: &Options) -> String {
    let mut out = render_raw(report, format, opts);
    if matches!(format, Format::Json | Format::Sarif | Format::Gitlab) {
        out = escape_json_controls(out);
    }
    let bracket = match format {
        Format::Json | Format::Sarif | Format::Gitlab => "\\u005b",
        Format::Html | Format::Junit => "&#91;",
        Format::Markdown => "\\[",
        Format::Text | Format::Github | Format::Azure => "\\x5b",
    };
    match common::defuse_vso(&out, bracket, format == Format::Azure) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(o) => o,
    }
}

/// JSON text with every control character serde_json leaves raw (DEL and the C1 range, such as
/// the 8-bit CSI `U+009B` a terminal may act on) written as a `\uXXXX` escape: the same JSON,
/// inert on a terminal or in a CI log. Outside strings JSON has no control characters but the
/// newlines of its layout.
pub(crate) fn escape_json_controls(out: String) -> String {
    if !out.chars().any(|c| c.is_control() && c != '\n') {
        return out;
    }
    let mut o = String::with_capacity(out.len() + 16);
    for c in out.chars() {
        if c.is_control() && c != '\n' {
            o.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            o.push(c);
        }
    }
    o
}

fn render_raw(report: &Report, format: Format, opts: &Options) -> String {
    match format {
        Format::Text => text::render_with(report, opts),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Html => html::render(report),
        Format::Gitlab => gitlab::render(report),
        Format::Azure => azure::render(report),
        Format::Junit => junit::render(report),
    }
}
