//! Prefect: `prefect.yaml` deployments with schedules or event triggers, and their flows.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, str_at, trig};
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::read::structured::Node;

/// `prefect.yaml`: deployments with schedules or event triggers, and their flow entrypoints.
pub(crate) fn prefect(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let deps = root.get("deployments")?.as_seq();
    if deps.is_empty() || !deps.iter().any(|d| d.get("entrypoint").is_some()) {
        return None;
    }
    let mut jobs = Vec::new();
    for (i, d) in deps.iter().enumerate() {
        let name = str_at(d, &["name"]).unwrap_or("deployment").to_string();
        let line = d.line;
        let job_end = deps
            .get(i + 1)
            .map(|n| n.line.saturating_sub(1))
            .unwrap_or(end);
        let mut t = Vec::new();
        let mut sched: Vec<&Node> = d
            .get("schedules")
            .map(|s| s.as_seq().iter().collect())
            .unwrap_or_default();
        if let Some(s) = d.get("schedule") {
            sched.push(s);
        }
        for s in sched {
            let detail = str_at(s, &["cron"])
                .map(str::to_string)
                .or_else(|| str_at(s, &["interval"]).map(|x| format!("every {x}s")))
                .or_else(|| str_at(s, &["rrule"]).map(str::to_string));
            if s.get("active").and_then(Node::as_str) != Some("false") {
                t.push(trig(TriggerKind::Schedule, detail, s.line));
            }
        }
        for tr in d.get("triggers").map(Node::as_seq).unwrap_or(&[]) {
            let ev = tr
                .get("expect")
                .and_then(|e| e.as_seq().first().and_then(Node::as_str).or(e.as_str()))
                .map(str::to_string);
            t.push(trig(TriggerKind::Event, ev, tr.line));
        }
        if t.is_empty() {
            t.push(trig(TriggerKind::Manual, None, line));
        }
        let mut commands = Vec::new();
        if let Some(ep) = d.get("entrypoint")
            && let Some(s) = ep.as_str()
        {
            let file = s.split(':').next().unwrap_or(s);
            commands.push(Command::reference(
                ep.line,
                format!("/{}", crate::paths::join(here, file).unwrap_or_default()),
            ));
        }
        jobs.push(Job::new(name, (line, job_end), t, commands));
    }
    Some(entry("prefect", Vec::new(), jobs))
}

/// The orchestrator's entry points, from a YAML document of its shape anywhere.
pub(crate) struct Prefect;

impl CiSystem for Prefect {
    fn id(&self) -> &'static str {
        "prefect"
    }
    fn words(&self) -> &'static [&'static str] {
        &["deployments"]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        prefect(y.root, y.end, &y.here)
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "prefect.yaml",
            "deployments:\n  - name: nightly\n    entrypoint: flows/train.py:train\n    schedule:\n      cron: 0 3 * * *\n",
        )]
    }
}
