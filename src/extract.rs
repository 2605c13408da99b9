//! What each file contributes to the automation graph, read during the single read pass: the
//! dispatch from a path (and, for YAML elsewhere, a document's shape) to the CI system,
//! orchestrator or kind of file that reads it.

use crate::ci::{self, Yaml, orchestrators};
use crate::facts::job_spec;
use crate::facts::{
    compose, dockerfile, dvc, make, pyproject, pytasks, python, tasks, toml_tasks, tox,
};
use crate::model::{Command, FileFacts};
use crate::paths::{file_name, is_yaml, parent};
use crate::read::Document;
use crate::read::structured::Node;
use std::sync::LazyLock;

/// Files the automation graph reads even when no rule asks for them.
/// A file with no extension in a folder of scripts (`script/test`, `scripts/train`, `bin/deploy`:
/// the "scripts to rule them all" layout), which CI runs by path: read, and taken as a shell
/// script when its `#!` line says so.
pub(crate) fn extensionless_script(rel: &str) -> bool {
    let name = file_name(rel);
    let dir = crate::paths::file_name(crate::paths::parent(rel));
    !name.contains('.')
        && !name.is_empty()
        && matches!(
            dir,
            "script" | "scripts" | "bin" | "ci" | ".ci" | "tools" | "hack"
        )
}

pub(crate) fn wanted(rel: &str) -> bool {
    let name = file_name(rel);
    rel.ends_with(".py")
        || rel.ends_with(".ipynb")
        || is_yaml(rel)
        || rel.ends_with(".sh")
        || rel.ends_with(".bash")
        || rel.ends_with(".mk")
        || rel.ends_with(".groovy")
        || ci::jenkins::script_named_for_jenkins(name)
        || rel.ends_with(".json")
        || is_typescript(rel)
        || dockerfile::is_dockerfile(name)
        || matches!(
            name,
            "Makefile"
                | "makefile"
                | "GNUmakefile"
                | "cdk.json"
                | "package.json"
                | "pyproject.toml"
                | "tox.ini"
                | "tox.toml"
                | "setup.cfg"
                | "pixi.toml"
                | "hatch.toml"
                | "Dvcfile"
                | "MLproject"
                | "MLProject"
        )
        || (name.ends_with(".dvc") && name.len() > 4)
        || extensionless_script(rel)
        || tasks::JUSTFILES.contains(&name)
        || tasks::TASKFILES.contains(&name)
        || ci::at(rel).is_some()
        || orchestrators::at(rel).is_some()
}

