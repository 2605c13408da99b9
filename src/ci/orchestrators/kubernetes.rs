//! Scheduled Kubernetes objects: a `CronJob`, an Argo `CronWorkflow`, a
//! `ScheduledSparkApplication` run on their schedule, and an Argo Events `Sensor` starts its
//! workflows when an event arrives. What they run is every value of the file.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, scalar_commands, trig, whole_job};
use crate::model::{FileFacts, TriggerKind};
use crate::read::structured::Node;

/// Kubernetes and Argo schedules.
pub(crate) struct Kubernetes;

impl CiSystem for Kubernetes {
    fn id(&self) -> &'static str {
        "scheduler"
    }
    fn words(&self) -> &'static [&'static str] {
        &[
            "CronJob",
            "CronWorkflow",
            "ScheduledSparkApplication",
            "Sensor",
        ]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        let mut triggers = Vec::new();
        for d in y.docs {
            let kind = d.get("kind").and_then(Node::as_str).unwrap_or("");
            if matches!(
                kind,
                "CronJob" | "CronWorkflow" | "ScheduledSparkApplication"
            ) {
                let mut s = Vec::new();
                d.find_path(&["spec".into(), "schedule".into()], &mut s);
                d.find_path(&["spec".into(), "schedules".into()], &mut s);
                let (detail, line) = s
                    .first()
                    .map(|(n, l)| {
                        let mut v = Vec::new();
                        n.scalars(&mut v);
                        (v.first().map(|(x, _)| x.to_string()), *l)
                    })
                    .unwrap_or((None, d.line));
                triggers.push(trig(TriggerKind::Schedule, detail, line));
            }
            // Argo Events: a Sensor's triggers start workflows when an event arrives.
            if kind == "Sensor"
                && d.get("apiVersion")
                    .and_then(Node::as_str)
                    .is_some_and(|a| a.starts_with("argoproj.io"))
            {
                triggers.push(trig(
                    TriggerKind::Event,
                    Some("argo-events sensor".into()),
                    d.line.max(1),
                ));
            }
        }
        if triggers.is_empty() {
            return None;
        }
        let commands = y
            .docs
            .iter()
            .flat_map(|d| scalar_commands(d, true, &y.here))
            .collect();
        Some(entry(self.id(), triggers, whole_job(y.end, commands)))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "k8s/retrain.yaml",
            "apiVersion: batch/v1\nkind: CronJob\nspec:\n  schedule: '0 3 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - command: [python, train.py]\n",
        )]
    }
}
