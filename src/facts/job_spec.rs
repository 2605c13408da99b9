//! Any other YAML file: a job spec or manifest whose values may run something or name a file.

use crate::facts::yaml::{Yaml, scalar_commands};
use crate::model::{Command, FileFacts};
use crate::read::structured::{Node, Value};
use regex::Regex;
use std::sync::LazyLock;

/// Whether a YAML file's text may hold a value that runs something or names a file (a mark
/// or a runner of [`could_run_or_name_a_file`]), decided without parsing it.
pub(crate) fn may_run_or_name_a_file(text: &str) -> bool {
    static MARKS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(COMMAND_MARKS).expect("fixed mark list builds")
    });
    static RUNNER: LazyLock<Regex> = LazyLock::new(|| {
        let words: Vec<String> = COMMAND_RUNNERS.iter().map(|w| regex::escape(w)).collect();
        Regex::new(&format!(r"(?-u:\b)(?:{})(?-u:\b)", words.join("|")))
            .expect("fixed runner list builds")
    });
    MARKS.is_match(text) || RUNNER.is_match(text)
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
    "jobtools",
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
    // A Kubernetes object's containers that set no `command` run their image's own: whatever
    // applies the manifest (kubectl, Argo CD, Flux) starts that image's `CMD`.
    // So do a Vertex AI custom job's worker pools (`gcloud ai custom-jobs create --config`)
    // whose `containerSpec` sets no `command`: the job runs the image's entrypoint.
    for d in y
        .docs
        .iter()
        .filter(|d| is_kubernetes_object(d) || is_vertex_job_spec(d))
    {
        image_refs(d, 0, &mut commands);
    }
    commands.truncate(MAX_COMMANDS_PER_FILE);
    (!commands.is_empty()).then_some(FileFacts::Commands(commands))
}

/// A Kubernetes object: a document with an `apiVersion` and a `kind` (a Job, a Deployment).
fn is_kubernetes_object(d: &crate::read::structured::Node) -> bool {
    d.get("apiVersion").and_then(|v| v.as_str()).is_some()
        && d.get("kind").and_then(|v| v.as_str()).is_some()
}

/// A Vertex AI custom job spec: `workerPoolSpecs` at the top or under `jobSpec`.
fn is_vertex_job_spec(d: &Node) -> bool {
    d.get("workerPoolSpecs").is_some()
        || d.get("jobSpec")
            .is_some_and(|j| j.get("workerPoolSpecs").is_some())
}

/// The most image references read from one file.
const MAX_IMAGES: usize = 64;

/// `@image:NAME` for every container (a mapping with an `image`, or Vertex's `imageUri`, and no
/// `command`) under `node`.
pub(crate) fn image_refs(node: &Node, depth: usize, out: &mut Vec<Command>) {
    if depth > 24 || out.len() >= MAX_IMAGES {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            if node.get("command").is_none()
                && let Some(image) = node.get("image").or_else(|| node.get("imageUri"))
                && let Some(name) = image
                    .as_str()
                    .and_then(crate::facts::dockerfile::image_name)
            {
                out.push(crate::facts::dockerfile::image_reference(image.line, &name));
            }
            for (_, _, v) in entries {
                image_refs(v, depth + 1, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|v| image_refs(v, depth + 1, out)),
        Value::Scalar(_) | Value::Null => {}
    }
}
