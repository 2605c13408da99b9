//! Resolving what commands and references name: paths (files, or directories standing for
//! their files), Python modules, Make/DVC targets and bundle jobs, recording what each
//! resolution read of the file list.

use crate::graph::memo::{EdgeMemo, Probes, path_key};
use crate::graph::{Graph, NodeId};
use crate::model::{Facts, FileFacts, TargetKind};
use crate::paths::{join, parent};
use std::cell::RefCell;
use std::rc::Rc;

impl<'a> Graph<'a> {
    pub fn new(files: &'a [String], facts: &'a Facts, memo: &'a EdgeMemo) -> Graph<'a> {
        Graph {
            files,
            file_set: files.iter().map(String::as_str).collect(),
            dir_set: files
                .iter()
                .flat_map(|f| f.match_indices('/').map(move |(i, _)| &f[..i]))
                .collect(),
            facts,
            edge_cache: memo,
            recording: RefCell::new(None),
            images: std::cell::OnceCell::new(),
            unstarted: RefCell::new(Default::default()),
            subprojects: std::cell::OnceCell::new(),
            this_repository: Vec::new(),
            unparsed: std::collections::HashSet::new(),
        }
    }

    pub(crate) fn is_file(&self, p: &str) -> bool {
        self.note_path(p);
        self.file_set.contains(p)
    }

    /// Records that the edge being computed asked whether `p` exists.
    pub(crate) fn note_path(&self, p: &str) {
        if let Some(r) = self.recording.borrow_mut().as_mut() {
            r.paths.push(path_key(p));
        }
    }

    /// Records that the edge being computed listed (or would have listed) the files under `d`.
    pub(crate) fn note_under(&self, d: &str, python_only: bool) {
        if let Some(r) = self.recording.borrow_mut().as_mut() {
            r.under.push((path_key(d), python_only));
        }
    }

    /// Records that the edge being computed listed the files with this name, wherever they lie.
    pub(crate) fn note_name(&self, name: &str) {
        if let Some(r) = self.recording.borrow_mut().as_mut() {
            r.names.push(path_key(name));
        }
    }

    /// Whether a relative path cannot be in the repository from any of `bases`: the folder
    /// its literal part names (before any variable) is absent everywhere (`./algorithms/${X}/
    /// src/job.py` where there is no `algorithms/`).
    pub(crate) fn cannot_hold(&self, path: &str, bases: &[String]) -> bool {
        if path.starts_with(['/', '~', '$']) || path.contains("://") {
            return false;
        }
        let literal = path.split(['$', '{', '*', '`']).next().unwrap_or("");
        let Some((dir, _)) = literal.trim_start_matches("./").rsplit_once('/') else {
            return false;
        };
        let dir = dir.trim_end_matches('/');
        !dir.is_empty()
            && !bases
                .iter()
                .filter_map(|b| join(b, dir))
                .any(|d| self.is_dir(&d))
    }

    /// Whether any file of the tree, in any folder, has this name.
    pub(crate) fn holds_a_file_named(&self, name: &str) -> bool {
        self.note_name(name);
        self.files
            .iter()
            .any(|f| crate::paths::file_name(f) == name)
    }

    /// Whether `d` is a directory of the tree ("" is the root).
    pub(crate) fn is_dir(&self, d: &str) -> bool {
        d.is_empty() || self.dir_set.contains(d)
    }

    /// Files under directory `d` (sorted input makes this a range scan).
    pub(crate) fn files_under(&self, d: &str) -> &'a [String] {
        let prefix = format!("{d}/");
        let start = self.files.partition_point(|f| f.as_str() < prefix.as_str());
        let end = start + self.files[start..].partition_point(|f| f.starts_with(&prefix));
        &self.files[start..end]
    }

