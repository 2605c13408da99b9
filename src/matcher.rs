//! Stage 3: match every rule against a document in one pass.
//!
//! Cheapest test first: path globs decide which rules could apply (one `GlobSet` for all rules),
//! a single Aho-Corasick scan of the text finds the literal prefixes that each regex needs, and
//! only the rules that survive both run their regexes and structural conditions.

use crate::read::Document;
use crate::rules::{Condition, DataError, Rule};
use crate::structured::Node;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

enum Cond {
    Regex(Regex),
    NotRegex(Regex),
    Key {
        path: Vec<String>,
        equals: Option<String>,
        matches: Option<Regex>,
    },
    Any(Vec<Cond>),
}

struct Compiled {
    exclude: GlobSet,
    conds: Vec<Cond>,
    facets: Vec<(String, Regex)>,
    /// False when the rule's first regex has no usable literal prefix: it always runs.
    prefiltered: bool,
    /// The prefilter is case-insensitive and must let Unicode folds through.
    fold: bool,
}

pub struct Matcher {
    compiled: Vec<Compiled>,
    include: GlobSet,
    include_owner: Vec<usize>,
    literals: Option<AhoCorasick>,
    literal_owner: Vec<Vec<usize>>,
}

/// One rule that matched one file, before tiers are decided.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: usize,
    /// 1-based line in the file, when a content condition gave one.
    pub line: Option<u32>,
    /// Every line that matched was a comment: the rule's signal is only mentioned.
    pub comment_only: bool,
    pub facets: Vec<String>,
    pub snippet: Option<String>,
}

fn glob(g: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(g).literal_separator(true).build()
}

/// Word boundaries in rules mean code identifiers. Unicode `\b` makes the regex engine give up
/// its DFA on any non-ASCII text (a notebook, a translated README) and crawl; the ASCII
/// boundary keeps every search linear and fast.
fn ascii_word_boundaries(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + 16);
    let mut chars = src.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn regex(src: &str) -> Regex {
    // Validated when the rules were loaded.
    regex::RegexBuilder::new(&ascii_word_boundaries(src))
        .multi_line(true)
        .size_limit(16 * 1024 * 1024)
        .build()
        .expect("rule regexes are validated at load time")
}

fn compile_cond(c: &Condition) -> Cond {
    match c {
        Condition::Regex(r) => Cond::Regex(regex(r)),
        Condition::NotRegex(r) => Cond::NotRegex(regex(r)),
        Condition::Key {
            path,
            equals,
            matches,
        } => Cond::Key {
            path: path.clone(),
            equals: equals.clone(),
            matches: matches.as_deref().map(regex),
        },
        Condition::Any(cs) => Cond::Any(cs.iter().map(compile_cond).collect()),
    }
}

/// Literals of which at least one must occur in any text the regex matches, or None when no
/// such small set exists (then the rule cannot be prefiltered).
///
/// Not only prefixes: `^\s*from\s+sklearn\.` has no literal prefix, but every match contains
/// `sklearn.`. Any required piece of a concatenation (a child that must match) gives a valid
/// set, its own prefixes; the best such set (longest shortest literal, then fewest) is kept.
fn required_literals(src: &str) -> Option<Lits> {
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
    Some(Lits { set, fold })
}

/// A set of literals, one of which occurs in any text a condition accepts.
#[derive(Debug, PartialEq)]
struct Lits {
    set: Vec<String>,
    /// Case-insensitive: also accepts text with a non-ASCII fold of an ASCII letter.
    fold: bool,
}

/// Text that a case-insensitive regex may match through a Unicode fold of an ASCII letter
/// (K KELVIN SIGN for k, ſ LATIN SMALL LETTER LONG S for s).
fn has_ascii_fold(text: &str) -> bool {
    text.contains('\u{212A}') || text.contains('\u{17F}')
}

/// Literals one of which occurs in any text satisfying the condition.
fn cond_literals(c: &Condition) -> Option<Lits> {
    match c {
        Condition::Regex(r) => required_literals(r),
        Condition::Any(cs) => {
            let mut set = Vec::new();
            let mut fold = false;
            for c in cs {
                let l = cond_literals(c)?;
                set.extend(l.set);
                fold |= l.fold;
            }
            set.sort();
            set.dedup();
            (set.len() <= 64).then_some(Lits { set, fold })
        }
        Condition::NotRegex(_) | Condition::Key { .. } => None,
    }
}

/// Scores a literal set: the shortest literal's length (longer is more selective), then fewer.
fn score(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    (
        set.iter().map(String::len).min().unwrap_or(0),
        std::cmp::Reverse(set.len()),
    )
}

