//! Azure ML schedules (`schedule.schema.json` with `create_job` or `create_monitor`).

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, scalar_commands, str_at, trig, whole_job};
use crate::model::{FileFacts, TriggerKind};
use crate::read::structured::Node;

/// Azure ML schedule (`schedule.schema.json` with `create_job` / `create_monitor`).
pub(crate) fn azureml_schedule(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let schema = root.get("$schema")?.as_str()?;
    if !schema.to_ascii_lowercase().contains("schedule") {
        return None;
    }
    if root.get("create_job").is_none() && root.get("create_monitor").is_none() {
        return None;
    }
    let tr = root.get("trigger");
    let detail = tr.and_then(|t| {
        str_at(t, &["expression"]).map(str::to_string).or_else(|| {
            let f = str_at(t, &["frequency"])?;
            let i = str_at(t, &["interval"]).unwrap_or("1");
            Some(format!("every {i} {f}"))
        })
    });
    let line = tr.map(|t| t.line).unwrap_or(1);
    Some(entry(
        "azureml-schedule",
        vec![trig(TriggerKind::Schedule, detail, line)],
        whole_job(end, scalar_commands(root, true, here)),
    ))
}

/// The orchestrator's entry points, from a YAML document of its shape anywhere.
pub(crate) struct AzureMlSchedule;

impl CiSystem for AzureMlSchedule {
    fn id(&self) -> &'static str {
        "azureml-schedule"
    }
    fn words(&self) -> &'static [&'static str] {
        &["$schema"]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        azureml_schedule(y.root, y.end, &y.here)
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "schedules/retrain.yml",
            "$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json\ntrigger:\n  type: cron\n  expression: 0 3 * * *\ncreate_job: ./pipeline.yml\n",
        )]
    }
}