pub fn extract(doc: &Document) -> Option<FileFacts> {
    let rel = doc.rel.as_str();
    let name = file_name(rel);
    if let Some(system) = ci::at(rel) {
        return system.read(doc);
    }
    if name.ends_with(".groovy") || ci::jenkins::script_named_for_jenkins(name) {
        return ci::jenkins::groovy(doc);
    }
    if is_typescript(rel) {
        return ci::cdk_pipelines::read(doc);
    }
    if name == "Makefile" || name == "makefile" || name == "GNUmakefile" || name.ends_with(".mk") {
        return Some(make::makefile(doc));
    }
    if name == "dvc.yaml" {
        return dvc::dvc(doc);
    }
    if tasks::JUSTFILES.contains(&name) {
        return Some(tasks::justfile(doc));
    }
    if tasks::TASKFILES.contains(&name) {
        return tasks::taskfile(doc);
    }
    if name == "package.json" {
        return tasks::package_json(doc);
    }
    if name == ".pre-commit-config.yaml" || name == ".pre-commit-config.yml" {
        return tasks::pre_commit(doc);
    }
    if name == "MLproject" || name == "MLProject" {
        return tasks::mlproject(doc);
    }
    if name == "pyproject.toml" {
        return pyproject::pyproject(doc);
    }
    // Python task runners (`shell::runners` reads the commands that run them).
    match name {
        "tox.ini" => return tox::tox_ini(doc),
        // Tox sections and console scripts; a `setup.py` with none is read as Python.
        "setup.cfg" => return pyproject::setup_file(doc),
        "setup.py" => {
            if let Some(f) = pyproject::setup_file(doc) {
                return Some(f);
            }
        }
        "tox.toml" => return tox::tox_toml(doc),
        "pixi.toml" | "hatch.toml" => return toml_tasks::runner_file(doc),
        "noxfile.py" => return pytasks::noxfile(doc).or_else(|| Some(python::python(doc))),
        "tasks.py" if pytasks::is_invoke(&doc.text) => {
            return pytasks::invoke_tasks(doc).or_else(|| Some(python::python(doc)));
        }
        _ => {}
    }
    if name == "Dvcfile" || (name.ends_with(".dvc") && name.len() > 4) {
        return dvc::stage_file(doc);
    }
    if dockerfile::is_dockerfile(name) {
        return Some(dockerfile::dockerfile(doc));
    }
    if crate::facts::elyra::is_elyra_pipeline(name, &doc.text) {
        return crate::facts::elyra::pipeline(doc);
    }
    if name == "cdk.json" {
        let root = doc.structured().ok()?.first()?.clone();
        let app = root.get("app")?;
        return Some(FileFacts::Commands(vec![Command {
            line: app.line,
            text: app.as_str()?.to_string(),
            shell: true,
            cwd: Some(format!("/{}", parent(rel))),
        }]));
    }
    if compose::is_compose(rel)
        && let Some(f) = compose::compose(doc)
    {
        return Some(f);
    }
    if let Some(o) = orchestrators::at(rel) {
        return o.read(doc);
    }
    if name.ends_with(".sh") || name.ends_with(".bash") || has_shell_shebang(&doc.text) {
        return Some(FileFacts::Commands(script_commands(&doc.text)));
    }
    // A notebook's code cells are Python: what they import and run is reached as a script's.
    if name.ends_with(".ipynb") && doc.line_map.is_some() {
        return Some(python::python(doc));
    }
    if name.ends_with(".py") {
        return ci::cdk_pipelines::read(doc).or_else(|| {
            let mut facts = python::python(doc);
            orchestrators::databricks::python_task_files(doc, &mut facts);
            if let FileFacts::Python { literals, .. } = &mut facts {
                literals.extend(crate::facts::dockerfile::python_image_refs(doc));
            }
            Some(facts)
        });
    }
    if is_yaml(rel) {
        return yaml_other(doc);
    }
    if name.ends_with(".json") {
        return orchestrators::databricks::json(doc);
    }
    None
}

/// TypeScript sources (not declaration files), read for CDK pipelines.
fn is_typescript(rel: &str) -> bool {
    rel.ends_with(".ts") && !rel.ends_with(".d.ts")
}

/// A shell script's lines as commands. Without `set -e` (or `-e` on its `#!` line) a script
/// goes on after a failing command, and only its last command decides its exit status: every
/// command before the last is read as after `set +e` (its failure is ignored, it gates
/// nothing), as written by a `set +e` at line 0 and a `set -e` before the last command.
fn script_commands(text: &str) -> Vec<Command> {
    // A `cd DIR` alone on its line moves the lines after it (`cd training-pipeline`, then
    // `poetry build`), from where the script is run.
    let mut cwd: Option<String> = None;
    let mut cmds: Vec<Command> = crate::shell::logical_lines(text)
        .into_iter()
        .map(|(i, l)| {
            let mut c = Command::run(i as u32 + 1, &l);
            c.cwd = cwd.clone();
            cwd = crate::shell::cd::block_line(cwd.as_deref(), &l);
            c
        })
        .collect();
    let shebang_e = text.lines().next().is_some_and(|l| {
        l.starts_with("#!")
            && l.split_whitespace()
                .skip(1)
                .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains('e'))
    });
    if shebang_e {
        return cmds;
    }
    let code = |c: &Command| {
        let t = c.text.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    // The last command: the last line of code (continuations are joined to their first line).
    let Some(last) = cmds.iter().rposition(code) else {
        return cmds;
    };
    if !text.contains("set +e") {
        cmds.insert(last, Command::run(cmds[last].line, "set -e"));
    }
    cmds.insert(0, Command::run(0, "set +e"));
    cmds
}

