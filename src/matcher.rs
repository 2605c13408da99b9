//! Stage 3: match every rule against a document in one pass.
//!
//! Cheapest test first: path globs decide which rules could apply (one `GlobSet` for all rules),
//! a single Aho-Corasick scan of the text finds the literal prefixes that each regex needs, and
//! only the rules that survive both run their regexes and structural conditions.

use crate::read::Document;
use crate::rules::{Condition, DataError, Rule};
use crate::structured::Node;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

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
    /// Indices into [`Matcher::exclude`].
    exclude: Vec<usize>,
    conds: Vec<Cond>,
    facets: Vec<(String, Regex)>,
    /// False when no condition gives a usable literal set: the rule always runs.
    prefiltered: bool,
    /// The prefilter is case-insensitive and must let Unicode folds through.
    fold: bool,
    /// The literals come from YAML/JSON keys or values, which an escape sequence (`"\u006bind"`)
    /// can spell without them: documents holding one always run the rule.
    escapes: bool,
}

pub struct Matcher {
    compiled: Vec<Compiled>,
    /// Each distinct include glob once (`**/*.py` is shared by ~140 rules), with its rules.
    include: GlobSet,
    include_owner: Vec<Vec<usize>>,
    /// Each distinct exclude glob once, matched once per path.
    exclude: GlobSet,
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

/// A rule's regex as the matcher runs it. The catalogue compiles each one this way when it
/// validates the rules (so an error points at the rule file, and the matcher can never meet a
/// pattern it cannot build), and [`Matcher::new`] then reuses the compiled regex: compiling
/// them all twice was half of every run's start-up.
pub fn compile_regex(src: &str) -> Result<Regex, regex::Error> {
    static COMPILED: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Default::default);
    let compiled = || COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(re) = compiled().get(src) {
        return Ok(re.clone());
    }
    let re = regex::RegexBuilder::new(&ascii_word_boundaries(src))
        .multi_line(true)
        .size_limit(16 * 1024 * 1024)
        .build()?;
    compiled().insert(src.to_string(), re.clone());
    Ok(re)
}

fn regex(src: &str) -> Regex {
    compile_regex(src).expect("rule regexes are validated at load time")
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
    Some(Lits {
        set,
        fold,
        escapes: false,
    })
}

/// A set of literals, one of which occurs in any text a condition accepts.
#[derive(Debug, PartialEq)]
struct Lits {
    set: Vec<String>,
    /// Case-insensitive: also accepts text with a non-ASCII fold of an ASCII letter.
    fold: bool,
    /// Taken from YAML/JSON keys or values: also accepts text with escape sequences.
    escapes: bool,
}

/// Text that a case-insensitive regex may match through a Unicode fold of an ASCII letter
/// (K KELVIN SIGN for k, ſ LATIN SMALL LETTER LONG S for s).
fn has_ascii_fold(text: &str) -> bool {
    text.contains('\u{212A}') || text.contains('\u{17F}')
}

