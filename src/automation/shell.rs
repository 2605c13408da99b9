//! Reading shell command lines (CI `run:` blocks, Makefile recipes, scripts) for what they run.
//!
//! This is a reader, not a shell: it splits on the usual operators, unwraps the usual wrappers
//! (`uv run`, `poetry run`, `coverage run`...) and says which repository files a command would
//! execute. Programs that only *read* files (linters, formatters, `cat`, `pip install -r`) give
//! no edges: linting `src/` does not run the training code in it.

/// What one simple command does, as far as the automation graph cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
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
    /// A test runner: its path arguments, or every test file when it has none.
    Tests { paths: Vec<String> },
    /// `gh workflow run NAME`: another workflow of this repository.
    GhWorkflow(String),
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
    /// `databricks bundle deploy|run [JOB]`: the bundle, or one job of it.
    Bundle { job: Option<String> },
    /// Anything else that runs things: its arguments that name repository paths.
    Paths(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Simple {
    pub program: String,
    pub action: Action,
    /// The command as written, shortened, for chains.
    pub text: String,
    /// Directory the command runs in, relative to the root (from `cd`), if known.
    pub cwd: Option<String>,
}

/// Programs that read or check files without running them.
const READERS: &[&str] = &[
    "ruff",
    "flake8",
    "black",
    "mypy",
    "pylint",
    "isort",
    "pre-commit",
    "bandit",
    "pyright",
    "yamllint",
    "shellcheck",
    "hadolint",
    "pydocstyle",
    "interrogate",
    "codespell",
    "nbqa",
    "markdownlint",
    "prettier",
    "eslint",
    "tflint",
    "checkov",
    "actionlint",
    "zizmor",
    "sphinx-build",
    "mkdocs",
    "cat",
    "ls",
    "echo",
    "printf",
    "cp",
    "mv",
    "rm",
    "mkdir",
    "touch",
    "git",
    "grep",
    "find",
    "test",
    "[",
    "chmod",
    "wc",
    "head",
    "tail",
    "sed",
    "awk",
    "diff",
    "tar",
    "zip",
    "unzip",
    "pip",
    "pip3",
    "npm",
    "apt-get",
    "apt",
    "curl",
    "wget",
    "codecov",
    "export",
    "set",
    "exit",
    "true",
    "false",
    "sleep",
    "source-highlight",
    "jq",
    "yq",
    "tee",
    "sort",
    "uniq",
];

/// `docker build` flags that take a value.
const DOCKER_VALUE_FLAGS: &[&str] = &[
    "-t",
    "--tag",
    "--build-arg",
    "--target",
    "--platform",
    "--cache-from",
    "--cache-to",
    "--label",
    "--secret",
    "--progress",
    "--output",
    "-o",
    "--network",
    "--builder",
];

const HELM_VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--set",
    "--set-string",
    "--set-file",
    "--version",
    "--timeout",
    "--kube-context",
    "--repo",
];

/// Packages run with `python -m` that are tools, not this repository's code: not finding them
/// in the repository is expected.
fn is_third_party_module(m: &str) -> bool {
    const TOOLS: &[&str] = &[
        "pip",
        "ensurepip",
        "build",
        "twine",
        "venv",
        "virtualenv",
        "pipx",
        "ruff",
        "black",
        "mypy",
        "flake8",
        "pylint",
        "isort",
        "pyright",
        "bandit",
        "pre_commit",
        "http",
        "json",
        "coverage",
        "spacy",
        "nltk",
        "mlflow",
        "dvc",
        "kedro",
        "jupyter",
        "nbconvert",
        "papermill",
        "pydoc",
        "doctest",
        "timeit",
        "cProfile",
        "compileall",
        "py_compile",
        "zipapp",
        "wheel",
        "setuptools",
        "poetry",
        "pdm",
        "uv",
        "hatch",
        "grpc_tools",
        "tensorboard",
        "sphinx",
        "mkdocs",
        "jupytext",
        "ipykernel",
        "huggingface_hub",
        "transformers",
        "wandb",
        "prefect",
        "dagster",
        "airflow",
        "zenml",
        "metaflow",
        "bentoml",
        "ray",
        "great_expectations",
        "torch",
        "tensorflow",
        "sagemaker",
        "zipfile",
        "tarfile",
        "site",
        "sysconfig",
        "pydantic",
        "nbstripout",
        "nbqa",
    ];
    let head = m.split('.').next().unwrap_or(m);
    TOOLS.contains(&head)
}