fn has_shell_shebang(text: &str) -> bool {
    text.starts_with("#!")
        && text
            .lines()
            .next()
            .is_some_and(|l| l.contains("sh") && !l.contains("python"))
}

/// A YAML file outside the known CI locations: a CI configuration of its system's shape (an
/// Azure Pipelines file, an included GitLab fragment, Tekton objects, a GitHub local action),
/// a Kustomization, an orchestrator's scheduled object (Databricks bundle jobs, Prefect
/// deployments, Azure ML schedules, CloudFormation event rules, Kubernetes `CronJob`, Argo
/// `CronWorkflow` and sensors), or a job spec whose values may run something or name a file.
fn yaml_other(doc: &Document) -> Option<FileFacts> {
    if !yaml_may_yield(doc) {
        return None;
    }
    let y = Yaml::of(doc)?;
    if let Some(f) = ci::REGISTRY.iter().find_map(|s| s.shaped(&y)) {
        return Some(f);
    }
    if y.name().starts_with("kustomization.") || y.name() == "Kustomization" {
        return Some(kustomization(&y));
    }
    if let Some(f) = orchestrators::REGISTRY.iter().find_map(|s| s.shaped(&y)) {
        return Some(f);
    }
    job_spec::commands(&y)
}

/// Whether [`yaml_other`] could find anything in this file, decided from its name and text
/// without parsing it: parsing every configuration file of a large tree was a third of a scan.
/// Sound, not a guess: each kind of fact needs one of these in the text: a word of a CI
/// system or orchestrator found by shape ([`ci::words`]), or a mark or runner of a job spec
/// ([`job_spec::may_run_or_name_a_file`]), unless an escape sequence spells it.
fn yaml_may_yield(doc: &Document) -> bool {
    static KEYS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(ci::words()).expect("fixed word list builds")
    });
    // Keys and kinds are whole words (`script:`, not `description:`).
    let bytes = doc.text.as_bytes();
    let word = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i))
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    };
    let key = KEYS
        .find_overlapping_iter(&doc.text)
        .any(|m| !word(m.start().checked_sub(1)) && !word(Some(m.end())));
    let name = file_name(&doc.rel);
    name == "action.yml"
        || name == "action.yaml"
        || name.starts_with("kustomization.")
        || name == "Kustomization"
        || key
        || job_spec::may_run_or_name_a_file(&doc.text)
        || crate::read::structured::has_escape(&doc.text)
}

