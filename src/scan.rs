//! The pipeline, start to end: walk → read → match → evidence → automation graph →
//! capabilities → model levels → report. Each stage lives in its own module; this one only
//! wires them together, reading every file at most once, in parallel.

use crate::automation::{self, Automation, Graph, Trigger, TriggerKind, extract::FileFacts};
use crate::capabilities::{self, Attestation};
use crate::evidence::{self, Evidence, ProjectFacts};
use crate::levels;
use crate::matcher::{Hit, Matcher};
use crate::read::{self, Origin, ReadOutcome};
use crate::report::{self, Report, Stats};
use crate::rules::{Catalogue, DataError, Tier};
use crate::walk::{self, WalkOptions};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub walk: WalkOptions,
    /// Capabilities attested in the config: (capability, reason, link).
    pub attestations: Vec<(String, String, Option<String>)>,
}

#[derive(Debug)]
pub enum ScanError {
    /// The path cannot be scanned (missing, not a directory).
    Input(String),
    Rules(DataError),
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            ScanError::Input(s) => write!(f, "{s}"),
            ScanError::Rules(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ScanError {}

/// What one file contributed, kept after its text is dropped (bounded memory).
struct FileScan {
    rel: String,
    origin: Origin,
    hits: Vec<Hit>,
    facts: Option<FileFacts>,
    project: ProjectFacts,
    bytes: u64,
    warning: Option<String>,
    binary: bool,
}

/// Files the automation graph or the project facts read even when no rule asks for them.
fn wanted_without_rules(rel: &str) -> bool {
    let name = automation::extract::file_name(rel);
    rel.ends_with(".py")
        || rel.ends_with(".ipynb")
        || rel.ends_with(".yml")
        || rel.ends_with(".yaml")
        || rel.ends_with(".sh")
        || rel.ends_with(".mk")
        || matches!(
            name,
            "Makefile" | "makefile" | "GNUmakefile" | "Jenkinsfile" | "pyproject.toml" | "setup.cfg"
        )
}

/// Gate capabilities: evidence of one of these in the same automation as a deployment makes
/// that deployment "behind a release gate" (spec §3.1, Azure 3).
const RELEASE_GATES: &[&str] = &[
    "model_validation_gate",
    "unit_tests",
    "ml_code_tests",
    "integration_tests",
];

pub fn scan(root: &Path, cat: &Catalogue, opts: &ScanOptions) -> Result<Report, ScanError> {
    let walked = walk::walk(root, &opts.walk).map_err(ScanError::Input)?;
    let matcher = Matcher::new(&cat.rules).map_err(ScanError::Rules)?;

    let scans: Vec<FileScan> = walked
        .files
        .par_iter()
        .filter_map(|f| {
            let candidates = matcher.candidates(&f.rel);
            let path_facts = ProjectFacts::from_path(&f.rel);
            if candidates.is_empty() && !wanted_without_rules(&f.rel) {
                return (!path_facts.ml_signals.is_empty() || !path_facts.own_packages.is_empty())
                    .then(|| FileScan {
                        rel: f.rel.clone(),
                        origin: Origin::Code,
                        hits: Vec::new(),
                        facts: None,
                        project: path_facts,
                        bytes: 0,
                        warning: None,
                        binary: false,
                    });
            }
            Some(match read::read_file(&f.abs, &f.rel) {
                ReadOutcome::Doc(doc) => {
                    let hits = matcher.match_doc(&doc, &candidates);
                    let facts = automation::extract::extract(&doc);
                    let warning = doc.parse_error().map(|e| {
                        format!("{}:{}:{}: cannot parse: {}", f.rel, e.line, e.column, e.message)
                    });
                    FileScan {
                        rel: f.rel.clone(),
                        origin: doc.origin,
                        hits,
                        facts,
                        project: ProjectFacts::from_doc(&doc),
                        bytes: f.size,
                        warning,
                        binary: false,
                    }
                }
                ReadOutcome::Binary => FileScan {
                    rel: f.rel.clone(),
                    origin: Origin::Code,
                    hits: Vec::new(),
                    facts: None,
                    project: path_facts,
                    bytes: 0,
                    warning: None,
                    binary: true,
                },
                ReadOutcome::Unreadable(w) => FileScan {
                    rel: f.rel.clone(),
                    origin: Origin::Code,
                    hits: Vec::new(),
                    facts: None,
                    project: path_facts,
                    bytes: 0,
                    warning: Some(w),
                    binary: false,
                },
            })
        })
        .collect();

    let mut project = ProjectFacts::default();
    let mut skipped = walked.skipped.clone();
    let mut warnings = walked.warnings.clone();
    let mut facts: HashMap<String, FileFacts> = HashMap::new();
    let mut bytes = 0;
    let mut files_read = 0;
    let mut pending = Vec::new();
    for s in scans {
        project.absorb(s.project);
        if s.binary {
            skipped.binary += 1;
        }
        if s.bytes > 0 {
            files_read += 1;
            bytes += s.bytes;
        }
        if let Some(w) = s.warning
            && warnings.len() < 200
        {
            warnings.push(w);
        }
        if let Some(f) = s.facts {
            facts.insert(s.rel.clone(), f);
        }
        if !s.hits.is_empty() {
            pending.push((s.rel, s.origin, s.hits));
        }
    }
    for l in &walked.large {
        if evidence::is_model_artifact(&l.path) {
            project.ml_signals.push(l.path.clone());
        }
    }

    let mut evs: Vec<Evidence> = pending
        .into_iter()
        .flat_map(|(rel, origin, hits)| evidence::from_hits(cat, &rel, origin, hits, &project))
        .collect();
    if walked.has_git && cat.capability("version_control").is_some() {
        let dirty = walked.large.iter().any(|l| evidence::is_model_artifact(&l.path));
        evs.push(Evidence {
            rule: "builtin-git-repository".into(),
            capability: "version_control".into(),
            path: ".git".into(),
            line: None,
            tier: if dirty { Tier::Mentioned } else { Tier::Implemented },
            chain: Vec::new(),
            triggers: Vec::new(),
            origin: None,
            snippet: None,
            facets: Vec::new(),
            note: dirty.then(|| "large model binaries are committed to git".to_string()),
        });
    }

    // Orchestrator schedules found by rules are entry points too.
    let rule_entries: Vec<(String, Trigger)> = evs
        .iter()
        .filter(|e| e.capability == "continuous_training_trigger" && e.tier == Tier::Implemented)
        .map(|e| {
            (
                e.path.clone(),
                Trigger {
                    kind: TriggerKind::Schedule,
                    detail: e.snippet.clone(),
                    line: e.line.unwrap_or(1),
                },
            )
        })
        .collect();
    let file_list: Vec<String> = walked.files.iter().map(|f| f.rel.clone()).collect();
    let auto = automation::build(&file_list, &facts, &rule_entries);
    auto.promote(&facts, &mut evs);
    add_graph_facets(&auto, &file_list, &facts, &mut evs);

    let mut caps = capabilities::assess(cat, evs);
    for (cap, reason, link) in &opts.attestations {
        if let Some(c) = caps.iter_mut().find(|c| &c.id == cap) {
            c.attested = Some(Attestation {
                reason: reason.clone(),
                link: link.clone(),
            });
        }
    }
    let models = levels::evaluate(cat, &caps);
    capabilities::cap_evidence(&mut caps);

    project.ml_signals.sort();
    project.ml_signals.dedup();
    Ok(Report {
        schema_version: report::SCHEMA_VERSION,
        tool: report::Tool::default(),
        root: root.display().to_string(),
        ml_project: report::MlProject {
            detected: !project.ml_signals.is_empty(),
            signals: project.ml_signals.iter().take(10).cloned().collect(),
        },
        models,
        capabilities: caps,
        automation: report::Automation {
            entry_points: auto.entry_points.clone(),
            unresolved: auto.unresolved.clone(),
        },
        committed_artifacts: walked
            .large
            .iter()
            .filter(|l| evidence::is_model_artifact(&l.path))
            .cloned()
            .collect(),
        stats: Stats {
            files_seen: walked.files.len() + walked.large.len(),
            files_read,
            bytes_read: bytes,
            rules: cat.rules.len(),
            skipped,
        },
        targets: Vec::new(),
        warnings,
    })
}

/// Facets that need the graph: a pipeline that reaches training code contains a training
/// step; a deployment run by the same automation as tests or a validation gate is gated.
fn add_graph_facets(
    auto: &Automation,
    files: &[String],
    facts: &HashMap<String, FileFacts>,
    evs: &mut [Evidence],
) {
    let mut index: HashMap<String, Vec<(Option<u32>, String)>> = HashMap::new();
    for e in evs.iter().filter(|e| e.tier >= Tier::Implemented) {
        index
            .entry(e.path.clone())
            .or_default()
            .push((e.line, e.capability.clone()));
    }
    let graph = Graph::new(files, facts);
    for e in evs.iter_mut() {
        if e.capability == "ml_pipeline_orchestration"
            && e.tier >= Tier::Implemented
            && !e.facets.iter().any(|f| f == "training")
            && Automation::reaches(&graph, facts, &e.path, &index, &["model_training"])
        {
            e.facets.push("training".into());
        }
        if e.capability == "continuous_delivery"
            && e.tier == Tier::Automated
            && !e.facets.iter().any(|f| f == "gated")
            && let Some(entry) = e.chain.first().map(|h| h.path.clone())
        {
            let gated = auto.entry_reach(&entry).any(|p| {
                index
                    .get(p)
                    .is_some_and(|v| v.iter().any(|(_, c)| RELEASE_GATES.contains(&c.as_str())))
            });
            if gated {
                e.facets.push("gated".into());
            }
        }
    }
}
