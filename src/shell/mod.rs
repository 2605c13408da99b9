//! Reading shell command lines (CI `run:` blocks, Makefile recipes, scripts) for what they run.
//!
//! This is a reader, not a shell: it splits on the usual operators (`lex`), unwraps the usual wrappers
//! (`uv run`, `poetry run`, `coverage run`...) and says which repository files a command would
//! execute. Programs that only *read* files (linters, formatters, `cat`, `pip install -r`) give
//! no edges: linting `src/` does not run the training code in it.

pub(crate) mod cd;
mod classify;
mod named_runs;
mod notebooks;
pub(crate) use named_runs::{airflow_dag_run, github_dispatched_workflow};
mod containers;
mod databricks;
pub(crate) use containers::{VARIABLE_IMAGE, image_key, image_name, this_repository};
pub(crate) mod handover;
pub(crate) mod lex;
mod modes;
pub(crate) mod programs;
pub(crate) mod reading;
mod runners;
pub(crate) mod syntax;
pub(crate) mod vars;

use classify::classify;

/// What one simple command does, as far as the automation graph cares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    /// `make [-C dir] [-f file] [targets]`; no target means the default (first) target.
    Make {
        dir: Option<String>,
        file: Option<String>,
        targets: Vec<String>,
    },
    /// `dvc repro [stages]` / `dvc exp run`: the stages of `dvc.yaml`.
    DvcRepro { stages: Vec<String> },
    /// `kedro run`: the project's pipelines.
    Kedro,
    /// `python -m pkg.mod`.
    PythonModule(String),
    /// `python -c "from pkg.train import main; main()"`: the modules the inline code imports
    /// (with `pkg.name` for each name it imports from a package), those of the repository run.
    PythonImports(Vec<String>),
    /// A test runner: its path arguments, or every test file when it has none.
    Tests { paths: Vec<String> },
    /// `gh workflow run NAME`: another workflow of this repository.
    GhWorkflow(String),
    /// `docker run IMAGE` with no command: the command the image starts, from the Dockerfile
    /// the repository builds that image with (the graph reads the image's name).
    Image(String),
    /// `docker build [-f file] [context]`: the Dockerfile.
    Docker {
        file: Option<String>,
        context: Option<String>,
    },
    /// Files the command runs or applies, each expected in the repository (`kubectl apply -f`,
    /// `helm upgrade --install NAME ./chart`, `az ml job create -f`, `source`, `cdk deploy` →
    /// `cdk.json`...). `alternatives`: the first that exists is enough (`template.yaml` or
    /// `template.yml`). Directories stand for the files in them.
    Files {
        paths: Vec<String>,
        alternatives: bool,
    },
    /// `uv build`, `poetry build|publish` (also Hatch, PDM, Flit, Rye): the package of the
    /// project where it runs, its `pyproject.toml` or else its `setup.py`. Building runs no
    /// script the project declares (`[project.scripts]` entry points, task tables).
    PackageBuild,
    /// `databricks bundle deploy|run [JOB]`: the bundle, or one job of it.
    Bundle { job: Option<String> },
    /// `terraform [-chdir=DIR] apply` (also `tofu`, `terragrunt`): the configuration's `.tf`
    /// files, in DIR or where the command runs, and in the folders below it (local modules).
    Terraform { dir: Option<String> },
    /// `tkn pipeline start NAME`: a job of a CI system or orchestrator, by name, wherever the
    /// file that defines it lies.
    Job { system: &'static str, job: String },
    /// Anything else that runs things: its arguments that name repository paths.
    Paths(Vec<String>),
    /// A task that may not be there, and what runs without it (`pdm run train`: the PDM
    /// script `train`, else the program `train`; `tox -e x`: that environment, else the
    /// tests): the second is read only when the first reaches nothing.
    Either(Box<Action>, Box<Action>),
    /// A local file the command uploads (`aws s3 cp ./src/job.py s3://...`, `gsutil cp`): it
    /// runs nothing here, but fails when the repository has no such file.
    Upload { source: String },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Simple {
    pub program: String,
    /// The program once wrappers are removed (`poetry run train`: `train`): a console script
    /// of the project is run by this name.
    pub runs: String,
    pub action: Action,
    /// The command as written, shortened, for chains.
    pub text: String,
    /// Directory the command runs in, relative to the root (from `cd`), if known.
    pub cwd: Option<String>,
    /// The command runs its script as a smoke test (a few steps, `--fast_dev_run`): what it
    /// reaches is tested, not run for real ([`modes::is_smoke_run`]).
    pub smoke: bool,
    /// Experiment tracking is switched off for this command (`WANDB_MODE=disabled`, an
    /// earlier `export`, `--no-track`).
    pub tracking_off: bool,
    /// The command's failure is ignored (`cmd || true`, after `set +e`): it gates nothing.
    pub masked: bool,
}

/// What earlier commands of one job, target or script set for the ones after them: tracking
/// switched off (`export WANDB_MODE=disabled`), failures ignored (`set +e`), variables
/// assigned (`SCRIPT=src/train.py`, `export ENTRY=...`) for the commands that name them.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShellState {
    pub tracking_off: bool,
    pub errexit_off: bool,
    pub vars: vars::Vars,
    /// Files an earlier command moved or copied into place (`mv main_train.py main.py`): the
    /// new path (from the root) → the file of the repository it holds.
    pub renames: Vec<(String, String)>,
    /// An earlier command may have brought files the repository does not hold (`git clone`,
    /// `curl -o`, `unzip`, `dvc pull`, `nbconvert`): a script missing from the tree may be one.
    pub fetched: bool,
    /// Files an earlier command tested for (`if [ -f requirements.test.txt ]; then`): a
    /// command that needs one may be inside that test. At most 64 are kept.
    pub tested: Vec<String>,
}

/// Splits a command line into simple commands, tracking `cd` for the ones after it.
pub(crate) fn parse_line(line: &str, cwd: &mut Option<String>) -> Vec<Simple> {
    parse_line_with(line, cwd, &mut ShellState::default())
}

