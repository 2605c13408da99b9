//! Travis CI: `.travis.yml`. Builds run on push and pull request (cron jobs are configured in
//! Travis itself). The phases (`install`, `script`, `deploy` with the script provider, ...)
//! hold the commands; each entry of `jobs.include` (or `matrix.include`) is a job of its own
//! whose phases replace the file's.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, item_jobs, push_block, trig, whole_job};
use crate::model::{Command, FileFacts, TriggerKind};
use crate::paths::file_name;
use crate::read::Document;
use crate::read::structured::Node;

/// Travis CI.
pub(crate) struct Travis;

/// The keys whose values are shell commands, in the order Travis runs them.
const PHASES: &[&str] = &[
    "before_install",
    "install",
    "before_script",
    "script",
    "after_success",
    "after_failure",
    "before_deploy",
    "after_deploy",
    "after_script",
];

/// The commands of each phase: the job's own where it sets the phase, else the file's. The
/// phases run in one shell: a `cd web` in `before_install` moves the `script` after it.
fn phase_commands(job: &Node, file: &Node) -> Vec<Command> {
    let mut out = Vec::new();
    let mut cwd: Option<String> = None;
    for phase in PHASES {
        let Some(node) = job.get(phase).or_else(|| file.get(phase)) else {
            continue;
        };
        let mut scalars = Vec::new();
        node.scalars(&mut scalars);
        for (s, line) in scalars {
            push_block(&mut out, s, line, true, cwd.as_deref());
            cwd = crate::shell::cd::after_block(cwd.as_deref(), s);
        }
    }
    // `deploy: {provider: script, script: ...}`, one provider or a list of them.
    if let Some(deploy) = job.get("deploy").or_else(|| file.get("deploy")) {
        let providers: Vec<&Node> = match deploy.as_seq() {
            [] => vec![deploy],
            items => items.iter().collect(),
        };
        for p in providers {
            if let Some(s) = p.get("script")
                && let Some(text) = s.as_str()
            {
                push_block(&mut out, text, s.line, true, None);
            }
        }
    }
    out
}

fn travis(y: &Yaml) -> FileFacts {
    let triggers = vec![
        trig(TriggerKind::Push, None, 1),
        trig(TriggerKind::PullRequest, None, 1),
    ];
    let include = ["jobs", "matrix"]
        .iter()
        .filter_map(|k| y.root.get(k)?.get("include"))
        .map(Node::as_seq)
        .find(|items| !items.is_empty())
        .unwrap_or(&[]);
    if include.is_empty() {
        return entry(
            "travis",
            triggers,
            whole_job(y.end, phase_commands(y.root, y.root)),
        );
    }
    let items: Vec<&Node> = include.iter().collect();
    let jobs = item_jobs(&items, y.end, |i, job| {
        let text = |k: &str| job.get(k).and_then(Node::as_str).map(str::to_string);
        let name = text("name")
            .or_else(|| text("stage").map(|s| format!("{s} {}", i + 1)))
            .unwrap_or_else(|| format!("job {}", i + 1));
        (name, phase_commands(job, y.root))
    });
    entry("travis", triggers, jobs)
}

impl CiSystem for Travis {
    fn id(&self) -> &'static str {
        "travis"
    }
    fn at(&self, rel: &str) -> bool {
        file_name(rel) == ".travis.yml"
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        Some(travis(&Yaml::of(doc)?))
    }
    fn fixed_location(&self, rel: &str) -> bool {
        file_name(rel) == ".travis.yml"
    }
    /// Travis CI reads only the root `.travis.yml`.
    fn copy(&self, rel: &str) -> Option<String> {
        crate::ci::copy_below(
            self.at(rel),
            crate::paths::parent(rel),
            "Travis CI reads only the root `.travis.yml`",
        )
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (".travis.yml", "language: python\nscript:\n  - pytest\n"),
            (
                ".travis.yml",
                "language: python\njobs:\n  include:\n    - name: test\n      script: pytest\n    - stage: train\n      script: make train\n",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `cd` in an early phase moves the phases after it: they run in one shell.
    #[test]
    fn phases_share_one_shell() {
        let text = "language: node_js\nbefore_install:\n  - cd web\nscript:\n  - npm run test\n";
        let (_, jobs) = crate::ci::read_entry(&Travis, ".travis.yml", text);
        let test = jobs[0]
            .commands
            .iter()
            .find(|c| c.text == "npm run test")
            .expect("the test command");
        assert_eq!(test.cwd.as_deref(), Some("web"));
    }
}
