//! Files one command hands the next: a pipe's input file (`cat job.yaml | envsubst | kubectl
//! apply -f -`), a file moved or copied into place (`mv main_train.py main.py`), files brought
//! into the job's tree from elsewhere (`git clone`, `curl -o`), and the script a command runs,
//! which the job fails at when nobody handed it over and the repository lacks it.

use super::{Action, Simple, base_name};

/// Whether a command may bring files the repository does not hold into the job's tree (`git
/// clone`, `curl -o`, `unzip`, `dvc pull`, `aws s3 cp`, `jupyter nbconvert`...): a script
/// missing from the tree may then be one of them. git only to clone or pull (Jenkins' `git url:
/// ...` step checks out the same repository).
pub(super) fn brings_files(tokens: &[String]) -> bool {
    let Some(program) = tokens.first() else {
        return false;
    };
    if writes_a_script(tokens) {
        return true;
    }
    let sub = tokens.get(1).map_or("", String::as_str);
    match base_name(program) {
        "git" => matches!(
            sub,
            "clone" | "submodule" | "lfs" | "pull" | "fetch" | "worktree"
        ),
        "aws" => sub == "s3",
        "gcloud" | "az" => sub == "storage",
        "wget" | "curl" | "unzip" | "tar" | "gunzip" | "7z" | "rsync" | "scp" | "cp" | "mv"
        | "ln" | "dvc" | "gsutil" | "azcopy" | "jupyter" | "jupytext" | "papermill"
        | "cookiecutter" | "copier" | "svn" | "hg" | "huggingface-cli" | "kaggle" => true,
        // Requirements files written from a lock (`poetry export -o requirements.txt`).
        "poetry" | "pdm" | "uv" => matches!(sub, "export" | "pip"),
        "pip-compile" | "pipenv" => true,
        name => name.contains("download"),
    }
}

/// The project file a command cannot run without (`poetry install`, `poetry run pytest`,
/// `uv sync`, `pdm install` need a `pyproject.toml`), if it is such a command: the graph, which
/// knows the repository's files, decides whether the repository holds one.
pub(crate) fn needs_project_file(simple: &Simple) -> Option<&'static str> {
    let words: Vec<&str> = simple.text.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| matches!(base_name(w), "poetry" | "uv" | "pdm"))?;
    let sub = words[at + 1..].iter().find(|w| !w.starts_with('-'))?;
    let needs = match base_name(words[at]) {
        "poetry" => matches!(
            *sub,
            "install" | "lock" | "run" | "build" | "update" | "sync" | "check" | "export"
        ),
        "uv" => matches!(*sub, "sync" | "lock"),
        "pdm" => matches!(*sub, "install" | "sync" | "lock"),
        _ => false,
    };
    needs.then_some("pyproject.toml")
}

/// The value a command gives the first of `flags` it names (`--config job.yaml` or
/// `--config=job.yaml`), unquoted.
fn flag_value<'a>(text: &'a str, flags: &[&str]) -> Option<&'a str> {
    let mut words = text.split_whitespace();
    let value = loop {
        let w = words.next()?;
        match w.split_once('=') {
            Some((f, v)) if flags.contains(&f) => break v,
            None if flags.contains(&w) => break words.next()?,
            _ => {}
        }
    };
    Some(value.trim_matches(['"', '\'']))
}

/// The specification file a platform CLI submits or applies (`az ml job create --file
/// aml/pipeline.yml`, `kubectl apply -f k8s/deploy.yaml`, `gcloud ai custom-jobs create
/// --config=job.yaml`, `aws cloudformation deploy --template-file stack.yml`), if it names one
/// literally: the command fails before doing anything when the file is not there, which the
/// graph, knowing the repository's files, decides.
pub(crate) fn spec_file(simple: &Simple) -> Option<&str> {
    let words: Vec<&str> = simple.text.split_whitespace().collect();
    let program = base_name(words.first()?);
    let sub: Vec<&str> = words[1..]
        .iter()
        .copied()
        .filter(|w| !w.starts_with('-'))
        .take(3)
        .collect();
    let flags: &[&str] = match (program, sub.as_slice()) {
        ("az", ["ml", _, "create" | "update", ..]) => &["--file", "-f"],
        ("kubectl" | "oc", ["apply", ..]) => &["--filename", "-f"],
        ("gcloud", ["ai", "custom-jobs" | "hp-tuning-jobs", "create", ..]) => &["--config"],
        (
            "aws",
            [
                "cloudformation",
                "deploy" | "create-stack" | "update-stack",
                ..,
            ],
        )
        | ("az", ["deployment", _, "create", ..]) => &["--template-file"],
        _ => return None,
    };
    let value = flag_value(&simple.text, flags)?;
    let literal = !value.contains(['$', '*', '{', '~', '`', '(', '%', '@', ':'])
        && !value.starts_with(['/', '-'])
        && [".yml", ".yaml", ".json"]
            .iter()
            .any(|e| value.ends_with(e));
    literal.then(|| value.trim_start_matches("./"))
}

