//! The task runners of Python projects, read as `make` is: `tox -e train` runs the `train`
//! environment's commands of `tox.ini`, `nox -s tests` a session of `noxfile.py`, `pixi run`,
//! `poe`, `hatch run`, `pdm run` a task of `pixi.toml` / `pyproject.toml`, `invoke build` a task
//! of `tasks.py` (their tasks are read by `facts::tox`, `facts::pytasks`, `facts::toml_tasks`).
//! Each runner's tasks are targets named `RUNNER:NAME` of the file that defines them, so one
//! `pyproject.toml` holds the tasks of several runners beside its console scripts.
//!
//! A runner that finds no such task does what it would do without one: `pdm run train` runs the
//! program `train`, `tox` without a `tox.ini` is read as a test run, as before.

use crate::shell::Action;

/// The action of a Python task runner's command line, or `None` when `program` is no such
/// runner (or is used for something else: `tox list`, `pixi install`). `classify` reads the
/// command a runner falls back to (`pdm run python train.py`).
pub(crate) fn python_task(
    program: &str,
    args: &[String],
    classify: fn(&[String]) -> Option<Action>,
) -> Option<Action> {
    let sub = args.first().map(String::as_str);
    match (program, sub) {
        ("tox", _) => tox(args),
        ("nox", _) => Some(nox(args)),
        ("pixi", Some("run" | "r")) => {
            let (opts, rest) =
                split_options(&args[1..], &["-e", "--environment", "--manifest-path"]);
            let name = rest.first()?;
            let file = opt(&opts, &["--manifest-path"]).unwrap_or_else(|| "pixi.toml".into());
            let (dir, file) = manifest(&file, "pixi.toml");
            either(task(dir, &file, "pixi", name), classify(rest))
        }
        ("poe" | "poethepoet", _) => poe(args),
        ("poetry", Some("poe")) => poe(&args[1..]),
        ("pdm", Some("run")) => {
            let (opts, rest) = split_options(&args[1..], &["-p", "--project", "--venv"]);
            let name = rest.first()?;
            let dir = opt(&opts, &["-p", "--project"]);
            either(task(dir, "pyproject.toml", "pdm", name), classify(rest))
        }
        ("hatch", _) => hatch(args, classify),
        ("invoke" | "inv", _) => invoke(args),
        ("mlflow", Some("run")) => mlflow_run(&args[1..]),
        _ => None,
    }
}

/// `mlflow run [URI] [-e ENTRY]`: the entry point (`main` by default) of the `MLproject` in
/// the local folder URI (a Git or remote URI is another project).
fn mlflow_run(args: &[String]) -> Option<Action> {
    const VALUE: &[&str] = &[
        "-e",
        "--entry-point",
        "-P",
        "--param-list",
        "-A",
        "--docker-args",
        "--experiment-name",
        "--experiment-id",
        "-b",
        "--backend",
        "-c",
        "--backend-config",
        "--env-manager",
        "--storage-dir",
        "--run-id",
        "--run-name",
        "-v",
        "--version",
        "--build-image",
    ];
    // Options come before or after the URI.
    let mut entry = "main".to_string();
    let mut uri = ".";
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.split_once('=') {
            Some(("-e" | "--entry-point", v)) => entry = v.to_string(),
            Some((k, _)) if k.starts_with('-') => {}
            _ if a == "-e" || a == "--entry-point" => {
                if let Some(v) = it.next() {
                    entry = v.clone();
                }
            }
            _ if VALUE.contains(&a.as_str()) => {
                it.next();
            }
            _ if a.starts_with('-') => {}
            _ => uri = a,
        }
    }
    if uri.contains("://") || uri.starts_with("git@") || uri.contains('$') {
        return None;
    }
    let uri = uri.trim_end_matches('/');
    let dir = (!uri.is_empty() && uri != ".").then(|| uri.trim_start_matches("./").to_string());
    Some(task(dir, "MLproject", "mlflow", &entry))
}

/// The task `RUNNER:NAME` of `file`.
fn task(dir: Option<String>, file: &str, runner: &str, name: &str) -> Action {
    Action::Make {
        dir,
        file: Some(file.to_string()),
        targets: vec![format!("{runner}:{name}")],
    }
}

