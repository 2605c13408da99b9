//! Stage 3: match every rule against a document in one pass.
//!
//! Cheapest test first: path globs decide which rules could apply (one `GlobSet` for all rules),
//! a single Aho-Corasick scan of the text finds the literal prefixes that each regex needs, and
//! only the rules that survive both run their regexes and structural conditions.

pub(crate) mod imports;
mod literals;

use crate::catalogue::{Condition, DataError, Rule, compile_regex};
use crate::read::Document;
use crate::read::structured::Node;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};
pub use imports::CrossModule;
use literals::*;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

pub(crate) enum Cond {
    Regex(Regex),
    NotRegex(Regex),
    Key {
        path: Vec<String>,
        equals: Option<String>,
        matches: Option<Regex>,
    },
    Any(Vec<Cond>),
}

pub(crate) struct Compiled {
    /// Indices into [`Matcher::exclude`].
    pub(crate) exclude: Vec<usize>,
    pub(crate) conds: Vec<Cond>,
    /// Which of `conds` match a Python import statement, for a `model_training` rule: those
    /// may hold in a project module the file imports ([`imports`]). Empty otherwise.
    pub(crate) import_conds: Vec<bool>,
    /// Each facet: its name, its regex, and whether only a match before the rule's own counts.
    pub(crate) facets: Vec<(String, Regex, bool)>,
    /// False when no condition gives a usable literal set: the rule always runs.
    pub(crate) prefiltered: bool,
    /// The prefilter is case-insensitive and must let Unicode folds through.
    pub(crate) fold: bool,
    /// The literals come from YAML/JSON keys or values, which an escape sequence (`"\u006bind"`)
    /// can spell without them: documents holding one always run the rule.
    pub(crate) escapes: bool,
}

pub struct Matcher {
    pub(crate) compiled: Vec<Compiled>,
    /// Each distinct include glob once (`**/*.py` is shared by ~140 rules), with its rules.
    pub(crate) include: GlobSet,
    pub(crate) include_owner: Vec<Vec<usize>>,
    /// Each distinct exclude glob once, matched once per path.
    pub(crate) exclude: GlobSet,
    pub(crate) literals: Option<AhoCorasick>,
    pub(crate) literal_owner: Vec<Vec<usize>>,
}

/// One rule that matched one file, before tiers are decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: usize,
    /// 1-based line in the file, when a content condition gave one.
    pub line: Option<u32>,
    /// Every line that matched was a comment: the rule's signal is only mentioned.
    pub comment_only: bool,
    pub facets: Vec<String>,
    pub snippet: Option<String>,
}

pub(crate) fn glob(g: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(g).literal_separator(true).build()
}

pub(crate) fn regex(src: &str) -> Regex {
    compile_regex(src).expect("rule regexes are validated at load time")
}

