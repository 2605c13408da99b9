//! Python files: imports, string literals that may name files or commands, `code=` directories
//! and schedules written in the code.

use crate::facts::python_paths as paths;
use crate::model::{Command, FileFacts};
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

pub(crate) fn python(doc: &Document) -> FileFacts {
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        // `from x import (a,\n    b,\n)` (black's style) spans lines: the parenthesised list is
        // read whole (bounded).
        Regex::new(r"(?m)^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(?:\(([^)]{0,4000})\)|([\w, \t]+))|import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*))")
            .expect("import pattern")
    });
    static CODE_DIR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:source_dir|source_directory|code|code_dir|code_directory)\s*=\s*["']([^"'\n]+)["']"#)
            .expect("code dir pattern")
    });
    let mut imports = Vec::new();
    for c in IMPORT.captures_iter(&doc.text) {
        let line = doc.file_line(doc.line_index(c.get(0).map(|m| m.start()).unwrap_or(0)));
        if let Some(from) = c.get(1) {
            let base = from.as_str();
            imports.push((line, base.to_string()));
            let names = c.get(2).or_else(|| c.get(3)).map_or("", |m| m.as_str());
            for name in names.split(',') {
                // A comment inside a parenthesised list is no name.
                let name = name
                    .lines()
                    .map(|l| l.split('#').next().unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join(" ");
                let name = name.split_whitespace().next().unwrap_or("");
                if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    let sep = if base.ends_with('.') { "" } else { "." };
                    imports.push((line, format!("{base}{sep}{name}")));
                }
            }
        } else if let Some(m) = c.get(4) {
            for name in m.as_str().split(',') {
                imports.push((line, name.trim().to_string()));
            }
        }
    }
    imports.extend(dynamic_imports(doc));
    let mut literals = literal_commands(doc);
    expand_templates(&mut literals);
    airflow_triggers(doc, &mut literals);
    github_dispatches(doc, &mut literals);
    crate::facts::mlflow_runs::project_runs(doc, &mut literals);
    let dags = dag_ids(&doc.text);
    let sys_paths = paths::sys_paths(&doc.text);
    static CODE_DIR_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:source_dir|source_directory|code_dir|code_directory|code)\s*=\s*([A-Za-z_]\w*)\s*[,)\n]")
            .expect("code dir name pattern")
    });
    let mut code_dirs: Vec<String> = CODE_DIR
        .captures_iter(&doc.text)
        .map(|c| c[1].to_string())
        .collect();
    // A folder bound to a name the file spells (`CODE_DIR = str(BASE.parent / "src")`).
    if CODE_DIR_NAME.is_match(&doc.text) {
        let bound = paths::bound_paths(&doc.text);
        code_dirs.extend(
            CODE_DIR_NAME
                .captures_iter(&doc.text)
                .filter_map(|c| bound.get(&c[1]).cloned()),
        );
    }
    let code_dirs = code_dirs
        .iter()
        .map(|d| d.trim_start_matches("./").trim_end_matches('/').to_string())
        .collect();
    static SCHEDULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:schedule|schedule_interval|cron|cron_schedule|hourly|daily)\s*=\s*["']([^"'\n]{1,80})["']|\bCronSchedule\(\s*(?:schedule\s*=\s*|cron_expression\s*=\s*)?["']([^"'\n]{1,80})["']|\bschedule_cron_expression\s*=\s*(?:["']([^"'\n]{1,80})["']|(?:\w+\.)*(CronExpressionGenerator\.\w+\([^)\n]{0,40}\)))|\b(?:schedule|schedule_interval)\s*=\s*((?:datetime\.|pendulum\.)?(?:timedelta|duration|relativedelta)\([^)\n]{0,60}\))"#)
            .expect("schedule pattern")
    });
    let schedules = SCHEDULE
        .captures_iter(&doc.text)
        .filter_map(|c| {
            let m = c
                .get(1)
                .or_else(|| c.get(2))
                .or_else(|| c.get(3))
                .or_else(|| c.get(4))
                .or_else(|| c.get(5))?;
            Some((
                doc.file_line(doc.line_index(m.start())),
                m.as_str().to_string(),
            ))
        })
        .collect();
    FileFacts::Python {
        imports,
        literals,
        code_dirs,
        schedules,
        dags,
        sys_paths,
        selectors: crate::facts::py_dispatch::selectors(doc),
        training_stubs: crate::facts::python_defs::trains_in_name_only(&doc.text),
        broken: doc
            .rel
            .ends_with(".py")
            .then(|| crate::facts::py_syntax::indentation_error(&doc.text))
            .flatten(),
        routes: crate::facts::http_routes::served(doc),
    }
}

