//! The prefilter's literals: for each rule, a small set of strings one of which occurs in any
//! text the rule can match (regex literals, YAML keys and values), found by one Aho-Corasick
//! scan of the document.

use crate::catalogue::Condition;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// Literals of which at least one must occur in any text the regex matches, or None when no
/// such small set exists (then the rule cannot be prefiltered).
///
/// Not only prefixes: `^\s*from\s+sklearn\.` has no literal prefix, but every match contains
/// `sklearn.`. Any required piece of a concatenation (a child that must match) gives a valid
/// set, its own prefixes; the best such set (longest shortest literal, then fewest) is kept.
pub(crate) fn required_literals(src: &str) -> Option<Lits> {
    // A leading `(?i)`: the literals are taken from the case-sensitive pattern and found by the
    // ASCII-case-insensitive automaton. Unicode folds that reach ASCII letters (the Kelvin sign
    // for `k`, the long s for `s`) are not in it, so documents holding one always run the rule.
    let (src, fold) = match src.strip_prefix("(?i)") {
        Some(rest) if !rest.contains("(?-") && !rest.contains("(?") => (rest, true),
        _ => (src, false),
    };
    let hir = regex_syntax::ParserBuilder::new()
        .multi_line(true)
        .build()
        .parse(src)
        .ok()?;
    let mut set: Vec<String> = required_in(&hir)?
        .into_iter()
        .map(|l| l.to_ascii_lowercase())
        .collect();
    set.sort();
    set.dedup();
    Some(Lits {
        set,
        fold,
        escapes: false,
    })
}

/// A set of literals, one of which occurs in any text a condition accepts.
#[derive(Debug, PartialEq)]
pub(crate) struct Lits {
    pub(crate) set: Vec<String>,
    /// Case-insensitive: also accepts text with a non-ASCII fold of an ASCII letter.
    pub(crate) fold: bool,
    /// Taken from YAML/JSON keys or values: also accepts text with escape sequences.
    pub(crate) escapes: bool,
}

/// Text that a case-insensitive regex may match through a Unicode fold of an ASCII letter
/// (K KELVIN SIGN for k, ſ LATIN SMALL LETTER LONG S for s).
pub(crate) fn has_ascii_fold(text: &str) -> bool {
    text.contains('\u{212A}') || text.contains('\u{17F}')
}

/// A key name or scalar that is written out literally in any YAML or JSON document holding it:
/// not a number, boolean or null (a parser may normalise those: `0x10` is `16`), no whitespace
/// (a folded scalar may break a line there), no quote or backslash.
pub(crate) fn literal_scalar(s: &str) -> Option<String> {
    const NORMALISED: &[&str] = &[
        "true", "false", "null", "yes", "no", "on", "off", "inf", "nan",
    ];
    let ok = s.len() >= 3
        && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '$' || c == '_')
        && !NORMALISED.contains(&s.to_ascii_lowercase().as_str())
        && !s.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '\\');
    ok.then(|| s.to_ascii_lowercase())
}

/// Literals one of which occurs in any document where a structural condition holds: a key of
/// its path, the value it must equal, or a literal its value regex needs.
pub(crate) fn key_literals(
    path: &[String],
    equals: &Option<String>,
    matches: &Option<String>,
) -> Option<Lits> {
    let mut sets: Vec<Vec<String>> = path
        .iter()
        .filter_map(|k| literal_scalar(k))
        .map(|k| vec![k])
        .collect();
    sets.extend(equals.as_deref().and_then(literal_scalar).map(|e| vec![e]));
    if let Some(l) = matches.as_deref().and_then(required_literals)
        && !l.fold
        && l.set.iter().all(|x| literal_scalar(x).is_some())
    {
        sets.push(l.set);
    }
    let set = sets.into_iter().max_by_key(|s| score(s))?;
    Some(Lits {
        set,
        fold: false,
        escapes: true,
    })
}

/// Literals one of which occurs in any text satisfying the condition.
pub(crate) fn cond_literals(c: &Condition) -> Option<Lits> {
    match c {
        Condition::Regex(r) => required_literals(r),
        Condition::Key {
            path,
            equals,
            matches,
        } => key_literals(path, equals, matches),
        Condition::Any(cs) => {
            let mut set = Vec::new();
            let (mut fold, mut escapes) = (false, false);
            for c in cs {
                let l = cond_literals(c)?;
                set.extend(l.set);
                fold |= l.fold;
                escapes |= l.escapes;
            }
            set.sort();
            set.dedup();
            (set.len() <= 64).then_some(Lits { set, fold, escapes })
        }
        Condition::NotRegex(_) => None,
    }
}

/// Words in nearly every Python, shell or YAML file: a rule gated on one of them is gated on
/// nothing, so a set containing one scores as if its literals were empty.
pub(crate) const COMMON_WORDS: &[&str] = &[
    "import", "from", "class", "def", "return", "self", "with", "name", "true", "false", "none",
    "print", "data", "http", "https", "the", "and", "for", "run", "value", "type", "version",
    "image", "steps", "script", "jobs", "test", "path", "file", "model", "config", "env",
];

/// Scores a literal set by its least selective literal (longer is more selective; a common
/// word counts as nothing), then by fewer literals.
pub(crate) fn score(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    (
        set.iter()
            .map(|l| {
                if COMMON_WORDS.contains(&l.to_ascii_lowercase().as_str()) {
                    0
                } else {
                    l.len()
                }
            })
            .min()
            .unwrap_or(0),
        std::cmp::Reverse(set.len()),
    )
}

pub(crate) fn prefix_set(hir: &regex_syntax::hir::Hir) -> Option<Vec<String>> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.len() > 64 {
        return None;
    }
    let mut out = Vec::new();
    for l in lits {
        let s = String::from_utf8(l.as_bytes().to_vec()).ok()?;
        if s.len() < 3 {
            return None;
        }
        out.push(s);
    }
    Some(out)
}

pub(crate) fn required_in(hir: &regex_syntax::hir::Hir) -> Option<Vec<String>> {
    use regex_syntax::hir::HirKind;
    let mut best = prefix_set(hir);
    let mut consider = |cand: Option<Vec<String>>| {
        if let Some(c) = cand
            && best.as_ref().is_none_or(|b| score(&c) > score(b))
        {
            best = Some(c);
        }
    };
    match hir.kind() {
        HirKind::Concat(children) => {
            for (i, c) in children.iter().enumerate() {
                consider(required_in(c));
                // The prefixes of the rest of the concatenation from here are longer.
                if i > 0 {
                    consider(prefix_set(&regex_syntax::hir::Hir::concat(
                        children[i..].to_vec(),
                    )));
                }
            }
        }
        HirKind::Capture(c) => consider(required_in(&c.sub)),
        HirKind::Repetition(r) if r.min >= 1 => consider(required_in(&r.sub)),
        HirKind::Alternation(branches) => {
            // Every branch needs a set of its own; their union is required.
            let mut all = Vec::new();
            for b in branches {
                all.extend(required_in(b)?);
            }
            if all.len() <= 64 {
                consider(Some(all));
            }
        }
        _ => {}
    }
    best
}
