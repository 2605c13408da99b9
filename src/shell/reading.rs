//! Which command lines only set up, read or report: an install, a linter, a documentation
//! build, a coverage report. Such a line ships nothing: a job made only of them builds no
//! artefact (`crate::assess::setup_builds`) and, named a deployment, deploys nothing
//! (`crate::ci::deploy_jobs`).

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
    "cd",
    "export",
    "source",
    "set",
    "sudo",
    "venv",
    "virtualenv",
    ".",
];

/// Whether every simple command of a line installs, sets up, or only reads files (a
/// linter, a formatter, a documentation build), through `uv run`/`poetry run`/`python -m`.
pub(crate) fn only_setup_or_reading(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return true;
    }
    // The simple commands of each line, split as the shell splits them (an `echo "...;
    // skipping"` message is one command).
    let lines = crate::shell::logical_lines(line);
    lines
        .iter()
        .flat_map(|(_, l)| crate::shell::lex::split(l))
        .map(|p| p.raw.trim())
        .filter(|s| !s.is_empty() && !s.starts_with('#'))
        .all(|cmd| {
            let mut words = cmd
                .split_whitespace()
                .filter(|w| !w.contains('=') || w.starts_with('-'));
            let mut first = words.next().unwrap_or("");
            // A shell keyword (`if [ -f x ]`, `then echo`, `fi`) guards the command after it.
            while matches!(
                first,
                "if" | "then" | "else" | "elif" | "fi" | "do" | "done" | "while" | "until" | "!"
            ) {
                first = words.next().unwrap_or("");
            }
            // `uv run ruff`, `poetry run mkdocs`, `python -m mkdocs`, `pipx run pre-commit`.
            while matches!(
                first,
                "uv" | "poetry" | "pdm" | "pipenv" | "pipx" | "hatch" | "python" | "python3"
            ) {
                match words.next() {
                    Some("run" | "-m" | "exec") => first = words.next().unwrap_or(""),
                    // A script named for the documentation (`doc_creator.py`,
                    // `scripts/build_docs.py`) writes the documentation.
                    Some(script) if matches!(first, "python" | "python3") => {
                        return documentation_script(script);
                    }
                    _ => return true,
                }
            }
            // A JavaScript package manager sets up when it installs; `yarn build`, `npm run
            // build` or `npm test` build or test.
            if matches!(first, "npm" | "yarn" | "pnpm" | "bun") {
                return words.next().is_none_or(|w| {
                    w.starts_with('-')
                        || matches!(
                            w,
                            "ci" | "install" | "i" | "add" | "config" | "cache" | "set"
                        )
                });
            }
            // Packaging the application for its deployment (`zip -r release.zip .`, `tar -czf
            // app.tgz`) builds its release.
            let rest: Vec<&str> = words.clone().collect();
            if (first == "zip" && rest.iter().any(|w| w.starts_with('-') && w.contains('r')))
                || (first == "tar"
                    && rest.first().is_some_and(|w| {
                        w.trim_start_matches('-').starts_with('c') || w.contains("-c")
                    }))
            {
                return false;
            }
            first.is_empty()
                || matches!(first, "if" | "then" | "else" | "fi" | "fi;" | "do" | "done")
                || crate::shell::programs::READERS.contains(&first)
                || SETUP.contains(&first)
        })
}

/// Whether a script's file name says it writes documentation (`doc_creator.py`,
/// `gen_docs.py`, `build-docs.py`): its stem holds `doc` or `docs` as a word, and no word of a
/// test (`test_docs.py` checks them).
fn documentation_script(path: &str) -> bool {
    let stem = crate::paths::file_name(path)
        .trim_end_matches(".py")
        .to_ascii_lowercase();
    let words: Vec<&str> = stem.split(['_', '-', '.']).collect();
    path.ends_with(".py")
        && words
            .iter()
            .any(|w| matches!(*w, "doc" | "docs" | "docstrings" | "apidoc"))
        && !words.iter().any(|w| w.starts_with("test"))
}

/// `make` targets of a documentation build (Sphinx's and MkDocs' Makefiles).
const DOC_TARGETS: &[&str] = &[
    "html",
    "dirhtml",
    "singlehtml",
    "docs",
    "doc",
    "latexpdf",
    "pdf",
    "epub",
    "man",
    "linkcheck",
    "doctest",
    "clean",
];

/// Programs that only report on what ran before them: a coverage report, a CML comment on
/// the merge request, a test run.
fn reports(words: &[String]) -> bool {
    let sub = words.get(1).map(String::as_str).unwrap_or("");
    match words.first().map(|w| crate::shell::base_name(w)) {
        Some("make") => {
            let targets: Vec<&String> = words[1..].iter().filter(|w| !w.starts_with('-')).collect();
            !targets.is_empty() && targets.iter().all(|t| DOC_TARGETS.contains(&t.as_str()))
        }
        Some("coverage") => matches!(
            sub,
            "combine" | "xml" | "html" | "report" | "json" | "lcov" | "erase" | "debug"
        ),
        // Fetching data and reproducing a pipeline; `dvc push` uploads, and is left out.
        Some("dvc") => matches!(
            sub,
            "pull"
                | "fetch"
                | "checkout"
                | "repro"
                | "status"
                | "metrics"
                | "plots"
                | "params"
                | "diff"
                | "dag"
                | "doctor"
                | "version"
        ),
        Some("cml") => matches!(
            sub,
            "comment" | "publish" | "asset" | "check" | "tensorboard" | "send-comment"
        ),
        Some("cml-publish" | "cml-send-comment" | "cml-send-github-check" | "cut") => true,
        Some("python" | "python3" | "uv" | "poetry" | "pdm" | "hatch" | "pipx")
            if matches!(sub, "-m" | "run") =>
        {
            reports(&words[2..])
        }
        Some(p) => crate::shell::programs::TEST_RUNNERS.contains(&p),
        None => false,
    }
}

