//! Facets that need the automation graph: a pipeline that reaches training code contains a
//! training step; a deployment run by the same automation as tests or a validation gate is
//! gated.

use crate::catalogue::builtin::{capability, facet};
use crate::graph::{Automation, Graph};
use crate::model::{Evidence, Tier, TriggerKind};
use std::collections::HashMap;

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
    // A check whose failure fails nothing (`continue-on-error`, `allow_failure`) gates nothing.
    let pr_checked = evs.iter().any(|e| {
        e.tier == Tier::Automated
            && !auto.cannot_fail(&e.chain)
            && capability::RELEASE_GATES.contains(&e.capability.as_str())
            && e.triggers
                .iter()
                .any(|t| t.kind == TriggerKind::PullRequest)
    });
    // Release gates the deploying automation itself runs: automated checks that can fail
    // (a check in a job that never runs, or whose failure fails nothing, gates nothing).
    let mut gates: HashMap<String, Vec<(Option<u32>, String)>> = HashMap::new();
    for e in evs.iter().filter(|e| {
        e.tier == Tier::Automated
            && capability::RELEASE_GATES.contains(&e.capability.as_str())
            && !auto.cannot_fail(&e.chain)
    }) {
        gates
            .entry(e.path.clone())
            .or_default()
            .push((e.line, e.capability.clone()));
    }
    for e in evs.iter_mut() {
        if e.capability == capability::ML_PIPELINE_ORCHESTRATION
            && e.tier >= Tier::Implemented
            && !e.facets.iter().any(|f| f == facet::TRAINING)
            && Automation::reaches(graph, &e.path, &index, &[capability::MODEL_TRAINING])
        {
            e.facets.push(facet::TRAINING.into());
        }
        if e.capability == capability::CONTINUOUS_DELIVERY
            && e.tier == Tier::Automated
            && !e.facets.iter().any(|f| f == facet::GATED)
            && let Some(entry) = e.chain.first().map(|h| h.path.clone())
        {
            let on_push = e.triggers.iter().any(|t| t.kind == TriggerKind::Push);
            let gated = (on_push && pr_checked)
                || auto
                    .entry_reach(graph, &entry)
                    .iter()
                    .any(|p| gates.contains_key(p.as_str()));
            if gated {
                e.facets.push(facet::GATED.into());
            }
        }
    }
}