fn prefix_set(hir: &regex_syntax::hir::Hir) -> Option<Vec<String>> {
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

fn required_in(hir: &regex_syntax::hir::Hir) -> Option<Vec<String>> {
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

impl Matcher {
    pub fn new(rules: &[Rule]) -> Result<Matcher, DataError> {
        let mut include = GlobSetBuilder::new();
        let mut include_owner = Vec::new();
        let mut literal_set: Vec<String> = Vec::new();
        let mut literal_owner: Vec<Vec<usize>> = Vec::new();
        let mut compiled = Vec::new();
        let err = |r: &Rule, e: globset::Error| DataError {
            file: r.source.clone(),
            line: 0,
            column: 0,
            message: format!("rule `{}`: invalid glob: {e}", r.id),
        };
        for (i, r) in rules.iter().enumerate() {
            for g in &r.include {
                include.add(glob(g).map_err(|e| err(r, e))?);
                include_owner.push(i);
            }
            let mut ex = GlobSetBuilder::new();
            for g in &r.exclude {
                ex.add(glob(g).map_err(|e| err(r, e))?);
            }
            // Every condition must hold, so any content condition's literals may gate the rule:
            // the most selective set is used.
            let lits = r
                .conditions
                .iter()
                .filter_map(cond_literals)
                .max_by_key(|l| score(&l.set));
            let prefiltered = lits.is_some();
            let fold = lits.as_ref().is_some_and(|l| l.fold);
            for l in lits.map(|l| l.set).unwrap_or_default() {
                match literal_set.iter().position(|x| *x == l) {
                    Some(p) => literal_owner[p].push(i),
                    None => {
                        literal_set.push(l);
                        literal_owner.push(vec![i]);
                    }
                }
            }
            compiled.push(Compiled {
                exclude: ex.build().map_err(|e| err(r, e))?,
                conds: r.conditions.iter().map(compile_cond).collect(),
                facets: r
                    .facets
                    .iter()
                    .map(|(n, s)| (n.clone(), regex(s)))
                    .collect(),
                prefiltered,
                fold,
            });
        }
        let literals = if literal_set.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&literal_set)
                    .expect("literal set builds"),
            )
        };
        Ok(Matcher {
            compiled,
            include: include.build().map_err(|e| DataError {
                file: "rules".into(),
                line: 0,
                column: 0,
                message: e.to_string(),
            })?,
            include_owner,
            literals,
            literal_owner,
        })
    }

    /// Rules whose globs select this path (decided before the file is read).
    pub fn candidates(&self, rel: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .include
            .matches(rel)
            .into_iter()
            .map(|g| self.include_owner[g])
            .filter(|&r| !self.compiled[r].exclude.is_match(rel))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn match_doc(&self, doc: &Document, candidates: &[usize]) -> Vec<Hit> {
        if candidates.is_empty() {
            return Vec::new();
        }
        let mut lit_hit = vec![false; self.compiled.len()];
        if let Some(ac) = &self.literals
            && candidates.iter().any(|&r| self.compiled[r].prefiltered)
        {
            for m in ac.find_overlapping_iter(&doc.text) {
                for &r in &self.literal_owner[m.pattern().as_usize()] {
                    lit_hit[r] = true;
                }
            }
        }
        let mut folds: Option<bool> = None;
        let mut hits = Vec::new();
        for &r in candidates {
            let c = &self.compiled[r];
            if c.prefiltered
                && !lit_hit[r]
                && !(c.fold && *folds.get_or_insert_with(|| has_ascii_fold(&doc.text)))
            {
                continue;
            }
            if let Some(hit) = self.match_rule(r, c, doc) {
                hits.push(hit);
            }
        }
        hits
    }

    fn match_rule(&self, rule: usize, c: &Compiled, doc: &Document) -> Option<Hit> {
        let mut first: Option<(Option<usize>, Option<u32>, bool)> = None;
        for cond in &c.conds {
            let m = eval(cond, doc)?;
            if first.is_none() && (m.index.is_some() || m.line.is_some()) {
                first = Some((m.index, m.line, m.comment_only));
            }
        }
        let (index, line, comment_only) = first.unwrap_or((None, None, false));
        let line = line.or_else(|| index.map(|i| doc.file_line(i)));
        let snippet = match index {
            Some(i) => Some(doc.line_text(i)),
            None => line.map(|l| doc.text_at_file_line(l)),
        }
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
        let facets = c
            .facets
            .iter()
            .filter(|(_, re)| re.is_match(&doc.text))
            .map(|(n, _)| n.clone())
            .collect();
        Some(Hit {
            rule,
            line,
            comment_only,
            facets,
            snippet,
        })
    }
}

struct CondMatch {
    /// 0-based line of `doc.text` (content conditions).
    index: Option<usize>,
    /// 1-based file line (structural conditions).
    line: Option<u32>,
    comment_only: bool,
}

