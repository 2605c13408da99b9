//! AICoE CI (Red Hat's AI Center of Excellence CI, a GitHub App on Tekton used by Thoth and
//! Operate First projects): the root `.aicoe-ci.yaml`. Its `check:` list names the checks run
//! on every pull request (`thoth-pytest`, `thoth-precommit`, `thoth-build`, `overlays-build`,
//! ...); a tag or release builds and pushes the images (`build:`, `overlays:`). The checks are
//! the service's own tasks: `thoth-pytest` runs the repository's pytest suite and
//! `thoth-precommit` its pre-commit hooks, so those are their commands; the image builds are
//! read by the rule `aicoe-ci-build-check`.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, trig, whole_job};
use crate::model::{Command, FileFacts, TriggerKind};
use crate::paths::file_name;
use crate::read::Document;
use crate::read::structured::Node;

/// AICoE CI.
pub(crate) struct AicoeCi;

fn named(rel: &str) -> bool {
    matches!(file_name(rel), ".aicoe-ci.yaml" | ".aicoe-ci.yml")
}

/// What a check of the service runs in the repository, for the checks that run its code.
fn check_command(check: &str) -> Option<&'static str> {
    Some(match check {
        "thoth-pytest" | "thoth-pytest-py38" | "thoth-pytest-py36" | "pytest" => "pytest",
        "thoth-precommit" | "thoth-precommit-py38" | "precommit" => "pre-commit run --all-files",
        _ => return None,
    })
}

fn aicoe(y: &Yaml) -> FileFacts {
    let mut commands = Vec::new();
    for item in y.root.get("check").map(Node::as_seq).unwrap_or(&[]) {
        if let Some(c) = item.as_str().and_then(check_command) {
            commands.push(Command::run(item.line, c.to_string()));
        }
    }
    let triggers = vec![
        trig(TriggerKind::PullRequest, None, 1),
        trig(TriggerKind::Release, None, 1),
    ];
    entry("aicoe-ci", triggers, whole_job(y.end, commands))
}

impl CiSystem for AicoeCi {
    fn id(&self) -> &'static str {
        "aicoe-ci"
    }
    fn at(&self, rel: &str) -> bool {
        named(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        Some(aicoe(&Yaml::of(doc)?))
    }
    fn fixed_location(&self, rel: &str) -> bool {
        named(rel)
    }
    /// AICoE CI reads the root `.aicoe-ci.yaml`.
    fn copy(&self, rel: &str) -> Option<String> {
        crate::ci::copy_below(
            named(rel),
            crate::paths::parent(rel),
            "AICoE CI reads the root `.aicoe-ci.yaml`",
        )
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            ".aicoe-ci.yaml",
            "check:\n  - thoth-pytest\n  - thoth-build\nbuild:\n  base-image: quay.io/thoth-station/s2i-thoth-ubi8-py38:v0.28.0\n  build-stratergy: Source\n",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pull-request checks that run the repository's code become its commands; the image
    /// builds are the rule's, and a copy below the root runs nothing.
    #[test]
    fn checks_run_on_pull_requests() {
        let doc = Document::new(
            ".aicoe-ci.yaml",
            "check:\n  - thoth-precommit\n  - thoth-pytest\n  - thoth-build\n".to_string(),
        );
        match AicoeCi.read(&doc) {
            Some(FileFacts::Entry { jobs, triggers, .. }) => {
                let texts: Vec<&str> = jobs[0].commands.iter().map(|c| c.text.as_str()).collect();
                assert_eq!(texts, ["pre-commit run --all-files", "pytest"]);
                assert!(triggers.iter().any(|t| t.kind == TriggerKind::PullRequest));
            }
            other => panic!("{other:?}"),
        }
        assert!(AicoeCi.copy("sub/.aicoe-ci.yaml").is_some());
        assert!(AicoeCi.copy(".aicoe-ci.yaml").is_none());
    }
}