/// `first`, or `otherwise` when it reaches nothing.
fn either(first: Action, otherwise: Option<Action>) -> Option<Action> {
    Some(match otherwise {
        Some(o) => Action::Either(Box::new(first), Box::new(o)),
        None => first,
    })
}

/// The runner's options (with the values of `value_opts`, `--x=y` split) up to the first
/// argument that is not one, and the rest of the line from there.
fn split_options<'a>(
    args: &'a [String],
    value_opts: &[&str],
) -> (Vec<(String, Option<String>)>, &'a [String]) {
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') && args[i] != "--" {
        let a = &args[i];
        if let Some((k, v)) = a.split_once('=') {
            opts.push((k.to_string(), Some(v.to_string())));
        } else if value_opts.contains(&a.as_str()) {
            opts.push((a.clone(), args.get(i + 1).cloned()));
            i += 1;
        } else {
            opts.push((a.clone(), None));
        }
        i += 1;
    }
    if args.get(i).is_some_and(|a| a == "--") {
        i += 1;
    }
    (opts, &args[i.min(args.len())..])
}

fn opt(opts: &[(String, Option<String>)], names: &[&str]) -> Option<String> {
    opts.iter()
        .rev()
        .find(|(k, _)| names.contains(&k.as_str()))
        .and_then(|(_, v)| v.clone())
}

/// A manifest option naming a file or the directory it is in: (directory, file name).
fn manifest(path: &str, default: &str) -> (Option<String>, String) {
    let path = path.trim_end_matches('/');
    let name = crate::paths::file_name(path);
    if name.ends_with(".toml") || name.ends_with(".ini") || name.ends_with(".cfg") {
        let dir = crate::paths::parent(path);
        ((!dir.is_empty()).then(|| dir.to_string()), name.to_string())
    } else {
        (Some(path.to_string()), default.to_string())
    }
}

/// `tox [run|run-parallel] [-e a,b] [-c tox.ini] [-- posargs]`: those environments, the
/// `env_list` without `-e` (the target `tox`). An environment without a section of its own runs
/// `[testenv]` (`tox:*`); without any tox configuration the run is read as a test run.
fn tox(args: &[String]) -> Option<Action> {
    let mut args = args;
    match args.first().map(String::as_str) {
        Some("run" | "r" | "run-parallel" | "p") => args = &args[1..],
        Some(s) if !s.starts_with('-') => return None,
        _ => {}
    }
    let mut envs = Vec::new();
    let mut file = None;
    let mut root = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (k, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with('-') => (k, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned());
        match k {
            "--" => break,
            "-e" | "--env" => {
                envs.extend(value().unwrap_or_default().split(',').map(str::to_string))
            }
            "-c" | "--conf" => file = value(),
            "--root" => root = value(),
            "-m" | "-f" | "--workdir" | "-x" | "--override" | "-r" | "-i" => {
                value();
            }
            s if s.starts_with("-e") && s.len() > 2 => {
                envs.extend(s[2..].split(',').map(str::to_string))
            }
            _ => {}
        }
    }
    envs.retain(|e| !e.is_empty() && !e.contains('$') && e != "ALL");
    let (dir, file) = match (file, root) {
        (Some(f), _) => manifest(&f, "tox.ini"),
        (None, r) => (r, "tox.ini".to_string()),
    };
    let tests = Action::Tests { paths: Vec::new() };
    let make = |targets: Vec<String>| Action::Make {
        dir: dir.clone(),
        file: Some(file.clone()),
        targets,
    };
    if envs.is_empty() {
        return either(make(vec!["tox".into()]), Some(tests));
    }
    let named = make(envs.iter().map(|e| format!("tox:{e}")).collect());
    let base = Action::Either(Box::new(make(vec!["tox:*".into()])), Box::new(tests));
    either(named, Some(base))
}

