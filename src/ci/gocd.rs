//! GoCD pipelines as code (the YAML config-repository plugin): every `*.gocd.yaml` /
//! `*.gocd.yml` file of the repository. Each pipeline of `pipelines:` runs when one of its
//! `materials:` changes: a source material (`git`, `svn`, `hg`, `p4`, `tfs`, `scm`) is a code
//! change, an upstream `pipeline:` material the completion of another pipeline, a `timer:` a
//! schedule; a first stage with `approval: manual` waits for a person. Every job of every stage
//! (of the pipeline, or of the `template:` it names) is a job whose `tasks:` run: `exec:` (a
//! command and its `arguments`, `bash -c "..."` read as the shell line it is) and the script
//! executor's `script:`.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, shell_join, trig};
use crate::model::{Command, FileFacts, Job, Trigger, TriggerKind};
use crate::paths::file_name;
use crate::read::Document;
use crate::read::structured::Node;

/// GoCD.
pub(crate) struct GoCd;

/// Source materials: a change to them starts the pipeline.
const SOURCE_MATERIALS: &[&str] = &["git", "svn", "hg", "p4", "tfs", "scm", "plugin"];

/// Whether a stage waits for a person (`approval: manual`, `approval: {type: manual}`).
fn manual(stage: &Node) -> bool {
    stage.get("approval").is_some_and(|a| {
        a.as_str() == Some("manual") || a.get("type").and_then(Node::as_str) == Some("manual")
    })
}

/// What starts a pipeline: its materials, its timer, or a person when its first stage waits.
fn pipeline_triggers(p: &Node, first_stage_manual: bool) -> Vec<Trigger> {
    if first_stage_manual {
        return vec![trig(TriggerKind::Manual, None, p.line.max(1))];
    }
    let mut t = Vec::new();
    if let Some(m) = p.get("materials") {
        for (_, line, mat) in m.entries() {
            if mat.get("pipeline").is_some() {
                t.push(trig(TriggerKind::PipelineCompletion, None, *line));
            } else if SOURCE_MATERIALS.iter().any(|k| mat.get(k).is_some())
                && mat.get("auto_update").and_then(Node::as_str) != Some("false")
            {
                t.push(trig(TriggerKind::Push, None, *line));
            }
        }
    }
    if let Some(timer) = p.get("timer") {
        let spec = timer
            .get("spec")
            .unwrap_or(timer)
            .as_str()
            .map(str::to_string);
        t.push(trig(TriggerKind::Schedule, spec, timer.line.max(1)));
    }
    t
}

/// The commands of one task: `exec:` (`bash -c LINE` is LINE), or `script:`.
fn task_commands(task: &Node, out: &mut Vec<Command>) {
    if let Some(e) = task.get("exec") {
        let Some(cmd) = e.get("command").and_then(Node::as_str) else {
            return;
        };
        let args: Vec<&Node> = e
            .get("arguments")
            .map(|a| a.as_seq().iter().collect())
            .unwrap_or_default();
        let texts: Vec<&str> = args.iter().filter_map(|a| a.as_str()).collect();
        let cwd = e
            .get("working_directory")
            .and_then(Node::as_str)
            .map(|d| d.to_string());
        let shell = matches!(file_name(cmd), "bash" | "sh" | "zsh");
        let (line, text) = match texts.iter().position(|a| *a == "-c") {
            Some(i) if shell && i + 1 < texts.len() => (args[i + 1].line, texts[i + 1..].join(" ")),
            _ => (
                e.line,
                shell_join(std::iter::once(cmd).chain(texts.iter().copied())),
            ),
        };
        for (k, l) in text.lines().enumerate() {
            out.push(Command {
                cwd: cwd.clone(),
                ..Command::run(line + k as u32, l)
            });
        }
    } else if let Some(s) = task.get("script").and_then(Node::as_str) {
        let line = task.get("script").map(|n| n.line).unwrap_or(task.line);
        for (k, l) in s.lines().enumerate() {
            out.push(Command::run(line + k as u32, l));
        }
    }
}

/// Each job of the stages, with the pipeline's triggers and the lines it spans.
fn stage_jobs(stages: &Node, triggers: &[Trigger], end: u32, out: &mut Vec<Job>) {
    for item in stages.as_seq() {
        for (stage_name, _, stage) in item.entries() {
            let Some(jobs) = stage.get("jobs") else {
                continue;
            };
            let entries = jobs.entries();
            let ranges = crate::facts::yaml::ranges(entries, end);
            for ((name, line, job), (_, job_end)) in entries.iter().zip(ranges) {
                let mut commands = Vec::new();
                for t in job.get("tasks").map(Node::as_seq).unwrap_or_default() {
                    task_commands(t, &mut commands);
                }
                out.push(Job::new(
                    format!("{stage_name}/{name}"),
                    (*line, job_end),
                    triggers.to_vec(),
                    commands,
                ));
            }
        }
    }
}