    /// Resolves a path-like token against the candidate base directories.
    pub(crate) fn resolve_path(&self, token: &str, bases: &[String], dirs: bool) -> Vec<String> {
        let t = token
            .trim_start_matches("file:")
            .trim_matches(|c| c == '"' || c == '\'' || c == ',')
            .trim_start_matches("./");
        // A glob over a folder's files (`tests/*`, `tests/*.py`) names that folder's files.
        let t = ["/**/*.py", "/*.py", "/**", "/*"]
            .iter()
            .find_map(|g| t.strip_suffix(g))
            .filter(|d| dirs && !d.is_empty() && !d.contains('*'))
            .unwrap_or(t);
        if t.is_empty()
            || t.contains('$')
            || t.contains("{{")
            || t.contains('*')
            || t.contains("://")
            || t.starts_with('-')
            || t.len() > 300
        {
            return Vec::new();
        }
        let abs_like = t.starts_with('/');
        let t = t.trim_start_matches('/').trim_end_matches('/');
        if t.is_empty() || t == "." || t == ".." {
            return Vec::new();
        }
        let roots: Vec<&str> = if abs_like {
            vec![""]
        } else {
            bases.iter().map(String::as_str).collect()
        };
        for b in roots {
            let Some(p) = join(b, t) else { continue };
            // Recorded before the shortcut below: a file added at `p` would change the answer.
            self.note_path(&p);
            if dirs {
                self.note_under(&p, false);
            }
            if p.is_empty() || !self.is_dir(parent(&p)) {
                continue;
            }
            if self.is_file(&p) {
                return vec![p];
            }
            // A script missing from the tree beside its notebook is that notebook, exported
            // where it runs (`jupytext --to py`, `jupyter nbconvert --to script`).
            if let Some(stem) = p.strip_suffix(".py") {
                let nb = format!("{stem}.ipynb");
                self.note_path(&nb);
                if self.is_file(&nb) {
                    return vec![nb];
                }
            }
            if dirs && self.is_dir(&p) {
                let under = self.files_under(&p);
                if !under.is_empty() {
                    return under.iter().take(2000).cloned().collect();
                }
            }
        }
        Vec::new()
    }

    /// A script a reference names by its path in an image (`/opt/spark-jobs/train.py` in a
    /// Python string, where a Dockerfile
    /// `COPY spark-jobs/ /opt/spark-jobs/` put it) that is no path of the tree: the one file of
    /// the tree ending with its directory and name (`spark/spark-jobs/train.py`), else the
    /// file at the root after the image's prefix (`/app/train.py` → `train.py`, after
    /// `COPY . /app`), else the one file of the tree with its name, when the image put it in a
    /// folder of another name (`COPY automl.yml /app/configs/automl.yml`). Only scripts (what
    /// runs) and the YAML job specifications CLIs submit, only a single match.
    pub(crate) fn image_script(&self, t: &str) -> Vec<String> {
        const SCRIPTS: &[&str] = &[".py", ".sh", ".ipynb", ".R", ".jl", ".yml", ".yaml"];
        let parts: Vec<&str> = t.split('/').collect();
        if parts.len() < 2 || !SCRIPTS.iter().any(|e| t.ends_with(e)) {
            return Vec::new();
        }
        // What this reads depends on the whole file list.
        self.note_under("", false);
        let tail = parts[parts.len() - 2..].join("/");
        if let Some(one) = self.one_file_ending(&tail) {
            return vec![one];
        }
        let name = parts[parts.len() - 1];
        if parts.len() == 2 && self.is_file(name) {
            return vec![name.to_string()];
        }
        self.one_file_named(name).into_iter().collect()
    }

    /// The one file of the tree named like the script a container specification's command
    /// runs (`command: ["./train_in_k8s.sh"]` in a Kubernetes manifest, a Compose or job spec):
    /// only for YAML files that are no CI configuration, only a literal script path, only a
    /// single match.
    pub(crate) fn container_script(
        &self,
        from: &str,
        simple: &crate::shell::Simple,
    ) -> Option<String> {
        if !crate::paths::is_yaml(from)
            || !matches!(self.facts.get(from), Some(FileFacts::Commands(_)))
        {
            return None;
        }
        let script = crate::shell::handover::script_run(simple)?;
        self.one_file_named(crate::paths::file_name(script))
    }

    /// The tree's one file whose path is `path` or ends with `/path` (`models/train.py` →
    /// `code/models/train.py`); none when two or more do.
    pub(crate) fn one_file_ending(&self, path: &str) -> Option<String> {
        // What this reads depends on the whole file list.
        self.note_under("", false);
        let suffix = format!("/{path}");
        let mut hits = self
            .files
            .iter()
            .filter(|f| f.ends_with(&suffix) || **f == path);
        match (hits.next(), hits.next()) {
            (Some(one), None) => Some(one.clone()),
            _ => None,
        }
    }

