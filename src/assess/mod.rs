//! From evidence to verdicts: capabilities, the maturity models, the config's attestations and
//! waivers, the graph's facets, what deploys, sub-projects and separate systems, several repositories as one.

pub(crate) mod capabilities;
pub(crate) mod deployments;
pub(crate) mod facets;
pub(crate) mod failing;
pub(crate) mod gate;
pub(crate) mod models;
pub(crate) mod projects;
pub(crate) mod setup_builds;
pub(crate) mod system;
pub(crate) mod waivers;

/// Evidence for the assessment steps' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::model::{Evidence, Tier, Trigger, TriggerKind};

    pub(crate) fn ev(capability: &str, path: &str, tier: Tier, facets: &[&str]) -> Evidence {
        Evidence {
            rule: "r".into(),
            capability: capability.into(),
            path: path.into(),
            line: Some(3),
            tier,
            chain: Vec::new(),
            triggers: vec![Trigger {
                kind: TriggerKind::Schedule,
                detail: None,
                line: 1,
                paths: Vec::new(),
            }],
            origin: None,
            snippet: None,
            facets: facets.iter().map(|f| f.to_string()).collect(),
            note: None,
            repository_rule: false,
        }
    }
}
