//! What one file contributes to the automation graph: CI entry points (triggers and jobs),
//! Makefile targets and DVC stages, commands, Python imports and literals. Extracted during the
//! single read pass (`extract`), read by the graph (`graph`).

use crate::model::Trigger;

/// A command or a string that may name repository files, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub line: u32,
    pub text: String,
    /// Shell commands are parsed for what they run; plain references (YAML `code:`, Python
    /// string literals) are only resolved as paths.
    pub shell: bool,
    pub cwd: Option<String>,
}

impl Command {
    /// A shell command run where the file runs its commands.
    pub(crate) fn run(line: u32, text: impl Into<String>) -> Self {
        Command {
            line,
            text: text.into(),
            shell: true,
            cwd: None,
        }
    }

    /// A plain reference (a script path, an entry point): resolved as a path, not parsed.
    pub(crate) fn reference(line: u32, text: impl Into<String>) -> Self {
        Command {
            line,
            text: text.into(),
            shell: false,
            cwd: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub name: String,
    pub line: u32,
    pub end: u32,
    /// Empty: the file's triggers apply.
    pub triggers: Vec<Trigger>,
    pub commands: Vec<Command>,
    /// Line ranges (first, last) of this job whose commands may fail without failing it
    /// (GitHub `continue-on-error: true`, GitLab `allow_failure: true`): they check nothing,
    /// so they gate nothing.
    pub may_fail: Vec<(u32, u32)>,
    /// Line ranges (first, last) of this job that only try the code out: the whole job for a
    /// trial run (started only by pull requests, keeping nothing: no artefact upload, no push,
    /// no credentials), a step named as a smoke or test run (`Train dummy model for testing`,
    /// `Test detection`). What they reach is exercised, not automated (docs/levels.md).
    pub trial: Vec<(u32, u32)>,
    /// Line ranges (first, last) of this job that do nothing: a Jenkins stage whose `when`
    /// cannot hold (`environment name: 'DEPLOY', value: 'true'` where the file only ever sets
    /// `DEPLOY` to `'false'`), a GitHub job whose steps only print messages. Nothing in them
    /// is automated. Each range with why, as the report says it.
    pub never: Vec<(u32, u32, &'static str)>,
    /// The jobs of the same file that must succeed before this one starts (GitHub `needs:`,
    /// GitLab `needs:` or, without it, the jobs of earlier stages). Empty when it runs whatever
    /// they do (`if: always()`, `when: always`). A job after one that always fails never runs.
    pub after: Vec<String>,
}

impl Job {
    /// A job on lines `first..=last` whose every command counts: nothing in it may fail
    /// unnoticed, nothing only tries the code out.
    pub(crate) fn new(
        name: impl Into<String>,
        (line, end): (u32, u32),
        triggers: Vec<Trigger>,
        commands: Vec<Command>,
    ) -> Self {
        Job {
            name: name.into(),
            line,
            end,
            triggers,
            commands,
            may_fail: Vec::new(),
            trial: Vec::new(),
            never: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Whether the command at `line` only tries the code out ([`Job::trial`]).
    pub(crate) fn trial_at(&self, line: u32) -> bool {
        self.trial.iter().any(|(a, b)| (*a..=*b).contains(&line))
    }

    /// Whether the command at `line` may fail without failing the job ([`Job::may_fail`]).
    pub(crate) fn may_fail_at(&self, line: u32) -> bool {
        self.may_fail.iter().any(|(a, b)| (*a..=*b).contains(&line))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BuildTarget {
    pub name: String,
    pub line: u32,
    pub end: u32,
    pub deps: Vec<String>,
    pub commands: Vec<Command>,
}

impl BuildTarget {
    /// A target named `name` on `line`, with nothing in it yet.
    pub(crate) fn empty(name: &str, line: u32) -> Self {
        BuildTarget {
            name: name.to_string(),
            line,
            end: line,
            deps: Vec::new(),
            commands: Vec::new(),
        }
    }
}

/// Each file's facts by path. Shared, not copied: `ripen history` assembles hundreds of trees
/// from the same cached scans.
#[derive(Debug, Default, Clone)]
pub struct Facts(std::collections::HashMap<String, std::sync::Arc<FileFacts>>);

impl Facts {
    pub(crate) fn get(&self, path: &str) -> Option<&FileFacts> {
        self.0.get(path).map(|f| &**f)
    }

    pub fn insert(&mut self, path: String, facts: std::sync::Arc<FileFacts>) {
        self.0.insert(path, facts);
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &FileFacts)> {
        self.0.iter().map(|(p, f)| (p, &**f))
    }
}

impl std::ops::Index<&str> for Facts {
    type Output = FileFacts;

    fn index(&self, path: &str) -> &FileFacts {
        &self.0[path]
    }
}

impl FromIterator<(String, FileFacts)> for Facts {
    fn from_iter<I: IntoIterator<Item = (String, FileFacts)>>(it: I) -> Self {
        Facts(
            it.into_iter()
                .map(|(p, f)| (p, std::sync::Arc::new(f)))
                .collect(),
        )
    }
}

/// A stage of a Python script that dispatches on a word of its command line: the word and
/// the lines (first, last) of the code it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub key: String,
    pub lines: Vec<(u32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileFacts {
    Entry {
        system: &'static str,
        triggers: Vec<Trigger>,
        jobs: Vec<Job>,
        /// Files whose jobs run as part of this one: GitLab local `include:`, Azure Pipelines
        /// `template:`. An included file is not an entry point of its own.
        includes: Vec<Command>,
        /// The pipeline's own name, where other pipelines start after it by that name (a GitHub
        /// workflow's `name:`, which a `workflow_run` trigger names).
        name: Option<String>,
    },
    /// Makefile targets or DVC stages: reached one by one.
    Targets {
        kind: TargetKind,
        targets: Vec<BuildTarget>,
    },
    /// A file whose commands all run when it runs (shell script, YAML job spec).
    Commands(Vec<Command>),
    Python {
        imports: Vec<(u32, String)>,
        literals: Vec<Command>,
        /// Directories named by `source_dir=` / `code=`: where relative entry points live.
        code_dirs: Vec<String>,
        /// Schedules written in the code (`schedule="@daily"`, `cron="0 3 * * *"`,
        /// `cron_schedule=`, `schedule_interval=`), with their lines.
        schedules: Vec<(u32, String)>,
        /// Airflow DAG ids defined here (`dag_id="x"`, `DAG("x")`, `@dag def x`): what
        /// `airflow dags trigger x` and `TriggerDagRunOperator(trigger_dag_id="x")` start.
        dags: Vec<String>,
        /// Directories the file adds to `sys.path` (as written: image paths too), where its
        /// imports are also looked up.
        sys_paths: Vec<String>,
        /// The stages a word of its command line selects (`python run.py --stage drift`).
        selectors: Vec<Selector>,
        /// The file has functions named for training (`train`, `retrain_model`, `fit`), and
        /// each is a stub (`facts::python_defs::trains_in_name_only`).
        training_stubs: bool,
        /// The line where Python cannot compile the file (its indentation,
        /// `facts::py_syntax`): nothing in it runs.
        broken: Option<u32>,
        /// The HTTP routes the file serves (`@app.post("/train")`, Flask's
        /// `@app.route("/train")`), with their lines: what a client's call to that path runs
        /// (`@route:` references, [`crate::facts::http_routes`]).
        routes: Vec<(u32, String)>,
    },
}

impl FileFacts {
    /// Every command of the file, in order, with the index of the job or target it belongs to
    /// (the script whose variables it sees).
    pub(crate) fn each_command(&self, f: &mut dyn FnMut(usize, &Command)) {
        match self {
            FileFacts::Entry { jobs, .. } => {
                for (i, j) in jobs.iter().enumerate() {
                    j.commands.iter().for_each(|c| f(i, c));
                }
            }
            FileFacts::Targets { targets, .. } => {
                for (i, t) in targets.iter().enumerate() {
                    t.commands.iter().for_each(|c| f(i, c));
                }
            }
            FileFacts::Commands(cs) => cs.iter().for_each(|c| f(0, c)),
            FileFacts::Python { .. } => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Make,
    Dvc,
    /// Docker Compose services: none named means every service (`docker compose up`).
    Services,
    /// Console scripts of a `pyproject.toml`, run by name.
    Scripts,
}
