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

pub(crate) fn location(e: &Evidence) -> String {
    match e.line {
        Some(l) => format!("{}:{l}", e.path),
        None => e.path.clone(),
    }
}

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
            Some(b) => format!("{} {b}/{}", label(c), cats.max_band),
            None => format!("{} not observable", label(c)),
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

#[cfg(test)]
mod tests {
    use super::band_parts;
    use crate::model::{Categories, CategoryResult};

    #[test]
    fn bands_show_their_scale_and_unobservable_categories_say_so() {
        let cat = |band| CategoryResult {
            title: String::new(),
            band,
            capabilities: vec![],
            implemented_share: 0.0,
            automated_share: 0.0,
        };
        let cats = Categories {
            by_id: [
                ("a".to_string(), cat(Some(2))),
                ("b".to_string(), cat(None)),
            ]
            .into_iter()
            .collect(),
            order: vec!["a".into(), "b".into()],
            max_band: 4,
        };
        assert_eq!(
            band_parts(&cats, str::to_string),
            ["a 2/4", "b not observable"]
        );
    }
}