const TEST_RUNNERS: &[&str] = &["pytest", "py.test", "tox", "nox", "behave"];

const PYTHONS: &[&str] = &["python", "python3", "py", "python2", "ipython"];

/// Splits a command line into simple commands, tracking `cd` for the ones after it.
pub fn parse_line(line: &str, cwd: &mut Option<String>) -> Vec<Simple> {
    let line = strip_comment(line);
    let mut out = Vec::new();
    for part in split_operators(line) {
        let mut tokens = tokenize(part);
        // `VAR=value cmd`, `env VAR=value cmd`, `sudo`, `time`: not the program.
        loop {
            match tokens.first().map(String::as_str) {
                Some(t) if t.contains('=') && !t.starts_with('-') && !t.contains('/') => {
                    tokens.remove(0);
                }
                Some(
                    "env" | "sudo" | "time" | "nohup" | "exec" | "xvfb-run" | "then" | "do"
                    | "else" | "!",
                ) => {
                    tokens.remove(0);
                }
                _ => break,
            }
        }
        let Some(program) = tokens.first().cloned() else {
            continue;
        };
        if program == "cd" {
            if let Some(d) = tokens.get(1) {
                let d = d.trim_start_matches("./").trim_end_matches('/');
                *cwd = match (cwd.as_deref(), d) {
                    (_, "" | "." | "~" | "-") => None,
                    (Some(c), d) if !d.starts_with('/') => Some(format!("{c}/{d}")),
                    (_, d) => Some(d.trim_start_matches('/').to_string()),
                };
            }
            continue;
        }
        // `bash -c 'cmd'`, `sh -c "cmd"`: the nested command line.
        if matches!(base_name(&program), "bash" | "sh" | "zsh" | "dash")
            && let Some(i) = tokens.iter().position(|t| t == "-c")
        {
            if let Some(inner) = tokens.get(i + 1)
                && inner.len() < 4000
            {
                let mut inner_cwd = cwd.clone();
                out.extend(parse_line(inner, &mut inner_cwd));
            }
            continue;
        }
        let text = shorten(part.trim());
        if let Some(action) = classify(&tokens) {
            out.push(Simple {
                program: base_name(&program).to_string(),
                action,
                text,
                cwd: cwd.clone(),
            });
        }
    }
    out
}

pub fn shorten(s: &str) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 80 {
        let mut t: String = s.chars().take(79).collect();
        t.push('…');
        t
    } else {
        s
    }
}

