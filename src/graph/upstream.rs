//! Pipelines started by another's completion: a GitHub `workflow_run` job names its upstream
//! workflow by `name:` (one that does not check the run's conclusion follows it whatever the
//! outcome, and the upstream gates nothing of it); an Azure pipeline-completion trigger
//! names it by `source:`, the pipeline's name in the service, which no file holds: the file
//! named for it (`CI-pipeline` → `ci-pipeline.yml`), else the one other pipeline of the
//! repository that runs on pushes. Such a job's walk also starts at the upstream's triggers,
//! through it, and what gates the upstream gates what the job deploys.

use crate::model::triggers_label;
use crate::model::{Facts, FileFacts};
use crate::model::{Hop, Job, Trigger, TriggerKind};
use std::collections::{HashMap, HashSet};

/// The names by which a GitHub `workflow_run` trigger can wait for this repository's
/// workflows: each workflow's `name:`, else its file's path (GitHub's name for an unnamed
/// one). A trigger that names none of them waits for a workflow that never runs here, and
/// never starts. Unknown (`None`) when a workflow file was not read as one, so that a file
/// ripen could not read never silences another.
pub(crate) struct WorkflowNames(Option<HashSet<String>>);

impl WorkflowNames {
    pub(crate) fn of(facts: &Facts, files: &[String]) -> Self {
        let mut names = HashSet::new();
        for f in files
            .iter()
            .filter(|f| crate::ci::github_actions::is_root_workflow(f))
        {
            match facts.get(f) {
                Some(FileFacts::Entry { name, .. }) => {
                    names.insert(name.as_deref().unwrap_or(f).trim().to_lowercase());
                }
                _ => return WorkflowNames(None),
            }
        }
        WorkflowNames(Some(names))
    }

    /// Whether a trigger of a `system` pipeline waits only for workflows this repository does
    /// not have.
    pub(crate) fn waits_for_none(&self, system: &str, t: &Trigger) -> bool {
        let (Some(names), Some(detail)) = (&self.0, &t.detail) else {
            return false;
        };
        system == "github-actions"
            && t.kind == TriggerKind::PipelineCompletion
            && detail.split(", ").all(|n| {
                let n = n.strip_suffix(crate::ci::ANY_OUTCOME).unwrap_or(n);
                let n = n.trim().to_lowercase();
                !n.contains(['*', '$']) && !names.contains(&n)
            })
    }
}

/// A walk a follower starts: its node (file, job), the chain through its upstream, and the
/// upstream's triggers.
pub(crate) struct Followed {
    pub(crate) node: (String, Option<String>),
    pub(crate) chain: Vec<Hop>,
    pub(crate) triggers: Vec<Trigger>,
}

/// A job started by other pipelines' completion: its file, the upstream names (each with
/// whether the job checks that pipeline succeeded), the job.
type Follower<'a> = (&'a str, Vec<(String, bool)>, &'a Job);

