//! Drone CI: the root `.drone.yml`, one YAML document per pipeline (`kind: pipeline`, of any
//! `type:` — docker, exec, kubernetes, ssh; `kind: secret`, `signature` or `template` documents
//! run nothing). A pipeline's `trigger:` (`event:` as a list, a word or `include:`/`exclude:`)
//! says what starts it; without an event condition it runs on push and pull request (cron jobs,
//! promotions and tags need configuring or a person, so only what the file names counts). Each
//! step is a job with its `commands:`; a step's `when: event:` narrows the pipeline's events.
//! `cron` is a schedule, `promote`/`rollback`/`custom` a person's click or API call, `tag` a
//! release: none of them is a code change.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, item_jobs, push_block, trig};
use crate::model::{FileFacts, Job, Trigger, TriggerKind};
use crate::paths::file_name;
use crate::read::Document;
use crate::read::structured::{Node, Value};

/// Drone CI.
pub(crate) struct Drone;

/// Every event Drone starts pipelines on, for `exclude:` lists.
const EVENTS: &[&str] = &[
    "push",
    "pull_request",
    "tag",
    "promote",
    "rollback",
    "cron",
    "custom",
];

/// What a Drone or Woodpecker event is.
pub(crate) fn event_kind(event: &str) -> TriggerKind {
    match event {
        "push" => TriggerKind::Push,
        "pull_request" | "pull_request_metadata" => TriggerKind::PullRequest,
        "tag" | "release" => TriggerKind::Release,
        "cron" => TriggerKind::Schedule,
        "promote" | "rollback" | "custom" | "manual" | "deployment" | "deploy" => {
            TriggerKind::Manual
        }
        _ => TriggerKind::Event,
    }
}

/// The events an `event:` condition names: a word, a list, or `include:`/`exclude:` (what is
/// left of `all` once the excluded are removed), each with its line. None: no condition.
pub(crate) fn events(cond: &Node, all: &[&str]) -> Option<Vec<(String, u32)>> {
    let words = |n: &Node| {
        let mut s = Vec::new();
        n.scalars(&mut s);
        s.into_iter()
            .map(|(w, l)| (w.trim().to_string(), l))
            .collect::<Vec<_>>()
    };
    match &cond.value {
        Value::Map(_) => {
            if let Some(inc) = cond.get("include") {
                return Some(words(inc));
            }
            let exc: Vec<String> = cond
                .get("exclude")
                .map(|e| words(e).into_iter().map(|(w, _)| w).collect())
                .unwrap_or_default();
            Some(
                all.iter()
                    .filter(|e| !exc.iter().any(|x| x == *e))
                    .map(|e| (e.to_string(), cond.line))
                    .collect(),
            )
        }
        Value::Null => None,
        _ => Some(words(cond)),
    }
}

/// Triggers of events, one per kind, in order.
pub(crate) fn triggers_of(events: &[(String, u32)]) -> Vec<Trigger> {
    let mut out: Vec<Trigger> = events
        .iter()
        .map(|(e, l)| {
            let detail = (event_kind(e) == TriggerKind::Event).then(|| e.clone());
            trig(event_kind(e), detail, *l)
        })
        .collect();
    out.sort_by_key(|t| t.kind);
    out.dedup_by_key(|t| t.kind);
    out
}

/// Push and pull request: a pipeline without an event condition.
pub(crate) fn default_triggers(line: u32) -> Vec<Trigger> {
    vec![
        trig(TriggerKind::Push, None, line),
        trig(TriggerKind::PullRequest, None, line),
    ]
}

/// A step's triggers: the pipeline's, narrowed to the step's `when: event:` (empty when the
/// step never runs on any of them).
pub(crate) fn narrowed(pipeline: &[Trigger], when: Option<&Node>, all: &[&str]) -> Vec<Trigger> {
    let Some(evs) = when
        .and_then(|w| w.get("event"))
        .and_then(|e| events(e, all))
    else {
        return pipeline.to_vec();
    };
    triggers_of(&evs)
        .into_iter()
        .filter(|t| pipeline.iter().any(|p| p.kind == t.kind))
        .collect()
}

/// The commands of a step (`commands:`, a list or a block).
pub(crate) fn step_commands(step: &Node) -> Vec<crate::model::Command> {
    let mut out = Vec::new();
    if let Some(n) = step.get("commands") {
        let mut scalars = Vec::new();
        n.scalars(&mut scalars);
        for (s, line) in scalars {
            push_block(&mut out, s, line, true, None);
        }
    }
    out
}

/// The steps of a pipeline with their names: `steps:` as a list (Drone 1.x) or a map (the
/// older `pipeline:` of Drone 0.8).
pub(crate) fn named_steps(doc: &Node) -> Vec<(String, &Node)> {
    for key in ["steps", "pipeline"] {
        let Some(s) = doc.get(key) else { continue };
        if let Value::Map(entries) = &s.value {
            return entries.iter().map(|(k, _, v)| (k.clone(), v)).collect();
        }
        return s
            .as_seq()
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let name = v
                    .get("name")
                    .and_then(Node::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("step {}", i + 1));
                (name, v)
            })
            .collect();
    }
    Vec::new()
}

