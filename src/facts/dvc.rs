//! `dvc.yaml`: each stage's commands, run in its `wdir`.

use crate::facts::yaml::{push_block, ranges};
use crate::model::{BuildTarget, FileFacts, TargetKind};
use crate::read::Document;
use crate::read::structured::Node;

pub(crate) fn dvc(doc: &Document) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?.clone();
    let end = doc.text.lines().count() as u32;
    let stages = root.get("stages")?;
    let entries = stages.entries();
    let targets = entries
        .iter()
        .zip(ranges(entries, end))
        .map(|((name, line, stage), (_, stage_end))| {
            let mut commands = Vec::new();
            let wdir = stage
                .get("wdir")
                .and_then(Node::as_str)
                .map(|s| s.trim_start_matches("./").to_string());
            if let Some(cmd) = stage.get("cmd") {
                let mut s = Vec::new();
                cmd.scalars(&mut s);
                for (text, l) in s {
                    push_block(&mut commands, text, l, true, wdir.as_deref());
                }
            }
            BuildTarget {
                name: name.clone(),
                line: *line,
                end: stage_end,
                deps: Vec::new(),
                commands,
            }
        })
        .collect();
    Some(FileFacts::Targets {
        kind: TargetKind::Dvc,
        targets,
    })
}
