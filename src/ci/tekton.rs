//! Tekton: its resources are Kubernetes objects in YAML files anywhere in the tree, found by
//! their `apiVersion` (`tekton.dev/...`, `triggers.tekton.dev/...`). Each object is a job named
//! `Kind/name`:
//!
//! - an `EventListener` starts its trigger templates on events (push and pull request when its
//!   interceptors filter on them, else any event);
//! - a `PipelineRun` or `TaskRun` starts its pipeline or task: on the events of its Pipelines
//!   as Code annotation (`pipelinesascode.tekton.dev/on-event`), else when whoever applies it
//!   decides (external, as for other CI configured outside the repository); a run with only a
//!   `generateName:` is created anew by each `kubectl create -f`, by hand (manual), and so is
//!   one Kubeflow Pipelines compiled for Tekton (a pipeline package a person uploads);
//! - a `TriggerTemplate` creates the runs in its `resourcetemplates` when a listener calls it;
//! - a `Pipeline` runs its tasks (`taskRef` or inline `taskSpec`), a `Task` its steps
//!   (`script`, or `command` and `args`); both run when something references them, and a
//!   `Pipeline` nothing in the repository references is started from outside (a run or
//!   trigger configured in the cluster: external, decided across files in
//!   `graph::declared`).
//!
//! References by name (`pipelineRef`, `taskRef`, a listener's `template`) reach the object of
//! that kind and name in any file of the tree.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, push_block, seq_scalars, shell_join, trig};
use crate::model::{Command, FileFacts, Job, Trigger, TriggerKind};
use crate::read::structured::Node;

/// Tekton.
pub(crate) struct Tekton;

/// The id of Tekton's entry points, and of its named references.
pub(crate) const ID: &str = "tekton";

fn is_tekton(d: &Node) -> bool {
    d.get("apiVersion")
        .and_then(Node::as_str)
        .is_some_and(|a| a.starts_with("tekton.dev/") || a.starts_with("triggers.tekton.dev/"))
}

fn text<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(n, |n, k| n.get(k))?.as_str()
}

/// A reference to the job `Kind/name` of a Tekton object anywhere in the tree (resolved by
/// the graph, like a bundle's job).
fn reference(kind: &str, name: &Node) -> Option<Command> {
    Some(Command::reference(
        name.line,
        format!("@{ID}:{kind}/{}", name.as_str()?),
    ))
}

/// The commands of a task's steps.
fn steps(spec: &Node, out: &mut Vec<Command>) {
    for step in spec.get("steps").map(Node::as_seq).unwrap_or(&[]) {
        if let Some(s) = step.get("script")
            && let Some(t) = s.as_str()
        {
            push_block(out, t, s.line, true, None);
            continue;
        }
        let argv: Vec<&Node> = ["command", "args"]
            .iter()
            .filter_map(|k| step.get(k))
            .collect();
        let words: Vec<&str> = argv
            .iter()
            .flat_map(|n| seq_scalars(n).unwrap_or_default())
            .collect();
        if let Some(first) = argv.first()
            && !words.is_empty()
        {
            out.push(Command::run(first.line, shell_join(words)));
        }
    }
}

/// What a run (or a pipeline's task) runs: the referenced pipeline or task, or its inline spec.
fn runs(spec: &Node, out: &mut Vec<Command>) {
    for (kind, key) in [("Pipeline", "pipelineRef"), ("Task", "taskRef")] {
        if let Some(name) = spec.get(key).and_then(|r| r.get("name")) {
            out.extend(reference(kind, name));
        }
    }
    if let Some(p) = spec.get("pipelineSpec") {
        pipeline_tasks(p, out);
    }
    if let Some(t) = spec.get("taskSpec") {
        steps(t, out);
    }
}

fn pipeline_tasks(spec: &Node, out: &mut Vec<Command>) {
    for k in ["tasks", "finally"] {
        for task in spec.get(k).map(Node::as_seq).unwrap_or(&[]) {
            runs(task, out);
        }
    }
}

/// The events a listener's interceptors filter on (GitHub, GitLab, Bitbucket event names).
fn listener_triggers(d: &Node) -> Vec<Trigger> {
    let mut scalars = Vec::new();
    if let Some(t) = d.get("spec").and_then(|s| s.get("triggers")) {
        t.scalars(&mut scalars);
    }
    let mut out = Vec::new();
    for (s, line) in scalars {
        let kind = match s {
            "push" | "Push Hook" | "repo:push" => TriggerKind::Push,
            "pull_request" | "Merge Request Hook" | "pullrequest:created" => {
                TriggerKind::PullRequest
            }
            _ => continue,
        };
        if !out.iter().any(|t: &Trigger| t.kind == kind) {
            out.push(trig(kind, None, line));
        }
    }
    if out.is_empty() {
        out.push(trig(
            TriggerKind::Event,
            Some("tekton event listener".into()),
            d.line.max(1),
        ));
    }
    out
}

