//! Jenkins: `Jenkinsfile` (and `*.jenkinsfile`): `sh`/`bat` steps and `triggers` (cron,
//! pollSCM, upstream); builds are otherwise started by hooks configured in Jenkins.

use crate::ci::CiSystem;
use crate::facts::yaml::trig;
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::paths::file_name;
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

pub(crate) fn jenkins(doc: &Document) -> FileFacts {
    static CRON: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(cron|pollSCM|upstream)\s*\(\s*(?:spec:\s*)?['"]?([^'")]*)"#)
            .expect("jenkins triggers")
    });
    let mut triggers = Vec::new();
    for (i, l) in doc.text.lines().enumerate() {
        if let Some(c) = CRON.captures(l) {
            let kind = match &c[1] {
                "cron" => TriggerKind::Schedule,
                "pollSCM" => TriggerKind::Push,
                _ => TriggerKind::PipelineCompletion,
            };
            triggers.push(trig(kind, Some(c[2].to_string()), i as u32 + 1));
        }
    }
    // Jobs are started by SCM hooks configured in Jenkins itself.
    triggers.push(trig(TriggerKind::External, None, 1));
    static STEP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:sh|bat|powershell|pwsh)\s*\(?\s*(?:script:\s*)?(?:'([^']*)'|"([^"]*)")"#)
            .expect("jenkins step")
    });
    let commands = doc
        .text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            // `sh 'cmd'` anywhere on the line; other lines (inside `sh '''...'''` blocks) as is.
            let text = STEP
                .captures(l)
                .and_then(|c| c.get(1).or_else(|| c.get(2)))
                .map(|m| m.as_str().to_string())
                .unwrap_or_else(|| l.trim().to_string());
            Command::run(i as u32 + 1, text)
        })
        .collect();
    FileFacts::Entry {
        system: "jenkins",
        includes: Vec::new(),
        triggers,
        jobs: vec![Job {
            name: String::new(),
            line: 1,
            end: doc.text.lines().count() as u32,
            triggers: Vec::new(),
            commands,
            may_fail: Vec::new(),
        }],
    }
}

/// Jenkins.
pub(crate) struct Jenkins;

impl CiSystem for Jenkins {
    fn id(&self) -> &'static str {
        "jenkins"
    }
    fn at(&self, rel: &str) -> bool {
        let name = file_name(rel);
        name == "Jenkinsfile" || name.ends_with(".jenkinsfile") || name.starts_with("Jenkinsfile.")
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        Some(jenkins(doc))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "Jenkinsfile",
            "pipeline {\n  stages {\n    stage('t') { steps { sh 'pytest' } }\n  }\n}\n",
        )]
    }
}
