//! Buildkite: pipelines under `.buildkite/`. Builds are started by the webhooks of the
//! Buildkite pipeline (configured in Buildkite), so triggers are external. Each command step
//! (also inside `group:`s) is a job, named by its `key` or `label`; `wait`, `block` and
//! `trigger` steps run nothing here. `buildkite-agent pipeline upload FILE` in a command
//! reaches the uploaded pipeline (the shell reader resolves it).

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, item_jobs, push_block, trig, whole_job};
use crate::model::{FileFacts, TriggerKind};
use crate::paths::is_yaml;
use crate::read::Document;
use crate::read::structured::Node;

/// Buildkite.
pub(crate) struct Buildkite;

/// Command steps, depth-first through groups, with their place in the file.
fn command_steps<'a>(steps: &'a [Node], out: &mut Vec<&'a Node>, depth: usize) {
    for s in steps {
        if let Some(group) = s.get("steps").filter(|_| depth < 8) {
            command_steps(group.as_seq(), out, depth + 1);
        } else if s.get("command").or_else(|| s.get("commands")).is_some() {
            out.push(s);
        }
    }
}

fn buildkite(y: &Yaml) -> FileFacts {
    let steps = match y.root.get("steps") {
        Some(s) => s.as_seq(),
        None => y.root.as_seq(),
    };
    let mut found = Vec::new();
    command_steps(steps, &mut found, 0);
    let triggers = vec![trig(TriggerKind::External, None, 1)];
    if found.is_empty() {
        return entry("buildkite", triggers, whole_job(y.end, Vec::new()));
    }
    let jobs = item_jobs(&found, y.end, |i, step| {
        let text = |k: &str| step.get(k).and_then(Node::as_str).map(str::to_string);
        let name = text("key")
            .or_else(|| text("label"))
            .or_else(|| text("name"))
            .unwrap_or_else(|| format!("step {}", i + 1));
        let mut commands = Vec::new();
        for k in ["command", "commands"] {
            let mut scalars = Vec::new();
            if let Some(n) = step.get(k) {
                n.scalars(&mut scalars);
            }
            for (s, line) in scalars {
                push_block(&mut commands, s, line, true, None);
            }
        }
        (name, commands)
    });
    entry("buildkite", triggers, jobs)
}

impl CiSystem for Buildkite {
    fn id(&self) -> &'static str {
        "buildkite"
    }
    fn runs_at_checkout_root(&self) -> bool {
        true
    }
    fn at(&self, rel: &str) -> bool {
        rel.starts_with(".buildkite/") && is_yaml(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        Some(buildkite(&Yaml::of(doc)?))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            ".buildkite/pipeline.yml",
            "steps:\n  - label: test\n    command: pytest\n  - wait\n  - label: train\n    commands:\n      - make train\n",
        )]
    }
}