/// Modules a file imports by name at run time: in code that calls `importlib.import_module`
/// (or `__import__`), every string literal spelling a dotted module path (`"models.layer1.
/// tfidf_logreg"` in a registry of algorithms the configuration picks from) is an import, each
/// at its line. A dotted file name (`"config.yaml"`) is not a module.
fn dynamic_imports(doc: &Document) -> Vec<(u32, String)> {
    static DOTTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"["']([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)["']"#).expect("dotted module pattern")
    });
    const FILE_SUFFIXES: &[&str] = &[
        "py", "yaml", "yml", "json", "csv", "txt", "toml", "cfg", "ini", "pkl", "pickle", "joblib",
        "parquet", "md", "html", "onnx", "pt", "pth", "h5", "keras", "zip", "gz", "log", "db",
        "sql", "xml", "png", "jpg", "bin", "npy", "npz", "sh", "ipynb", "env", "com", "org", "io",
        "ai", "net",
    ];
    let text = &doc.text;
    if !text.contains("import_module(") && !text.contains("__import__(") {
        return Vec::new();
    }
    DOTTED
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(1)?;
            let last = m.as_str().rsplit('.').next().unwrap_or("");
            if FILE_SUFFIXES.contains(&last.to_ascii_lowercase().as_str()) {
                return None;
            }
            Some((
                doc.file_line(doc.line_index(m.start())),
                m.as_str().to_string(),
            ))
        })
        .take(256)
        .collect()
}

/// The strings of a Python file that may run or name what runs: script paths and command lines
/// where the code could run them (see [`run_literals`]), script paths assembled from path
/// constants ([`paths::path_constants`]), and Prefect deployments started by name.
fn literal_commands(doc: &Document) -> Vec<Command> {
    let mut literals = Vec::new();
    // Only strings that could name a file (a path separator or a script extension), and only
    // where the code could run what they name.
    for (start, s) in run_literals(&doc.text) {
        // A command line (`"python -m pkg.job "`, the first of adjacent literals) too.
        let command = (s.starts_with("python") && s.contains(" -m ")) || names_script_command(s);
        if s.contains('/')
            || s.ends_with(".py")
            || s.ends_with(".sh")
            || s.contains(".py ")
            || command
        {
            let line = doc.file_line(doc.line_index(start));
            literals.push(Command {
                line,
                text: s.to_string(),
                // Any command of the line (`ls $DIR; cd $SRC; python3 models/run.py`).
                shell: s.contains(".sh")
                    || s.split([';', '&', '|']).map(str::trim_start).any(|p| {
                        p.starts_with("python")
                            || names_script_command(p)
                            || p.starts_with("bash ")
                            || p.starts_with("cd ")
                    }),
                cwd: None,
            });
        }
    }
    // Command lines written as lists of words (`command=["python", "-m", "src.train"]`).
    literals.extend(crate::facts::py_lists::list_commands(doc));
    // Calls to HTTP routes (`requests.post(f"{API}/train")`): what the route's handler runs.
    literals.extend(crate::facts::http_routes::called(doc));
    // A script path built from names (`TRAINING_DIR = Path("/opt/airflow/training")`, then
    // `script = TRAINING_DIR / "train.py"`): written out at the line that builds it, as the
    // same assignment of one string would be.
    for (line_index, path) in paths::path_constants(&doc.text) {
        literals.push(Command {
            line: doc.file_line(line_index),
            text: path,
            shell: false,
            cwd: None,
        });
    }
    // Orchestrator runs started from code, read as the CLI command that starts them:
    // Prefect's `run_deployment("flow/deployment")`, Mage's `trigger_pipeline("name")` (in code
    // that imports `mage_ai`).
    static RUN_DEPLOYMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\brun_deployment\(\s*(?:name\s*=\s*)?["']([^"'\n]{1,200})["']"#)
            .expect("run_deployment pattern")
    });
    static TRIGGER_PIPELINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\btrigger_pipeline\(\s*(?:pipeline_uuid\s*=\s*)?["']([\w-]{1,200})["']"#)
            .expect("trigger_pipeline pattern")
    });
    let mut started = |re: &Regex, command: &dyn Fn(&str) -> String| {
        for m in re.captures_iter(&doc.text).filter_map(|c| c.get(1)) {
            literals.push(Command::run(
                doc.file_line(doc.line_index(m.start())),
                command(m.as_str()),
            ));
        }
    };
    started(&RUN_DEPLOYMENT, &|n| {
        format!("prefect deployment run '{}'", n.replace('\'', ""))
    });
    if doc.text.contains("mage_ai") {
        started(&TRIGGER_PIPELINE, &|n| format!("mage run . {n}"));
    }
    literals
}

