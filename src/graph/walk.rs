//! Walking the graph from every entry point: seeds from CI jobs (and GitLab includes) and rule
//! entries, breadth-first walks that keep the shortest chain to each node, and the trigger
//! sets that reach it.

use crate::graph::memo::{EdgeEntry, MODE_TESTS, Used};
use crate::graph::upstream::{Upstreams, WorkflowNames};
use crate::graph::{Automation, Graph, NodeId, Reach, target_line};
use crate::model::{
    EntryPoint, Facts, FileFacts, Hop, Job, Trigger, TriggerKind, UNRESOLVED_HOP, Unresolved,
    triggers_label,
};
use crate::paths::parent;
use regex::Regex;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::sync::LazyLock;

/// Node ids as small integers: the walks from every entry point meet the same nodes again.
#[derive(Default)]
pub(crate) struct Interner {
    pub(crate) ids: HashMap<NodeId, u32>,
    pub(crate) nodes: Vec<NodeId>,
}

impl Interner {
    pub(crate) fn id(&mut self, n: &NodeId) -> u32 {
        if let Some(&i) = self.ids.get(n) {
            return i;
        }
        self.nodes.push(n.clone());
        let i = (self.nodes.len() - 1) as u32;
        self.ids.insert(n.clone(), i);
        i
    }

    pub(crate) fn node(&self, i: u32) -> &NodeId {
        &self.nodes[i as usize]
    }
}

/// One step of a walk: the hop to a node and the step it came from.
pub(crate) struct Step {
    pub(crate) node: u32,
    pub(crate) parent: Option<usize>,
    /// The line of the parent's file that leads here (the parent hop's line in this chain).
    pub(crate) edge_line: u32,
    pub(crate) hop: StepHop,
    /// Hops in the chain to here.
    pub(crate) len: usize,
}

/// A step's hop: the seed's own, or an edge of the memo (shared, made into a hop only when a
/// chain is rebuilt).
pub(crate) enum StepHop {
    Seed(Hop),
    Edge(EdgeEntry, usize),
}

