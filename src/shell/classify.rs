//! What one simple command runs, as far as the automation graph cares. Wrappers (`uv run`,
//! `coverage run`, launchers) are unwrapped first; then the program decides, through one
//! function per kind of tool.

use crate::shell::programs::*;
use crate::shell::{Action, base_name};
use crate::shell::{notebooks, runners};

/// The program a command line runs once its wrappers are removed (`uv run train` runs
/// `train`).
pub(crate) fn unwrapped_program(tokens: &[String]) -> Option<String> {
    let mut t: Vec<&str> = tokens.iter().map(String::as_str).collect();
    unwrap(&mut t);
    t.first().map(|p| base_name(p).to_string())
}

pub fn classify(tokens: &[String]) -> Option<Action> {
    // A runner's own task first: `pdm run train` is a PDM script before it is a program.
    if let [first, rest @ ..] = tokens
        && let Some(a) = runners::python_task(base_name(first), rest, classify)
    {
        return Some(a);
    }
    let mut t: Vec<&str> = tokens.iter().map(String::as_str).collect();
    unwrap(&mut t);
    let program = base_name(t.first()?);
    let args: Vec<String> = t[1..].iter().map(|s| s.to_string()).collect();
    if let Some(a) = super::named_runs::rest_api_run(program, &args) {
        return Some(a);
    }
    // `pre-commit run` runs the hooks of `.pre-commit-config.yaml`, its local hooks' commands
    // among them (`facts::tasks::pre_commit`); the hooks of other repositories only check.
    if program == "pre-commit" && args.first().map(String::as_str) == Some("run") {
        return Some(Action::Files {
            paths: vec![".pre-commit-config.yaml".into()],
            alternatives: true,
        });
    }
    // `script/test` is the repository's script of that name, not the shell's `test`.
    if READERS.contains(&program) && !(program == "test" && t[0].contains('/')) {
        return None;
    }
    if t.len() < tokens.len()
        && let Some(a) = runners::python_task(program, &args, classify)
    {
        return Some(a);
    }
    if TEST_RUNNERS.contains(&program) {
        return Some(Action::Tests {
            paths: test_paths(program, &args),
        });
    }
    if PYTHONS.contains(&program) || program.starts_with("python3.") {
        return python(&args);
    }
    tool(program, t[0], &args)
}

/// Flags of `uv run` / `poetry run` / `pdm run`... that take a value.
const RUNNER_VALUE_FLAGS: &[&str] = &[
    "--with",
    "-w",
    "--with-requirements",
    "--with-editable",
    "--env-file",
    "--project",
    "--directory",
    "--group",
    "--extra",
    "--python",
    "-p",
    "--package",
    "--index",
    "--only-group",
];

