//! Elyra pipelines (`*.pipeline`, JupyterLab's visual pipeline editor, run on Kubeflow
//! Pipelines or Airflow): each node runs a notebook or script named by its `filename`, a path
//! from the pipeline file's folder. The file is a pipeline definition; its nodes are what it
//! runs (submitted from the editor or `elyra-pipeline submit`: no trigger of its own).

use crate::model::{Command, FileFacts};
use crate::read::Document;

/// Whether a file is an Elyra pipeline: named `*.pipeline`, a pipeline-flow document.
pub(crate) fn is_elyra_pipeline(name: &str, text: &str) -> bool {
    name.ends_with(".pipeline") && text.contains("\"doc_type\"") && text.contains("\"pipelines\"")
}

/// The notebooks and scripts an Elyra pipeline's nodes run, as references.
pub(crate) fn pipeline(doc: &Document) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?;
    let mut found = Vec::new();
    root.find_path(
        &[
            "pipelines".into(),
            "*".into(),
            "nodes".into(),
            "*".into(),
            "app_data".into(),
            "component_parameters".into(),
            "filename".into(),
        ],
        &mut found,
    );
    let commands: Vec<Command> = found
        .iter()
        .filter_map(|(n, _)| Some(Command::reference(n.line, n.as_str()?)))
        .filter(|c| !c.text.is_empty())
        .take(256)
        .collect();
    (!commands.is_empty()).then_some(FileFacts::Commands(commands))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_name_their_notebooks() {
        let text = r#"{
  "doc_type": "pipeline",
  "version": "3.0",
  "pipelines": [
    {
      "nodes": [
        {"op": "execute-notebook-node",
         "app_data": {"component_parameters": {"filename": "train-model.ipynb"}}},
        {"op": "execute-python-node",
         "app_data": {"component_parameters": {"filename": "scripts/deploy.py"}}}
      ],
      "app_data": {"runtime_type": "KUBEFLOW_PIPELINES"}
    }
  ]
}"#;
        assert!(is_elyra_pipeline("ml/full.pipeline", text));
        assert!(!is_elyra_pipeline("ml/full.json", text));
        let doc = Document::new("ml/full.pipeline", text.to_string());
        let Some(FileFacts::Commands(c)) = pipeline(&doc) else {
            panic!("no commands")
        };
        let names: Vec<(&str, u32)> = c.iter().map(|c| (c.text.as_str(), c.line)).collect();
        assert_eq!(
            names,
            vec![("train-model.ipynb", 8), ("scripts/deploy.py", 10)]
        );
        assert!(c.iter().all(|c| !c.shell));
    }
}