fn drone(y: &Yaml) -> FileFacts {
    let mut jobs: Vec<Job> = Vec::new();
    let mut all_triggers: Vec<Trigger> = Vec::new();
    let pipelines: Vec<&Node> = y
        .docs
        .iter()
        .filter(|d| {
            matches!(
                d.get("kind").and_then(Node::as_str),
                Some("pipeline") | None
            )
        })
        .filter(|d| d.get("steps").is_some() || d.get("pipeline").is_some())
        .collect();
    for (pi, doc) in pipelines.iter().enumerate() {
        let pname = doc.get("name").and_then(Node::as_str).unwrap_or("default");
        let line = doc.line.max(1);
        let t = doc.get("trigger");
        let mut pipeline = match t
            .and_then(|t| t.get("event"))
            .and_then(|e| events(e, EVENTS))
        {
            Some(evs) => triggers_of(&evs),
            None => default_triggers(t.map(|t| t.line).unwrap_or(line)),
        };
        // `trigger: cron: [nightly]` alone: the pipeline runs for those cron jobs.
        if t.and_then(|t| t.get("cron")).is_some() && t.and_then(|t| t.get("event")).is_none() {
            pipeline = vec![trig(
                TriggerKind::Schedule,
                None,
                t.map_or(line, |t| t.line),
            )];
        }
        all_triggers.extend(pipeline.iter().cloned());
        let steps = named_steps(doc);
        let items: Vec<&Node> = steps.iter().map(|(_, n)| *n).collect();
        // The last step of one pipeline ends where the next pipeline starts.
        let end = pipelines
            .get(pi + 1)
            .map(|d| d.line.saturating_sub(1))
            .unwrap_or(y.end);
        let mut these = item_jobs(&items, end, |i, step| {
            (format!("{pname}/{}", steps[i].0), step_commands(step))
        });
        // The pipeline's header (`trigger:`, `kind:`) belongs to its first step, so that what
        // it says is read with the pipeline's triggers, not the file's.
        if let Some(first) = these.first_mut() {
            first.line = first.line.min(line);
        }
        for (j, step) in these.iter_mut().zip(&items) {
            j.triggers = narrowed(&pipeline, step.get("when"), EVENTS);
            if j.triggers.is_empty() {
                // A step whose events the pipeline never runs on runs nothing.
                j.commands.clear();
            }
        }
        jobs.extend(these.into_iter().filter(|j| !j.triggers.is_empty()));
    }
    all_triggers.sort_by_key(|t| t.kind);
    all_triggers.dedup_by_key(|t| t.kind);
    entry("drone", all_triggers, jobs)
}

impl CiSystem for Drone {
    fn id(&self) -> &'static str {
        "drone"
    }
    fn at(&self, rel: &str) -> bool {
        file_name(rel) == ".drone.yml"
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        Some(drone(&Yaml::of(doc)?))
    }
    fn fixed_location(&self, rel: &str) -> bool {
        self.at(rel)
    }
    /// Drone reads the root `.drone.yml` (another path is set in the repository's settings,
    /// outside it).
    fn copy(&self, rel: &str) -> Option<String> {
        crate::ci::copy_below(
            self.at(rel),
            crate::paths::parent(rel),
            "Drone CI reads the root `.drone.yml`",
        )
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                ".drone.yml",
                "kind: pipeline\ntype: docker\nname: default\nsteps:\n  - name: test\n    image: python:3.11\n    commands:\n      - pytest\n",
            ),
            (
                ".drone.yml",
                "---\nkind: pipeline\nname: test\nsteps:\n- name: test\n  commands: [pytest]\n---\nkind: pipeline\nname: train\ntrigger:\n  event: [cron]\nsteps:\n- name: train\n  commands:\n  - python train.py\n---\nkind: secret\nname: token\n",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(String, Vec<TriggerKind>, Vec<String>)> {
        let doc = Document::new(".drone.yml", text.to_string());
        match Drone.read(&doc) {
            Some(FileFacts::Entry { jobs, .. }) => jobs
                .into_iter()
                .map(|j| {
                    (
                        j.name,
                        j.triggers.iter().map(|t| t.kind).collect(),
                        j.commands.into_iter().map(|c| c.text).collect(),
                    )
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pipelines_triggers_and_step_conditions() {
        let jobs = read(
            "kind: pipeline\nname: ci\ntrigger:\n  event:\n    exclude: [cron, promote, rollback, custom, tag]\nsteps:\n- name: test\n  commands:\n  - pytest\n- name: publish\n  commands: [docker push x]\n  when:\n    event: [push]\n---\nkind: pipeline\nname: nightly\ntrigger:\n  event: cron\nsteps:\n- name: train\n  commands:\n  - python train.py\n- name: never\n  commands: [make x]\n  when: {event: [push]}\n---\nkind: pipeline\nname: release\ntrigger:\n  event: [promote]\nsteps:\n- name: deploy\n  commands: [make deploy]\n",
        );
        let names: Vec<&str> = jobs.iter().map(|j| j.0.as_str()).collect();
        assert_eq!(
            names,
            ["ci/test", "ci/publish", "nightly/train", "release/deploy"]
        );
        assert_eq!(jobs[0].1, [TriggerKind::Push, TriggerKind::PullRequest]);
        assert_eq!(jobs[1].1, [TriggerKind::Push]);
        assert_eq!(jobs[2].1, [TriggerKind::Schedule]);
        assert_eq!(jobs[2].2, ["python train.py"]);
        assert_eq!(jobs[3].1, [TriggerKind::Manual]);
    }

    #[test]
    fn copies_and_other_kinds() {
        assert!(Drone.copy("sub/.drone.yml").is_some());
        assert!(Drone.copy(".drone.yml").is_none());
        let jobs = read("kind: secret\nname: x\nget:\n  path: a\n");
        assert!(jobs.is_empty());
    }
}
