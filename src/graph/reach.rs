//! What the walks reached: the chain and triggers that make a line of a file automated.

use crate::graph::walk::walk_from;
use crate::graph::{Automation, Graph, NodeId, Reach};
use crate::model::{Evidence, Facts, FileFacts, Hop, Tier, Trigger};
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
    pub(crate) fn promote(&self, facts: &Facts, evidence: &mut [Evidence]) {
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
