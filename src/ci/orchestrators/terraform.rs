//! Terraform: an EventBridge rule or Cloud Scheduler job with a schedule or event pattern is an
//! entry point, and the file's path-like strings are what it targets; CodeBuild webhooks,
//! CodePipelines, Cloud Build triggers and Databricks jobs are entry points of their own
//! (`tf_pipelines`).

use crate::ci::CiSystem;
use crate::facts::yaml::{entry, trig};
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::read::Document;
use regex::Regex;
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
    Some(entry("eventbridge", Vec::new(), jobs))
}

/// The file's EventBridge rules and schedulers as one job: their schedules and event patterns
/// start everything the file names by path.
fn rule_job(doc: &Document) -> Option<Job> {
    static RULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*resource\s+"(aws_cloudwatch_event_rule|aws_scheduler_schedule|google_cloud_scheduler_job)"\s+"([\w-]+)""#)
            .expect("tf rule")
    });
    static SCHED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?m)^\s*(schedule_expression|schedule|event_pattern)\s*=\s*(?:"([^"\n]*)"|(.*))"#,
        )
        .expect("tf schedule")
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
    if triggers.is_empty() {
        return None;
    }
    let mut commands = Vec::new();
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
    Some(Job {
        name: first[2].to_string(),
        line,
        end: doc.text.lines().count() as u32,
        triggers,
        commands,
        may_fail: Vec::new(),
        trial: false,
    })
}

/// Terraform schedules and event rules.
pub(crate) struct Terraform;

impl CiSystem for Terraform {
    fn id(&self) -> &'static str {
        "eventbridge"
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