/// A path built from a parameter (`f"/opt/jobs/{job_file}"`, `"scripts/{}".format(name)`)
/// with a script name written elsewhere in the file (`run_job("train.py")`): each such name
/// put in the template, at the name's line (where the job is chosen). Only file names with a
/// script's extension fill a template with one field; what does not exist resolves to nothing.
fn expand_templates(literals: &mut Vec<Command>) {
    static FIELD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{[A-Za-z_][\w.]*\}|\{\}|%s").expect("template field"));
    const SCRIPTS: &[&str] = &[".py", ".sh", ".ipynb", ".R", ".r", ".jl", ".scala", ".jar"];
    let names: Vec<(u32, String)> = literals
        .iter()
        .filter(|c| {
            !c.text.contains(['/', '{', ' ', '%']) && SCRIPTS.iter().any(|e| c.text.ends_with(e))
        })
        .map(|c| (c.line, c.text.clone()))
        .take(50)
        .collect();
    if names.is_empty() {
        return;
    }
    let mut add = Vec::new();
    for t in literals.iter().filter(|c| c.text.contains('/')).take(50) {
        let mut fields = FIELD.find_iter(&t.text);
        let (Some(f), None) = (fields.next(), fields.next()) else {
            continue;
        };
        // The field ends the path, or the template names a script around it.
        if f.end() != t.text.len() && !t.text[f.end()..].starts_with(char::is_whitespace) {
            continue;
        }
        for (line, name) in &names {
            let mut text = t.text.clone();
            text.replace_range(f.range(), name);
            add.push(Command {
                line: *line,
                text,
                ..t.clone()
            });
        }
    }
    literals.extend(add);
}

/// Airflow: `TriggerDagRunOperator(trigger_dag_id="x")` starts DAG x as `airflow dags trigger
/// x` would.
fn airflow_triggers(doc: &Document, literals: &mut Vec<Command>) {
    static TRIGGER_DAG_ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"^[^)]*?\btrigger_dag_id\s*=\s*(?:["']([A-Za-z0-9_.-]+)["']|([A-Z][A-Z0-9_]*)\b)"#,
        )
        .expect("trigger dag pattern")
    });
    // Module constants a DAG id may be named by (`LIFECYCLE_DAG_ID = "lifecycle"`).
    static CONSTANT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^([A-Z][A-Z0-9_]*)[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*["']([A-Za-z0-9_.-]+)["'][ \t]*(?:#.*)?$"#)
            .expect("dag id constant pattern")
    });
    for (at, _) in doc.text.match_indices("TriggerDagRunOperator(") {
        let from = at + "TriggerDagRunOperator(".len();
        let mut end = (from + 800).min(doc.text.len());
        while !doc.text.is_char_boundary(end) {
            end -= 1;
        }
        let Some(c) = TRIGGER_DAG_ID.captures(&doc.text[from..end]) else {
            continue;
        };
        let (m, id) = match (c.get(1), c.get(2)) {
            (Some(m), _) => (m, m.as_str().to_string()),
            (None, Some(m)) => {
                let Some(id) = CONSTANT
                    .captures_iter(&doc.text)
                    .find(|k| &k[1] == m.as_str())
                    .map(|k| k[2].to_string())
                else {
                    continue;
                };
                (m, id)
            }
            _ => continue,
        };
        literals.push(Command {
            line: doc.file_line(doc.line_index(from + m.start())),
            text: format!("airflow dags trigger {id}"),
            shell: true,
            cwd: None,
        });
    }
    rest_dag_runs(doc, literals);
}

