//! AWS CodeBuild: `buildspec*.yml`. Builds are started by what the CodeBuild project is
//! configured with (outside the repository), so its triggers are external; every scalar of the
//! file is read as a command.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, scalar_commands, trig, whole_job};
use crate::model::{FileFacts, TriggerKind};
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
        file_name(rel).starts_with("buildspec") && is_yaml(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        Some(entry(
            self.id(),
            vec![trig(TriggerKind::External, None, 1)],
            whole_job(y.end, scalar_commands(y.root, true, &y.here)),
        ))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "buildspec.yml",
            "version: 0.2\nphases:\n  build:\n    commands:\n      - pytest\n",
        )]
    }
}
