//! Training spread over modules ([`crate::matcher::CrossModule`]): a module that fits what
//! another module's imports provide trains. Resolved here, where every module's scan and the
//! graph's module resolver are at hand.

use crate::catalogue::Catalogue;
use crate::evidence::{self, ProjectFacts};
use crate::graph::Graph;
use crate::matcher::Hit;
use crate::matcher::imports::MAX_HOPS;
use crate::model::{Evidence, FileFacts};
use crate::paths::parent;
use crate::pipeline::file_scan::FileScan;
use std::collections::{HashMap, HashSet};

/// The evidence of [`hits`].
pub(crate) fn evidence(
    cat: &Catalogue,
    graph: &Graph,
    scans: &[&FileScan],
    project: &ProjectFacts,
) -> Vec<Evidence> {
    hits(graph, scans)
        .into_iter()
        .flat_map(|(i, hit)| {
            let s = scans[i];
            evidence::from_hits(cat, &s.rel, s.origin, std::slice::from_ref(&hit), project)
        })
        .collect()
}

/// The hits (with the index of their scan) of modules that need a rule's imports and import,
/// within [`MAX_HOPS`] project modules, one that provides them.
pub(crate) fn hits(graph: &Graph, scans: &[&FileScan]) -> Vec<(usize, Hit)> {
    let facts = graph.facts;
    let needing: Vec<usize> = (0..scans.len())
        .filter(|&i| scans[i].cross.as_ref().is_some_and(|c| !c.needs.is_empty()))
        .collect();
    if needing.is_empty() {
        return Vec::new();
    }
    let providers: HashMap<&str, &[usize]> = scans
        .iter()
        .filter_map(|s| Some((s.rel.as_str(), s.cross.as_ref()?.provides.as_slice())))
        .filter(|(_, p)| !p.is_empty())
        .collect();
    let mut out = Vec::new();
    for i in needing {
        let s = scans[i];
        let Some(cross) = &s.cross else { continue };
        let mut provided: HashSet<usize> = HashSet::new();
        let mut seen: HashSet<String> = HashSet::from([s.rel.clone()]);
        let mut frontier = vec![s.rel.clone()];
        for _ in 0..MAX_HOPS {
            let mut next = Vec::new();
            for f in &frontier {
                let Some(FileFacts::Python { imports, .. }) = facts.get(f) else {
                    continue;
                };
                let bases = vec![String::new(), parent(f).to_string()];
                for (_, m) in imports {
                    if let Some(p) = graph.resolve_module(m, f, &bases)
                        && seen.insert(p.clone())
                    {
                        if let Some(rules) = providers.get(p.as_str()) {
                            provided.extend(rules.iter().copied());
                        }
                        next.push(p);
                    }
                }
            }
            frontier = next;
        }
        out.extend(
            cross
                .needs
                .iter()
                .filter(|h| provided.contains(&h.rule))
                .map(|h| (i, h.clone())),
        );
    }
    out
}