/// `nox [-s a b] [-f noxfile.py] [-- posargs]`: those sessions (a parametrised session's
/// `tests-3.11` is `tests`), every default session without `-s` (the target `nox`).
fn nox(args: &[String]) -> Action {
    let mut sessions = Vec::new();
    let mut file = None;
    let mut taking = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (k, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        match k {
            "--" => break,
            "-s" | "-e" | "--session" | "--sessions" => {
                taking = inline.is_none();
                sessions.extend(inline);
            }
            "-f" | "--noxfile" => {
                taking = false;
                file = inline.or_else(|| it.next().cloned());
            }
            s if s.starts_with('-') => {
                taking = false;
                if matches!(s, "-p" | "--python" | "-k" | "-t" | "--tags" | "--envdir") {
                    it.next();
                }
            }
            s if taking => sessions.push(s.to_string()),
            _ => {}
        }
    }
    let targets: Vec<String> = sessions
        .iter()
        .map(|s| session_name(s))
        .filter(|s| !s.is_empty() && !s.contains('$'))
        .map(|s| format!("nox:{s}"))
        .collect();
    let (dir, file) = match file {
        Some(f) => manifest_py(&f),
        None => (None, "noxfile.py".to_string()),
    };
    let make = Action::Make {
        dir,
        file: Some(file),
        targets: if targets.is_empty() {
            vec!["nox".into()]
        } else {
            targets
        },
    };
    Action::Either(
        Box::new(make),
        Box::new(Action::Tests { paths: Vec::new() }),
    )
}

/// A session as named on the command line: `tests-3.11`, `tests-$PY` and `tests(django='4')`
/// are `tests`.
fn session_name(s: &str) -> String {
    // `tests-${{ matrix.python }}`, `tests-$PY`: a Python version still to be filled.
    let s = s.split("-$").next().unwrap_or(s);
    let s = s.split('(').next().unwrap_or(s);
    match s.rsplit_once('-') {
        Some((head, v)) if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.') => {
            head.to_string()
        }
        _ => s.to_string(),
    }
}

fn manifest_py(path: &str) -> (Option<String>, String) {
    let dir = crate::paths::parent(path);
    (
        (!dir.is_empty()).then(|| dir.to_string()),
        crate::paths::file_name(path).to_string(),
    )
}

/// `poe [-C dir] NAME args`: the task of `[tool.poe.tasks]`.
fn poe(args: &[String]) -> Option<Action> {
    let (opts, rest) = split_options(args, &["-C", "--directory", "--root", "-e", "--executor"]);
    let name = rest.first()?;
    let dir = opt(&opts, &["-C", "--directory", "--root"]);
    Some(task(dir, "pyproject.toml", "poe", name))
}

/// `hatch [-e ENV] run [ENV:]NAME args`: the script of that environment
/// (`[tool.hatch.envs.ENV.scripts]`), else the command; `hatch test` runs the tests.
fn hatch(args: &[String], classify: fn(&[String]) -> Option<Action>) -> Option<Action> {
    let (opts, rest) = split_options(
        args,
        &[
            "-e",
            "--env",
            "-p",
            "--project",
            "--data-dir",
            "--cache-dir",
            "--config",
        ],
    );
    match rest.first().map(String::as_str) {
        Some("test") => Some(Action::Tests { paths: Vec::new() }),
        Some("run") => {
            let rest = &rest[1..];
            let name = rest.first()?;
            let (env, script) = match name.split_once(':') {
                Some((e, s)) => (e.to_string(), s.to_string()),
                None => (
                    opt(&opts, &["-e", "--env"]).unwrap_or_else(|| "default".into()),
                    name.clone(),
                ),
            };
            let mut cmd = rest.to_vec();
            cmd[0] = script.clone();
            either(
                task(None, "pyproject.toml", "hatch", &format!("{env}:{script}")),
                classify(&cmd),
            )
        }
        _ => None,
    }
}

