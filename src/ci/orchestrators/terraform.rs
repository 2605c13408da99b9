//! Terraform: an EventBridge rule or Cloud Scheduler job with a schedule or event pattern is an
//! entry point, and the file's path-like strings are what it targets; CodeBuild webhooks,
//! CodePipelines, Cloud Build triggers and Databricks jobs are entry points of their own
//! (`tf_pipelines`).

use crate::ci::CiSystem;
use crate::facts::hcl::resources;
use crate::facts::yaml::{entry, trig};
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::read::Document;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Terraform: an EventBridge rule / Cloud Scheduler job with a schedule or event pattern is
/// an entry point; the file's path-like strings are what it targets.
pub(crate) fn terraform(doc: &Document) -> Option<FileFacts> {
    let mut jobs = super::tf_pipelines::jobs(doc);
    if let Some(job) = rule_job(doc) {
        jobs.insert(0, job);
    }
    if jobs.is_empty() {
        return None;
    }
    Some(entry(super::IAC, Vec::new(), jobs))
}

/// The file's EventBridge rules and schedulers as one job: their schedules and event patterns
/// start everything the file names by path.
fn rule_job(doc: &Document) -> Option<Job> {
    static RULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*resource\s+"(aws_cloudwatch_event_rule|aws_scheduler_schedule|google_cloud_scheduler_job|kubernetes_cron_job|kubernetes_cron_job_v1|azurerm_logic_app_trigger_recurrence)"\s+"([\w-]+)""#)
            .expect("tf rule")
    });
    static SCHED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?m)^\s*(schedule_expression|schedule|event_pattern)\s*=\s*(?:"([^"\n]*)"|(.*))"#,
        )
        .expect("tf schedule")
    });
    static FREQ: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*frequency\s*=\s*"([^"\n]*)""#).expect("tf frequency")
    });
    static STR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""([^"\n]{1,300})""#).expect("tf string"));
    let first = RULE.captures(&doc.text)?;
    let here = crate::paths::parent(&doc.rel).to_string();
    let mut triggers = Vec::new();
    for c in SCHED.captures_iter(&doc.text) {
        let line = doc.file_line(doc.line_index(c.get(0).map(|m| m.start()).unwrap_or(0)));
        if &c[1] == "event_pattern" {
            triggers.push(trig(TriggerKind::Event, None, line));
        } else {
            triggers.push(trig(
                TriggerKind::Schedule,
                c.get(2).map(|m| m.as_str().to_string()),
                line,
            ));
        }
    }
    // An Azure Logic App's recurrence trigger has a frequency, not an expression.
    for b in resources(&doc.text) {
        if b.kind == "azurerm_logic_app_trigger_recurrence" {
            let line = doc.file_line(doc.line_index(b.start));
            let every = FREQ.captures(b.body).map(|c| c[1].to_string());
            triggers.push(trig(TriggerKind::Schedule, every, line));
        }
    }
    if triggers.is_empty() {
        return None;
    }
    let mut commands = images(doc);
    for c in STR.captures_iter(&doc.text) {
        let m = c.get(1).expect("group");
        let s = m
            .as_str()
            .trim_start_matches("${path.module}/")
            .trim_start_matches("${path.root}/");
        if (s.contains('/') || s.contains('.')) && !s.contains('$') && !s.contains(' ') {
            let line = doc.file_line(doc.line_index(m.start()));
            if let Some(p) = crate::paths::join(&here, s) {
                commands.push(Command::reference(line, format!("/{p}")));
            }
        }
    }
    let line = doc.file_line(doc.line_index(first.get(0).map(|m| m.start()).unwrap_or(0)));
    Some(Job::new(
        first[2].to_string(),
        (line, doc.text.lines().count() as u32),
        triggers,
        commands,
    ))
}

/// Kinds of the resources that start something on a schedule or an event.
const SCHEDULERS: &[&str] = &[
    "aws_cloudwatch_event_rule",
    "aws_scheduler_schedule",
    "google_cloud_scheduler_job",
    "kubernetes_cron_job",
    "kubernetes_cron_job_v1",
    "azurerm_logic_app_trigger_recurrence",
];

/// The most resources of one file whose references are followed.
const MAX_BLOCKS: usize = 400;

/// The container images the file's schedulers start, as references to the image by name
/// (`@image:retrain-job`, resolved by the graph to the Dockerfile that builds it): the images
/// of the resources a scheduler names (`google_cloud_run_v2_job.retrain.name` in its target
/// URI, `arn = aws_ecs_task_definition.train.arn`), of what those name in turn, and of the
/// targets that name a scheduler (`aws_cloudwatch_event_target { rule = ... }`, a Logic App
/// action).
fn images(doc: &Document) -> Vec<Command> {
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^[ \t]*(?:image|image_uri|container_image|image_url|training_image)[ \t]*=[ \t]*"([^"\n]{1,300})""#)
            .expect("tf image")
    });
    let blocks = resources(&doc.text);
    if blocks.len() > MAX_BLOCKS {
        return Vec::new();
    }
    static REF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^\w.-])([A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)").expect("tf reference")
    });
    // What each block names, once: `TYPE.NAME` words of its body.
    let named: Vec<HashSet<&str>> = blocks
        .iter()
        .map(|b| {
            REF.captures_iter(b.body)
                .filter_map(|c| c.get(1).map(|m| m.as_str()))
                .collect()
        })
        .collect();
    let ids: Vec<String> = blocks
        .iter()
        .map(|b| format!("{}.{}", b.kind, b.name))
        .collect();
    let mut reached: Vec<bool> = blocks
        .iter()
        .map(|b| SCHEDULERS.contains(&b.kind))
        .collect();
    let schedulers: Vec<usize> = (0..blocks.len()).filter(|i| reached[*i]).collect();
    // Targets and actions attached to a scheduler name it, not the other way round.
    for (i, b) in blocks.iter().enumerate() {
        let attached =
            b.kind.ends_with("_event_target") || b.kind.starts_with("azurerm_logic_app_action");
        if attached
            && schedulers
                .iter()
                .any(|s| named[i].contains(ids[*s].as_str()))
        {
            reached[i] = true;
        }
    }
    let mut todo: Vec<usize> = (0..blocks.len()).filter(|i| reached[*i]).collect();
    while let Some(i) = todo.pop() {
        for j in 0..blocks.len() {
            if !reached[j] && named[i].contains(ids[j].as_str()) {
                reached[j] = true;
                todo.push(j);
            }
        }
    }
    let mut out = Vec::new();
    for (b, _) in blocks.iter().zip(&reached).filter(|(_, r)| **r) {
        for c in IMAGE.captures_iter(b.body) {
            let m = c.get(1).expect("group");
            if let Some(name) = crate::facts::dockerfile::image_name(m.as_str()) {
                let line = doc.file_line(doc.line_index(b.body_start + m.start()));
                out.push(crate::facts::dockerfile::image_reference(line, &name));
            }
        }
    }
    out
}

