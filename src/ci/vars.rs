//! Variables a CI file defines for its own commands: GitLab and Azure Pipelines `variables:`,
//! template `parameters:` defaults, CircleCI `environment:` and `parameters:`, Cloud Build
//! `substitutions:`, CodeBuild `env: variables:` (GitHub's expressions, outputs included, are `ci::gha_expr`). A command that names one
//! (`python $TRAIN_SCRIPT`, `python ${{ matrix.script }}`) reaches what its value names; the
//! expansion itself is [`crate::shell::vars`].

use crate::model::Command;
use crate::read::structured::{Node, Value};
use crate::shell::vars::Vars;

/// The variables each CI system predefines as the checkout's root (`$(Build.SourcesDirectory)`,
/// `$CI_PROJECT_DIR`...; GitHub's are in `ci::gha_expr`): a path under one is a path of the
/// repository.
pub(crate) const WORKSPACE_ROOTS: &[&str] = &[
    "Build.SourcesDirectory",
    "Build.Repository.LocalPath",
    "System.DefaultWorkingDirectory",
    "CI_PROJECT_DIR",
    "CIRCLE_WORKING_DIRECTORY",
    "CODEBUILD_SRC_DIR",
];

/// Variables with what the CI service predefines as the checkout's root ([`WORKSPACE_ROOTS`]).
pub(crate) fn with_workspace_roots() -> Vars {
    let mut vars = Vars::default();
    for name in WORKSPACE_ROOTS {
        vars.set(name, ".");
    }
    vars
}

/// `name: value` entries of a map (`env:`, `variables:`, `substitutions:`), each as
/// `prefix` + name. A GitLab variable written `{value: x, description: ...}` has its `value`.
pub(crate) fn read_map(node: Option<&Node>, prefix: &str, vars: &mut Vars) {
    for (k, _, v) in node.map(Node::entries).unwrap_or(&[]) {
        let value = v.as_str().or_else(|| v.get("value").and_then(Node::as_str));
        if let Some(value) = value {
            vars.set(&format!("{prefix}{k}"), value);
        }
    }
}

/// Declared inputs or parameters with a default (`inputs: {x: {default: y}}`, Azure
/// `parameters: [{name: x, default: y}]`, CircleCI `parameters: {x: {default: y}}`): the
/// value a run gets when its caller passes none, as `prefix` + name.
pub(crate) fn read_defaults(node: Option<&Node>, prefix: &str, vars: &mut Vars) {
    let Some(node) = node else {
        return;
    };
    let mut add = |name: &str, decl: &Node| {
        if let Some(d) = decl.get("default").and_then(Node::as_str) {
            vars.set(&format!("{prefix}{name}"), d);
        }
    };
    match &node.value {
        Value::Map(entries) => entries.iter().for_each(|(k, _, v)| add(k, v)),
        Value::Seq(items) => {
            for i in items {
                if let Some(n) = i.get("name").and_then(Node::as_str) {
                    add(n, i);
                }
            }
        }
        _ => {}
    }
}

/// Azure Pipelines `variables:`, a map or a list of `- name: x value: y` (groups and
/// templates in the list name no value here).
pub(crate) fn read_azure_variables(node: Option<&Node>, vars: &mut Vars) {
    let Some(node) = node else {
        return;
    };
    match &node.value {
        Value::Map(_) => read_map(Some(node), "", vars),
        Value::Seq(items) => {
            for i in items {
                if let (Some(n), Some(v)) = (
                    i.get("name").and_then(Node::as_str),
                    i.get("value").and_then(Node::as_str),
                ) {
                    vars.set(n, v);
                }
            }
        }
        _ => {}
    }
}

/// A matrix (GitHub `strategy.matrix`, GitLab `parallel.matrix` items): each axis with its
/// values, as `prefix` + axis; `include:` entries add values to their axes.
pub(crate) fn read_matrix(node: Option<&Node>, prefix: &str, vars: &mut Vars) {
    let Some(node) = node else {
        return;
    };
    let mut axes: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |axis: &str, v: &Node| {
        let values: Vec<String> = match &v.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_string)
                .collect(),
            _ => v.as_str().map(str::to_string).into_iter().collect(),
        };
        match axes.iter_mut().find(|(a, _)| a == axis) {
            Some((_, vals)) => vals.extend(values),
            None => axes.push((axis.to_string(), values)),
        }
    };
    let maps: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    for m in maps {
        for (k, _, v) in m.entries() {
            match k.as_str() {
                "include" => {
                    for i in v.as_seq() {
                        i.entries().iter().for_each(|(a, _, val)| add(a, val));
                    }
                }
                "exclude" => {}
                _ => add(k, v),
            }
        }
    }
    for (axis, mut values) in axes {
        values.dedup();
        vars.set_all(&format!("{prefix}{axis}"), values);
    }
}

