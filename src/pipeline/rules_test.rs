//! `ripen rules test`: every rule carries positive and negative examples (as semgrep's rules
//! carry their tests); this runs them through the same matcher and tier caps as a scan.

use crate::catalogue::{Catalogue, DataError, Rule};
use crate::evidence::{self, ProjectFacts};
use crate::matcher::Matcher;
use crate::model::Tier;
use crate::read::{self, ReadOutcome};

#[derive(Debug, Default)]
pub struct Outcome {
    pub rules: usize,
    pub examples: usize,
    pub failures: Vec<String>,
}

/// What a rule makes of one example: None when it does not match, else the tier it proves.
pub(crate) fn run_example(
    cat: &Catalogue,
    matcher: &Matcher,
    idx: usize,
    path: &str,
    content: &str,
) -> Option<Tier> {
    if !matcher.candidates(path).contains(&idx) {
        return None;
    }
    let ReadOutcome::Doc(doc) = read::from_bytes(path, content.as_bytes()) else {
        return None;
    };
    let mut hits = matcher.match_doc(&doc, &[idx]);
    evidence::clean_hits(&mut hits);
    let project = ProjectFacts::from_doc(&doc);
    evidence::from_hits(cat, &doc.rel, doc.origin, &hits, &project)
        .into_iter()
        .map(|e| e.tier)
        .max()
}

pub(crate) fn run(cat: &Catalogue, only: impl Fn(&Rule) -> bool) -> Result<Outcome, DataError> {
    let matcher = Matcher::new(&cat.rules)?;
    let mut out = Outcome::default();
    for (i, rule) in cat.rules.iter().enumerate() {
        if !only(rule) {
            continue;
        }
        out.rules += 1;
        if rule.positive.is_empty() || rule.negative.is_empty() {
            out.failures.push(format!(
                "{}: rule `{}` needs at least one positive and one negative example",
                rule.source, rule.id
            ));
        }
        for (n, ex) in rule.positive.iter().enumerate() {
            out.examples += 1;
            match run_example(cat, &matcher, i, &ex.path, &ex.content) {
                None => out.failures.push(format!(
                    "{}: rule `{}` positive example {} ({}) does not match",
                    rule.source,
                    rule.id,
                    n + 1,
                    ex.path
                )),
                Some(t) if t < rule.tier => out.failures.push(format!(
                    "{}: rule `{}` positive example {} ({}) only reaches `{}` (a comment, prose or the framework's own package caps it); the rule says `{}`",
                    rule.source,
                    rule.id,
                    n + 1,
                    ex.path,
                    t.label(),
                    rule.tier.label()
                )),
                Some(_) => {}
            }
        }
        for (n, ex) in rule.negative.iter().enumerate() {
            out.examples += 1;
            if run_example(cat, &matcher, i, &ex.path, &ex.content) == Some(rule.tier) {
                out.failures.push(format!(
                    "{}: rule `{}` negative example {} ({}) matches",
                    rule.source,
                    rule.id,
                    n + 1,
                    ex.path
                ));
            }
        }
    }
    Ok(out)
}
