//! The pipeline, start to end: walk → read → match → evidence → automation graph →
//! capabilities → model levels → report. Each stage lives in its own module; this one only
//! wires them together, reading every file at most once, in parallel.

use crate::automation::{
    self, Automation, Graph, Trigger, TriggerKind,
    extract::{Facts, FileFacts},
};
use crate::capabilities::{self, Attestation};
use crate::evidence::{self, Evidence, ProjectFacts};
use crate::levels;
use crate::matcher::{Hit, Matcher};
use crate::projects;
use crate::read::{self, Origin, ReadOutcome};
use crate::report::{self, Report, Stats};
use crate::rules::{Catalogue, DataError, Tier};
use crate::walk::{self, WalkOptions};
use rayon::prelude::*;
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub walk: WalkOptions,
    /// Capabilities attested in the config.
    pub attestations: Vec<crate::config::Attestation>,
    /// `--no-attestations`: list the attestations as ignored, count none.
    pub no_attestations: bool,
    /// Capabilities accepted as missing, applied after the levels (`waivers`).
    pub waivers: Vec<crate::config::Waiver>,
    /// The date waivers are checked against (default: today, or `RIPEN_TODAY`).
    pub today: Option<crate::config::Date>,
    /// The configuration file, as the report should name it (relative to the root if inside).
    pub config: Option<String>,
    /// Also report each sub-project of a monorepo (`--per-project`).
    pub per_project: bool,
    /// Progress for a caller's display (the CLI's progress bar): the scan sets `total` to the
    /// number of files once the walk is done and counts files done in `done`.
    pub progress: Option<Arc<Progress>>,
}

/// Counters a scan updates as it goes, read by another thread (relaxed atomics: a display).
#[derive(Debug, Default)]
pub struct Progress {
    /// Files to scan (0 while the walk is still running).
    pub total: AtomicU64,
    /// Files scanned so far.
    pub done: AtomicU64,
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

/// What one file contributed, kept after its text is dropped (bounded memory). It depends only
/// on the file's path and bytes (and [`Rules`]), so callers scanning many trees (git history)
/// can cache it by content id.
#[derive(Clone)]
pub struct FileScan {
    pub rel: String,
    origin: Origin,
    hits: Vec<Hit>,
    /// The rules were not run ([`Rules::UnlessMentionsOnly`]): `hits` is empty because every
    /// hit would have been a mention under the project facts of the time.
    unmatched: bool,
    facts: Option<Arc<FileFacts>>,
    project: ProjectFacts,
    bytes: u64,
    warning: Option<String>,
    binary: bool,
}

impl FileScan {
    /// Whether the rules were not run on this file ([`Rules::UnlessMentionsOnly`]).
    pub fn unmatched(&self) -> bool {
        self.unmatched
    }

    /// A file read that gave assembly nothing: no hits, no facts, no project facts, no warning.
    fn found_nothing(&self) -> bool {
        self.hits.is_empty()
            && self.facts.is_none()
            && self.warning.is_none()
            && !self.binary
            && self.project.is_empty()
    }

    /// Whether assembly uses this file whether or not anything reaches it: rule hits (those
    /// a model can count, when read `for_levels`), project facts, CI jobs or Make/DVC targets.
    /// Other facts (imports, commands) count only where a walk of the automation graph arrives.
    pub fn read_wherever_it_is(&self, for_levels: Option<ForLevels>) -> bool {
        self.hits.iter().any(self.counted(for_levels))
            || match for_levels {
                Some(_) => !self.project.is_empty_for_levels(),
                None => !self.project.is_empty(),
            }
            || self.has_jobs_or_targets()
    }

    /// Which hits can move a level: all, or under [`ForLevels`] those whose evidence is more
    /// than a mention. Not in CI or Make/DVC files, where a CI mention at an entry file stands
    /// in for the built-in CI evidence.
    fn counted<'s>(&'s self, for_levels: Option<ForLevels<'s>>) -> impl Fn(&Hit) -> bool + 's {
        let reader = for_levels
            .filter(|_| !self.has_jobs_or_targets())
            .map(|l| evidence::HitReader::new(l.cat, l.project, &self.rel, self.origin));
        move |h| reader.as_ref().is_none_or(|r| !r.only_mentions(h))
    }

    /// Whether other files' graph edges resolve into this file's facts: Make/DVC targets
    /// (`make train`, `dvc repro stage`) and Databricks bundle jobs. A CI workflow's jobs are
    /// reached only from the workflow itself.
    pub fn others_resolve_into(&self) -> bool {
        matches!(
            self.facts.as_deref(),
            Some(
                FileFacts::Targets { .. }
                    | FileFacts::Entry {
                        system: "databricks",
                        ..
                    }
            )
        )
    }