pub(crate) fn compile_cond(c: &Condition) -> Cond {
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
                import_conds: imports::import_conds(r),
                facets: r
                    .facets
                    .iter()
                    .map(|(n, s)| (n.clone(), regex(s), r.facets_before_match.contains(n)))
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

    /// Rules whose globs select this path (decided before the file is read). A Jenkins pipeline
    /// under another name (`Jenkinsfile-deploy`, `ci/train.jenkinsfile`, `jenkins/deploy.groovy`,
    /// a shared-library step `vars/deploy.groovy`) is selected as a `Jenkinsfile` in its folder
    /// would be, so that rules written for Jenkinsfiles read it too.
    pub fn candidates(&self, rel: &str) -> Vec<usize> {
        let mut out = self.candidates_of(rel);
        if let Some(alias) = jenkins_alias(rel) {
            out.extend(self.candidates_of(&alias));
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    fn candidates_of(&self, rel: &str) -> Vec<usize> {
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
            // A Python file is also seen with its import aliases written in full.
            let resolved = self.aliases(doc).map(|r| r.text.as_str());
            for text in std::iter::once(doc.text.as_str()).chain(resolved) {
                for m in ac.find_overlapping_iter(text) {
                    for &r in &self.literal_owner[m.pattern().as_usize()] {
                        lit_hit[r] = true;
                    }
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
                    && *escapes
                        .get_or_insert_with(|| crate::read::structured::has_escape(&doc.text)));
            if !may_match {
                continue;
            }
            if let Some(hit) = self.match_rule(r, c, doc) {
                hits.push(hit);
            }
        }
        hits
    }

    pub(crate) fn match_rule(&self, rule: usize, c: &Compiled, doc: &Document) -> Option<Hit> {
        self.match_conds(rule, c, doc, |_| true)
    }

    /// [`Matcher::match_rule`] on the conditions `which` selects.
    pub(crate) fn match_conds(
        &self,
        rule: usize,
        c: &Compiled,
        doc: &Document,
        which: impl Fn(usize) -> bool,
    ) -> Option<Hit> {
        let mut first: Option<CondMatch> = None;
        for (_, cond) in c.conds.iter().enumerate().filter(|(i, _)| which(*i)) {
            let m = self.eval(cond, doc)?;
            if first.is_none() && (m.index.is_some() || m.line.is_some()) {
                first = Some(m);
            }
        }
        let CondMatch {
            index,
            last,
            line,
            comment_only,
        } = first.unwrap_or(CondMatch {
            index: None,
            last: None,
            line: None,
            comment_only: false,
        });
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
            // A facet read from a comment (a stage commented out) or from the name or
            // description a pipeline is given (`DAG("training_pipeline", description=...)`) is
            // no facet: its steps say what it does.
            // A facet placed before the match (an approval before the deploy stage's steps)
            // holds only on a line that does not come after the match's last.
            .filter(|(_, re, before)| {
                let placed = |at: usize| !*before || last.is_some_and(|l| at <= l);
                re.find_iter(&doc.text).any(|m| {
                    let at = doc.line_index(m.start());
                    placed(at)
                        && !doc.is_comment_line(at)
                        && !names_the_pipeline(&doc.text, m.start())
                }) || (!*before
                    && self.aliases(doc).is_some_and(|r| {
                        re.find_iter(&r.text).any(|m| {
                            !doc.is_comment_line(r.line_index(m.start()))
                                && !names_the_pipeline(&r.text, m.start())
                        })
                    }))
            })
            .map(|(n, _, _)| n.clone())
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

pub(crate) struct CondMatch {
    /// 0-based line of `doc.text` (content conditions).
    pub(crate) index: Option<usize>,
    /// 0-based line of `doc.text` where the match ends (content conditions).
    pub(crate) last: Option<usize>,
    /// 1-based file line (structural conditions).
    pub(crate) line: Option<u32>,
    pub(crate) comment_only: bool,
}

impl Matcher {
    /// The document's Python text with import aliases written in full, for the bindings whose
    /// module path holds a literal some rule looks for: `from evidently.metrics import X` then
    /// `X(...)` cannot make any rule match, and resolving every such name was a quarter of a
    /// scan's CPU on a large Python library.
    fn aliases<'d>(&self, doc: &'d Document) -> Option<&'d crate::read::aliases::Resolved> {
        doc.resolved(&|path| self.literals.as_ref().is_none_or(|ac| ac.is_match(path)))
    }

    pub(crate) fn eval(&self, cond: &Cond, doc: &Document) -> Option<CondMatch> {
        match cond {
            Cond::Regex(re) => {
                let found = regex_lines(re, doc, &doc.text, |o| doc.line_index(o));
                if found.as_ref().is_some_and(|m| !m.comment_only) {
                    return found;
                }
                // Python: the same lines with import aliases written in full (`mf.log_metric`
                // is `mlflow.log_metric`).
                let alias = self
                    .aliases(doc)
                    .and_then(|r| regex_lines(re, doc, &r.text, |o| r.line_index(o)));
                match alias {
                    Some(m) if !m.comment_only || found.is_none() => Some(m),
                    _ => found,
                }
            }
            Cond::NotRegex(re) => (!re.is_match(&doc.text)
                && !self.aliases(doc).is_some_and(|r| re.is_match(&r.text)))
            .then_some(CondMatch {
                index: None,
                last: None,
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
                    if let Some(m) = self.eval(c, doc) {
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
}

/// The first line of `text` (a version of `doc.text` with the same lines) where `re` matches
/// outside a comment, else the first comment line where it does.
fn regex_lines(
    re: &Regex,
    doc: &Document,
    text: &str,
    line_index: impl Fn(usize) -> usize,
) -> Option<CondMatch> {
    let mut comment_line = None;
    for m in re.find_iter(text) {
        // A pattern that begins `^\s*` can start its match on blank lines before the one it
        // is about: the line is the one where the match's text starts.
        let found = m.as_str();
        let lead = found.len() - found.trim_start().len();
        let start = if lead < found.len() {
            m.start() + lead
        } else {
            m.start()
        };
        let idx = line_index(start);
        if !doc.is_comment_line(idx) {
            return Some(CondMatch {
                index: Some(idx),
                last: Some(line_index(m.end().saturating_sub(1).max(start))),
                line: None,
                comment_only: false,
            });
        }
        comment_line.get_or_insert(idx);
    }
    comment_line.map(|idx| CondMatch {
        index: Some(idx),
        last: Some(idx),
        line: None,
        comment_only: true,
    })
}

pub(crate) fn key_match(
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
            last: None,
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
pub(crate) fn scalars_any(n: &Node, f: impl Fn(&str) -> bool) -> bool {
    match n.as_str() {
        Some(s) => f(s),
        None => n.as_seq().iter().filter_map(Node::as_str).any(f),
    }
}

/// The `Jenkinsfile` a Jenkins pipeline file under another name stands for.
fn jenkins_alias(rel: &str) -> Option<String> {
    let (dir, name) = match rel.rsplit_once('/') {
        Some((d, n)) => (Some(d), n),
        None => (None, rel),
    };
    let lower = name.to_ascii_lowercase();
    let other_name = name != "Jenkinsfile"
        && (name.starts_with("Jenkinsfile")
            || lower.ends_with(".jenkinsfile")
            || lower.ends_with(".groovy"));
    other_name.then(|| match dir {
        Some(d) => format!("{d}/Jenkinsfile"),
        None => "Jenkinsfile".to_string(),
    })
}

/// Whether byte `at` of `text` lies in the string a pipeline is named or described by: the
/// first argument of Airflow's `DAG(...)`, or a `dag_id=`, `description=` or `doc_md=` value.
/// Not a step's `name=`, nor the display name a run of a compiled pipeline is given.
fn names_the_pipeline(text: &str, at: usize) -> bool {
    static NAMING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?:\b(?:dag_id|description|doc_md)\s*=\s*|\bDAG\s*\(\s*)(?:"([^"\n]*)"|'([^'\n]*)')"#,
        )
        .expect("pipeline naming")
    });
    NAMING
        .captures_iter(text)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .any(|g| g.start() <= at && at < g.end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::regex::ascii_word_boundaries;

    /// The name and description a pipeline is given are not its steps.
    #[test]
    fn pipeline_names_are_not_steps() {
        let line = r#"dag = DAG("training_pipeline", description='ML Training', tags=["train"])"#;
        assert!(names_the_pipeline(line, line.find("training_p").unwrap()));
        assert!(names_the_pipeline(line, line.find("Training").unwrap()));
        assert!(!names_the_pipeline(line, line.find("train\"]").unwrap()));
        let step = r#"train = PythonOperator(task_id="train_model", python_callable=fit)"#;
        let split = "dag = DAG(\n    'training_pipeline',\n)";
        assert!(names_the_pipeline(split, split.find("training").unwrap()));
        assert!(!names_the_pipeline(step, step.find("train_model").unwrap()));
    }

    #[test]
    fn word_boundaries_become_ascii() {
        assert_eq!(ascii_word_boundaries(r"\bfit\(\\b"), r"(?-u:\b)fit\(\\b");
        let re = regex(r"\bmlflow\.log");
        assert!(re.is_match("é mlflow.log"));
        assert!(!re.is_match("xmlflow.log"));
    }

    /// `^\s*import x` in multi-line mode matches from the blank line before the import: the
    /// evidence is the import's line.
    #[test]
    fn a_match_is_on_the_line_its_text_starts() {
        let doc = Document::new("train.py", "import os\n\n\nimport lightgbm\n".to_string());
        let re = regex(r"(?m)^\s*import\s+lightgbm");
        let m = regex_lines(&re, &doc, &doc.text, |i| doc.line_index(i)).expect("matches");
        assert_eq!(m.index.map(|i| doc.file_line(i)), Some(4));
    }

    #[test]
    #[ignore]
    fn unprefiltered_builtin_rules() {
        let cat = crate::catalogue::Catalogue::load(&[]).unwrap();
        let m = Matcher::new(&cat.rules).unwrap();
        for (r, c) in cat.rules.iter().zip(&m.compiled) {
            if !c.prefiltered {
                eprintln!("UNPF {} {:?}", r.id, r.conditions);
            }
        }
    }

    /// Only bindings whose module path names something a rule looks for are written out: an
    /// alias of the standard library or of the project's own modules changes no rule's verdict.
    #[test]
    fn aliases_only_for_modules_rules_name() {
        let cat = crate::catalogue::Catalogue::load(&[]).unwrap();
        let m = Matcher::new(&cat.rules).unwrap();
        let doc = |text: &str| Document::new("train.py", text.to_string());
        let d = doc("from typing import List\nfrom myproj.util import helper\nhelper(List())\n");
        assert!(m.aliases(&d).is_none());
        let d = doc("import mlflow as mf\nmf.log_metric('auc', 1)\n");
        let r = m.aliases(&d).expect("mlflow is a rule's literal");
        assert!(r.text.contains("mlflow.log_metric"), "{}", r.text);
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
            tier: crate::model::Tier::Implemented,
            framework: None,
            facets: Vec::new(),
            facets_before_match: Vec::new(),
            include: vec![include.into()],
            exclude: Vec::new(),
            conditions,
            positive: Vec::new(),
            negative: Vec::new(),
            source: String::new(),
            repository: false,
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
            let rule = rule("**/*.py", vec![Condition::Regex(re.into())]);
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
