//! Woodpecker CI: the root `.woodpecker.yml` / `.woodpecker.yaml`, or every YAML file of the
//! root `.woodpecker/` folder (each a workflow). A workflow's `when:` (a condition or a list of
//! them, any of which starts it) gives its events — push, pull_request, tag, release, cron,
//! manual, deployment — and its `path:` filters; without an event condition it runs on push and
//! pull request. Each of `steps:` (a map or a list; older files say `pipeline:`) is a job with
//! its `commands:`, and a step's own `when: event:` narrows the workflow's events. `cron` is a
//! schedule, `manual` and `deployment` a person's click or CLI call, `tag`/`release` a release.

use crate::ci::drone::{default_triggers, events, named_steps, step_commands, triggers_of};
use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, item_jobs};
use crate::model::{FileFacts, Trigger, TriggerKind};
use crate::paths::{file_name, is_yaml};
use crate::read::Document;
use crate::read::structured::{Node, Value};

/// Woodpecker CI.
pub(crate) struct Woodpecker;

/// Every event Woodpecker starts workflows on, for `exclude:` lists.
const EVENTS: &[&str] = &[
    "push",
    "pull_request",
    "pull_request_closed",
    "tag",
    "release",
    "cron",
    "manual",
    "deployment",
];

/// The conditions of a `when:`: one map, or a list of them.
fn conditions(when: Option<&Node>) -> Vec<&Node> {
    match when {
        Some(w) if matches!(w.value, Value::Seq(_)) => w.as_seq().iter().collect(),
        Some(w) => vec![w],
        None => Vec::new(),
    }
}

/// The path filters of a condition (`path: glob`, a list, or `include:`).
fn path_filters(cond: &Node) -> Vec<String> {
    let Some(p) = cond.get("path") else {
        return Vec::new();
    };
    let p = p.get("include").unwrap_or(p);
    let mut s = Vec::new();
    if matches!(p.value, Value::Map(_)) {
        return Vec::new();
    }
    p.scalars(&mut s);
    s.into_iter().map(|(x, _)| x.to_string()).collect()
}

/// The triggers of a `when:`; `within`: the workflow's, which a step's conditions narrow.
fn when_triggers(when: Option<&Node>, line: u32, within: Option<&[Trigger]>) -> Vec<Trigger> {
    let conds = conditions(when);
    let mut out: Vec<Trigger> = Vec::new();
    for c in &conds {
        let mut t = match c.get("event").and_then(|e| events(e, EVENTS)) {
            Some(evs) => triggers_of(&evs),
            None => match within {
                Some(w) => w.to_vec(),
                None => default_triggers(c.line.max(line)),
            },
        };
        let paths = path_filters(c);
        for x in &mut t {
            if matches!(x.kind, TriggerKind::Push | TriggerKind::PullRequest) && !paths.is_empty() {
                x.paths.extend(paths.iter().cloned());
            }
        }
        out.extend(t);
    }
    if conds.is_empty() {
        out = match within {
            Some(w) => w.to_vec(),
            None => default_triggers(line),
        };
    }
    if let Some(w) = within {
        out.retain(|t| w.iter().any(|x| x.kind == t.kind));
    }
    out.sort_by_key(|t| t.kind);
    out.dedup_by_key(|t| t.kind);
    out
}

fn woodpecker(y: &Yaml) -> FileFacts {
    let root = y.root;
    let workflow = when_triggers(root.get("when"), 1, None);
    let steps = named_steps(root);
    let items: Vec<&Node> = steps.iter().map(|(_, n)| *n).collect();
    let mut jobs = item_jobs(&items, y.end, |i, step| {
        (steps[i].0.clone(), step_commands(step))
    });
    for (j, step) in jobs.iter_mut().zip(&items) {
        j.triggers = when_triggers(step.get("when"), step.line, Some(&workflow));
    }
    // A step that runs on none of the workflow's events runs nothing.
    jobs.retain(|j| !j.triggers.is_empty());
    entry("woodpecker", workflow, jobs)
}

/// `.woodpecker.yml`/`.woodpecker.yaml`, or a YAML file in a `.woodpecker/` folder.
fn named(rel: &str) -> bool {
    matches!(file_name(rel), ".woodpecker.yml" | ".woodpecker.yaml")
        || (is_yaml(rel) && crate::paths::parent(rel).rsplit('/').next() == Some(".woodpecker"))
}