/// Removes the wrappers that run the rest of the line.
fn unwrap(t: &mut Vec<&str>) {
    loop {
        match t.as_slice() {
            [
                "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye",
                "run",
                ..,
            ] => {
                t.drain(..2);
                // The runner's own flags (`uv run --frozen --with x python ...`), then `--`.
                while let Some(f) = t
                    .first()
                    .copied()
                    .filter(|f| f.starts_with('-') && *f != "--")
                {
                    // `uv run -m pkg.mod` (`--module`) runs the module as `python -m` does.
                    if matches!(f, "-m" | "--module") {
                        t[0] = "-m";
                        t.insert(0, "python");
                        break;
                    }
                    t.remove(0);
                    if RUNNER_VALUE_FLAGS.contains(&f) && !t.is_empty() {
                        t.remove(0);
                    }
                }
                if t.first() == Some(&"--") {
                    t.remove(0);
                }
            }
            ["conda" | "mamba" | "micromamba", "run", ..] => {
                t.drain(..2);
                while t.first().is_some_and(|x| x.starts_with('-')) {
                    let flag = t.remove(0);
                    if matches!(flag, "-n" | "--name" | "-p" | "--prefix") && !t.is_empty() {
                        t.remove(0);
                    }
                }
            }
            ["npx" | "bunx" | "pnpx", ..] => {
                t.remove(0);
                while t.first().is_some_and(|x| x.starts_with('-')) {
                    t.remove(0);
                }
            }
            // `python -m coverage run ...` is `coverage run ...`.
            [py, "-m", "coverage", "run", ..]
                if PYTHONS.contains(py) || py.starts_with("python3.") =>
            {
                t.drain(..2);
            }
            ["coverage", "run", ..] => {
                t.drain(..2);
                // Its own flags first: `--source src` names what is measured, not what runs.
                while t.first().is_some_and(|x| x.starts_with('-') && *x != "-m") {
                    let flag = t.remove(0);
                    if COVERAGE_VALUE_FLAGS.contains(&flag) && !t.is_empty() {
                        t.remove(0);
                    }
                }
                // `coverage run -m pytest` = `python -m pytest`
                t.insert(0, "python");
            }
            // MPI-style launchers run the command after their own flags (`horovodrun -np 2 -H
            // localhost:2 pytest test/x.py`, `mpirun -n 4 python train.py`): what that command
            // is decides what runs (a test runner runs tests).
            ["horovodrun" | "mpirun" | "mpiexec" | "srun", ..] => {
                let program = t.iter().skip(1).position(|x| {
                    super::is_runner_program(x) || x.ends_with(".py") || x.ends_with(".sh")
                });
                match program {
                    Some(k) => {
                        t.drain(..=k);
                    }
                    None => break,
                }
            }
            ["accelerate", "launch", ..] | ["deepspeed", ..] | ["torchrun", ..] => {
                let skip = if t[0] == "accelerate" { 2 } else { 1 };
                t.drain(..skip);
                t.insert(0, "python");
            }
            _ => break,
        }
    }
}

/// Arguments that are not flags, and the values of `--flag=value`.
pub(super) fn positional(args: &[String]) -> Vec<String> {
    args.iter()
        .filter_map(|a| {
            if let Some((_, v)) = a.split_once('=').filter(|_| a.starts_with('-')) {
                Some(v.to_string())
            } else if a.starts_with('-') {
                None
            } else {
                Some(a.clone())
            }
        })
        .collect()
}

/// The tests a test runner is given: its arguments that are neither flags nor the values of
/// flags ([`test_runner_value_flags`], `--flag=value`). `pytest tests --cov=src` runs `tests`,
/// and only measures `src`.
fn test_paths(runner: &str, args: &[String]) -> Vec<String> {
    let value_flags = test_runner_value_flags(runner);
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            continue;
        }
        if a.starts_with('-') {
            if !a.contains('=') && value_flags.contains(&a.as_str()) {
                it.next();
            }
            continue;
        }
        out.push(a.clone());
    }
    out
}

/// Files the command applies or runs; none: no action.
pub(super) fn files(paths: Vec<String>) -> Option<Action> {
    (!paths.is_empty()).then_some(Action::Files {
        paths,
        alternatives: false,
    })
}

/// `python [flags] script args`, `python -m module`.
fn python(args: &[String]) -> Option<Action> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "-m" {
            let module = args.get(i + 1)?.clone();
            let rest = &args[i + 2..];
            return match module.as_str() {
                "tox" | "nox" => runners::python_task(&module, rest, classify),
                "pytest" | "unittest" => Some(Action::Tests {
                    paths: test_paths(&module, rest),
                }),
                // Launchers: the script they start.
                "torch.distributed.run" | "torch.distributed.launch" | "accelerate" => {
                    let mut t: Vec<&str> = vec!["python"];
                    t.extend(
                        rest.iter()
                            .map(String::as_str)
                            .skip_while(|a| *a == "launch"),
                    );
                    let owned: Vec<String> = t.iter().map(|s| s.to_string()).collect();
                    classify(&owned)
                }
                "uvicorn" | "gunicorn" | "streamlit" | "jobtools" | "fire" | "poetry" | "pdm"
                | "uv" => {
                    let mut t = vec![module.clone()];
                    t.extend(rest.iter().cloned());
                    classify(&t)
                }
                m if is_third_party_module(m) => None,
                _ => Some(Action::PythonModule(module)),
            };
        }
        if a == "-c" {
            let code = args.get(i + 1)?;
            // An installation check (`import horovod.torch as hvd; hvd.init()`, a version
            // print) runs none of the modules' work.
            if is_import_check(code) {
                return None;
            }
            let mods = inline_imports(code);
            return (!mods.is_empty()).then_some(Action::PythonImports(mods));
        }
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        break;
    }
    Some(Action::Paths(positional(args)))
}

