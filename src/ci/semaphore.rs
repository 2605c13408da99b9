//! Semaphore: `.semaphore/semaphore.yml`, the pipeline each push and pull request starts, and
//! the other `.semaphore/*.yml` pipelines its `promotions:` reach. A promotion with
//! `auto_promote` (or the older `auto_promote_on`) starts its `pipeline_file` without a person
//! when the pipeline passes: that file runs as part of the promoting pipeline (an include, with
//! its triggers). Any other promotion is a click, so a pipeline file no automatic promotion
//! reaches is started by hand. Each job of `blocks[].task.jobs` is a job, running the
//! `global_job_config` and task `prologue.commands`, its own `commands` and the `epilogue`'s.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{push_block, trig};
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::paths::{file_name, is_yaml, parent};
use crate::read::Document;
use crate::read::structured::Node;

/// Semaphore.
pub(crate) struct Semaphore;

/// The commands under `key` of a node (`commands:` lists, also in `epilogue.always`, ...).
fn commands_at(node: Option<&Node>, out: &mut Vec<Command>) {
    let Some(n) = node else { return };
    let mut scalars = Vec::new();
    n.scalars(&mut scalars);
    for (s, line) in scalars {
        push_block(out, s, line, true, None);
    }
}

/// `prologue.commands` (and an `epilogue`'s `always`/`on_pass`/`on_fail` commands).
fn section(node: Option<&Node>, key: &str, out: &mut Vec<Command>) {
    let Some(s) = node.and_then(|n| n.get(key)) else {
        return;
    };
    commands_at(s.get("commands"), out);
    for k in ["always", "on_pass", "on_fail"] {
        commands_at(s.get(k).and_then(|x| x.get("commands")), out);
    }
}

fn jobs(y: &Yaml) -> Vec<Job> {
    let global = y.root.get("global_job_config");
    let blocks = y.root.get("blocks").map(Node::as_seq).unwrap_or(&[]);
    let mut out: Vec<Job> = Vec::new();
    for (bi, block) in blocks.iter().enumerate() {
        let bname = block
            .get("name")
            .and_then(Node::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("block {}", bi + 1));
        let task = block.get("task");
        let items = task
            .and_then(|t| t.get("jobs"))
            .map(Node::as_seq)
            .unwrap_or(&[]);
        for (ji, job) in items.iter().enumerate() {
            let jname = job
                .get("name")
                .and_then(Node::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("job {}", ji + 1));
            let mut commands = Vec::new();
            section(global, "prologue", &mut commands);
            section(task, "prologue", &mut commands);
            commands_at(job.get("commands"), &mut commands);
            section(task, "epilogue", &mut commands);
            section(global, "epilogue", &mut commands);
            let end = items
                .get(ji + 1)
                .or_else(|| blocks.get(bi + 1))
                .map(|n| n.line.saturating_sub(1))
                .unwrap_or(y.end);
            out.push(Job::new(
                format!("{bname}/{jname}"),
                (job.line, end.max(job.line)),
                Vec::new(),
                commands,
            ));
        }
    }
    out
}

/// The pipeline files promotions start without a person, as root-relative references.
fn auto_promoted(y: &Yaml) -> Vec<Command> {
    let promotions = y.root.get("promotions").map(Node::as_seq).unwrap_or(&[]);
    promotions
        .iter()
        .filter(|p| p.get("auto_promote").is_some() || p.get("auto_promote_on").is_some())
        .filter_map(|p| {
            let f = p.get("pipeline_file")?;
            let path = f.as_str()?.trim().trim_start_matches("./");
            let joined = crate::paths::join(&y.here, path)?;
            Some(Command::reference(f.line, format!("/{joined}")))
        })
        .collect()
}

fn semaphore(y: &Yaml) -> FileFacts {
    // The pipeline Semaphore starts on each push and pull request; other files wait for a
    // promotion (automatic ones include them, below).
    let triggers = if y.name() == "semaphore.yml" || y.name() == "semaphore.yaml" {
        vec![
            trig(TriggerKind::Push, None, 1),
            trig(TriggerKind::PullRequest, None, 1),
        ]
    } else {
        vec![trig(TriggerKind::Manual, Some("promotion".into()), 1)]
    };
    FileFacts::Entry {
        system: "semaphore",
        triggers,
        jobs: jobs(y),
        includes: auto_promoted(y),
        name: None,
    }
}

/// A YAML file of a `.semaphore/` folder.
fn named(rel: &str) -> bool {
    is_yaml(rel) && file_name(parent(rel)) == ".semaphore"
}

impl CiSystem for Semaphore {
    fn id(&self) -> &'static str {
        "semaphore"
    }
    fn at(&self, rel: &str) -> bool {
        named(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        // A `.semaphore/` file without blocks is not a pipeline (a secret, a config).
        y.root.get("blocks")?;
        Some(semaphore(&y))
    }
    fn fixed_location(&self, rel: &str) -> bool {
        named(rel)
    }
    /// Semaphore reads pipelines from the root `.semaphore/` folder.
    fn copy(&self, rel: &str) -> Option<String> {
        crate::ci::copy_below(
            named(rel),
            parent(parent(rel)),
            "Semaphore reads pipelines from the root `.semaphore/` folder",
        )
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                ".semaphore/semaphore.yml",
                "version: v1.0\nname: CI\nblocks:\n  - name: Test\n    task:\n      prologue:\n        commands:\n          - checkout\n      jobs:\n        - name: pytest\n          commands:\n            - pytest\npromotions:\n  - name: Deploy\n    pipeline_file: deploy.yml\n    auto_promote:\n      when: \"result = 'passed' and branch = 'main'\"\n",
            ),
            (
                ".semaphore/deploy.yml",
                "version: v1.0\nname: Deploy\nblocks:\n  - name: Deploy\n    task:\n      jobs:\n        - name: deploy\n          commands:\n            - make deploy\n",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_prologues_and_automatic_promotions() {
        let (path, text) = Semaphore.samples()[0];
        let doc = Document::new(path, text.to_string());
        let Some(FileFacts::Entry {
            triggers,
            jobs,
            includes,
            ..
        }) = Semaphore.read(&doc)
        else {
            panic!("not read");
        };
        assert_eq!(triggers.len(), 2);
        assert_eq!(jobs[0].name, "Test/pytest");
        let texts: Vec<&str> = jobs[0].commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["checkout", "pytest"]);
        assert_eq!(includes[0].text, "/.semaphore/deploy.yml");
        let manual = "blocks:\n  - task:\n      jobs:\n        - commands: [make]\npromotions:\n  - name: Prod\n    pipeline_file: prod.yml\n";
        let doc = Document::new(".semaphore/deploy.yml", manual.to_string());
        let Some(FileFacts::Entry {
            triggers, includes, ..
        }) = Semaphore.read(&doc)
        else {
            panic!("not read");
        };
        assert_eq!(triggers[0].kind, TriggerKind::Manual);
        assert!(includes.is_empty());
        assert!(Semaphore.copy("app/.semaphore/semaphore.yml").is_some());
        assert!(Semaphore.copy(".semaphore/semaphore.yml").is_none());
    }
}