impl CiSystem for Woodpecker {
    fn id(&self) -> &'static str {
        "woodpecker"
    }
    fn at(&self, rel: &str) -> bool {
        named(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        Some(woodpecker(&Yaml::of(doc)?))
    }
    fn fixed_location(&self, rel: &str) -> bool {
        named(rel)
    }
    /// Woodpecker reads the root `.woodpecker.yml`/`.yaml` or the root `.woodpecker/` folder.
    fn copy(&self, rel: &str) -> Option<String> {
        let root = if matches!(file_name(rel), ".woodpecker.yml" | ".woodpecker.yaml") {
            crate::paths::parent(rel)
        } else {
            crate::paths::parent(crate::paths::parent(rel))
        };
        crate::ci::copy_below(
            named(rel),
            root,
            "Woodpecker CI reads the root `.woodpecker.yml` or `.woodpecker/` folder",
        )
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                ".woodpecker.yml",
                "steps:\n  test:\n    image: python:3.11\n    commands:\n      - pytest\n",
            ),
            (
                ".woodpecker/deploy.yaml",
                "when:\n  - event: push\n    branch: main\nsteps:\n  - name: deploy\n    image: alpine\n    commands:\n      - make deploy\n",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(rel: &str, text: &str) -> (Vec<TriggerKind>, Vec<(String, Vec<TriggerKind>)>) {
        let doc = Document::new(rel, text.to_string());
        match Woodpecker.read(&doc) {
            Some(FileFacts::Entry { triggers, jobs, .. }) => (
                triggers.iter().map(|t| t.kind).collect(),
                jobs.into_iter()
                    .map(|j| (j.name, j.triggers.iter().map(|t| t.kind).collect()))
                    .collect(),
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn workflow_and_step_events() {
        let (wf, jobs) = read(
            ".woodpecker/ci.yml",
            "when:\n  - event: [push, pull_request, cron]\nsteps:\n  test:\n    commands: [pytest]\n  train:\n    commands: [python train.py]\n    when:\n      event: cron\n  release:\n    commands: [make release]\n    when:\n      event: tag\n",
        );
        assert_eq!(
            wf,
            [
                TriggerKind::Push,
                TriggerKind::PullRequest,
                TriggerKind::Schedule
            ]
        );
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        assert_eq!(jobs[1], ("train".into(), vec![TriggerKind::Schedule]));
        let (wf, jobs) = read(
            ".woodpecker.yml",
            "pipeline:\n  build:\n    commands:\n      - make\n",
        );
        assert_eq!(wf, [TriggerKind::Push, TriggerKind::PullRequest]);
        assert_eq!(jobs.len(), 1);
        let (wf, _) = read(
            ".woodpecker.yml",
            "when:\n  event: manual\nsteps:\n  - name: deploy\n    commands: [make deploy]\n",
        );
        assert_eq!(wf, [TriggerKind::Manual]);
    }

    #[test]
    fn path_filters_limit_push_and_pull_request() {
        let doc = Document::new(
            ".woodpecker.yml",
            "when:\n  - event: [push, cron]\n    path:\n      include: ['src/**']\nsteps:\n  - name: t\n    commands: [pytest]\n".to_string(),
        );
        let Some(FileFacts::Entry { triggers, .. }) = Woodpecker.read(&doc) else {
            panic!("not read");
        };
        assert_eq!(triggers[0].kind, TriggerKind::Push);
        assert_eq!(triggers[0].paths, ["src/**"]);
        assert_eq!(triggers[1].kind, TriggerKind::Schedule);
        assert!(triggers[1].paths.is_empty());
    }

    #[test]
    fn copies() {
        assert!(Woodpecker.copy("sub/.woodpecker.yml").is_some());
        assert!(Woodpecker.copy("sub/.woodpecker/ci.yml").is_some());
        assert!(Woodpecker.copy(".woodpecker/ci.yml").is_none());
        assert!(Woodpecker.copy(".woodpecker.yaml").is_none());
        assert!(!Woodpecker.at(".woodpecker/sub/x.txt"));
    }
}
