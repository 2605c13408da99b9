//! Makefiles: targets, their prerequisites and recipe lines (continuations joined), with the
//! file's variables (`TRAIN = src/train.py`, then `python $(TRAIN)`) written into the recipes.

use crate::model::{BuildTarget, Command, FileFacts, TargetKind};
use crate::read::Document;
use crate::shell::vars::Vars;

pub(crate) fn makefile(doc: &Document) -> FileFacts {
    let mut targets: Vec<BuildTarget> = Vec::new();
    let mut vars = Vars::default();
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
        if let Some((name, value)) = assignment(line) {
            vars.set(name, value);
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
    for t in &mut targets {
        for c in &mut t.commands {
            if !vars.is_empty() {
                c.text = vars.expand_one(&c.text);
            }
            // `$$` is how a recipe writes the shell's `$` (`$$(pwd)`, `$$HOME`).
            if c.text.contains("$$") {
                c.text = c.text.replace("$$", "$");
            }
        }
    }
    FileFacts::Targets {
        kind: TargetKind::Make,
        targets,
    }
}

/// `NAME = value` (also `:=`, `::=`, `?=`, `+=`, `!=` is left out: its value is a command's
/// output), with an optional `export` / `override` before it.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line
        .trim_start_matches("export ")
        .trim_start_matches("override ")
        .trim_start();
    let eq = line.find('=')?;
    let (head, value) = (&line[..eq], line[eq + 1..].trim());
    let name = head
        .trim_end_matches([':', '?', '+'])
        .trim_end_matches(':')
        .trim();
    if head.ends_with('!') || name.is_empty() || name.contains([' ', '\t', '$', '(', '%']) {
        return None;
    }
    Some((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipes(text: &str) -> Vec<String> {
        match makefile(&Document::new("Makefile", text.to_string())) {
            FileFacts::Targets { targets, .. } => targets
                .into_iter()
                .flat_map(|t| t.commands.into_iter().map(|c| c.text))
                .collect(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn variables_are_written_into_recipes() {
        let text = "PY ?= python\nSRC := src\nexport TRAIN = $(SRC)/train.py\nREV != git rev-parse HEAD\n\
                    train: data\n\t$(PY) ${TRAIN} --rev $(REV)\n\t$(UNKNOWN) x\n";
        assert_eq!(
            recipes(text),
            vec!["python src/train.py --rev $(REV)", "$(UNKNOWN) x"]
        );
        // A rule is not an assignment, and a file without variables is left as it is.
        assert_eq!(recipes("a: b\n\tpython $(X)\n"), vec!["python $(X)"]);
    }

    /// A recipe's `$$` is the shell's `$`.
    #[test]
    fn doubled_dollars_are_the_shells() {
        let text =
            "ROOT := $$(realpath .)\nserve:\n\tdocker run -v ${ROOT}/src:/app img $$HOME/x\n";
        assert_eq!(
            recipes(text),
            vec!["docker run -v $(realpath .)/src:/app img $HOME/x".to_string()]
        );
    }
}
