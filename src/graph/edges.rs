//! The edges out of a node: what its commands run (through the shell reader), what its
//! imports and references name, memoised per node.

use crate::graph::memo::{Edge, EdgeEntry, Probes};
use crate::graph::{Graph, NodeId};
use crate::model::{Command, FileFacts, TargetKind, Unresolved};
use crate::paths::{join, parent};
use crate::shell::{self, Action};
use std::rc::Rc;

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

impl<'a> Graph<'a> {
    pub(crate) fn command_edges(
        &self,
        from: &str,
        cmd: &Command,
        extra_bases: &[String],
        out: &mut Vec<Edge>,
        unresolved: &mut Vec<Unresolved>,
    ) {
        let here = parent(from).to_string();
        // Where the command runs: its own `cd`/working-directory, else make and dvc run in
        // their file's directory and everything else (CI, scripts) at the root.
        let home = match self.facts.get(from) {
            Some(FileFacts::Targets { .. }) => here.clone(),
            _ => String::new(),
        };
        let mut bases: Vec<String> = Vec::new();
        if let Some(c) = &cmd.cwd {
            // `/x`: relative to the root (set by the extractor); else to the file's home.
            if let Some(abs) = c.strip_prefix('/') {
                bases.push(abs.trim_end_matches('/').to_string());
            } else {
                let c = c.trim_start_matches("./").trim_end_matches('/');
                bases.push(join(&home, c).unwrap_or_else(|| c.to_string()));
            }
        }
        bases.push(home.clone());
        bases.push(here.clone());
        bases.push(String::new());
        bases.extend(extra_bases.iter().cloned());
        // A macro, not a closure: `out` is also read between pushes.
        macro_rules! push {
            ($to:expr, $via:expr, $tests:expr) => {{
                let to: NodeId = $to;
                if to.0 != from || to.1.is_some() {
                    out.push(Edge {
                        to,
                        via: $via,
                        line: cmd.line,
                        tests: $tests,
                    });
                }
            }};
        }
        if !cmd.shell {
            // A reference names a file (a template, a component spec); a directory named this
            // way is where something else runs (`code:`), not something that runs.
            if let Some((system, job)) = cmd.text.strip_prefix('@').and_then(|r| r.split_once(':'))
            {
                for n in self.named_jobs(system, job) {
                    push!(n, format!("runs {job}"), false);
                }
                return;
            }
            for tok in cmd.text.split_whitespace() {
                for p in self.resolve_ref(tok, &bases) {
                    push!(
                        (p, None),
                        format!("references {}", tok.trim_start_matches('/')),
                        false
                    );
                }
            }
            return;
        }
        let mut cwd = cmd.cwd.clone();
        for simple in shell::parse_line(&cmd.text, &mut cwd) {
            let mut b = bases.clone();
            if let Some(c) = &simple.cwd
                && simple.cwd != cmd.cwd
            {
                // After `cd`: root-relative (`/x`) or relative to where the command runs.
                match c.strip_prefix('/') {
                    Some(abs) => b.insert(0, abs.trim_end_matches('/').to_string()),
                    None => {
                        b.insert(0, c.clone());
                        if let Some(j) = join(&home, c)
                            && j != *c
                        {
                            b.insert(0, j);
                        }
                    }
                }
            }
            let dir0 = b[0].clone();
            let via = simple.text.clone();
            let before = out.len();
            let mut looks_resolvable = false;
            match &simple.action {
                Action::Make { dir, file, targets } => {
                    looks_resolvable = true;
                    let d = match dir {
                        Some(d) => join(&dir0, d).unwrap_or_default(),
                        None => dir0.clone(),
                    };
                    let mf = file.clone().unwrap_or_else(|| "Makefile".into());
                    let candidates = [
                        join(&d, &mf),
                        join("", &mf),
                        Some(format!(
                            "{}makefile",
                            if d.is_empty() {
                                String::new()
                            } else {
                                format!("{d}/")
                            }
                        )),
                    ];
                    if let Some(path) = candidates.into_iter().flatten().find(|p| self.is_file(p)) {
                        if targets.is_empty()
                            && let Some(n) = self.target_node(&path, None)
                        {
                            push!(n, via.clone(), false);
                        }
                        for t in targets {
                            if let Some(n) = self.target_node(&path, Some(t)) {
                                push!(n, via.clone(), false);
                            }
                        }
                    }
                }
                Action::DvcRepro { stages } => {
                    looks_resolvable = true;
                    for base in &b {
                        let p = join(base, "dvc.yaml").unwrap_or_default();
                        if self.is_file(&p) {
                            if stages.is_empty() {
                                push!((p.clone(), None), via.clone(), false);
                            }
                            for s in stages {
                                let name = s.rsplit(':').next().unwrap_or(s);
                                if let Some(n) = self.target_node(&p, Some(name)) {
                                    push!(n, via.clone(), false);
                                }
                            }
                            break;
                        }
                    }
                }
                Action::Kedro => {
                    self.note_under("", true);
                    for f in self.files.iter().filter(|f| {
                        f.ends_with(".py")
                            && (f.contains("/pipelines/") || f.ends_with("pipeline_registry.py"))
                    }) {
                        push!((f.clone(), None), via.clone(), false);
                    }
                }
                Action::PythonModule(m) => {
                    looks_resolvable = !m.contains('$');
                    if let Some(p) = self.resolve_module(m, from, &b) {
                        push!((p, None), via.clone(), false);
                    }
                    if matches!(m.as_str(), "kedro") {
                        looks_resolvable = false;
                    }
                }
                Action::Tests { paths } => {
                    if paths.is_empty() {
                        let base = if dir0.is_empty() {
                            None
                        } else {
                            Some(format!("{dir0}/"))
                        };
                        self.note_under(&dir0, true);
                        for f in self.files.iter().filter(|f| {
                            is_test_file(f) && base.as_ref().is_none_or(|b| f.starts_with(b))
                        }) {
                            push!((f.clone(), None), via.clone(), true);
                        }
                    }
                    for p in paths {
                        let p = p.split("::").next().unwrap_or(p);
                        for f in self.resolve_path(p, &b, true) {
                            push!((f, None), via.clone(), true);
                        }
                    }
                }
                Action::GhWorkflow(w) => {
                    looks_resolvable = true;
                    let p = format!(".github/workflows/{w}");
                    if self.is_file(&p) {
                        push!((p, None), via.clone(), false);
                    }
                }
                Action::Docker { file, context } => {
                    looks_resolvable = file.is_some();
                    let ctx = context
                        .as_deref()
                        .filter(|c| !c.contains("://") && !c.contains('$'))
                        .map(|c| c.trim_start_matches("./").trim_end_matches('/'))
                        .unwrap_or("");
                    let f = match file {
                        Some(f) => f.clone(),
                        None if ctx.is_empty() || ctx == "." => "Dockerfile".into(),
                        None => format!("{ctx}/Dockerfile"),
                    };
                    for p in self.resolve_path(&f, &b, false).into_iter().take(1) {
                        push!((p, None), via.clone(), false);
                    }
                }
                Action::Files {
                    paths,
                    alternatives,
                } => {
                    looks_resolvable = true;
                    for p in paths {
                        let mut found = self.resolve_path(p, &b, true);
                        if found.is_empty() {
                            found = self.resolve_ref(p, &b);
                        }
                        let hit = !found.is_empty();
                        for f in found {
                            push!((f, None), via.clone(), false);
                        }
                        if hit && *alternatives {
                            break;
                        }
                    }
                }
                Action::Bundle { job } => {
                    looks_resolvable = true;
                    for n in self.bundle_nodes(&b, job.as_deref()) {
                        push!(n, via.clone(), false);
                    }
                }
                Action::Job { system, job } => {
                    looks_resolvable = true;
                    for n in self.named_jobs(system, job) {
                        push!(n, via.clone(), false);
                    }
                }
                Action::Paths(paths) => {
                    // A directory argument runs what is in it only for tools that apply a whole
                    // tree; for anything else (`cargo run -- rules test`) it is data.
                    let dirs = DIRECTORY_RUNNERS.contains(&simple.program.as_str());
                    for (i, p) in paths.iter().enumerate() {
                        let found = self.resolve_path(p, &b, dirs);
                        if i == 0
                            && found.is_empty()
                            && (p.ends_with(".py") || p.ends_with(".sh"))
                            && !p.contains('$')
                        {
                            looks_resolvable = true;
                        }
                        for f in found {
                            push!((f, None), via.clone(), false);
                        }
                    }
                }
            }
            if out.len() == before && looks_resolvable {
                unresolved.push(Unresolved {
                    path: from.to_string(),
                    line: cmd.line,
                    command: simple.text.clone(),
                    chain: Vec::new(),
                });
            }
        }
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
                for j in jobs
                    .iter()
                    .filter(|j| sub.as_ref().is_none_or(|s| *s == j.name))
                {
                    for c in &j.commands {
                        self.command_edges(path, c, &[], &mut out, unresolved);
                    }
                }
            }
            FileFacts::Targets { targets, kind } => {
                for t in targets
                    .iter()
                    .filter(|t| sub.as_ref().is_none_or(|s| *s == t.name))
                {
                    if *kind == TargetKind::Make {
                        for d in &t.deps {
                            if let Some(n) = self.target_node(path, Some(d)) {
                                out.push(Edge {
                                    to: n,
                                    via: format!("make {d}"),
                                    line: t.line,
                                    tests: false,
                                });
                            }
                        }
                    }
                    for c in &t.commands {
                        self.command_edges(path, c, &[], &mut out, unresolved);
                    }
                }
            }
            FileFacts::Commands(cmds) => {
                let code_dirs = yaml_code_dirs(path, cmds);
                for c in cmds {
                    self.command_edges(path, c, &code_dirs, &mut out, unresolved);
                }
            }
            FileFacts::Python {
                imports,
                literals,
                code_dirs,
                ..
            } => {
                if via_tests {
                    return out;
                }
                let here = parent(path).to_string();
                let bases = vec![String::new(), here.clone()];
                for (line, m) in imports {
                    if let Some(p) = self.resolve_module(m, path, &bases) {
                        out.push(Edge {
                            to: (p, None),
                            via: format!("import {m}"),
                            line: *line,
                            tests: false,
                        });
                    }
                }
                let extra: Vec<String> = code_dirs
                    .iter()
                    .flat_map(|d| [join(&here, d), join("", d)])
                    .flatten()
                    .collect();
                let mut sink = Vec::new();
                for c in literals {
                    let mut e = Vec::new();
                    self.command_edges(path, c, &extra, &mut e, &mut sink);
                    // A literal naming a directory is data, not a program: keep files only.
                    out.extend(e.into_iter().filter(|e| {
                        c.shell
                            || e.to.0.ends_with(".py")
                            || e.to.0.ends_with(".sh")
                            || e.to.0.ends_with(".yml")
                            || e.to.0.ends_with(".yaml")
                    }));
                }
            }
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