/// Commands that read files for a build but may ship from a deploy job: a `git push` (to
/// Heroku, Dokku or a hosting remote), and a request (`curl`, `wget`, HTTPie: a deploy
/// hook, an API that releases).
fn may_ship(words: &[String]) -> bool {
    match words.first().map(|w| crate::shell::base_name(w)) {
        Some("git") => words.iter().any(|w| w == "push"),
        Some("curl" | "wget" | "http" | "https") => true,
        _ => false,
    }
}

/// Whether every simple command of these lines ships nothing: it sets up, reads, builds
/// documentation, reports or tests ([`only_setup_or_reading`], coverage reports, CML
/// comments, `dvc pull`/`repro`, `make html`), and so do the commands it substitutes
/// (`L="$(cml-publish plot.png)"`). At least one command must be there.
pub(crate) fn ships_nothing(text: &str) -> bool {
    let mut any = false;
    let all = crate::shell::logical_lines(text).iter().all(|(_, line)| {
        if crate::read::printed_message(line.trim()) {
            return true;
        }
        crate::shell::lex::split(line).iter().all(|part| {
            // Past assignments and the wrappers that run the rest as it is (`sudo
            // systemctl restart app` restarts a service).
            let words: Vec<String> = part
                .words
                .iter()
                .skip_while(|w| {
                    (w.contains('=') && !w.starts_with(['=', '-']))
                        || matches!(w.as_str(), "sudo" | "env" | "time" | "nohup" | "exec")
                })
                .cloned()
                .collect();
            any |= !words.is_empty() || !part.substitutions.is_empty();
            part.substitutions
                .iter()
                .all(|s| ships_nothing(s) || s.trim().is_empty())
                && (words.is_empty()
                    || (!may_ship(&words)
                        && (only_setup_or_reading(&words.join(" ")) || reports(&words))))
        })
    });
    all && any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_and_docs_jobs_set_up_but_do_not_build() {
        for l in [
            "uv sync",
            "uv run ruff check .",
            "uv run mkdocs gh-deploy --force",
            "pip install -e .[dev] && pre-commit run --all-files",
            "python -m mkdocs build --strict",
            "poetry run python ./doc_creator.py --max-depth 2 -d anomalearn",
            "python scripts/build-docs.py",
            "yarn install --frozen-lockfile",
            "yarn --frozen-lockfile",
            "npm ci",
            "zensical build --clean",
            "mdwrap --check docs presentation",
            "uv venv .venv",
            "if [ ! -f pyproject.toml ]; then\n  echo \"No pyproject.toml; skipping checks.\"\n  exit 0\nfi",
            "cookiecutter --replay-file cookiecutter-ghpages.json -o temp_output .",
            "uv run pdoc -d google mdclass mdclass.data -o docs/",
            "python -m venv .venv",
            ". .venv/bin/activate",
        ] {
            assert!(only_setup_or_reading(l), "{l}");
        }
        for l in [
            "uv run pytest tests",
            "python train.py",
            "python docker_build.py",
            "python tests/test_docs.py",
            "zip -r release.zip .",
            "zip release.zip ./* -r",
            "tar -czf app.tgz src",
            "docker build -t x .",
            "make test",
            "yarn build",
            "npm run build",
            "pnpm test",
        ] {
            assert!(!only_setup_or_reading(l), "{l}");
        }
    }

    /// Documentation builds, coverage reports, CML comments and data pulls ship nothing; an
    /// upload, a push or an unknown script may.
    #[test]
    fn reports_and_documentation_ship_nothing() {
        for l in [
            "dvc pull -R docs\ncd docs\nmake html",
            "pip install coverage\ncoverage combine .coverage_py .coverage_ml\ncoverage xml\ncoverage html",
            "dvc repro test_dr_drift -s\necho \"# Dr Drift\" >> report.md\nL=\"$(cml-publish out/stacked.mp4 --gitlab-uploads)\"\necho \"![]($L)\" >> report.md\ncml-send-comment report.md",
            "A=\"$(cut -d',' -f1 <<<\"$losses\")\"",
            "python -m pytest tests",
        ] {
            assert!(ships_nothing(l), "{l}");
        }
        for l in [
            "",
            "dvc push",
            "./ci/ship.sh",
            "make deploy",
            "make",
            "L=\"$(./upload.sh)\"",
            "docker push registry/app:latest",
            "kubectl apply -f k8s/",
            "git push heroku HEAD:main",
            "pip install -r requirements.txt\ncurl -fsS -X POST \"$RENDER_DEPLOY_HOOK\"",
            "sudo systemctl restart model-api",
        ] {
            assert!(!ships_nothing(l), "{l}");
        }
    }
}
