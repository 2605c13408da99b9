//! `ripen scan`: walk the tree, scan every file in parallel (reading each at most once), then
//! assemble the report.

use crate::catalogue::{Catalogue, DataError};
use crate::matcher::Matcher;
use crate::model::Report;
use crate::pipeline::assemble::{Tree, assemble};
use crate::pipeline::file_scan::{FileScan, scan_file};
use crate::source::walk::{self, WalkOptions};
use rayon::prelude::*;
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
    pub today: Option<crate::model::Date>,
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

/// Stack for the threads that run [`scan_file`]. Parsing a YAML document recurses once per
/// nesting level, and in a debug build each level costs tens of KiB of stack: 32-40 levels of
/// `{"a": {"a": ...` overflowed rayon's default 2 MiB workers (a hostile-repository test). The
/// parser's budget caps nesting at [`crate::read::structured::MAX_DEPTH`]; these stacks give that
/// cap a wide margin in any build. Only the pages touched are ever committed.
pub(crate) const PARSE_STACK: usize = 64 << 20;

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