/// The paths a pytest run is told to collect (`pytest proto/tests`, `python -m pytest
/// tests/test_api.py::test_ok`), named literally: pytest stops with "file or directory not
/// found" when one is not there, and the graph, knowing the repository's files, decides. A word
/// after an option is that option's value, not a path.
pub(crate) fn test_paths(simple: &Simple) -> Vec<&str> {
    let words: Vec<&str> = simple.text.split_whitespace().collect();
    let Some(at) = words
        .iter()
        .position(|w| matches!(base_name(w), "pytest" | "py.test"))
    else {
        return Vec::new();
    };
    // `pytest` itself, `python -m pytest` or `poetry run pytest`; not a word inside another
    // command's arguments.
    if at > 0 && !matches!(words[at - 1], "-m" | "run") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate().skip(at + 1) {
        if matches!(*w, "&&" | "||" | ";" | "|" | ">" | "2>&1") || w.starts_with('>') {
            break;
        }
        let after_option = words[i - 1].starts_with('-') && !words[i - 1].contains('=');
        let path = w.split("::").next().unwrap_or(w).trim_matches(['"', '\'']);
        if w.starts_with('-')
            || after_option
            || path.is_empty()
            || path.contains(['$', '*', '{', '~', '`', '(', '%', '@', ':', '[', '='])
            || !(path.contains('/') || path.ends_with(".py") || path.starts_with("test"))
        {
            continue;
        }
        out.push(path.trim_start_matches("./"));
    }
    out
}

/// The requirements files a line's pip install reads (`pip install -r requirements.txt -r
/// requirements-dev.txt`, `python -m pip install -r ...`, `uv pip install -r ...`, constraints
/// with `-c`), named literally, on a line that does not handle its failure (`||`): pip stops
/// when one is not there, and the graph, knowing the repository's files, decides.
pub(crate) fn requirements_files(line: &str) -> Vec<&str> {
    if line.contains("||") || line.trim_start().starts_with('#') {
        return Vec::new();
    }
    let mut out = Vec::new();
    for part in line.split(['&', ';', '|']) {
        let words: Vec<&str> = part.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| *w == "install") else {
            continue;
        };
        if !words[..at]
            .iter()
            .any(|w| matches!(base_name(w), "pip" | "pip3"))
        {
            continue;
        }
        let flags = ["-r", "--requirement", "-c", "--constraint"];
        let mut rest = words[at + 1..].iter();
        while let Some(w) = rest.next() {
            let value = match w.split_once('=') {
                Some((f, v)) if flags.contains(&f) => v,
                None if flags.contains(w) => match rest.next() {
                    Some(v) => v,
                    None => break,
                },
                _ => continue,
            };
            let value = value.trim_matches(['"', '\'']);
            if !value.contains(['$', '*', '{', '~', '`', '(', '%', '@', ':'])
                && !value.starts_with(['/', '-'])
                && (value.ends_with(".txt") || value.ends_with(".in"))
            {
                out.push(value.trim_start_matches("./"));
            }
        }
    }
    out
}

/// The files a line tests for (`[ -f FILE ]`, `[[ -e FILE ]]`, `test -f FILE`).
pub(crate) fn tested_files(line: &str) -> Vec<String> {
    static TEST: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?:\[\[?|\btest)\s+-[fe]\s+["']?([^\s"'\]]+)"#).expect("file test")
    });
    TEST.captures_iter(line)
        .map(|c| c[1].trim_start_matches("./").to_string())
        .collect()
}