/// Whether inline Python code only checks that modules import: every statement an import, a
/// `print(...)`, an `assert`, or a call of an imported module's `init()`/version
/// (`import horovod.torch as hvd; hvd.init()`, `import torch; print(torch.__version__)`).
fn is_import_check(code: &str) -> bool {
    static CHECK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(?:import\s|from\s+\S+\s+import\s|print\s*\(|assert\s|[A-Za-z_][\w.]*\.(?:init|__version__|version|show_versions|show_config)(?:\(\))?$)")
            .expect("import check")
    });
    let mut stmts = code
        .split([';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .peekable();
    stmts.peek().is_some() && stmts.all(|s| CHECK.is_match(s))
}

/// The modules inline Python code imports (`import a.b, c as d`, `from a.b import x, y`: also
/// `a.b.x` and `a.b.y`, which may be submodules); relative and third-party tools left out.
fn inline_imports(code: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |m: &str| {
        let m = m.trim();
        let ok = !m.is_empty()
            && !m.starts_with('.')
            && m.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !is_third_party_module(m);
        if ok && !out.iter().any(|o| o == m) && out.len() < 32 {
            out.push(m.to_string());
        }
    };
    // Folders the code puts on `sys.path` (`sys.path.insert(0, 'src')`): its imports may be
    // modules there too (`from train import Trainer` → `src.train`).
    let dirs: Vec<String> = code
        .split([';', '\n'])
        .filter_map(|stmt| {
            let rest = stmt.trim().strip_prefix("sys.path.")?;
            let arg = rest
                .strip_prefix("insert(")
                .and_then(|r| r.split_once(',').map(|(_, a)| a))
                .or_else(|| rest.strip_prefix("append("))?;
            let dir = arg
                .trim()
                .trim_end_matches(')')
                .trim()
                .trim_matches(['\'', '"']);
            let dir = dir.trim_start_matches("./").trim_end_matches('/');
            (!dir.is_empty()
                && dir
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '/'))
            .then(|| dir.replace('/', "."))
        })
        .take(4)
        .collect();
    let mut push = |m: &str| {
        push(m);
        for d in &dirs {
            push(&format!("{d}.{}", m.trim()));
        }
    };
    for stmt in code.split([';', '\n']).map(str::trim) {
        if let Some(rest) = stmt.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import ") else {
                continue;
            };
            let module = module.trim();
            push(module);
            for n in names
                .trim_matches(|c| c == '(' || c == ')' || c == ' ')
                .split(',')
            {
                let n = n.split(" as ").next().unwrap_or("").trim();
                if !n.is_empty() && n != "*" {
                    push(&format!("{module}.{n}"));
                }
            }
        } else if let Some(rest) = stmt.strip_prefix("import ") {
            for m in rest.split(',') {
                push(m.split(" as ").next().unwrap_or(""));
            }
        }
    }
    out
}

/// Building or publishing a Python package acts on the project where it runs: its
/// `pyproject.toml` (or `setup.py`).
fn package_build(program: &str, sub: Option<&str>) -> Option<Action> {
    let builds = matches!(program, "poetry" | "uv" | "hatch" | "pdm" | "flit" | "rye")
        && matches!(sub, Some("build" | "publish"));
    builds.then_some(Action::PackageBuild)
}