fn eval(cond: &Cond, doc: &Document) -> Option<CondMatch> {
    match cond {
        Cond::Regex(re) => {
            let mut comment_line = None;
            for m in re.find_iter(&doc.text) {
                let idx = doc.line_index(m.start());
                if !doc.is_comment_line(idx) {
                    return Some(CondMatch {
                        index: Some(idx),
                        line: None,
                        comment_only: false,
                    });
                }
                comment_line.get_or_insert(idx);
            }
            comment_line.map(|idx| CondMatch {
                index: Some(idx),
                line: None,
                comment_only: true,
            })
        }
        Cond::NotRegex(re) => (!re.is_match(&doc.text)).then_some(CondMatch {
            index: None,
            line: None,
            comment_only: false,
        }),
        Cond::Key {
            path,
            equals,
            matches,
        } => {
            if !doc.is_structured_kind() {
                return None;
            }
            let docs = doc.structured().ok()?;
            docs.iter()
                .find_map(|d| key_match(d, path, equals, matches))
        }
        Cond::Any(cs) => {
            let mut best: Option<CondMatch> = None;
            for c in cs {
                if let Some(m) = eval(c, doc) {
                    if !m.comment_only {
                        return Some(m);
                    }
                    best.get_or_insert(m);
                }
            }
            best
        }
    }
}

fn key_match(
    node: &Node,
    path: &[String],
    equals: &Option<String>,
    matches: &Option<Regex>,
) -> Option<CondMatch> {
    let mut found = Vec::new();
    node.find_path(path, &mut found);
    found.into_iter().find_map(|(n, key_line)| {
        let ok = match (equals, matches) {
            (None, None) => true,
            (Some(e), _) => scalars_any(n, |s| s == e),
            (None, Some(re)) => scalars_any(n, |s| re.is_match(s)),
        };
        ok.then(|| CondMatch {
            index: None,
            line: Some(if key_line > 0 {
                key_line
            } else {
                n.line.max(1)
            }),
            comment_only: false,
        })
    })
}

/// A scalar, or any item of a list of scalars (`on: [push, schedule]`), satisfies `f`.
fn scalars_any(n: &Node, f: impl Fn(&str) -> bool) -> bool {
    match n.as_str() {
        Some(s) => f(s),
        None => n.as_seq().iter().filter_map(Node::as_str).any(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_boundaries_become_ascii() {
        assert_eq!(ascii_word_boundaries(r"\bfit\(\\b"), r"(?-u:\b)fit\(\\b");
        let re = regex(r"\bmlflow\.log");
        assert!(re.is_match("é mlflow.log"));
        assert!(!re.is_match("xmlflow.log"));
    }

    #[test]
    #[ignore]
    fn unprefiltered_builtin_rules() {
        let cat = crate::rules::Catalogue::load(&[]).unwrap();
        let m = Matcher::new(&cat.rules).unwrap();
        for (r, c) in cat.rules.iter().zip(&m.compiled) {
            if !c.prefiltered {
                eprintln!("UNPF {} {:?}", r.id, r.conditions);
            }
        }
    }

    #[test]
    fn literal_extraction() {
        let lits = |src: &str| required_literals(src).map(|l| l.set);
        assert_eq!(
            lits(r"\bmlflow\.(log_metric|autolog)\("),
            Some(vec!["mlflow.autolog(".into(), "mlflow.log_metric(".into()])
        );
        // Required inner pieces, not only prefixes.
        assert_eq!(lits(r"^\s*import"), Some(vec!["import".into()]));
        assert_eq!(
            lits(r"^\s*from\s+sklearn\.(ensemble|tree)\b"),
            Some(vec!["sklearn.ensemble".into(), "sklearn.tree".into()])
        );
        assert_eq!(
            lits(r"\b(mlflow|weights\s*&\s*biases)\b"),
            Some(vec!["mlflow".into(), "weights".into()])
        );
        assert_eq!(lits(r"^\s*\w+"), None);
        assert_eq!(lits(r"a|bc"), None);
        assert_eq!(lits(r"(x?ab)?cd"), None);
        assert_eq!(lits(r"(ab)*cde"), Some(vec!["cde".into()]));
        let ci = required_literals(r"(?i)\bMLflow\b").unwrap();
        assert_eq!((ci.set, ci.fold), (vec!["mlflow".to_string()], true));
    }

    /// The prefilter never drops a rule the regexes alone would match.
    #[test]
    fn prefilter_is_sound() {
        let cases = [
            (
                r"^\s*from\s+sklearn\.(ensemble|tree)\b",
                "x\n  from  sklearn.tree import A\n",
            ),
            (r"(?i)\bmlflow\b", "import MLFLOW\n"),
            (r"(?i)\bmask\b", "MA\u{17F}K\n"),
            (r"(?i)kedro", "\u{212A}edro\n"),
        ];
        for (re, text) in cases {
            let rule = Rule {
                id: "r".into(),
                capability: "c".into(),
                title: String::new(),
                rationale: String::new(),
                remediation: None,
                docs: None,
                tier: crate::rules::Tier::Implemented,
                framework: None,
                facets: Vec::new(),
                include: vec!["**/*.py".into()],
                exclude: Vec::new(),
                conditions: vec![Condition::Regex(re.into())],
                positive: Vec::new(),
                negative: Vec::new(),
                source: String::new(),
            };
            let m = Matcher::new(std::slice::from_ref(&rule)).unwrap();
            let doc = crate::read::Document::new("a.py", text.to_string());
            assert!(regex(re).is_match(text), "{re}");
            assert_eq!(
                m.match_doc(&doc, &m.candidates("a.py")).len(),
                1,
                "{re} on {text:?}"
            );
        }
    }
}