/// The Python module a command names for its script to import (`run_pipeline.py
/// --module-name pipelines.churn.pipeline`, the SageMaker project template's way to pick its
/// pipeline), if it names one literally: the script imports it before doing anything, and the
/// graph, which knows the repository's files, decides whether the repository holds it.
pub(crate) fn module_named(simple: &Simple) -> Option<&str> {
    let value = flag_value(&simple.text, &["--module-name", "--module_name"])?;
    (!value.is_empty()
        && value.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }))
    .then_some(value)
}

/// The script a command runs by a literal relative path (`python train.py`, `bash
/// scripts/run.sh`, `./deploy.sh`), if it runs one: the graph, which knows the repository's
/// files, decides whether the repository holds it.
pub(crate) fn script_run(simple: &Simple) -> Option<&str> {
    const SCRIPT: &[&str] = &[
        ".py", ".sh", ".bash", ".R", ".r", ".js", ".ts", ".pl", ".rb",
    ];
    let Action::Paths(paths) = &simple.action else {
        return None;
    };
    let base = base_name(&simple.runs);
    let runner = super::programs::PYTHONS.contains(&base)
        || base.starts_with("python3.")
        || matches!(
            base,
            "bash" | "sh" | "zsh" | "Rscript" | "node" | "perl" | "ruby"
        );
    let first = paths.first()?.as_str();
    // A runner's script, or the command itself given as a path (`./deploy.sh`).
    let itself = first.contains('/') && base_name(first) == base;
    if !runner && !itself {
        return None;
    }
    let script = first;
    let literal = !script.contains(['$', '*', '{', '~', '`', '(', '%', '@'])
        && !script.starts_with(['/', '-'])
        && SCRIPT.iter().any(|e| script.ends_with(e));
    literal.then(|| script.trim_start_matches("./"))
}

/// Whether a command writes a script into the job's tree (`cat > helper.py <<'PY'`, `echo ...
/// >> run.sh`, `tee job.py`): a job may write the script it runs next.
fn writes_a_script(tokens: &[String]) -> bool {
    // Scripts, and the specification files a platform CLI reads next (`envsubst < job.tpl >
    // job.yml`).
    const SCRIPT: &[&str] = &[
        ".py", ".sh", ".bash", ".R", ".r", ".js", ".ts", ".pl", ".rb", ".yml", ".yaml", ".json",
        ".txt", ".in",
    ];
    let script = |t: &str| SCRIPT.iter().any(|e| t.ends_with(e));
    let redirected = tokens
        .windows(2)
        .any(|w| matches!(w[0].as_str(), ">" | ">>" | "1>") && script(&w[1]))
        || tokens
            .iter()
            .filter_map(|t| t.strip_prefix(">>").or_else(|| t.strip_prefix('>')))
            .any(|t| !t.is_empty() && script(t));
    let teed = base_name(&tokens[0]) == "tee" && tokens[1..].iter().any(|t| script(t));
    redirected || teed
}

/// `mv A B` or `cp A B` of one file to another name (not into a directory): B now holds A.
/// At most 64 are kept.
pub(super) fn record_rename(
    tokens: &[String],
    cwd: Option<&str>,
    renames: &mut Vec<(String, String)>,
) {
    if !matches!(tokens.first().map(|p| base_name(p)), Some("mv" | "cp")) || renames.len() >= 64 {
        return;
    }
    let args: Vec<&String> = tokens[1..].iter().filter(|t| !t.starts_with('-')).collect();
    let [from, to] = args.as_slice() else {
        return;
    };
    let file = |p: &str| {
        !p.ends_with('/') && !p.contains(['$', '*']) && crate::paths::file_name(p).contains('.')
    };
    if !file(from) || !file(to) {
        return;
    }
    // A file rewritten in place through a temporary copy (`envsubst < job.yaml > job.yaml.tmp;
    // mv job.yaml.tmp job.yaml`, `sed ... > x.new && mv x.new x`) is still that file.
    let rewritten = from
        .strip_prefix(to.as_str())
        .is_some_and(|ext| matches!(ext, ".tmp" | ".temp" | ".new" | ".bak" | ".orig" | "~"));
    if rewritten {
        return;
    }
    let base = cwd.unwrap_or("");
    if let (Some(f), Some(t)) = (crate::paths::join(base, from), crate::paths::join(base, to)) {
        renames.retain(|(n, _)| *n != t);
        renames.push((t, f));
    }
}

