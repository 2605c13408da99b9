//! How one step fails its job before it runs anything of the repository: an upload of a file
//! the repository cannot hold, a project tool with no project file, a platform CLI given a
//! specification file the tree lacks, a script told to import a module the repository does
//! not hold, a pip install from a requirements file the tree lacks. A step whose failure is ignored (`|| ...`, masked) fails nothing.

use crate::graph::Graph;
use crate::graph::edges::Failure;
use crate::model::Command;
use crate::shell::{self, Action, ShellState, Simple};

impl Graph<'_> {
    /// The failure `simple` (a simple command of `cmd`, run from `from` with bases `b`) brings
    /// its job, if any. `fetched_before`: an earlier command may have brought files in;
    /// `fetched_now`: this line may have.
    pub(super) fn step_failure(
        &self,
        simple: &Simple,
        cmd: &Command,
        from: &str,
        b: &[String],
        fetched_before: bool,
        fetched_now: bool,
    ) -> Option<Failure> {
        if simple.masked || cmd.text.contains("||") {
            return None;
        }
        if !fetched_before {
            // An upload of a file the repository cannot hold fails the job.
            if let Action::Upload { source } = &simple.action
                && self.cannot_hold(source, b)
            {
                return Some(Failure::After(source.clone()));
            }
            // A project tool run in a repository with no project file for it (`poetry
            // install` with no pyproject.toml anywhere) fails the job.
            if let Some(file) = shell::handover::needs_project_file(simple)
                && !self.holds_a_file_named(file)
            {
                return Some(Failure::Itself(file.to_string()));
            }
            // A platform CLI given a specification file the repository does not hold (`az ml
            // job create --file aml/training/pipeline.yml`, written for another layout) fails
            // before submitting anything; not from a folder nothing resolves.
            if let Some(file) = shell::handover::spec_file(simple)
                && !fetched_now
                && !cmd.cwd.as_deref().is_some_and(|d| d.contains('$'))
                && self.resolve_path(file, b, false).is_empty()
            {
                return Some(Failure::Itself(file.to_string()));
            }
        }
        // pytest told to collect a path the repository does not hold (`pytest proto/tests`
        // where the tests are in `tests/`) stops: "file or directory not found".
        if !fetched_before
            && !fetched_now
            && !cmd.cwd.as_deref().is_some_and(|d| d.contains('$'))
            && let Some(p) = shell::handover::test_paths(simple)
                .into_iter()
                .find(|p| self.resolve_path(p, b, true).is_empty())
        {
            return Some(Failure::Itself(p.to_string()));
        }
        // A script told to import a module the repository does not hold (`run_pipeline.py
        // --module-name pipelines.x.pipeline`) fails at its start: the module is looked up as
        // an import of the command's own folders is. It is the project's own: a repository an
        // earlier step clones beside it does not hold it.
        let module = shell::handover::module_named(simple)?;
        self.resolve_module(module, from, b)
            .is_none()
            .then(|| Failure::Itself(format!("{}.py", module.replace('.', "/"))))
    }

    /// `pip install -r requirements.txt` where the repository holds no such file fails the
    /// job, unless an earlier command tested for the file (`if [ -f ... ]; then`, recorded in
    /// `state`) or may have brought it.
    pub(super) fn requirements_failure(
        &self,
        cmd: &Command,
        bases: &[String],
        fetched_before: bool,
        state: &mut ShellState,
    ) -> Option<Failure> {
        let tested = shell::handover::tested_files(&cmd.text);
        if state.tested.len() < 64 {
            state.tested.extend(tested);
        }
        if fetched_before || cmd.cwd.as_deref().is_some_and(|d| d.contains('$')) {
            return None;
        }
        shell::handover::requirements_files(&cmd.text)
            .into_iter()
            .find(|file| {
                !state.tested.iter().any(|t| t == file)
                    && self.resolve_path(file, bases, false).is_empty()
            })
            .map(|file| Failure::Itself(file.to_string()))
    }
}