/// The pipelines of a repository others may follow, and the jobs that follow one.
#[derive(Default)]
pub(crate) struct Upstreams<'a> {
    /// Name → (path, live triggers): a workflow's `name:`, an Azure pipeline's file name key.
    named: HashMap<String, (&'a str, Vec<Trigger>)>,
    /// Azure pipelines run on pushes, with their live triggers: the upstream of last resort.
    azure_pushed: Vec<(&'a str, Vec<Trigger>)>,
    /// (path, upstream names each with whether its success is checked, job) of each job
    /// started by another's completion.
    followers: Vec<Follower<'a>>,
}

impl<'a> Upstreams<'a> {
    /// An entry file others may name as their upstream.
    pub(crate) fn register(
        &mut self,
        path: &'a str,
        system: &str,
        name: Option<&str>,
        live: &[Trigger],
    ) {
        if let Some(n) = name {
            self.named
                .entry(n.to_string())
                .or_insert((path, live.to_vec()));
        }
        if system == "azure-pipelines" {
            self.named
                .entry(azure_key(crate::paths::file_name(path)))
                .or_insert((path, live.to_vec()));
            if live
                .iter()
                .any(|t| matches!(t.kind, TriggerKind::Push | TriggerKind::Default))
            {
                self.azure_pushed.push((path, live.to_vec()));
            }
        }
    }

    /// A job whose triggers name the pipelines whose success starts it.
    pub(crate) fn follower(
        &mut self,
        path: &'a str,
        system: &str,
        triggers: &[Trigger],
        job: &'a Job,
    ) {
        let upstream: Vec<(String, bool)> = triggers
            .iter()
            .filter(|t| t.kind == TriggerKind::PipelineCompletion)
            .filter_map(|t| t.detail.as_deref())
            .flat_map(|d| d.split(", "))
            .map(|n| {
                let (n, checked) = match n.strip_suffix(crate::ci::ANY_OUTCOME) {
                    Some(n) => (n, false),
                    None => (n, true),
                };
                let n = if system == "azure-pipelines" {
                    azure_key(n)
                } else {
                    n.to_string()
                };
                (n, checked)
            })
            .collect();
        if !upstream.is_empty() {
            self.followers.push((path, upstream, job));
        }
    }

    /// The walks the followers start, through their upstreams; `after` records, per follower
    /// file, the upstream files whose checks gate it.
    pub(crate) fn seeds(mut self, after: &mut HashMap<String, Vec<String>>) -> Vec<Followed> {
        let (named, azure_pushed, followers) =
            (&mut self.named, &self.azure_pushed, &self.followers);
        // An Azure upstream no file is named for: the one other pipeline run on pushes.
        for (path, upstream, _) in followers.iter() {
            for (name, _) in upstream {
                let others: Vec<&(&str, Vec<Trigger>)> =
                    azure_pushed.iter().filter(|(p, _)| *p != *path).collect();
                if name.starts_with(AZURE_KEY)
                    && !named.contains_key(name)
                    && let [(one, live)] = others.as_slice()
                {
                    named.insert(name.clone(), (one, live.clone()));
                }
            }
        }
        let mut out = Vec::new();
        follow_successes(named, followers, &mut out, after);
        out
    }
}

const AZURE_KEY: &str = "azure-pipeline:";

/// An Azure pipeline's name or file name reduced for matching: `CI-pipeline` and
/// `ci_pipeline.yml` are the same pipeline.
fn azure_key(name: &str) -> String {
    let stem = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"))
        .unwrap_or(name);
    let norm: String = stem
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    format!("{AZURE_KEY}{norm}")
}

/// A job that runs only after another pipeline succeeded (a GitHub `workflow_run` job that
/// checks the run's conclusion) is started by what starts that pipeline, through it: its walk
/// also begins at the upstream pipeline's triggers, with the upstream file as the first hop.
/// What gates the upstream run (its tests) then gates what the job deploys. The upstream's
/// pull-request runs start no release and are left out.
fn follow_successes(
    named: &HashMap<String, (&str, Vec<Trigger>)>,
    followers: &[Follower<'_>],
    seeds: &mut Vec<Followed>,
    after: &mut HashMap<String, Vec<String>>,
) {
    for (path, upstream, j) in followers {
        for (name, checked) in upstream {
            let Some((from, triggers)) = named.get(name.as_str()) else {
                continue;
            };
            // A pull request's run is no release: what follows it on the main branch is.
            let runnable: Vec<Trigger> = triggers
                .iter()
                .filter(|t| !matches!(t.kind, TriggerKind::Called | TriggerKind::PullRequest))
                .cloned()
                .collect();
            if from == path || runnable.is_empty() {
                continue;
            }
            // Run whatever the upstream's outcome, the job is started through it, but the
            // upstream's checks gate nothing of it.
            if *checked {
                let ups = after.entry(path.to_string()).or_default();
                if !ups.iter().any(|u| u == from) {
                    ups.push(from.to_string());
                }
            }
            let job = (!j.name.is_empty()).then(|| j.name.clone());
            seeds.push(Followed {
                node: (path.to_string(), job),
                chain: vec![
                    Hop {
                        path: from.to_string(),
                        line: runnable.first().map(|t| t.line),
                        via: triggers_label(&runnable),
                    },
                    Hop {
                        path: path.to_string(),
                        line: Some(j.line),
                        via: format!(
                            "after {} {}",
                            if name.starts_with(AZURE_KEY) {
                                from
                            } else {
                                name.as_str()
                            },
                            if *checked { "succeeds" } else { "completes" }
                        ),
                    },
                ],
                triggers: runnable,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract;
    use crate::read::Document;

    fn names(files: &[(&str, &str)]) -> (WorkflowNames, Vec<Trigger>) {
        let paths: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
        let facts: Facts = files
            .iter()
            .filter_map(|(p, c)| {
                extract::extract(&Document::new(p, c.to_string())).map(|f| (p.to_string(), f))
            })
            .collect();
        let follower = match facts.get(&paths[0]) {
            Some(FileFacts::Entry { triggers, .. }) => triggers.clone(),
            _ => Vec::new(),
        };
        (WorkflowNames::of(&facts, &paths), follower)
    }

    const FOLLOWER: &str = "on:\n  workflow_run:\n    workflows: [\"UPSTREAM\"]\n    types: [completed]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python train.py\n";

    fn waits_for_none(upstream_file: (&str, &str), named: &str) -> bool {
        let follower = FOLLOWER.replace("UPSTREAM", named);
        let (w, triggers) = names(&[(".github/workflows/train.yml", &follower), upstream_file]);
        let t = triggers
            .iter()
            .find(|t| t.kind == TriggerKind::PipelineCompletion)
            .expect("workflow_run trigger");
        w.waits_for_none("github-actions", t)
    }

    /// A `workflow_run` starts after a workflow of the repository of that name (its `name:`,
    /// else its path, in any case); one naming no workflow here never starts. A workflow
    /// file ripen could not read leaves the question open.
    #[test]
    fn workflow_run_waits_for_a_workflow_of_the_repository() {
        let named = (
            ".github/workflows/ci.yml",
            "name: Python Tests\non: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n",
        );
        let unnamed = (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n",
        );
        assert!(!waits_for_none(named, "Python Tests"));
        assert!(!waits_for_none(named, "python tests"));
        assert!(waits_for_none(named, "Python app"));
        assert!(!waits_for_none(unnamed, ".github/workflows/ci.yml"));
        assert!(waits_for_none(unnamed, "CI"));
        assert!(!waits_for_none(
            (".github/workflows/ci.yml", "[not: a: workflow"),
            "CI"
        ));
        // A copy elsewhere is not one of the repository's workflows.
        assert!(waits_for_none(
            ("seed/.github/workflows/ci.yml", named.1),
            "Python Tests"
        ));
    }
}