    /// The tree's one file with this name, wherever it lies; none when two or more have it.
    pub(crate) fn one_file_named(&self, name: &str) -> Option<String> {
        // What this reads depends on the whole file list.
        self.note_under("", false);
        let mut named = self
            .files
            .iter()
            .filter(|f| crate::paths::file_name(f) == name);
        match (named.next(), named.next()) {
            (Some(one), None) => Some(one.clone()),
            _ => None,
        }
    }

    /// The one file a Databricks workspace path names by its trailing path (`proj/notebooks/train`
    /// → `notebooks/train.py`), a notebook stored with or without its extension: the longest
    /// tail with a match decides, and only a single match counts.
    pub(crate) fn workspace_file(&self, tail: &str) -> Vec<String> {
        const EXTS: &[&str] = &["", ".py", ".ipynb", ".sql", ".scala", ".r", ".R"];
        // What this reads depends on the whole file list.
        self.note_under("", false);
        let parts: Vec<&str> = tail.split('/').filter(|p| !p.is_empty()).take(16).collect();
        for k in (1..=parts.len()).rev() {
            let t = parts[parts.len() - k..].join("/");
            let mut hits = self.files.iter().filter(|f| {
                EXTS.iter().any(|e| {
                    f.strip_suffix(e)
                        .is_some_and(|b| b == t || b.ends_with(&format!("/{t}")))
                })
            });
            match (hits.next(), hits.next()) {
                (None, _) => continue,
                (Some(one), None) => return vec![one.clone()],
                _ => return Vec::new(),
            }
        }
        Vec::new()
    }

    /// Resolves a non-shell reference (`template:`, `code:`, `uses: ./.github/actions/x`,
    /// `entrypoint: flows/train.py:flow`, a notebook path without extension) to files only: a
    /// directory counts only through the file that defines it (`action.yml`,
    /// `kustomization.yaml`).
    pub(crate) fn resolve_ref(&self, token: &str, bases: &[String]) -> Vec<String> {
        let t = token.trim_matches(|c| c == '"' || c == '\'' || c == ',');
        let t = match t.split_once(".py:") {
            Some((a, _)) => format!("{a}.py"),
            None => t.to_string(),
        };
        let found = self.resolve_path(&t, bases, false);
        if !found.is_empty() {
            return found;
        }
        if t.starts_with('/') && !t.contains(['$', '{', '*']) && !t.contains("://") {
            let found = self.image_script(t.trim_start_matches('/'));
            if !found.is_empty() {
                return found;
            }
        }
        let clean = t.trim_start_matches("file:").trim_end_matches('/');
        if clean.is_empty() || clean.contains('$') || clean.contains("://") || clean.len() > 300 {
            return Vec::new();
        }
        let mut cands: Vec<String> = [
            "action.yml",
            "action.yaml",
            "kustomization.yaml",
            "kustomization.yml",
            "Kustomization",
        ]
        .iter()
        .map(|f| format!("{clean}/{f}"))
        .collect();
        if clean.contains('/') && !crate::paths::file_name(clean).contains('.') {
            cands.push(format!("{clean}.py"));
            cands.push(format!("{clean}.ipynb"));
        }
        for c in cands {
            let f = self.resolve_path(&c, bases, false);
            if !f.is_empty() {
                return f;
            }
        }
        Vec::new()
    }

    /// Databricks bundle files in `dir` (or anywhere, when none is there), or the one
    /// defining job `job`.
    pub(crate) fn bundle_nodes(&self, bases: &[String], job: Option<&str>) -> Vec<NodeId> {
        if let Some(j) = job {
            return self.named_jobs("databricks", j);
        }
        let mut files: Vec<&String> = self
            .facts
            .iter()
            .filter(|(_, f)| {
                matches!(
                    f,
                    FileFacts::Entry {
                        system: "databricks",
                        ..
                    }
                )
            })
            .map(|(p, _)| p)
            .collect();
        files.sort();
        files
            .into_iter()
            .filter(|f| {
                let d = parent(f);
                bases
                    .iter()
                    .any(|b| b == d || d.starts_with(&format!("{b}/")) || b.is_empty())
            })
            .map(|f| (f.clone(), None))
            .collect()
    }