fn base_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn classify(tokens: &[String]) -> Option<Action> {
    let mut t: Vec<&str> = tokens.iter().map(String::as_str).collect();
    // Wrappers that run the rest of the line.
    loop {
        match t.as_slice() {
            [
                "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye",
                "run",
                ..,
            ] => {
                t.drain(..2);
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
            ["coverage", "run", ..] => {
                t.drain(..2);
                // `coverage run -m pytest` = `python -m pytest`
                t.insert(0, "python");
            }
            ["accelerate", "launch", ..] | ["deepspeed", ..] | ["torchrun", ..] => {
                let skip = if t[0] == "accelerate" { 2 } else { 1 };
                t.drain(..skip);
                t.insert(0, "python");
            }
            _ => break,
        }
    }
    let program = base_name(t.first()?);
    if READERS.contains(&program) {
        return None;
    }
    let args: Vec<String> = t[1..].iter().map(|s| s.to_string()).collect();
    let positional = |args: &[String]| -> Vec<String> {
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
    };
    if TEST_RUNNERS.contains(&program) {
        return Some(Action::Tests {
            paths: positional(&args),
        });
    }
    if PYTHONS.contains(&program) || program.starts_with("python3.") {
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            if a == "-m" {
                let module = args.get(i + 1)?.clone();
                let rest = &args[i + 2..];
                return match module.as_str() {
                    "pytest" | "unittest" | "tox" | "nox" => Some(Action::Tests {
                        paths: positional(rest),
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
                    "uvicorn" | "gunicorn" | "streamlit" => {
                        let mut t = vec![module.clone()];
                        t.extend(rest.iter().cloned());
                        classify(&t)
                    }
                    m if is_third_party_module(m) => None,
                    _ => Some(Action::PythonModule(module)),
                };
            }
            if a == "-c" {
                return None;
            }
            if a.starts_with('-') {
                i += 1;
                continue;
            }
            break;
        }
        return Some(Action::Paths(positional(&args)));
    }
    match (program, args.first().map(String::as_str)) {
        ("make" | "gmake", _) => {
            let mut dir = None;
            let mut file = None;
            let mut targets = Vec::new();
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "-C" | "--directory" => dir = it.next().cloned(),
                    "-f" | "--file" | "--makefile" => file = it.next().cloned(),
                    s if s.starts_with('-') || s.contains('=') => {}
                    s => targets.push(s.to_string()),
                }
            }
            Some(Action::Make { dir, file, targets })
        }
        ("dvc", Some("repro")) => Some(Action::DvcRepro {
            stages: positional(&args[1..]),
        }),
        ("dvc", Some("exp")) if args.get(1).map(String::as_str) == Some("run") => {
            Some(Action::DvcRepro {
                stages: positional(&args[2..]),
            })
        }
        ("dvc", _) => None,
        ("kedro", Some("run")) => Some(Action::Kedro),
        ("kedro", _) => None,
        ("gh", Some("workflow")) if args.get(1).map(String::as_str) == Some("run") => {
            args.get(2).map(|w| Action::GhWorkflow(w.clone()))
        }
        ("docker" | "podman", Some("build" | "buildx")) => {
            let mut file = None;
            let mut context = None;
            let mut it = args.iter().skip(1);
            while let Some(a) = it.next() {
                if a == "-f" || a == "--file" {
                    file = it.next().cloned();
                } else if let Some(v) = a.strip_prefix("--file=") {
                    file = Some(v.to_string());
                } else if DOCKER_VALUE_FLAGS.contains(&a.as_str()) {
                    it.next();
                } else if a == "build" && context.is_none() {
                    // `docker buildx build`
                } else if !a.starts_with('-') {
                    context = Some(a.clone());
                }
            }
            Some(Action::Docker { file, context })
        }
        ("docker" | "podman", _) => None,
        ("kubectl" | "oc", Some("apply" | "create" | "replace")) | ("kustomize", Some("build")) => {
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
            (!paths.is_empty()).then_some(Action::Files {
                paths,
                alternatives: false,
            })
        }
        ("kubectl" | "oc", _) => None,
        ("helm", Some("upgrade" | "install" | "template")) => {
            // helm upgrade --install NAME CHART / helm install NAME CHART
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
        ("helm", _) => None,
        ("az", Some("ml")) => {
            // az ml job|schedule|online-deployment|component|pipeline create -f spec.yml
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
            (!paths.is_empty()).then_some(Action::Files {
                paths,
                alternatives: false,
            })
        }
        ("az" | "aws" | "gcloud", _) => {
            // `gcloud builds submit --config cloudbuild.yaml`, `aws cloudformation deploy
            // --template-file t.yml`, `gcloud ai custom-jobs create --config job.yaml`.
            let mut paths = Vec::new();
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--config" | "--template-file" | "--template-body" | "--cli-input-yaml"
                    | "--file" | "--source" => {
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
            (!paths.is_empty()).then_some(Action::Files {
                paths,
                alternatives: false,
            })
        }
        ("cdk", Some("deploy" | "synth" | "diff")) => Some(Action::Files {
            paths: vec!["cdk.json".into()],
            alternatives: true,
        }),
        ("sam", Some("deploy" | "build" | "validate")) => {
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
        ("cdk" | "sam", _) => None,
        ("databricks", Some("bundle")) => match args.get(1).map(String::as_str) {
            Some("deploy" | "validate") => Some(Action::Bundle { job: None }),
            Some("run") => Some(Action::Bundle {
                job: positional(&args[2..]).into_iter().next(),
            }),
            _ => None,
        },
        ("databricks", _) => None,
        ("source" | ".", _) => {
            let f = args.first()?;
            // Environments and shell profiles, not this repository's scripts.
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
        ("uvicorn" | "gunicorn" | "hypercorn", _) => positional(&args)
            .into_iter()
            .find(|a| a.contains(':') && !a.contains('/') && !a.contains("0.0.0.0"))
            .and_then(|a| a.split(':').next().map(str::to_string))
            .map(Action::PythonModule),
        ("streamlit", Some("run")) | ("papermill", _) => {
            let p = positional(&args);
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
        ("jupyter", Some("nbconvert" | "execute" | "run")) => {
            if args[0] == "nbconvert" && !args.iter().any(|a| a == "--execute") {
                return None;
            }
            let paths: Vec<String> = positional(&args[1..])
                .into_iter()
                .filter(|a| a.ends_with(".ipynb"))
                .collect();
            (!paths.is_empty()).then_some(Action::Files {
                paths,
                alternatives: false,
            })
        }
        ("jupyter" | "streamlit" | "mlflow" | "terraform" | "pulumi", _) => None,
        _ => {
            // `./scripts/train.sh` or `scripts/train.sh`: the program itself is a path.
            let mut paths = positional(&args);
            if t[0].contains('/') || t[0].ends_with(".sh") || t[0].ends_with(".py") {
                paths.insert(0, t[0].to_string());
            }
            Some(Action::Paths(paths))
        }
    }
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') {
        return "";
    }
    match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Splits on `&&`, `||`, `;` and `|` outside quotes.
fn split_operators(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b';' || b == b'|' || b == b'&' || b == b'\n' => {
                parts.push(&line[start..i]);
                while i + 1 < bytes.len() && matches!(bytes[i + 1], b'|' | b'&') {
                    i += 1;
                }
                start = i + 1;
            }
            None => {}
        }
        i += 1;
    }
    parts.push(&line[start..]);
    parts
}

fn tokenize(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                has = true;
            }
            None if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            None if c == '(' || c == ')' || c == '`' => {}
            None => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Vec<Action> {
        let mut cwd = None;
        parse_line(line, &mut cwd)
            .into_iter()
            .map(|s| s.action)
            .collect()
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
        assert_eq!(
            one("coverage run -m pytest tests/unit"),
            vec![Action::Tests {
                paths: vec!["tests/unit".into()]
            }]
        );
    }

    #[test]
    fn linters_do_not_run_code() {
        assert!(one("ruff check src && black --check src").is_empty());
        assert!(one("pip install -r requirements.txt").is_empty());
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
            vec![Action::Files {
                paths: vec!["k8s/".into(), "overlays/prod".into()],
                alternatives: false
            }]
        );
        assert_eq!(
            one("helm upgrade --install churn ./charts/churn --namespace ml"),
            vec![Action::Files {
                paths: vec!["./charts/churn".into()],
                alternatives: false
            }]
        );
        // A chart from a registry is not this repository's.
        assert!(one("helm upgrade --install redis bitnami/redis").is_empty());
        assert_eq!(
            one("az ml job create -f jobs/train.yml --stream"),
            vec![Action::Files {
                paths: vec!["jobs/train.yml".into()],
                alternatives: false
            }]
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
        assert_eq!(
            one("uvicorn app.main:api --port 8080"),
            vec![Action::PythonModule("app.main".into())]
        );
    }

    #[test]
    fn environments_and_tools_are_not_repository_code() {
        assert!(one("source .venv/bin/activate").is_empty());
        assert!(one(". $HOME/.cargo/env").is_empty());
        assert!(one("python -m spacy download en_core_web_sm").is_empty());
        assert!(one("python -m pip install -e .").is_empty());
        assert_eq!(
            one("source scripts/env.sh"),
            vec![Action::Files {
                paths: vec!["scripts/env.sh".into()],
                alternatives: false
            }]
        );
    }
}
