//! What every renderer shares: terminal styles, the text of chains and locations, model names.

use crate::model::{Categories, Evidence, Hop};
use anstyle::{AnsiColor, Style};

pub(crate) const BOLD: Style = Style::new().bold();

pub(crate) const DIM: Style = Style::new().dimmed();

pub(crate) const GREEN: Style = AnsiColor::Green.on_default();

pub(crate) const RED: Style = AnsiColor::Red.on_default();

pub(crate) const YELLOW: Style = AnsiColor::Yellow.on_default();

pub(crate) const CYAN: Style = AnsiColor::Cyan.on_default();

pub(crate) fn paint(style: Style, s: &str) -> String {
    format!("{style}{s}{style:#}")
}

pub fn chain_text(chain: &[Hop]) -> String {
    chain
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let loc = match h.line {
                Some(l) => format!("{}:{l}", h.path),
                None => h.path.clone(),
            };
            if i == 0 {
                format!("{loc} ({})", h.via)
            } else {
                format!("{loc} [{}]", h.via)
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// `path:line`, marked `[repository rule]` when the rule came from the scanned repository.
pub(crate) fn location(e: &Evidence) -> String {
    let at = match e.line {
        Some(l) => format!("{}:{l}", e.path),
        None => e.path.clone(),
    };
    if e.repository_rule {
        format!("{at} {REPOSITORY_RULE}")
    } else {
        at
    }
}

/// How every format marks evidence found by a rule the scanned repository supplied.
pub(crate) const REPOSITORY_RULE: &str = "[repository rule]";

pub(crate) fn capitalise(s: &str) -> String {
    match s {
        "gigaom" => "GigaOm".into(),
        _ => {
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        }
    }
}

/// Each category of a category model as `label band` (`–` when not observable), by id.
pub(crate) fn band_parts(cats: &Categories, label: impl Fn(&str) -> String) -> Vec<String> {
    cats.by_id
        .iter()
        .map(|(c, v)| match v.band {
            Some(b) => format!("{} {b}", label(c)),
            None => format!("{} –", label(c)),
        })
        .collect()
}

/// A path as a URI path: unreserved characters and `/` (and `keep`) as they are, every other
/// byte as `%XX`.
pub(crate) fn percent_encode(path: &str, keep: &[u8]) -> String {
    let mut o = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || keep.contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}
