//! Scheduled Kubernetes objects: a `CronJob`, an Argo `CronWorkflow`, a
//! `ScheduledSparkApplication` run on their schedule, and an Argo Events `Sensor` starts its
//! workflows when an event arrives. What they run is every value of the file, and the image of
//! a container that sets no `command` (its own `CMD`/`ENTRYPOINT` runs): `@image:NAME`, which
//! the graph resolves to the Dockerfile the repository builds it with.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, scalar_commands, trig, whole_job};
use crate::model::{Command, FileFacts, TriggerKind};
use crate::read::structured::Node;

/// Kubernetes and Argo schedules.
pub(crate) struct Kubernetes;

/// An Argo Events Sensor's triggers: a code change when its dependencies listen to a Git
/// host's webhooks (an event source or event named for GitHub, GitLab, Bitbucket or Gitea),
/// as a pull request when they filter on `pull_request` events and as a push otherwise; any
/// other event source is an event.
fn sensor_triggers(d: &Node) -> Vec<crate::model::Trigger> {
    let line = d.line.max(1);
    let mut deps = Vec::new();
    d.find_path(&["spec".into(), "dependencies".into()], &mut deps);
    let mut words = Vec::new();
    for (n, _) in &deps {
        n.scalars(&mut words);
    }
    let said = |w: &str| {
        words
            .iter()
            .any(|(x, _)| x.to_ascii_lowercase().contains(w))
    };
    let git = ["github", "gitlab", "bitbucket", "gitea"]
        .iter()
        .any(|w| said(w));
    if !git {
        return vec![trig(
            TriggerKind::Event,
            Some("argo-events sensor".into()),
            line,
        )];
    }
    let detail = Some("argo-events git webhook".to_string());
    let pr = words
        .iter()
        .any(|(x, _)| *x == "pull_request" || *x == "merge_request");
    let push = words.iter().any(|(x, _)| *x == "push");
    let mut out = Vec::new();
    if pr {
        out.push(trig(TriggerKind::PullRequest, detail.clone(), line));
    }
    if push || !pr {
        out.push(trig(TriggerKind::Push, detail, line));
    }
    out
}

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
                triggers.extend(sensor_triggers(d));
            }
        }
        if triggers.is_empty() {
            return None;
        }
        let mut commands: Vec<Command> = y
            .docs
            .iter()
            .flat_map(|d| scalar_commands(d, true, &y.here))
            .collect();
        for d in y.docs {
            crate::facts::job_spec::image_refs(d, 0, &mut commands);
        }
        Some(entry(self.id(), triggers, whole_job(y.end, commands)))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "k8s/retrain.yaml",
            "apiVersion: batch/v1\nkind: CronJob\nspec:\n  schedule: '0 3 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - command: [python, train.py]\n",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Document;

    /// A Sensor on a Git host's webhooks is a code change; on any other source, an event.
    #[test]
    fn sensors_on_git_webhooks_are_code_changes() {
        let kinds = |deps: &str| {
            let text = format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nspec:\n  dependencies:\n{deps}  triggers:\n    - template:\n        name: t\n"
            );
            let doc = Document::new("events/sensor.yaml", text);
            let Some(FileFacts::Entry { triggers, .. }) =
                Kubernetes.shaped(&Yaml::of(&doc).unwrap())
            else {
                panic!("not an entry point");
            };
            triggers.iter().map(|t| t.kind).collect::<Vec<_>>()
        };
        assert_eq!(
            kinds(
                "    - name: d\n      eventSourceName: github\n      filters:\n        data:\n          - path: body.X-GitHub-Event\n            type: string\n            value: [pull_request]\n"
            ),
            vec![TriggerKind::PullRequest]
        );
        assert_eq!(
            kinds("    - name: d\n      eventSourceName: gitlab\n      eventName: repo\n"),
            vec![TriggerKind::Push]
        );
        assert_eq!(
            kinds("    - name: d\n      eventSourceName: minio\n      eventName: new-data\n"),
            vec![TriggerKind::Event]
        );
    }

    /// The image of a container that sets no `command` runs its own `CMD`: a reference to it by
    /// name; a container with a `command` runs that command, not the image's.
    #[test]
    fn containers_without_a_command_run_their_image() {
        let text = "apiVersion: batch/v1\nkind: CronJob\nspec:\n  schedule: '0 2 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: train\n              image: ghcr.io/acme/churn-train:latest\n            - name: report\n              image: ghcr.io/acme/report:1\n              command: [python, report.py]\n";
        let doc = Document::new("k8s/cron.yaml", text.to_string());
        let Some(FileFacts::Entry { jobs, .. }) = Kubernetes.shaped(&Yaml::of(&doc).unwrap())
        else {
            panic!("not an entry point");
        };
        let refs: Vec<&str> = jobs
            .iter()
            .flat_map(|j| &j.commands)
            .filter(|c| !c.shell)
            .map(|c| c.text.as_str())
            .filter(|t| t.starts_with(crate::facts::dockerfile::IMAGE_REF))
            .collect();
        assert_eq!(refs, ["@image:churn-train"]);
    }
}
