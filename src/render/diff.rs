//! `ripen diff` output: text for a terminal, JSON (`base.models`, `head.models`, `changes[]`),
//! and Markdown fit for a pull-request comment.

use crate::model::{Change, ChangeKind, Diff, Direction, Outcome};
use crate::render::common::{BOLD, DIM, GREEN, RED, YELLOW, paint};
use crate::render::common::{capitalise, clean};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
}

pub fn render(d: &Diff, format: DiffFormat) -> String {
    let (out, bracket) = match format {
        DiffFormat::Json => {
            let mut s = serde_json::to_string_pretty(d).expect("diff serialises");
            s.push('\n');
            (crate::render::escape_json_controls(s), "\\u005b")
        }
        DiffFormat::Text => (text(d), "\\x5b"),
        DiffFormat::Markdown => (markdown(d), "\\["),
    };
    crate::render::common::defuse_vso(&out, bracket, false).into_owned()
}

pub(crate) fn side_name(d: &Diff, head: bool) -> String {
    let side = if head { &d.head } else { &d.base };
    match (&side.rev, &side.commit) {
        (Some(rev), Some(c)) if rev.len() >= 7 && c.commit.starts_with(rev.as_str()) => {
            c.short().to_string()
        }
        (Some(rev), Some(c)) => format!("{rev} ({})", c.short()),
        (Some(rev), None) => rev.clone(),
        (None, _) => "working tree".into(),
    }
}

pub(crate) fn val(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "-".into(),
        serde_json::Value::String(s) if s == "none" => "no evidence".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn staged(d: &Diff) -> Vec<(&String, Option<u32>, Option<u32>)> {
    d.head
        .models
        .iter()
        .filter_map(|(id, m)| match &m.outcome {
            Outcome::Staged(s) => Some((
                id,
                d.base.models.get(id).and_then(|b| b.level()),
                Some(s.level),
            )),
            Outcome::Categories(_) => None,
        })
        .collect()
}

/// Whether `model`'s level as a gate counts it ([`crate::model::Side::gated`]) went down.
fn gate_dropped(d: &Diff, model: &str) -> bool {
    let level = |s: &crate::model::Side| s.gated.get(model).copied().flatten();
    level(&d.head) < level(&d.base)
}

pub fn text(d: &Diff) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} {}  {} → {}",
        paint(BOLD, "ripen diff"),
        clean(&d.root),
        clean(&side_name(d, false)),
        clean(&side_name(d, true))
    );
    for (id, b, h) in staged(d) {
        let mark = match (b, h) {
            (b, h) if h < b && gate_dropped(d, id) => paint(RED, "lowered (regression)"),
            (b, h) if h < b => paint(YELLOW, "lowered (not a level the gate counts)"),
            (b, h) if h > b => paint(GREEN, "raised"),
            _ => paint(DIM, "unchanged"),
        };
        let b = b.map(|l| l.to_string()).unwrap_or("-".into());
        let h = h.map(|l| l.to_string()).unwrap_or("-".into());
        let _ = writeln!(o, "  {:<8} {b} → {h}  {mark}", capitalise(id));
    }
    for c in d.changes.iter().filter(|c| c.kind == ChangeKind::Band) {
        let _ = writeln!(
            o,
            "  {} {} band {} → {}",
            clean(&capitalise(&c.id)),
            clean(c.category.as_deref().unwrap_or("")),
            clean(&val(&c.from)),
            clean(&val(&c.to))
        );
    }
    let caps: Vec<&Change> = d
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Capability)
        .collect();
    if caps.is_empty() {
        let _ = writeln!(o, "  {}", paint(DIM, "no capability changed tier"));
    }
    for c in caps {
        let (sign, style) = match c.direction {
            Direction::Gained | Direction::Raised => ("+", GREEN),
            Direction::Lowered | Direction::Lost => ("-", RED),
        };
        let _ = writeln!(
            o,
            "  {} {:<32} {} → {}  {}",
            paint(style, sign),
            clean(&c.id),
            clean(&val(&c.from)),
            clean(&val(&c.to)),
            paint(DIM, &clean(c.evidence.as_deref().unwrap_or("")))
        );
    }
    for w in &d.warnings {
        let _ = writeln!(o, "{} {}", paint(YELLOW, "note:"), clean(w));
    }
    if d.regression {
        let _ = writeln!(o, "{}", paint(RED, "A maturity level went down."));
    }
    o
}

