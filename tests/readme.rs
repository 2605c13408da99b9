//! The README documents the command line it describes: every command with each of its flags in
//! its row of the command table, every `--format` of `scan` in the formats table, and every
//! input and output of the GitHub Action in the action's tables. A flag, format or input added
//! without its documentation fails here.

mod common;

use std::path::PathBuf;

fn readme() -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

fn help(args: &[&str]) -> String {
    let out = common::ripen().args(args).arg("-h").output().unwrap();
    common::assert_success(&out);
    String::from_utf8(out.stdout).unwrap()
}

/// The names listed in a help section (`Commands:`), without `help`.
fn commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The long flags of a command's help, without `--help` and the global `--color`.
fn flags(help: &str) -> Vec<String> {
    let mut out: Vec<String> = help
        .lines()
        // A flag's own line is indented a little; its description's wrapped lines are indented
        // as far as the description column, and may begin with a flag they mention.
        .filter(|l| l.len() - l.trim_start().len() <= 6)
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .flat_map(|l| {
            l.split("  ")
                .next()
                .unwrap_or(l)
                .split([' ', ',', '=', '<', '['])
        })
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_string)
        .filter(|f| f != "--help" && f != "--color")
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The README's command-table rows whose first cell starts with `` `ripen CMD``.
fn rows(readme: &str, cmd: &str) -> String {
    let start = format!("| `ripen {cmd}");
    readme
        .lines()
        .filter(|l| l.starts_with(&start))
        .map(|l| l.split(" | ").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_command_and_flag_is_in_the_command_table() {
    let readme = readme();
    let mut missing = Vec::new();
    let mut todo: Vec<Vec<String>> = commands(&help(&[])).into_iter().map(|c| vec![c]).collect();
    let mut seen = 0;
    while let Some(cmd) = todo.pop() {
        seen += 1;
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let h = help(&args);
        let subs = commands(&h);
        if !subs.is_empty() {
            todo.extend(subs.into_iter().map(|s| [cmd.clone(), vec![s]].concat()));
            continue;
        }
        let name = cmd.join(" ");
        let row = rows(&readme, &name);
        if row.is_empty() {
            missing.push(format!("no row for `ripen {name}`"));
            continue;
        }
        for f in flags(&h) {
            if !row.contains(&format!("{f} ")) && !row.contains(&format!("{f}]")) {
                missing.push(format!("`ripen {name}`: {f}"));
            }
        }
    }
    assert!(seen >= 9, "commands found: {seen}");
    assert!(
        missing.is_empty(),
        "undocumented in README.md: {missing:#?}"
    );
    // The global flag, and what decides a text line's width, have their own entries.
    assert!(readme.contains("| `--color auto\\|always\\|never` |"));
    assert!(readme.contains("`COLUMNS`"));
}

#[test]
fn every_scan_format_is_in_the_formats_table() {
    let readme = readme();
    let h = help(&["scan"]);
    let line = h
        .lines()
        .find(|l| l.contains("--format <FORMAT>"))
        .expect("--format");
    let (_, values) = line
        .split_once("[possible values: ")
        .expect("possible values of --format");
    let formats: Vec<&str> = values
        .trim_end()
        .trim_end_matches(']')
        .split(", ")
        .collect();
    assert!(formats.len() >= 9, "{formats:?}");
    for f in formats {
        assert!(
            readme.contains(&format!("\n| `{f}` |")),
            "format {f} has no row in README.md's formats table"
        );
    }
}

#[test]
fn every_action_input_and_output_is_in_the_action_tables() {
    let readme = readme();
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
            .unwrap();
    let action: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    for input in action["inputs"].as_object().unwrap().keys() {
        assert!(
            readme.contains(&format!("\n| `{input}` |")),
            "action input {input} has no row in README.md"
        );
    }
    for output in action["outputs"].as_object().unwrap().keys() {
        assert!(
            readme.contains(&format!("`{output}`")),
            "action output {output} is not in README.md"
        );
    }
}
