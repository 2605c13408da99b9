//! An install that only prepares a lint, format or documentation job builds nothing.
//!
//! `ci-build-step` marks installing the project or its environment in CI (`pip install .`,
//! `uv sync`, `poetry install`, `conda env create`) as a build, since such an install usually
//! precedes the tests or the run it builds for. In a job whose every other command only reads
//! or checks files (`ruff check`, `mkdocs build`, `pre-commit run`, through `uv run` or
//! `poetry run` too: [`crate::shell::programs::READERS`]), the install only feeds a linter or
//! the documentation, which a CI build of Azure 1 is not (docs/levels.md). Image and package
//! builds (`docker build`, `python -m build`) keep the facet wherever they are.
//!
//! And installing the project (`pip install .`) where there is no project (no `setup.py`,
//! `pyproject.toml` or `setup.cfg` in the directory it runs in) installs nothing of this
//! repository: seed code for another repository (a SageMaker project's `codecommit/` folder
//! whose buildspec runs at its own repository's root) builds nothing here.

use crate::catalogue::builtin::{capability, facet};
use crate::model::{Evidence, Facts, FileFacts};
use regex::Regex;
use std::sync::LazyLock;

/// An install, not an artefact build.
static INSTALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:uv\s+sync|poetry\s+install|pdm\s+install|pip3?\s+install|(?:conda|mamba)\s+env\s+(?:create|update)|micromamba\s+(?:create|install)|npm\s+ci)\b|environment-file:")
        .expect("install")
});

/// Programs that install or set up, besides those that read files.
const SETUP: &[&str] = &[
    "uv",
    "poetry",
    "pdm",
    "pipenv",
    "conda",
    "mamba",
    "micromamba",
    "pip",
    "pip3",
    "python",
    "python3",
    "npm",
    "cd",
    "export",
    "source",
    "set",
    "sudo",
];

/// Installing the project in the directory the command runs in.
static PROJECT_INSTALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bpip3?\s+install\s+(?:--?[\w-]+\s+)*(?:-e\s+)?\.(?:\[[^\]]*\])?(?:\s|$|")"#)
        .expect("project install")
});

/// Whether the command at `line` installs the project from a directory that has none.
fn installs_absent_project(job: &crate::model::Job, line: u32, files: &[String]) -> bool {
    let Some(c) = job
        .commands
        .iter()
        .find(|c| c.line == line && PROJECT_INSTALL.is_match(&c.text))
    else {
        return false;
    };
    let dir = c.cwd.as_deref().unwrap_or("").trim_matches('/');
    if dir.contains(['$', '{']) {
        return false;
    }
    !crate::facts::pyproject::PYTHON_PROJECT_FILES
        .iter()
        .any(|f| {
            let p = if dir.is_empty() || dir == "." {
                (*f).to_string()
            } else {
                format!("{dir}/{f}")
            };
            files.contains(&p)
        })
}

/// Drops the `builds` facet of `ci-build-step` installs in jobs that only lint, format or
/// build documentation, and of project installs where there is no project.
pub(crate) fn drop_setup_only_builds(facts: &Facts, files: &[String], evs: &mut [Evidence]) {
    for e in evs.iter_mut().filter(|e| {
        e.rule == "ci-build-step"
            && e.capability == capability::CI
            && e.facets.iter().any(|f| f == facet::BUILDS)
    }) {
        let (Some(line), Some(snippet)) = (e.line, e.snippet.as_deref()) else {
            continue;
        };
        if !INSTALL.is_match(snippet) {
            continue;
        }
        let Some(FileFacts::Entry { jobs, .. }) = facts.get(&e.path) else {
            continue;
        };
        let Some(job) = jobs.iter().find(|j| j.line <= line && line <= j.end) else {
            continue;
        };
        if installs_absent_project(job, line, files) {
            e.facets.retain(|f| f != facet::BUILDS);
            e.note = Some("installs the project from a directory that has none: builds nothing of this repository".into());
            continue;
        }
        let shell: Vec<&str> = job
            .commands
            .iter()
            .filter(|c| c.shell)
            .map(|c| c.text.as_str())
            .collect();
        if !shell.is_empty() && shell.iter().all(|c| only_setup_or_reading(c)) {
            e.facets.retain(|f| f != facet::BUILDS);
        }
    }
}

/// Whether every simple command of a line installs, sets up, or only reads files (a
/// linter, a formatter, a documentation build), through `uv run`/`poetry run`/`python -m`.
fn only_setup_or_reading(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return true;
    }
    line.split(['&', '|', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .all(|cmd| {
            let mut words = cmd
                .split_whitespace()
                .filter(|w| !w.contains('=') || w.starts_with('-'));
            let mut first = words.next().unwrap_or("");
            // `uv run ruff`, `poetry run mkdocs`, `python -m mkdocs`, `pipx run pre-commit`.
            while matches!(
                first,
                "uv" | "poetry" | "pdm" | "pipenv" | "pipx" | "hatch" | "python" | "python3"
            ) {
                match words.next() {
                    Some("run" | "-m" | "exec") => first = words.next().unwrap_or(""),
                    Some(_) if matches!(first, "python" | "python3") => return false,
                    _ => return true,
                }
            }
            first.is_empty()
                || matches!(first, "if" | "then" | "else" | "fi" | "fi;" | "do" | "done")
                || crate::shell::programs::READERS.contains(&first)
                || SETUP.contains(&first)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Command, Job};

    /// `pip install .` builds only where a project file is: seed code's install run at a root
    /// without one builds nothing; a `working-directory` with one does.
    #[test]
    fn project_installs_need_a_project() {
        let job = |cwd: Option<&str>| {
            Job::new(
                "b",
                (1, 9),
                Vec::new(),
                vec![Command {
                    cwd: cwd.map(str::to_string),
                    ..Command::run(
                        3,
                        "pip install --upgrade --force-reinstall . \"awscli>1.20\"",
                    )
                }],
            )
        };
        let seed = vec!["codecommit/setup.py".to_string(), "README.md".to_string()];
        assert!(installs_absent_project(&job(None), 3, &seed));
        assert!(!installs_absent_project(&job(Some("codecommit")), 3, &seed));
        assert!(!installs_absent_project(
            &job(None),
            3,
            &["pyproject.toml".to_string()]
        ));
        assert!(!installs_absent_project(&job(Some("$DIR")), 3, &seed));
    }

    #[test]
    fn lint_and_docs_jobs_set_up_but_do_not_build() {
        for l in [
            "uv sync",
            "uv run ruff check .",
            "uv run mkdocs gh-deploy --force",
            "pip install -e .[dev] && pre-commit run --all-files",
            "python -m mkdocs build --strict",
        ] {
            assert!(only_setup_or_reading(l), "{l}");
        }
        for l in [
            "uv run pytest tests",
            "python train.py",
            "docker build -t x .",
            "make test",
        ] {
            assert!(!only_setup_or_reading(l), "{l}");
        }
    }
}