    /// Whether this file holds CI jobs or Make/DVC targets: entry points, or targets other
    /// files' commands resolve into.
    pub fn has_jobs_or_targets(&self) -> bool {
        matches!(
            self.facts.as_deref(),
            Some(FileFacts::Entry { .. } | FileFacts::Targets { .. })
        )
    }

    /// Whether two versions of a file give assembly the same input for levels: all but byte
    /// counts, warnings and the lines that only place a chain's hops, and, read
    /// [`ForLevels`], mentions. Without `edges`, what only the file's own graph edges read (a
    /// Python file's imports and literals, a script's commands) is left out; without `lines`,
    /// the lines of the evidence, and in a CI or Make/DVC file the lines of its jobs or
    /// targets, triggers and commands, as long as each hit stays in the same jobs.
    fn same_for_levels(
        &self,
        other: &FileScan,
        for_levels: Option<ForLevels>,
        edges: bool,
        lines: bool,
    ) -> bool {
        let (ca, cb) = (self.counted(for_levels), other.counted(for_levels));
        let mut ha = self.hits.iter().filter(|h| ca(h));
        let mut hb = other.hits.iter().filter(|h| cb(h));
        let same_hits = loop {
            match (ha.next(), hb.next()) {
                (None, None) => break true,
                (Some(a), Some(b))
                    if a.rule == b.rule
                        && (if lines {
                            a.line == b.line
                        } else {
                            self.jobs_at(a.line) == other.jobs_at(b.line)
                        })
                        && a.comment_only == b.comment_only
                        && a.facets == b.facets
                        && a.snippet == b.snippet => {}
                _ => break false,
            }
        };
        same_hits
            && self.binary == other.binary
            && self.origin == other.origin
            && match for_levels {
                Some(_) => self.project.same_for_levels(&other.project),
                None => self.project == other.project,
            }
            && same_facts(self.facts.as_deref(), other.facts.as_deref(), edges, lines)
    }

    /// The CI jobs or Make/DVC targets holding `line`, where assembly places evidence there.
    fn jobs_at(&self, line: Option<u32>) -> Vec<&str> {
        self.facts
            .as_deref()
            .map(|f| automation::jobs_at(f, line))
            .unwrap_or_default()
    }

    /// Nothing but the file's own graph edges is left for assembly to read. (A Python file's
    /// schedules name the cron of a rule entry, which only an implemented hit in the same file
    /// makes, so they need no check of their own.)
    fn only_edges(&self, for_levels: Option<ForLevels>) -> bool {
        !self.read_wherever_it_is(for_levels)
    }
}

/// [`FileScan::same_for_levels`] for the graph facts: lines count only where they place a job
/// or a target, and there only with `lines`.
fn same_facts(a: Option<&FileFacts>, b: Option<&FileFacts>, edges: bool, lines: bool) -> bool {
    use automation::extract::Command;
    let same_commands = |x: &[Command], y: &[Command]| {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(c, d)| c.text == d.text && c.shell == d.shell && c.cwd == d.cwd)
    };
    let commands = |x: &[Command], y: &[Command]| !edges || same_commands(x, y);
    let triggers = |x: &[automation::Trigger], y: &[automation::Trigger]| {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(t, u)| t.kind == u.kind && t.detail == u.detail)
    };
    let unplaced = |x: &[(u32, String)], y: &[(u32, String)]| {
        x.len() == y.len() && x.iter().zip(y).all(|(c, d)| c.1 == d.1)
    };
    match (a, b) {
        (Some(FileFacts::Commands(x)), Some(FileFacts::Commands(y))) => commands(x, y),
        (
            Some(FileFacts::Python {
                imports: ia,
                literals: la,
                code_dirs: da,
                schedules: sa,
            }),
            Some(FileFacts::Python {
                imports: ib,
                literals: lb,
                code_dirs: db,
                schedules: sb,
            }),
        ) => unplaced(sa, sb) && (!edges || (unplaced(ia, ib) && commands(la, lb) && da == db)),
        // Jobs and targets start walks (and others' commands resolve into targets): they are
        // compared whatever `edges` says.
        (
            Some(FileFacts::Entry {
                system: sa,
                triggers: ta,
                jobs: ja,
                includes: ia,
            }),
            Some(FileFacts::Entry {
                system: sb,
                triggers: tb,
                jobs: jb,
                includes: ib,
            }),
        ) if !lines => {
            sa == sb
                && triggers(ta, tb)
                && same_commands(ia, ib)
                && ja.len() == jb.len()
                && ja.iter().zip(jb).all(|(x, y)| {
                    x.name == y.name
                        && triggers(&x.triggers, &y.triggers)
                        && same_commands(&x.commands, &y.commands)
                })
        }
        (
            Some(FileFacts::Targets {
                kind: ka,
                targets: ta,
            }),
            Some(FileFacts::Targets {
                kind: kb,
                targets: tb,
            }),
        ) if !lines => {
            ka == kb
                && ta.len() == tb.len()
                && ta.iter().zip(tb).all(|(x, y)| {
                    x.name == y.name && x.deps == y.deps && same_commands(&x.commands, &y.commands)
                })
        }
        (x, y) => x == y,
    }
}

