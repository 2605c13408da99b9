//! Stage 5: the automation graph. Which evidence is *automated* (spec §3.2 T3), and why.
//!
//! Entry points are CI configurations and orchestrator schedules; edges are what their
//! commands run (scripts, `python -m`, Makefile targets, DVC stages, job specs, Python imports).
//! Every implemented evidence record reachable from an entry point is promoted to automated and
//! given the chain of hops from the trigger to itself. Nothing is ever executed.

pub mod extract;
pub mod shell;

use crate::evidence::{Evidence, Hop};
use crate::rules::Tier;
use extract::{Command, Facts, FileFacts, TargetKind};
use regex::Regex;
use serde::Serialize;
use shell::Action;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    Push,
    PullRequest,
    Schedule,
    Manual,
    Event,
    PipelineCompletion,
    Called,
    Release,
    /// Azure Pipelines without `trigger:`: every push.
    Default,
    /// Configured outside the repository (Jenkins, Cloud Build, CodeBuild).
    External,
}

impl TriggerKind {
    pub fn is_code_change(self) -> bool {
        matches!(
            self,
            TriggerKind::Push
                | TriggerKind::PullRequest
                | TriggerKind::Default
                | TriggerKind::External
        )
    }
    pub fn is_recurring(self) -> bool {
        matches!(
            self,
            TriggerKind::Schedule | TriggerKind::Event | TriggerKind::PipelineCompletion
        )
    }
    pub fn label(self) -> &'static str {
        match self {
            TriggerKind::Push => "push",
            TriggerKind::PullRequest => "pull_request",
            TriggerKind::Schedule => "schedule",
            TriggerKind::Manual => "manual",
            TriggerKind::Event => "event",
            TriggerKind::PipelineCompletion => "pipeline_completion",
            TriggerKind::Called => "called",
            TriggerKind::Release => "release",
            TriggerKind::Default => "default",
            TriggerKind::External => "external",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Trigger {
    pub kind: TriggerKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip)]
    pub line: u32,
}

impl Trigger {
    pub fn label(&self) -> String {
        match &self.detail {
            Some(d) if !d.is_empty() => format!("{} \"{}\"", self.kind.label(), d),
            _ => self.kind.label().to_string(),
        }
    }
}

fn triggers_label(ts: &[Trigger]) -> String {
    let mut labels: Vec<String> = ts.iter().map(Trigger::label).collect();
    labels.dedup();
    labels.join(", ")
}

/// Programs whose directory arguments are trees they apply or run.
const DIRECTORY_RUNNERS: &[&str] = &[
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

/// An automation entry point, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct EntryPoint {
    pub path: String,
    pub system: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    pub line: u32,
    pub triggers: Vec<Trigger>,
}

/// A command that names something ripen could not find in the repository.
#[derive(Debug, Clone, Serialize)]
pub struct Unresolved {
    pub path: String,
    pub line: u32,
    pub command: String,
    /// From the trigger to the command, ending in an `(unresolved)` hop; empty when the
    /// command was met outside a walk from an entry point.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<Hop>,
}

/// The path of the last hop of a chain that ends at a command ripen could not resolve.
pub const UNRESOLVED_HOP: &str = "(unresolved)";

type NodeId = (String, Option<String>);

#[derive(Debug, Clone)]
struct Reach {
    /// The shortest chain from any entry point.
    chain: Vec<Hop>,
    /// Indices into [`Automation::trigger_sets`]: the triggers of every seed that reaches here.
    trigger_sets: Vec<u32>,
}

/// Node ids as small integers: the walks from every entry point meet the same nodes again.
#[derive(Default)]
struct Interner {
    ids: HashMap<NodeId, u32>,
    nodes: Vec<NodeId>,
}

impl Interner {
    fn id(&mut self, n: &NodeId) -> u32 {
        if let Some(&i) = self.ids.get(n) {
            return i;
        }
        self.nodes.push(n.clone());
        let i = (self.nodes.len() - 1) as u32;
        self.ids.insert(n.clone(), i);
        i
    }

    fn node(&self, i: u32) -> &NodeId {
        &self.nodes[i as usize]
    }
}

/// One step of a walk: the hop to a node and the step it came from.
struct Step {
    node: u32,
    parent: Option<usize>,
    /// The line of the parent's file that leads here (the parent hop's line in this chain).
    edge_line: u32,
    hop: StepHop,
    /// Hops in the chain to here.
    len: usize,
}

/// A step's hop: the seed's own, or an edge of the memo (shared, made into a hop only when a
/// chain is rebuilt).
enum StepHop {
    Seed(Hop),
    Edge(EdgeEntry, usize),
}

/// The chain of hops to step `at`: the seed's prefix, then each step's hop, each with the line
/// that leads to the next.
fn chain_of(steps: &[Step], at: usize, prefix: &[Hop], facts: &Facts) -> Vec<Hop> {
    let mut rev = Vec::new();
    let mut cur = at;
    let mut line = None;
    loop {
        let s = &steps[cur];
        let mut h = match &s.hop {
            StepHop::Seed(h) => h.clone(),
            StepHop::Edge(entry, i) => {
                let e = &entry.0[*i];
                Hop {
                    path: e.to.0.clone(),
                    line: e
                        .to
                        .1
                        .as_deref()
                        .and_then(|t| target_line(facts, &e.to.0, t)),
                    via: e.via.clone(),
                }
            }
        };
        if let Some(l) = line {
            h.line = Some(l);
        }
        rev.push(h);
        match s.parent {
            Some(p) => {
                line = Some(s.edge_line);
                cur = p;
            }
            None => break,
        }
    }
    let mut chain = prefix.to_vec();
    chain.extend(rev.into_iter().rev());
    chain
}

