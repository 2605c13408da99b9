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
//! An install of the environment alone (`pip install -r requirements.txt`, `python -m venv`,
//! `pipenv install`, `conda env create`) builds for what then runs in it: in a job that fails
//! for good after it ([`crate::assess::failing`]: a `dvc repro` with no pipeline, a script
//! the tree lacks), nothing of it ever runs, and it builds nothing.
//!
//! An image build (`docker build`, Docker's build action, Kaniko) in a repository that has no
//! Dockerfile anywhere, when nothing in the job writes one, builds nothing: the build fails
//! (a skeleton whose buildspec was copied from elsewhere).
//!
//! And installing the project (`pip install .`) where there is no project (no `setup.py`,
//! `pyproject.toml` or `setup.cfg` in the directory it runs in) installs nothing of this
//! repository: seed code for another repository (a SageMaker project's `codecommit/` folder
//! whose buildspec runs at its own repository's root) builds nothing here.

use crate::assess::failing::Failing;
use crate::catalogue::builtin::{capability, facet};
use crate::model::{Evidence, Facts, FileFacts};
use regex::Regex;
use std::sync::LazyLock;

/// An install, not an artefact build.
static INSTALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:uv\s+sync|poetry\s+install|pdm\s+install|pip3?\s+install|(?:conda|mamba)\s+env\s+(?:create|update)|micromamba\s+(?:create|install)|npm\s+ci|(?:yarn|pnpm|bun)\s+install|pipenv\s+(?:install|sync)|python3?\s+-m\s+(?:venv|virtualenv)|virtualenv)\b|environment-file:")
        .expect("install")
});

/// An install of the environment alone, which builds only for what then runs in it: a
/// requirements file (`pip install -r requirements.txt`), a virtual environment, Pipenv's or
/// conda's environment.
static ENVIRONMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bpip3?\s+install\s+(?:[^\n|;&]*\s)?(?:-r|--requirement)[\s=]|\bpipenv\s+(?:install|sync)\b|\bpython3?\s+-m\s+(?:venv|virtualenv)\b|\bvirtualenv\b|\b(?:conda|mamba)\s+env\s+(?:create|update)\b|\bmicromamba\s+(?:create|install)\b|environment-file:")
        .expect("environment")
});

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

/// An image build from a Dockerfile.
static IMAGE_BUILD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:docker|podman|nerdctl)(?:\s+buildx)?(?:\s+image)?\s+build\b|docker/build-push-action|/kaniko/executor\b|gcr\.io/cloud-builders/docker")
        .expect("image build")
});

