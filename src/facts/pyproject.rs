//! `pyproject.toml` console scripts (`[project.scripts]`, `[tool.poetry.scripts]`): a command
//! named after one (`train`, `poetry run train`, `uv run train`, once the package is installed)
//! runs the module its entry point names (`train = "churn.train:main"` runs `churn.train`).

use crate::facts::toml_tasks::Lines;
use crate::model::{BuildTarget, Command, FileFacts, TargetKind};
use crate::paths::parent;
use crate::read::Document;

/// The tables whose entries are console scripts.
const SCRIPT_TABLES: &[&str] = &[
    "[project.scripts]",
    "[project.gui-scripts]",
    "[tool.poetry.scripts]",
];

/// Each script as a target whose one command is `python -m MODULE`, run from the file's
/// directory, then the tasks of the task runners configured here (`facts::tox`,
/// `facts::toml_tasks`). Files without scripts or tasks give nothing.
pub(crate) fn pyproject(doc: &Document) -> Option<FileFacts> {
    let cwd = format!("/{}", parent(&doc.rel));
    let mut in_scripts = false;
    let mut targets = Vec::new();
    for (i, raw) in doc.text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            in_scripts = SCRIPT_TABLES.iter().any(|t| line.starts_with(t));
            continue;
        }
        if !in_scripts {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim().trim_matches(['"', '\'']);
        // `train = "pkg.mod:func"`, or Poetry's `{ reference = "...", type = "..." }` (skipped).
        let value = value.trim().trim_matches(['"', '\'']);
        let module = value.split(':').next().unwrap_or("").trim();
        if name.is_empty()
            || module.is_empty()
            || !module
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            continue;
        }
        let n = i as u32 + 1;
        targets.push(BuildTarget {
            name: name.to_string(),
            line: n,
            end: n,
            deps: Vec::new(),
            commands: vec![Command {
                cwd: Some(cwd.clone()),
                ..Command::run(n, format!("python -m {module}"))
            }],
        });
    }
    // The task runners' tables: tox (`[tool.tox]`), poe, pixi, Hatch and PDM.
    if let Ok(parsed) = toml::from_str::<toml::Value>(&doc.text) {
        let lines = Lines::of_text(&doc.text);
        if let Some(tox) = parsed
            .get("tool")
            .and_then(|t| t.get("tox"))
            .and_then(toml::Value::as_table)
        {
            targets.extend(crate::facts::tox::native(tox, &|p| {
                lines.of(format!("tool.tox.{p}").trim_end_matches('.'))
            }));
        }
        targets.extend(crate::facts::toml_tasks::tasks(&parsed, &lines, true));
    }
    (!targets.is_empty()).then_some(FileFacts::Targets {
        kind: TargetKind::Scripts,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_scripts_run_their_modules() {
        let text = "[project]\nname = \"churn\"\n\n[project.scripts]\nchurn-train = \"churn.train:main\"\n\"serve\" = 'churn.api'\n\n[tool.poetry.scripts]\nevaluate = \"churn.eval:run\"\nbad = { reference = \"x\", type = \"file\" }\n\n[tool.other]\nnot_a_script = \"a.b:c\"\n";
        let Some(FileFacts::Targets { targets, .. }) =
            pyproject(&Document::new("svc/pyproject.toml", text.to_string()))
        else {
            panic!("no scripts read");
        };
        let got: Vec<(&str, &str, u32)> = targets
            .iter()
            .map(|t| (t.name.as_str(), t.commands[0].text.as_str(), t.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("churn-train", "python -m churn.train", 5),
                ("serve", "python -m churn.api", 6),
                ("evaluate", "python -m churn.eval", 9),
            ]
        );
        assert_eq!(targets[0].commands[0].cwd.as_deref(), Some("/svc"));
        assert!(pyproject(&Document::new("pyproject.toml", "[project]\n".into())).is_none());
    }
}