/// A run's triggers: its Pipelines as Code events, else external.
fn run_triggers(d: &Node) -> Vec<Trigger> {
    let on = d
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get("pipelinesascode.tekton.dev/on-event"));
    let mut out = Vec::new();
    if let Some(on) = on.and_then(Node::as_str) {
        for (word, kind) in [
            ("push", TriggerKind::Push),
            ("pull_request", TriggerKind::PullRequest),
        ] {
            if on.contains(word) {
                out.push(trig(kind, None, on_line(d)));
            }
        }
    }
    if out.is_empty() {
        // A run with a generated name (`generateName:`) is made anew by each `kubectl create
        // -f`: a one-off run someone submits, not a run a service starts on code changes.
        let one_off = d
            .get("metadata")
            .is_some_and(|m| m.get("generateName").is_some() && m.get("name").is_none());
        // A run Kubeflow Pipelines compiled for Tekton (`pipelines.kubeflow.org/...`
        // annotations, or the KFP-Tekton compiler's `tekton.dev/input_artifacts` and
        // `tekton.dev/artifact_*`, also under a misspelt `annotation:`) is a pipeline package
        // a person uploads or submits to the KFP server.
        let kfp_package = ["annotations", "annotation", "labels"].iter().any(|k| {
            d.get("metadata").and_then(|m| m.get(k)).is_some_and(|a| {
                a.entries().iter().any(|(key, _, _)| {
                    key.starts_with("pipelines.kubeflow.org/")
                        || key.starts_with("tekton.dev/input_artifacts")
                        || key.starts_with("tekton.dev/output_artifacts")
                        || key.starts_with("tekton.dev/artifact_")
                })
            })
        });
        let kind = if one_off || kfp_package {
            TriggerKind::Manual
        } else {
            TriggerKind::External
        };
        out.push(trig(kind, None, d.line.max(1)));
    }
    out
}

fn on_line(d: &Node) -> u32 {
    d.get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.key_line("pipelinesascode.tekton.dev/on-event"))
        .unwrap_or(d.line)
}

/// The job of one Tekton object, if it is one ripen reads.
fn job(d: &Node, end: u32) -> Option<Job> {
    let kind = text(d, &["kind"])?;
    let name = text(d, &["metadata", "name"])
        .or_else(|| text(d, &["metadata", "generateName"]))
        .unwrap_or("");
    let spec = d.get("spec");
    let mut commands = Vec::new();
    let triggers = match kind {
        "EventListener" => {
            for t in spec
                .and_then(|s| s.get("triggers"))
                .map(Node::as_seq)
                .unwrap_or(&[])
            {
                if let Some(n) = t
                    .get("template")
                    .and_then(|x| x.get("ref").or_else(|| x.get("name")))
                {
                    commands.extend(reference("TriggerTemplate", n));
                }
            }
            listener_triggers(d)
        }
        "PipelineRun" | "TaskRun" => {
            spec.into_iter().for_each(|s| runs(s, &mut commands));
            run_triggers(d)
        }
        "TriggerTemplate" => {
            for r in spec
                .and_then(|s| s.get("resourcetemplates"))
                .map(Node::as_seq)
                .unwrap_or(&[])
            {
                r.get("spec")
                    .into_iter()
                    .for_each(|s| runs(s, &mut commands));
            }
            vec![trig(TriggerKind::Called, None, d.line.max(1))]
        }
        "Pipeline" => {
            spec.into_iter()
                .for_each(|s| pipeline_tasks(s, &mut commands));
            vec![trig(TriggerKind::Called, None, d.line.max(1))]
        }
        "Task" | "ClusterTask" => {
            spec.into_iter().for_each(|s| steps(s, &mut commands));
            vec![trig(TriggerKind::Called, None, d.line.max(1))]
        }
        _ => return None,
    };
    Some(Job::new(
        format!("{kind}/{name}"),
        (d.line.max(1), end.max(d.line)),
        triggers,
        commands,
    ))
}

impl CiSystem for Tekton {
    fn id(&self) -> &'static str {
        ID
    }
    fn jobs_named_from_elsewhere(&self) -> bool {
        true
    }
    fn words(&self) -> &'static [&'static str] {
        &["tekton.dev"]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        if !y.docs.iter().any(is_tekton) {
            return None;
        }
        let jobs: Vec<Job> = y
            .docs
            .iter()
            .enumerate()
            .filter(|(_, d)| is_tekton(d))
            .filter_map(|(i, d)| {
                let end = y
                    .docs
                    .get(i + 1)
                    .map(|n| n.line.saturating_sub(2))
                    .unwrap_or(y.end);
                job(d, end)
            })
            .collect();
        (!jobs.is_empty()).then(|| entry(ID, Vec::new(), jobs))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                "tekton/pipeline.yaml",
                "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: train\nspec:\n  tasks:\n    - name: fit\n      taskRef:\n        name: fit\n",
            ),
            (
                ".tekton/push.yaml",
                "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: on-push\n  annotations:\n    pipelinesascode.tekton.dev/on-event: \"[push]\"\nspec:\n  pipelineRef:\n    name: train\n",
            ),
        ]
    }
}
