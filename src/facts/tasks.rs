//! Task runners other than make, read as targets the way Makefiles are: `just` recipes
//! (`justfile`), Task tasks (`Taskfile.yml`) and npm/yarn/pnpm scripts (`package.json`). A
//! command that runs one (`just deploy`, `task ship`, `npm run deploy`) reaches its commands,
//! and what they deploy or build is automated through it (see `shell::classify`).

use crate::facts::make::makefile;
use crate::model::{BuildTarget, Command, FileFacts, TargetKind};
use crate::read::Document;
use crate::read::structured::Node;

/// The file names each runner reads in a directory, the one it looks for first.
pub(crate) const JUSTFILES: &[&str] = &["justfile", "Justfile", ".justfile"];
pub(crate) const TASKFILES: &[&str] = &[
    "Taskfile.yml",
    "Taskfile.yaml",
    "taskfile.yml",
    "taskfile.yaml",
];

/// The other files a runner reads when its default file (as `shell` names it) is absent, or
/// that hold its tasks as well: one line per runner.
pub(crate) fn other_files(default: &str) -> &'static [&'static str] {
    match default {
        "Makefile" => &["makefile", "GNUmakefile"],
        "justfile" => &JUSTFILES[1..],
        "Taskfile.yml" => &TASKFILES[1..],
        "compose.yaml" => &crate::facts::compose::COMPOSE_FILES[1..],
        "tox.ini" => &["setup.cfg", "pyproject.toml", "tox.toml"],
        "pixi.toml" => &["pyproject.toml"],
        "pyproject.toml" => &["hatch.toml"],
        "MLproject" => &["MLProject"],
        _ => &[],
    }
}

/// A justfile: recipes (`name param="x": deps`) and their indented bodies. Written as a
/// Makefile with the same lines (headers reduced to `name: deps`, assignments and settings
/// blanked) and read by the Makefile reader.
pub(crate) fn justfile(doc: &Document) -> FileFacts {
    let mut text = String::with_capacity(doc.text.len());
    for line in doc.text.lines() {
        text.push_str(&just_line(line));
        text.push('\n');
    }
    makefile(&Document::new(&doc.rel, text))
}

fn just_line(line: &str) -> String {
    if line.starts_with([' ', '\t']) || line.trim_start().starts_with('#') {
        return line.to_string();
    }
    let t = line.trim_start_matches('@');
    if t.contains(":=") || t.starts_with("set ") || t.starts_with("import ") || t.starts_with('[') {
        return String::new();
    }
    // `name params...: deps && after`: the name, then what follows the header's colon (a colon
    // inside a parameter default's quotes is not it).
    let mut quote: Option<char> = None;
    let mut colon = None;
    for (i, c) in t.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, ':') => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(colon) = colon else {
        return String::new();
    };
    let name = t[..colon].split_whitespace().next().unwrap_or("");
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return String::new();
    }
    let deps: Vec<&str> = t[colon + 1..]
        .split_whitespace()
        .filter(|d| *d != "&&")
        .map(|d| d.trim_start_matches('(').split('(').next().unwrap_or(d))
        .filter(|d| !d.is_empty())
        .collect();
    format!("{name}: {}", deps.join(" "))
}

/// An MLflow `MLproject`: each entry point's `command` is the target `mlflow:NAME`
/// (`mlflow run . -e NAME` runs it; `{param}` placeholders stay as written).
pub(crate) fn mlproject(doc: &Document) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?;
    let mut targets = Vec::new();
    for (name, line, entry) in root.get("entry_points")?.entries() {
        let mut t = BuildTarget::empty(&format!("mlflow:{name}"), *line);
        if let Some(c) = entry.get("command")
            && let Some(s) = c.as_str()
        {
            push_lines(&mut t, c.line, s);
        }
        targets.push(t);
    }
    (!targets.is_empty()).then_some(FileFacts::Targets {
        kind: TargetKind::Make,
        targets,
    })
}

/// A Taskfile: each task's `cmds` (strings, `cmd:` items, `task:` calls) and `deps`.
pub(crate) fn taskfile(doc: &Document) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?;
    let tasks = root.get("tasks")?;
    let mut targets = Vec::new();
    for (name, line, task) in tasks.entries() {
        let mut t = BuildTarget::empty(name, *line);
        for d in task.get("deps").map(Node::as_seq).unwrap_or(&[]) {
            if let Some(n) = d.as_str().or_else(|| d.get("task").and_then(Node::as_str)) {
                t.deps.push(n.to_string());
            }
        }
        // A task written as a bare list of commands, or with `cmds:`.
        let cmds = match task.get("cmds") {
            Some(c) => c.as_seq(),
            None => task.as_seq(),
        };
        for c in cmds {
            if let Some(s) = c.as_str() {
                push_lines(&mut t, c.line, s);
            } else if let Some(s) = c.get("cmd").and_then(Node::as_str) {
                push_lines(&mut t, c.line, s);
            } else if let Some(n) = c.get("task").and_then(Node::as_str) {
                t.deps.push(n.to_string());
            }
        }
        targets.push(t);
    }
    Some(FileFacts::Targets {
        kind: TargetKind::Make,
        targets,
    })
}