/// Airflow's REST API called from code: a URL `.../api/v1/dags/ID/dagRuns` (or `v2`) starts DAG
/// `ID`, as `airflow dags trigger ID` would; an f-string's `{dag_id}` is the value that name
/// is given in the file (a parameter's default `dag_id: str = "retrain_dag"`, a keyword
/// argument `dag_id="retrain_dag"`, an assignment).
fn rest_dag_runs(doc: &Document, literals: &mut Vec<Command>) {
    for (at, _) in doc.text.match_indices("/dags/").take(64) {
        let start = doc.text[..at].rfind(['"', '\'', '\n']).map_or(0, |i| i + 1);
        let end = doc.text[at..]
            .find(['"', '\'', '\n'])
            .map_or(doc.text.len(), |i| at + i);
        let Some(dag) = crate::shell::airflow_dag_run(&doc.text[start..end]) else {
            continue;
        };
        let ids = match dag.strip_prefix('{').and_then(|d| d.strip_suffix('}')) {
            Some(name) => values_of(&doc.text, name),
            None => vec![dag],
        };
        for id in ids {
            literals.push(Command {
                line: doc.file_line(doc.line_index(at)),
                text: format!("airflow dags trigger {id}"),
                shell: true,
                cwd: None,
            });
        }
    }
}

/// The string values a name is given in a file (a parameter's default `dag_id: str = "x"`, a
/// keyword argument `dag_id="x"`, an assignment), at most 8.
fn values_of(text: &str, name: &str) -> Vec<String> {
    let Ok(value) = Regex::new(&format!(
        r#"\b{}\s*(?::\s*str\s*)?=\s*["']([A-Za-z0-9_.-]{{1,200}})["']"#,
        regex::escape(name)
    )) else {
        return Vec::new();
    };
    let mut v: Vec<String> = value
        .captures_iter(text)
        .map(|k| k[1].to_string())
        .collect();
    v.sort();
    v.dedup();
    v.truncate(8);
    v
}

/// GitHub's REST API: a URL `.../actions/workflows/WORKFLOW/dispatches` the code posts to (a
/// Databricks notebook that starts the deploy workflow after training) dispatches that
/// workflow, as `gh workflow run WORKFLOW` would; an f-string's `{env}` stands for any part.
fn github_dispatches(doc: &Document, literals: &mut Vec<Command>) {
    for (at, _) in doc.text.match_indices("/actions/workflows/") {
        let start = doc.text[..at].rfind(['"', '\'', '\n']).map_or(0, |i| i + 1);
        let end = doc.text[at..]
            .find(['"', '\'', '\n'])
            .map_or(doc.text.len(), |i| at + i);
        if let Some(w) = crate::shell::github_dispatched_workflow(&doc.text[start..end]) {
            literals.push(Command {
                line: doc.file_line(doc.line_index(at)),
                text: format!("gh workflow run {w}"),
                shell: true,
                cwd: None,
            });
        }
    }
}

/// The Airflow DAG ids a file defines: `dag_id="x"`, `DAG("x")`, `@dag def x(`.
fn dag_ids(text: &str) -> Vec<String> {
    static NAMED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"\bdag_id\s*=\s*["']([A-Za-z0-9_.-]+)["']|\bDAG\(\s*["']([A-Za-z0-9_.-]+)["']"#,
        )
        .expect("dag id pattern")
    });
    // `@dag` over `def NAME`: the DAG is NAME unless the decorator gives `dag_id=`.
    static DECORATED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^[ \t]*@dag\b(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))?[^\n]*\n(?:[ \t]*@[^\n]*\n)*[ \t]*def[ \t]+(\w+)"#)
            .expect("dag decorator pattern")
    });
    let mut dags: Vec<String> = Vec::new();
    let mut add = |d: &str| {
        if !dags.iter().any(|x| x == d) {
            dags.push(d.to_string());
        }
    };
    // A project's own DAG factory (`build_dag(dag_id="x", ...)`) may name Airflow only in prose.
    if text.contains("airflow") || text.contains("Airflow") {
        for c in NAMED.captures_iter(text) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                add(m.as_str());
            }
        }
        for c in DECORATED.captures_iter(text) {
            let named = c.get(1).is_some_and(|a| a.as_str().contains("dag_id"));
            if let (false, Some(m)) = (named, c.get(2)) {
                add(m.as_str());
            }
        }
    }
    dags
}

