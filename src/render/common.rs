//! What every renderer shares: terminal styles, the text of chains and locations, model names.

use crate::model::{Categories, Evidence, Hop, Outcome, Project, Staged};
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
        .map(|(i, h)| hop_text(h, i == 0))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// One hop of a chain: `path:line (trigger)` for the first, `path:line [command]` after.
pub(crate) fn hop_text(h: &Hop, first: bool) -> String {
    let loc = match h.line {
        Some(l) => format!("{}:{l}", h.path),
        None => h.path.clone(),
    };
    if first {
        format!("{loc} ({})", h.via)
    } else {
        format!("{loc} [{}]", h.via)
    }
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

/// Why a staged model's level stops where it does (`level 2 missing Automated training`), raw:
/// each format escapes it. `None` at the top level, or when nothing required is missing.
pub(crate) fn why_capped(m: &Staged) -> Option<String> {
    let next = m.levels.iter().find(|l| l.level == m.level + 1)?;
    let missing: Vec<&str> = next
        .required
        .iter()
        .filter(|p| !p.met)
        .map(|p| p.title.as_str())
        .collect();
    (!missing.is_empty()).then(|| format!("level {} missing {}", next.level, missing.join(", ")))
}

/// How far the levels above the reached one are covered: `already L2 40% · L3 12%` (empty
/// when none is).
pub(crate) fn ahead(m: &Staged) -> String {
    let parts = m
        .levels
        .iter()
        .filter(|l| l.level > m.level && l.coverage > 0.0)
        .map(|l| format!("L{} {:.0}%", l.level, l.coverage * 100.0))
        .collect::<Vec<_>>()
        .join(" · ");
    if parts.is_empty() {
        parts
    } else {
        format!("already {parts}")
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

/// A sub-project's levels as `Model level` labels (`Azure 2`), in [`project_levels`]' order.
pub(crate) fn project_level_labels(p: &Project) -> Vec<String> {
    project_levels(p)
        .iter()
        .map(|(m, l)| format!("{m} {l}"))
        .collect()
}

/// A sub-project's staged models (`--per-project`) as (model, level), fewest levels first, as
/// every format lists them.
pub(crate) fn project_levels(p: &Project) -> Vec<(String, u32)> {
    let mut staged: Vec<(&String, u32, u32)> = p
        .models
        .iter()
        .filter_map(|(id, m)| match &m.outcome {
            Outcome::Staged(s) => Some((id, s.level, s.max_level)),
            Outcome::Categories(_) => None,
        })
        .collect();
    staged.sort_by_key(|(_, _, max)| *max);
    staged
        .into_iter()
        .map(|(id, level, _)| (capitalise(id), level))
        .collect()
}

/// Text from the scanned repository (a file name, a commit message, a snippet, a rule's
/// words), made safe for a terminal or a CI log: C0 and C1 control characters (newline, CR,
/// ESC and with it every CSI and OSC sequence, BEL, DEL), Unicode line separators and bidi
/// overrides are written as visible escapes (`\n`, `\x1b`, `\u{202e}`). Nothing a repository
/// holds can then start a line of its own (`::add-mask::`, `##vso[`), move the cursor, set the
/// terminal's title or write its clipboard (OSC 52). Borrowed when there is nothing to escape.
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
    }
    if !s.chars().any(unsafe_char) {
        return defuse_vso(s, "\\x5b", false);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x80 && unsafe_char(c) => o.push_str(&format!("\\x{:02x}", c as u32)),
            c if unsafe_char(c) => o.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => o.push(c),
        }
    }
    std::borrow::Cow::Owned(defuse_vso(&o, "\\x5b", false).into_owned())
}

/// Azure Pipelines reads `##vso[` anywhere in a log line, in any case, as a logging command
/// (`##vso[task.setvariable …]`, `##vso[task.complete …]`): in `s`, the `[` of each is written
/// as `bracket` instead, the format's own way to write `[` (`\u005b` in JSON, `&#91;` in HTML
/// and XML). `keep_line_start`: a `##vso[` that begins a line is the format's own command (only
/// the `azure` format writes one) and is kept.
pub(crate) fn defuse_vso<'a>(
    s: &'a str,
    bracket: &str,
    keep_line_start: bool,
) -> std::borrow::Cow<'a, str> {
    const KEY: &str = "##vso[";
    let lower = s.to_ascii_lowercase();
    let found: Vec<usize> = lower
        .match_indices(KEY)
        .map(|(i, _)| i)
        .filter(|&i| !(keep_line_start && (i == 0 || s.as_bytes()[i - 1] == b'\n')))
        .collect();
    if found.is_empty() {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + found.len() * bracket.len());
    let mut last = 0;
    for i in found {
        let b = i + KEY.len() - 1;
        o.push_str(&s[last..b]);
        o.push_str(bracket);
        last = b + 1;
    }
    o.push_str(&s[last..]);
    std::borrow::Cow::Owned(o)
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn clean_escapes_every_control_and_keeps_the_rest() {
        assert_eq!(clean("src/train.py"), "src/train.py");
        assert_eq!(clean("é ✓ 日本"), "é ✓ 日本");
        assert_eq!(
            clean("a\n::add-mask::x\r\x1b]52;c;aGk=\x07\x1b[2J\u{9b}\u{202e}\x7f"),
            "a\\n::add-mask::x\\r\\x1b]52;c;aGk=\\x07\\x1b[2J\\u{9b}\\u{202e}\\x7f"
        );
        assert_eq!(clean("tab\there"), "tab\\there");
    }

    #[test]
    fn azure_logging_commands_are_defused_anywhere_in_a_line() {
        use super::defuse_vso;
        assert_eq!(
            clean("a ##VSO[task.complete result=Succeeded]"),
            "a ##VSO\\x5btask.complete result=Succeeded]"
        );
        assert_eq!(clean("##vso"), "##vso");
        let own = "##vso[task.logissue type=error]x ##vso[task.complete]\n##vso[task.setvariable]";
        assert_eq!(
            defuse_vso(own, "%5B", true),
            "##vso[task.logissue type=error]x ##vso%5Btask.complete]\n##vso[task.setvariable]"
        );
        assert_eq!(
            defuse_vso("\"##vso[x\"", "\\u005b", false),
            "\"##vso\\u005bx\""
        );
    }
}

#[cfg(test)]
mod band_tests {
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
