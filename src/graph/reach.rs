//! What the walks reached: the chain and triggers that make a line of a file automated.

use crate::catalogue::builtin::capability;
use crate::catalogue::builtin::facet;
use crate::graph::memo::{MODE_MASKED, MODE_TESTS, MODE_TRACKING_OFF};
use crate::graph::walk::walk_from;
use crate::graph::{Automation, Graph, NodeId, Reach};
use crate::model::{Command, Evidence, Facts, FileFacts, Hop, Tier, Trigger};
use crate::shell::ShellState;
use std::collections::{BTreeSet, HashMap};

/// The node of `path` whose lines contain `line`: a job, a target or the whole file.
pub(crate) fn node_for(facts: &Facts, path: &str, line: Option<u32>) -> Vec<NodeId> {
    let mut out: Vec<NodeId> = facts
        .get(path)
        .map(|f| jobs_at(f, line))
        .into_iter()
        .flatten()
        .map(|j| (path.to_string(), Some(j.to_string())))
        .collect();
    out.push((path.to_string(), None));
    // A Dockerfile's lines are reached by a build of its image or a run of it from the root.
    if crate::facts::dockerfile::is_dockerfile(crate::paths::file_name(path)) {
        for sub in [
            crate::facts::dockerfile::BUILD_ONLY,
            crate::facts::dockerfile::ROOT_CONTEXT,
        ] {
            out.push((path.to_string(), Some(sub.to_string())));
        }
    }
    out
}