/// A bracket open at some point of a Python file: what it is part of.
struct Frame {
    /// `(`, `[` or `{`.
    open: u8,
    /// A call's parentheses: the callee's last name (`run` of `subprocess.run(`).
    callee: Option<String>,
    /// Written right after `=`, or as an argument of a call that may run things.
    runs: bool,
    /// Its first item is a string naming a program (`["python", "train.py"]`): an argv.
    argv: Option<bool>,
}

/// Calls that read, print or build paths: the strings they get are not run by them.
const READING_CALLS: &[&str] = &[
    "open",
    "print",
    "Path",
    "PurePath",
    "PosixPath",
    "exists",
    "isfile",
    "isdir",
    "is_file",
    "is_dir",
    "read_text",
    "read_csv",
    "read_parquet",
    "read_json",
    "glob",
    "rglob",
    "info",
    "debug",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "write",
    "echo",
    "startswith",
    "endswith",
    "replace",
    "split",
    "format",
    "get",
    "mkdir",
    "makedirs",
    "listdir",
    "remove",
    "unlink",
    "getenv",
    "environ",
];

/// A call whose strings are a message to a person: an exception or warning raised with it
/// (`FileNotFoundError("... Re-run scripts/run_training.py ...")`), `sys.exit("...")`.
fn is_message(callee: &str) -> bool {
    ["Error", "Exception", "Warning"]
        .iter()
        .any(|s| callee.ends_with(s))
        || matches!(callee, "exit" | "abort" | "fail" | "secho" | "skip")
}

/// Words before a parenthesis that make it no call (`if (`, `in (`, `return (`).
const PY_KEYWORDS: &[&str] = &[
    "if", "elif", "while", "for", "in", "not", "and", "or", "return", "yield", "assert", "else",
    "lambda", "with", "is", "del", "await", "import", "from", "as",
];

/// A command line that starts with a hyphenated program and goes on with options or
/// arguments (`"train-model --epochs 10"`, `"iqa-run-cycle "` before adjacent literals): a
/// console script the project may declare. A bare word (`"my-bucket"`) is data.
fn names_script_command(s: &str) -> bool {
    let Some((first, rest)) = s.split_once(char::is_whitespace) else {
        return false;
    };
    let rest = rest.trim_start();
    first.len() <= 60
        && first.contains('-')
        && first.starts_with(|c: char| c.is_ascii_lowercase())
        && first
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && !first.ends_with('-')
        && (rest.is_empty() || rest.starts_with('-'))
}

/// Programs an argv list can start with.
fn names_program(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("");
    let base = first.rsplit('/').next().unwrap_or(first);
    if first.contains('/') && !first.starts_with('/') {
        return false;
    }
    crate::shell::is_runner_program(base)
}

