//! What files other than CI configurations contribute to the automation graph: Makefiles, DVC
//! stages, Dockerfiles, Python, shell scripts, Kustomize and other YAML job specs, and the YAML
//! helpers the CI systems share.

pub(crate) mod braces;
pub(crate) mod compose;
pub(crate) mod dockerfile;
pub(crate) mod dvc;
pub(crate) mod elyra;
pub(crate) mod hcl;
pub(crate) mod http_routes;
pub(crate) mod job_spec;
pub(crate) mod make;
pub(crate) mod mlflow_runs;
pub(crate) mod py_dispatch;
pub(crate) mod py_lists;
pub(crate) mod py_syntax;
pub(crate) mod pyproject;
pub(crate) mod pytasks;
pub(crate) mod python;
pub(crate) mod python_defs;
pub(crate) mod python_paths;
pub(crate) mod tasks;
pub(crate) mod toml_tasks;
pub(crate) mod tox;
pub(crate) mod yaml;