/// The CI jobs or Make/DVC targets of a file that hold `line`: where evidence on that line is
/// placed in the graph. A job nested in another (a GitHub step that only a dispatch switches
/// on, read as a job of its own) decides its lines.
pub fn jobs_at(facts: &FileFacts, line: Option<u32>) -> Vec<&str> {
    let Some(l) = line else {
        return Vec::new();
    };
    match facts {
        FileFacts::Entry { jobs, .. } => {
            let holding: Vec<&crate::model::Job> = jobs
                .iter()
                .filter(|j| !j.name.is_empty() && j.line <= l && l <= j.end)
                .collect();
            let nests = |outer: &crate::model::Job, inner: &crate::model::Job| {
                outer.line <= inner.line
                    && inner.end <= outer.end
                    && (outer.line, outer.end) != (inner.line, inner.end)
            };
            holding
                .iter()
                .filter(|o| !holding.iter().any(|i| nests(o, i)))
                .map(|j| j.name.as_str())
                .collect()
        }
        FileFacts::Targets { targets, .. } => targets
            .iter()
            .filter(|t| t.line <= l && l <= t.end)
            .map(|t| t.name.as_str())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the command at `line` of a CI job, Makefile target or script ignores its failure
/// (`|| true`, after `set +e`): every command that runs something there is masked.
fn masked_line(facts: &Facts, path: &str, line: Option<u32>) -> bool {
    let Some(line) = line else {
        return false;
    };
    let lists: Vec<&Vec<Command>> = match facts.get(path) {
        Some(FileFacts::Entry { jobs, .. }) => jobs.iter().map(|j| &j.commands).collect(),
        Some(FileFacts::Targets { targets, .. }) => targets.iter().map(|t| &t.commands).collect(),
        Some(FileFacts::Commands(c)) => vec![c],
        _ => return false,
    };
    for cmds in lists {
        if !cmds.iter().any(|c| c.line == line && c.shell) {
            continue;
        }
        let mut state = ShellState::default();
        for c in cmds.iter().filter(|c| c.shell && c.line <= line) {
            let mut cwd = c.cwd.clone();
            let simples = crate::shell::parse_line_with(&c.text, &mut cwd, &mut state);
            // (A line may hold a `set` written for it, which runs nothing: the command after.)
            if c.line == line && !simples.is_empty() {
                return simples.iter().all(|s| s.masked);
            }
        }
    }
    false
}

impl Automation {
    /// The triggers of every walk that reached `r`.
    pub(crate) fn triggers_of(&self, r: &Reach) -> BTreeSet<Trigger> {
        r.trigger_sets
            .iter()
            .flat_map(|&i| self.trigger_sets[i as usize].iter().cloned())
            .collect()
    }

    pub(crate) fn reach_of(
        &self,
        facts: &Facts,
        path: &str,
        line: Option<u32>,
    ) -> Option<(Vec<Hop>, BTreeSet<Trigger>)> {
        self.reach_with_modes(facts, path, line)
            .map(|(c, t, _)| (c, t))
    }

    /// [`Automation::reach_of`], with the walk modes every walk that reached there was in.
    pub(crate) fn reach_with_modes(
        &self,
        facts: &Facts,
        path: &str,
        line: Option<u32>,
    ) -> Option<(Vec<Hop>, BTreeSet<Trigger>, u8)> {
        let nodes = node_for(facts, path, line);
        // An entry file's own lines are automated by the job holding them, or by the file.
        let in_entry = matches!(facts.get(path), Some(FileFacts::Entry { .. }));
        let in_job = nodes.iter().any(|n| n.1.is_some());
        // A line in a job runs when the job runs and when the file runs as a whole (a workflow
        // dispatched by `gh workflow run`): the triggers of both, the chain of one started
        // without a person where there is one.
        let mut found: Option<(Vec<Hop>, BTreeSet<Trigger>, u8)> = None;
        for n in &nodes {
            // A line outside any job of an entry file is not decided by whoever reached the
            // file as a whole (a caller of a reusable workflow): see below.
            if in_entry && !in_job && n.1.is_none() {
                continue;
            }
            let Some(r) = self.reached.get(n) else {
                continue;
            };
            let triggers = self.triggers_of(r);
            found = Some(match found {
                None => (r.chain.clone(), triggers, r.always),
                Some((chain, mut all, always)) => {
                    let unattended = |t: &BTreeSet<Trigger>| t.iter().any(|t| !t.kind.is_manual());
                    let chain = if !unattended(&all) && unattended(&triggers) {
                        r.chain.clone()
                    } else {
                        chain
                    };
                    // One of each kind and detail (the same dispatch seen through both).
                    for t in triggers {
                        if !all.iter().any(|a| a.kind == t.kind && a.detail == t.detail) {
                            all.insert(t);
                        }
                    }
                    (chain, all, always & r.always)
                }
            });
        }
        if found.is_some() {
            return found;
        }
        if in_entry && !in_job {
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
            return Some((chain, triggers, 0));
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
    /// Reached only through test runs (or smoke runs of a script), only what tests exercise is
    /// automated; reached only with tracking switched off, tracking is not (docs/levels.md,
    /// "Known over-detection").
    pub(crate) fn promote(&self, facts: &Facts, evidence: &mut [Evidence]) {
        for ev in evidence.iter_mut() {
            if ev.tier != Tier::Implemented {
                continue;
            }
            if let Some(l) = ev.line
                && let Some((_, _, why)) = self
                    .stopped
                    .get(&ev.path)
                    .and_then(|r| r.iter().find(|(a, b, _)| (*a..=*b).contains(&l)))
            {
                ev.note.get_or_insert_with(|| why.clone());
                continue;
            }
            if let Some((mut chain, triggers, always)) =
                self.reach_with_modes(facts, &ev.path, ev.line)
            {
                let cap = ev.capability.clone();
                let cap = cap.as_str();
                if always & MODE_TESTS != 0 && !capability::EXERCISED_BY_TESTS.contains(&cap) {
                    ev.note.get_or_insert_with(|| {
                        "run only by tests or a smoke run in CI: exercised, not automated".into()
                    });
                    continue;
                }
                if always & MODE_TRACKING_OFF != 0 && capability::TRACKING.contains(&cap) {
                    ev.note.get_or_insert_with(|| {
                        "CI runs this with experiment tracking switched off".into()
                    });
                    continue;
                }
                ev.tier = Tier::Automated;
                if capability::RELEASE_GATES.contains(&cap)
                    && (always & MODE_MASKED != 0 || masked_line(facts, &ev.path, ev.line))
                {
                    ev.facets.push(facet::MASKED.into());
                    ev.note.get_or_insert_with(|| {
                        "its failure is ignored (`|| true`, `set +e`, a task in `dry_run` mode): it gates nothing"
                            .into()
                    });
                    // A model check that every run ignores is no release gate: it only
                    // reports (the tests it masks still ran, and count as tests).
                    if cap == capability::MODEL_VALIDATION_GATE {
                        ev.tier = Tier::Mentioned;
                    }
                }
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
    pub(crate) fn reaches(
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

    /// Whether a walk from the file `start` reaches a file `wanted` accepts.
    pub(crate) fn reaches_file(graph: &Graph, start: &str, wanted: impl Fn(&str) -> bool) -> bool {
        walk_from(graph, (start.to_string(), None), 1, |node| {
            node.0 != start && wanted(&node.0)
        })
    }

    /// Files reached from an entry file's jobs: the same walks as [`build`] (each job's own,
    /// with its limits), without chains.
    pub(crate) fn entry_reach(&self, graph: &Graph, entry_file: &str) -> Vec<String> {
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