/// The single-line string literals of a Python file that could be run: each with where its text
/// starts. A string is data unless it is written where something may run it: assigned (`SCRIPT
/// = "train.py"`, `entry_point="train.py"`), a dict value, an argument of a call that is not
/// known to only read or print (`subprocess.run("...")`, `os.system(...)`), or an item of a
/// list or tuple that is an argv (starts with a program) or is itself assigned or passed to
/// such a call. Tables of file names (`[("src/a.py", "old", "new"), ...]`), docstrings and
/// comments run nothing.
pub(crate) fn run_literals(text: &str) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                // What precedes the string, before its prefix (`f"..."`, `rb'...'`).
                let mut k = i;
                while k > 0 && i - k < 2 && matches!(b[k - 1] | 0x20, b'r' | b'b' | b'f' | b'u') {
                    k -= 1;
                }
                if k > 0 && (b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'_') {
                    k = i;
                }
                let (prev, prev2) = significant_before(b, k);
                let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                if triple {
                    let close = [c, c, c];
                    let end = text[i + 3..]
                        .find(std::str::from_utf8(&close).unwrap_or("\"\"\""))
                        .map_or(b.len(), |k| i + 3 + k);
                    let body = &text[i + 3..end];
                    if !body.contains('\n') && !body.is_empty() && body.len() <= 300 {
                        literal(&mut out, &mut stack, i + 3, body, prev, prev2);
                    } else if body.contains('\n') && body.len() <= 4000 {
                        // A script written over several lines (`cmd = f"""\n cd /app &&
                        // python3 train.py \\\n --epochs 3\n"""`): each line, as a shell
                        // script's lines are read.
                        let mut at = i + 3;
                        for line in body.split('\n') {
                            let t = line.trim();
                            if !t.is_empty() && t.len() <= 300 {
                                let off = at + (line.len() - line.trim_start().len());
                                literal(&mut out, &mut stack, off, t, prev, prev2);
                            }
                            at += line.len() + 1;
                        }
                    }
                    i = (end + 3).min(b.len());
                } else {
                    let mut j = i + 1;
                    while j < b.len() && b[j] != c && b[j] != b'\n' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    let j = j.min(b.len());
                    if j < b.len() && b[j] == c && j > i + 1 && j - i - 1 <= 300 {
                        literal(&mut out, &mut stack, i + 1, &text[i + 1..j], prev, prev2);
                    }
                    i = j + 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                let (prev, prev2) = significant_before(b, i);
                let callee = (c == b'(' && (prev.is_ascii_alphanumeric() || prev == b'_'))
                    .then(|| {
                        let head = &text[..i];
                        let start = head
                            .char_indices()
                            .rev()
                            .find(|(_, ch)| !(ch.is_alphanumeric() || *ch == '_'))
                            .map_or(0, |(k, ch)| k + ch.len_utf8());
                        head[start..].to_string()
                    })
                    .filter(|name| !PY_KEYWORDS.contains(&name.as_str()));
                let parent_runs = stack.last().is_some_and(|f| {
                    f.callee.is_some() && f.runs && matches!(prev, b'(' | b',' | b'=')
                });
                let assigned = prev == b'=' && !matches!(prev2, b'=' | b'!' | b'<' | b'>');
                let runs = match &callee {
                    Some(name) => !READING_CALLS.contains(&name.as_str()) && !is_message(name),
                    None => assigned || parent_runs,
                };
                stack.push(Frame {
                    open: c,
                    callee,
                    runs,
                    argv: None,
                });
            }
            b')' | b']' | b'}' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The two last bytes before `at` that are not whitespace (`\n` when there are none).
fn significant_before(b: &[u8], at: usize) -> (u8, u8) {
    let mut it = b[..at]
        .iter()
        .rev()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .take(2);
    (it.next().unwrap_or(b'\n'), it.next().unwrap_or(b'\n'))
}

