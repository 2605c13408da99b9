//! Any other YAML file: a job spec or manifest whose values may run something or name a file.
//! The textual precheck decides, without parsing, whether a file can yield anything at all.

use crate::ci::Yaml;
use crate::facts::yaml::scalar_commands;
use crate::model::{Command, FileFacts};
use crate::paths::file_name;
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

/// Whether [`yaml_other`] could find anything in this file, decided from its name and text
/// without parsing it: parsing every configuration file of a large tree was a third of a scan.
/// Sound, not a guess: each kind of fact needs one of these words in the text (a shape's key (a CI
/// system's or an orchestrator's `words`), a scheduled kind, a mark or runner of [`could_run_or_name_a_file`]), unless an escape sequence
/// spells it.
pub(crate) fn yaml_may_yield(doc: &Document) -> bool {
    // The words of every CI system and orchestrator found by shape (`ci::words`).
    static KEYS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(crate::ci::words()).expect("fixed word list builds")
    });
    static MARKS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(COMMAND_MARKS).expect("fixed mark list builds")
    });
    static RUNNER: LazyLock<Regex> = LazyLock::new(|| {
        let words: Vec<String> = COMMAND_RUNNERS.iter().map(|w| regex::escape(w)).collect();
        Regex::new(&format!(r"(?-u:\b)(?:{})(?-u:\b)", words.join("|")))
            .expect("fixed runner list builds")
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
        || MARKS.is_match(&doc.text)
        || RUNNER.is_match(&doc.text)
        || crate::read::structured::has_escape(&doc.text)
}

/// A generated YAML of thousands of entries adds nothing past this many candidate commands.
pub(crate) const MAX_COMMANDS_PER_FILE: usize = 2_000;

/// Text in a value that names a file or a path.
pub(crate) const COMMAND_MARKS: &[&str] = &[
    "/",
    ".py",
    ".sh",
    ".yml",
    ".yaml",
    ".ipynb",
    ".R",
    ".jar",
    ".ps1",
    "Makefile",
    "Dockerfile",
];

/// First words of a value that runs something.
pub(crate) const COMMAND_RUNNERS: &[&str] = &[
    "python",
    "python3",
    "bash",
    "sh",
    "make",
    "dvc",
    "kedro",
    "az",
    "kubectl",
    "helm",
    "docker",
    "gcloud",
    "aws",
    "pytest",
    "Rscript",
    "papermill",
    "mlflow",
    "uvicorn",
    "gunicorn",
    "streamlit",
    "torchrun",
    "accelerate",
    "deepspeed",
    "spark-submit",
    "databricks",
    "java",
    "node",
    "uv",
    "poetry",
    "tox",
    "nox",
];

pub(crate) fn could_run_or_name_a_file(c: &Command) -> bool {
    let t = c.text.trim();
    COMMAND_MARKS.iter().any(|m| t.contains(m))
        || t.split_whitespace()
            .next()
            .is_some_and(|w| COMMAND_RUNNERS.contains(&w))
}

/// An ordinary YAML file (config, data, a manifest), kept only for the values that could run
/// something or name a file: keeping every scalar of every YAML file until the graph is built
/// is what made memory grow with the tree (BENCHMARKS.md).
pub(crate) fn commands(y: &Yaml) -> Option<FileFacts> {
    let mut commands: Vec<Command> = y
        .docs
        .iter()
        .flat_map(|d| scalar_commands(d, true, &y.here))
        .collect();
    commands.retain(could_run_or_name_a_file);
    commands.truncate(MAX_COMMANDS_PER_FILE);
    (!commands.is_empty()).then_some(FileFacts::Commands(commands))
}