/// Paths an action names that an earlier `mv`/`cp` filled: the file moved there instead
/// (written from the root, `/main_train.py`).
pub(super) fn follow_renames(action: &mut Action, cwd: Option<&str>, renames: &[(String, String)]) {
    let swap = |p: &mut String| {
        if let Some(full) = crate::paths::join(cwd.unwrap_or(""), p)
            && let Some((_, from)) = renames.iter().rev().find(|(to, _)| *to == full)
        {
            *p = format!("/{from}");
        }
    };
    match action {
        Action::Files { paths, .. } | Action::Paths(paths) | Action::Tests { paths } => {
            paths.iter_mut().for_each(swap)
        }
        _ => {}
    }
}

/// Programs that pass a file read on their standard input on to the next command of a pipe,
/// changed or not.
const FILTERS: &[&str] = &["envsubst", "sed", "awk", "tee", "grep", "yq", "tr", "perl"];

/// The file a command writes to its standard output, for the next command of a pipe: `cat
/// FILE`, `envsubst < FILE`, `sed 's/x/y/' FILE`, or the file a filter got from the pipe (`fed`).
pub(super) fn piped_file(tokens: &[String], fed: Option<&str>) -> Option<String> {
    let program = base_name(tokens.first()?);
    if let Some(i) = tokens.iter().position(|t| t == "<") {
        return tokens.get(i + 1).cloned();
    }
    let args: Vec<&String> = tokens[1..].iter().filter(|t| !t.starts_with('-')).collect();
    match program {
        "cat" if args.len() == 1 => Some(args[0].clone()),
        "sed" | "awk" | "yq" | "perl"
            if args.len() >= 2
                && [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|e| args[args.len() - 1].ends_with(e)) =>
        {
            Some(args[args.len() - 1].clone())
        }
        p if FILTERS.contains(&p) => fed.map(str::to_string),
        _ => None,
    }
}

