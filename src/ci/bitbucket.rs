//! Bitbucket Pipelines: `bitbucket-pipelines.yml`, one job per pipeline of each section
//! (default, branches, pull-requests, custom, tags).

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, ranges, scalar_commands, trig};
use crate::model::{FileFacts, Job, TriggerKind};
use crate::paths::file_name;
use crate::read::Document;
use crate::read::structured::Node;

pub(crate) fn bitbucket(root: &Node, end: u32, here: &str) -> FileFacts {
    let mut jobs = Vec::new();
    let Some(p) = root.get("pipelines") else {
        return entry("bitbucket", Vec::new(), Vec::new());
    };
    let sections = p.entries();
    for ((k, l, v), (_, sec_end)) in sections.iter().zip(ranges(sections, end)) {
        let kind = match k.as_str() {
            "default" | "branches" => TriggerKind::Push,
            "pull-requests" => TriggerKind::PullRequest,
            "custom" => TriggerKind::Manual,
            "tags" => TriggerKind::Release,
            _ => TriggerKind::Event,
        };
        let named: Vec<(String, u32, &Node)> = if k == "default" {
            vec![(k.clone(), *l, v)]
        } else {
            v.entries()
                .iter()
                .map(|(n, nl, nv)| (format!("{k}/{n}"), *nl, nv))
                .collect()
        };
        for (name, nl, nv) in named {
            jobs.push(Job::new(
                name,
                (nl, sec_end),
                vec![trig(kind, None, nl)],
                scalar_commands(nv, false, here),
            ));
        }
    }
    // Jobs of one section share its range; narrow each to the next job's start.
    for i in 0..jobs.len().saturating_sub(1) {
        let next = jobs[i + 1].line;
        if next > jobs[i].line {
            jobs[i].end = jobs[i].end.min(next - 1);
        }
    }
    entry("bitbucket", Vec::new(), jobs)
}

/// Bitbucket Pipelines.
pub(crate) struct Bitbucket;

impl CiSystem for Bitbucket {
    fn id(&self) -> &'static str {
        "bitbucket"
    }
    fn at(&self, rel: &str) -> bool {
        file_name(rel) == "bitbucket-pipelines.yml"
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        Some(bitbucket(y.root, y.end, &y.here))
    }
    fn fixed_location(&self, rel: &str) -> bool {
        file_name(rel) == "bitbucket-pipelines.yml"
    }
    /// Bitbucket reads only the root `bitbucket-pipelines.yml`.
    fn copy(&self, rel: &str) -> Option<String> {
        crate::ci::copy_below(
            self.at(rel),
            crate::paths::parent(rel),
            "Bitbucket Pipelines reads only the root `bitbucket-pipelines.yml`",
        )
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "bitbucket-pipelines.yml",
            "pipelines:\n  default:\n    - step:\n        script:\n          - pytest\n",
        )]
    }
}