/// Any other program: what it runs, by its subcommand.
fn tool(program: &str, path: &str, args: &[String]) -> Option<Action> {
    if let Some(a) = task_runner(program, args) {
        return Some(a);
    }
    let sub = |i: usize| args.get(i).map(String::as_str);
    if let Some(a) = package_build(program, sub(0)) {
        return Some(a);
    }
    if let Some(a) = super::databricks::action(program, args) {
        return Some(a);
    }
    if let Some(a) = super::named_runs::job_by_name(program, args) {
        return Some(a);
    }
    match (program, sub(0)) {
        ("make" | "gmake", _) => Some(make(args)),
        ("dvc", Some("repro")) => Some(Action::DvcRepro {
            stages: positional(&args[1..]),
        }),
        ("dvc", Some("exp")) if sub(1) == Some("run") => Some(Action::DvcRepro {
            stages: positional(&args[2..]),
        }),
        ("kedro", Some("run")) => Some(Action::Kedro),
        ("gh", Some("workflow")) if sub(1) == Some("run") => {
            args.get(2).map(|w| Action::GhWorkflow(w.clone()))
        }
        ("docker" | "podman", Some("compose")) => super::containers::compose(&args[1..]),
        ("docker-compose" | "podman-compose", _) => super::containers::compose(args),
        ("docker" | "podman", Some("run" | "container")) => {
            super::containers::docker_run_image(args)
        }
        ("docker" | "podman", Some("build" | "buildx")) => {
            Some(super::containers::docker_build(args))
        }
        ("kubectl" | "oc", Some("apply" | "create" | "replace")) | ("kustomize", Some("build")) => {
            kubectl(program, args)
        }
        ("helm", Some("upgrade" | "install" | "template")) => helm(args),
        ("az", Some("ml")) => az_ml(args),
        ("gcloud", Some("functions")) if sub(1) == Some("deploy") => cloud_function(args),
        // A Vertex AI custom job on a custom container runs that image.
        ("gcloud", Some("ai" | "beta")) if args.iter().any(|a| a == "custom-jobs") => {
            super::containers::vertex_custom_job_image(args).or_else(|| cloud_cli(args))
        }
        // A Cloud Run service or a job run now starts its image; other `gcloud run` verbs are
        // read like any cloud CLI call.
        ("gcloud", Some("run" | "beta" | "alpha")) => {
            super::containers::cloud_run_image(args).or_else(|| cloud_cli(args))
        }
        ("az" | "aws" | "gcloud", _) => cloud_cli(args),
        ("gsutil", _) => {
            let at = args
                .iter()
                .position(|a| matches!(a.as_str(), "cp" | "rsync" | "mv"))?;
            upload(&args[at + 1..])
        }
        ("terraform" | "tofu" | "terragrunt", _) => terraform(args),
        ("cdk", Some("deploy" | "synth" | "diff")) => Some(Action::Files {
            paths: vec!["cdk.json".into()],
            alternatives: true,
        }),
        ("sam", Some("deploy" | "build" | "validate")) => sam(args),
        ("buildkite-agent", Some("pipeline")) if sub(1) == Some("upload") => {
            Some(buildkite_upload(args))
        }
        ("source" | ".", _) => source(args),
        // Runners of a function of a module (`jobtools pkg.train trainer_fn --epochs 3`, Azure
        // ML samples' job runner; Google's `fire`): the module, or the script it is given.
        ("jobtools" | "fire", _) => positional(args).into_iter().next().map(|m| {
            if m.ends_with(".py") || m.contains('/') {
                Action::Paths(vec![m])
            } else {
                Action::PythonModule(m)
            }
        }),
        ("uvicorn" | "gunicorn" | "hypercorn", _) => positional(args)
            .into_iter()
            .find(|a| a.contains(':') && !a.contains('/') && !a.contains("0.0.0.0"))
            .and_then(|a| a.split(':').next().map(str::to_string))
            .map(Action::PythonModule),
        ("streamlit", Some("run")) | ("papermill", _) => {
            let p = positional(args);
            let first = if program == "streamlit" {
                p.get(1)
            } else {
                p.first()
            };
            first.map(|f| Action::Files {
                paths: vec![f.clone()],
                alternatives: false,
            })
        }
        ("jupyter", Some("nbconvert" | "execute" | "run")) => notebooks::jupyter(args),
        ("jupytext", _) => notebooks::jupytext(args),
        ("quarto", Some("render")) => notebooks::literate(&args[1..]),
        ("Rscript", _) if args.iter().any(|a| a == "-e") => notebooks::r_expression(args),
        _ if RUN_NOTHING_HERE.contains(&program) => None,
        _ => {
            // `./scripts/train.sh` or `scripts/train.sh`: the program itself is a path.
            let mut paths = positional(args);
            if path.contains('/') || path.ends_with(".sh") || path.ends_with(".py") {
                paths.insert(0, path.to_string());
            }
            Some(Action::Paths(paths))
        }
    }
}

