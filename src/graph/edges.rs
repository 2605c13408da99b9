//! The edges out of a node: what its commands run (through the shell reader), what its
//! imports and references name, memoised per node.

use crate::facts::dockerfile;
use crate::graph::memo::{Edge, EdgeEntry, Probes};
use crate::graph::{Graph, NodeId};
use crate::model::{Command, FileFacts, TargetKind, Unresolved};
use crate::paths::{join, parent};
use crate::shell::{self, Action, ShellState, Simple};
use std::rc::Rc;

/// The target of a Python script's node run as one of its stages (`@stage:drift`): what a
/// word of its command line selects ([`crate::facts::py_dispatch`]).
pub(crate) const STAGE: &str = "@stage:";

/// Programs whose directory arguments are trees they apply or run.
pub(crate) const DIRECTORY_RUNNERS: &[&str] = &[
    "terraform",
    "tofu",
    "terragrunt",
    "pulumi",
    "kustomize",
    "skaffold",
    "kubectl",
    "oc",
    "helm",
    "ansible-playbook",
];

pub(crate) fn is_test_file(rel: &str) -> bool {
    let name = crate::paths::file_name(rel);
    rel.ends_with(".py")
        && (rel.starts_with("tests/")
            || rel.starts_with("test/")
            || rel.contains("/tests/")
            || rel.contains("/test/")
            || name.starts_with("test_")
            || name.ends_with("_test.py")
            || name == "conftest.py")
}

/// What a test runner collects from a directory it is given: `test*.py`, `*_test.py`,
/// `conftest.py` (pytest's and unittest's default patterns), and non-Python test files
/// (`*.feature` for behave) under a `tests/` folder.
pub(crate) fn collected_test(rel: &str) -> bool {
    let name = crate::paths::file_name(rel);
    if rel.ends_with(".py") {
        return name.starts_with("test") || name.ends_with("_test.py") || name == "conftest.py";
    }
    name.ends_with(".feature")
}

/// How a command fails the job it runs in, as [`Graph::command_edges`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The command ran a script, or uploaded a file, the repository does not hold: the job
    /// stops there, and the lines after it never run.
    After(String),
    /// The command fails before doing anything (a project tool with no project file for
    /// it): its own line does nothing either, not only the lines after it.
    Itself(String),
}

impl<'a> Graph<'a> {
    /// The edges of one command of `from`: what it runs or references. Returns how the
    /// command fails the job when it runs a script the repository does not hold (and no
    /// earlier command of the job could have brought it, and its failure is not ignored).
    pub(crate) fn command_edges(
        &self,
        from: &str,
        cmd: &Command,
        extra_bases: &[String],
        out: &mut Vec<Edge>,
        unresolved: &mut Vec<Unresolved>,
        state: &mut ShellState,
    ) -> Option<Failure> {
        let (home, bases) = self.command_bases(from, cmd, extra_bases);
        // The command's own file is no edge of its own (its jobs and targets are).
        let push = |out: &mut Vec<Edge>, to: NodeId, via: String, modes: (bool, bool, bool)| {
            if to.0 != from || to.1.is_some() {
                // A task named as a test (`make test_examples`, `just tests`) tests what it runs.
                let tests = modes.0
                    || (matches!(self.facts.get(&to.0), Some(FileFacts::Targets { .. }))
                        && to.1.as_deref().is_some_and(crate::ci::trial::names_a_test));
                out.push(Edge {
                    to,
                    via,
                    line: cmd.line,
                    tests,
                    tracking_off: modes.1,
                    masked: modes.2,
                });
            }
        };
        if !cmd.shell {
            // A file run in a mode that cannot fail: reached, its checks gate nothing.
            let (text, masked) = match cmd.text.strip_prefix(crate::ci::CANNOT_FAIL) {
                Some(t) => (t, true),
                None => (cmd.text.as_str(), false),
            };
            for (to, via) in self.reference_nodes(text, &bases) {
                push(out, to, via, (false, false, masked));
            }
            return None;
        }
        let mut cwd = cmd.cwd.clone();
        let fetched_before = state.fetched;
        let mut fails = self.requirements_failure(cmd, &bases, fetched_before, state);
        for simple in shell::parse_line_with(&cmd.text, &mut cwd, state) {
            let b = simple_bases(&simple, cmd, &home, &bases);
            let (nodes, looks_resolvable) = self.simple_nodes(&simple, from, &b);
            let before = out.len();
            for (to, tests) in nodes {
                let modes = (tests || simple.smoke, simple.tracking_off, simple.masked);
                push(out, to, simple.text.clone(), modes);
            }
            // A container's command runs in its image, whose folders the tree's need not match:
            // a script it names that resolves nowhere is the one file of the tree of that name.
            if out.len() == before
                && looks_resolvable
                && let Some(found) = self.container_script(from, &simple)
            {
                push(
                    out,
                    (found, None),
                    simple.text.clone(),
                    (false, false, simple.masked),
                );
            }
            // A script named from a folder the job moved into by a variable (`cd $PYTHONPATH;
            // python3 models/model_pipeline.py`) is the one file of the tree whose path ends
            // with the path it is named by.
            let unknown_dir = cwd.as_deref().is_some_and(|d| d.contains(['$', '*', '{']));
            if out.len() == before
                && looks_resolvable
                && unknown_dir
                && let Some(found) =
                    shell::handover::script_run(&simple).and_then(|s| self.one_file_ending(s))
            {
                push(
                    out,
                    (found, None),
                    simple.text.clone(),
                    (false, false, simple.masked),
                );
            }
            if fails.is_none() {
                fails = self.step_failure(&simple, cmd, from, &b, fetched_before, state.fetched);
            }
            if out.len() == before && looks_resolvable {
                unresolved.push(Unresolved {
                    path: from.to_string(),
                    line: cmd.line,
                    command: simple.text.clone(),
                    chain: Vec::new(),
                });
                // A line with a `||` handles the failure itself (`./x.sh || { ...; exit 0; }`).
                // A folder the job moved into by a variable or a glob (`for d in */; do cd
                // $d`) is unknown: what the script is named from there cannot be looked up.
                if fails.is_none()
                    && !unknown_dir
                    && !simple.masked
                    && !state.fetched
                    && !cmd.text.contains("||")
                {
                    fails =
                        shell::handover::script_run(&simple).map(|s| Failure::After(s.to_string()));
                }
            }
        }
        fails
    }