/// A Kustomization: the resources, bases, components and patches it applies.
fn kustomization(y: &Yaml) -> FileFacts {
    let mut commands = Vec::new();
    for k in [
        "resources",
        "bases",
        "components",
        "patches",
        "patchesStrategicMerge",
    ] {
        for item in y.root.get(k).map(Node::as_seq).unwrap_or(&[]) {
            let (s, l) = match (item.as_str(), item.get("path")) {
                (Some(s), _) => (s, item.line),
                (None, Some(p)) => (p.as_str().unwrap_or(""), p.line),
                _ => continue,
            };
            if !s.is_empty() && !s.contains("://") {
                commands.push(Command::reference(
                    l,
                    format!("/{}", crate::paths::join(&y.here, s).unwrap_or_default()),
                ));
            }
        }
    }
    FileFacts::Commands(commands)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TriggerKind;

    fn facts(rel: &str, text: &str) -> FileFacts {
        extract(&Document::new(rel, text.to_string())).expect("facts")
    }

    #[test]
    fn gha_triggers_and_steps() {
        let f = facts(
            ".github/workflows/train.yml",
            "on:\n  schedule:\n    - cron: '0 3 * * 1'\n  workflow_dispatch:\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          pip install -r requirements.txt\n          make train\n        working-directory: ml\n",
        );
        let FileFacts::Entry { triggers, jobs, .. } = f else {
            panic!()
        };
        assert_eq!(triggers[0].kind, TriggerKind::Schedule);
        assert_eq!(triggers[0].detail.as_deref(), Some("0 3 * * 1"));
        assert_eq!(triggers[0].line, 3);
        assert_eq!(triggers[1].kind, TriggerKind::Manual);
        let make = jobs[0]
            .commands
            .iter()
            .find(|c| c.text.contains("make"))
            .unwrap();
        assert_eq!(make.line, 12);
        assert_eq!(make.cwd.as_deref(), Some("/ml"));
    }

    /// The textual precheck never hides a fact that parsing would find, and it does skip the
    /// configuration files that hold none.
    #[test]
    fn yaml_precheck_is_sound_and_skips_plain_config() {
        let parsed = |rel: &str, text: &str| {
            let doc = Document::new(rel, text.to_string());
            (
                yaml_may_yield(&doc),
                doc.was_parsed(),
                extract(&doc).is_some(),
            )
        };
        let yielding = [
            (
                "k8s/cron.yaml",
                "kind: CronJob\nspec:\n  schedule: '0 3 * * *'\n",
            ),
            ("jobs/train.yml", "command: [python, train.py]\n"),
            ("jobs/spec.yml", "entry: make train\n"),
            ("conf/paths.yml", "data: data/raw\n"),
            ("pipe/azure.yml", "steps:\n  - script: echo hi\n"),
            (
                "bundle.yml",
                "resources:\n  jobs:\n    j:\n      tasks: []\n",
            ),
            // `c` spelt as an escape: the text holds no runner word, the value does.
            ("conf/escaped.yml", "cmd: \"\\x6dake train\"\n"),
        ];
        for (rel, text) in yielding {
            let (may, _, yields) = parsed(rel, text);
            assert!(may, "{rel}: precheck refused a file with facts");
            assert!(yields, "{rel}: no facts");
        }
        // `description` and `scripts` hold `script`, `makes` holds `make`: no key, no runner.
        let (may, was_parsed, yields) = parsed(
            "svc/settings.yaml",
            "handler:\n  retry:\n    enabled: true\n    description: makes scripts wait\n",
        );
        assert!(!may && !was_parsed && !yields);
    }

    /// A job whose `if:` is always false never runs; steps and jobs that may fail are marked.
    #[test]
    fn gha_never_jobs_and_steps_that_may_fail() {
        let FileFacts::Entry { jobs, .. } = facts(
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  off:\n    if: ${{ false }}\n    runs-on: x\n    steps:\n      - run: pytest\n  test:\n    runs-on: x\n    steps:\n      - run: ruff check .\n      - name: tests\n        continue-on-error: true\n        run: pytest\n      - if: false\n        run: make train\n",
        ) else {
            panic!()
        };
        assert_eq!(jobs[0].triggers[0].kind, TriggerKind::Called);
        assert!(jobs[0].commands.is_empty());
        let texts: Vec<&str> = jobs[1].commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["ruff check .", "pytest"]);
        assert_eq!(jobs[1].may_fail, vec![(12, 14)]);
        let FileFacts::Entry { jobs, .. } = facts(
            ".gitlab-ci.yml",
            "test:\n  allow_failure: true\n  script: [pytest]\n",
        ) else {
            panic!()
        };
        assert_eq!(jobs[0].may_fail, vec![(1, 3)]);
    }

    /// An action input that the action runs (`with: command:`) is a shell command; a
    /// `github-script` `script:` is JavaScript, not shell (fails without the exclusion).
    #[test]
    fn gha_action_inputs_that_run_commands() {
        let FileFacts::Entry { jobs, .. } = facts(
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/submit-job\n        with:\n          job-type: gpu\n          command: chmod +x ./ci/build.sh && ./ci/build.sh torch\n      - uses: nick-fields/retry@v3\n        with:\n          command: pytest tests\n      - uses: actions/github-script@v7\n        with:\n          script: console.log('make deploy')\n",
        ) else {
            panic!()
        };
        let shell: Vec<&str> = jobs[0]
            .commands
            .iter()
            .filter(|c| c.shell)
            .map(|c| c.text.as_str())
            .collect();
        assert!(
            shell.contains(&"chmod +x ./ci/build.sh && ./ci/build.sh torch"),
            "{shell:?}"
        );
        assert!(shell.contains(&"pytest tests"), "{shell:?}");
        assert!(
            !shell.iter().any(|c| c.contains("console.log")),
            "{shell:?}"
        );
    }

    #[test]
    fn makefile_targets() {
        let FileFacts::Targets { targets, .. } = facts(
            "Makefile",
            "PY := python\n.PHONY: train\ntrain: data\n\t$(PY) src/train.py \\\n\t  --epochs 3\n\ndata:\n\t@bash scripts/get.sh\n",
        ) else {
            panic!()
        };
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].name, "train");
        assert_eq!(targets[0].deps, vec!["data"]);
        assert_eq!(targets[0].commands[0].line, 4);
        assert!(targets[0].commands[0].text.contains("--epochs 3"));
        assert_eq!(targets[1].commands[0].text, "bash scripts/get.sh");
    }

    #[test]
    fn gitlab_schedule_jobs() {
        let FileFacts::Entry { jobs, .. } = facts(
            ".gitlab-ci.yml",
            "stages: [test]\ntest:\n  script:\n    - pytest\nretrain:\n  rules:\n    - if: '$CI_PIPELINE_SOURCE == \"schedule\"'\n  script:\n    - python train.py\n",
        ) else {
            panic!()
        };
        assert_eq!(jobs.len(), 2);
        assert!(jobs[0].triggers.is_empty());
        assert_eq!(jobs[1].triggers[0].kind, TriggerKind::Schedule);
    }

    #[test]
    fn python_imports_and_literals() {
        let FileFacts::Python {
            imports,
            literals,
            code_dirs,
            ..
        } = facts(
            "pipeline.py",
            "from src.model import train, evaluate\nimport utils.io as io\nest = Estimator(entry_point='train.py', source_dir='./src')\n",
        )
        else {
            panic!()
        };
        assert!(imports.iter().any(|(_, m)| m == "src.model.train"));
        assert!(imports.iter().any(|(_, m)| m == "utils.io"));
        assert!(literals.iter().any(|c| c.text == "train.py"));
        assert_eq!(code_dirs, vec!["src"]);
    }

    #[test]
    fn gitlab_rules_and_only() {
        let FileFacts::Entry { jobs, .. } = facts(
            ".gitlab-ci.yml",
            "a:\n  rules:\n    - if: '$CI_PIPELINE_SOURCE == \"schedule\"'\n      when: never\n    - if: '$CI_MERGE_REQUEST_IID'\n  script: [pytest]\nb:\n  only: [schedules, web]\n  script: [python t.py]\nc:\n  when: manual\n  script: [make deploy]\n",
        ) else {
            panic!()
        };
        let kinds = |i: usize| jobs[i].triggers.iter().map(|t| t.kind).collect::<Vec<_>>();
        assert_eq!(kinds(0), vec![TriggerKind::PullRequest]);
        assert_eq!(kinds(1), vec![TriggerKind::Schedule, TriggerKind::Manual]);
        assert_eq!(kinds(2), vec![TriggerKind::Manual]);
    }

    #[test]
    fn dockerfile_maps_image_paths_to_the_repository() {
        let FileFacts::Commands(c) = facts(
            "svc/Dockerfile",
            "FROM python:3.11\nWORKDIR /srv\nCOPY src/ ./src/\nCOPY entry.sh /usr/local/bin/\nRUN pip install .\nENTRYPOINT [\"/usr/local/bin/entry.sh\"]\nCMD [\"python\", \"src/serve.py\"]\n",
        ) else {
            panic!()
        };
        let last = c.last().expect("cmd");
        assert_eq!(last.text, "/svc/entry.sh python /svc/src/serve.py");
        assert_eq!(last.line, 6);
    }

    #[test]
    fn azure_shape_anywhere_and_not_other_yaml() {
        assert!(matches!(
            facts("ops/train.yml", "steps:\n  - script: python train.py\n"),
            FileFacts::Entry {
                system: "azure-pipelines",
                ..
            }
        ));
        // A data YAML keeps no facts at all: nothing in it runs or names a file.
        assert!(
            extract(&Document::new(
                "conf/params.yml",
                "steps: 3\nlr: 0.1\n".to_string()
            ))
            .is_none()
        );
        assert!(matches!(
            facts("conf/job.yml", "command: python train.py\nlr: 0.1\n"),
            FileFacts::Commands(c) if c.len() == 1
        ));
    }
}