#[derive(Clone)]
struct Edge {
    to: NodeId,
    via: String,
    line: u32,
    tests: bool,
}

/// The edges out of a node, the commands it could not resolve, and (when the memo tracks
/// them) what computing them read of the file list; computed once per node.
type EdgeEntry = Rc<(Vec<Edge>, Vec<Unresolved>, Option<Box<Probes>>)>;

/// What resolving references read of the file list: the paths whose existence it asked about,
/// and the directories whose files it listed (`true`: only the Python files). A file that came
/// or went can change a resolution only if it is one of those paths or lies in those
/// directories, so edges and module resolutions that touch neither stay valid.
/// Paths are kept as hashes: recording must not allocate per probe, and a collision only
/// forgets an edge that was still valid.
#[derive(Default, Debug, Clone)]
pub struct Probes {
    paths: Vec<u64>,
    under: Vec<(u64, bool)>,
}

fn path_key(p: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    p.hash(&mut h);
    h.finish()
}

/// A file that came or went, as [`Probes`] see it.
struct Listed {
    path: u64,
    /// Its directories, the root ("") included.
    dirs: Vec<u64>,
    python: bool,
}

impl Listed {
    fn of(p: &str) -> Listed {
        Listed {
            path: path_key(p),
            dirs: std::iter::once("")
                .chain(p.match_indices('/').map(|(i, _)| &p[..i]))
                .map(path_key)
                .collect(),
            python: p.ends_with(".py"),
        }
    }
}

impl Probes {
    fn extend(&mut self, other: &Probes) {
        self.paths.extend_from_slice(&other.paths);
        self.under.extend_from_slice(&other.under);
    }

    /// Whether adding or removing `f` can change what these probes saw.
    fn touch(&self, f: &Listed) -> bool {
        self.paths.contains(&f.path)
            || self
                .under
                .iter()
                .any(|(d, py)| (!py || f.python) && f.dirs.contains(d))
    }
}

/// (module, importing directory, bases) → the file it resolves to, and what that read.
type ModuleMemo = HashMap<(String, String, Vec<String>), (Option<String>, Option<Rc<Probes>>)>;

/// Entry points found by rules (schedules, CI files the graph does not parse), with triggers.
type RuleEntries = Vec<(String, Trigger)>;

/// The edges of a tree's nodes, computed once and shared by every walk over that tree. A caller
/// that moves between trees (`ripen history`) keeps it and tells it what changed: edges depend
/// on the node's own file, on the file list (through their [`Probes`]), and on other files only
/// through their Make/DVC targets or Databricks bundle jobs.
#[derive(Default)]
pub struct EdgeMemo {
    edges: RefCell<HashMap<(NodeId, bool), EdgeEntry>>,
    /// Python module resolutions per (module, importing directory, bases): they depend on
    /// the file list only.
    modules: RefCell<ModuleMemo>,
    /// Record [`Probes`] with every entry (callers that move between trees).
    track: bool,
    /// Since the latest [`build_shared`] walked, an edge its walks used was forgotten: its
    /// automation no longer holds.
    changed: Cell<bool>,
    /// The latest [`build_shared`] result, with the rule entries it started from (tracking).
    last: RefCell<Option<(RuleEntries, Rc<Automation>)>>,
    /// The entries the walks since the latest [`build_shared`] walked used (tracking only): what
    /// the file list must keep for those walks to stay the same.
    used: RefCell<Used>,
}

#[derive(Default)]
struct Used {
    /// [`build_shared`] has walked with this memo (before that, nothing is known).
    walked: bool,
    keys: HashSet<(NodeId, bool)>,
    entries: Vec<EdgeEntry>,
}

impl EdgeMemo {
    /// A memo for a caller that moves between trees: it records what each edge read of the
    /// file list, so that files coming and going forget only the edges they can change.
    pub fn tracking() -> EdgeMemo {
        EdgeMemo {
            track: true,
            ..EdgeMemo::default()
        }
    }

    /// Forgets everything (a file other nodes resolve into changed).
    pub fn clear(&self) {
        self.changed.set(true);
        self.edges.borrow_mut().clear();
        self.modules.borrow_mut().clear();
    }

    /// The entry points may have changed (a CI file was edited, added or removed): the walks
    /// must run again, though the edges they follow still hold.
    pub fn entries_changed(&self) {
        self.changed.set(true);
    }

    /// Forgets the edges out of one file's nodes (its content changed). Returns whether a
    /// walk since the latest [`build_shared`] used one of them (true when unknown).
    pub fn forget_file(&self, path: &str) -> bool {
        let used = self.used.borrow();
        let mut forgot_used = !self.track || !used.walked;
        self.edges.borrow_mut().retain(|(n, b), _| {
            if n.0 == path && used.keys.contains(&(n.clone(), *b)) {
                forgot_used = true;
            }
            n.0 != path
        });
        if forgot_used {
            self.changed.set(true);
        }
        forgot_used
    }

    /// Forgets the edges and module resolutions that `paths` (files that came or went) can
    /// change, and the edges out of those files. Without tracking, that is all of them.
    pub fn forget_paths(&self, paths: &[&str]) {
        if !self.track {
            return self.clear();
        }
        let listed: Vec<Listed> = paths.iter().map(|p| Listed::of(p)).collect();
        let touched = |p: Option<&Probes>| p.is_none_or(|p| listed.iter().any(|x| p.touch(x)));
        if self.walks_read(paths) {
            self.changed.set(true);
        }
        self.edges
            .borrow_mut()
            .retain(|(n, _), e| !paths.contains(&n.0.as_str()) && !touched(e.2.as_deref()));
        self.modules
            .borrow_mut()
            .retain(|_, (_, p)| !touched(p.as_deref()));
    }

