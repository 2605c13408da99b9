//! Databricks' command-line tools: `databricks bundle deploy|run [JOB]` (the bundle, or one
//! job of it), `databricks jobs create|reset --json-file FILE` and `databricks runs submit
//! --json @FILE` (the job or run that JSON file defines), and dbx, Databricks' deployment tool
//! before bundles (`dbx deploy` publishes the jobs of its deployment file, `dbx execute NAME` /
//! `dbx launch NAME` run one of them).

use super::Action;
use super::classify::positional;

/// What a Databricks CLI or dbx command runs, if it is one that runs something here.
pub(super) fn action(program: &str, args: &[String]) -> Option<Action> {
    let sub = |i: usize| args.get(i).map(String::as_str);
    match (program, sub(0)) {
        ("databricks", Some("bundle")) => match sub(1) {
            Some("deploy" | "validate") => Some(Action::Bundle { job: None }),
            Some("run") => Some(Action::Bundle {
                job: positional(&args[2..]).into_iter().next(),
            }),
            _ => None,
        },
        ("databricks", Some("jobs" | "runs"))
            if matches!(sub(1), Some("create" | "reset" | "submit")) =>
        {
            databricks_json(args)
        }
        ("dbx", Some("deploy")) => Some(Action::Bundle { job: None }),
        ("dbx", Some("execute" | "launch")) => Some(Action::Bundle {
            job: positional(&args[1..]).into_iter().next(),
        }),
        _ => None,
    }
}

/// The JSON file a Databricks CLI call reads its job from (`--json-file FILE`, `--json
/// @FILE`, either with `=`).
fn databricks_json(args: &[String]) -> Option<Action> {
    let file = args.iter().enumerate().find_map(|(i, a)| {
        let value = |flag: &str| {
            a.strip_prefix(&format!("{flag}="))
                .map(str::to_string)
                .or_else(|| (a == flag).then(|| args.get(i + 1).cloned()).flatten())
        };
        value("--json-file")
            .or_else(|| value("--json").and_then(|v| v.strip_prefix('@').map(str::to_string)))
    })?;
    Some(Action::Files {
        paths: vec![file],
        alternatives: false,
    })
}