/// `kubectl apply -f -` (or `oc`) fed by a pipe applies the file the pipe passes on: the `-`
/// becomes that file.
pub(super) fn read_stdin_from(tokens: &mut [String], file: &str) {
    if !matches!(tokens.first().map(|p| base_name(p)), Some("kubectl" | "oc")) {
        return;
    }
    for i in 0..tokens.len() {
        if tokens[i] == "--filename=-" {
            tokens[i] = format!("--filename={file}");
        } else if tokens[i] == "-" && i > 0 && matches!(tokens[i - 1].as_str(), "-f" | "--filename")
        {
            tokens[i] = file.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_files_of_platform_clis() {
        let spec = |line: &str| {
            let mut cwd = None;
            crate::shell::parse_line(line, &mut cwd)
                .first()
                .and_then(|s| spec_file(s).map(str::to_string))
        };
        assert_eq!(
            spec("az ml job create --file aml/pipeline.yml").as_deref(),
            Some("aml/pipeline.yml")
        );
        assert_eq!(
            spec("az ml online-deployment update -f ./deploy/blue.yaml").as_deref(),
            Some("deploy/blue.yaml")
        );
        assert_eq!(
            spec("kubectl apply -f k8s/deploy.yaml").as_deref(),
            Some("k8s/deploy.yaml")
        );
        assert_eq!(
            spec("gcloud ai custom-jobs create --config=job.yaml --region=x").as_deref(),
            Some("job.yaml")
        );
        assert_eq!(
            spec("aws cloudformation deploy --template-file stack.yml --stack-name s").as_deref(),
            Some("stack.yml")
        );
        // A folder, a variable, an absolute path or standard input name no file to check.
        assert_eq!(spec("kubectl apply -f k8s/"), None);
        assert_eq!(spec("az ml job create --file $SPEC"), None);
        assert_eq!(spec("kubectl apply -f /tmp/x.yaml"), None);
        assert_eq!(spec("kubectl apply -f -"), None);
        assert_eq!(spec("az ml job list"), None);
        for line in [
            "pip install -r requirements.txt",
            "python -m pip install --upgrade -r requirements.txt",
            "uv pip install -r requirements.txt && pytest",
        ] {
            assert_eq!(requirements_files(line), vec!["requirements.txt"], "{line}");
        }
        assert_eq!(
            requirements_files(
                "pip install -r requirements.txt -r ./requirements-test.txt -c constraints.txt"
            ),
            vec![
                "requirements.txt",
                "requirements-test.txt",
                "constraints.txt"
            ]
        );
        assert!(requirements_files("pip install -r $REQS").is_empty());
        assert!(requirements_files("pip install -r requirements.txt || true").is_empty());
        assert!(requirements_files("pip install pandas").is_empty());
        assert!(requirements_files("#pip install -r requirements.txt").is_empty());
        let paths = |line: &str| {
            let mut cwd = None;
            crate::shell::parse_line(line, &mut cwd)
                .first()
                .map(|s| {
                    test_paths(s)
                        .into_iter()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        assert_eq!(paths("pytest proto/tests"), vec!["proto/tests"]);
        assert_eq!(
            paths("python -m pytest -k smoke tests/test_api.py::test_ok --cov src"),
            vec!["tests/test_api.py"]
        );
        assert!(paths("pytest --cov=src").is_empty());
        assert!(paths("pytest $TESTS").is_empty());
        assert!(paths("echo pytest tests").is_empty());
        assert_eq!(paths("uv run pytest proto/tests"), vec!["proto/tests"]);
        assert_eq!(
            tested_files("if [ -f requirements.test.txt ]; then"),
            vec!["requirements.test.txt".to_string()]
        );
    }

    /// A module named for a script to import, written with a space or `=`; a variable or a
    /// path is no module name.
    #[test]
    fn modules_named_for_import() {
        let module = |line: &str| {
            super::super::parse_line(line, &mut None)
                .first()
                .and_then(|s| module_named(s).map(str::to_string))
        };
        assert_eq!(
            module(
                "python pipelines/run_pipeline.py --module-name pipelines.churn.pipeline --role-arn x"
            ),
            Some("pipelines.churn.pipeline".to_string())
        );
        assert_eq!(
            module("run-pipeline --module_name=summarizer.pipeline"),
            Some("summarizer.pipeline".to_string())
        );
        assert_eq!(module("run-pipeline --module-name $MODULE"), None);
        assert_eq!(module("python train.py --epochs 3"), None);
    }

    /// The script a command runs by a literal path; fetching commands by program and
    /// subcommand.
    #[test]
    fn scripts_run_and_files_brought() {
        let script = |line: &str| {
            super::super::parse_line(line, &mut None)
                .first()
                .and_then(|s| script_run(s).map(str::to_string))
        };
        assert_eq!(
            script("python3 src/train.py --x 1"),
            Some("src/train.py".into())
        );
        assert_eq!(
            script("bash ./scripts/run.sh"),
            Some("scripts/run.sh".into())
        );
        assert_eq!(script("./deploy.sh prod"), Some("deploy.sh".into()));
        assert_eq!(script("python $SCRIPT"), None);
        assert_eq!(script("python -m pkg.train"), None);
        assert_eq!(script("pytest tests"), None);
        let brings =
            |line: &str| brings_files(&line.split(' ').map(String::from).collect::<Vec<_>>());
        assert!(brings("git clone https://x/y.git"));
        assert!(!brings("git config user.name ci"));
        assert!(brings("aws s3 cp s3://b/train.py ."));
        assert!(!brings("aws sagemaker list-models"));
        assert!(brings("wget https://x/run.sh"));
        // A script the job writes itself, then runs.
        assert!(brings("cat > .edit_component.py <<'PY'"));
        assert!(brings("echo print(1) >>helper.py"));
        assert!(brings("tee job.sh"));
        assert!(!brings("cat > notes.md"));
        assert!(brings("pip freeze > requirements.txt"));
        assert!(brings(
            "poetry export -f requirements.txt --output requirements.txt"
        ));
    }

    /// A move records what now fills its target, unless it only puts a rewritten copy of the
    /// file back in place (`mv job.yaml.tmp job.yaml`).
    #[test]
    fn moves_fill_their_targets_but_rewrites_in_place_do_not() {
        let rename = |line: &str| {
            let mut r = Vec::new();
            let tokens: Vec<String> = line.split(' ').map(String::from).collect();
            record_rename(&tokens, None, &mut r);
            r
        };
        assert_eq!(
            rename("mv src/train.py main_train.py"),
            vec![("main_train.py".to_string(), "src/train.py".to_string())]
        );
        assert!(rename("mv vertex-config.yaml.tmp vertex-config.yaml").is_empty());
        assert!(rename("cp config.yaml.bak config.yaml").is_empty());
    }
}