/// `$PWD/src/train.py` (the lexer reads `$(pwd)/...` so): a path from where the command runs.
fn from_working_dir(tokens: &mut [String]) {
    for t in tokens.iter_mut() {
        if let Some(rest) = ["${PWD}/", "$PWD/"].iter().find_map(|p| t.strip_prefix(p)) {
            *t = format!("./{rest}");
        }
    }
}

/// [`parse_line`] for one of several lines of a job or script: `state` carries what earlier
/// lines set (an `export`, `set +e`) and is updated by this one.
pub(crate) fn parse_line_with(
    line: &str,
    cwd: &mut Option<String>,
    state: &mut ShellState,
) -> Vec<Simple> {
    let mut out = Vec::new();
    // `for VAR in WORDS; do ... done`: the words are data the body gets as `$VAR`, not
    // commands; the body's `$VAR` stands for each of them (`for f in a.sh b.sh; do bash "$f"`
    // runs both; `for df in */Dockerfile; do hadolint "$df"` runs nothing).
    let mut loop_vars: Vec<(String, Vec<String>)> = Vec::new();
    let parts = lex::split(line);
    let ignored: Vec<bool> = (0..parts.len())
        .map(|k| modes::failure_ignored(line, &parts, k))
        .collect();
    // The file the previous command of a pipe passes on (`cat job.yaml | envsubst | ...`).
    let mut stdin_file: Option<String> = None;
    for (k, part) in parts.into_iter().enumerate() {
        let fed = if part.piped { stdin_file.take() } else { None };
        // Substitutions run first, where the command runs (their `cd` stays inside).
        for sub in part.substitutions.iter().filter(|s| s.len() < 4000) {
            out.extend(parse_line_with(sub, &mut cwd.clone(), &mut state.clone()));
        }
        let mut tokens = expand_words(part.words, &state.vars);
        from_working_dir(&mut tokens);
        let mut off_here = state.tracking_off;
        let assigned = strip_prefixes(&mut tokens, &mut off_here);
        if let Some((var, words)) = loop_header(&tokens) {
            loop_vars.retain(|(v, _)| *v != var);
            loop_vars.push((var, words));
            continue;
        }
        if !loop_vars.is_empty() {
            tokens = expand_loop_vars(tokens, &loop_vars);
        }
        stdin_file = handover::piped_file(&tokens, fed.as_deref());
        if let Some(file) = &fed {
            handover::read_stdin_from(&mut tokens, file);
        }
        let Some(program) = tokens.first().cloned() else {
            // `SCRIPT=src/train.py` alone: a variable of the shell, for the lines after it.
            for (name, value) in assigned.iter().filter_map(|t| assignment(t)) {
                state.vars.set(name, value);
            }
            continue;
        };
        if matches!(
            program.as_str(),
            "export" | "declare" | "local" | "readonly"
        ) {
            state.tracking_off |= tokens[1..].iter().any(|t| modes::env_turns_tracking_off(t));
            for (name, value) in tokens[1..].iter().filter_map(|t| assignment(t)) {
                state.vars.set(name, value);
            }
            continue;
        }
        if program == "set" {
            for t in &tokens[1..] {
                if t.starts_with('+') && t.contains('e') {
                    state.errexit_off = true;
                } else if t.starts_with('-') && t.contains('e') {
                    state.errexit_off = false;
                }
            }
            continue;
        }
        if program == "cd" {
            if let Some(d) = tokens.get(1) {
                *cwd = cd::within_line(cwd.as_deref(), d);
            }
            continue;
        }
        // `bash -c 'cmd'`, `sh -c "cmd"`, `sh -lc "cmd"`: the nested command line.
        if matches!(base_name(&program), "bash" | "sh" | "zsh" | "dash")
            && let Some(i) = tokens
                .iter()
                .position(|t| t.starts_with('-') && !t.starts_with("--") && t.ends_with('c'))
        {
            if let Some(inner) = tokens.get(i + 1)
                && inner.len() < 4000
            {
                let mut inner_cwd = cwd.clone();
                let mut inner_state = ShellState {
                    tracking_off: off_here,
                    errexit_off: state.errexit_off,
                    vars: state.vars.clone(),
                    renames: state.renames.clone(),
                    fetched: state.fetched,
                    tested: state.tested.clone(),
                };
                let mut inner_simples = parse_line_with(inner, &mut inner_cwd, &mut inner_state);
                state.fetched |= inner_state.fetched;
                if ignored[k] {
                    inner_simples.iter_mut().for_each(|s| s.masked = true);
                }
                out.extend(inner_simples);
            }
            continue;
        }
        let text = shorten(part.raw.trim());
        state.fetched |= handover::brings_files(&tokens);
        handover::record_rename(&tokens, cwd.as_deref(), &mut state.renames);
        strip_redirections(&mut tokens);
        if let Some(mut action) = classify(&tokens) {
            if !state.renames.is_empty() {
                handover::follow_renames(&mut action, cwd.as_deref(), &state.renames);
            }
            out.push(Simple {
                program: base_name(&program).to_string(),
                runs: classify::unwrapped_program(&tokens).unwrap_or_default(),
                smoke: modes::is_smoke_run(&action, &tokens),
                tracking_off: off_here || modes::flags_turn_tracking_off(&tokens),
                masked: ignored[k] || state.errexit_off,
                action,
                text,
                cwd: cwd.clone(),
            });
        }
    }
    out
}

/// Removes a command's redirections (`> log.txt`, `2>&1`, `2> err.log`, `&>/dev/null`, `<
/// in.txt`): what the command reads as its arguments (`mlflow run . 2>&1` runs `.`) is the
/// rest. What they write was read before (a script written with `>`).
fn strip_redirections(tokens: &mut Vec<String>) {
    let mut out = Vec::with_capacity(tokens.len());
    let mut skip_next = false;
    for (i, t) in tokens.iter().enumerate() {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        // The operator: an optional descriptor, then `>`, `>>`, `<`, `&>`, `>&`, `<&`.
        let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
        let target = ["&>>", "&>", ">>", ">&", "<&", ">|", ">", "<"]
            .iter()
            .find_map(|op| rest.strip_prefix(op));
        match target {
            // The program itself is never a redirection (a word such as `>` alone first).
            Some(target) if i > 0 && !rest.starts_with("<<") => skip_next = target.is_empty(),
            _ => out.push(t.clone()),
        }
    }
    *tokens = out;
}