    /// The nodes of job `job` in the entry files of `system`, wherever they lie (Tekton
    /// objects and bundle jobs are referenced by name).
    pub(crate) fn named_jobs(&self, system: &str, job: &str) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = self
            .facts
            .iter()
            .filter(|(_, f)| {
                matches!(f, FileFacts::Entry { system: s, jobs, .. }
                    if *s == system && jobs.iter().any(|j| j.name == job))
            })
            .map(|(p, _)| (p.clone(), Some(job.to_string())))
            .collect();
        // An Airflow DAG is a Python file, run whole.
        if system == "airflow" {
            out.extend(
                self.facts
                    .iter()
                    .filter(|(_, f)| {
                        matches!(f, FileFacts::Python { dags, .. } if dags.iter().any(|d| d == job))
                    })
                    .map(|(p, _)| (p.clone(), None)),
            );
        }
        out.sort();
        out
    }

    /// The Python files that serve an HTTP route (`@app.post("/train")`): what a client's call
    /// to that path runs, each run whole, as an imported module is. A path that more than four
    /// files serve (`/predict` of every service in a monorepo) names none of them.
    pub(crate) fn route_nodes(&self, route: &str) -> Vec<(NodeId, String)> {
        let mut out: Vec<(NodeId, String)> = self
            .facts
            .iter()
            .filter(|(_, f)| {
                matches!(f, FileFacts::Python { routes, .. } if routes.iter().any(|(_, r)| r == route))
            })
            .map(|(p, _)| ((p.clone(), None), format!("calls {route} of {p}")))
            .collect();
        if out.len() > 4 {
            return Vec::new();
        }
        out.sort();
        out
    }

    /// A directory added to `sys.path` as a directory of the repository: relative to the
    /// file or the root, or (an image path such as `/opt/airflow/scripts/model/monitoring`) its longest
    /// tail that is a directory here (`model/monitoring`), of at least two parts.
    pub(crate) fn sys_path_dir(&self, p: &str, here: &str) -> Option<String> {
        let p = p.trim_end_matches('/');
        if p.contains('$') || p.contains('{') {
            return None;
        }
        // Recorded: a file added under a candidate would change the answer.
        let exists = |d: &String| {
            self.note_under(d, true);
            self.is_dir(d)
        };
        if !p.starts_with('/') {
            // Relative to where Python runs: the file's directory or the root.
            return [join(here, p), join("", p)]
                .into_iter()
                .flatten()
                .find(|d| !d.is_empty() && exists(d));
        }
        let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
        (0..parts.len().saturating_sub(1))
            .map(|i| parts[i..].join("/"))
            .find(|d| exists(d))
    }

    /// Runs `f` recording its own probes (when the memo tracks them), which are then added to
    /// those of the edge being computed too: a result cached with them can be replayed
    /// ([`Graph::replay`]) into every later edge that asks for it.
    pub(crate) fn recorded<T>(&self, f: impl FnOnce() -> T) -> (T, Option<Rc<Probes>>) {
        if !self.edge_cache.track {
            return (f(), None);
        }
        let outer = self.recording.replace(Some(Probes::default()));
        let r = f();
        let own = self.recording.replace(outer).unwrap_or_default();
        self.replay(Some(&own));
        (r, Some(Rc::new(own)))
    }

    /// Adds a cached result's probes to those of the edge being computed.
    pub(crate) fn replay(&self, probes: Option<&Probes>) {
        if let (Some(rec), Some(p)) = (self.recording.borrow_mut().as_mut(), probes) {
            rec.extend(p);
        }
    }

    pub(crate) fn resolve_module(
        &self,
        module: &str,
        from: &str,
        bases: &[String],
    ) -> Option<String> {
        // The same imports recur in every file of a package: resolved once per directory.
        let key = (module.to_string(), parent(from).to_string(), bases.to_vec());
        if let Some((r, probes)) = self.edge_cache.modules.borrow().get(&key) {
            self.replay(probes.as_deref());
            return r.clone();
        }
        // Its own probes are kept with it, then added to those of the edge being computed.
        let (r, probes) = self.recorded(|| self.resolve_module_uncached(module, from, bases));
        self.edge_cache
            .modules
            .borrow_mut()
            .insert(key, (r.clone(), probes));
        r
    }

    pub(crate) fn resolve_module_uncached(
        &self,
        module: &str,
        from: &str,
        bases: &[String],
    ) -> Option<String> {
        let dots = module.chars().take_while(|c| *c == '.').count();
        let rest = &module[dots..];
        let rel = rest.replace('.', "/");
        let mut roots: Vec<String> = Vec::new();
        if dots > 0 {
            let mut d = parent(from).to_string();
            for _ in 1..dots {
                d = parent(&d).to_string();
            }
            roots.push(d);
        } else {
            roots.extend(bases.iter().cloned());
            roots.push("src".into());
            // A sub-project's src layout (`apps/platform/src/dags/x.py` importing
            // `mlops.retrain`): the nearest `src` folder above the importing file.
            let mut d = parent(from);
            while !d.is_empty() {
                if crate::paths::file_name(d) == "src" {
                    if d != "src" {
                        roots.push(d.to_string());
                    }
                    break;
                }
                d = parent(d);
            }
        }
        for r in roots {
            // A normalised root that is no directory of the tree holds no module.
            let normalised = !r.split('/').any(|s| s.is_empty() || s == "." || s == "..");
            if normalised && !self.is_dir(&r) {
                // Any Python file added under `r` could be the module.
                self.note_under(&r, true);
                continue;
            }
            for cand in [
                format!("{rel}.py"),
                format!("{rel}/__init__.py"),
                format!("{rel}/__main__.py"),
            ] {
                if rel.is_empty() && !cand.starts_with('/') && dots == 0 {
                    continue;
                }
                if let Some(p) = join(&r, cand.trim_start_matches('/'))
                    && self.is_file(&p)
                {
                    return Some(p);
                }
            }
        }
        // A package beside an ancestor folder of the importing file (`framework/pipeline/
        // pipeline_service.py` importing `pipeline.model_unit`, run from `framework/`, whose
        // entry script puts that folder on the path): the nearest ancestor that holds it. Only
        // dotted names, which name their package.
        if dots == 0 && rel.contains('/') {
            let mut d = parent(parent(from));
            while !d.is_empty() {
                for cand in [format!("{d}/{rel}.py"), format!("{d}/{rel}/__init__.py")] {
                    if self.is_file(&cand) {
                        return Some(cand);
                    }
                }
                d = parent(d);
            }
        }
        if dots == 0 && !rel.is_empty() {
            return self.subproject_module(&rel);
        }
        None
    }

    /// The folders below the root that are Python projects of their own.
    pub(crate) fn subprojects(&self) -> &[&'a str] {
        for name in crate::facts::pyproject::PYTHON_PROJECT_FILES {
            self.note_name(name);
        }
        self.subprojects.get_or_init(|| {
            let mut dirs: Vec<&str> = self
                .files
                .iter()
                .filter(|f| {
                    crate::facts::pyproject::PYTHON_PROJECT_FILES
                        .contains(&crate::paths::file_name(f))
                })
                .map(|f| parent(f))
                .filter(|d| !d.is_empty())
                .collect();
            dirs.sort_unstable();
            dirs.dedup();
            dirs
        })
    }

    /// A module of a package that a Python project in a folder of the repository ships
    /// (`training-pipeline/pyproject.toml` with `training-pipeline/training_pipeline/`): a
    /// monorepo's pipelines install each other's packages, and `from training_pipeline import
    /// train` runs that folder's code. Only one project may ship it.
    fn subproject_module(&self, rel: &str) -> Option<String> {
        let mut found = None;
        for d in self.subprojects() {
            for cand in [
                format!("{d}/{rel}.py"),
                format!("{d}/{rel}/__init__.py"),
                format!("{d}/src/{rel}.py"),
                format!("{d}/src/{rel}/__init__.py"),
            ] {
                if self.is_file(&cand) {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(cand);
                    break;
                }
            }
        }
        found
    }

    pub(crate) fn target_node(&self, file: &str, target: Option<&str>) -> Option<NodeId> {
        match self.facts.get(file) {
            Some(FileFacts::Targets { targets, kind }) => match target {
                Some(t) => targets
                    .iter()
                    .any(|x| x.name == t)
                    .then(|| (file.to_string(), Some(t.to_string()))),
                None if *kind == TargetKind::Make => targets
                    .first()
                    .map(|x| (file.to_string(), Some(x.name.clone()))),
                None => Some((file.to_string(), None)),
            },
            _ => None,
        }
    }
}