/// The chain of hops to step `at`: the seed's prefix, then each step's hop, each with the line
/// that leads to the next.
pub(crate) fn chain_of(steps: &[Step], at: usize, prefix: &[Hop], facts: &Facts) -> Vec<Hop> {
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

/// What starts a walk: a node, its triggers and the hops from the trigger to it.
pub(crate) struct Seed {
    pub(crate) node: NodeId,
    pub(crate) triggers: Vec<Trigger>,
    pub(crate) chain: Vec<Hop>,
    /// A job started through another pipeline's completion: its chain begins at that
    /// pipeline, but what it reaches runs after that pipeline, never as part of it.
    pub(crate) follows: bool,
}

/// An orchestrator trigger found by a rule carries the matched line as its detail: tell a
/// schedule from an event or a pipeline's completion, and keep the cron when there is one.
pub(crate) fn refine_rule_trigger(t: &Trigger) -> Trigger {
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
        None => Some(crate::shell::shorten(&d)),
    };
    Trigger {
        kind,
        detail,
        line: t.line,
        paths: Vec::new(),
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
    // Path-filtered triggers fire or not by the file list, which the edges' probes do not see.
    let mut firing: Vec<(&str, bool)> = graph
        .facts
        .iter()
        .filter_map(|(p, f)| match f {
            FileFacts::Entry { triggers, jobs, .. } => Some(
                triggers
                    .iter()
                    .chain(jobs.iter().flat_map(|j| &j.triggers))
                    .map(move |t| (p, t)),
            ),
            _ => None,
        })
        .flatten()
        .filter(|(_, t)| !t.paths.is_empty())
        .map(|(p, t)| (p.as_str(), fires(&t.paths, graph.files)))
        .collect();
    firing.sort_by_key(|(p, _)| *p);
    let firing: Vec<bool> = firing.into_iter().map(|(_, b)| b).collect();
    if !memo.changed.get()
        && let Some((entries, fired, auto)) = memo.last.borrow().as_ref()
        && entries == rule_entries
        && *fired == firing
    {
        return Rc::clone(auto);
    }
    memo.changed.set(false);
    *memo.used.borrow_mut() = Used {
        walked: true,
        ..Used::default()
    };
    let auto = Rc::new(build(graph, rule_entries));
    *memo.last.borrow_mut() = Some((rule_entries.to_vec(), firing, Rc::clone(&auto)));
    auto
}

/// Builds the graph from every file's facts plus entry points found by rules (orchestrator
/// schedules), and walks it from each entry point.
pub fn build(graph: &Graph, rule_entries: &[(String, Trigger)]) -> Automation {
    let mut auto = Automation::default();
    let mut seeds = ci_seeds(graph, &mut auto);
    rule_seeds(graph.facts, rule_entries, &mut auto, &mut seeds);
    let mut walks = Walks::new(&seeds);
    for seed in seeds {
        walks.walk(graph, &mut auto, seed);
    }
    let mut unresolved = walks.unresolved;
    unresolved.sort_by(|a, b| (&a.path, a.line, &a.command).cmp(&(&b.path, b.line, &b.command)));
    auto.unresolved = unresolved;
    let reached_files: HashSet<&String> = auto.reached.keys().map(|(p, _)| p).collect();
    for path in reached_files {
        let stops = graph.job_stops(path);
        if !stops.ranges.is_empty() {
            auto.stopped.insert(path.clone(), stops.ranges);
        }
        if !stops.fails.is_empty() {
            auto.fails.insert(path.clone(), stops.fails);
        }
    }
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

/// Per including file, the entry files it includes, with the lines that include them.
type Includes<'f> = HashMap<&'f str, Vec<(String, u32)>>;

/// Which entry files are included by others (GitLab `include:`, Azure `template:`): those run
/// as part of their includer, not on their own. Per includer, the files and the lines.
fn includes<'f>(graph: &Graph, paths: &[&'f String]) -> (Includes<'f>, HashSet<String>) {
    let facts = graph.facts;
    let mut includes_of: HashMap<&str, Vec<(String, u32)>> = HashMap::new();
    let mut included: HashSet<String> = HashSet::new();
    for path in paths {
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
    (includes_of, included)
}

/// Whether a trigger with these path filters can fire: some file of the repository matches one
/// of them (a glob, or a folder standing for what is under it; `!` exclusions aside). Filters
/// that name only paths absent here (a pipeline copied from a project laid out otherwise,
/// `my_project/**`) never fire on a change to this repository.
pub(crate) fn fires(filters: &[String], files: &[String]) -> bool {
    let positive: Vec<&str> = filters
        .iter()
        .map(|f| f.trim())
        .filter(|f| !f.starts_with('!') && !f.is_empty())
        .collect();
    if positive.is_empty() || positive.iter().any(|f| f.contains('$')) {
        return true;
    }
    let mut set = globset::GlobSetBuilder::new();
    for f in &positive {
        let f = f.trim_start_matches("./").trim_start_matches('/');
        let f = f.trim_end_matches('/');
        for g in [f.to_string(), format!("{f}/**")] {
            match globset::GlobBuilder::new(&g)
                .literal_separator(false)
                .build()
            {
                Ok(g) => {
                    set.add(g);
                }
                Err(_) => return true,
            }
        }
    }
    match set.build() {
        Ok(set) => files.iter().any(|f| set.is_match(f)),
        Err(_) => true,
    }
}

/// Whether a CI trigger can start its pipeline in this repository: its path filters match a
/// file, and the workflow it waits for, if any, is one of the repository's.
pub(crate) struct Firing<'a> {
    files: &'a [String],
    workflows: &'a WorkflowNames,
}