/// `NAME=value` (a shell assignment): the name and the value. A word such as `--lr=0.1` or
/// `key=a/b` passed to a program is not one (names are identifiers, and a path-like left side
/// is an argument).
fn assignment(t: &str) -> Option<(&str, &str)> {
    let (name, value) = t.split_once('=')?;
    let name = name.strip_suffix('+').unwrap_or(name);
    (!name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some((name, value))
}

/// The words of a command with the variables the shell has assigned replaced; a word that is
/// only a reference to a value with spaces is split as the shell splits it (`$PY train.py`
/// with `PY="python -u"`).
fn expand_words(words: Vec<String>, vars: &vars::Vars) -> Vec<String> {
    if vars.is_empty() {
        return words;
    }
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        let e = vars.expand_one(&w);
        if e != w && w.starts_with('$') && e.contains(char::is_whitespace) {
            out.extend(e.split_whitespace().map(str::to_string));
        } else {
            out.push(e);
        }
    }
    out
}

/// `for VAR in WORDS` (the header of a loop; `select` alike): the variable and its words.
fn loop_header(tokens: &[String]) -> Option<(String, Vec<String>)> {
    match tokens {
        [kw, var, rest @ ..] if kw == "for" || kw == "select" => {
            let words = match rest {
                [i, words @ ..] if i == "in" => words.to_vec(),
                _ => Vec::new(),
            };
            Some((var.clone(), words))
        }
        _ => None,
    }
}

/// A loop body's words: `$VAR`/`${VAR}` of an enclosing `for` stand for each of its words.
fn expand_loop_vars(tokens: Vec<String>, vars: &[(String, Vec<String>)]) -> Vec<String> {
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens {
        let name = t
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| t.strip_prefix('$'));
        match name.and_then(|n| vars.iter().rev().find(|(v, _)| v == n)) {
            Some((_, words)) => out.extend(words.iter().cloned()),
            None => out.push(t),
        }
    }
    out
}

/// Takes off what comes before the program: `VAR=value` assignments (returned, in order),
/// `env`, `sudo`, `time` and other wrappers that run the rest as it is, and `docker run [flags]
/// IMAGE`, whose command runs in the container. An assignment that turns tracking off sets
/// `off_here`.
fn strip_prefixes(tokens: &mut Vec<String>, off_here: &mut bool) -> Vec<String> {
    let mut assigned = Vec::new();
    // `VAR=value cmd`, `env VAR=value cmd`, `sudo`, `time`: not the program.
    loop {
        match tokens.first().map(String::as_str) {
            Some(t) if assignment(t).is_some() => {
                *off_here |= modes::env_turns_tracking_off(t);
                assigned.push(tokens.remove(0));
            }
            Some(
                "env" | "sudo" | "time" | "nohup" | "exec" | "xvfb-run" | "if" | "elif" | "while"
                | "until" | "then" | "do" | "else" | "!",
            ) => {
                tokens.remove(0);
            }
            // `docker run [flags] IMAGE CMD...`: CMD runs in the container, where the
            // repository is what the image copied or the volume mounts (`-v $PWD:/app
            // -w /app`); without a CMD the image's own runs (`containers::docker_run_image`).
            // `docker exec [flags] CONTAINER CMD...` runs CMD in a running container, read
            // the same way (`docker container run|exec` too).
            Some("docker" | "podman") => {
                let sub = if tokens.get(1).is_some_and(|t| t == "container") {
                    2
                } else {
                    1
                };
                if !tokens.get(sub).is_some_and(|t| t == "run" || t == "exec") {
                    break;
                }
                let args: Vec<&str> = tokens[sub + 1..].iter().map(String::as_str).collect();
                match containers::docker_run_command(&args) {
                    Some(k) => {
                        // A repository folder mounted in the container: its paths there are
                        // the folder's (`-v $PWD/src:/app/src`, then `cd /app/src`).
                        let mounts = containers::repository_mounts(&args);
                        tokens.drain(..sub + 1 + k);
                        containers::unmount(tokens, &mounts);
                    }
                    None => break,
                }
            }
            _ => break,
        }
    }
    assigned
}

/// A script's lines as the shell reads them: a line ending in an odd number of `\` goes on
/// with the next, so `curl -X POST \` and the URL on the line below are one command. Each
/// logical line comes with the index (from 0) of its first physical line.
pub(crate) fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    // Inline code given over several lines (`python -c "` ... `"`): one command, its lines
    // kept apart inside the quotes.
    let mut inline: Option<(usize, String, char)> = None;
    for (i, l) in text.lines().enumerate() {
        if let Some((start, mut acc, q)) = inline.take() {
            acc.push('\n');
            acc.push_str(l);
            if unescaped(l, q) % 2 == 1 || i - start > 200 {
                out.push((start, acc));
            } else {
                inline = Some((start, acc, q));
            }
            continue;
        }
        if open.is_none()
            && let Some(q) = opens_inline_code(l)
        {
            inline = Some((i, l.to_string(), q));
            continue;
        }
        let t = l.trim_end();
        let continued = (t.len() - t.trim_end_matches('\\').len()) % 2 == 1;
        let body = if continued {
            t[..t.len() - 1].trim_end()
        } else {
            l
        };
        match open.as_mut() {
            Some((_, acc)) => {
                acc.push(' ');
                acc.push_str(body.trim_start());
            }
            None => open = Some((i, body.to_string())),
        }
        if !continued && let Some(done) = open.take() {
            out.push(done);
        }
    }
    out.extend(open);
    out.extend(inline.map(|(i, acc, _)| (i, acc)));
    out.sort_by_key(|(i, _)| *i);
    out
}

/// How many times quote `q` occurs in `l` not after a backslash.
fn unescaped(l: &str, q: char) -> usize {
    let mut n = 0;
    let mut esc = false;
    for c in l.chars() {
        if c == q && !esc {
            n += 1;
        }
        esc = c == '\\' && !esc;
    }
    n
}