/// Terraform schedules and event rules.
pub(crate) struct Terraform;

impl CiSystem for Terraform {
    fn id(&self) -> &'static str {
        super::IAC
    }
    fn at(&self, rel: &str) -> bool {
        rel.ends_with(".tf")
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        terraform(doc)
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "infra/schedule.tf",
            "resource \"aws_cloudwatch_event_rule\" \"nightly\" {\n  schedule_expression = \"rate(1 day)\"\n}\n",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image_refs(text: &str) -> Vec<String> {
        images(&Document::new("infra/main.tf", text.to_string()))
            .into_iter()
            .map(|c| c.text)
            .collect()
    }

    /// A scheduler's image is the image of what it names (and of what that names), or of a
    /// target attached to it; an image nothing scheduled names is not started by the schedule.
    #[test]
    fn scheduled_images_follow_references() {
        let text = "resource \"google_cloud_run_v2_job\" \"retrain\" {\n  containers {\n    image = \"europe-docker.pkg.dev/p/ml/retrain-job:latest\"\n  }\n}\nresource \"google_cloud_run_v2_service\" \"serve\" {\n  image = \"x/serve:1\"\n}\nresource \"google_cloud_scheduler_job\" \"nightly\" {\n  schedule = \"0 4 * * *\"\n  uri = \"https://run/jobs/${google_cloud_run_v2_job.retrain.name}:run\"\n}\n";
        assert_eq!(image_refs(text), vec!["@image:retrain-job".to_string()]);
        let text = "resource \"aws_cloudwatch_event_rule\" \"nightly\" {\n  schedule_expression = \"rate(1 day)\"\n}\nresource \"aws_cloudwatch_event_target\" \"t\" {\n  rule = aws_cloudwatch_event_rule.nightly.name\n  arn  = aws_ecs_cluster.c.arn\n  ecs_target {\n    task_definition_arn = aws_ecs_task_definition.train.arn\n  }\n}\nresource \"aws_ecs_task_definition\" \"train\" {\n  container_definitions = jsonencode([{ name = \"t\" }])\n  image = \"123.dkr.ecr.eu-west-1.amazonaws.com/trainer:v1\"\n}\nresource \"aws_ecs_task_definition\" \"other\" {\n  image = \"x/other:1\"\n}\n";
        assert_eq!(image_refs(text), vec!["@image:trainer".to_string()]);
    }

    /// An Azure Logic App recurrence and a Kubernetes CronJob in HCL are schedules.
    #[test]
    fn logic_app_recurrence_and_hcl_cron_job_are_schedules() {
        for text in [
            "resource \"azurerm_logic_app_trigger_recurrence\" \"daily\" {\n  logic_app_id = azurerm_logic_app_workflow.w.id\n  frequency = \"Day\"\n  interval  = 1\n}\n",
            "resource \"kubernetes_cron_job_v1\" \"retrain\" {\n  spec {\n    schedule = \"0 3 * * *\"\n  }\n}\n",
        ] {
            let Some(FileFacts::Entry { jobs, .. }) =
                terraform(&Document::new("infra/main.tf", text.to_string()))
            else {
                panic!("no entry for {text}");
            };
            assert_eq!(jobs[0].triggers[0].kind, TriggerKind::Schedule);
        }
    }
}