impl Firing<'_> {
    fn fires(&self, system: &str, t: &Trigger) -> bool {
        fires(&t.paths, self.files) && !self.workflows.waits_for_none(system, t)
    }
}

/// The entry points of CI files and orchestrator definitions, and the walks they start.
fn ci_seeds(graph: &Graph, auto: &mut Automation) -> Vec<Seed> {
    let facts = graph.facts;
    let mut paths: Vec<&String> = facts.keys().collect();
    paths.sort();
    let (includes_of, included) = includes(graph, &paths);
    let mut seeds: Vec<Seed> = Vec::new();
    // Pipelines others start after they succeed (`graph::upstream`).
    let mut ups = Upstreams::default();
    let declared = super::declared::declared_starts(graph);
    let started_outside = super::declared::tekton_pipelines_started_outside(graph);
    let workflows = WorkflowNames::of(facts, graph.files);
    let firing = Firing {
        files: graph.files,
        workflows: &workflows,
    };
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
        if let Some(why) = super::foreign::not_this_repositorys(graph, path) {
            auto.copies.push((path.to_string(), why));
            continue;
        }
        // A start configured outside, which the repository's own declaration replaces.
        let replaced = |t: &Trigger| t.kind == TriggerKind::External && declared.contains(path);
        let live: Vec<Trigger> = triggers
            .iter()
            .filter(|t| firing.fires(system, t) && !replaced(t))
            .cloned()
            .collect();
        let triggers = &live;
        let name = match &facts[path] {
            FileFacts::Entry { name, .. } => name.as_deref(),
            _ => None,
        };
        ups.register(path, system, name, &live);
        for j in jobs {
            let effective = if j.triggers.is_empty() {
                triggers
            } else {
                &j.triggers
            };
            ups.follower(path, system, effective, j);
        }
        let jobs = &*super::declared::started_outside(path, jobs, &started_outside);
        add_jobs(
            auto,
            &mut seeds,
            (path, system),
            jobs,
            triggers,
            &[],
            &firing,
        );
        // GitLab: an included file's jobs are jobs of this pipeline; Semaphore: so are those of
        // a pipeline it promotes automatically.
        if matches!(&**system, "gitlab-ci" | "semaphore") {
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
                        add_jobs(auto, &mut seeds, (t, system), jobs, triggers, &pre, &firing);
                    }
                    stack.push((t.clone(), pre, depth + 1));
                }
            }
        }
    }
    for f in ups.seeds(&mut auto.after_success) {
        seeds.push(Seed {
            node: f.node,
            chain: f.chain,
            triggers: f.triggers,
            follows: true,
        });
    }
    seeds
}

/// Entry points found by rules (orchestrator schedules, CI files the graph does not read).
fn rule_seeds(
    facts: &Facts,
    rule_entries: &[(String, Trigger)],
    auto: &mut Automation,
    seeds: &mut Vec<Seed>,
) {
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
            follows: false,
        });
    }
}

/// What the walks of one build share.
struct Walks {
    unresolved: Vec<Unresolved>,
    unresolved_seen: HashSet<(String, u32, String)>,
    ids: Interner,
    /// Seeds with the same triggers (a monorepo's copies of one workflow) share one set, so a
    /// node reached by all of them keeps one index, not one per seed.
    tset_ids: HashMap<BTreeSet<Trigger>, u32>,
    /// Per (trigger set, node, via tests): the shortest chain with which a finished walk of
    /// that trigger set left the node. A later walk of the same set arriving no shorter can
    /// give nothing new below it (every node there already has this set and a chain at least
    /// as short), so it stops: walks of a monorepo's copies of one workflow no longer each
    /// re-walk the shared code (seeds x nodes). Walks cut by the node limit record nothing.
    /// Kept only while walks of that set remain, keys packed (large trees hold many).
    walked: HashMap<u32, HashMap<u64, u32>>,
    seeds_left: HashMap<BTreeSet<Trigger>, usize>,
}

