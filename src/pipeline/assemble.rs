//! Stages evidence → automation → capabilities → levels → report, from per-file scans. The
//! scans are borrowed: `ripen history` shares them with its cache across commits.

use crate::assess::{capabilities, facets, projects};
use crate::catalogue::Catalogue;
use crate::catalogue::builtin::capability;
use crate::evidence::ProjectFacts;
use crate::evidence::{self};
use crate::graph::Graph;
use crate::model::SkipStats;
use crate::model::{Evidence, Facts, FileFacts, Report, Stats, Tier, Trigger, TriggerKind};
use crate::pipeline::ScanOptions;
use crate::pipeline::cross_module;
use crate::pipeline::file_scan::{FileScan, project_of};
use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the walk (or a git tree) knew about the whole tree, beside the per-file scans.
pub(crate) struct Tree {
    pub root: String,
    /// Every file considered, sorted, relative to the root.
    pub files: Vec<String>,
    pub large: Vec<crate::model::LargeFile>,
    pub skipped: crate::model::SkipStats,
    pub warnings: Vec<String>,
    pub has_git: bool,
    /// The automation graph's edges from an earlier tree, still valid for this one (kept by
    /// `ripen history` across commits); None: computed afresh.
    pub edges: Option<std::rc::Rc<crate::graph::EdgeMemo>>,
    /// Files read that held nothing ripen uses, and their bytes: counted in the statistics,
    /// their scans not kept.
    pub quiet_reads: (usize, u64),
}

/// Stages evidence → automation → capabilities → levels → report, from per-file scans.
/// The scans are borrowed (`ripen history` shares them with its cache across commits).
pub(crate) fn assemble<S: Borrow<FileScan>>(
    cat: &Catalogue,
    opts: &ScanOptions,
    tree: Tree,
    scans: Vec<S>,
) -> Report {
    assemble_for(cat, opts, tree, scans, Wanted::Report)
}