/// `invoke [-r dir] a b --flag x`: the tasks of `tasks.py` (`build_docs` is `build-docs`).
fn invoke(args: &[String]) -> Option<Action> {
    let (opts, rest) = split_options(
        args,
        &[
            "-c",
            "--collection",
            "-r",
            "--search-root",
            "-f",
            "--config",
        ],
    );
    let mut targets = Vec::new();
    let mut skip = false;
    for a in rest {
        if skip {
            skip = false;
        } else if a.starts_with('-') {
            skip = !a.contains('=');
        } else {
            targets.push(format!("invoke:{}", a.replace('_', "-")));
        }
    }
    if targets.is_empty() {
        return None;
    }
    Some(Action::Make {
        dir: opt(&opts, &["-r", "--search-root"]),
        file: Some("tasks.py".into()),
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    fn none(_: &[String]) -> Option<Action> {
        None
    }

    fn run(line: &str) -> Option<Action> {
        let t = toks(line);
        python_task(&t[0], &t[1..], none)
    }

    fn make(dir: Option<&str>, file: &str, targets: &[&str]) -> Action {
        Action::Make {
            dir: dir.map(str::to_string),
            file: Some(file.into()),
            targets: targets.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn or(a: Action, b: Action) -> Action {
        Action::Either(Box::new(a), Box::new(b))
    }

    #[test]
    fn mlflow_run_runs_an_entry_point_of_the_local_project() {
        assert_eq!(
            run("mlflow run . -e train -P alpha=0.5 --env-manager local"),
            Some(make(None, "MLproject", &["mlflow:train"]))
        );
        assert_eq!(
            run("mlflow run projects/churn/"),
            Some(make(Some("projects/churn"), "MLproject", &["mlflow:main"]))
        );
        // Another project (a Git URI) runs nothing of this repository.
        assert_eq!(
            run("mlflow run https://github.com/mlflow/mlflow-example"),
            None
        );
        assert_eq!(run("mlflow ui --port 5000"), None);
    }

    #[test]
    fn tox_environments_and_default() {
        let tests = Action::Tests { paths: Vec::new() };
        assert_eq!(
            run("tox -e train,lint -- --epochs 1"),
            Some(or(
                make(None, "tox.ini", &["tox:train", "tox:lint"]),
                or(make(None, "tox.ini", &["tox:*"]), tests.clone())
            ))
        );
        assert_eq!(
            run("tox run -e py311 -c ci/tox.ini"),
            Some(or(
                make(Some("ci"), "tox.ini", &["tox:py311"]),
                or(make(Some("ci"), "tox.ini", &["tox:*"]), tests.clone())
            ))
        );
        assert_eq!(
            run("tox -p"),
            Some(or(make(None, "tox.ini", &["tox"]), tests))
        );
        assert_eq!(run("tox list"), None);
    }

    #[test]
    fn nox_sessions() {
        let tests = Action::Tests { paths: Vec::new() };
        assert_eq!(
            run("nox -s tests-3.11 lint --no-venv -f ci/noxfile.py"),
            Some(or(
                make(Some("ci"), "noxfile.py", &["nox:tests", "nox:lint"]),
                tests.clone()
            ))
        );
        assert_eq!(
            run("nox -s tests-$PYTHON"),
            Some(or(make(None, "noxfile.py", &["nox:tests"]), tests.clone()))
        );
        assert_eq!(
            run("nox --session=train"),
            Some(or(make(None, "noxfile.py", &["nox:train"]), tests.clone()))
        );
        assert_eq!(
            run("nox"),
            Some(or(make(None, "noxfile.py", &["nox"]), tests))
        );
    }

    #[test]
    fn pyproject_runners() {
        assert_eq!(
            run("pixi run -e gpu train --epochs 3"),
            Some(make(None, "pixi.toml", &["pixi:train"]))
        );
        assert_eq!(
            run("pixi run --manifest-path ml/pyproject.toml train"),
            Some(make(Some("ml"), "pyproject.toml", &["pixi:train"]))
        );
        assert_eq!(run("pixi install"), None);
        assert_eq!(
            run("poetry poe train"),
            Some(make(None, "pyproject.toml", &["poe:train"]))
        );
        assert_eq!(
            run("pdm run -v train"),
            Some(make(None, "pyproject.toml", &["pdm:train"]))
        );
        assert_eq!(
            run("hatch run test:all"),
            Some(make(None, "pyproject.toml", &["hatch:test:all"]))
        );
        assert_eq!(
            run("hatch -e docs run build"),
            Some(make(None, "pyproject.toml", &["hatch:docs:build"]))
        );
        assert_eq!(
            run("invoke build_docs --fast train"),
            Some(make(None, "tasks.py", &["invoke:build-docs"]))
        );
        assert_eq!(
            run("inv -r ops train"),
            Some(make(Some("ops"), "tasks.py", &["invoke:train"]))
        );
    }
}