fn walked_key(node: u32, mode: u8) -> u64 {
    (u64::from(node) << 3) | u64::from(mode)
}

/// One walk: its steps, and where it starts.
struct Walk {
    steps: Vec<Step>,
    /// The seed chain's hops before its last.
    prefix: Vec<Hop>,
    tset_id: u32,
}

impl Walks {
    fn new(seeds: &[Seed]) -> Walks {
        let mut seeds_left: HashMap<BTreeSet<Trigger>, usize> = HashMap::new();
        for seed in seeds {
            *seeds_left
                .entry(seed.triggers.iter().cloned().collect())
                .or_default() += 1;
        }
        Walks {
            unresolved: Vec::new(),
            unresolved_seen: HashSet::new(),
            ids: Interner::default(),
            tset_ids: HashMap::new(),
            walked: HashMap::new(),
            seeds_left,
        }
    }

    /// Walks breadth-first from `seed`, so the first chain to a node is this seed's shortest.
    /// Each step keeps only its own hop and its parent (chains are rebuilt when a node needs
    /// one), not a copy of the whole chain per queued edge.
    fn walk(&mut self, graph: &Graph, auto: &mut Automation, seed: Seed) {
        let tset: BTreeSet<Trigger> = seed.triggers.into_iter().collect();
        let last_of_set = self.seeds_left.get_mut(&tset).is_none_or(|n| {
            *n -= 1;
            *n == 0
        });
        let tset_id = *self.tset_ids.entry(tset).or_insert_with_key(|t| {
            auto.trigger_sets.push(t.clone());
            (auto.trigger_sets.len() - 1) as u32
        });
        // What a seed reaches is reached from the file its chain starts at, except a
        // follower's: what it reaches after its upstream is no part of the upstream's run.
        let entry_file = seed
            .chain
            .first()
            .filter(|_| !seed.follows)
            .map(|h| h.path.clone())
            .unwrap_or_else(|| seed.node.0.clone());
        auto.entry_seeds
            .entry(entry_file)
            .or_default()
            .push((seed.node.clone(), seed.chain.len().max(1)));
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
        let mut walk = Walk {
            steps: vec![Step {
                node: self.ids.id(&seed.node),
                parent: None,
                edge_line: 0,
                hop: StepHop::Seed(root_hop),
                len: prefix.len() + 1,
            }],
            prefix,
            tset_id,
        };
        let mut visited: HashSet<(u32, u8)> = HashSet::new();
        let mut left: Vec<(u64, u32)> = Vec::new();
        let mut cut = false;
        let mut queue = VecDeque::from([(0usize, 0u8)]);
        while let Some((at, mode)) = queue.pop_front() {
            let node_id = walk.steps[at].node;
            if !visited.insert((node_id, mode)) {
                continue;
            }
            if visited.len() > 50_000 {
                cut = true;
                continue;
            }
            let len = walk.steps[at].len;
            let key = walked_key(node_id, mode);
            if self
                .walked
                .get(&tset_id)
                .and_then(|w| w.get(&key))
                .is_some_and(|&l| l as usize <= len)
            {
                continue;
            }
            if !last_of_set {
                left.push((key, len as u32));
            }
            let entry = self.visit(graph, auto, &walk, at, mode);
            if len >= 32 {
                continue;
            }
            for (i, e) in entry.0.iter().enumerate() {
                let to = self.ids.id(&e.to);
                let next = mode | e.modes();
                // Already walked from here: popping it again would do nothing.
                if visited.contains(&(to, next)) {
                    continue;
                }
                walk.steps.push(Step {
                    node: to,
                    parent: Some(at),
                    edge_line: e.line,
                    hop: StepHop::Edge(Rc::clone(&entry), i),
                    len: len + 1,
                });
                queue.push_back((walk.steps.len() - 1, next));
            }
        }
        if last_of_set {
            self.walked.remove(&tset_id);
        } else if !cut {
            // A walk leaves each state once, at its shortest (breadth-first): earlier walks
            // may have left it shorter.
            let w = self.walked.entry(tset_id).or_default();
            for (key, len) in left {
                let l = w.entry(key).or_insert(len);
                *l = (*l).min(len);
            }
        }
    }

