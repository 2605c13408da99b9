//! Evidence records and what makes them automated: triggers, entry points and the chain of
//! hops from a trigger to a piece of evidence.

use crate::model::Tier;
use serde::Serialize;

/// One step of the way from an automation entry point to a piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Hop {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// How this hop was reached: the trigger for the first hop, the command or import after.
    pub via: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Evidence {
    pub rule: String,
    #[serde(skip)]
    pub capability: String,
    pub path: String,
    pub line: Option<u32>,
    pub tier: Tier,
    /// For automated evidence: entry point first, this evidence last.
    pub chain: Vec<Hop>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<String>,
    /// Why the tier is lower than the rule's (prose, comment, framework's own source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Found by a rule the scanned repository supplied (its config's `rules:`), not by one of
    /// ripen's or the caller's: a gate ignores it unless `--trust-repo-rules`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repository_rule: bool,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    Push,
    PullRequest,
    Schedule,
    Manual,
    Event,
    PipelineCompletion,
    Called,
    Release,
    /// Azure Pipelines without `trigger:`: every push.
    Default,
    /// Configured outside the repository (Jenkins, Cloud Build, CodeBuild).
    External,
}

impl TriggerKind {
    pub(crate) fn is_code_change(self) -> bool {
        matches!(
            self,
            TriggerKind::Push
                | TriggerKind::PullRequest
                | TriggerKind::Default
                | TriggerKind::External
        )
    }
    /// Only a person starts it (manual dispatch, a GitLab `when: manual` job).
    pub(crate) fn is_manual(self) -> bool {
        self == TriggerKind::Manual
    }
    pub(crate) fn is_recurring(self) -> bool {
        matches!(
            self,
            TriggerKind::Schedule | TriggerKind::Event | TriggerKind::PipelineCompletion
        )
    }
    pub fn label(self) -> &'static str {
        match self {
            TriggerKind::Push => "push",
            TriggerKind::PullRequest => "pull_request",
            TriggerKind::Schedule => "schedule",
            TriggerKind::Manual => "manual",
            TriggerKind::Event => "event",
            TriggerKind::PipelineCompletion => "pipeline_completion",
            TriggerKind::Called => "called",
            TriggerKind::Release => "release",
            TriggerKind::Default => "default",
            TriggerKind::External => "external",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Trigger {
    pub kind: TriggerKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip)]
    pub line: u32,
    /// The path filters of a push or pull-request trigger (`on.push.paths`, Azure's
    /// `trigger.paths.include`): it fires only on changes to files they match. Empty: any
    /// change. A GitOps application's triggers carry the path it applies: none fires when no
    /// file of the tree is there.
    #[serde(skip)]
    #[schemars(skip)]
    pub paths: Vec<String>,
}

/// What the detail of a trigger that is a person's approval inside a pipeline starts with (a
/// CodePipeline `Approval` action, a CDK `ManualApprovalStep`, a job bound to a GitHub
/// environment): the work after it starts when the pipeline's own trigger fires and a person
/// approves, so the approval gates what it runs.
pub(crate) const APPROVAL: &str = "approval: ";

impl Trigger {
    /// Whether this is a pipeline's approval ([`APPROVAL`]), not a start of its own.
    pub(crate) fn is_approval(&self) -> bool {
        self.kind == TriggerKind::Manual
            && self
                .detail
                .as_deref()
                .is_some_and(|d| d.starts_with(APPROVAL))
    }

    pub fn label(&self) -> String {
        match &self.detail {
            // A person's approval inside a started pipeline is no start of its own.
            Some(d) if self.is_approval() => {
                format!("approval \"{}\"", &d[APPROVAL.len()..])
            }
            Some(d) if !d.is_empty() => format!("{} \"{}\"", self.kind.label(), d),
            _ => self.kind.label().to_string(),
        }
    }
}

pub(crate) fn triggers_label(ts: &[Trigger]) -> String {
    // Two approvals of one environment (two jobs bound to it) read as one.
    let mut labels: Vec<String> = Vec::new();
    for l in ts.iter().map(Trigger::label) {
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    labels.join(", ")
}

/// An automation entry point, as reported.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EntryPoint {
    pub path: String,
    pub system: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    pub line: u32,
    pub triggers: Vec<Trigger>,
}

/// A command that names something ripen could not find in the repository.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Unresolved {
    pub path: String,
    pub line: u32,
    pub command: String,
    /// From the trigger to the command, ending in an `(unresolved)` hop; empty when the
    /// command was met outside a walk from an entry point.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<Hop>,
}

/// The path of the last hop of a chain that ends at a command ripen could not resolve.
pub(crate) const UNRESOLVED_HOP: &str = "(unresolved)";

#[cfg(test)]
mod label_tests {
    use super::*;

    /// Triggers that read the same (two jobs bound to one environment, each an approval at
    /// its own line) are named once, in the order first met.
    #[test]
    fn a_trigger_list_names_each_start_once() {
        let t = |kind, detail: Option<&str>, line| Trigger {
            kind,
            detail: detail.map(str::to_string),
            line,
            paths: Vec::new(),
        };
        let ts = [
            t(TriggerKind::Push, None, 3),
            t(TriggerKind::Manual, Some("approval: environment cloud"), 20),
            t(TriggerKind::Manual, None, 4),
            t(TriggerKind::Manual, Some("approval: environment cloud"), 41),
        ];
        assert_eq!(
            triggers_label(&ts),
            "push, approval \"environment cloud\", manual"
        );
    }
}