    /// The nodes that run the image named `name`: the Dockerfiles the repository builds it with,
    /// from the repository's root as context where the build says so (the node's target, read
    /// by `compute_edges`).
    pub(crate) fn image_nodes(&self, name: &str) -> Vec<NodeId> {
        self.image_dockerfiles(name)
            .into_iter()
            .map(|(d, root)| (d, root.then(|| dockerfile::ROOT_CONTEXT.to_string())))
            .collect()
    }

    /// Where a command of `from` runs (its home) and where its relative paths are looked up, in
    /// order: its own `cd`/working-directory, else make and dvc run in their file's directory
    /// and everything else (CI, scripts) at the root; then the file's directory (not for CI
    /// files their service runs at the checkout's root) and the root.
    fn command_bases(
        &self,
        from: &str,
        cmd: &Command,
        extra_bases: &[String],
    ) -> (String, Vec<String>) {
        let here = parent(from).to_string();
        let home = match self.facts.get(from) {
            Some(FileFacts::Targets { .. }) => here.clone(),
            _ => String::new(),
        };
        let mut bases: Vec<String> = Vec::new();
        // A directory still holding an unresolved `${{ ... }}` is known only up to it.
        if let Some(c) = cmd.cwd.as_deref().and_then(crate::shell::cd::known) {
            // `/x`: relative to the root (set by the extractor); else to the file's home.
            if let Some(abs) = c.strip_prefix('/') {
                bases.push(abs.trim_end_matches('/').to_string());
            } else {
                let c = c.trim_start_matches("./").trim_end_matches('/');
                bases.push(join(&home, c).unwrap_or_else(|| c.to_string()));
            }
        }
        bases.push(home.clone());
        // A file its CI service is pointed at runs at the checkout's root (`CiSystem::runs_at_checkout_root`).
        let at_root = matches!(self.facts.get(from),
            Some(FileFacts::Entry { system, .. }) if crate::ci::runs_at_checkout_root(system));
        if !at_root {
            // A script run from a folder above its own (`cd ml && ./scripts/train.sh`) runs its
            // commands there: its paths may be from any folder between its own and the root.
            let script = matches!(self.facts.get(from), Some(FileFacts::Commands(_)))
                && !crate::facts::dockerfile::is_dockerfile(crate::paths::file_name(from));
            let mut up = parent(&here).to_string();
            bases.push(here);
            while script && !up.is_empty() {
                let next = parent(&up).to_string();
                bases.push(std::mem::replace(&mut up, next));
            }
        }
        bases.push(String::new());
        bases.extend(extra_bases.iter().cloned());
        (home, bases)
    }

