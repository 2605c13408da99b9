//! What an argument of a Python script selects: a script that dispatches on a word of its
//! command line (`python run.py --stage drift`, `python main.py train`) runs only the code of
//! that stage. Three shapes are read: a table of stages (`STAGES = {"train": stage_train,
//! "drift": stage_drift}`), an `if`/`elif` chain comparing an argument with a word (`if
//! args.mode == "train":`), and Click or Typer commands (`@cli.command()` over `def train`).
//! Each stage is the lines of its branch and of the functions of the file it calls there; the
//! graph leaves out what the other stages import when the command names one
//! (`graph::edges`).

use crate::facts::python_defs;
use crate::model::Selector;
use crate::read::Document;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// At most this many stages are read from one file.
const MAX_STAGES: usize = 64;

/// The stages of `doc`, when there are at least two.
pub(crate) fn selectors(doc: &Document) -> Vec<Selector> {
    static TABLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"["']([A-Za-z][\w-]{0,40})["']\s*:\s*([A-Za-z_]\w*)\s*[,}\n]"#)
            .expect("stage table")
    });
    static BRANCH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"^([ \t]*)(?:el)?if\s+[\w.\[\]'"]+\s*==\s*["']([A-Za-z][\w-]{0,40})["']\s*:\s*$"#,
        )
        .expect("stage branch")
    });
    static COMMAND: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^@\w+\.command\(\s*(?:name\s*=\s*)?(?:["']([\w-]+)["'])?"#)
            .expect("cli command")
    });
    let text = &doc.text;
    if !text.contains("def ") {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let all = python_defs::defs(&lines);
    // Each function's lines: its `def` to the last line of its body (the first of each name).
    let span = |d: &python_defs::Def| {
        let start = d.line as usize - 1;
        let last = d.body.clone().rev().find(|&j| !lines[j].trim().is_empty());
        (start, last.unwrap_or(start))
    };
    let mut defs: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for d in &all {
        defs.entry(d.name).or_insert(span(d));
    }
    let mut stages: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    let mut add = |key: &str, range: (usize, usize)| {
        if stages.len() < MAX_STAGES || stages.contains_key(key) {
            stages.entry(key.to_string()).or_default().push(range);
        }
    };
    // A table: each key's function.
    for c in TABLE.captures_iter(text) {
        if let Some(&r) = defs.get(&c[2]) {
            add(&c[1], r);
        }
    }
    // A chain: each branch's body, and the functions of the file it calls.
    for (i, l) in lines.iter().enumerate() {
        let Some(c) = BRANCH.captures(l) else {
            continue;
        };
        let end = block_end(&lines, i, c[1].len());
        if end <= i {
            continue;
        }
        add(&c[2], (i + 1, end));
        for body in &lines[i + 1..=end] {
            for (name, &r) in &defs {
                if calls(body, name) {
                    add(&c[2], r);
                }
            }
        }
    }
    // Click or Typer commands: the decorated function, by its name or the one given.
    for d in &all {
        let Some(c) = d.decorators.iter().find_map(|x| COMMAND.captures(x)) else {
            continue;
        };
        let r = span(d);
        match c.get(1) {
            Some(given) => add(given.as_str(), r),
            None => {
                add(d.name, r);
                if d.name.contains('_') {
                    add(&d.name.replace('_', "-"), r);
                }
            }
        }
    }
    if stages.len() < 2 {
        return Vec::new();
    }
    stages
        .into_iter()
        .map(|(key, ranges)| Selector {
            key,
            lines: ranges
                .into_iter()
                .map(|(a, b)| (doc.file_line(a), doc.file_line(b)))
                .collect(),
        })
        .collect()
}

/// The last line of the block opened at line `at` whose opener is indented by `indent`:
/// before the next line of code indented as much or less.
fn block_end(lines: &[&str], at: usize, indent: usize) -> usize {
    let mut end = at;
    for (j, l) in lines.iter().enumerate().skip(at + 1) {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if python_defs::indent(l) <= indent {
            break;
        }
        end = j;
    }
    end
}

/// Whether a line calls function `name` by its bare name.
fn calls(line: &str, name: &str) -> bool {
    line.match_indices(name).any(|(k, _)| {
        let before = line[..k].chars().next_back();
        let after = line[k + name.len()..].trim_start().starts_with('(');
        after && !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
    })
}

/// The stage a command's arguments select among `stages`: the one a word names (`drift` of
/// `--stage drift` or `--stage=drift`, `train` of `main.py train`). None when no word names
/// one, or words name several.
pub(crate) fn selected<'s>(stages: &'s [Selector], args: &[String]) -> Option<&'s str> {
    let mut named = stages
        .iter()
        .filter(|s| args.contains(&s.key))
        .map(|s| s.key.as_str());
    let first = named.next()?;
    named.next().is_none().then_some(first)
}

/// The lines a selected stage leaves out: those of the other stages, except lines the stage
/// itself holds (a function two stages share).
pub(crate) fn excluded(stages: &[Selector], key: &str) -> Vec<(u32, u32)> {
    let kept: Vec<(u32, u32)> = stages
        .iter()
        .filter(|s| s.key == key)
        .flat_map(|s| s.lines.iter().copied())
        .collect();
    stages
        .iter()
        .filter(|s| s.key != key)
        .flat_map(|s| s.lines.iter().copied())
        .filter(|r| !kept.iter().any(|k| k.0 <= r.0 && r.1 <= k.1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages(text: &str) -> Vec<Selector> {
        selectors(&Document::new("run.py", text.to_string()))
    }

    /// A table of stage functions: `--stage drift` leaves out what the training stage imports.
    #[test]
    fn a_stage_table_selects_one_function() {
        let s = stages(
            "import sys\n\ndef stage_train():\n    from src import train_model\n    train_model.train()\n\n\ndef stage_drift():\n    from monitoring.drift import detect\n    detect()\n\nSTAGES = {\n    \"train\": stage_train,\n    \"drift\": stage_drift,\n}\n",
        );
        let keys: Vec<&str> = s.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(keys, ["drift", "train"]);
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(selected(&s, &args(&["run.py", "drift"])), Some("drift"));
        assert_eq!(selected(&s, &args(&["run.py"])), None);
        assert_eq!(excluded(&s, "drift"), vec![(3, 5)]);
    }

    /// An `if`/`elif` chain on an argument: each branch with the local functions it calls;
    /// Click commands by their names.
    #[test]
    fn branches_and_commands_are_stages() {
        let s = stages(
            "def train():\n    import trainer\n\nif args.mode == \"train\":\n    train()\nelif args.mode == \"serve\":\n    import server\n",
        );
        assert_eq!(excluded(&s, "serve"), vec![(5, 5), (1, 2)]);
        assert_eq!(excluded(&s, "train"), vec![(7, 7)]);
        let c = stages(
            "@cli.command()\ndef train_model():\n    import trainer\n\n@cli.command(\"predict\")\ndef batch():\n    import scorer\n",
        );
        let keys: Vec<&str> = c.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(keys, ["predict", "train-model", "train_model"]);
        // One stage is no choice.
        assert!(stages("def a():\n    pass\nT = {\"a\": a}\n").is_empty());
    }
}