/// A key name or scalar that is written out literally in any YAML or JSON document holding it:
/// not a number, boolean or null (a parser may normalise those: `0x10` is `16`), no whitespace
/// (a folded scalar may break a line there), no quote or backslash.
fn literal_scalar(s: &str) -> Option<String> {
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
fn key_literals(
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
fn cond_literals(c: &Condition) -> Option<Lits> {
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
const COMMON_WORDS: &[&str] = &[
    "import", "from", "class", "def", "return", "self", "with", "name", "true", "false", "none",
    "print", "data", "http", "https", "the", "and", "for", "run", "value", "type", "version",
    "image", "steps", "script", "jobs", "test", "path", "file", "model", "config", "env",
];

/// Scores a literal set by its least selective literal (longer is more selective; a common
/// word counts as nothing), then by fewer literals.
fn score(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
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
        let mut include_index: HashMap<&str, usize> = HashMap::new();
        let mut include_owner: Vec<Vec<usize>> = Vec::new();
        let mut exclude = GlobSetBuilder::new();
        let mut exclude_index: HashMap<&str, usize> = HashMap::new();
        let mut literal_set: Vec<String> = Vec::new();
        let mut literal_index: HashMap<String, usize> = HashMap::new();
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
                let n = match include_index.get(g.as_str()) {
                    Some(&n) => n,
                    None => {
                        include.add(glob(g).map_err(|e| err(r, e))?);
                        include_owner.push(Vec::new());
                        include_index.insert(g, include_owner.len() - 1);
                        include_owner.len() - 1
                    }
                };
                if !include_owner[n].contains(&i) {
                    include_owner[n].push(i);
                }
            }
            let mut ex = Vec::new();
            for g in &r.exclude {
                let n = match exclude_index.get(g.as_str()) {
                    Some(&n) => n,
                    None => {
                        exclude.add(glob(g).map_err(|e| err(r, e))?);
                        let n = exclude_index.len();
                        exclude_index.insert(g, n);
                        n
                    }
                };
                ex.push(n);
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
            let escapes = lits.as_ref().is_some_and(|l| l.escapes);
            for l in lits.map(|l| l.set).unwrap_or_default() {
                match literal_index.get(&l) {
                    Some(&p) => literal_owner[p].push(i),
                    None => {
                        literal_index.insert(l.clone(), literal_set.len());
                        literal_set.push(l);
                        literal_owner.push(vec![i]);
                    }
                }
            }
            compiled.push(Compiled {
                exclude: ex,
                conds: r.conditions.iter().map(compile_cond).collect(),
                facets: r
                    .facets
                    .iter()
                    .map(|(n, s)| (n.clone(), regex(s)))
                    .collect(),
                prefiltered,
                fold,
                escapes,
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
        let set_err = |e: globset::Error| DataError {
            file: "rules".into(),
            line: 0,
            column: 0,
            message: e.to_string(),
        };
        Ok(Matcher {
            compiled,
            include: include.build().map_err(set_err)?,
            include_owner,
            exclude: exclude.build().map_err(set_err)?,
            literals,
            literal_owner,
        })
    }

    /// Rules whose globs select this path (decided before the file is read).
    pub fn candidates(&self, rel: &str) -> Vec<usize> {
        let path = Candidate::new(rel);
        let mut globs = Vec::new();
        self.include.matches_candidate_into(&path, &mut globs);
        let mut out: Vec<usize> = globs
            .iter()
            .flat_map(|&g| self.include_owner[g].iter().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        if out.iter().any(|&r| !self.compiled[r].exclude.is_empty()) {
            let mut excluded = Vec::new();
            self.exclude.matches_candidate_into(&path, &mut excluded);
            if !excluded.is_empty() {
                out.retain(|&r| {
                    !self.compiled[r]
                        .exclude
                        .iter()
                        .any(|e| excluded.contains(e))
                });
            }
        }
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
        let mut escapes: Option<bool> = None;
        let mut hits = Vec::new();
        for &r in candidates {
            let c = &self.compiled[r];
            let may_match = !c.prefiltered
                || lit_hit[r]
                || (c.fold && *folds.get_or_insert_with(|| has_ascii_fold(&doc.text)))
                || (c.escapes
                    && *escapes.get_or_insert_with(|| crate::structured::has_escape(&doc.text)));
            if !may_match {
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

    fn rule(include: &str, conditions: Vec<Condition>) -> Rule {
        Rule {
            id: "r".into(),
            capability: "c".into(),
            title: String::new(),
            rationale: String::new(),
            remediation: None,
            docs: None,
            tier: crate::rules::Tier::Implemented,
            framework: None,
            facets: Vec::new(),
            include: vec![include.into()],
            exclude: Vec::new(),
            conditions,
            positive: Vec::new(),
            negative: Vec::new(),
            source: String::new(),
        }
    }

    /// A literal found in nearly every Python file gates nothing: the rarer set is chosen.
    #[test]
    fn common_words_do_not_gate_rules() {
        let r = rule(
            "**/*.py",
            vec![
                Condition::Regex(
                    r"^\s*(from\s+ray\s+import\s+[^\n]*\btune\b|import\s+ray\.tune)".into(),
                ),
                Condition::Regex(r"\btune\.(Tuner|run)\(|\bTuner\s*\(".into()),
            ],
        );
        let m = Matcher::new(std::slice::from_ref(&r)).unwrap();
        let c = m.candidates("a.py");
        let plain = crate::read::Document::new("a.py", "import os\nfrom x import y\n".into());
        // Not run at all: no literal of the chosen set occurs (the rule would not match anyway).
        let mut lit_hit = false;
        for mat in m
            .literals
            .as_ref()
            .unwrap()
            .find_overlapping_iter(&plain.text)
        {
            lit_hit |= m.literal_owner[mat.pattern().as_usize()].contains(&0);
        }
        assert!(!lit_hit, "`import` gated the rule");
        let tuned = crate::read::Document::new(
            "a.py",
            "from ray import tune\ntuner = tune.Tuner(train)\n".into(),
        );
        assert_eq!(m.match_doc(&tuned, &c).len(), 1);
    }

    /// Structural conditions are prefiltered by their keys and values, and still match documents
    /// that spell them with escapes.
    #[test]
    fn key_prefilter_is_sound() {
        let key = |path: &str, equals: Option<&str>| Condition::Key {
            path: path.split('.').map(String::from).collect(),
            equals: equals.map(String::from),
            matches: None,
        };
        let r = rule(
            "**/*.json",
            vec![
                key("kind", Some("InferenceService")),
                key("spec.predictor", None),
            ],
        );
        let m = Matcher::new(std::slice::from_ref(&r)).unwrap();
        assert!(m.compiled[0].prefiltered && m.compiled[0].escapes);
        let c = m.candidates("s.json");
        for (text, hits) in [
            (
                r#"{"kind": "InferenceService", "spec": {"predictor": {}}}"#,
                1,
            ),
            (r#"{"kind": "Deployment", "spec": {"template": {}}}"#, 0),
            (
                r#"{"\u006bind": "Inference\u0053ervice", "spec": {"predictor": {}}}"#,
                1,
            ),
        ] {
            let doc = crate::read::Document::new("s.json", text.into());
            assert_eq!(m.match_doc(&doc, &c).len(), hits, "{text}");
        }
        // Values a parser normalises, or that may fold over lines, are never literals.
        assert_eq!(literal_scalar("0x10"), None);
        assert_eq!(literal_scalar("true"), None);
        assert_eq!(literal_scalar("two words"), None);
        assert_eq!(literal_scalar("$schema").as_deref(), Some("$schema"));
    }

    /// Shared include and exclude globs select exactly what each rule's own globs would.
    #[test]
    fn shared_globs_keep_each_rules_selection() {
        let mut a = rule("**/*.py", vec![Condition::Regex("x".into())]);
        a.exclude = vec!["**/tests/**".into()];
        let b = rule("**/*.py", vec![Condition::Regex("y".into())]);
        let mut c = rule("**/train*.py", vec![Condition::Regex("z".into())]);
        c.exclude = vec!["**/tests/**".into(), "**/legacy/**".into()];
        let m = Matcher::new(&[a, b, c]).unwrap();
        assert_eq!(m.candidates("src/train.py"), vec![0, 1, 2]);
        assert_eq!(m.candidates("tests/train.py"), vec![1]);
        assert_eq!(m.candidates("legacy/train.py"), vec![0, 1]);
        assert_eq!(m.candidates("README.md"), Vec::<usize>::new());
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