/// The commands from `from` on, with the variables they name replaced; a command naming a
/// variable with several values (a matrix axis) becomes one command per value.
pub(crate) fn expand(commands: &mut Vec<Command>, from: usize, vars: &Vars) {
    if vars.is_empty() || from >= commands.len() {
        return;
    }
    let tail = commands.split_off(from);
    for mut c in tail {
        // A directory entered through a variable (`cd ${PROJECT_NAME}/`): its value.
        if let Some(d) = c
            .cwd
            .as_deref()
            .filter(|d| d.contains('$') && !d.contains("${{"))
        {
            c.cwd = vars
                .expand(d)
                .into_iter()
                .next()
                .map(|d| d.trim_matches('/').trim_start_matches("./").to_string())
                .filter(|d| !d.is_empty() && d != ".");
        }
        let texts = vars.expand(&c.text);
        if texts.len() == 1 && texts[0] == c.text {
            commands.push(c);
            continue;
        }
        for text in texts {
            commands.push(Command {
                text,
                cwd: c.cwd.clone(),
                ..c
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::FileFacts;
    use crate::read::Document;

    /// Every command line of a CI file, as ripen reads it.
    fn lines(path: &str, text: &str) -> Vec<String> {
        let doc = Document::new(path, text.to_string());
        match crate::extract::extract(&doc) {
            Some(FileFacts::Entry { jobs, .. }) => jobs
                .into_iter()
                .flat_map(|j| j.commands.into_iter().map(|c| c.text))
                .collect(),
            other => panic!("{path} is not an entry point: {other:?}"),
        }
    }

    #[test]
    fn each_system_writes_its_variables_into_its_commands() {
        let cases: &[(&str, &str)] = &[
            (
                ".github/workflows/ci.yml",
                "on: [push]\nenv:\n  TRAIN: src/train.py\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python ${{ env.TRAIN }}\n",
            ),
            (
                ".github/workflows/step.yml",
                "on: [push]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python $TRAIN\n        env:\n          TRAIN: src/train.py\n",
            ),
            (
                ".github/workflows/called.yml",
                "on:\n  workflow_call:\n    inputs:\n      entry:\n        type: string\n        default: src/train.py\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python ${{ inputs.entry }}\n",
            ),
            (
                ".gitlab-ci.yml",
                "variables:\n  SRC: src\ntrain:\n  variables:\n    TRAIN: $SRC/train.py\n  script:\n    - python ${TRAIN}\n",
            ),
            (
                "azure-pipelines.yml",
                "trigger: [main]\nvariables:\n  - name: trainScript\n    value: src/train.py\nsteps:\n  - script: python $(trainScript)\n",
            ),
            (
                "pipelines/train.yml",
                "parameters:\n  - name: entry\n    default: src/train.py\nsteps:\n  - script: python ${{ parameters.entry }}\n",
            ),
            (
                ".circleci/config.yml",
                "version: 2.1\njobs:\n  train:\n    parameters:\n      script:\n        type: string\n        default: src/train.py\n    docker: [{image: python}]\n    steps:\n      - run: python << parameters.script >>\nworkflows:\n  main:\n    jobs: [train]\n",
            ),
            (
                "cloudbuild.yaml",
                "substitutions:\n  _TRAIN: src/train.py\nsteps:\n  - name: python:3.11\n    entrypoint: python\n    args: ['${_TRAIN}']\n",
            ),
            (
                "buildspec.yml",
                "version: 0.2\nenv:\n  variables:\n    TRAIN: src/train.py\nphases:\n  build:\n    commands:\n      - python $CODEBUILD_SRC_DIR/$TRAIN\n",
            ),
        ];
        for (path, text) in cases {
            let got = lines(path, text);
            assert!(
                got.iter()
                    .any(|l| l.contains("python") && l.contains("src/train.py")),
                "{path}: {got:?}"
            );
        }
    }

    /// A path under the checkout's root variable is a path of the repository.
    #[test]
    fn workspace_root_variables_are_the_repository_root() {
        for (path, text) in [
            (
                "azure-pipelines.yml",
                "trigger: [main]\nsteps:\n  - script: python $(Build.SourcesDirectory)/ml/train.py\n",
            ),
            (
                ".gitlab-ci.yml",
                "train:\n  script:\n    - python $CI_PROJECT_DIR/ml/train.py\n",
            ),
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python ${{ github.workspace }}/ml/train.py\n",
            ),
        ] {
            let got = lines(path, text);
            assert!(
                got.iter().any(|l| l == "python ./ml/train.py"),
                "{path}: {got:?}"
            );
        }
    }

    /// A local action's `${{ inputs.x }}` is its input's default.
    #[test]
    fn a_local_action_uses_its_input_defaults() {
        let text = "inputs:\n  entry:\n    default: src/train.py\nruns:\n  using: composite\n  steps:\n    - run: python ${{ inputs.entry }}\n      shell: bash\n";
        let doc = Document::new(".github/actions/train/action.yml", text.to_string());
        let Some(FileFacts::Commands(cmds)) = crate::extract::extract(&doc) else {
            panic!("not read as commands");
        };
        assert!(
            cmds.iter().any(|c| c.text == "python src/train.py"),
            "{cmds:?}"
        );
    }

    #[test]
    fn a_matrix_axis_stands_for_each_of_its_values() {
        let got = lines(
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  t:\n    runs-on: x\n    strategy:\n      matrix:\n        model: [a, b]\n        include:\n          - model: c\n    steps:\n      - run: python train_${{ matrix.model }}.py\n",
        );
        assert_eq!(
            got,
            vec![
                "python train_a.py",
                "python train_b.py",
                "python train_c.py"
            ]
        );
        let got = lines(
            ".gitlab-ci.yml",
            "train:\n  parallel:\n    matrix:\n      - MODEL: [a, b]\n  script:\n    - python train_$MODEL.py\n",
        );
        let run: Vec<&String> = got.iter().filter(|l| l.starts_with("python")).collect();
        assert_eq!(run, ["python train_a.py", "python train_b.py"]);
    }
}