/// Task runners other than make, read as Makefiles are (`facts::tasks`): `just`, `task`, and
/// npm/yarn/pnpm scripts.
fn task_runner(program: &str, args: &[String]) -> Option<Action> {
    let sub = |i: usize| args.get(i).map(String::as_str);
    match (program, sub(0)) {
        ("just", _) => Some(runner(
            args,
            "justfile",
            &["-f", "--justfile"],
            &["-d", "--working-directory"],
            1,
        )),
        ("task" | "go-task", _) => Some(runner(
            args,
            "Taskfile.yml",
            &["-t", "--taskfile"],
            &["-d", "--dir"],
            usize::MAX,
        )),
        ("npm" | "pnpm", Some("run" | "run-script" | "run-s")) => Some(runner(
            &args[1..],
            "package.json",
            &[],
            &["--prefix", "-C", "--dir"],
            1,
        )),
        ("npm" | "pnpm", Some(s @ ("test" | "t" | "start" | "stop" | "restart"))) => {
            let name = if s == "t" { "test" } else { s };
            Some(Action::Make {
                dir: None,
                file: Some("package.json".into()),
                targets: vec![name.into()],
            })
        }
        ("yarn", Some("run")) => Some(runner(&args[1..], "package.json", &[], &["--cwd"], 1)),
        ("yarn", Some(s)) if !s.starts_with('-') && !YARN_COMMANDS.contains(&s) => {
            Some(runner(args, "package.json", &[], &["--cwd"], 1))
        }
        _ => None,
    }
}

/// Yarn's own commands: anything else is a script of `package.json` (`yarn deploy`).
const YARN_COMMANDS: &[&str] = &[
    "add",
    "audit",
    "bin",
    "cache",
    "config",
    "create",
    "dlx",
    "exec",
    "global",
    "info",
    "init",
    "install",
    "link",
    "node",
    "outdated",
    "pack",
    "plugin",
    "publish",
    "rebuild",
    "remove",
    "set",
    "unlink",
    "up",
    "upgrade",
    "version",
    "why",
    "workspace",
    "workspaces",
];

/// A task runner's command line: its file and directory options, then up to `max` names of
/// tasks (the rest are their arguments), read as `make` targets of `default_file`.
fn runner(
    args: &[String],
    default_file: &str,
    file_opts: &[&str],
    dir_opts: &[&str],
    max: usize,
) -> Action {
    let (dir, file, targets) = targets_of(args, file_opts, dir_opts, max, true);
    Action::Make {
        dir,
        file: Some(file.unwrap_or_else(|| default_file.to_string())),
        targets,
    }
}

/// `make [-C dir] [-f file] [targets]`.
fn make(args: &[String]) -> Action {
    let (dir, file, targets) = targets_of(
        args,
        &["-f", "--file", "--makefile"],
        &["-C", "--directory"],
        usize::MAX,
        false,
    );
    Action::Make { dir, file, targets }
}

/// A make-like command line's directory, file and (up to `max`) targets; options and
/// `VAR=value` assignments are skipped, and with `dashdash` a `--` ends the targets.
fn targets_of(
    args: &[String],
    file_opts: &[&str],
    dir_opts: &[&str],
    max: usize,
    dashdash: bool,
) -> (Option<String>, Option<String>, Vec<String>) {
    let mut dir = None;
    let mut file = None;
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--" if dashdash => break,
            o if file_opts.contains(&o) => file = it.next().cloned(),
            o if dir_opts.contains(&o) => dir = it.next().cloned(),
            s if s.starts_with('-') || s.contains('=') => {}
            s if targets.len() < max => targets.push(s.to_string()),
            _ => {}
        }
    }
    (dir, file, targets)
}

