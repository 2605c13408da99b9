//! CI files whose start the repository declares itself. A buildspec or a Cloud Build file is
//! started by a project or trigger configured in the CI service, so its own trigger is
//! external; but when the repository's infrastructure code declares that project or trigger
//! (a CloudFormation `AWS::CodeBuild::Project`, Terraform's `aws_codebuild_project` and
//! `google_cloudbuild_trigger`), the declaration says when it starts: on its webhook's pushes,
//! or only by hand when it has none.
//!
//! The other way round, a Tekton `Pipeline` that no run, trigger template or listener of the
//! repository references is started from outside (a `PipelineRun` or trigger configured in the
//! cluster, as an Azure Pipelines file is pointed at): its start is external.

use crate::graph::Graph;
use crate::model::{FileFacts, Job, Trigger, TriggerKind};
use std::borrow::Cow;
use std::collections::HashSet;

/// The CI files, started only from outside (every trigger external), that a job declared in
/// the repository's infrastructure code runs.
pub(crate) fn declared_starts(graph: &Graph) -> HashSet<String> {
    let mut out = HashSet::new();
    for (path, f) in graph.facts.iter() {
        let FileFacts::Entry { system, jobs, .. } = f else {
            continue;
        };
        if *system != crate::ci::orchestrators::IAC {
            continue;
        }
        let bases = [crate::paths::parent(path).to_string(), String::new()];
        for c in jobs.iter().flat_map(|j| &j.commands).filter(|c| !c.shell) {
            for ((t, _), _) in graph.reference_nodes(&c.text, &bases) {
                if t != *path && only_external(graph, &t) {
                    out.insert(t);
                }
            }
        }
    }
    out
}

/// Whether the file is a CI entry whose every trigger is external.
fn only_external(graph: &Graph, path: &str) -> bool {
    match graph.facts.get(path) {
        Some(FileFacts::Entry { triggers, jobs, .. }) => {
            let all: Vec<_> = triggers
                .iter()
                .chain(jobs.iter().flat_map(|j| &j.triggers))
                .collect();
            !all.is_empty() && all.iter().all(|t| t.kind == TriggerKind::External)
        }
        _ => false,
    }
}

/// The Tekton `Pipeline` jobs (file, job name) that nothing in the repository references.
pub(crate) fn tekton_pipelines_started_outside(graph: &Graph) -> HashSet<(String, String)> {
    let referenced: HashSet<&str> = graph
        .facts
        .iter()
        .filter_map(|(_, f)| match f {
            FileFacts::Entry { jobs, .. } => Some(jobs),
            _ => None,
        })
        .flatten()
        .flat_map(|j| &j.commands)
        .filter_map(|c| {
            c.text
                .strip_prefix('@')
                .and_then(|r| r.strip_prefix(crate::ci::tekton::ID))
                .and_then(|r| r.strip_prefix(':'))
        })
        .collect();
    let mut out = HashSet::new();
    for (path, f) in graph.facts.iter() {
        let FileFacts::Entry { system, jobs, .. } = f else {
            continue;
        };
        if *system != crate::ci::tekton::ID {
            continue;
        }
        for j in jobs {
            let only_called =
                !j.triggers.is_empty() && j.triggers.iter().all(|t| t.kind == TriggerKind::Called);
            if j.name.starts_with("Pipeline/")
                && only_called
                && !referenced.contains(j.name.as_str())
            {
                out.insert((path.clone(), j.name.clone()));
            }
        }
    }
    out
}

/// The file's jobs with those [`tekton_pipelines_started_outside`] found started from outside
/// (an external trigger at the job's line).
pub(crate) fn started_outside<'j>(
    path: &str,
    jobs: &'j [Job],
    outside: &HashSet<(String, String)>,
) -> Cow<'j, [Job]> {
    if !outside.iter().any(|(p, _)| p == path) {
        return Cow::Borrowed(jobs);
    }
    Cow::Owned(
        jobs.iter()
            .map(
                |j| match outside.contains(&(path.to_string(), j.name.clone())) {
                    true => Job {
                        triggers: vec![Trigger {
                            kind: TriggerKind::External,
                            detail: None,
                            line: j.line,
                            paths: Vec::new(),
                        }],
                        ..j.clone()
                    },
                    false => j.clone(),
                },
            )
            .collect(),
    )
}