/// The quote a line opens for inline code and leaves open (`python -c "`, `bash -c '`).
fn opens_inline_code(l: &str) -> Option<char> {
    let at = l.find(" -c \"").or_else(|| l.find(" -c '"))?;
    let q = l[at + 4..].chars().next()?;
    (unescaped(&l[at + 4..], q) % 2 == 1).then_some(q)
}

/// A program that runs the files it is given (an interpreter, a test runner, a launcher), as
/// the first word of an argv list written in code (`["python", "train.py"]`).
pub(crate) fn is_runner_program(name: &str) -> bool {
    programs::PYTHONS.contains(&name)
        || name.starts_with("python3.")
        || programs::TEST_RUNNERS.contains(&name)
        || matches!(
            name,
            "bash"
                | "sh"
                | "zsh"
                | "uv"
                | "poetry"
                | "pipenv"
                | "conda"
                | "accelerate"
                | "torchrun"
                | "deepspeed"
                | "horovodrun"
                | "mpirun"
                | "srun"
                | "sbatch"
                | "spark-submit"
                | "papermill"
                | "jupyter"
                | "Rscript"
                | "dvc"
                | "make"
                | "kedro"
                | "mlflow"
                | "dbt"
                | "docker"
                | "kubectl"
                | "helm"
                | "terraform"
                | "gcloud"
                | "az"
                | "aws"
                | "sys.executable"
        )
}

