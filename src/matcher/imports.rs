//! Training spread over modules: a project module imports the estimator classes (an algorithm
//! registry, a model factory dict, a wrapper) and another module fits what it gets from it.
//!
//! A `model_training` rule whose conditions include an import statement (`from sklearn.ensemble
//! import ...`) and something else (`.fit(X, y)`) is split in two: a Python module *provides*
//! the rule when its import conditions hold there; a module *needs* it when all its other
//! conditions hold but an import condition does not. Assembly resolves a needing module's
//! imports through the automation graph's resolver (project modules only) and keeps the hit when
//! a module it imports, directly or through at most [`super::imports`] hops, provides the rule.

use super::{Hit, Matcher};
use crate::catalogue::{Condition, Rule};
use crate::read::Document;

/// Project modules followed from a module that needs an import (registries re-exported by a
/// package `__init__` are two hops away).
pub const MAX_HOPS: usize = 3;

/// What a Python module offers to, or needs from, the modules it imports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrossModule {
    /// Rules whose import conditions hold in this module.
    pub provides: Vec<usize>,
    /// Hits of rules that hold here but for their import conditions.
    pub needs: Vec<Hit>,
}

/// Which conditions of a `model_training` rule match an import statement: a regex that starts
/// `^\s*` then `from`/`import`. Empty when the rule has none, or nothing else.
pub(crate) fn import_conds(r: &Rule) -> Vec<bool> {
    if r.capability != "model_training" {
        return Vec::new();
    }
    let v: Vec<bool> = r
        .conditions
        .iter()
        .map(|c| matches!(c, Condition::Regex(src) if is_import_regex(src)))
        .collect();
    if v.iter().all(|b| *b) || !v.iter().any(|b| *b) {
        Vec::new()
    } else {
        v
    }
}

fn is_import_regex(src: &str) -> bool {
    let s = src.strip_prefix('^').unwrap_or(src);
    let s = s
        .strip_prefix(r"\s*")
        .or_else(|| s.strip_prefix(r"[ \t]*"))
        .unwrap_or(s);
    ["from", "import", "(from|import)", "(import|from)"]
        .iter()
        .any(|p| s.starts_with(p))
}

impl Matcher {
    /// What a Python file provides to and needs from the modules it imports; `hits` are the
    /// rules that matched it whole.
    pub fn cross_module(
        &self,
        doc: &Document,
        candidates: &[usize],
        hits: &[Hit],
    ) -> Option<CrossModule> {
        let module = doc.rel.ends_with(".py");
        if !module && !doc.rel.ends_with(".ipynb") {
            return None;
        }
        let mut out = CrossModule::default();
        for &r in candidates {
            let c = &self.compiled[r];
            if c.import_conds.is_empty() {
                continue;
            }
            if hits.iter().any(|h| h.rule == r) {
                if module {
                    out.provides.push(r);
                }
                continue;
            }
            let imports = |i: usize| c.import_conds[i];
            if module && self.match_conds(r, c, doc, imports).is_some() {
                out.provides.push(r);
            } else if let Some(h) = self.match_conds(r, c, doc, |i| !imports(i))
                && !h.comment_only
            {
                out.needs.push(h);
            }
        }
        (!out.provides.is_empty() || !out.needs.is_empty()).then_some(out)
    }
}