    /// Records that the walk reached step `at` (its chain, if shorter, and its triggers) and
    /// the commands there it could not resolve; returns the node's edges.
    fn visit(
        &mut self,
        graph: &Graph,
        auto: &mut Automation,
        walk: &Walk,
        at: usize,
        mode: u8,
    ) -> EdgeEntry {
        let facts = graph.facts;
        let len = walk.steps[at].len;
        let node = self.ids.node(walk.steps[at].node).clone();
        let reach = match auto.reached.get_mut(&node) {
            Some(r) => {
                if len < r.chain.len() {
                    r.chain = chain_of(&walk.steps, at, &walk.prefix, facts);
                }
                r.always &= mode;
                r
            }
            None => auto.reached.entry(node.clone()).or_insert(Reach {
                chain: chain_of(&walk.steps, at, &walk.prefix, facts),
                trigger_sets: Vec::new(),
                always: mode,
            }),
        };
        if !reach.trigger_sets.contains(&walk.tset_id) {
            reach.trigger_sets.push(walk.tset_id);
        }
        let entry = graph.edges_entry(&node, mode & MODE_TESTS != 0);
        // Each unresolved command is reported once, with the chain of the first walk that
        // met it; later walks add nothing (kept from filling memory in a large monorepo).
        let fresh: Vec<&Unresolved> = entry
            .1
            .iter()
            .filter(|u| {
                self.unresolved_seen
                    .insert((u.path.clone(), u.line, u.command.clone()))
            })
            .collect();
        if !fresh.is_empty() {
            // Unresolved commands keep their place in the chain.
            let chain = chain_of(&walk.steps, at, &walk.prefix, facts);
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
                self.unresolved.push(Unresolved {
                    chain: c,
                    ..u.clone()
                });
            }
        }
        entry
    }
}

/// Lists an entry file's jobs and seeds the runnable ones. `prefix`: the hops from the
/// including file (GitLab `include:`), whose triggers jobs without their own inherit.
/// A job's own path-filtered triggers (a GitOps application's path) fire as a file's do: only
/// when a file of the tree matches (`files`).
pub(crate) fn add_jobs(
    auto: &mut Automation,
    seeds: &mut Vec<Seed>,
    (path, system): (&str, &str),
    jobs: &[Job],
    file_triggers: &[Trigger],
    prefix: &[Hop],
    firing: &Firing<'_>,
) {
    for j in jobs {
        if !j.may_fail.is_empty() {
            auto.may_fail
                .entry(path.to_string())
                .or_default()
                .extend(j.may_fail.iter().copied());
        }
        // A file that runs only when included or called (a GitLab fragment, an Azure
        // Pipelines template) runs its jobs only then, whatever triggers the jobs name: their
        // `only:`/`rules:` filter the including pipeline's triggers, which its caller applies.
        let only_called = !file_triggers.is_empty()
            && file_triggers.iter().all(|x| x.kind == TriggerKind::Called);
        let t: Vec<Trigger> = if j.triggers.is_empty() || only_called {
            file_triggers.to_vec()
        } else {
            j.triggers
                .iter()
                .filter(|x| firing.fires(system, x))
                .cloned()
                .collect()
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
            follows: false,
        });
    }
}

/// Breadth-first from `start` (whose chain already has `len0` hops) within the limits of
/// [`build`]'s walks: each node once per via-tests state, at most 50,000 of them, chains of at
/// most 32 hops. `visit` sees each node and ends the walk by returning true (then so does this).
pub(crate) fn walk_from(
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