    /// Whether the walks over the latest graph read whether any of `paths` exists (so that
    /// adding or removing them can change what those walks reach). True when unknown.
    pub fn walks_read(&self, paths: &[&str]) -> bool {
        let used = self.used.borrow();
        let listed: Vec<Listed> = paths.iter().map(|p| Listed::of(p)).collect();
        !self.track
            || !used.walked
            || used.entries.iter().any(|e| {
                e.2.as_deref()
                    .is_none_or(|p| listed.iter().any(|x| p.touch(x)))
            })
    }
}

pub struct Graph<'a> {
    files: &'a [String],
    file_set: HashSet<&'a str>,
    /// Every directory holding a file (slices of `files`): most references name no directory
    /// of the tree, and this rejects them before any path is built.
    dir_set: HashSet<&'a str>,
    facts: &'a Facts,
    /// [`Graph::edges_entry`] memoised per (node, via tests): every walk from every entry point and
    /// every [`Automation::reaches`] query meets the same nodes again.
    edge_cache: &'a EdgeMemo,
    /// What the edge being computed reads of the file list (when the memo tracks it).
    recording: RefCell<Option<Probes>>,
}

#[derive(Debug, Default)]
pub struct Automation {
    pub entry_points: Vec<EntryPoint>,
    pub unresolved: Vec<Unresolved>,
    reached: HashMap<NodeId, Reach>,
    /// The jobs of each entry file that a walk reached (keys of `reached` with a job), for
    /// [`Automation::reach_of`]'s lines outside any job: scanning all of `reached` for them
    /// was a tenth of each `ripen history` assembly on azureml-examples (370 workflows).
    jobs_reached: HashMap<String, Vec<Option<String>>>,
    /// The trigger sets of the walks, shared by every node each walk reaches.
    trigger_sets: Vec<BTreeSet<Trigger>>,
    /// Per entry file, where its walks start: (node, hops in the seed chain). What an entry
    /// reaches is walked again when asked ([`Automation::entry_reach`]): keeping every entry's
    /// reach set cost more memory than the rest of the graph in a large monorepo.
    entry_seeds: HashMap<String, Vec<(NodeId, usize)>>,
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn join(base: &str, rel: &str) -> Option<String> {
    // Most paths need no normalising: one allocation instead of a segment list.
    let clean = |p: &str| !p.split('/').any(|s| s.is_empty() || s == "." || s == "..");
    if clean(rel) && (base.is_empty() || clean(base)) {
        return Some(if base.is_empty() {
            rel.to_string()
        } else {
            format!("{base}/{rel}")
        });
    }
    let mut parts: Vec<&str> = if base.is_empty() {
        Vec::new()
    } else {
        base.split('/').collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn is_test_file(rel: &str) -> bool {
    let name = extract::file_name(rel);
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
        }
    }

    fn is_file(&self, p: &str) -> bool {
        self.note_path(p);
        self.file_set.contains(p)
    }

    /// Records that the edge being computed asked whether `p` exists.
    fn note_path(&self, p: &str) {
        if let Some(r) = self.recording.borrow_mut().as_mut() {
            r.paths.push(path_key(p));
        }
    }

    /// Records that the edge being computed listed (or would have listed) the files under `d`.
    fn note_under(&self, d: &str, python_only: bool) {
        if let Some(r) = self.recording.borrow_mut().as_mut() {
            r.under.push((path_key(d), python_only));
        }
    }

    /// Whether `d` is a directory of the tree ("" is the root).
    fn is_dir(&self, d: &str) -> bool {
        d.is_empty() || self.dir_set.contains(d)
    }

    /// Files under directory `d` (sorted input makes this a range scan).
    fn files_under(&self, d: &str) -> &'a [String] {
        let prefix = format!("{d}/");
        let start = self.files.partition_point(|f| f.as_str() < prefix.as_str());
        let end = start + self.files[start..].partition_point(|f| f.starts_with(&prefix));
        &self.files[start..end]
    }