fn push_lines(t: &mut BuildTarget, line: u32, text: &str) {
    for (i, l) in text.lines().enumerate() {
        let n = line + i as u32;
        t.commands.push(Command::run(n, l.trim()));
        t.end = t.end.max(n);
    }
}

/// `package.json`'s `scripts`: each script, run with its `pre`/`post` scripts.
pub(crate) fn package_json(doc: &Document) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?;
    let scripts = root.get("scripts")?;
    let mut targets = Vec::new();
    for (name, line, body) in scripts.entries() {
        let Some(cmd) = body.as_str() else { continue };
        let line = if body.line > 0 { body.line } else { *line };
        targets.push(BuildTarget {
            name: name.clone(),
            line,
            end: line,
            deps: vec![format!("pre{name}"), format!("post{name}")],
            commands: vec![Command::run(line, cmd)],
        });
    }
    (!targets.is_empty()).then_some(FileFacts::Targets {
        kind: TargetKind::Make,
        targets,
    })
}

/// `.pre-commit-config.yaml`: the commands of its local hooks (`repo: local`, `entry: pytest`
/// with its `args`), which `pre-commit run` runs at the repository's root. Hooks of other
/// repositories run their own code (linters, formatters), nothing of this one.
pub(crate) fn pre_commit(doc: &Document) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?.clone();
    let mut commands = Vec::new();
    for repo in root.get("repos")?.as_seq() {
        if repo.get("repo").and_then(Node::as_str) != Some("local") {
            continue;
        }
        for hook in repo.get("hooks").map(Node::as_seq).unwrap_or_default() {
            let Some(entry) = hook.get("entry") else {
                continue;
            };
            let Some(text) = entry.as_str() else {
                continue;
            };
            let args: Vec<&str> = hook
                .get("args")
                .map(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            let mut line = text.to_string();
            if !args.is_empty() {
                line = format!("{line} {}", crate::facts::yaml::shell_join(args));
            }
            commands.push(Command {
                line: entry.line,
                text: line,
                shell: true,
                cwd: Some(format!("/{}", crate::paths::parent(&doc.rel))),
            });
        }
    }
    (!commands.is_empty()).then_some(FileFacts::Commands(commands))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(f: Option<FileFacts>) -> Vec<(String, Vec<String>, Vec<String>)> {
        match f {
            Some(FileFacts::Targets { targets, .. }) => targets
                .into_iter()
                .map(|t| {
                    (
                        t.name,
                        t.deps,
                        t.commands.into_iter().map(|c| c.text).collect(),
                    )
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn justfile_recipes_are_targets() {
        let doc = Document::new(
            "justfile",
            "set shell := [\"bash\", \"-c\"]\nimage := \"api\"\n\n# ship it\ndeploy env=\"prod:1\": build\n    helm upgrade --install api charts/api\n\n@build:\n    docker build -t {{image}} .\n"
                .to_string(),
        );
        let t = targets(Some(justfile(&doc)));
        assert_eq!(t[0].0, "deploy");
        assert_eq!(t[0].1, vec!["build"]);
        assert_eq!(t[0].2, vec!["helm upgrade --install api charts/api"]);
        assert_eq!(t[1].0, "build");
    }

    #[test]
    fn taskfile_tasks_and_package_scripts_are_targets() {
        let doc = Document::new(
            "Taskfile.yml",
            "version: '3'\ntasks:\n  ship:\n    deps: [build]\n    cmds:\n      - kubectl apply -f k8s/\n      - task: notify\n  build:\n    cmds:\n      - cmd: docker build -t api .\n"
                .to_string(),
        );
        let t = targets(taskfile(&doc));
        assert_eq!(t[0].0, "ship");
        assert_eq!(t[0].1, vec!["build", "notify"]);
        assert_eq!(t[0].2, vec!["kubectl apply -f k8s/"]);
        assert_eq!(t[1].2, vec!["docker build -t api ."]);
        let doc = Document::new(
            "package.json",
            "{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"deploy\": \"flyctl deploy --remote-only\"\n  }\n}\n"
                .to_string(),
        );
        let t = targets(package_json(&doc));
        assert_eq!(t[0].0, "deploy");
        assert_eq!(t[0].2, vec!["flyctl deploy --remote-only"]);
    }
}
