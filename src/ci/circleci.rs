//! CircleCI: `.circleci/config.yml`; a job runs only from the workflows that list it, on
//! their triggers (push, cron or scheduled pipelines).

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, push_block, ranges, str_at, trig};
use crate::model::{FileFacts, Job, Trigger, TriggerKind};
use crate::read::Document;
use crate::read::structured::{Node, Value};

pub(crate) fn circleci(root: &Node, end: u32) -> FileFacts {
    let job_defs = root.get("jobs").map(Node::entries).unwrap_or(&[]);
    // Which workflows run each job, and on what.
    let mut job_triggers: Vec<(String, Trigger)> = Vec::new();
    for (_, wl, wf) in root.get("workflows").map(Node::entries).unwrap_or(&[]) {
        if !matches!(wf.value, Value::Map(_)) {
            continue;
        }
        let mut crons = Vec::new();
        wf.find_path(
            &[
                "triggers".into(),
                "*".into(),
                "schedule".into(),
                "cron".into(),
            ],
            &mut crons,
        );
        let mut when = Vec::new();
        if let Some(w) = wf.get("when") {
            w.scalars(&mut when);
        }
        let scheduled_pipeline = when
            .iter()
            .any(|(s, _)| s.contains("scheduled_pipeline") || s.contains("schedule.name"));
        let t: Vec<Trigger> = if !crons.is_empty() {
            crons
                .iter()
                .map(|(c, l)| trig(TriggerKind::Schedule, c.as_str().map(str::to_string), *l))
                .collect()
        } else if scheduled_pipeline {
            vec![trig(TriggerKind::Schedule, None, *wl)]
        } else {
            vec![trig(TriggerKind::Push, None, *wl)]
        };
        for j in wf.get("jobs").map(Node::as_seq).unwrap_or(&[]) {
            let name = match &j.value {
                Value::Scalar(s) => s.clone(),
                Value::Map(e) => e.first().map(|(k, _, _)| k.clone()).unwrap_or_default(),
                _ => continue,
            };
            for x in &t {
                job_triggers.push((name.clone(), x.clone()));
            }
        }
    }
    let jobs = job_defs
        .iter()
        .zip(ranges(job_defs, end))
        .map(|((name, line, job), (_, job_end))| {
            let wd = job
                .get("working_directory")
                .and_then(Node::as_str)
                .filter(|w| !w.starts_with('~') && !w.starts_with('/'))
                .map(|w| format!("/{w}"));
            let mut commands = Vec::new();
            for step in job.get("steps").map(Node::as_seq).unwrap_or(&[]) {
                if let Some(r) = step.get("run") {
                    let (text, l) = match (r.as_str(), r.get("command")) {
                        (Some(s), _) => (Some(s), r.line),
                        (None, Some(c)) => (c.as_str(), c.line),
                        _ => (None, r.line),
                    };
                    let swd = str_at(r, &["working_directory"])
                        .map(|w| format!("/{w}"))
                        .or_else(|| wd.clone());
                    if let Some(t) = text {
                        push_block(&mut commands, t, l, true, swd.as_deref());
                    }
                }
            }
            let mut t: Vec<Trigger> = job_triggers
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, t)| t.clone())
                .collect();
            t.sort();
            t.dedup();
            if t.is_empty() {
                // Defined but in no workflow: it never runs.
                t.push(trig(TriggerKind::Called, None, *line));
            }
            Job {
                name: name.clone(),
                line: *line,
                end: job_end,
                triggers: t,
                commands,
                may_fail: Vec::new(),
            }
        })
        .collect();
    entry("circleci", vec![trig(TriggerKind::Push, None, 1)], jobs)
}

/// The folder whose `.circleci/config.yml` `rel` is ("" at the root).
fn circleci_root(rel: &str) -> Option<&str> {
    ["/.circleci/config.yml", "/.circleci/config.yaml"]
        .iter()
        .find_map(|s| format!("/{rel}").strip_suffix(s).map(str::len))
        .map(|n| &rel[..n.saturating_sub(1)])
}

/// CircleCI.
pub(crate) struct CircleCi;

impl CiSystem for CircleCi {
    fn id(&self) -> &'static str {
        "circleci"
    }
    /// `.circleci/config.yml` anywhere (elsewhere than the root: read, then reported as a
    /// copy, [`CiSystem::copy`]).
    fn at(&self, rel: &str) -> bool {
        circleci_root(rel).is_some()
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        Some(circleci(y.root, y.end))
    }
    fn fixed_location(&self, rel: &str) -> bool {
        rel.contains(".circleci/")
    }
    /// CircleCI reads only the root `.circleci/config.yml`.
    fn copy(&self, rel: &str) -> Option<String> {
        circleci_root(rel)
            .filter(|r| !r.is_empty())
            .map(|r| crate::ci::copy_note(r, "CircleCI reads only the root `.circleci/config.yml`"))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            ".circleci/config.yml",
            "jobs:\n  test:\n    steps:\n      - run: pytest\nworkflows:\n  ci:\n    jobs: [test]\n",
        )]
    }
}
