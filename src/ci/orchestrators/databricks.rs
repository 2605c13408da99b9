//! Databricks asset bundles: each job with its schedule, trigger or none (run on demand), and
//! its tasks' files.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, ranges, str_at, trig};
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::read::structured::Node;

/// Databricks asset bundle (`databricks.yml` or an included `resources/*.yml`): each job with
/// its schedule, trigger or none (run on demand), and its tasks' files.
pub(crate) fn databricks(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let jobs_node = root.get("resources")?.get("jobs")?;
    let entries = jobs_node.entries();
    if entries.is_empty() {
        return None;
    }
    let jobs = entries
        .iter()
        .zip(ranges(entries, end))
        .map(|((name, line, job), (_, job_end))| {
            let mut t = Vec::new();
            if let Some(s) = job.get("schedule") {
                let paused = str_at(s, &["pause_status"]) == Some("PAUSED");
                if !paused {
                    t.push(trig(
                        TriggerKind::Schedule,
                        str_at(s, &["quartz_cron_expression"]).map(str::to_string),
                        s.line.max(*line),
                    ));
                }
            }
            if let Some(tr) = job.get("trigger") {
                for (k, kl, _) in tr.entries() {
                    match k.as_str() {
                        "periodic" => {
                            t.push(trig(TriggerKind::Schedule, Some("periodic".into()), *kl))
                        }
                        "file_arrival" | "table_update" | "table" => {
                            t.push(trig(TriggerKind::Event, Some(k.clone()), *kl))
                        }
                        _ => {}
                    }
                }
            }
            if job.get("continuous").is_some() {
                t.push(trig(TriggerKind::Event, Some("continuous".into()), *line));
            }
            if t.is_empty() {
                t.push(trig(TriggerKind::Manual, None, *line));
            }
            let mut commands = Vec::new();
            for task in job.get("tasks").map(Node::as_seq).unwrap_or(&[]) {
                for p in [
                    &["spark_python_task", "python_file"][..],
                    &["notebook_task", "notebook_path"],
                    &["sql_task", "file", "path"],
                ] {
                    let mut cur = Some(task);
                    for k in p {
                        cur = cur.and_then(|n| n.get(k));
                    }
                    if let Some(n) = cur
                        && let Some(s) = n.as_str()
                        && !s.starts_with('/')
                        && !s.contains("${")
                    {
                        commands.push(Command::reference(
                            n.line,
                            format!("/{}", crate::paths::join(here, s).unwrap_or_default()),
                        ));
                    }
                }
                if let Some(n) = task.get("python_wheel_task")
                    && let Some(ep) = str_at(n, &["entry_point"])
                {
                    commands.push(Command::reference(n.line, ep));
                }
            }
            Job {
                name: name.clone(),
                line: *line,
                end: job_end,
                triggers: t,
                commands,
                may_fail: Vec::new(),
                trial: false,
            }
        })
        .collect();
    Some(entry("databricks", Vec::new(), jobs))
}

/// The orchestrator's entry points, from a YAML document of its shape anywhere.
pub(crate) struct Databricks;

impl CiSystem for Databricks {
    fn id(&self) -> &'static str {
        "databricks"
    }
    fn jobs_named_from_elsewhere(&self) -> bool {
        true
    }
    fn words(&self) -> &'static [&'static str] {
        &["resources"]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        databricks(y.root, y.end, &y.here)
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "databricks.yml",
            "resources:\n  jobs:\n    retrain:\n      schedule:\n        quartz_cron_expression: 0 0 3 * * ?\n      tasks:\n        - spark_python_task:\n            python_file: train.py\n",
        )]
    }
}