fn gocd(y: &Yaml) -> Option<FileFacts> {
    let pipelines = y.root.get("pipelines")?;
    let templates = y.root.get("templates");
    let mut all = Vec::new();
    let mut jobs = Vec::new();
    for (i, (_, _, p)) in pipelines.entries().iter().enumerate() {
        let stages = p.get("stages").or_else(|| {
            let t = p.get("template").and_then(Node::as_str)?;
            templates?.get(t)?.get("stages")
        });
        let Some(stages) = stages else {
            continue;
        };
        let first_manual = stages
            .as_seq()
            .first()
            .and_then(|s| s.entries().first())
            .is_some_and(|(_, _, s)| manual(s));
        let triggers = pipeline_triggers(p, first_manual);
        let end = pipelines
            .entries()
            .get(i + 1)
            .map(|(_, l, _)| l.saturating_sub(1))
            .unwrap_or(y.end);
        stage_jobs(stages, &triggers, end, &mut jobs);
        all.extend(triggers);
    }
    all.sort_by_key(|t| (t.kind, t.line));
    all.dedup_by_key(|t| t.kind);
    Some(entry("gocd", all, jobs))
}

/// `*.gocd.yaml` / `*.gocd.yml`, the config-repository plugin's default pattern.
fn named(rel: &str) -> bool {
    let n = file_name(rel);
    n.ends_with(".gocd.yaml") || n.ends_with(".gocd.yml")
}

impl CiSystem for GoCd {
    fn id(&self) -> &'static str {
        "gocd"
    }
    fn at(&self, rel: &str) -> bool {
        named(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        gocd(&Yaml::of(doc)?)
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "ci.gocd.yaml",
            "pipelines:\n  ci:\n    group: ml\n    materials:\n      repo:\n        git: https://example.com/ml.git\n    stages:\n      - test:\n          jobs:\n            test:\n              tasks:\n                - exec:\n                    command: bash\n                    arguments: [-c, pytest]\n",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pipeline on a Git material runs on code changes; its tasks are read through `bash -c`;
    /// an upstream-pipeline material starts the second on completion; a first stage that waits
    /// for approval makes the third manual.
    #[test]
    fn pipelines_materials_and_tasks() {
        let text = "pipelines:\n  build:\n    materials:\n      src:\n        git: https://example.com/ml.git\n    stages:\n      - commit:\n          jobs:\n            test:\n              tasks:\n              - exec:\n                  command: bash\n                  arguments:\n                  - -c\n                  - docker run img bin/test.sh\n              - exec:\n                  command: make\n                  arguments: [train]\n                  working_directory: ml\n      - deploy:\n          approval:\n            type: manual\n          jobs:\n            prod:\n              tasks:\n              - script: kubectl set image deploy/api api=img\n  evaluate:\n    materials:\n      up:\n        pipeline: build\n        stage: commit\n    stages:\n      - eval:\n          jobs:\n            metrics:\n              tasks:\n              - exec: {command: python, arguments: [evaluate.py]}\n  release:\n    materials:\n      src:\n        git: https://example.com/ml.git\n    stages:\n      - ship:\n          approval: manual\n          jobs:\n            ship: {tasks: [{script: ./release.sh}]}\n";
        let (triggers, jobs) = crate::ci::read_entry(&GoCd, "ci.gocd.yaml", text);
        let kinds = |j: &Job| j.triggers.iter().map(|t| t.kind).collect::<Vec<_>>();
        let texts = |j: &Job| {
            j.commands
                .iter()
                .map(|c| c.text.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(jobs.len(), 4);
        assert_eq!(jobs[0].name, "commit/test");
        assert_eq!(
            texts(&jobs[0]),
            vec!["docker run img bin/test.sh", "make train"]
        );
        assert_eq!(jobs[0].commands[0].line, 15);
        assert_eq!(jobs[0].commands[1].cwd.as_deref(), Some("ml"));
        assert_eq!(kinds(&jobs[0]), vec![TriggerKind::Push]);
        assert_eq!(
            texts(&jobs[1]),
            vec!["kubectl set image deploy/api api=img"]
        );
        assert_eq!(kinds(&jobs[2]), vec![TriggerKind::PipelineCompletion]);
        assert_eq!(texts(&jobs[2]), vec!["python evaluate.py"]);
        assert_eq!(kinds(&jobs[3]), vec![TriggerKind::Manual]);
        assert!(triggers.iter().any(|t| t.kind == TriggerKind::Push));
    }
}
