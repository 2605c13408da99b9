//! Facets that need the automation graph: a pipeline that reaches training code contains a
//! training step; a deployment run by the same automation as tests or a validation gate is
//! gated.

use crate::graph::{Automation, Graph};
use crate::model::{Evidence, Tier, TriggerKind};
use std::collections::HashMap;

/// Gate capabilities: evidence of one of these in the same automation as a deployment makes
/// that deployment "behind a release gate" (spec §3.1, Azure 3).
pub(crate) const RELEASE_GATES: &[&str] = &[
    "model_validation_gate",
    "unit_tests",
    "ml_code_tests",
    "integration_tests",
];

/// Facets that need the graph: a pipeline that reaches training code contains a training
/// step; a deployment run by the same automation as tests or a validation gate is gated.
pub(crate) fn add_graph_facets(auto: &Automation, graph: &Graph, evs: &mut [Evidence]) {
    let mut index: HashMap<String, Vec<(Option<u32>, String)>> = HashMap::new();
    for e in evs.iter().filter(|e| e.tier >= Tier::Implemented) {
        index
            .entry(e.path.clone())
            .or_default()
            .push((e.line, e.capability.clone()));
    }
    // Checks run on pull requests gate what is deployed on push: the code reaching the
    // deploying branch passed them (made-with-ml: PR CI trains, evaluates and tests; a push to
    // main deploys). Whether branch protection requires them is not observable.
    let pr_checked = evs.iter().any(|e| {
        e.tier == Tier::Automated
            && RELEASE_GATES.contains(&e.capability.as_str())
            && e.triggers
                .iter()
                .any(|t| t.kind == TriggerKind::PullRequest)
    });
    for e in evs.iter_mut() {
        if e.capability == "ml_pipeline_orchestration"
            && e.tier >= Tier::Implemented
            && !e.facets.iter().any(|f| f == "training")
            && Automation::reaches(graph, &e.path, &index, &["model_training"])
        {
            e.facets.push("training".into());
        }
        if e.capability == "continuous_delivery"
            && e.tier == Tier::Automated
            && !e.facets.iter().any(|f| f == "gated")
            && let Some(entry) = e.chain.first().map(|h| h.path.clone())
        {
            let on_push = e.triggers.iter().any(|t| t.kind == TriggerKind::Push);
            let gated = (on_push && pr_checked)
                || auto.entry_reach(graph, &entry).iter().any(|p| {
                    index
                        .get(p.as_str())
                        .is_some_and(|v| v.iter().any(|(_, c)| RELEASE_GATES.contains(&c.as_str())))
                });
            if gated {
                e.facets.push("gated".into());
            }
        }
    }
}