    /// Resolves a path-like token against the candidate base directories.
    fn resolve_path(&self, token: &str, bases: &[String], dirs: bool) -> Vec<String> {
        let t = token
            .trim_start_matches("file:")
            .trim_matches(|c| c == '"' || c == '\'' || c == ',')
            .trim_start_matches("./");
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
            if dirs && self.is_dir(&p) {
                let under = self.files_under(&p);
                if !under.is_empty() {
                    return under.iter().take(2000).cloned().collect();
                }
            }
        }
        Vec::new()
    }

    /// Resolves a non-shell reference (`template:`, `code:`, `uses: ./.github/actions/x`,
    /// `entrypoint: flows/train.py:flow`, a notebook path without extension) to files only: a
    /// directory counts only through the file that defines it (`action.yml`,
    /// `kustomization.yaml`).
    fn resolve_ref(&self, token: &str, bases: &[String]) -> Vec<String> {
        let t = token.trim_matches(|c| c == '"' || c == '\'' || c == ',');
        let t = match t.split_once(".py:") {
            Some((a, _)) => format!("{a}.py"),
            None => t.to_string(),
        };
        let found = self.resolve_path(&t, bases, false);
        if !found.is_empty() {
            return found;
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
        if clean.contains('/') && !extract::file_name(clean).contains('.') {
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
    fn bundle_nodes(&self, bases: &[String], job: Option<&str>) -> Vec<NodeId> {
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
        let mut out = Vec::new();
        for f in files {
            let FileFacts::Entry { jobs, .. } = &self.facts[f] else {
                continue;
            };
            match job {
                Some(j) => {
                    if jobs.iter().any(|x| x.name == j) {
                        out.push((f.clone(), Some(j.to_string())));
                    }
                }
                None => {
                    let d = parent(f);
                    if bases
                        .iter()
                        .any(|b| b == d || d.starts_with(&format!("{b}/")) || b.is_empty())
                    {
                        out.push((f.clone(), None));
                    }
                }
            }
        }
        out
    }

    fn resolve_module(&self, module: &str, from: &str, bases: &[String]) -> Option<String> {
        // The same imports recur in every file of a package: resolved once per directory.
        let key = (module.to_string(), parent(from).to_string(), bases.to_vec());
        if let Some((r, probes)) = self.edge_cache.modules.borrow().get(&key) {
            if let (Some(rec), Some(p)) = (self.recording.borrow_mut().as_mut(), probes) {
                rec.extend(p);
            }
            return r.clone();
        }
        // Its own probes are kept with it, then added to those of the edge being computed.
        let track = self.edge_cache.track;
        let outer = if track {
            self.recording.replace(Some(Probes::default()))
        } else {
            None
        };
        let r = self.resolve_module_uncached(module, from, bases);
        let probes = if track {
            let own = self.recording.replace(outer).unwrap_or_default();
            if let Some(rec) = self.recording.borrow_mut().as_mut() {
                rec.extend(&own);
            }
            Some(Rc::new(own))
        } else {
            None
        };
        self.edge_cache
            .modules
            .borrow_mut()
            .insert(key, (r.clone(), probes));
        r
    }

    fn resolve_module_uncached(
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
        None
    }

    fn target_node(&self, file: &str, target: Option<&str>) -> Option<NodeId> {
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

    fn command_edges(
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
    fn edges_entry(&self, node: &NodeId, via_tests: bool) -> EdgeEntry {
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

    fn compute_edges(
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
fn yaml_code_dirs(path: &str, cmds: &[Command]) -> Vec<String> {
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

/// What starts a walk: a node, its triggers and the hops from the trigger to it.
struct Seed {
    node: NodeId,
    triggers: Vec<Trigger>,
    chain: Vec<Hop>,
}

/// An orchestrator trigger found by a rule carries the matched line as its detail: tell a
/// schedule from an event or a pipeline's completion, and keep the cron when there is one.
fn refine_rule_trigger(t: &Trigger) -> Trigger {
    static CRON: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"["'](@(?:hourly|daily|weekly|monthly|yearly|annually|midnight)|(?:rate|cron)\([^)]*\)|(?:[\d*/,?LW#-]+\s+){4,5}[\d*/,?LW#A-Za-z-]+)["']"#)
            .expect("cron pattern")
    });
    let d = t.detail.clone().unwrap_or_default();
    let l = d.to_ascii_lowercase();
    let kind = if l.contains("trigger_on_finish") || l.contains("run_status_sensor") {
        TriggerKind::PipelineCompletion
    } else if l.contains("sensor")
        || l.contains("@trigger")
        || l.contains("eventpattern")
        || l.contains("event_pattern")
        || l.contains("dataset(")
        || l.contains("asset(")
        || l.contains("file_arrival")
        || l.contains("triggers:")
    {
        TriggerKind::Event
    } else {
        t.kind
    };
    let detail = match CRON.captures(&d) {
        Some(c) => Some(c[1].to_string()),
        None if d.is_empty() => None,
        None => Some(shell::shorten(&d)),
    };
    Trigger {
        kind,
        detail,
        line: t.line,
    }
}

/// [`build`] for callers that move between trees with one memo: the previous result again when
/// no edge its walks used has been forgotten since and the rule entries are the same (most
/// commits `ripen history` assembles change evidence, not what the graph reaches).
pub fn build_shared(graph: &Graph, rule_entries: &[(String, Trigger)]) -> Rc<Automation> {
    let memo = graph.edge_cache;
    if !memo.track {
        return Rc::new(build(graph, rule_entries));
    }
    if !memo.changed.get()
        && let Some((entries, auto)) = memo.last.borrow().as_ref()
        && entries == rule_entries
    {
        return Rc::clone(auto);
    }
    memo.changed.set(false);
    *memo.used.borrow_mut() = Used {
        walked: true,
        ..Used::default()
    };
    let auto = Rc::new(build(graph, rule_entries));
    *memo.last.borrow_mut() = Some((rule_entries.to_vec(), Rc::clone(&auto)));
    auto
}

/// Builds the graph from every file's facts plus entry points found by rules (orchestrator
/// schedules), and walks it from each entry point.
pub fn build(graph: &Graph, rule_entries: &[(String, Trigger)]) -> Automation {
    let facts = graph.facts;
    let mut auto = Automation::default();
    let mut paths: Vec<&String> = facts.keys().collect();
    paths.sort();
    // Which entry files are included by others (GitLab `include:`, Azure `template:`): those
    // run as part of their includer, not on their own.
    let mut includes_of: HashMap<&str, Vec<(String, u32)>> = HashMap::new();
    let mut included: HashSet<String> = HashSet::new();
    for path in &paths {
        if let FileFacts::Entry { includes, .. } = &facts[*path] {
            let bases = [parent(path).to_string(), String::new()];
            for c in includes {
                for t in graph.resolve_ref(&c.text, &bases) {
                    if t != **path && matches!(facts.get(&t), Some(FileFacts::Entry { .. })) {
                        includes_of
                            .entry(path.as_str())
                            .or_default()
                            .push((t.clone(), c.line));
                        included.insert(t);
                    }
                }
            }
        }
    }
    let mut seeds: Vec<Seed> = Vec::new();
    for path in &paths {
        let path: &str = path;
        let FileFacts::Entry {
            system,
            triggers,
            jobs,
            ..
        } = &facts[path]
        else {
            continue;
        };
        if included.contains(path) {
            continue;
        }
        add_jobs(&mut auto, &mut seeds, path, system, jobs, triggers, &[]);
        // GitLab: an included file's jobs are jobs of this pipeline.
        if *system == "gitlab-ci" {
            let mut stack: Vec<(String, Vec<Hop>, usize)> = vec![(path.to_string(), Vec::new(), 0)];
            let mut seen: HashSet<String> = HashSet::from([path.to_string()]);
            while let Some((file, prefix, depth)) = stack.pop() {
                for (t, line) in includes_of.get(file.as_str()).into_iter().flatten() {
                    if depth > 16 || !seen.insert(t.clone()) {
                        continue;
                    }
                    let mut pre = prefix.clone();
                    pre.push(Hop {
                        path: file.clone(),
                        line: Some(*line),
                        via: if pre.is_empty() {
                            String::new()
                        } else {
                            format!("include {file}")
                        },
                    });
                    if let Some(FileFacts::Entry { system, jobs, .. }) = facts.get(t) {
                        add_jobs(&mut auto, &mut seeds, t, system, jobs, triggers, &pre);
                    }
                    stack.push((t.clone(), pre, depth + 1));
                }
            }
        }
    }
    for (path, trig) in rule_entries {
        if matches!(facts.get(path), Some(FileFacts::Entry { .. })) {
            continue;
        }
        let mut trig = refine_rule_trigger(trig);
        // A schedule written in the code names the cron better than the matched line.
        if trig.kind == TriggerKind::Schedule
            && let Some(FileFacts::Python { schedules, .. }) = facts.get(path)
            && let Some((line, cron)) = schedules.first()
        {
            trig.detail = Some(cron.clone());
            trig.line = *line;
        }
        auto.entry_points.push(EntryPoint {
            path: path.clone(),
            system: "orchestrator".into(),
            job: None,
            line: trig.line,
            triggers: vec![trig.clone()],
        });
        seeds.push(Seed {
            node: (path.clone(), None),
            chain: vec![Hop {
                path: path.clone(),
                line: Some(trig.line),
                via: trig.label(),
            }],
            triggers: vec![trig],
        });
    }
    let mut unresolved: Vec<Unresolved> = Vec::new();
    let mut unresolved_seen: HashSet<(String, u32, String)> = HashSet::new();
    let mut ids = Interner::default();
    // Seeds with the same triggers (a monorepo's copies of one workflow) share one set, so a
    // node reached by all of them keeps one index, not one per seed.
    let mut tset_ids: HashMap<BTreeSet<Trigger>, u32> = HashMap::new();
    // Per (trigger set, node, via tests): the shortest chain with which a finished walk of
    // that trigger set left the node. A later walk of the same set arriving no shorter can
    // give nothing new below it (every node there already has this set and a chain at least
    // as short), so it stops: walks of a monorepo's copies of one workflow no longer each
    // re-walk the shared code (seeds x nodes). Walks cut by the node limit record nothing.
    // Kept only while walks of that set remain, keys packed (large trees hold many).
    let mut walked: HashMap<u32, HashMap<u64, u32>> = HashMap::new();
    let walked_key = |node: u32, via_tests: bool| (u64::from(node) << 1) | u64::from(via_tests);
    let mut seeds_left: HashMap<BTreeSet<Trigger>, usize> = HashMap::new();
    for seed in &seeds {
        *seeds_left
            .entry(seed.triggers.iter().cloned().collect())
            .or_default() += 1;
    }
    for seed in seeds {
        let tset: BTreeSet<Trigger> = seed.triggers.into_iter().collect();
        let last_of_set = seeds_left.get_mut(&tset).is_none_or(|n| {
            *n -= 1;
            *n == 0
        });
        let tset_id = *tset_ids.entry(tset).or_insert_with_key(|t| {
            auto.trigger_sets.push(t.clone());
            (auto.trigger_sets.len() - 1) as u32
        });
        let entry_file = seed
            .chain
            .first()
            .map(|h| h.path.clone())
            .unwrap_or_else(|| seed.node.0.clone());
        auto.entry_seeds
            .entry(entry_file)
            .or_default()
            .push((seed.node.clone(), seed.chain.len().max(1)));
        // Breadth-first, so the first chain to a node is this seed's shortest. Each step keeps
        // only its own hop and its parent (chains are rebuilt when a node needs one), not a
        // copy of the whole chain per queued edge.
        let (prefix, root_hop) = match seed.chain.split_last() {
            Some((last, rest)) => (rest.to_vec(), last.clone()),
            None => (
                Vec::new(),
                Hop {
                    path: seed.node.0.clone(),
                    line: None,
                    via: String::new(),
                },
            ),
        };
        let mut steps: Vec<Step> = vec![Step {
            node: ids.id(&seed.node),
            parent: None,
            edge_line: 0,
            hop: StepHop::Seed(root_hop),
            len: prefix.len() + 1,
        }];
        let mut visited: HashSet<(u32, bool)> = HashSet::new();
        let mut left: Vec<(u64, u32)> = Vec::new();
        let mut cut = false;
        let mut queue = VecDeque::from([(0usize, false)]);
        while let Some((at, via_tests)) = queue.pop_front() {
            let node_id = steps[at].node;
            if !visited.insert((node_id, via_tests)) {
                continue;
            }
            if visited.len() > 50_000 {
                cut = true;
                continue;
            }
            let len = steps[at].len;
            let key = walked_key(node_id, via_tests);
            if walked
                .get(&tset_id)
                .and_then(|w| w.get(&key))
                .is_some_and(|&l| l as usize <= len)
            {
                continue;
            }
            if !last_of_set {
                left.push((key, len as u32));
            }
            let node = ids.node(node_id).clone();
            let reach = match auto.reached.get_mut(&node) {
                Some(r) => {
                    if len < r.chain.len() {
                        r.chain = chain_of(&steps, at, &prefix, facts);
                    }
                    r
                }
                None => auto.reached.entry(node.clone()).or_insert(Reach {
                    chain: chain_of(&steps, at, &prefix, facts),
                    trigger_sets: Vec::new(),
                }),
            };
            if !reach.trigger_sets.contains(&tset_id) {
                reach.trigger_sets.push(tset_id);
            }
            let entry = graph.edges_entry(&node, via_tests);
            let (edges, node_unresolved, _) = &*entry;
            // Each unresolved command is reported once, with the chain of the first walk that
            // met it; later walks add nothing (kept from filling memory in a large monorepo).
            let fresh: Vec<&Unresolved> = node_unresolved
                .iter()
                .filter(|u| unresolved_seen.insert((u.path.clone(), u.line, u.command.clone())))
                .collect();
            if !fresh.is_empty() {
                // Unresolved commands keep their place in the chain.
                let chain = chain_of(&steps, at, &prefix, facts);
                for u in fresh {
                    let mut c = chain.clone();
                    if let Some(last) = c.last_mut() {
                        last.line = Some(u.line);
                    }
                    c.push(Hop {
                        path: UNRESOLVED_HOP.into(),
                        line: None,
                        via: u.command.clone(),
                    });
                    unresolved.push(Unresolved {
                        chain: c,
                        ..u.clone()
                    });
                }
            }
            if len >= 32 {
                continue;
            }
            for (i, e) in edges.iter().enumerate() {
                let to = ids.id(&e.to);
                let tests = via_tests || e.tests;
                // Already walked from here: popping it again would do nothing.
                if visited.contains(&(to, tests)) {
                    continue;
                }
                steps.push(Step {
                    node: to,
                    parent: Some(at),
                    edge_line: e.line,
                    hop: StepHop::Edge(Rc::clone(&entry), i),
                    len: len + 1,
                });
                queue.push_back((steps.len() - 1, tests));
            }
        }
        if last_of_set {
            walked.remove(&tset_id);
        } else if !cut {
            // A walk leaves each state once, at its shortest (breadth-first): earlier walks
            // may have left it shorter.
            let w = walked.entry(tset_id).or_default();
            for (key, len) in left {
                let l = w.entry(key).or_insert(len);
                *l = (*l).min(len);
            }
        }
    }
    unresolved.sort_by(|a, b| (&a.path, a.line, &a.command).cmp(&(&b.path, b.line, &b.command)));
    auto.unresolved = unresolved;
    for (path, job) in auto.reached.keys() {
        if job.is_some() {
            auto.jobs_reached
                .entry(path.clone())
                .or_default()
                .push(job.clone());
        }
    }
    auto
}

/// Lists an entry file's jobs and seeds the runnable ones. `prefix`: the hops from the
/// including file (GitLab `include:`), whose triggers jobs without their own inherit.
fn add_jobs(
    auto: &mut Automation,
    seeds: &mut Vec<Seed>,
    path: &str,
    system: &str,
    jobs: &[extract::Job],
    file_triggers: &[Trigger],
    prefix: &[Hop],
) {
    for j in jobs {
        let t = if j.triggers.is_empty() {
            file_triggers.to_vec()
        } else {
            j.triggers.clone()
        };
        let name = (!j.name.is_empty()).then(|| j.name.clone());
        auto.entry_points.push(EntryPoint {
            path: path.to_string(),
            system: system.to_string(),
            job: name.clone(),
            line: j.line,
            triggers: t.clone(),
        });
        // A reusable workflow only runs when called; its callers reach it.
        let runnable: Vec<Trigger> = t
            .into_iter()
            .filter(|x| x.kind != TriggerKind::Called)
            .collect();
        if runnable.is_empty() {
            continue;
        }
        let label = triggers_label(&runnable);
        let mut chain: Vec<Hop> = prefix.to_vec();
        if let Some(first) = chain.first_mut() {
            first.via = label.clone();
        }
        chain.push(Hop {
            path: path.to_string(),
            line: Some(j.line),
            via: if prefix.is_empty() {
                label
            } else {
                format!("include {path}")
            },
        });
        seeds.push(Seed {
            node: (path.to_string(), name),
            triggers: runnable,
            chain,
        });
    }
}

fn target_line(facts: &Facts, path: &str, sub: &str) -> Option<u32> {
    match facts.get(path)? {
        FileFacts::Targets { targets, .. } => {
            targets.iter().find(|t| t.name == sub).map(|t| t.line)
        }
        FileFacts::Entry { jobs, .. } => jobs.iter().find(|j| j.name == sub).map(|j| j.line),
        _ => None,
    }
}

/// The node of `path` whose lines contain `line`: a job, a target or the whole file.
fn node_for(facts: &Facts, path: &str, line: Option<u32>) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = facts
        .get(path)
        .map(|f| jobs_at(f, line))
        .into_iter()
        .flatten()
        .map(|j| (path.to_string(), Some(j.to_string())))
        .collect();
    out.push((path.to_string(), None));
    out
}

/// The CI jobs or Make/DVC targets of a file that hold `line`: where evidence on that line is
/// placed in the graph.
pub fn jobs_at(facts: &FileFacts, line: Option<u32>) -> Vec<&str> {
    let Some(l) = line else {
        return Vec::new();
    };
    match facts {
        FileFacts::Entry { jobs, .. } => jobs
            .iter()
            .filter(|j| !j.name.is_empty() && j.line <= l && l <= j.end)
            .map(|j| j.name.as_str())
            .collect(),
        FileFacts::Targets { targets, .. } => targets
            .iter()
            .filter(|t| t.line <= l && l <= t.end)
            .map(|t| t.name.as_str())
            .collect(),
        _ => Vec::new(),
    }
}

impl Automation {
    /// The triggers of every walk that reached `r`.
    fn triggers_of(&self, r: &Reach) -> BTreeSet<Trigger> {
        r.trigger_sets
            .iter()
            .flat_map(|&i| self.trigger_sets[i as usize].iter().cloned())
            .collect()
    }

    fn reach_of(
        &self,
        facts: &Facts,
        path: &str,
        line: Option<u32>,
    ) -> Option<(Vec<Hop>, BTreeSet<Trigger>)> {
        let nodes = node_for(facts, path, line);
        // An entry file's own lines are automated by the job holding them, or by the file.
        let in_entry = matches!(facts.get(path), Some(FileFacts::Entry { .. }));
        let in_job = nodes.iter().any(|n| n.1.is_some());
        for n in &nodes {
            // A line outside any job of an entry file is not decided by whoever reached the
            // file as a whole (a caller of a reusable workflow): see below.
            if in_entry && !in_job && n.1.is_none() {
                continue;
            }
            if let Some(r) = self.reached.get(n) {
                return Some((r.chain.clone(), self.triggers_of(r)));
            }
        }
        if in_entry {
            // Lines outside any job (e.g. `on:`) belong to every job of the file: all their
            // triggers, and the chain of a job run on code changes when there is one.
            let mut jobs: Vec<(NodeId, BTreeSet<Trigger>, &Reach)> = self
                .jobs_reached
                .get(path)
                .into_iter()
                .flatten()
                .chain(std::iter::once(&None))
                .filter_map(|j| {
                    let n = (path.to_string(), j.clone());
                    let r = self.reached.get(&n)?;
                    Some((n, self.triggers_of(r), r))
                })
                .collect();
            jobs.sort_by(|a, b| a.0.cmp(&b.0));
            let best = jobs
                .iter()
                .find(|(_, t, _)| t.iter().any(|t| t.kind.is_code_change()))
                .or(jobs.first())?;
            let chain = best.2.chain.clone();
            let triggers = jobs
                .iter()
                .flat_map(|(_, t, _)| t.iter().cloned())
                .collect();
            return Some((chain, triggers));
        }
        None
    }

    /// The chain and triggers that make line `line` of `path` automated, if anything reaches it
    /// (what [`Automation::promote`] gives an evidence record there).
    pub fn reach(
        &self,
        facts: &Facts,
        path: &str,
        line: Option<u32>,
    ) -> Option<(Vec<Hop>, Vec<Trigger>)> {
        let (mut chain, triggers) = self.reach_of(facts, path, line)?;
        if let Some(last) = chain.last_mut() {
            last.line = line;
        }
        Some((chain, triggers.into_iter().collect()))
    }

    /// Promotes reachable implemented evidence to automated, with its chain and triggers.
    pub fn promote(&self, facts: &Facts, evidence: &mut [Evidence]) {
        for ev in evidence.iter_mut() {
            if ev.tier != Tier::Implemented {
                continue;
            }
            if let Some((mut chain, triggers)) = self.reach_of(facts, &ev.path, ev.line) {
                ev.tier = Tier::Automated;
                if let Some(last) = chain.last_mut() {
                    last.line = ev.line;
                }
                ev.chain = chain;
                ev.triggers = triggers.into_iter().collect();
            }
        }
    }

    /// Whether anything reachable from `start` (a file) has evidence of a capability in
    /// `caps`, e.g. "does this pipeline contain a training step".
    pub fn reaches(
        graph: &Graph,
        start: &str,
        index: &HashMap<String, Vec<(Option<u32>, String)>>,
        caps: &[&str],
    ) -> bool {
        walk_from(graph, (start.to_string(), None), 1, |node| {
            node.0 != start
                && index
                    .get(&node.0)
                    .is_some_and(|evs| evs.iter().any(|(_, c)| caps.contains(&c.as_str())))
        })
    }

    /// Files reached from an entry file's jobs: the same walks as [`build`] (each job's own,
    /// with its limits), without chains.
    pub fn entry_reach(&self, graph: &Graph, entry_file: &str) -> Vec<String> {
        let mut files: Vec<String> = Vec::new();
        for (start, len0) in self.entry_seeds.get(entry_file).into_iter().flatten() {
            walk_from(graph, start.clone(), *len0, |node| {
                files.push(node.0.clone());
                false
            });
        }
        files.sort();
        files.dedup();
        files
    }
}

/// Breadth-first from `start` (whose chain already has `len0` hops) within the limits of
/// [`build`]'s walks: each node once per via-tests state, at most 50,000 of them, chains of at
/// most 32 hops. `visit` sees each node and ends the walk by returning true (then so does this).
fn walk_from(
    graph: &Graph,
    start: NodeId,
    len0: usize,
    mut visit: impl FnMut(&NodeId) -> bool,
) -> bool {
    let mut visited: HashSet<(NodeId, bool)> = HashSet::new();
    let mut queue = VecDeque::from([(start, len0, false)]);
    while let Some((node, len, via_tests)) = queue.pop_front() {
        if !visited.insert((node.clone(), via_tests)) || visited.len() > 50_000 {
            continue;
        }
        if visit(&node) {
            return true;
        }
        if len < 32 {
            for e in &graph.edges_entry(&node, via_tests).0 {
                queue.push_back((e.to.clone(), len + 1, via_tests || e.tests));
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Document;

    fn build_for(files: &[String], facts: &Facts) -> Automation {
        let memo = EdgeMemo::default();
        build(&Graph::new(files, facts, &memo), &[])
    }

    fn setup(files: &[(&str, &str)]) -> (Vec<String>, Facts) {
        let mut names: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
        names.sort();
        let facts = files
            .iter()
            .filter_map(|(p, c)| {
                extract::extract(&Document::new(p, c.to_string())).map(|f| (p.to_string(), f))
            })
            .collect();
        (names, facts)
    }

    fn ev(path: &str, line: u32) -> Evidence {
        Evidence {
            rule: "r".into(),
            capability: "model_training".into(),
            path: path.into(),
            line: Some(line),
            tier: Tier::Implemented,
            chain: Vec::new(),
            triggers: Vec::new(),
            origin: None,
            snippet: None,
            facets: Vec::new(),
            note: None,
        }
    }

    #[test]
    fn schedule_make_python_chain() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/train.yml",
                "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  train:\n    runs-on: x\n    steps:\n      - run: make train\n",
            ),
            (
                "Makefile",
                "lint:\n\truff check .\ntrain:\n\tpython src/train.py\n",
            ),
            ("src/train.py", "from src.model import fit\nfit()\n"),
            ("src/model.py", "def fit():\n    m.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("src/model.py", 2), ev("Makefile", 2)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Automated);
        let chain: Vec<String> = evs[0]
            .chain
            .iter()
            .map(|h| format!("{}:{}", h.path, h.line.unwrap_or(0)))
            .collect();
        assert_eq!(
            chain,
            vec![
                ".github/workflows/train.yml:8",
                "Makefile:4",
                "src/train.py:1",
                "src/model.py:2"
            ]
        );
        assert_eq!(evs[0].chain[0].via, "schedule \"0 3 * * 1\"");
        assert_eq!(evs[0].triggers[0].kind, TriggerKind::Schedule);
        // The lint target is not reached by `make train`.
        assert_eq!(evs[1].tier, Tier::Implemented);
    }

    /// Walks of one trigger set stop where an earlier walk of that set already passed no
    /// longer, but a later walk arriving shorter still goes on and shortens the chains below.
    #[test]
    fn later_walks_of_the_same_triggers_still_shorten_chains() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: python a.py\n  b:\n    runs-on: x\n    steps:\n      - run: python x.py\n  c:\n    runs-on: x\n    steps:\n      - run: python a.py\n",
            ),
            ("a.py", "import b_mod\n"),
            ("b_mod.py", "import x\n"),
            ("x.py", "import y\n"),
            ("y.py", "def fit():\n    m.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("y.py", 2), ev("b_mod.py", 1)];
        auto.promote(&facts, &mut evs);
        let chain = |e: &Evidence| -> Vec<String> {
            e.chain
                .iter()
                .map(|h| format!("{}:{}", h.path, h.line.unwrap_or(0)))
                .collect()
        };
        // Job b reaches y.py in fewer hops than job a did before it.
        assert_eq!(
            chain(&evs[0]),
            vec![".github/workflows/ci.yml:10", "x.py:1", "y.py:2"]
        );
        // Job c arrives where job a already was: a's chain stays.
        assert_eq!(
            chain(&evs[1]),
            vec![".github/workflows/ci.yml:6", "a.py:1", "b_mod.py:1"]
        );
    }

    #[test]
    fn lint_only_workflow_does_not_automate_training() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/lint.yml",
                "on: [push]\njobs:\n  lint:\n    runs-on: x\n    steps:\n      - run: ruff check src/ && mypy src/train.py\n",
            ),
            ("src/train.py", "model.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("src/train.py", 1)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Implemented);
    }

    #[test]
    fn tests_do_not_make_imported_training_automated() {
        let (files, facts) = setup(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n",
            ),
            ("tests/test_train.py", "from src.train import fit\n"),
            ("src/train.py", "model.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("src/train.py", 1), ev("tests/test_train.py", 1)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Implemented);
        assert_eq!(evs[1].tier, Tier::Automated);
    }

    #[test]
    fn cycles_terminate_and_unresolved_is_kept() {
        let (files, facts) = setup(&[
            (
                ".gitlab-ci.yml",
                "build:\n  script:\n    - make all\n    - python missing/run.py\n",
            ),
            ("Makefile", "all: all\n\tmake all\n\tbash a.sh\n"),
            ("a.sh", "source b.sh\nbash b.sh\n"),
            ("b.sh", "bash a.sh\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("b.sh", 1)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Automated);
        assert!(
            auto.unresolved
                .iter()
                .any(|u| u.command.contains("missing/run.py"))
        );
    }

    #[test]
    fn dvc_repro_reaches_stage_commands() {
        let (files, facts) = setup(&[
            (
                "Jenkinsfile",
                "pipeline {\n  stages {\n    stage('t') { steps { sh 'dvc repro' } }\n  }\n}\n",
            ),
            (
                "dvc.yaml",
                "stages:\n  train:\n    cmd: python src/train.py\n    deps: [src/train.py]\n",
            ),
            ("src/train.py", "model.fit(x)\n"),
        ]);
        let auto = build_for(&files, &facts);
        let mut evs = vec![ev("src/train.py", 1)];
        auto.promote(&facts, &mut evs);
        assert_eq!(evs[0].tier, Tier::Automated);
        assert_eq!(evs[0].triggers[0].kind, TriggerKind::External);
    }
}