pub(crate) fn shorten(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 80 {
        let mut t: String = s.chars().take(79).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// A program's name without its directory, nor the `.exe` of a Windows executable
/// (`C:/venv/Scripts/python.exe` is `python`).
pub(crate) fn base_name(p: &str) -> &str {
    let name = p.rsplit('/').next().unwrap_or(p);
    match name.len().checked_sub(4) {
        Some(at)
            if at > 0 && name.is_char_boundary(at) && name[at..].eq_ignore_ascii_case(".exe") =>
        {
            &name[..at]
        }
        _ => name,
    }
}

/// A command a Windows shell runs (cmd's `bat`, PowerShell), as the POSIX reader reads it:
/// there a backslash separates a path's parts (`lab2\train.py`), not an escape.
pub(crate) fn windows_paths(text: &str) -> String {
    text.replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Windows executable is the program it names (`python.exe` is `python`).
    #[test]
    fn base_names_drop_a_windows_suffix() {
        assert_eq!(base_name("C:/venv/Scripts/python.exe"), "python");
        assert_eq!(base_name("bin/KUBECTL.EXE"), "KUBECTL");
        assert_eq!(base_name(".exe"), ".exe");
        assert_eq!(base_name("tools/run.exercise"), "run.exercise");
    }

    /// Redirections are no arguments: `mlflow run . 2>&1 | tee log` runs the project in `.`,
    /// and `2>&1` splits no command in two.
    #[test]
    fn redirections_are_no_arguments() {
        let mut t: Vec<String> = [
            "mlflow",
            "run",
            ".",
            "2>&1",
            ">",
            "out.log",
            "2>err.txt",
            "&>/dev/null",
            "<",
            "in.txt",
            "-v",
        ]
        .iter()
        .map(|w| w.to_string())
        .collect();
        strip_redirections(&mut t);
        assert_eq!(t, ["mlflow", "run", ".", "-v"]);
        let mut cwd = None;
        let simples = parse_line(
            "mlflow run . --env-manager=local 2>&1 | tee output.log",
            &mut cwd,
        );
        assert_eq!(simples.len(), 1, "{simples:?}");
        assert!(simples[0].text.ends_with("2>&1"), "{simples:?}");
        assert!(
            matches!(&simples[0].action, Action::Make { dir: None, file: Some(f), .. } if f == "MLproject"),
            "{simples:?}"
        );
        let mut cwd = None;
        let simples = parse_line("python train.py > train.log 2>&1", &mut cwd);
        assert_eq!(simples.len(), 1, "{simples:?}");
        assert_eq!(handover::script_run(&simples[0]), Some("train.py"));
    }

    /// The one action of a command that applies or runs these files.
    fn files(paths: &[&str]) -> Vec<Action> {
        vec![Action::Files {
            paths: paths.iter().map(|p| p.to_string()).collect(),
            alternatives: false,
        }]
    }

    fn one(line: &str) -> Vec<Action> {
        let mut cwd = None;
        parse_line(line, &mut cwd)
            .into_iter()
            .map(|s| s.action)
            .collect()
    }

    /// Azure ML CLI v1: `az ml model deploy/register -f` names the metadata file an earlier
    /// step wrote (`-t model.json`); the inference and deployment configurations are files.
    #[test]
    fn azure_ml_v1_model_verbs_read_their_configurations() {
        assert_eq!(
            one(
                "az ml model deploy -n qa -f model.json --ic config/inference-config.yml --dc config/aci.yml"
            ),
            files(&["config/inference-config.yml", "config/aci.yml"])
        );
        assert!(
            one("az ml model register -n m -f run.json --asset-path outputs/m.pkl -t model.json")
                .is_empty()
        );
    }

    /// `docker run IMAGE` with no command runs the command the image starts; with a command,
    /// that command runs instead.
    #[test]
    fn docker_run_without_a_command_runs_the_image() {
        assert_eq!(
            one(
                "docker run --rm -e MLFLOW_TRACKING_URI=$URI -v /data:/data ghcr.io/acme/retrain:latest"
            ),
            vec![Action::Image("ghcr.io/acme/retrain:latest".into())]
        );
        assert_eq!(
            one("docker container run retrain"),
            vec![Action::Image("retrain".into())]
        );
        assert_ne!(
            one("docker run retrain python eval.py"),
            vec![Action::Image("retrain".into())]
        );
        // A registry and a tag held in variables still name the image; so does a variable
        // that holds the whole name (matched with the build that tags it so).
        assert_eq!(
            one("docker run --rm -e URI $REGISTRY/acme/churn/training:$SHA"),
            vec![Action::Image("$REGISTRY/acme/churn/training:$SHA".into())]
        );
        assert_eq!(
            one("docker run $IMAGE"),
            vec![Action::Image("$IMAGE".into())]
        );
        assert!(one("docker run --rm $REGISTRY/$NAME").is_empty());
        // Cloud Run: a service runs its image; a job runs it when executed now.
        assert_eq!(
            one("gcloud run deploy api --image \"${{ env.IMAGE_URI }}\" --region x"),
            vec![Action::Image("${{ env.IMAGE_URI }}".into())]
        );
        assert_eq!(
            one("gcloud run jobs deploy train --image=gcr.io/p/trainer:1 --execute-now"),
            vec![Action::Image("gcr.io/p/trainer:1".into())]
        );
        // A Vertex AI custom job on a custom container runs the image; on a prebuilt
        // container it runs its Python module instead.
        assert_eq!(
            one(
                "gcloud ai custom-jobs create --region=europe-west1 --display-name=retrain --worker-pool-spec=machine-type=n1-standard-4,container-image-uri=europe-west1-docker.pkg.dev/$_PROJECT_ID/training-repo/training-pipeline:latest"
            ),
            vec![Action::Image(
                "europe-west1-docker.pkg.dev/$_PROJECT_ID/training-repo/training-pipeline:latest"
                    .into()
            )]
        );
        assert!(!one("gcloud ai custom-jobs create --worker-pool-spec=machine-type=n1-standard-4,executor-image-uri=us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest,python-module=trainer.task").iter().any(|a| matches!(a, Action::Image(_))));
        assert!(one("gcloud run jobs deploy train --image gcr.io/p/trainer:1").is_empty());
        // `uv run -m pkg.mod` runs the module.
        assert_eq!(
            one("uv run -m src.main"),
            vec![Action::PythonModule("src.main".into())]
        );
    }

    /// Building or publishing a package (`poetry build`, `uv publish`) acts on the project
    /// where it runs; `poetry run` and `poetry install` do not.
    #[test]
    fn package_builds_act_on_their_project() {
        let project = vec![Action::PackageBuild];
        assert_eq!(one("poetry build"), project);
        assert_eq!(one("uv publish --index private"), project);
        assert_eq!(one("hatch build -t wheel"), project);
        assert_ne!(one("poetry install"), project);
    }

    /// `mage run PROJECT PIPELINE` (and Mage's `trigger_pipeline`, read as it) starts that
    /// pipeline of the project.
    #[test]
    fn mage_run_starts_a_pipeline() {
        assert_eq!(
            one("mage run mage_project train_churn"),
            vec![Action::Job {
                system: "mage",
                job: "train_churn".into(),
            }]
        );
    }

    /// A POST to GitHub's REST API `.../actions/workflows/W/dispatches` starts workflow W, as
    /// `gh workflow run W` does.
    #[test]
    fn github_rest_api_dispatches_a_workflow() {
        assert_eq!(
            one(
                "curl -X POST -H \"Authorization: token $T\" https://api.github.com/repos/acme/ml/actions/workflows/deploy.yml/dispatches -d '{\"ref\":\"main\"}'"
            ),
            vec![Action::GhWorkflow("deploy.yml".into())]
        );
        // Reading the workflow's runs starts nothing.
        assert!(
            one("curl https://api.github.com/repos/acme/ml/actions/workflows/deploy.yml/runs")
                .is_empty()
        );
    }

    /// A POST to Airflow's REST API starts the DAG it names; a GET only lists its runs.
    #[test]
    fn airflow_rest_api_starts_a_dag() {
        let job = |j: &str| {
            vec![Action::Job {
                system: "airflow",
                job: j.into(),
            }]
        };
        assert_eq!(
            one(
                "curl -X 'POST' --user \"airflow:airflow\" 'http://host:8080/api/v1/dags/tune_dag/dagRuns' -H 'Content-Type: application/json' -d '{}'"
            ),
            job("tune_dag")
        );
        assert_eq!(
            one("http POST https://af.example.com/api/v2/dags/retrain/dagRuns conf:={}"),
            job("retrain")
        );
        assert_eq!(
            one("curl -s http://host:8080/api/v1/dags/tune_dag/dagRuns"),
            Vec::<Action>::new()
        );
        assert_eq!(
            one("curl -X POST http://host/api/v1/dags/$DAG/dagRuns -d '{}'"),
            Vec::<Action>::new()
        );
    }

    #[test]
    fn python_script_and_module() {
        assert_eq!(
            one("python src/train.py --epochs 3 --config=conf/a.yaml"),
            vec![Action::Paths(vec![
                "src/train.py".into(),
                "3".into(),
                "conf/a.yaml".into()
            ])]
        );
        assert_eq!(
            one("uv run python -m trainer.task"),
            vec![Action::PythonModule("trainer.task".into())]
        );
        // Inline code runs what it imports.
        assert_eq!(
            one("python -c \"import sys; from pkg.train import run as r, fit; r()\""),
            vec![Action::PythonImports(vec![
                "sys".into(),
                "pkg.train".into(),
                "pkg.train.run".into(),
                "pkg.train.fit".into()
            ])]
        );
        assert_eq!(one("python -c 'print(1)'"), Vec::<Action>::new());
        // An installation check imports and initialises, and runs none of the modules' work.
        for check in [
            "python -c \"import horovod.torch as hvd; hvd.init()\"",
            "python3 -c 'import src.model; print(src.model.__version__)'",
        ] {
            assert_eq!(one(check), Vec::<Action>::new(), "{check}");
        }
        assert_eq!(
            one("coverage run -m pytest tests/unit"),
            vec![Action::Tests {
                paths: vec!["tests/unit".into()]
            }]
        );
        // nose's runners collect tests as pytest does; `nose2 -s DIR` starts from DIR.
        assert_eq!(
            one("nosetests -s --nologcapture test"),
            vec![Action::Tests {
                paths: vec!["test".into()]
            }]
        );
        assert_eq!(
            one("nose2 -s src -v"),
            vec![Action::Tests { paths: Vec::new() }]
        );
    }

    /// A `for` loop's words are data: linting each Dockerfile of a list runs none of them;
    /// running each script of a list runs them all.
    #[test]
    fn loop_words_are_what_the_body_gets() {
        let lint = "for df in deploy/Dockerfile web/Dockerfile; do\n  hadolint --failure-threshold error \"$df\"\ndone";
        assert!(
            one(lint)
                .iter()
                .all(|a| matches!(a, Action::Paths(p) if p.is_empty())),
            "{:?}",
            one(lint)
        );
        assert_eq!(
            one("for s in a.sh b.sh; do bash \"${s}\"; done")[0],
            Action::Paths(vec!["a.sh".into(), "b.sh".into()])
        );
    }

    /// An MPI-style launcher runs the command after its flags: a test runner so launched runs
    /// tests (what they import is exercised, not run).
    #[test]
    fn launchers_run_the_command_they_are_given() {
        assert_eq!(
            one("horovodrun -n 2 -H localhost:2 pytest -v -s test/parallel/test_torch.py"),
            vec![Action::Tests {
                paths: vec!["test/parallel/test_torch.py".into()]
            }]
        );
        assert_eq!(
            one("mpirun -np 4 python train.py --epochs 3"),
            vec![Action::Paths(vec!["train.py".into(), "3".into()])]
        );
    }

    #[test]
    fn linters_do_not_run_code() {
        assert!(one("ruff check src && black --check src").is_empty());
        assert!(one("pip install -r requirements.txt").is_empty());
    }

    /// Arguments that name code without running it (issue 16, class b): coverage targets,
    /// reports and markers are not tests; linters and checkers run nothing.
    #[test]
    fn measured_and_checked_code_is_not_run() {
        let tests = |p: &[&str]| {
            vec![Action::Tests {
                paths: p.iter().map(|s| s.to_string()).collect(),
            }]
        };
        assert_eq!(one("pytest tests --cov=src"), tests(&["tests"]));
        assert_eq!(
            one("python -m pytest --cov src --cov-report xml:cov.xml -m 'not slow' tests/unit"),
            tests(&["tests/unit"])
        );
        assert_eq!(one("pytest --cov src"), tests(&[]));
        assert_eq!(one("pytest -s -x tests"), tests(&["tests"]));
        assert_eq!(one("pytest -n 4 -k train tests"), tests(&["tests"]));
        // tox and nox run their environments and sessions (`shell::runners`), read as a test
        // run when there are none.
        let either = |a: &Action| match a {
            Action::Either(_, otherwise) => match otherwise.as_ref() {
                Action::Either(_, o) => (**o).clone(),
                o => o.clone(),
            },
            other => other.clone(),
        };
        assert_eq!(either(&one("nox -s tests -f noxfile.py")[0]), tests(&[])[0]);
        assert_eq!(either(&one("tox -e py311")[0]), tests(&[])[0]);
        assert_eq!(either(&one("python -m tox -e py311")[0]), tests(&[])[0]);
        assert_eq!(
            one("coverage run --source src -m pytest tests"),
            tests(&["tests"])
        );
        assert_eq!(
            one("python -m coverage run -m pytest tests/utest.py -W ignore::UserWarning"),
            tests(&["tests/utest.py"])
        );
        for line in [
            "mypy src",
            "ruff check src",
            "flake8 src",
            "black --check src",
            "python -m mypy src",
            "pytype src",
            // Editing or checking a file does not run it.
            "patch --quiet -p0 examples/run.py docs/fix.patch",
            "sha256sum train.py",
        ] {
            assert!(one(line).is_empty(), "{line}");
        }
        // A mounted folder is not run: the image's own command is.
        assert_eq!(
            one("docker run -v src:/app image"),
            vec![Action::Image("image".into())]
        );
    }

    #[test]
    fn task_runners_run_their_targets() {
        let make = |file: &str, targets: &[&str]| Action::Make {
            dir: None,
            file: Some(file.into()),
            targets: targets.iter().map(|t| t.to_string()).collect(),
        };
        assert_eq!(one("just deploy prod"), vec![make("justfile", &["deploy"])]);
        assert_eq!(
            one("task build ship"),
            vec![make("Taskfile.yml", &["build", "ship"])]
        );
        assert_eq!(
            one("npm run deploy -- --prod"),
            vec![make("package.json", &["deploy"])]
        );
        assert_eq!(one("yarn deploy"), vec![make("package.json", &["deploy"])]);
        assert_eq!(one("pnpm test"), vec![make("package.json", &["test"])]);
        assert!(one("yarn install").is_empty());
        assert_eq!(
            one("uv run --active --with httpx python -m src.deployment.cli deploy api"),
            vec![Action::PythonModule("src.deployment.cli".into())]
        );
        assert!(one("npm ci").is_empty());
    }

    #[test]
    fn make_dvc_and_cd() {
        assert_eq!(
            one("make -C ml train"),
            vec![Action::Make {
                dir: Some("ml".into()),
                file: None,
                targets: vec!["train".into()]
            }]
        );
        let mut cwd = None;
        let s = parse_line("cd pipelines && dvc repro train", &mut cwd);
        assert_eq!(s[0].cwd.as_deref(), Some("pipelines"));
        assert_eq!(
            s[0].action,
            Action::DvcRepro {
                stages: vec!["train".into()]
            }
        );
    }

    #[test]
    fn scripts_and_quotes() {
        assert_eq!(
            one("./scripts/deploy.sh 'prod env'"),
            vec![Action::Paths(vec![
                "./scripts/deploy.sh".into(),
                "prod env".into()
            ])]
        );
        assert_eq!(
            one("gh workflow run train.yml -f reason=drift"),
            vec![Action::GhWorkflow("train.yml".into())]
        );
    }

    #[test]
    fn nested_shells_and_deploy_tools() {
        assert_eq!(
            one("bash -c 'cd ml && python train.py'"),
            vec![Action::Paths(vec!["train.py".into()])]
        );
        assert_eq!(
            one("kubectl apply -f k8s/ -k overlays/prod -f -"),
            files(&["k8s/", "overlays/prod"])
        );
        assert_eq!(
            one("helm upgrade --install churn ./charts/churn --namespace ml"),
            files(&["./charts/churn"])
        );
        // A chart from a registry is not this repository's.
        assert!(one("helm upgrade --install redis bitnami/redis").is_empty());
        assert_eq!(
            one("az ml job create -f jobs/train.yml --stream"),
            files(&["jobs/train.yml"])
        );
        // `jupytext --to py` converts a notebook; `--execute` runs it.
        assert!(one("jupytext --to py nb/train.ipynb").is_empty());
        assert_eq!(
            one("jupytext --to py --execute nb/train.ipynb"),
            files(&["nb/train.ipynb"])
        );
        // Rendering a Quarto or R Markdown document runs its chunks.
        assert_eq!(
            one("quarto render pipeline/refresh.qmd --to html"),
            files(&["pipeline/refresh.qmd"])
        );
        assert_eq!(
            one("Rscript -e \"rmarkdown::render('reports/model.Rmd', output_dir = 'out')\""),
            files(&["reports/model.Rmd"])
        );
        // A file moved into place earlier in the job is the file moved there.
        {
            let mut state = ShellState::default();
            let mut cwd = Some("uc".to_string());
            assert!(parse_line_with("mv main_train.py main.py", &mut cwd, &mut state).is_empty());
            let s = parse_line_with("python main.py --x 1", &mut cwd, &mut state);
            assert_eq!(
                s[0].action,
                Action::Paths(vec!["/uc/main_train.py".into(), "1".into()])
            );
        }
        // A manifest piped into `kubectl apply -f -` is the file applied.
        let piped = |line: &str| -> Vec<Action> {
            one(line)
                .into_iter()
                .filter(|a| matches!(a, Action::Files { .. }))
                .collect()
        };
        let applied = vec![Action::Files {
            paths: vec!["k8s/job.yaml".into()],
            alternatives: false,
        }];
        assert_eq!(
            piped("cat k8s/job.yaml | envsubst | kubectl apply -f -"),
            applied
        );
        assert_eq!(
            piped("envsubst < k8s/job.yaml | kubectl apply -f -"),
            applied
        );
        assert_eq!(
            piped("sed 's/TAG/v2/' k8s/job.yaml | kubectl apply --filename=-"),
            applied
        );
        // Not a pipe: the `-` stays standard input, which names no file.
        assert!(piped("cat k8s/job.yaml; kubectl apply -f -").is_empty());
        // A Cloud Function deployed from a folder runs its main.py.
        assert_eq!(
            one(
                "gcloud functions deploy train_fn --runtime=python39 --source=source --trigger-topic=t"
            ),
            files(&["source/main.py"])
        );
        assert!(one("gcloud functions deploy f --runtime=nodejs20 --source=fn").is_empty());
        // Azure ML CLI v1 submits a script as an experiment run.
        assert_eq!(
            one(
                "az ml run submit-script -d ./env/dependencies.yml ./aml_service/pipelines_master.py --path x"
            ),
            vec![Action::Paths(vec![
                "./aml_service/pipelines_master.py".into()
            ])]
        );
        assert_eq!(
            one(
                "az ml run submit-script -c diabetes -e exp --source-directory train -t run.json train-diabetes.py"
            ),
            vec![Action::Paths(vec!["train/train-diabetes.py".into()])]
        );
        assert_eq!(
            one("docker build -t x:1 services/api"),
            vec![Action::Docker {
                file: None,
                context: Some("services/api".into())
            }]
        );
        assert_eq!(
            one("databricks bundle run retrain -t prod"),
            vec![Action::Bundle {
                job: Some("retrain".into())
            }]
        );
        for line in [
            "JOB_ID=$(databricks jobs create --json-file jobs/train.json | jq .job_id)",
            "databricks runs submit --json @jobs/train.json",
            "databricks jobs reset --job-id 7 --json-file=jobs/train.json",
        ] {
            assert_eq!(
                one(line),
                vec![Action::Files {
                    paths: vec!["jobs/train.json".into()],
                    alternatives: false
                }],
                "{line}"
            );
        }
        assert!(one("databricks jobs list --output json").is_empty());
        assert_eq!(
            one("dbx execute lendingclub-train --cluster-id 0807-225846 --task main"),
            vec![Action::Bundle {
                job: Some("lendingclub-train".into())
            }]
        );
        assert_eq!(
            one("uvicorn app.main:api --port 8080"),
            vec![Action::PythonModule("app.main".into())]
        );
        assert_eq!(
            one("aws s3 cp ./algorithms/${F}/src/processing.py s3://${B}/job/processing.py"),
            vec![Action::Upload {
                source: "./algorithms/${F}/src/processing.py".into()
            }]
        );
        assert_eq!(
            one("gsutil -m cp -r model/ gs://bucket/models/"),
            vec![Action::Upload {
                source: "model/".into()
            }]
        );
        assert!(one("aws s3 cp s3://bucket/model.tar.gz model.tar.gz").is_empty());
        assert_eq!(
            one("jobtools hatedetection.train.trainer train_and_evaluate --params p.yml"),
            vec![Action::PythonModule("hatedetection.train.trainer".into())]
        );
        assert_eq!(
            one("python -m jobtools src/tags.py add_tag --name x"),
            vec![Action::Paths(vec!["src/tags.py".into()])]
        );
    }

    #[test]
    fn terraform_apply_applies_its_configuration() {
        assert_eq!(
            one("terraform -chdir=infra apply -auto-approve tfplan"),
            vec![Action::Terraform {
                dir: Some("infra".into())
            }]
        );
        assert_eq!(
            one("terragrunt run-all apply --terragrunt-non-interactive"),
            vec![Action::Terraform { dir: None }]
        );
        // Planning, initialising and formatting change nothing.
        for cmd in [
            "terraform plan -out x",
            "terraform -chdir=infra init",
            "tofu fmt -check",
        ] {
            assert_eq!(one(cmd), Vec::<Action>::new(), "{cmd}");
        }
        assert_eq!(
            one("az deployment group create -g rg -f infra/main.bicep"),
            files(&["infra/main.bicep"])
        );
    }

    #[test]
    fn environments_and_tools_are_not_repository_code() {
        assert!(one("source .venv/bin/activate").is_empty());
        assert!(one(". $HOME/.cargo/env").is_empty());
        assert!(one("python -m spacy download en_core_web_sm").is_empty());
        assert!(one("python -m pip install -e .").is_empty());
        assert_eq!(one("source scripts/env.sh"), files(&["scripts/env.sh"]));
    }

    /// `ENTRY=src/train.py` then `python "${ENTRY}"`: the script names what it runs through a
    /// variable it assigned.
    #[test]
    fn variables_the_script_assigns_name_what_it_runs() {
        let mut cwd = None;
        let mut state = ShellState::default();
        let run = |line: &str, state: &mut ShellState, cwd: &mut Option<String>| {
            parse_line_with(line, cwd, state)
                .into_iter()
                .map(|s| s.action)
                .collect::<Vec<_>>()
        };
        assert!(run("ENTRY=\"src/train.py\"", &mut state, &mut cwd).is_empty());
        assert_eq!(
            run("python \"${ENTRY}\" --epochs 3", &mut state, &mut cwd),
            vec![Action::Paths(vec!["src/train.py".into(), "3".into()])]
        );
        run("export PY='python -u'", &mut state, &mut cwd);
        assert_eq!(
            run("$PY $ENTRY", &mut state, &mut cwd),
            vec![Action::Paths(vec!["src/train.py".into()])]
        );
        // One line: the assignment holds for the commands after it.
        let mut fresh = ShellState::default();
        assert_eq!(
            run("S=eval.py; python $S", &mut fresh, &mut cwd),
            vec![Action::Paths(vec!["eval.py".into()])]
        );
        // A prefix assignment is the command's environment only, and `--lr=0.1` is no
        // assignment.
        let mut fresh = ShellState::default();
        run("X=a.py python b.py --lr=0.1", &mut fresh, &mut cwd);
        assert!(fresh.vars.is_empty());
    }

    /// Inline code over several lines (`python -c "` up to the closing quote) is one command
    /// whose imports are read, with the folders it puts on `sys.path`.
    #[test]
    fn inline_code_over_lines_is_one_command() {
        let text = "python -c \"\nimport sys\nsys.path.insert(0, 'src')\nfrom train import Trainer\nTrainer().train()\n\"\necho done\n";
        let lines = logical_lines(text);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[1], (6, "echo done".to_string()));
        assert_eq!(
            one(&lines[0].1),
            vec![Action::PythonImports(vec![
                "sys".into(),
                "src.sys".into(),
                "train".into(),
                "src.train".into(),
                "train.Trainer".into(),
                "src.train.Trainer".into()
            ])]
        );
    }

    /// A script's `\` continuations make one command, at its first line; an escaped
    /// backslash at the end of a line does not continue it.
    #[test]
    fn continued_lines_are_one_command() {
        let text = "curl -X POST \\\n  http://af/api/v1/dags/d/dagRuns \\\n  -d '{}'\necho a\\\\\necho b\n";
        assert_eq!(
            logical_lines(text),
            vec![
                (
                    0,
                    "curl -X POST http://af/api/v1/dags/d/dagRuns -d '{}'".to_string()
                ),
                (3, "echo a\\\\".to_string()),
                (4, "echo b".to_string()),
            ]
        );
        assert_eq!(
            one(&logical_lines(text)[0].1),
            vec![Action::Job {
                system: "airflow",
                job: "d".into()
            }]
        );
    }

    /// `docker run [flags] IMAGE CMD` runs CMD (and `sh -lc "..."` its line); without a CMD
    /// the image's own (by its name).
    #[test]
    fn docker_run_runs_its_command() {
        let train = || Action::Paths(vec!["src/train.py".into()]);
        assert_eq!(
            one("docker run --rm -v $PWD:/app -w /app --gpus all python:3.11 python src/train.py"),
            vec![train()]
        );
        assert_eq!(
            one("docker run --rm --entrypoint \"\" t:latest sh -lc \"python src/train.py\""),
            vec![train()]
        );
        assert_eq!(
            one("docker run --rm -p 8000:8000 churn-api:latest"),
            vec![Action::Image("churn-api:latest".into())]
        );
        // `docker exec` into a running container, `docker container run|exec`.
        let bare = || Action::Paths(vec!["train.py".into()]);
        assert_eq!(
            one("docker container exec model python3 train.py"),
            vec![bare()]
        );
        assert_eq!(
            one("docker exec -it -e K=V model python train.py"),
            vec![bare()]
        );
        assert_eq!(
            one("docker container run --rm t:latest python train.py"),
            vec![bare()]
        );
        assert!(one("docker exec model").is_empty());
        assert!(one("docker container ls").is_empty());
    }

    /// A condition's command is the command: `if ! diff -q a b` compares files, it runs
    /// neither; `if python check.py` runs the script.
    #[test]
    fn conditions_are_their_commands() {
        assert!(one("if ! diff -q examples/train.py.expected examples/train.py").is_empty());
        let runs_no_file = |line: &str| {
            one(line)
                .iter()
                .all(|a| matches!(a, Action::Paths(p) if p.is_empty()))
        };
        assert!(runs_no_file("while cmp -s a.py b.py; do sleep 1; done"));
        assert!(runs_no_file("until diff -q a.py b.py; do sleep 1; done"));
        assert_eq!(
            one("if python check.py; then echo ok; fi")[0],
            Action::Paths(vec!["check.py".into()])
        );
    }

    /// What hand-splitting got wrong: a `#` inside quotes, commands inside substitutions.
    #[test]
    fn quoted_comments_and_substitutions_reach_the_script() {
        let train = || Action::Paths(vec!["train.py".into()]);
        assert_eq!(one("echo \"step #1\"; python train.py"), vec![train()]);
        assert_eq!(one("echo \"$(python train.py)\""), vec![train()]);
        assert_eq!(one("echo `python train.py`"), vec![train()]);
        assert_eq!(
            one("MODEL=$(python train.py) && echo $MODEL"),
            vec![train()]
        );
        // A continued line: the first line holds the program and the script.
        assert_eq!(
            one("python train.py \\"),
            vec![Action::Paths(vec!["train.py".into(), "\\".into()])]
        );
        // Escaped spaces and operators are words.
        assert_eq!(
            one(r"python my\ train.py a\;b"),
            vec![Action::Paths(vec!["my train.py".into(), "a;b".into()])]
        );
    }
}