/// `kubectl apply -f FILE|DIR`, `-k DIR`, `kustomize build DIR`.
fn kubectl(program: &str, args: &[String]) -> Option<Action> {
    let mut paths = Vec::new();
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--filename" | "-k" | "--kustomize" => {
                // `-f -` reads stdin (`envsubst < x.yaml | kubectl apply -f -`).
                if let Some(v) = it.next().filter(|v| *v != "-") {
                    paths.push(v.clone());
                }
            }
            s if s.starts_with("--filename=") || s.starts_with("--kustomize=") => {
                paths.push(s.split_once('=').map(|x| x.1).unwrap_or("").to_string());
            }
            s if program == "kustomize" && !s.starts_with('-') => paths.push(s.to_string()),
            _ => {}
        }
    }
    files(paths)
}

/// `helm upgrade --install NAME CHART`, `helm install NAME CHART`: a chart of this repository.
fn helm(args: &[String]) -> Option<Action> {
    let mut pos = Vec::new();
    let mut values = Vec::new();
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-f" | "--values" => {
                if let Some(v) = it.next() {
                    values.push(v.clone());
                }
            }
            s if HELM_VALUE_FLAGS.contains(&s) => {
                it.next();
            }
            s if s.starts_with('-') => {}
            s => pos.push(s.to_string()),
        }
    }
    let chart = pos.get(1).or(pos.first())?.clone();
    // `bitnami/redis`, `oci://...`: a chart from a registry, not this repository.
    let local = chart.starts_with("./")
        || chart.starts_with("../")
        || chart.starts_with('/')
        || chart.contains("chart")
        || !chart.contains('/');
    if !local || chart.contains("://") {
        return None;
    }
    let mut paths = vec![chart];
    paths.extend(values);
    Some(Action::Files {
        paths,
        alternatives: false,
    })
}

/// `az ml job|schedule|online-deployment|component|pipeline create -f spec.yml`.
fn az_ml(args: &[String]) -> Option<Action> {
    // Azure ML CLI v1: `az ml run submit-script [-d conda.yml] [--source-directory DIR]
    // ./train.py ARGS...` runs the script (under DIR) as an experiment run.
    if args.get(1).map(String::as_str) == Some("run")
        && args.get(2).map(String::as_str) == Some("submit-script")
        && let Some(script) = args[3..].iter().find(|a| a.ends_with(".py"))
    {
        let dir = args[3..]
            .iter()
            .position(|a| a == "--source-directory")
            .and_then(|i| args.get(3 + i + 1).cloned())
            .or_else(|| {
                args[3..]
                    .iter()
                    .find_map(|a| a.strip_prefix("--source-directory=").map(str::to_string))
            });
        let path = match dir {
            Some(d) if !script.contains('/') => format!("{}/{script}", d.trim_end_matches('/')),
            _ => script.clone(),
        };
        return Some(Action::Paths(vec![path]));
    }
    // Azure ML CLI v1's model verbs: `-f` is the metadata file an earlier step wrote (`az ml
    // run submit-script -t run.json`, `az ml model register -t model.json`); the inference
    // and deployment configurations are the repository's files.
    if args.get(1).map(String::as_str) == Some("model")
        && matches!(
            args.get(2).map(String::as_str),
            Some("deploy" | "register" | "profile" | "package")
        )
    {
        let mut paths = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if matches!(
                a.as_str(),
                "--ic" | "--inference-config-file" | "--dc" | "--deploy-config-file"
            ) && let Some(v) = it.next()
            {
                paths.push(v.clone());
            }
        }
        return files(paths);
    }
    let mut paths = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-f" || a == "--file" {
            if let Some(v) = it.next() {
                paths.push(v.clone());
            }
        } else if let Some(v) = a.strip_prefix("--file=") {
            paths.push(v.to_string());
        }
    }
    files(paths)
}

/// `gcloud functions deploy NAME --source=DIR [--runtime=python3X]`: the function is built
/// from DIR and runs its `main.py` on its trigger (an HTTP call, a Pub/Sub message, a bucket
/// event): what that file runs is what the deployed function runs. The source defaults to
/// where the command runs.
fn cloud_function(args: &[String]) -> Option<Action> {
    let mut source = None;
    let mut runtime = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.split_once('=') {
            Some(("--source", v)) => source = Some(v.to_string()),
            Some(("--runtime", v)) => runtime = Some(v.to_string()),
            None if a == "--source" => source = it.next().cloned(),
            None if a == "--runtime" => runtime = it.next().cloned(),
            _ => {}
        }
    }
    if runtime.is_some_and(|r| !r.starts_with("python")) {
        return None;
    }
    let dir = source.unwrap_or_else(|| ".".into());
    if dir.contains("://") {
        return None;
    }
    files(vec![format!("{}/main.py", dir.trim_end_matches('/'))])
}

