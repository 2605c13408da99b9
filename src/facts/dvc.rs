//! `dvc.yaml`: each stage's commands, run in its `wdir`; and DVC 0.x stage files (`*.dvc`
//! with a `cmd:`, `Dvcfile`), one stage each, whose target is the file itself.

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

/// A DVC 0.x stage file: its `cmd` run in its `wdir` (relative to the file). A `.dvc` file
/// that only tracks data (no `cmd`) gives nothing.
pub(crate) fn stage_file(doc: &Document) -> Option<FileFacts> {
    if !doc.text.contains("cmd") {
        return None;
    }
    let root = doc.structured().ok()?.first()?.clone();
    let cmd = root.get("cmd")?;
    let wdir = root
        .get("wdir")
        .and_then(Node::as_str)
        .map(|s| s.trim_start_matches("./").to_string())
        .filter(|s| s != ".");
    let mut commands = Vec::new();
    let mut s = Vec::new();
    cmd.scalars(&mut s);
    for (text, l) in s {
        push_block(&mut commands, text, l, true, wdir.as_deref());
    }
    let name = crate::paths::file_name(&doc.rel).to_string();
    Some(FileFacts::Targets {
        kind: TargetKind::Dvc,
        targets: vec![BuildTarget {
            name,
            line: cmd.line.max(1),
            end: doc.text.lines().count() as u32,
            deps: Vec::new(),
            commands,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dvc0_stage_files_run_their_cmd() {
        let doc = Document::new(
            "pipeline/train.dvc",
            "md5: abc\ncmd: python train.py --epochs 3\nwdir: ..\ndeps:\n- path: data/x.csv\nouts:\n- path: metrics.json\n  metric: true\n".to_string(),
        );
        let Some(FileFacts::Targets { targets, kind }) = stage_file(&doc) else {
            panic!("no stage");
        };
        assert_eq!(kind, TargetKind::Dvc);
        assert_eq!(targets[0].name, "train.dvc");
        assert_eq!(targets[0].commands[0].text, "python train.py --epochs 3");
        assert_eq!(targets[0].commands[0].line, 2);
        assert_eq!(targets[0].commands[0].cwd.as_deref(), Some(".."));
        let data = Document::new(
            "data.csv.dvc",
            "outs:\n- md5: abc\n  path: data.csv\n".to_string(),
        );
        assert!(stage_file(&data).is_none());
    }
}
