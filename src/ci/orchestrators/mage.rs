//! Mage (mage.ai): a project's pipelines are folders `pipelines/NAME/` whose `metadata.yaml`
//! lists the pipeline's blocks (data loaders, transformers, custom blocks, exporters, sensors),
//! each the code of a file of the project (`configuration.file_source.path`, else
//! `TYPE_FOLDER/UUID.py`), and whose `triggers.yaml` holds its triggers (schedules, events).
//! A pipeline is a job named for its folder: other files start it by name (Mage's
//! `trigger_pipeline("NAME")`), a trigger file by being beside it. Without a trigger it runs
//! when someone runs it.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, str_at, trig};
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::paths::{file_name, join, parent};

/// The id of Mage's entry points, and of its named references (`@mage:NAME`).
const ID: &str = "mage";

/// The pipeline folder's name and the project's root, for a file `ROOT/pipelines/NAME/FILE`.
fn pipeline_of(rel: &str) -> Option<(&str, &str)> {
    let dir = parent(rel);
    let pipelines = parent(dir);
    (file_name(pipelines) == "pipelines").then(|| (file_name(dir), parent(pipelines)))
}

/// The folder a block of `kind` lives in by default.
fn folder(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "data_loader" => "data_loaders",
        "transformer" => "transformers",
        "data_exporter" => "data_exporters",
        "custom" => "custom",
        "sensor" => "sensors",
        "callback" => "callbacks",
        "conditional" => "conditionals",
        "dbt" => "dbt",
        _ => return None,
    })
}

/// `metadata.yaml`: the pipeline's blocks, each running its file.
fn pipeline(y: &Yaml, name: &str, root: &str) -> Option<FileFacts> {
    let blocks = y.root.get("blocks")?.as_seq();
    if blocks.is_empty()
        || !blocks
            .iter()
            .all(|b| b.get("uuid").is_some() && b.get("type").is_some())
    {
        return None;
    }
    let mut commands = Vec::new();
    for b in blocks {
        let kind = str_at(b, &["type"]).unwrap_or("");
        let path = str_at(b, &["configuration", "file_source", "path"])
            .map(str::to_string)
            .or_else(|| {
                let ext = match str_at(b, &["language"]).unwrap_or("python") {
                    "sql" => "sql",
                    "r" => "r",
                    "yaml" => "yaml",
                    _ => "py",
                };
                Some(format!("{}/{}.{ext}", folder(kind)?, str_at(b, &["uuid"])?))
            });
        if let Some(p) = path.and_then(|p| join(root, p.trim_start_matches("./"))) {
            commands.push(Command::reference(b.line, format!("/{p}")));
        }
    }
    Some(entry(
        ID,
        Vec::new(),
        vec![Job::new(
            name,
            (1, y.end),
            vec![trig(TriggerKind::Called, None, 1)],
            commands,
        )],
    ))
}

/// `triggers.yaml`: each active trigger starts the pipeline beside it.
fn triggers(y: &Yaml, name: &str) -> Option<FileFacts> {
    let list = y.root.get("triggers")?.as_seq();
    if list.is_empty() || !list.iter().all(|t| t.get("schedule_type").is_some()) {
        return None;
    }
    let mut jobs = Vec::new();
    for (i, t) in list.iter().enumerate() {
        if str_at(t, &["status"]).is_some_and(|s| s != "active") {
            continue;
        }
        let kind = match str_at(t, &["schedule_type"]).unwrap_or("") {
            "time" => TriggerKind::Schedule,
            "event" => TriggerKind::Event,
            _ => TriggerKind::Manual,
        };
        let detail = str_at(t, &["schedule_interval"]).map(str::to_string);
        let end = list.get(i + 1).map_or(y.end, |n| n.line.saturating_sub(1));
        jobs.push(Job::new(
            str_at(t, &["name"]).unwrap_or("trigger").to_string(),
            (t.line, end),
            vec![trig(kind, detail, t.line)],
            vec![Command::reference(t.line, format!("@{ID}:{name}"))],
        ));
    }
    (!jobs.is_empty()).then(|| entry(ID, Vec::new(), jobs))
}

/// Mage's pipelines and triggers, from their files under a project's `pipelines/`.
pub(crate) struct Mage;

impl CiSystem for Mage {
    fn id(&self) -> &'static str {
        ID
    }
    fn words(&self) -> &'static [&'static str] {
        &["blocks", "schedule_type"]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        let (name, root) = pipeline_of(y.rel)?;
        match file_name(y.rel) {
            "metadata.yaml" | "metadata.yml" => pipeline(y, name, root),
            "triggers.yaml" | "triggers.yml" => triggers(y, name),
            _ => None,
        }
    }
    fn jobs_named_from_elsewhere(&self) -> bool {
        true
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "mage/pipelines/train/triggers.yaml",
            "triggers:\n- name: nightly\n  schedule_type: time\n  schedule_interval: '@daily'\n  status: active\n",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Document;

    fn read(rel: &str, text: &str) -> Option<FileFacts> {
        let doc = Document::new(rel, text.to_string());
        Mage.shaped(&Yaml::of(&doc)?)
    }

    /// A pipeline's blocks run their files (named, or by type and uuid); its trigger file
    /// starts it by name on its schedule; an inactive trigger starts nothing.
    #[test]
    fn pipelines_and_triggers() {
        let meta = "blocks:\n- uuid: ingest\n  type: data_loader\n  language: python\n  upstream_blocks: []\n- uuid: train_model\n  type: custom\n  configuration:\n    file_source:\n      path: custom/train_model.py\n  upstream_blocks: [ingest]\n";
        let Some(FileFacts::Entry { jobs, system, .. }) =
            read("mage/pipelines/model_training/metadata.yaml", meta)
        else {
            panic!("not read");
        };
        assert_eq!(system, ID);
        assert_eq!(jobs[0].name, "model_training");
        let refs: Vec<&str> = jobs[0].commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            refs,
            vec![
                "/mage/data_loaders/ingest.py",
                "/mage/custom/train_model.py"
            ]
        );
        let trig = "triggers:\n- name: daily\n  schedule_type: time\n  schedule_interval: '@daily'\n  status: active\n- name: off\n  schedule_type: time\n  status: inactive\n";
        let Some(FileFacts::Entry { jobs, .. }) =
            read("mage/pipelines/model_training/triggers.yaml", trig)
        else {
            panic!("not read");
        };
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].triggers[0].kind, TriggerKind::Schedule);
        assert_eq!(jobs[0].commands[0].text, "@mage:model_training");
        assert!(read("mage/other/metadata.yaml", meta).is_none());
    }
}
