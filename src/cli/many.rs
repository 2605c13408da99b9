//! Several repositories in one run: each reported, then a summary table.

use crate::assess::system::{self, Multi};
use crate::model::Report;
use crate::render::{self, Format};
use std::fmt::Write as _;

/// Whether several repositories can be reported in `format` (checked before scanning).
pub(crate) fn many_format(format: Format) -> Result<(), String> {
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
    render_many_with(parts, format, &render::Options::default())
}

/// [`render_many`] with render options (the text report's width).
pub(crate) fn render_many_with(
    parts: &[(String, Report)],
    format: Format,
    opts: &render::Options,
) -> Result<String, String> {
    many_format(format)?;
    let summary: Vec<system::SummaryRow> = parts
        .iter()
        .map(|(n, r)| system::summary_row(n, r))
        .collect();
    match format {
        Format::Json => {
            let m = Multi {
                schema_version: crate::model::SCHEMA_VERSION,
                tool: crate::model::Tool::default(),
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
                o.push_str(&render::render_with(r, format, opts));
                o.push('\n');
            }
            o.push_str(&summary_table(&summary, md));
            Ok(o)
        }
    }
}

pub(crate) fn summary_table(rows: &[system::SummaryRow], md: bool) -> String {
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
        .map(|s| crate::render::common::capitalise(s))
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
                crate::render::common::clean(&r.name).replace(['<', '>', '`', '|'], "_"),
                lv.join(" | "),
                band_text(r),
                if r.ml_project { "yes" } else { "no" }
            );
        } else {
            let _ = write!(o, "  {:<28}", crate::render::common::clean(&r.name));
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