/// An image build a CI system's own step or plugin runs from the repository's Dockerfile
/// (Jenkins' `docker.build "name"`, Azure Pipelines' `Docker@2` task, CircleCI's orbs): where
/// it reads it is the plugin's to say, so only the repository-wide question is asked.
static NATIVE_IMAGE_BUILD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bdocker\.build(?:\s*\(|\s+[\w'"])|\btask:\s*['"]?Docker@\d|\b(?:aws-ecr|gcp-gcr)/build[-_](?:and[-_]push[-_])?image|\bazure-acr/build[-_]and[-_]push[-_]image|\bdocker/(?:publish|build)\b"#)
        .expect("native image build")
});

/// Whether the job builds an image where the repository has no Dockerfile and no command of
/// the job (other than the builds) names one, which it could write or fetch; a build reading
/// its Dockerfile from standard input (`docker build - <<EOF`) has one.
fn builds_without_a_dockerfile(job: &crate::model::Job, snippet: &str, files: &[String]) -> bool {
    let build = job
        .commands
        .iter()
        .find(|c| c.shell && IMAGE_BUILD.is_match(&c.text) && snippet.contains(c.text.trim()));
    // A job that changes directory (`cd docker-compose`, `cd ..`) builds from where the
    // shell is then: only the repository-wide question is asked.
    let moves = job.commands.iter().any(|c| {
        c.text
            .split(['&', ';', '|', '\n'])
            .any(|p| matches!(p.split_whitespace().next(), Some("cd" | "pushd" | "popd")))
    });
    let absent = match build.filter(|_| !moves).and_then(built_dockerfile) {
        // A plain build names its Dockerfile (its context's, or `-f`'s) from where it runs.
        Some(dockerfile) => files.binary_search(&dockerfile).is_err(),
        None => !files
            .iter()
            .any(|f| crate::facts::dockerfile::is_dockerfile(crate::paths::file_name(f))),
    };
    (IMAGE_BUILD.is_match(snippet) || NATIVE_IMAGE_BUILD.is_match(snippet))
        && !snippet.contains("<<")
        && absent
        && !job.commands.iter().any(|c| {
            let t = c.text.to_ascii_lowercase();
            (t.contains("dockerfile") || t.contains("containerfile") || t.contains("<<"))
                && !IMAGE_BUILD.is_match(&c.text)
        })
}

/// The Dockerfile a lone `docker build [options] CONTEXT` line reads, from the root: `-f`'s
/// file, else `CONTEXT/Dockerfile`, both from the command's working directory (the shell
/// reader's `Action::Docker`). None when the line does more than the build or names either
/// through a variable or a URL.
fn built_dockerfile(c: &crate::model::Command) -> Option<String> {
    let mut cwd = c.cwd.clone();
    let simples = crate::shell::parse_line(&c.text, &mut cwd);
    let [simple] = simples.as_slice() else {
        return None;
    };
    let crate::shell::Action::Docker {
        file,
        context: Some(context),
    } = &simple.action
    else {
        return None;
    };
    let dir = simple.cwd.as_deref().or(c.cwd.as_deref()).unwrap_or("");
    let dir = dir.trim_matches('/');
    let named = file
        .clone()
        .unwrap_or_else(|| format!("{}/Dockerfile", context.trim_end_matches('/')));
    if [named.as_str(), context.as_str(), dir]
        .iter()
        .any(|p| p.contains(['$', '{', ':']))
    {
        return None;
    }
    crate::paths::join(dir, &named)
}

/// Whether the repository holds a file pytest collects by default (`test_*.py`, `*_test.py`)
/// or a `conftest.py`: else a bare `pytest` collects nothing (a manual `test.py` is not
/// collected) and exits without testing.
fn pytest_collects(files: &[String]) -> bool {
    files.iter().any(|f| {
        let n = crate::paths::file_name(f);
        n == "conftest.py"
            || (n.ends_with(".py") && (n.starts_with("test_") || n.ends_with("_test.py")))
    })
}

/// Whether a line runs pytest with no path to collect from (`uv run pytest -q`, `python -m
/// pytest`), as the shell reader reads it (wrappers removed, test paths found): it collects
/// what the repository's test files hold. Doctests (`--doctest-modules`) and `--pyargs`
/// collect from elsewhere.
fn bare_pytest(line: &str) -> bool {
    let mut cwd = None;
    let simples = crate::shell::parse_line(line, &mut cwd);
    simples.first().is_some_and(|s| {
        (s.text.contains("pytest") || s.text.contains("py.test"))
            && matches!(&s.action, crate::shell::Action::Tests { paths } if paths.is_empty())
            && !s.text.contains("--doctest")
            && !s.text.contains("--pyargs")
    })
}

/// Why an environment install builds nothing.
const ENVIRONMENT_FOR_NOTHING: &str =
    "installs an environment for a job that fails after it: builds nothing that runs";

/// Why a CI test command tests nothing: pytest run with no path in a repository that holds
/// no file it collects.
const COLLECTS_NOTHING: &str =
    "pytest collects no test here (no test_*.py or *_test.py file): it runs nothing";

/// Drops the `builds` facet of `ci-build-step` installs in jobs that only lint, format or
/// build documentation, of project installs where there is no project, and of image builds
/// where there is no Dockerfile; a CI test command that collects no test runs none.
pub(crate) fn drop_setup_only_builds(
    facts: &Facts,
    files: &[String],
    failing: &Failing,
    evs: &mut [Evidence],
) {
    let collects = pytest_collects(files);
    if !collects {
        for e in evs.iter_mut().filter(|e| {
            e.rule == "test-command"
                && e.tier == crate::model::Tier::Automated
                && e.snippet.as_deref().is_some_and(|s| {
                    bare_pytest(
                        s.trim()
                            .trim_start_matches("run:")
                            .trim()
                            .trim_start_matches("- "),
                    )
                })
        }) {
            e.tier = crate::model::Tier::Implemented;
            e.note = Some(COLLECTS_NOTHING.into());
        }
    }
    for e in evs.iter_mut().filter(|e| {
        matches!(e.rule.as_str(), "ci-build-step" | "ci-native-image-build")
            && e.capability == capability::CI
            && e.facets.iter().any(|f| f == facet::BUILDS)
    }) {
        let (Some(line), Some(snippet)) = (e.line, e.snippet.as_deref()) else {
            continue;
        };
        let Some(FileFacts::Entry { jobs, .. }) = facts.get(&e.path) else {
            continue;
        };
        let idle_job = |job: &crate::model::Job| {
            let shell: Vec<&str> = job
                .commands
                .iter()
                .filter(|c| c.shell)
                .map(|c| c.text.as_str())
                .collect();
            !shell.is_empty()
                && shell.iter().all(|c| {
                    crate::shell::reading::only_setup_or_reading(c)
                        || (!collects && bare_pytest(c.trim()))
                })
        };
        let Some(job) = jobs.iter().find(|j| j.line <= line && line <= j.end) else {
            // A template's line (a GitLab job `extends:` a hidden one) runs in the jobs that take
            // it: the install builds only if one of them does more than set up and read.
            let mut users = jobs
                .iter()
                .filter(|j| j.commands.iter().any(|c| c.line == line))
                .peekable();
            if INSTALL.is_match(snippet) && users.peek().is_some() && users.all(idle_job) {
                e.facets.retain(|f| f != facet::BUILDS);
            }
            continue;
        };
        if builds_without_a_dockerfile(job, snippet, files) {
            e.facets.retain(|f| f != facet::BUILDS);
            e.note = Some(
                "builds an image, but the repository has no Dockerfile: the build fails".into(),
            );
            continue;
        }
        if !INSTALL.is_match(snippet) {
            continue;
        }
        if installs_absent_project(job, line, files) {
            e.facets.retain(|f| f != facet::BUILDS);
            e.note = Some("installs the project from a directory that has none: builds nothing of this repository".into());
            continue;
        }
        if idle_job(job) {
            e.facets.retain(|f| f != facet::BUILDS);
        } else if ENVIRONMENT.is_match(snippet)
            && !PROJECT_INSTALL.is_match(snippet)
            && failing.job_fails_from(&e.path, job, line)
        {
            // What would run in the environment never gets through: no build.
            e.facets.retain(|f| f != facet::BUILDS);
            e.note = Some(ENVIRONMENT_FOR_NOTHING.into());
        }
    }
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

    /// An image build fails where the Dockerfile it reads is not in the repository, unless the
    /// job writes or fetches one.
    #[test]
    fn image_builds_need_a_dockerfile() {
        let job = |lines: &[&str]| {
            Job::new(
                "b",
                (1, 9),
                Vec::new(),
                lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| Command::run(i as u32 + 2, *l))
                    .collect(),
            )
        };
        let build = "docker build -t $ECR_REPO_URI:$IMAGE_TAG .";
        let none = vec!["README.md".to_string(), "src/train.py".to_string()];
        // Jenkins' own image build reads the repository's Dockerfile too.
        let native = "image = docker.build \"'${DOCKER_IMG}':'${DOCKER_VER}'\"";
        assert!(builds_without_a_dockerfile(&job(&[native]), native, &none));
        assert!(!builds_without_a_dockerfile(
            &job(&[native]),
            native,
            &["docker/Dockerfile".to_string()]
        ));
        assert!(builds_without_a_dockerfile(&job(&[build]), build, &none));
        // The build reads its context's Dockerfile: one elsewhere is not it, unless `-f` names it.
        let elsewhere = vec!["docker/Dockerfile".to_string()];
        assert!(builds_without_a_dockerfile(
            &job(&[build]),
            build,
            &elsewhere
        ));
        let named = "docker build -f docker/Dockerfile -t churn .";
        assert!(!builds_without_a_dockerfile(
            &job(&[named]),
            named,
            &elsewhere
        ));
        let root = vec!["Dockerfile".to_string()];
        assert!(!builds_without_a_dockerfile(&job(&[build]), build, &root));
        let written = job(&[
            "mlflow models generate-dockerfile -m runs:/1/model -d .",
            build,
        ]);
        assert!(!builds_without_a_dockerfile(&written, build, &none));
        assert!(!builds_without_a_dockerfile(
            &job(&["pip install ."]),
            "pip install .",
            &none
        ));
    }

    /// A bare pytest collects `test_*.py`, `*_test.py` and `conftest.py` files; a manual
    /// `test.py` is none of them.
    #[test]
    fn bare_pytest_needs_files_it_collects() {
        assert!(bare_pytest(
            "uv run pytest -q || echo \"No tests configured yet\""
        ));
        assert!(bare_pytest("python -m pytest"));
        assert!(!bare_pytest("pytest tests/"));
        assert!(!bare_pytest("pytest --doctest-modules"));
        assert!(!bare_pytest("ruff check ."));
        let files = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert!(!pytest_collects(&files(&["deploy/test.py", "src/app.py"])));
        assert!(pytest_collects(&files(&["tests/test_app.py"])));
        assert!(pytest_collects(&files(&["src/app_test.py"])));
        assert!(pytest_collects(&files(&["conftest.py"])));
    }
}