/// What an edit of a file can change in a tree's levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditEffect {
    /// The two versions are the same for levels ([`FileScan::same_for_levels`]): nothing.
    Nothing,
    /// They differ only in the file's own graph edges (its imports, literals or commands):
    /// the levels change only if a walk of the automation graph went through the file.
    Edges,
    /// They differ in the lines of the file's evidence too, which a model shows only where
    /// it cites that file (evidence is ordered by path before line).
    Lines,
    /// Anything else assembly reads.
    Levels,
}

/// How an edit from `old` to `new` (None: a scan that found nothing) can change the levels.
pub fn edit_effect(
    old: Option<&FileScan>,
    new: Option<&FileScan>,
    for_levels: Option<ForLevels>,
) -> EditEffect {
    // Equal without the file's own graph edges (and without lines unless `lines`), or nothing
    // but those edges on either side.
    let off_graph = |lines| match (old, new) {
        (Some(a), Some(b)) if !a.only_edges(for_levels) || !b.only_edges(for_levels) => {
            a.same_for_levels(b, for_levels, false, lines)
        }
        (Some(s), None) | (None, Some(s)) => s.only_edges(for_levels),
        _ => true,
    };
    // In a CI or Make/DVC file, a line picks the job or target.
    let entry = |s: Option<&FileScan>| s.is_some_and(FileScan::has_jobs_or_targets);
    let same = match (old, new) {
        (Some(a), Some(b)) => a.same_for_levels(b, for_levels, true, true),
        (None, None) => true,
        _ => false,
    };
    if same {
        EditEffect::Nothing
    } else if entry(old) || entry(new) {
        // The same jobs or targets, doing the same, with each hit in the same ones: the
        // walks are the same, only lines moved.
        match (old, new) {
            (Some(a), Some(b)) if a.same_for_levels(b, for_levels, true, false) => {
                EditEffect::Lines
            }
            _ => EditEffect::Levels,
        }
    } else if off_graph(true) {
        EditEffect::Edges
    } else if off_graph(false) {
        EditEffect::Lines
    } else {
        EditEffect::Levels
    }
}

/// How `ripen history` reads scans: for levels only, against the project facts of the tree.
/// Given only when no model counts mentions ([`Catalogue::counts_mentions`]): evidence that is
/// only mentioned (a rule of that tier, prose, comments, a tool's own source, a library's
/// examples) then never moves a level, so a file whose edits change only such hits leaves the
/// levels as they were.
#[derive(Clone, Copy)]
pub struct ForLevels<'a> {
    pub cat: &'a Catalogue,
    /// The tree's merged project facts, which decide what is lowered to a mention. They are
    /// the same for both versions of an edited file unless some file's project facts changed,
    /// and that file makes the commit matter by itself.
    pub project: &'a ProjectFacts,
}

/// The project facts of a tree: every file's, merged.
pub fn project_of<S: Borrow<FileScan>>(scans: &[S]) -> ProjectFacts {
    let mut project = ProjectFacts::default();
    for s in scans.iter().map(Borrow::borrow) {
        if !s.project.is_empty() {
            project.absorb(s.project.clone());
        }
    }
    project
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
            "Makefile"
                | "makefile"
                | "GNUmakefile"
                | "Jenkinsfile"
                | "pyproject.toml"
                | "setup.cfg"
        )
        || automation::extract::wanted(rel)
}

/// Gate capabilities: evidence of one of these in the same automation as a deployment makes
/// that deployment "behind a release gate" (spec §3.1, Azure 3).
const RELEASE_GATES: &[&str] = &[
    "model_validation_gate",
    "unit_tests",
    "ml_code_tests",
    "integration_tests",
];

/// Whether `scan_file` would read this path at all: the glob stage decides before any I/O.
pub fn needs_content(matcher: &Matcher, rel: &str) -> bool {
    needs_content_with(matcher, rel, Rules::Run)
}

/// [`needs_content`] when the rules are run as `rules` says.
pub fn needs_content_with(matcher: &Matcher, rel: &str, rules: Rules) -> bool {
    reads_content(rel, || !matcher.candidates(rel).is_empty(), rules)
}

/// [`needs_content_with`], given whether some rule selects the path.
fn reads_content(rel: &str, selected: impl FnOnce() -> bool, rules: Rules) -> bool {
    !read::is_generated(rel) && (wanted_without_rules(rel) || (rules != Rules::None && selected()))
}

