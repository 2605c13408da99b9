//! `ripen scan`: walk the tree, scan every file in parallel (reading each at most once), then
//! assemble the report.

use crate::catalogue::{Catalogue, DataError};
use crate::config::ScanOptions;
use crate::matcher::Matcher;
use crate::model::Report;
use crate::pipeline::assemble::{Tree, assemble};
use crate::pipeline::file_scan::{FileScan, scan_file};
use crate::source::walk::{self};
use rayon::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a tree cannot be scanned.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The path cannot be scanned (missing, not a directory).
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Rules(#[from] DataError),
}

/// Stack for the threads that run [`scan_file`]. Parsing a YAML document recurses once per
/// nesting level, and in a debug build each level costs tens of KiB of stack: 32-40 levels of
/// `{"a": {"a": ...` overflowed rayon's default 2 MiB workers (a hostile-repository test). The
/// parser's budget caps nesting at [`crate::read::structured::MAX_DEPTH`]; these stacks give that
/// cap a wide margin in any build. Only the pages touched are ever committed.
pub(crate) const PARSE_STACK: usize = 64 << 20;

/// Runs `f` (which uses rayon) on a pool whose workers have [`PARSE_STACK`]; falls back to the
/// global pool if such a pool cannot be built.
pub(crate) fn with_parse_stacks<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match parse_pool() {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// A pool whose workers have [`PARSE_STACK`], for callers that scan many times.
pub(crate) fn parse_pool() -> Option<rayon::ThreadPool> {
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
