//! MLflow projects run from Python: `mlflow.run(uri, entry_point)` (or `mlflow.projects.run`)
//! runs the entry point of the `MLproject` in the folder `uri` names, as `mlflow run URI -e
//! ENTRY` does from a shell. A multistep workflow's driver chains its steps this way, so the
//! steps are what the driver reaches. The folder is a string (`"./train"`), or an
//! `os.path.join` whose parts after the base are strings (`os.path.join(root_path, "src",
//! "train_random_forest")`, the base being where the driver runs); a remote or computed URI
//! (`f"{repo}/get_data"`, a Git URL) is another project's and is not read.

use crate::facts::pytasks::{arguments, plain_literal as string};
use crate::model::Command;
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

/// At most this many runs are read from one file.
const MAX_RUNS: usize = 64;

/// `mlflow run URI -e ENTRY` for each local project the file runs, at the line of its call.
pub(crate) fn project_runs(doc: &Document, literals: &mut Vec<Command>) {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[^#\n]*?\bmlflow(?:\.projects)?\.run\s*\(").expect("mlflow run call")
    });
    for m in CALL.find_iter(&doc.text).take(MAX_RUNS) {
        let args = arguments(&doc.text[m.end()..]);
        let Some((uri, entry)) = project_and_entry(&args) else {
            continue;
        };
        literals.push(Command::run(
            doc.file_line(doc.line_index(m.end() - 1)),
            format!("mlflow run {uri} -e {entry}"),
        ));
    }
}

/// The local folder and entry point a call's arguments name: the first positional argument
/// or `uri=`, and the second or `entry_point=` (`main` when neither is given).
fn project_and_entry(args: &[String]) -> Option<(String, String)> {
    let keyword = |k: &str| {
        args.iter().find_map(|a| {
            let (name, v) = a.split_once('=')?;
            (name.trim() == k).then(|| v.trim().to_string())
        })
    };
    let positional: Vec<&String> = args
        .iter()
        .filter(|a| !a.split_once('=').is_some_and(|(k, _)| is_name(k.trim())))
        .collect();
    let uri = keyword("uri").or_else(|| positional.first().map(|a| a.to_string()))?;
    let folder = folder_of(&uri)?;
    let entry = match keyword("entry_point").or_else(|| positional.get(1).map(|a| a.to_string())) {
        Some(e) => string(&e)?,
        None => "main".to_string(),
    };
    if !entry
        .chars()
        .all(|c| c.is_alphanumeric() || "_-.".contains(c))
    {
        return None;
    }
    Some((folder, entry))
}

/// The folder an argument names, relative to where the driver runs.
fn folder_of(arg: &str) -> Option<String> {
    let folder = match arg.strip_prefix("os.path.join(") {
        Some(rest) => {
            let parts = arguments(rest);
            // The base (`root_path`, `hydra.utils.get_original_cwd()`, `os.getcwd()`) is where
            // the driver runs; the parts after it are written out.
            let tail: Vec<String> = parts
                .iter()
                .skip_while(|p| string(p).is_none())
                .map(|p| string(p))
                .collect::<Option<_>>()?;
            if tail.is_empty() || parts.len() - tail.len() > 1 {
                return None;
            }
            tail.join("/")
        }
        None => string(arg)?,
    };
    let folder = folder.trim_start_matches("./").trim_end_matches('/');
    let local = !folder.contains("://")
        && !folder.starts_with("git@")
        && !folder.starts_with('/')
        && folder
            .split('/')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)));
    local.then(|| folder.to_string())
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(text: &str) -> Vec<String> {
        let doc = Document::new("main.py", text.to_string());
        let mut out = Vec::new();
        project_runs(&doc, &mut out);
        out.into_iter().map(|c| c.text).collect()
    }

    /// A multistep driver's steps: string folders, joined folders, keyword arguments; remote
    /// and computed projects are not read.
    #[test]
    fn driver_steps_are_local_projects() {
        let text = r#"import mlflow, os
root = hydra.utils.get_original_cwd()
_ = mlflow.run(f"{config['main']['components_repository']}/get_data", "main")
_ = mlflow.run(
    os.path.join(hydra.utils.get_original_cwd(), "src", "train_random_forest"),
    "main",
    parameters={"rf_config": rf_config, "x": (1, 2)},
)
mlflow.projects.run(uri="./evaluate", entry_point="score")
mlflow.run("https://github.com/org/repo#steps/split")
# mlflow.run("./commented")
mlflow.run(".")
"#;
        assert_eq!(
            runs(text),
            [
                "mlflow run src/train_random_forest -e main",
                "mlflow run evaluate -e score",
                "mlflow run . -e main",
            ]
        );
    }
}
