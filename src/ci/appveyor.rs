//! AppVeyor: the root `appveyor.yml` or `.appveyor.yml`. Builds run on push and pull request
//! (scheduled builds are configured in AppVeyor itself). The phases (`install`,
//! `build_script`, `test_script`, `deploy_script`, `on_success`, ...) hold commands: a string,
//! or a list of strings and `{cmd: ...}` / `{ps: ...}` / `{pwsh: ...}` / `{sh: ...}` items.
//! `build: off` switches the build phase off (its `build_script` runs nothing), `test: off`
//! the test phase (its `test_script`). The matrix runs the same phases: one job for the file,
//! with the phases of its `for:` items (a branch's or a matrix entry's own) too.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, push_block, trig, whole_job};
use crate::model::{Command, FileFacts, TriggerKind};
use crate::paths::file_name;
use crate::read::Document;
use crate::read::structured::Node;

/// AppVeyor.
pub(crate) struct AppVeyor;

/// The keys whose values are commands, in the order AppVeyor runs them.
const PHASES: &[&str] = &[
    "init",
    "clone_script",
    "install",
    "before_build",
    "build_script",
    "after_build",
    "before_test",
    "test_script",
    "after_test",
    "before_deploy",
    "deploy_script",
    "after_deploy",
    "on_success",
    "on_failure",
    "on_finish",
];

/// Whether a phase (`build`, `test`) is switched off (`build: off`, `test: false`).
fn off(root: &Node, phase: &str) -> bool {
    root.get(phase)
        .and_then(Node::as_str)
        .is_some_and(|v| matches!(v.trim(), "off" | "false" | "Off" | "OFF" | "False"))
}

fn commands(root: &Node) -> Vec<Command> {
    let mut out = Vec::new();
    for phase in PHASES {
        if (*phase == "build_script" && off(root, "build"))
            || (*phase == "test_script" && off(root, "test"))
        {
            continue;
        }
        let Some(node) = root.get(phase) else {
            continue;
        };
        let mut scalars = Vec::new();
        node.scalars(&mut scalars);
        for (s, line) in scalars {
            push_block(&mut out, s, line, true, None);
        }
    }
    out
}

fn appveyor(y: &Yaml) -> FileFacts {
    let triggers = vec![
        trig(TriggerKind::Push, None, 1),
        trig(TriggerKind::PullRequest, None, 1),
    ];
    let mut all = commands(y.root);
    // `for:` items (per branch or matrix entry) set phases of their own for those builds.
    for item in y.root.get("for").map(Node::as_seq).unwrap_or(&[]) {
        all.extend(commands(item));
    }
    entry("appveyor", triggers, whole_job(y.end, all))
}

fn named(rel: &str) -> bool {
    matches!(file_name(rel), "appveyor.yml" | ".appveyor.yml")
}

impl CiSystem for AppVeyor {
    fn id(&self) -> &'static str {
        "appveyor"
    }
    fn at(&self, rel: &str) -> bool {
        named(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        Some(appveyor(&Yaml::of(doc)?))
    }
    fn fixed_location(&self, rel: &str) -> bool {
        named(rel)
    }
    /// AppVeyor reads the root `appveyor.yml` or `.appveyor.yml`.
    fn copy(&self, rel: &str) -> Option<String> {
        crate::ci::copy_below(
            named(rel),
            crate::paths::parent(rel),
            "AppVeyor reads the root `appveyor.yml` or `.appveyor.yml`",
        )
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                "appveyor.yml",
                "install:\n  - pip install -r requirements.txt\nbuild: off\ntest_script:\n  - pytest\n",
            ),
            (
                ".appveyor.yml",
                "build_script:\n  - cmd: python setup.py bdist_wheel\n  - ps: Write-Host done\n",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        let doc = Document::new("appveyor.yml", text.to_string());
        match AppVeyor.read(&doc) {
            Some(FileFacts::Entry { jobs, .. }) => {
                jobs[0].commands.iter().map(|c| c.text.clone()).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn phases_items_and_switched_off_phases() {
        assert_eq!(
            texts(
                "environment:\n  matrix:\n    - PY: 3.9\ninstall:\n  - cmd: pip install .\n  - sh: echo hi\nbuild: off\nbuild_script:\n  - make\ntest_script:\n  - ps: pytest\non_success: make deploy\n"
            ),
            ["pip install .", "echo hi", "pytest", "make deploy"]
        );
        assert_eq!(
            texts("test: off\ntest_script:\n  - pytest\n"),
            Vec::<String>::new()
        );
        assert_eq!(
            texts(
                "test_script: [pytest]\nfor:\n  - branches:\n      only: [main]\n    deploy_script:\n      - make release\n"
            ),
            ["pytest", "make release"]
        );
        assert!(AppVeyor.copy("sub/appveyor.yml").is_some());
        assert!(AppVeyor.copy(".appveyor.yml").is_none());
    }
}