/// One literal at `start`: kept when it is written where it may be run (see [`run_literals`]).
fn literal<'t>(
    out: &mut Vec<(usize, &'t str)>,
    stack: &mut [Frame],
    start: usize,
    s: &'t str,
    prev: u8,
    prev2: u8,
) {
    let assigned = prev == b'=' && !matches!(prev2, b'=' | b'!' | b'<' | b'>');
    let runs = match stack.last_mut() {
        None => assigned,
        Some(f) => {
            if f.argv.is_none() && matches!(prev, b'(' | b'[') {
                f.argv = Some(names_program(s));
            }
            match f.open {
                _ if assigned => true,
                b'{' => prev == b':',
                b'(' if f.callee.is_some() => f.runs,
                _ => f.argv == Some(true) || f.runs,
            }
        }
    };
    if runs {
        out.push((start, s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Modules imported by name at run time (an algorithm registry), and a code folder given by
    /// a name bound to a path.
    #[test]
    fn registry_imports_and_named_code_folders() {
        let doc = Document::new(
            "training/train.py",
            "import importlib\nMODELS = {\n    \"logreg\": \"models.layer1.tfidf_logreg\",\n    \"cfg\": \"config.yaml\",\n}\nmodule = importlib.import_module(MODELS[name])\nBASE = Path(__file__).parent\nCODE_DIR = str(BASE.parent / \"src\")\nstep = ProcessingStep(code=\"prep.py\", source_dir=CODE_DIR)\n".to_string(),
        );
        let FileFacts::Python {
            imports, code_dirs, ..
        } = python(&doc)
        else {
            panic!("not python")
        };
        assert!(imports.contains(&(3, "models.layer1.tfidf_logreg".to_string())));
        assert!(!imports.iter().any(|(_, m)| m == "config.yaml"));
        assert_eq!(code_dirs, vec!["prep.py".to_string(), "../src".to_string()]);
        // Without a dynamic import, a dotted string is no import.
        let FileFacts::Python { imports, .. } = python(&Document::new(
            "a.py",
            "NAME = \"models.layer1.tfidf_logreg\"\n".to_string(),
        )) else {
            panic!("not python")
        };
        assert!(imports.is_empty());
    }

    /// Airflow's REST API from code starts the DAG the URL names, through a parameter's default.
    #[test]
    fn rest_api_dag_runs_start_the_dag() {
        let doc = Document::new(
            "src/alerting.py",
            "import requests\ndef trigger(dag_id: str = \"retrain_dag\") -> bool:\n    url = f\"{settings.base}/api/v1/dags/{dag_id}/dagRuns\"\n    return requests.post(url).ok\n".to_string(),
        );
        let FileFacts::Python { literals, .. } = python(&doc) else {
            panic!("not python")
        };
        assert!(
            literals
                .iter()
                .any(|c| c.shell && c.text == "airflow dags trigger retrain_dag" && c.line == 3),
            "{literals:?}"
        );
    }

    /// The script a message names (an exception's text, `sys.exit`'s) is not run; the one a
    /// call is given is.
    #[test]
    fn messages_run_nothing() {
        let text = "raise FileNotFoundError(\n    f\"Reference not found at {P}. \"\n    \"Re-run scripts/run_training.py to generate it.\"\n)\nsys.exit(\"run scripts/train.py first\")\nwarnings.warn(UserWarning(\"see scripts/a.py\"))\nsubprocess.run(\"scripts/train.py\")\n";
        let got: Vec<&str> = run_literals(text).into_iter().map(|(_, s)| s).collect();
        assert_eq!(got, vec!["scripts/train.py"]);
    }

    /// A command written over several lines of a triple-quoted string is read line by line;
    /// a docstring runs nothing.
    #[test]
    fn multi_line_command_strings() {
        let text = "def train(p):\n    \"\"\"Train.\n    python old.py\n    \"\"\"\n    cmd = f\"\"\"\n    cd /app && python3 src/train.py \\\n        --data {p}\n    \"\"\"\n    run(cmd)\n";
        let got: Vec<&str> = run_literals(text).into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            got,
            vec!["cd /app && python3 src/train.py \\", "--data {p}"]
        );
    }

    /// A DAG factory's `dag_id=` in a file that names Airflow only in prose, a DAG started by
    /// a module constant, and a console script at the start of a command string.
    #[test]
    fn dag_factories_constants_and_console_scripts() {
        let doc = Document::new(
            "dags/trigger.py",
            "\"\"\"Airflow DAG.\"\"\"\nLIFE_ID = \"lifecycle\"\ndag = build_dag(dag_id=\"trigger\")\nTriggerDagRunOperator(task_id=\"t\", trigger_dag_id=LIFE_ID)\nTriggerDagRunOperator(task_id=\"u\", trigger_dag_id=UNKNOWN)\nrun_task(\"train-churn \" \"--epochs 3\")\nBUCKET = \"my-bucket\"\nnote(\"see-also this\")\n".to_string(),
        );
        let FileFacts::Python { literals, dags, .. } = python(&doc) else {
            panic!("not python")
        };
        assert_eq!(dags, vec!["trigger"]);
        let texts: Vec<&str> = literals.iter().map(|c| c.text.as_str()).collect();
        assert!(
            texts.contains(&"airflow dags trigger lifecycle"),
            "{texts:?}"
        );
        assert!(texts.contains(&"train-churn "), "{texts:?}");
        assert!(
            !texts
                .iter()
                .any(|t| t.contains("UNKNOWN") || t.contains("bucket") || t.contains("see-also")),
            "{texts:?}"
        );
        assert!(names_script_command("train-model --lr 0.1"));
        assert!(!names_script_command("my-bucket"));
        assert!(!names_script_command("see-also this"));
    }

    /// A `@dag(...)` decorator whose arguments span lines (with calls inside) names the DAG by
    /// the function it decorates; schedules given as durations are read.
    #[test]
    fn dag_decorators_over_lines_and_duration_schedules() {
        let doc = Document::new(
            "dags/feature_pipeline.py",
            "from airflow.sdk import dag\nfrom pendulum import datetime, duration\n\n@dag(\n    schedule=duration(days=16),\n    start_date=datetime(2026, 1, 1),\n    params={\"path\": None},\n)\ndef feature_pipeline():\n    pass\n".to_string(),
        );
        let FileFacts::Python {
            dags, schedules, ..
        } = python(&doc)
        else {
            panic!("not python")
        };
        assert_eq!(dags, vec!["feature_pipeline"]);
        assert_eq!(schedules, vec![(5, "duration(days=16)".to_string())]);
    }

    /// A job's path built from a parameter resolves with the script names the file passes.
    #[test]
    fn parameter_paths_take_the_script_names_of_the_file() {
        let FileFacts::Python { literals, .. } = python(&Document::new(
            "sched/scheduler.py",
            "def run(job_file):\n    subprocess.run(['spark-submit', f'/opt/jobs/{job_file}'])\n\ndef train():\n    run('ml_training.py')\n\nlog = f'/var/log/{when}.txt'\n".to_string(),
        )) else {
            panic!()
        };
        let texts: Vec<(&str, u32)> = literals.iter().map(|c| (c.text.as_str(), c.line)).collect();
        assert!(
            texts.contains(&("/opt/jobs/ml_training.py", 5)),
            "{texts:?}"
        );
        assert!(
            !texts.iter().any(|(t, _)| t.starts_with("/var/log/ml")),
            "{texts:?}"
        );
    }

    /// `from x import (...)` over several lines (black's style) imports the module and each
    /// name, like the one-line form.
    #[test]
    fn parenthesised_imports_over_lines() {
        let doc = Document::new(
            "src/deployment/cli.py",
            "from src.deployment.gcp import (\n    GCPDeploymentError,  # errors\n    deploy_service,\n)\nfrom pkg import (a, b)\nimport os\n".to_string(),
        );
        let FileFacts::Python { imports, .. } = python(&doc) else {
            panic!("not python")
        };
        let names: Vec<&str> = imports.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "src.deployment.gcp",
                "src.deployment.gcp.GCPDeploymentError",
                "src.deployment.gcp.deploy_service",
                "pkg",
                "pkg.a",
                "pkg.b",
                "os"
            ]
        );
        assert_eq!(imports[0].0, 1);
    }

    /// Strings that name files become edges only where the code may run them (issue 16,
    /// over-scoring): a table of file names, a docstring, an `open()` or a `print()` runs none.
    #[test]
    fn only_literals_that_may_run_are_kept() {
        let src = r#"
"""Trains with src/train.py (a docstring)."""
SUITES = [
    {"name": "data", "tests": ["tests/test_a.py"],
     "muts": [("src/pkg/split.py", "a", "b", "swap"), ("src/pkg/model.py", "x", "y", "z")]},
]
print("see scripts/report.py")
with open("configs/a.yaml") as f:
    pass
if path == "src/x.py":
    pass
ENTRY = "src/entry.py"
subprocess.run(["python", "scripts/train.py", "--epochs", "3"])
subprocess.run([sys.executable, "scripts/eval.py"], check=True)
os.system(f"bash scripts/deploy.sh")
cmd = ["uv", "run", "scripts/serve.py"]
job = Estimator(entry_point="train_job.py", source_dir="src")
task = {"python_file": "jobs/etl.py"}
op = BashOperator(task_id="t", bash_command='python pipelines/run.py')
"#;
        let kept: Vec<&str> = run_literals(src)
            .into_iter()
            .map(|(_, s)| s)
            .filter(|s| s.contains('/') || s.ends_with(".py") || s.ends_with(".sh"))
            .collect();
        assert_eq!(
            kept,
            vec![
                "src/entry.py",
                "scripts/train.py",
                "scripts/eval.py",
                "bash scripts/deploy.sh",
                "scripts/serve.py",
                "train_job.py",
                "jobs/etl.py",
                "python pipelines/run.py",
            ]
        );
    }
}
