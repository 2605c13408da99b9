//! GitHub Actions' `on:`: the events that start a workflow, as triggers of the automation
//! graph.

use crate::facts::yaml::trig;
use crate::model::{Trigger, TriggerKind};
use crate::read::structured::{Node, Value};

/// The triggers of a workflow's `on:` (a name, a list of names or a map of events).
pub(crate) fn gha_triggers(on: &Node) -> Vec<Trigger> {
    let mut out = Vec::new();
    let mut add = |name: &str, v: Option<&Node>, line: u32| {
        let kind = match name {
            // A pull request event only of a person's acts on it (`types: [labeled]`) is that
            // person's command, as a comment is (below): no commit starts it.
            "pull_request" | "pull_request_target" if let Some(acts) = v.and_then(persons_acts) => {
                out.push(trig(
                    TriggerKind::Manual,
                    Some(format!("{name} {acts}")),
                    line,
                ));
                return;
            }
            // A push filtered by tags alone runs only when a tag is pushed (GitHub runs no
            // branch push for a ref kind the filter leaves undefined): a release a person tags.
            "push" if v.is_some_and(tags_only) => {
                out.push(trig(TriggerKind::Release, Some("tag push".into()), line));
                return;
            }
            "push" => TriggerKind::Push,
            "pull_request" | "pull_request_target" | "merge_group" => TriggerKind::PullRequest,
            "schedule" => {
                let mut crons = Vec::new();
                if let Some(v) = v {
                    v.find_path(&["cron".to_string()], &mut crons);
                }
                for (c, l) in crons {
                    out.push(trig(
                        TriggerKind::Schedule,
                        c.as_str().map(str::to_string),
                        l,
                    ));
                }
                if out.iter().any(|t| t.kind == TriggerKind::Schedule) {
                    return;
                }
                TriggerKind::Schedule
            }
            "workflow_dispatch" => TriggerKind::Manual,
            "workflow_call" => TriggerKind::Called,
            "workflow_run" => {
                // The workflows whose completion starts it (`workflows: [CI]`), kept when they
                // are its only source of runs on completion (`types: [completed]` or none):
                // jobs that check the run succeeded keep them ([`after_success`]).
                let names: Vec<String> = v
                    .and_then(|v| v.get("workflows"))
                    .map(|w| match w.as_str() {
                        Some(one) => vec![one.to_string()],
                        None => w
                            .as_seq()
                            .iter()
                            .filter_map(Node::as_str)
                            .map(str::to_string)
                            .collect(),
                    })
                    .unwrap_or_default();
                let completed = v
                    .and_then(|v| v.get("types"))
                    .is_none_or(|t| match t.as_str() {
                        Some(one) => one == "completed",
                        None => t.as_seq().iter().any(|x| x.as_str() == Some("completed")),
                    });
                let detail = (completed && !names.is_empty()).then(|| names.join(", "));
                out.push(trig(TriggerKind::PipelineCompletion, detail, line));
                return;
            }
            "release" => TriggerKind::Release,
            // A comment (`/deploy-prod` on a pull request) or a label a person adds is a
            // person's command: the workflow runs when someone asks, as a dispatch does.
            "issue_comment" | "pull_request_review_comment" | "discussion_comment" => {
                out.push(trig(TriggerKind::Manual, Some(name.to_string()), line));
                return;
            }
            _ => {
                out.push(trig(TriggerKind::Event, Some(name.to_string()), line));
                return;
            }
        };
        let mut t = trig(kind, None, line);
        if matches!(kind, TriggerKind::Push | TriggerKind::PullRequest)
            && let Some(paths) = v.and_then(|v| v.get("paths"))
        {
            t.paths = paths
                .as_seq()
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_string)
                .collect();
        }
        out.push(t);
    };
    match &on.value {
        Value::Scalar(s) => add(s, None, on.line),
        Value::Seq(items) => {
            for i in items {
                if let Some(s) = i.as_str() {
                    add(s, None, i.line);
                }
            }
        }
        Value::Map(entries) => {
            for (k, l, v) in entries {
                add(k, Some(v), *l);
            }
        }
        Value::Null => {}
    }
    out
}

/// Whether a `push:` filter names tags (`tags:`, `tags-ignore:`) and no branches.
fn tags_only(v: &Node) -> bool {
    let has = |k: &str| v.get(k).is_some();
    (has("tags") || has("tags-ignore")) && !has("branches") && !has("branches-ignore")
}

/// A pull request trigger's `types` when all are acts of a person on the pull request
/// (labelling, assigning, asking for a review), none a commit's (`opened`, `synchronize`):
/// `labeled`, or `labeled, assigned`.
fn persons_acts(v: &Node) -> Option<String> {
    const PERSONS: &[&str] = &[
        "labeled",
        "unlabeled",
        "assigned",
        "unassigned",
        "review_requested",
        "review_request_removed",
        "milestoned",
        "demilestoned",
    ];
    let types = v.get("types")?;
    let all: Vec<&str> = match types.as_str() {
        Some(one) => vec![one],
        None => types.as_seq().iter().filter_map(Node::as_str).collect(),
    };
    (!all.is_empty() && all.iter().all(|t| PERSONS.contains(t))).then(|| all.join(", "))
}
