//! AWS CodeBuild: `*buildspec*.yml` (`buildspec.yml`, SageMaker projects'
//! `codebuild-buildspec.yml`), whose builds are started by what the CodeBuild project is
//! configured with (outside the repository), so its triggers are external; and a YAML file of
//! buildspec shape under any other name, which runs only when a project names it (called).
//! Every scalar of the file is read as a command.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, scalar_commands, trig, whole_job};
use crate::model::{FileFacts, Trigger, TriggerKind};
use crate::paths::file_name;
use crate::paths::is_yaml;
use crate::read::Document;

/// AWS CodeBuild.
pub(crate) struct CodeBuild;

impl CiSystem for CodeBuild {
    fn id(&self) -> &'static str {
        "codebuild"
    }
    fn runs_at_checkout_root(&self) -> bool {
        true
    }
    fn at(&self, rel: &str) -> bool {
        // `buildspec.yml`, `buildspec-train.yml`, SageMaker Projects' `codebuild-buildspec.yml`.
        file_name(rel).contains("buildspec") && is_yaml(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        Some(Self::buildspec(&y, TriggerKind::External))
    }
    fn words(&self) -> &'static [&'static str] {
        &["phases"]
    }
    /// A `version:` and `phases:` whose phases hold `commands:`: a buildspec, whatever its name.
    /// Under a name CodeBuild does not look for, it runs only when a project names it (a
    /// CloudFormation, CDK or Terraform project here, or one configured outside): it is
    /// called, not started on its own.
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        let phases = y.root.get("phases")?;
        y.root.get("version")?;
        if !phases
            .entries()
            .iter()
            .any(|(_, _, p)| p.get("commands").is_some())
        {
            return None;
        }
        Some(Self::buildspec(y, TriggerKind::Called))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                "buildspec.yml",
                "version: 0.2\nphases:\n  build:\n    commands:\n      - pytest\n",
            ),
            (
                "codebuild-buildspec.yml",
                "version: 0.2\nphases:\n  build:\n    commands:\n      - python run_pipeline.py\n",
            ),
        ]
    }
}

/// The triggers of a CodeBuild webhook whose filters name pushes and pull requests as given
/// (in CloudFormation or Terraform): the pull requests when named, pushes when named or when
/// no pull request is.
pub(crate) fn webhook_triggers(pushes: bool, pull_requests: bool, line: u32) -> Vec<Trigger> {
    let hook = |kind| trig(kind, Some("CodeBuild webhook".into()), line);
    let mut out = Vec::new();
    if pushes || !pull_requests {
        out.push(hook(TriggerKind::Push));
    }
    if pull_requests {
        out.push(hook(TriggerKind::PullRequest));
    }
    out
}

impl CodeBuild {
    /// Every scalar of the file as a command of one job, started as `start` says.
    /// Its `env: variables:` (and `$CODEBUILD_SRC_DIR`, the source's root) are expanded in
    /// the commands that name them (`cd $CODEBUILD_SRC_DIR/$SUB_PATH`).
    fn buildspec(y: &Yaml, start: TriggerKind) -> FileFacts {
        let mut commands = scalar_commands(y.root, true, &y.here);
        let mut vars = crate::ci::vars::with_workspace_roots();
        crate::ci::vars::read_map(
            y.root.get("env").and_then(|e| e.get("variables")),
            "",
            &mut vars,
        );
        crate::ci::vars::expand(&mut commands, 0, &vars);
        entry(
            "codebuild",
            vec![trig(start, None, 1)],
            whole_job(y.end, commands),
        )
    }
}