/// Whether [`scan_file_with`] runs the rules.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rules {
    Run,
    /// Every hit in this file would be lowered to a mention (it is in the source of an ML tool
    /// the repository defines, or a library's example: [`evidence::lowers_every_hit`]) and no
    /// model counts mentions, so matching is skipped: `ripen history` spends most of its time
    /// matching, and in a library's history most changed files are its own source. A file
    /// with CI jobs or Make/DVC targets is matched anyway: mentions count there.
    UnlessMentionsOnly,
    /// No rule that selects this path can give more than a mention, whatever the project
    /// ([`evidence::no_hit_can_count`]). Read for levels, such a file is not even read unless
    /// the automation graph or the project facts want it, and then, like
    /// [`Rules::UnlessMentionsOnly`], matched only if it holds jobs or targets.
    None,
}

/// Stages read → match → extract for one file. `load` is called at most once, and only when a
/// rule or the automation graph wants the content.
pub fn scan_file(
    matcher: &Matcher,
    rel: &str,
    size: u64,
    load: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Option<FileScan> {
    scan_file_with(matcher, rel, size, Rules::Run, load)
}

/// [`scan_file`], choosing whether the rules run.
pub fn scan_file_with(
    matcher: &Matcher,
    rel: &str,
    size: u64,
    rules: Rules,
    load: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Option<FileScan> {
    let candidates = matcher.candidates(rel);
    let path_facts = ProjectFacts::from_path(rel);
    let empty = |project, warning, binary| FileScan {
        rel: rel.to_string(),
        origin: Origin::Code,
        hits: Vec::new(),
        unmatched: false,
        facts: None,
        project,
        bytes: 0,
        warning,
        binary,
    };
    if !reads_content(rel, || !candidates.is_empty(), rules) {
        let interesting = !path_facts.ml_signals.is_empty() || !path_facts.own_packages.is_empty();
        return interesting.then(|| empty(path_facts, None, false));
    }
    let bytes = match load() {
        Ok(b) => b,
        Err(w) => return Some(empty(path_facts, Some(w), false)),
    };
    Some(match read::from_bytes(rel, &bytes) {
        ReadOutcome::Doc(doc) => {
            let facts = automation::extract::extract(&doc);
            // Mentions count in CI and Make/DVC files: those are matched whatever `rules` says.
            let skip = rules != Rules::Run
                && !matches!(
                    facts,
                    Some(FileFacts::Entry { .. } | FileFacts::Targets { .. })
                );
            let mut hits = if skip {
                Vec::new()
            } else {
                matcher.match_doc(&doc, &candidates)
            };
            let unmatched = skip && rules == Rules::UnlessMentionsOnly;
            evidence::clean_hits(&mut hits);
            // Parse errors are reported for every YAML/JSON file that a rule or the graph had
            // to parse (all CI files, any file holding a structural rule's key): those are the
            // files whose evidence a broken document hides. Files nothing reads are not parsed.
            let warning = doc
                .parse_error()
                .map(|e| format!("{rel}:{}:{}: cannot parse: {}", e.line, e.column, e.message));
            FileScan {
                rel: rel.to_string(),
                origin: doc.origin,
                hits,
                unmatched,
                facts: facts.map(Arc::new),
                project: ProjectFacts::from_doc(&doc),
                bytes: size,
                warning,
                binary: false,
            }
        }
        ReadOutcome::Binary => empty(path_facts, None, true),
        ReadOutcome::Unreadable(w) => empty(path_facts, Some(w), false),
    })
}

/// Stack for the threads that run [`scan_file`]. Parsing a YAML document recurses once per
/// nesting level, and in a debug build each level costs tens of KiB of stack: 32-40 levels of
/// `{"a": {"a": ...` overflowed rayon's default 2 MiB workers (a hostile-repository test). The
/// parser's budget caps nesting at [`crate::structured::MAX_DEPTH`]; these stacks give that
/// cap a wide margin in any build. Only the pages touched are ever committed.
const PARSE_STACK: usize = 64 << 20;

/// Runs `f` (which uses rayon) on a pool whose workers have [`PARSE_STACK`]; falls back to the
/// global pool if such a pool cannot be built.
pub fn with_parse_stacks<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match parse_pool() {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// A pool whose workers have [`PARSE_STACK`], for callers that scan many times.
pub fn parse_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(PARSE_STACK)
        .thread_name(|i| format!("ripen-scan-{i}"))
        .build()
        .ok()
}

pub fn scan(root: &Path, cat: &Catalogue, opts: &ScanOptions) -> Result<Report, ScanError> {
    let walked = walk::walk(root, &opts.walk).map_err(ScanError::Input)?;
    let matcher = Matcher::new(&cat.rules).map_err(ScanError::Rules)?;
    let progress = opts.progress.as_deref();
    if let Some(p) = progress {
        p.total.store(walked.files.len() as u64, Ordering::Relaxed);
    }
    let (quiet_files, quiet_bytes) = (AtomicU64::new(0), AtomicU64::new(0));
    let scans: Vec<FileScan> = with_parse_stacks(|| {
        walked
            .files
            .par_iter()
            .filter_map(|f| {
                let s = scan_file(&matcher, &f.rel, f.size, || {
                    std::fs::read(f.path(root)).map_err(|e| format!("{}: {e}", f.rel))
                });
                if let Some(p) = progress {
                    p.done.fetch_add(1, Ordering::Relaxed);
                }
                // Most files of a large tree hold nothing ripen uses: count them, keep nothing.
                match s {
                    Some(s) if s.found_nothing() => {
                        quiet_files.fetch_add(1, Ordering::Relaxed);
                        quiet_bytes.fetch_add(s.bytes, Ordering::Relaxed);
                        None
                    }
                    s => s,
                }
            })
            .collect()
    });
    // The walk's list is consumed, not copied: it would otherwise stay alive through assembly.
    let tree = Tree {
        root: root.display().to_string(),
        files: walked.files.into_iter().map(|f| f.rel).collect(),
        large: walked.large,
        skipped: walked.skipped,
        warnings: walked.warnings,
        has_git: walked.has_git,
        edges: None,
        quiet_reads: (quiet_files.into_inner() as usize, quiet_bytes.into_inner()),
    };
    Ok(assemble(cat, opts, tree, scans))
}

/// What the walk (or a git tree) knew about the whole tree, beside the per-file scans.
pub struct Tree {
    pub root: String,
    /// Every file considered, sorted, relative to the root.
    pub files: Vec<String>,
    pub large: Vec<walk::LargeFile>,
    pub skipped: walk::SkipStats,
    pub warnings: Vec<String>,
    pub has_git: bool,
    /// The automation graph's edges from an earlier tree, still valid for this one (kept by
    /// `ripen history` across commits); None: computed afresh.
    pub edges: Option<std::rc::Rc<automation::EdgeMemo>>,
    /// Files read that held nothing ripen uses, and their bytes: counted in the statistics,
    /// their scans not kept.
    pub quiet_reads: (usize, u64),
}

/// Stages evidence → automation → capabilities → levels → report, from per-file scans.
/// The scans are borrowed (`ripen history` shares them with its cache across commits).
pub fn assemble<S: Borrow<FileScan>>(
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
pub fn assemble_models<S: Borrow<FileScan>>(
    cat: &Catalogue,
    opts: &ScanOptions,
    tree: Tree,
    scans: Vec<S>,
) -> BTreeMap<String, levels::ModelResult> {
    assemble_for(cat, opts, tree, scans, Wanted::Models).models
}

#[derive(Clone, Copy, PartialEq)]
enum Wanted {
    Report,
    /// Only `models` (and what decides them) is filled in.
    Models,
}

fn assemble_for<S: Borrow<FileScan>>(
    cat: &Catalogue,
    opts: &ScanOptions,
    tree: Tree,
    scans: Vec<S>,
    wanted: Wanted,
) -> Report {
    let full = wanted == Wanted::Report;
    let scans: Vec<&FileScan> = scans.iter().map(Borrow::borrow).collect();
    let mut project = project_of(&scans);
    let mut skipped = tree.skipped.clone();
    let mut warnings = tree.warnings.clone();
    let mut facts = Facts::default();
    let (mut files_read, mut bytes) = tree.quiet_reads;
    for s in &scans {
        if s.binary {
            skipped.binary += 1;
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
    for l in &tree.large {
        if evidence::is_model_artifact(&l.path) {
            project.ml_signals.push(l.path.clone());
        }
    }

    let mut evs: Vec<Evidence> = scans
        .iter()
        .filter(|s| !s.hits.is_empty())
        .flat_map(|s| evidence::from_hits(cat, &s.rel, s.origin, &s.hits, &project))
        .collect();
    if tree.has_git && cat.capability("version_control").is_some() {
        let dirty = tree
            .large
            .iter()
            .any(|l| evidence::is_model_artifact(&l.path));
        evs.push(Evidence {
            rule: "builtin-git-repository".into(),
            capability: "version_control".into(),
            path: ".git".into(),
            line: None,
            tier: if dirty {
                Tier::Mentioned
            } else {
                Tier::Implemented
            },
            chain: Vec::new(),
            triggers: Vec::new(),
            origin: None,
            snippet: None,
            facets: Vec::new(),
            note: dirty.then(|| "large model binaries are committed to git".to_string()),
        });
    }

    // Every CI configuration the automation graph recognises is CI evidence, wherever it lives
    // (Azure Pipelines files of pipeline shape sit in any folder).
    for (path, f) in facts.iter() {
        if let FileFacts::Entry { system, .. } = f
            && automation::extract::is_ci_system(system)
            && !evs.iter().any(|e| e.capability == "ci" && &e.path == path)
            && cat.capability("ci").is_some()
        {
            evs.push(Evidence {
                rule: "builtin-ci-configuration".into(),
                capability: "ci".into(),
                path: path.clone(),
                line: None,
                tier: Tier::Implemented,
                chain: Vec::new(),
                triggers: Vec::new(),
                origin: None,
                snippet: Some(format!("{system} configuration")),
                facets: Vec::new(),
                note: None,
            });
        }
    }

    // Orchestrator schedules found by rules are entry points too, and so are CI configurations
    // that rules recognise by shape where the graph's own parsers do not (a Cloud Build file
    // with a custom name): their triggers live in the CI service, so they are external.
    let is_entry = |p: &str| matches!(facts.get(p), Some(FileFacts::Entry { .. }));
    let mut rule_entries: Vec<(String, Trigger)> = Vec::new();
    for e in evs.iter().filter(|e| e.tier == Tier::Implemented) {
        let kind = match e.capability.as_str() {
            "continuous_training_trigger" => TriggerKind::Schedule,
            "ci" if !is_entry(&e.path) && location_free_ci(&e.path) => TriggerKind::External,
            _ => continue,
        };
        if rule_entries
            .iter()
            .any(|(p, t)| p == &e.path && t.kind == kind)
        {
            continue;
        }
        rule_entries.push((
            e.path.clone(),
            Trigger {
                kind,
                detail: if kind == TriggerKind::Schedule {
                    e.snippet.clone()
                } else {
                    None
                },
                line: e.line.unwrap_or(1),
            },
        ));
    }
    let local_memo = automation::EdgeMemo::default();
    let graph = Graph::new(
        &tree.files,
        &facts,
        tree.edges.as_deref().unwrap_or(&local_memo),
    );
    let auto = automation::build_shared(&graph, &rule_entries);
    auto.promote(&facts, &mut evs);
    // Chains quote CI commands (`curl -H "Authorization: Bearer ..."`) and reports are shared:
    // redact them as snippets are, here once, after promotion.
    if full {
        for e in &mut evs {
            redact_chain(&mut e.chain);
        }
    }
    add_graph_facets(&auto, &graph, &mut evs);

    let projects = if full && opts.per_project {
        projects::per_project(cat, &auto, &graph, &tree.files, &evs)
    } else {
        Vec::new()
    };
    let separate = projects::separate_systems(cat, &auto, &graph, &facts, &evs);
    let mut caps = crate::scan::assess_with_attestations(cat, opts, evs);
    let mut models = levels::evaluate(cat, &caps);
    if let Some(best) = separate {
        projects::take_lower(&mut models, best);
    }
    if full {
        capabilities::cap_evidence(&mut caps);
    }

    project.ml_signals.sort();
    project.ml_signals.dedup();
    let readme = tree
        .files
        .iter()
        .filter(|f| !f.contains('/') && f.to_ascii_lowercase().starts_with("readme"))
        .min_by_key(|f| (!f.to_ascii_lowercase().ends_with(".md"), f.len()))
        .cloned();
    let mut report = Report {
        schema_version: report::SCHEMA_VERSION,
        tool: report::Tool::default(),
        root: tree.root,
        ml_project: report::MlProject {
            detected: !project.ml_signals.is_empty(),
            signals: project.ml_signals.iter().take(10).cloned().collect(),
        },
        models,
        capabilities: caps,
        automation: report::Automation {
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
        },
        committed_artifacts: tree
            .large
            .iter()
            .filter(|l| evidence::is_model_artifact(&l.path))
            .cloned()
            .collect(),
        stats: Stats {
            files_seen: tree.files.len() + tree.large.len(),
            files_read,
            bytes_read: bytes,
            rules: cat.rules.len(),
            skipped,
        },
        targets: Vec::new(),
        warnings,
        config: opts.config.clone(),
        readme,
        attestations: Vec::new(),
        waivers: Vec::new(),
        browse_url: None,
        projects,
        history: None,
    };
    crate::waivers::apply(
        &mut report,
        &opts.attestations,
        !opts.no_attestations,
        &opts.waivers,
        opts.today.unwrap_or_else(crate::config::Date::today),
    );
    report
}

/// Stage 6 with the config's attestations applied (unless `--no-attestations`).
pub(crate) fn assess_with_attestations(
    cat: &Catalogue,
    opts: &ScanOptions,
    evs: Vec<Evidence>,
) -> Vec<capabilities::CapabilityResult> {
    let mut caps = capabilities::assess(cat, evs);
    for a in opts.attestations.iter().filter(|_| !opts.no_attestations) {
        if let Some(c) = caps.iter_mut().find(|c| c.id == a.capability) {
            c.attested = Some(Attestation {
                reason: a.reason.clone(),
                link: a.link.clone(),
            });
        }
    }
    caps
}

/// CI systems whose configuration may live anywhere (the service is pointed at the file):
/// Cloud Build, CodeBuild, Azure Pipelines, Jenkins. GitHub Actions, GitLab CI and the like
/// only run their file at the repository root, so a nested copy is a template or a seed.
fn location_free_ci(path: &str) -> bool {
    let name = automation::extract::file_name(path);
    !(path.starts_with(".github/")
        || path.contains("/.github/")
        || name == ".gitlab-ci.yml"
        || name == ".travis.yml"
        || name == "bitbucket-pipelines.yml"
        || path.contains(".circleci/"))
}

/// Secrets in the command text of a chain's hops are hidden like those in snippets.
fn redact_chain(chain: &mut [evidence::Hop]) {
    for h in chain {
        h.via = evidence::clean_snippet(&h.via);
    }
}

/// Facets that need the graph: a pipeline that reaches training code contains a training
/// step; a deployment run by the same automation as tests or a validation gate is gated.
fn add_graph_facets(auto: &Automation, graph: &Graph, evs: &mut [Evidence]) {
    let mut index: HashMap<String, Vec<(Option<u32>, String)>> = HashMap::new();
    for e in evs.iter().filter(|e| e.tier >= Tier::Implemented) {
        index
            .entry(e.path.clone())
            .or_default()
            .push((e.line, e.capability.clone()));
    }
    // Checks run on pull requests gate what is deployed on push: the code reaching the
    // deploying branch passed them (made-with-ml: PR CI trains, evaluates and tests; a push to
    // main deploys). Whether branch protection requires them is not observable.
    let pr_checked = evs.iter().any(|e| {
        e.tier == Tier::Automated
            && RELEASE_GATES.contains(&e.capability.as_str())
            && e.triggers
                .iter()
                .any(|t| t.kind == TriggerKind::PullRequest)
    });
    for e in evs.iter_mut() {
        if e.capability == "ml_pipeline_orchestration"
            && e.tier >= Tier::Implemented
            && !e.facets.iter().any(|f| f == "training")
            && Automation::reaches(graph, &e.path, &index, &["model_training"])
        {
            e.facets.push("training".into());
        }
        if e.capability == "continuous_delivery"
            && e.tier == Tier::Automated
            && !e.facets.iter().any(|f| f == "gated")
            && let Some(entry) = e.chain.first().map(|h| h.path.clone())
        {
            let on_push = e.triggers.iter().any(|t| t.kind == TriggerKind::Push);
            let gated = (on_push && pr_checked)
                || auto.entry_reach(graph, &entry).iter().any(|p| {
                    index
                        .get(p.as_str())
                        .is_some_and(|v| v.iter().any(|(_, c)| RELEASE_GATES.contains(&c.as_str())))
                });
            if gated {
                e.facets.push("gated".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(m: &Matcher, rel: &str, text: &str) -> Option<FileScan> {
        scan_file(m, rel, text.len() as u64, || Ok(text.as_bytes().to_vec()))
    }

    fn effect(
        m: &Matcher,
        for_levels: Option<ForLevels>,
        rel: &str,
        a: &str,
        b: &str,
    ) -> EditEffect {
        edit_effect(
            scanned(m, rel, a).as_ref(),
            scanned(m, rel, b).as_ref(),
            for_levels,
        )
    }

    /// `ripen history` reuses a commit's levels when no edit can change them: what each kind of
    /// edit can change decides whether it re-assembles the tree.
    #[test]
    fn edit_effect_tells_what_an_edit_can_change() {
        let cat = Catalogue::load(&[]).expect("built-in rules");
        let m = Matcher::new(&cat.rules).expect("matcher");
        let project = ProjectFacts::default();
        let levels = Some(ForLevels {
            cat: &cat,
            project: &project,
        });
        let train = "import mlflow\nfrom sklearn.ensemble import RandomForestClassifier\n\nmlflow.autolog()\nRandomForestClassifier().fit(X, y)\n";
        assert_eq!(
            effect(&m, None, "train.py", train, train),
            EditEffect::Nothing
        );
        // Evidence moves: a model shows it only where it cites the file.
        let shifted = format!("# a comment\n\n{train}");
        assert_eq!(
            effect(&m, None, "train.py", train, &shifted),
            EditEffect::Lines
        );
        // A new import changes where the graph leads from this file, nothing else.
        let more = format!("{train}import helpers\n");
        assert_eq!(
            effect(&m, None, "train.py", train, &more),
            EditEffect::Edges
        );
        // New evidence.
        let tracked = format!("{train}mlflow.register_model(\"runs:/1/model\", \"churn\")\n");
        assert_eq!(
            effect(&m, None, "train.py", train, &tracked),
            EditEffect::Levels
        );
        // In a workflow, a line picks the job. Jobs that keep their names, triggers and
        // commands, each hit staying in its job, only move evidence.
        let wf = "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff check .\n";
        let ci = ".github/workflows/ci.yml";
        let wf_shifted = format!("# ci\n{wf}");
        assert_eq!(effect(&m, None, ci, wf, &wf_shifted), EditEffect::Lines);
        // Tests moved to the other job, a job renamed, another trigger: the walks change.
        let swapped = wf
            .replace("pytest", "PLACEHOLDER")
            .replace("ruff check .", "pytest")
            .replace("PLACEHOLDER", "ruff check .");
        assert_eq!(effect(&m, None, ci, wf, &swapped), EditEffect::Levels);
        let renamed = wf.replace("test:", "unit:");
        assert_eq!(effect(&m, None, ci, wf, &renamed), EditEffect::Levels);
        let nightly = wf.replace("[push]", "[push, schedule]");
        assert_eq!(effect(&m, None, ci, wf, &nightly), EditEffect::Levels);
        // The same commands, but evidence (a marketplace action, no command) in another job.
        let scan_step = "      - uses: github/codeql-action/analyze@v3\n";
        let in_test = wf.replace(
            "      - run: pytest\n",
            &format!("{scan_step}      - run: pytest\n"),
        );
        let in_lint = format!("{wf}{scan_step}");
        assert_eq!(effect(&m, None, ci, &in_test, &in_lint), EditEffect::Levels);
        // Mentions count for no built-in model: read for levels, a new one changes nothing.
        assert!(!cat.counts_mentions());
        let (a, b) = ("# Demo\n", "# Demo\n\nTracked with MLflow.\n");
        assert_eq!(effect(&m, None, "README.md", a, b), EditEffect::Levels);
        assert_eq!(effect(&m, levels, "README.md", a, b), EditEffect::Nothing);
        let commented = format!("{train}# mlflow.log_metric(\"auc\", 0.9)\n");
        assert_eq!(
            effect(&m, levels, "train.py", train, &commented),
            EditEffect::Nothing
        );
    }

    /// Read for levels, rules are skipped only where no hit could count. A notebook is code
    /// even under `docs/`; and a CI or Make file is matched whatever `Rules` says, because
    /// mentions count there (a CI mention stands in for the built-in CI evidence).
    #[test]
    fn rules_are_skipped_only_where_no_hit_can_count() {
        let cat = Catalogue::load(&[]).expect("built-in rules");
        let m = Matcher::new(&cat.rules).expect("matcher");
        let fit = cat
            .rules
            .iter()
            .position(|r| r.id == "sklearn-estimator-fit")
            .expect("rule");
        let mention = cat
            .rules
            .iter()
            .position(|r| r.tier == Tier::Mentioned)
            .expect("a mention rule");
        assert!(evidence::no_hit_can_count(
            &cat,
            "docs/notes.txt",
            &[fit, mention]
        ));
        assert!(!evidence::no_hit_can_count(
            &cat,
            "docs/train.ipynb",
            &[fit]
        ));
        assert!(!evidence::no_hit_can_count(&cat, "notes.py", &[mention]));

        let pipeline = "trigger:\n  - main\nsteps:\n  - script: pytest tests/  # CI\n";
        let rel = "docs/ci/azure-pipelines.yml";
        let scan = |rules| {
            scan_file_with(&m, rel, pipeline.len() as u64, rules, || {
                Ok(pipeline.as_bytes().to_vec())
            })
            .expect("scanned")
        };
        let full = scan(Rules::Run);
        assert!(full.has_jobs_or_targets() && !full.hits.is_empty());
        for rules in [Rules::None, Rules::UnlessMentionsOnly] {
            let s = scan(rules);
            assert_eq!(s.hits.len(), full.hits.len(), "{rules:?}");
            assert!(!s.unmatched());
        }
        // Prose nothing else wants is not read at all.
        assert!(!needs_content_with(&m, "docs/notes.txt", Rules::None));
        assert!(scan_file_with(&m, "docs/notes.txt", 5, Rules::None, || panic!("read")).is_none());
    }

    /// Package-manager lock files of other ecosystems are listed but never read, even where a
    /// wildcard rule (`**/*.yaml`) would match their text.
    #[test]
    fn generated_lock_files_are_not_read() {
        let cat = Catalogue::load(&[]).expect("built-in rules");
        let m = Matcher::new(&cat.rules).expect("matcher");
        let text = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: model\n";
        let as_manifest = scanned(&m, "deploy/model.yaml", text).expect("scanned");
        assert!(!as_manifest.hits.is_empty(), "the text holds evidence");
        assert!(!needs_content(&m, "ui/pnpm-lock.yaml"));
        assert!(scanned(&m, "ui/pnpm-lock.yaml", text).is_none());
        assert!(
            needs_content(&m, "poetry.lock"),
            "Python lock files are evidence"
        );
    }
}
