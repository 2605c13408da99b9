//! Makefiles: targets, their prerequisites and recipe lines (continuations joined).

use crate::model::{BuildTarget, Command, FileFacts, TargetKind};
use crate::read::Document;

pub(crate) fn makefile(doc: &Document) -> FileFacts {
    let mut targets: Vec<BuildTarget> = Vec::new();
    let mut continued = String::new();
    let mut cont_line = 0u32;
    for (i, raw) in doc.text.lines().enumerate() {
        let n = i as u32 + 1;
        let is_recipe = raw.starts_with('\t') || (raw.starts_with("    ") && !targets.is_empty());
        if is_recipe {
            if let Some(t) = targets.last_mut() {
                let body = raw.trim();
                if body.starts_with('#') {
                    continue;
                }
                // Backslash continuations form one command.
                if continued.is_empty() {
                    cont_line = n;
                }
                continued.push_str(body.trim_end_matches('\\'));
                continued.push(' ');
                if !body.ends_with('\\') {
                    let text = std::mem::take(&mut continued)
                        .trim()
                        .trim_start_matches(['@', '-', '+'])
                        .replace("$(MAKE)", "make")
                        .replace("${MAKE}", "make");
                    t.commands.push(Command::run(cont_line, text));
                }
                t.end = n;
            }
            continue;
        }
        let line = raw.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(colon) = line.find(':') else {
            continue;
        };
        let (head, tail) = line.split_at(colon);
        let tail = &tail[1..];
        // `X := y`, `X ?= y`, `X = a:b` are assignments, not rules.
        if tail.starts_with('=') || head.contains('=') || head.contains('?') {
            continue;
        }
        let (deps, inline) = match tail.split_once(';') {
            Some((d, c)) => (d, Some(c)),
            None => (tail, None),
        };
        for name in head.split_whitespace() {
            if name.starts_with('.') {
                continue;
            }
            let mut t = BuildTarget {
                name: name.to_string(),
                line: n,
                end: n,
                deps: deps.split_whitespace().map(str::to_string).collect(),
                commands: Vec::new(),
            };
            if let Some(c) = inline {
                t.commands.push(Command::run(n, c.trim()));
            }
            targets.push(t);
        }
    }
    FileFacts::Targets {
        kind: TargetKind::Make,
        targets,
    }
}