    /// The nodes one simple command runs (each with whether it is run as a test), and whether
    /// the command looks like it names something of the repository when nothing is found.
    fn simple_nodes(
        &self,
        simple: &Simple,
        from: &str,
        b: &[String],
    ) -> (Vec<(NodeId, bool)>, bool) {
        self.action_nodes(&simple.action, simple, from, b)
    }

    fn action_nodes(
        &self,
        action: &Action,
        simple: &Simple,
        from: &str,
        b: &[String],
    ) -> (Vec<(NodeId, bool)>, bool) {
        let dir0 = &b[0];
        let run = |nodes: Vec<NodeId>| nodes.into_iter().map(|n| (n, false)).collect();
        let files = |paths: Vec<String>| paths.into_iter().map(|p| ((p, None), false)).collect();
        match action {
            Action::Either(first, otherwise) => {
                let got = self.action_nodes(first, simple, from, b);
                if got.0.is_empty() {
                    self.action_nodes(otherwise, simple, from, b)
                } else {
                    got
                }
            }
            Action::Make { dir, file, targets } => (
                run(self.make_nodes(b, dir.as_deref(), file.as_deref(), targets)),
                true,
            ),
            Action::DvcRepro { stages } => (run(self.dvc_nodes(b, stages)), true),
            Action::Kedro => {
                self.note_under("", true);
                let pipelines = self.files.iter().filter(|f| {
                    f.ends_with(".py")
                        && (f.contains("/pipelines/") || f.ends_with("pipeline_registry.py"))
                });
                (files(pipelines.cloned().collect()), false)
            }
            Action::PythonModule(m) => {
                let found = self.resolve_module(m, from, b);
                (
                    files(found.into_iter().collect()),
                    !m.contains('$') && m != "kedro",
                )
            }
            // Inline code: what resolves is run; the rest is the standard library or packages.
            Action::PythonImports(ms) => {
                let found: Vec<String> = ms
                    .iter()
                    .filter_map(|m| self.resolve_module(m, from, b))
                    .collect();
                (files(found), false)
            }
            Action::Tests { paths } => (self.test_nodes(dir0, paths, b), false),
            Action::GhWorkflow(w) => (files(self.dispatched_workflows(w)), true),
            // The command the image starts, from the Dockerfile that builds it.
            Action::Image(image) => (
                dockerfile::image_key(image)
                    .map(|name| self.image_nodes(&name))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|n| (n, false))
                    .collect(),
                false,
            ),
            // A build runs the Dockerfile's `RUN` lines, not the command its image starts.
            Action::Docker { file, context } => (
                self.dockerfile(file.as_deref(), context.as_deref(), b)
                    .into_iter()
                    .map(|p| ((p, Some(dockerfile::BUILD_ONLY.to_string())), false))
                    .collect(),
                file.is_some(),
            ),
            Action::Files {
                paths,
                alternatives,
            } => (files(self.file_args(paths, *alternatives, b)), true),
            // The project's build: `setup.py` runs, a `pyproject.toml`'s scripts do not.
            Action::PackageBuild => {
                let project = ["pyproject.toml".to_string(), "setup.py".to_string()];
                let nodes = self
                    .file_args(&project, true, b)
                    .into_iter()
                    .map(|p| {
                        let sub = (crate::paths::file_name(&p) == "pyproject.toml")
                            .then(|| dockerfile::BUILD_ONLY.to_string());
                        ((p, sub), false)
                    })
                    .collect();
                (nodes, true)
            }
            Action::Bundle { job } => (run(self.bundle_nodes(b, job.as_deref())), true),
            Action::Terraform { dir } => (files(self.terraform_files(dir0, dir.as_deref())), false),
            Action::Job { system, job } => (run(self.named_jobs(system, job)), true),
            Action::Upload { .. } => (Vec::new(), false),
            Action::Paths(paths) => {
                let (found, looks) = self.path_args(&simple.program, paths, b);
                // A script that dispatches on a word of its command line runs the stage the
                // arguments name (`python run.py --stage drift`).
                let stage = |p: &str| match self.facts.get(p) {
                    Some(FileFacts::Python { selectors, .. }) if paths.len() > 1 => {
                        crate::facts::py_dispatch::selected(selectors, &paths[1..])
                            .map(|k| format!("{STAGE}{k}"))
                    }
                    _ => None,
                };
                let mut nodes: Vec<(NodeId, bool)> = found
                    .into_iter()
                    .map(|p| {
                        let sub = stage(&p);
                        ((p, sub), false)
                    })
                    .collect();
                nodes.extend(self.console_script(&simple.runs, b).map(|n| (n, false)));
                (nodes, looks)
            }
        }
    }

    /// A program named as a console script of a `pyproject.toml`, `setup.py` or `setup.cfg`
    /// where the command runs (or at the root): that script's target, which runs its module.
    fn console_script(&self, program: &str, b: &[String]) -> Option<NodeId> {
        if program.contains(['/', '.', '$']) {
            return None;
        }
        b.iter()
            .map(String::as_str)
            .chain([""])
            .flat_map(|base| {
                crate::facts::pyproject::PYTHON_PROJECT_FILES
                    .into_iter()
                    .filter_map(move |f| join(base, f))
            })
            .filter(|p| self.is_file(p))
            .find_map(|p| self.target_node(&p, Some(program)))
    }

    /// The `.tf` files a `terraform apply` in `dir0` (or `-chdir=dir` from it) applies: those of
    /// the directory and of the folders below it (local modules), at most 200.
    fn terraform_files(&self, dir0: &str, dir: Option<&str>) -> Vec<String> {
        let d = match dir {
            Some(d) => join(dir0, d).unwrap_or_default(),
            None => dir0.to_string(),
        };
        self.note_under(&d, false);
        let tf = |f: &&String| f.ends_with(".tf");
        if d.is_empty() {
            // At the root: its own files and its `modules/`, not every stack of the tree.
            return self
                .files
                .iter()
                .filter(|f| !f.contains('/') || f.starts_with("modules/"))
                .filter(tf)
                .take(200)
                .cloned()
                .collect();
        }
        self.files_under(&d)
            .iter()
            .filter(tf)
            .take(200)
            .cloned()
            .collect()
    }

    /// `make [-C dir] [-f file] [targets]`: the targets (none: the first) of the Makefile.
    fn make_nodes(
        &self,
        bases: &[String],
        dir: Option<&str>,
        file: Option<&str>,
        targets: &[String],
    ) -> Vec<NodeId> {
        let dir0 = bases.first().map_or("", String::as_str);
        let d = match dir {
            Some(d) => join(dir0, d).unwrap_or_default(),
            None => dir0.to_string(),
        };
        let mf = file.unwrap_or("Makefile");
        // The other names the runner reads when its default file is absent.
        let others = crate::facts::tasks::other_files(mf);
        // Where the command runs, then (a script run from a folder above its own, a file of a
        // project's own folder) the other folders its paths are looked up in.
        // A folder named is where the file is: not the root's (`mlflow run src/train`).
        let root = dir.is_none().then(|| join("", mf)).flatten();
        let mut candidates: Vec<String> = [join(&d, mf), root]
            .into_iter()
            .chain(others.iter().map(|o| join(&d, o)))
            .flatten()
            .filter(|p| self.is_file(p))
            .collect();
        let has_target = |p: &String| {
            targets
                .iter()
                .any(|t| self.target_node(p, Some(t)).is_some())
        };
        // A runner pointed at a folder (`mlflow run src/train` in a driver script) finds it
        // from the other folders too, as a runner given no folder or file finds its file.
        if (dir.is_some() || file.is_none()) && !candidates.iter().any(has_target) {
            let further: Vec<String> = bases[1.min(bases.len())..]
                .iter()
                .filter_map(|b| match dir {
                    Some(d) => join(b, d).and_then(|bd| join(&bd, mf)),
                    None => join(b, mf),
                })
                .filter(|p| self.is_file(p))
                .collect();
            if let Some(p) = further.iter().find(|p| has_target(p)).or(further.first())
                && (candidates.is_empty() || has_target(p))
            {
                candidates = vec![p.clone()];
            }
        }
        // The first that has a target named (`tox -e x`: `tox.ini`, else `setup.cfg`...).
        let path = candidates
            .iter()
            .find(|p| has_target(p))
            .or(candidates.first());
        let mut out = Vec::new();
        if let Some(path) = path {
            if targets.is_empty()
                && let Some(n) = self.target_node(path, None)
            {
                out.push(n);
            }
            for t in targets {
                out.extend(self.target_node(path, Some(t)));
            }
        }
        out
    }

    /// `dvc repro [stages]`: the stages (none: the whole file) of the first `dvc.yaml` found,
    /// else of a DVC 0.x `Dvcfile`; a stage file named (`dvc repro train.dvc`) is that stage.
    fn dvc_nodes(&self, b: &[String], stages: &[String]) -> Vec<NodeId> {
        let mut out = Vec::new();
        let (files, names): (Vec<&String>, Vec<&String>) = stages
            .iter()
            .partition(|s| s.ends_with(".dvc") || crate::paths::file_name(s) == "Dvcfile");
        for f in files {
            let found = b
                .iter()
                .filter_map(|base| join(base, f.trim_start_matches("./")))
                .find(|p| self.is_file(p));
            out.extend(found.and_then(|p| self.target_node(&p, None)));
        }
        if !stages.is_empty() && names.is_empty() {
            return out;
        }
        for base in b {
            let p = join(base, "dvc.yaml").unwrap_or_default();
            if self.is_file(&p) {
                if names.is_empty() {
                    out.push((p.clone(), None));
                }
                for s in &names {
                    let name = s.rsplit(':').next().unwrap_or(s);
                    out.extend(self.target_node(&p, Some(name)));
                }
                return out;
            }
        }
        if names.is_empty() {
            let dvcfile = b
                .iter()
                .filter_map(|base| join(base, "Dvcfile"))
                .find(|p| self.is_file(p));
            out.extend(dvcfile.and_then(|p| self.target_node(&p, None)));
        }
        out
    }

    /// A test runner: its path arguments, or every test file under where it runs.
    fn test_nodes(&self, dir0: &str, paths: &[String], b: &[String]) -> Vec<(NodeId, bool)> {
        let mut out = Vec::new();
        if paths.is_empty() {
            let base = (!dir0.is_empty()).then(|| format!("{dir0}/"));
            self.note_under(dir0, true);
            for f in self
                .files
                .iter()
                .filter(|f| is_test_file(f) && base.as_ref().is_none_or(|b| f.starts_with(b)))
            {
                out.push(((f.clone(), None), true));
            }
        }
        for p in paths {
            let p = p.split("::").next().unwrap_or(p);
            let found = self.resolve_path(p, b, true);
            // A file named is run; a directory runs the tests the runner collects in it, not
            // every module under it (`pytest src` where tests sit beside the code).
            let named = p.trim_start_matches("./").trim_end_matches('/');
            let single = found.len() == 1 && found[0].ends_with(named);
            for f in found {
                if single || collected_test(&f) {
                    out.push(((f, None), true));
                }
            }
        }
        out
    }

    /// `docker build [-f file] [context]`: the Dockerfile.
    fn dockerfile(&self, file: Option<&str>, context: Option<&str>, b: &[String]) -> Vec<String> {
        let ctx = context
            .filter(|c| !c.contains("://") && !c.contains('$'))
            .map(|c| c.trim_start_matches("./").trim_end_matches('/'))
            .unwrap_or("");
        let f = match file {
            Some(f) => f.to_string(),
            None if ctx.is_empty() || ctx == "." => "Dockerfile".into(),
            None => format!("{ctx}/Dockerfile"),
        };
        self.resolve_path(&f, b, false)
            .into_iter()
            .take(1)
            .collect()
    }

    /// The workflow files `gh workflow run W` (or a dispatch through the REST API) starts: the
    /// file of that name, or with a placeholder (`deploy-model-{env}.yml`,
    /// `deploy-${ENV}.yml`) every file its fixed parts fit.
    fn dispatched_workflows(&self, w: &str) -> Vec<String> {
        let Some(at) = w.find(['{', '$']) else {
            let p = format!(".github/workflows/{w}");
            return self.is_file(&p).then_some(p).into_iter().collect();
        };
        let prefix = &w[..at];
        let suffix = &w[w.rfind('}').map_or(w.len(), |i| i + 1)..];
        if suffix.contains(['{', '$', '/']) || prefix.contains('/') {
            return Vec::new();
        }
        self.note_under(".github/workflows", false);
        self.files_under(".github/workflows")
            .iter()
            .filter(|f| {
                let name = &f[".github/workflows/".len()..];
                !name.contains('/')
                    && name.len() > prefix.len() + suffix.len()
                    && name.starts_with(prefix)
                    && name.ends_with(suffix)
            })
            .cloned()
            .collect()
    }

    /// Files a command runs or applies (directories stand for their files); with
    /// `alternatives`, the first found is enough.
    fn file_args(&self, paths: &[String], alternatives: bool, b: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for p in paths {
            let mut found = self.resolve_path(p, b, true);
            if found.is_empty() {
                found = self.resolve_ref(p, b);
            }
            let hit = !found.is_empty();
            out.extend(found);
            if hit && alternatives {
                break;
            }
        }
        out
    }

    /// Any other command's arguments that name repository paths. A directory argument runs
    /// what is in it only for tools that apply a whole tree; for anything else (`cargo run --
    /// rules test`) it is data. Unresolved when the first names a script that is not there.
    fn path_args(&self, program: &str, paths: &[String], b: &[String]) -> (Vec<String>, bool) {
        let dirs = DIRECTORY_RUNNERS.contains(&program);
        let mut looks_resolvable = false;
        let mut out = Vec::new();
        for (i, p) in paths.iter().enumerate() {
            let mut found = self.resolve_path(p, b, dirs);
            // The script, named by its path in a container or on a server (`python
            // /opt/airflow/dags/train.py` in a BashOperator, `/app/train.py` in an image). A
            // path under a folder of the repository (`/dockerfiles/src/x.py`, as a Dockerfile's
            // CMD maps back) is a path of the repository that is not there.
            let container = |p: &str| {
                let top = p.trim_start_matches('/').split('/').next().unwrap_or("");
                self.note_under(top, false);
                p.starts_with('/') && !p.contains('$') && !self.is_dir(top)
            };
            if i == 0 && found.is_empty() && container(p) {
                found = self.image_script(p.trim_start_matches('/'));
            }
            if i == 0
                && found.is_empty()
                && (p.ends_with(".py") || p.ends_with(".sh"))
                && !p.contains('$')
            {
                looks_resolvable = true;
            }
            out.extend(found);
        }
        (out, looks_resolvable)
    }

    /// The edges out of a node and the commands it could not resolve, memoised and shared.
    /// Python imports are not followed out of test files: a test importing the training module
    /// exercises it, it does not run training.
    pub(crate) fn edges_entry(&self, node: &NodeId, via_tests: bool) -> EdgeEntry {
        let key = (node.clone(), via_tests);
        let memo = self.edge_cache;
        let hit = memo.edges.borrow().get(&key).cloned();
        let e = match hit {
            Some(e) => e,
            None => {
                if memo.track {
                    *self.recording.borrow_mut() = Some(Probes::default());
                }
                let mut un = Vec::new();
                let edges = self.compute_edges(node, via_tests, &mut un);
                let probes = self.recording.borrow_mut().take().map(Box::new);
                let e = Rc::new((edges, un, probes));
                memo.edges.borrow_mut().insert(key.clone(), Rc::clone(&e));
                e
            }
        };
        if memo.track {
            let mut used = memo.used.borrow_mut();
            if used.keys.insert(key) {
                used.entries.push(Rc::clone(&e));
            }
        }
        e
    }

    /// The edges of a Dockerfile's commands with the repository's root as build context
    /// ([`dockerfile::at_root_context`]): an image run by name that CI builds from the root.
    fn root_context_edges(
        &self,
        path: &str,
        cmds: &[Command],
        out: &mut Vec<Edge>,
        unresolved: &mut Vec<Unresolved>,
    ) {
        let mut state = ShellState::default();
        for c in cmds {
            let c = Command {
                text: dockerfile::at_root_context(path, &c.text),
                ..c.clone()
            };
            self.command_edges(path, &c, &[], out, unresolved, &mut state);
        }
    }

    /// The edges of one CI job's commands, in order: the job stops at a step that runs a
    /// script the repository lacks. A trial run (pull requests only, keeps nothing) exercises
    /// what it reaches, as a test does.
    fn job_edges(
        &self,
        path: &str,
        j: &crate::model::Job,
        out: &mut Vec<Edge>,
        unresolved: &mut Vec<Unresolved>,
    ) {
        let mut state = ShellState::default();
        let before = out.len();
        for c in &j.commands {
            let at = out.len();
            let fails = self.command_edges(path, c, &[], out, unresolved, &mut state);
            if let Some(f) = fails
                && !j.may_fail_at(c.line)
            {
                // A command that fails before doing anything reaches nothing itself.
                if matches!(f, Failure::Itself(_)) {
                    out.truncate(at);
                }
                break;
            }
        }
        for e in &mut out[before..] {
            if j.trial_at(e.line) {
                e.tests = true;
            }
        }
    }

    pub(crate) fn compute_edges(
        &self,
        node: &NodeId,
        via_tests: bool,
        unresolved: &mut Vec<Unresolved>,
    ) -> Vec<Edge> {
        let (path, sub) = node;
        let mut out = Vec::new();
        let Some(facts) = self.facts.get(path) else {
            return out;
        };
        match facts {
            FileFacts::Entry { jobs, .. } => {
                // Jobs that run only after one that always fails never start.
                let unstarted = match jobs.iter().any(|j| !j.after.is_empty()) {
                    true => self.unstarted_jobs(path),
                    false => Default::default(),
                };
                for j in jobs
                    .iter()
                    .filter(|j| sub.as_ref().is_none_or(|s| *s == j.name))
                    .filter(|j| !unstarted.contains(&j.name))
                {
                    self.job_edges(path, j, &mut out, unresolved);
                }
            }
            FileFacts::Targets { targets, kind } => {
                for t in targets
                    .iter()
                    .filter(|t| sub.as_ref().is_none_or(|s| *s == t.name))
                {
                    if matches!(kind, TargetKind::Make | TargetKind::Scripts) {
                        for d in &t.deps {
                            if let Some(n) = self.target_node(path, Some(d)) {
                                out.push(Edge {
                                    to: n,
                                    via: format!("make {d}"),
                                    line: t.line,
                                    tests: false,
                                    tracking_off: false,
                                    masked: false,
                                });
                            }
                        }
                    }
                    let mut state = ShellState::default();
                    for c in &t.commands {
                        self.command_edges(path, c, &[], &mut out, unresolved, &mut state);
                    }
                }
            }
            FileFacts::Commands(cmds) if sub.as_deref() == Some(dockerfile::BUILD_ONLY) => {
                let mut state = ShellState::default();
                for c in cmds
                    .iter()
                    .take_while(|c| c.shell || c.text != dockerfile::IMAGE_START)
                {
                    self.command_edges(path, c, &[], &mut out, unresolved, &mut state);
                }
            }
            FileFacts::Commands(cmds) if sub.as_deref() == Some(dockerfile::ROOT_CONTEXT) => {
                self.root_context_edges(path, cmds, &mut out, unresolved);
            }
            FileFacts::Commands(cmds) => {
                let code_dirs = yaml_code_dirs(path, cmds);
                let mut state = ShellState::default();
                for c in cmds {
                    self.command_edges(path, c, &code_dirs, &mut out, unresolved, &mut state);
                }
            }
            FileFacts::Python { .. } if via_tests => {}
            FileFacts::Python { .. } => self.python_edges(path, sub.as_deref(), facts, &mut out),
        }
        out
    }
}

/// `code:` directories of a YAML job spec, where its `command:` runs.
pub(crate) fn yaml_code_dirs(path: &str, cmds: &[Command]) -> Vec<String> {
    let here = parent(path);
    let mut out = Vec::new();
    for c in cmds {
        let t = c.text.trim();
        if !t.contains(' ')
            && (t.starts_with("./") || t.starts_with("../") || t.ends_with('/'))
            && let Some(p) = join(here, t.trim_end_matches('/'))
        {
            out.push(p);
        }
    }
    out
}

/// Where a simple command's relative paths are looked up: after a `cd`, that directory
/// (root-relative `/x`, or relative to where the command runs) first.
fn simple_bases(simple: &Simple, cmd: &Command, home: &str, bases: &[String]) -> Vec<String> {
    let mut b = bases.to_vec();
    if let Some(c) = &simple.cwd
        && simple.cwd != cmd.cwd
    {
        match c.strip_prefix('/') {
            Some(abs) => b.insert(0, abs.trim_end_matches('/').to_string()),
            None => {
                b.insert(0, c.clone());
                if let Some(j) = join(home, c)
                    && j != *c
                {
                    b.insert(0, j);
                }
            }
        }
    }
    b
}
