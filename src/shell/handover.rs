//! Files one command hands the next: a pipe's input file (`cat job.yaml | envsubst | kubectl
//! apply -f -`) and a file moved or copied into place (`mv main_train.py main.py`).

use super::{Action, base_name};

/// `mv A B` or `cp A B` of one file to another name (not into a directory): B now holds A.
/// At most 64 are kept.
pub(super) fn record_rename(
    tokens: &[String],
    cwd: Option<&str>,
    renames: &mut Vec<(String, String)>,
) {
    if !matches!(tokens.first().map(|p| base_name(p)), Some("mv" | "cp")) || renames.len() >= 64 {
        return;
    }
    let args: Vec<&String> = tokens[1..].iter().filter(|t| !t.starts_with('-')).collect();
    let [from, to] = args.as_slice() else {
        return;
    };
    let file = |p: &str| {
        !p.ends_with('/') && !p.contains(['$', '*']) && crate::paths::file_name(p).contains('.')
    };
    if !file(from) || !file(to) {
        return;
    }
    let base = cwd.unwrap_or("");
    if let (Some(f), Some(t)) = (crate::paths::join(base, from), crate::paths::join(base, to)) {
        renames.retain(|(n, _)| *n != t);
        renames.push((t, f));
    }
}

/// Paths an action names that an earlier `mv`/`cp` filled: the file moved there instead
/// (written from the root, `/main_train.py`).
pub(super) fn follow_renames(action: &mut Action, cwd: Option<&str>, renames: &[(String, String)]) {
    let swap = |p: &mut String| {
        if let Some(full) = crate::paths::join(cwd.unwrap_or(""), p)
            && let Some((_, from)) = renames.iter().rev().find(|(to, _)| *to == full)
        {
            *p = format!("/{from}");
        }
    };
    match action {
        Action::Files { paths, .. } | Action::Paths(paths) | Action::Tests { paths } => {
            paths.iter_mut().for_each(swap)
        }
        _ => {}
    }
}

/// Programs that pass a file read on their standard input on to the next command of a pipe,
/// changed or not.
const FILTERS: &[&str] = &["envsubst", "sed", "awk", "tee", "grep", "yq", "tr", "perl"];

/// The file a command writes to its standard output, for the next command of a pipe: `cat
/// FILE`, `envsubst < FILE`, `sed 's/x/y/' FILE`, or the file a filter got from the pipe (`fed`).
pub(super) fn piped_file(tokens: &[String], fed: Option<&str>) -> Option<String> {
    let program = base_name(tokens.first()?);
    if let Some(i) = tokens.iter().position(|t| t == "<") {
        return tokens.get(i + 1).cloned();
    }
    let args: Vec<&String> = tokens[1..].iter().filter(|t| !t.starts_with('-')).collect();
    match program {
        "cat" if args.len() == 1 => Some(args[0].clone()),
        "sed" | "awk" | "yq" | "perl"
            if args.len() >= 2
                && [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|e| args[args.len() - 1].ends_with(e)) =>
        {
            Some(args[args.len() - 1].clone())
        }
        p if FILTERS.contains(&p) => fed.map(str::to_string),
        _ => None,
    }
}

/// `kubectl apply -f -` (or `oc`) fed by a pipe applies the file the pipe passes on: the `-`
/// becomes that file.
pub(super) fn read_stdin_from(tokens: &mut [String], file: &str) {
    if !matches!(
        tokens.first().map(|p| base_name(p)),
        Some("kubectl" | "oc" | "kubectl.exe")
    ) {
        return;
    }
    for i in 0..tokens.len() {
        if tokens[i] == "--filename=-" {
            tokens[i] = format!("--filename={file}");
        } else if tokens[i] == "-" && i > 0 && matches!(tokens[i - 1].as_str(), "-f" | "--filename")
        {
            tokens[i] = file.to_string();
        }
    }
}