/// [`assemble`]'s models alone, as `ripen history` keeps them: the parts of a report only
/// renderers read (redacted chains and unresolved commands, per-project reports, capability
/// evidence lists) are not built. On azureml-examples they were two thirds of each assembly.
/// The levels are those a gate counts: evidence from the repository's own rules and its
/// attestations only when the caller trusts them (`opts.trust`), as for `scan --fail-under`.
pub(crate) fn assemble_models<S: Borrow<FileScan>>(
    cat: &Catalogue,
    opts: &ScanOptions,
    tree: Tree,
    scans: Vec<S>,
) -> BTreeMap<String, crate::model::ModelResult> {
    assemble_for(cat, opts, tree, scans, Wanted::Models).models
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Wanted {
    Report,
    /// Only `models` (and what decides them) is filled in.
    Models,
}

pub(crate) fn assemble_for<S: Borrow<FileScan>>(
    cat: &Catalogue,
    opts: &ScanOptions,
    tree: Tree,
    scans: Vec<S>,
    wanted: Wanted,
) -> Report {
    let full = wanted == Wanted::Report;
    let scans: Vec<&FileScan> = scans.iter().map(Borrow::borrow).collect();
    let mut read = Read::of(&tree, &scans);
    let mut evs: Vec<Evidence> = scans
        .iter()
        .filter(|s| !s.hits.is_empty())
        .flat_map(|s| evidence::from_hits(cat, &s.rel, s.origin, &s.hits, &read.project))
        .collect();
    builtin_evidence(&tree, &read.facts, &mut evs);
    let local_memo = crate::graph::EdgeMemo::default();
    let mut graph = Graph::new(
        &tree.files,
        &read.facts,
        tree.edges.as_deref().unwrap_or(&local_memo),
    );
    know_the_tree(&mut graph, &tree.root, &scans);
    // Modules that fit what the modules they import provide (a model factory, a registry).
    evs.extend(cross_module::evidence(cat, &graph, &scans, &read.project));
    let rule_entries = started_rule_entries(&graph, &evs, &read.facts);
    let auto = crate::graph::build_shared(&graph, &rule_entries);
    what_the_automation_does(&auto, &graph, &read.facts, &tree.files, full, &mut evs);
    // A sub-directory of a repository (`--enclosing-repo`): its own evidence, and the
    // repository's automation that reaches into it.
    if let Some(scope) = opts.scope.as_deref().filter(|s| !s.is_empty()) {
        evs = projects::project_evidence(&auto, &graph, scope, &evs);
    }

    let projects = if full && opts.per_project {
        projects::per_project(cat, &auto, &graph, &tree.files, &evs)
    } else {
        Vec::new()
    };
    let separate = projects::separate_systems(cat, &auto, &graph, &read.facts, &evs);
    read.project.add_training_signals(&evs);
    use crate::assess::gate;
    let gate_evs = full.then(|| gate::gate_evidence(opts, &evs)).flatten();
    let repo_warning = gate::repository_rules_warning(&gate::repository_rules(&evs));
    let mut caps = if full {
        crate::assess::capabilities::assess_with_attestations(cat, opts, evs)
    } else {
        // Models alone (history): only what a gate counts, the same filter as gate_models.
        gate::gate_capabilities(cat, opts, gate::gate_evidence(opts, &evs).unwrap_or(evs))
    };
    let mut models = crate::assess::models::evaluate(cat, &caps);
    if let Some(best) = separate {
        projects::take_lower(&mut models, best);
    }
    // What a gate counts (without untrusted repository rules and attestations).
    let gate_models = gate_evs.map(|evs| gate::gate_models(cat, opts, evs, &models));
    if full {
        capabilities::cap_evidence(&mut caps);
    }

    read.project.ml_signals.sort();
    read.project.ml_signals.dedup();
    let readme = readme_of(&tree.files);
    let mut report = Report {
        schema_version: crate::model::SCHEMA_VERSION,
        tool: crate::model::Tool::default(),
        ml_project: crate::model::MlProject {
            detected: !read.project.ml_signals.is_empty(),
            signals: read.project.ml_signals.iter().take(10).cloned().collect(),
        },
        models,
        capabilities: caps,
        automation: automation_of(&auto, full),
        committed_artifacts: tree
            .large
            .iter()
            .filter(|l| evidence::is_model_artifact(&l.path))
            .cloned()
            .collect(),
        stats: Stats {
            files_seen: tree.files.len() + tree.large.len(),
            files_read: read.files_read,
            bytes_read: read.bytes,
            rules: cat.rules.len(),
            skipped: read.skipped,
        },
        root: tree.root,
        targets: Vec::new(),
        warnings: read.warnings,
        config: opts.config.clone(),
        readme,
        attestations: Vec::new(),
        waivers: Vec::new(),
        browse_url: None,
        projects,
        history: None,
        scope: opts.scope.clone().filter(|s| !s.is_empty()),
        gate_models,
    };
    report.warnings.splice(0..0, repo_warning);
    crate::assess::waivers::apply(
        &mut report,
        &opts.attestations,
        !opts.no_attestations,
        &opts.waivers,
        opts.today.unwrap_or_else(crate::model::Date::today),
    );
    report
}

/// What the automation does to the evidence: promoted where it reaches, held back where it
/// cannot run or fails, builds and deployments judged, the graph's facets added.
fn what_the_automation_does(
    auto: &crate::graph::Automation,
    graph: &Graph,
    facts: &Facts,
    files: &[String],
    full: bool,
    evs: &mut Vec<Evidence>,
) {
    auto.promote(facts, evs);
    let failing_commands = facets::what_cannot_run(files, facts, evs);
    mark_copies(&auto.copies, evs);
    // Chains quote CI commands (`curl -H "Authorization: Bearer ..."`) and reports are shared:
    // redact them as snippets are, here once, after promotion.
    if full {
        evs.iter_mut().for_each(|e| redact_chain(&mut e.chain));
    }
    let failing =
        crate::assess::failing::Failing::new(&auto.stopped, &auto.fails, failing_commands);
    crate::assess::setup_builds::drop_setup_only_builds(facts, files, &failing, evs);
    facets::ci_builds_through_scripts(facts, evs);
    crate::assess::deployments::deployment_facets(facts, evs);
    facets::add_graph_facets(auto, graph, evs);
}

/// The top-level README (Markdown first, then the shortest name).
fn readme_of(files: &[String]) -> Option<String> {
    files
        .iter()
        .filter(|f| !f.contains('/') && f.to_ascii_lowercase().starts_with("readme"))
        .min_by_key(|f| (!f.to_ascii_lowercase().ends_with(".md"), f.len()))
        .cloned()
}

/// The report's automation: entry points, commands left unresolved (cleaned and redacted, in
/// full reports) and CI for another repository.
fn automation_of(auto: &crate::graph::Automation, full: bool) -> crate::model::Automation {
    crate::model::Automation {
        entry_points: auto.entry_points.clone(),
        unresolved: auto
            .unresolved
            .iter()
            .filter(|_| full)
            .cloned()
            .map(|mut u| {
                u.command = evidence::clean_snippet(&u.command);
                redact_chain(&mut u.chain);
                u
            })
            .collect(),
        ci_for_another_repository: ci_copies(&auto.copies),
    }
}

/// What the scans of a tree add up to before any evidence: the project facts, the graph
/// facts by path, warnings and counts.
struct Read {
    project: ProjectFacts,
    facts: Facts,
    skipped: SkipStats,
    warnings: Vec<String>,
    files_read: usize,
    bytes: u64,
}

impl Read {
    fn of(tree: &Tree, scans: &[&FileScan]) -> Read {
        let mut project = project_of(scans);
        let mut skipped = tree.skipped.clone();
        let mut warnings = tree.warnings.clone();
        let mut facts = Facts::default();
        let (mut files_read, mut bytes) = tree.quiet_reads;
        for s in scans {
            if s.binary {
                skipped.binary += 1;
                skipped.name(&s.rel, "binary");
            }
            if s.bytes > 0 {
                files_read += 1;
                bytes += s.bytes;
            }
            if let Some(w) = &s.warning
                && warnings.len() < 200
            {
                warnings.push(w.clone());
            }
            if let Some(f) = &s.facts {
                facts.insert(s.rel.clone(), Arc::clone(f));
            }
        }
        skipped.settle();
        // What CI files pass each other: templates' parameters, included variables.
        let calls: std::collections::BTreeMap<&str, &crate::ci::calls::Calls> = scans
            .iter()
            .filter_map(|s| Some((s.rel.as_str(), s.calls.as_deref()?)))
            .collect();
        crate::ci::calls::apply(&mut facts, &calls, crate::extract::extract);
        for l in &tree.large {
            if evidence::is_model_artifact(&l.path) {
                project.ml_signals.push(l.path.clone());
            }
        }
        Read {
            project,
            facts,
            skipped,
            warnings,
            files_read,
            bytes,
        }
    }
}

/// Evidence no rule gives: a git repository is version control (mentioned only when model
/// binaries are committed), and every CI configuration the graph recognises is CI, wherever
/// it lives (Azure Pipelines files of pipeline shape sit in any folder).
fn builtin_evidence(tree: &Tree, facts: &Facts, evs: &mut Vec<Evidence>) {
    let record = |rule: &str, capability: &str, path: &str, tier| Evidence {
        rule: rule.into(),
        capability: capability.into(),
        path: path.into(),
        line: None,
        tier,
        chain: Vec::new(),
        triggers: Vec::new(),
        origin: None,
        snippet: None,
        facets: Vec::new(),
        note: None,
        repository_rule: false,
    };
    if tree.has_git {
        let dirty = tree
            .large
            .iter()
            .any(|l| evidence::is_model_artifact(&l.path));
        let tier = if dirty {
            Tier::Mentioned
        } else {
            Tier::Implemented
        };
        evs.push(Evidence {
            note: dirty.then(|| "large model binaries are committed to git".to_string()),
            ..record(
                "builtin-git-repository",
                capability::VERSION_CONTROL,
                ".git",
                tier,
            )
        });
    }
    for (path, f) in facts.iter() {
        if let FileFacts::Entry { system, .. } = f
            && crate::ci::is_ci_system(system)
            && !evs
                .iter()
                .any(|e| e.capability == capability::CI && &e.path == path)
        {
            evs.push(Evidence {
                snippet: Some(format!("{system} configuration")),
                ..record(
                    "builtin-ci-configuration",
                    capability::CI,
                    path,
                    Tier::Implemented,
                )
            });
        }
    }
}

/// Orchestrator schedules found by rules are entry points too, and so are CI configurations
/// that rules recognise by shape where the graph's own readers do not (a Cloud Build file with
/// a custom name): their triggers live in the CI service, so they are external.
/// The second list holds the in-process schedulers ([`IN_PROCESS_SCHEDULERS`]), entry points
/// only when their process is started ([`started_in_process`]).
fn rule_entries(evs: &[Evidence], facts: &Facts) -> (RuleEntries, RuleEntries) {
    let is_entry = |p: &str| matches!(facts.get(p), Some(FileFacts::Entry { .. }));
    let mut rule_entries: RuleEntries = Vec::new();
    let mut in_process: RuleEntries = Vec::new();
    for e in evs.iter().filter(|e| e.tier == Tier::Implemented) {
        let kind = match e.capability.as_str() {
            capability::CONTINUOUS_TRAINING_TRIGGER => TriggerKind::Schedule,
            // A monitor created with its schedule in the same code (Model Monitor's
            // `create_monitoring_schedule(schedule_cron_expression=...)`) runs on it.
            capability::DRIFT_DETECTION | capability::MODEL_PERFORMANCE_MONITORING
                if matches!(facts.get(&e.path),
                    Some(FileFacts::Python { schedules, .. }) if schedules.iter().any(|(_, s)| s.starts_with("CronExpressionGenerator") || s.starts_with("cron(") || s.starts_with("rate("))) =>
            {
                TriggerKind::Schedule
            }
            capability::CI if !is_entry(&e.path) && crate::ci::runs_anywhere(&e.path) => {
                TriggerKind::External
            }
            _ => continue,
        };
        if rule_entries
            .iter()
            .chain(&in_process)
            .any(|(p, t)| p == &e.path && t.kind == kind)
        {
            continue;
        }
        let list = if IN_PROCESS_SCHEDULERS.contains(&e.rule.as_str()) {
            &mut in_process
        } else {
            &mut rule_entries
        };
        list.push((
            e.path.clone(),
            Trigger {
                kind,
                detail: if kind == TriggerKind::Schedule {
                    e.snippet.clone()
                } else {
                    None
                },
                line: e.line.unwrap_or(1),
                paths: Vec::new(),
            },
        ));
    }
    (rule_entries, in_process)
}

type RuleEntries = Vec<(String, Trigger)>;

/// The entry points found by rules, in-process schedulers only when their process is started.
fn started_rule_entries(graph: &Graph, evs: &[Evidence], facts: &Facts) -> RuleEntries {
    let (mut entries, in_process) = rule_entries(evs, facts);
    let started = started_in_process(graph, facts, &entries, in_process);
    entries.extend(started);
    entries
}

/// Rules whose schedule is held by a long-running process of the repository's own code
/// (`schedule.every(...).do(job)`, APScheduler, a `while True: ...; sleep(interval)` loop).
const IN_PROCESS_SCHEDULERS: &[&str] = &["python-in-process-schedule", "python-polling-loop"];

/// The in-process schedulers whose process something the repository shows starts
/// (docs/levels.md): a process that a Compose service or a YAML manifest runs (a Kubernetes
/// Deployment's command), or that an entry point reaches (the command of an image that CI
/// builds, a schedule runs). Others are written but not started: implemented, not automated.
fn started_in_process(
    graph: &Graph,
    facts: &Facts,
    entries: &[(String, Trigger)],
    candidates: RuleEntries,
) -> RuleEntries {
    if candidates.is_empty() {
        return candidates;
    }
    let automated = crate::graph::build(graph, entries);
    let mut starters: RuleEntries = facts
        .iter()
        .filter(|(p, f)| match f {
            FileFacts::Targets {
                kind: crate::model::TargetKind::Services,
                ..
            } => true,
            FileFacts::Commands(_) => p.ends_with(".yml") || p.ends_with(".yaml"),
            _ => false,
        })
        .map(|(p, _)| {
            let t = Trigger {
                kind: TriggerKind::External,
                detail: None,
                line: 1,
                paths: Vec::new(),
            };
            (p.clone(), t)
        })
        .collect();
    starters.sort_by(|a, b| a.0.cmp(&b.0));
    let deployed = crate::graph::build(graph, &starters);
    candidates
        .into_iter()
        .filter(|(p, _)| automated.runs(p) || deployed.runs(p))
        .collect()
}

/// The report's list of CI for another repository.
fn ci_copies(copies: &[(String, String)]) -> Vec<crate::model::CiCopy> {
    copies
        .iter()
        .map(|(path, note)| crate::model::CiCopy {
            path: path.clone(),
            note: redact_note(note),
        })
        .collect()
}

/// A note that quotes the scanned repository's text (a command, a URL it checks out) without
/// the credentials or secrets in it, as snippets are shown.
fn redact_note(note: &str) -> String {
    crate::evidence::redact::redact(&crate::source::remote::redact_urls(note)).into_owned()
}

/// Evidence in a CI configuration that its service never runs from here (CI for another
/// repository, [`crate::ci::copy_of`]) only mentions what it shows, and says why: seed code
/// and templates are CI of the repositories made from them.
fn mark_copies(copies: &[(String, String)], evs: &mut [Evidence]) {
    if copies.is_empty() {
        return;
    }
    for e in evs.iter_mut() {
        if let Some((_, why)) = copies.iter().find(|(p, _)| *p == e.path)
            && e.tier == Tier::Implemented
        {
            e.tier = Tier::Mentioned;
            e.note = Some(redact_note(why));
        }
    }
}

/// Secrets in the command text of a chain's hops are hidden like those in snippets.
pub(crate) fn redact_chain(chain: &mut [crate::model::Hop]) {
    for h in chain {
        h.via = evidence::clean_snippet(&h.via);
    }
}

/// What the graph knows of the tree beyond its files: the repository's names
/// ([`Graph::this_repository`]) and the files read as YAML or JSON that do not parse
/// ([`Graph::unparsed`]).
fn know_the_tree(graph: &mut Graph, root: &str, scans: &[&FileScan]) {
    graph.this_repository = crate::source::identity::names(std::path::Path::new(root));
    graph.unparsed = scans
        .iter()
        .filter(|s| s.unparsed)
        .map(|s| s.rel.clone())
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Notes that quote the scanned repository (a URL it checks out, a command) show no
    /// credentials.
    #[test]
    fn copy_notes_show_no_credentials() {
        let note = "CI for another repository: it checks out `https://ci-bot:ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/acme/byo.git`, not this repository";
        let shown = redact_note(note);
        assert!(!shown.contains("ghp_0123456789"), "{shown}");
        assert!(!shown.contains("ci-bot"), "{shown}");
        assert!(shown.contains("github.com/acme/byo.git"), "{shown}");
        let copies = ci_copies(&[("byo/Jenkinsfile".to_string(), note.to_string())]);
        assert_eq!(copies[0].note, shown);
    }
}