/// `gcloud builds submit --config cloudbuild.yaml`, `aws cloudformation deploy
/// --template-file t.yml`, `gcloud ai custom-jobs create --config job.yaml`.
fn cloud_cli(args: &[String]) -> Option<Action> {
    // `aws s3 cp|sync SRC DST` with a local SRC: an upload.
    if let [s3, verb, rest @ ..] = args
        && s3 == "s3"
        && matches!(verb.as_str(), "cp" | "sync" | "mv")
    {
        return upload(rest);
    }
    let mut paths = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--config" | "--template-file" | "--template-body" | "--cli-input-yaml" | "--file"
            | "--source" | "-f" => {
                if let Some(v) = it.next() {
                    paths.push(v.trim_start_matches("file://").to_string());
                }
            }
            s => {
                if let Some((k, v)) = s.split_once('=')
                    && matches!(k, "--config" | "--template-file" | "--template-body")
                {
                    paths.push(v.trim_start_matches("file://").to_string());
                }
            }
        }
    }
    files(paths)
}

/// The local source of a copy to a bucket (`SRC s3://...`, `SRC gs://...`): the first
/// positional argument, when the last is a bucket URL and the first is not one.
fn upload(args: &[String]) -> Option<Action> {
    let p = positional(args);
    let (first, last) = (p.first()?, p.last()?);
    let remote = |s: &str| s.contains("://");
    (p.len() >= 2 && remote(last) && !remote(first) && !first.starts_with('-')).then(|| {
        Action::Upload {
            source: first.clone(),
        }
    })
}

/// `terraform [-chdir=DIR] apply`, `terragrunt [run-all] apply`: the configuration applied.
/// `plan`, `init`, `validate`, `fmt` change nothing.
fn terraform(args: &[String]) -> Option<Action> {
    let mut dir = None;
    let mut applies = false;
    for a in args {
        if let Some(d) = a
            .strip_prefix("-chdir=")
            .or_else(|| a.strip_prefix("--working-dir="))
        {
            dir = Some(d.to_string());
        } else if !a.starts_with('-') && a != "run-all" {
            applies = a == "apply";
            break;
        }
    }
    applies.then_some(Action::Terraform { dir })
}

/// `sam deploy [-t template]`.
fn sam(args: &[String]) -> Option<Action> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-t" || a == "--template-file" || a == "--template" {
            return it.next().map(|v| Action::Files {
                paths: vec![v.clone()],
                alternatives: false,
            });
        }
    }
    Some(Action::Files {
        paths: vec!["template.yaml".into(), "template.yml".into()],
        alternatives: true,
    })
}

/// `buildkite-agent pipeline upload [FILE]`: the file, or those the agent looks for in order.
fn buildkite_upload(args: &[String]) -> Action {
    match positional(&args[2..]).into_iter().next() {
        Some(f) => Action::Files {
            paths: vec![f],
            alternatives: false,
        },
        None => Action::Files {
            paths: [
                ".buildkite/pipeline.yml",
                ".buildkite/pipeline.yaml",
                "buildkite.yml",
                "buildkite.yaml",
            ]
            .map(String::from)
            .to_vec(),
            alternatives: true,
        },
    }
}

/// `source FILE`: a script of this repository, not an environment or shell profile.
fn source(args: &[String]) -> Option<Action> {
    let f = args.first()?;
    if f.starts_with('~')
        || f.starts_with('/')
        || f.contains('$')
        || f.contains("activate")
        || f.contains("conda.sh")
        || f.ends_with(".env")
        || f == ".env"
    {
        return None;
    }
    Some(Action::Files {
        paths: vec![f.clone()],
        alternatives: false,
    })
}
