//! Console scripts of a Python package — `pyproject.toml` (`[project.scripts]`,
//! `[tool.poetry.scripts]`), `setup.py` (`entry_points={"console_scripts": [...]}`) and
//! `setup.cfg` (`[options.entry_points]`): a command named after one (`train`, `poetry run
//! train`, `uv run train`, once the package is installed) runs the module its entry point names
//! (`train = "churn.train:main"` runs `churn.train`).

use crate::facts::toml_tasks::Lines;
use crate::model::{BuildTarget, Command, FileFacts, TargetKind};
use crate::paths::parent;
use crate::read::Document;

/// The files that make a folder a Python project (its packages, console scripts and build).
pub(crate) const PYTHON_PROJECT_FILES: [&str; 3] = ["pyproject.toml", "setup.py", "setup.cfg"];

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
        targets.push(script_target(name, module, i as u32 + 1, &cwd));
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

/// A console script `name` as a target whose one command is `python -m MODULE`, run from `cwd`.
fn script_target(name: &str, module: &str, n: u32, cwd: &str) -> BuildTarget {
    BuildTarget {
        name: name.to_string(),
        line: n,
        end: n,
        deps: Vec::new(),
        commands: vec![Command {
            cwd: Some(cwd.to_string()),
            ..Command::run(n, format!("python -m {module}"))
        }],
    }
}

/// `setup.cfg` (its tox sections too) or `setup.py` read for their console scripts, as
/// targets; nothing when they hold none.
pub(crate) fn setup_file(doc: &Document) -> Option<FileFacts> {
    let mut targets = match crate::facts::tox::tox_ini(doc).filter(|_| doc.rel.ends_with(".cfg")) {
        Some(FileFacts::Targets { targets, .. }) => targets,
        _ => Vec::new(),
    };
    // Tox environments run by `tox` alone: the first, as for a Makefile.
    let kind = if targets.is_empty() {
        TargetKind::Scripts
    } else {
        TargetKind::Make
    };
    targets.extend(setup_scripts(doc));
    (!targets.is_empty()).then_some(FileFacts::Targets { kind, targets })
}

/// The console scripts of `setup.py` (`entry_points={"console_scripts": ["run-pipeline =
/// pipelines.run_pipeline:main"]}`) or `setup.cfg` (`[options.entry_points]` then
/// `console_scripts =` and one `name = module:func` per indented line), as for `pyproject.toml`.
fn setup_scripts(doc: &Document) -> Vec<BuildTarget> {
    static ENTRY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?:^|["'\s\[])([A-Za-z0-9][\w.-]*)\s*=\s*([A-Za-z_][\w.]*)(?:\s*:\s*[\w.]+)?\s*(?:["',\]]|$)"#,
        )
        .expect("entry point")
    });
    let cwd = format!("/{}", parent(&doc.rel));
    let cfg = doc.rel.ends_with(".cfg");
    let mut targets = Vec::new();
    let mut inside = false;
    for (i, raw) in doc.text.lines().enumerate() {
        let mut line = raw;
        if !inside {
            let Some(at) = raw.find("console_scripts") else {
                continue;
            };
            inside = true;
            line = &raw[at + "console_scripts".len()..];
            line = line.trim_start_matches(['"', '\'', ' ', ':', '=']);
        } else if cfg && !raw.starts_with([' ', '\t']) && !raw.trim().is_empty() {
            break;
        }
        // In `setup.py`, the list ends at its `]`.
        let end = if cfg { None } else { line.find(']') };
        for c in ENTRY.captures_iter(&line[..end.map_or(line.len(), |e| e + 1)]) {
            targets.push(script_target(&c[1], &c[2], i as u32 + 1, &cwd));
        }
        if end.is_some() {
            break;
        }
    }
    targets
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

    #[test]
    fn setup_py_and_cfg_console_scripts_run_their_modules() {
        let names = |rel: &str, text: &str| {
            setup_scripts(&Document::new(rel, text.to_string()))
                .iter()
                .map(|t| (t.name.clone(), t.commands[0].text.clone(), t.line))
                .collect::<Vec<_>>()
        };
        let py = "setup(\n    name=\"pipelines\",\n    entry_points={\n        \"console_scripts\": [\n            \"get-pipeline-definition=pipelines.get_pipeline_definition:main\",\n            \"run-pipeline = pipelines.run_pipeline:main\",\n        ]\n    },\n    version=\"0.1\",\n)\n";
        assert_eq!(
            names("setup.py", py),
            vec![
                (
                    "get-pipeline-definition".into(),
                    "python -m pipelines.get_pipeline_definition".into(),
                    5
                ),
                (
                    "run-pipeline".into(),
                    "python -m pipelines.run_pipeline".into(),
                    6
                ),
            ]
        );
        let one =
            "setup(entry_points={'console_scripts': ['train=churn.train:main']}, name='x=y')\n";
        assert_eq!(
            names("setup.py", one),
            vec![("train".into(), "python -m churn.train".into(), 1)]
        );
        let cfg = "[metadata]\nname = churn\n\n[options.entry_points]\nconsole_scripts =\n    churn-train = churn.train:main\n    serve = churn.api\n[flake8]\nmax-line-length = 100\n";
        assert_eq!(
            names("setup.cfg", cfg),
            vec![
                ("churn-train".into(), "python -m churn.train".into(), 6),
                ("serve".into(), "python -m churn.api".into(), 7),
            ]
        );
        assert!(names("setup.py", "setup(name='churn')\n").is_empty());
    }
}