/// Inline code that survives any content: the fence is longer than any backtick run inside.
pub(crate) fn code(s: &str) -> String {
    let s: String = s
        .replace(['\n', '\r'], " ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let mut run = 0;
    let mut longest = 0;
    for ch in s.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Plain text in a table cell or list item: no markup, no HTML, no table breaks.
pub(crate) fn plain(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '!' => {
                o.push('\\');
                o.push(ch);
            }
            '\n' | '\r' => o.push(' '),
            c if c.is_control() => {}
            _ => o.push(ch),
        }
    }
    o
}

pub(crate) fn markdown(d: &Diff) -> String {
    let mut o = String::new();
    let verdict = if d.regression {
        "⚠️ maturity regression"
    } else if d
        .changes
        .iter()
        .any(|c| c.kind == ChangeKind::Level && c.direction == Direction::Raised)
    {
        "📈 maturity raised"
    } else {
        "no level change"
    };
    let _ = writeln!(o, "### ripen: MLOps maturity — {verdict}\n");
    let _ = writeln!(
        o,
        "| Model | Base {} | Head {} | |",
        code(&side_name(d, false)),
        code(&side_name(d, true))
    );
    let _ = writeln!(o, "|---|:-:|:-:|---|");
    for (id, b, h) in staged(d) {
        let mark = if h < b {
            "🔻 lowered"
        } else if h > b {
            "🔺 raised"
        } else {
            ""
        };
        let lv = |l: Option<u32>| l.map(|l| l.to_string()).unwrap_or("–".into());
        let _ = writeln!(
            o,
            "| {} | {} | {} | {mark} |",
            plain(&capitalise(id)),
            lv(b),
            lv(h)
        );
    }
    let bands: Vec<&Change> = d
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Band)
        .collect();
    if !bands.is_empty() {
        let _ = writeln!(o, "\nGigaOm indicative bands:");
        for c in bands {
            let _ = writeln!(
                o,
                "- {} {} → {}",
                plain(c.category.as_deref().unwrap_or(&c.title)),
                val(&c.from),
                val(&c.to)
            );
        }
    }
    let list = |o: &mut String, title: &str, dirs: &[Direction]| {
        let items: Vec<&Change> = d
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Capability && dirs.contains(&c.direction))
            .collect();
        if items.is_empty() {
            return;
        }
        let _ = writeln!(o, "\n**{title}**\n");
        for c in items {
            let _ = write!(
                o,
                "- {} ({}): {} → {}",
                code(&c.id),
                plain(&c.title),
                val(&c.from),
                val(&c.to)
            );
            if let Some(e) = &c.evidence {
                let _ = write!(o, " — {}", code(e));
            }
            o.push('\n');
        }
    };
    list(
        &mut o,
        "Capabilities lost or lowered",
        &[Direction::Lost, Direction::Lowered],
    );
    list(
        &mut o,
        "Capabilities gained or raised",
        &[Direction::Gained, Direction::Raised],
    );
    if !d.changes.iter().any(|c| c.kind == ChangeKind::Capability) {
        let _ = writeln!(o, "\nNo capability changed tier.");
    }
    for w in &d.warnings {
        let _ = writeln!(o, "\n> {}", plain(w));
    }
    let _ = writeln!(
        o,
        "\n<sub>ripen {} · levels inferred from repository evidence</sub>",
        plain(d.tool.version)
    );
    o
}
