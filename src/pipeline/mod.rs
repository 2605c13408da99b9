//! The stages wired together: `scan` (a tree), `tree_scanner` and `incremental` (git trees, one
//! after another), `history`, `diff` and the history facts of a scan, and `rules_test` (the
//! rules' own examples).

pub(crate) mod assemble;
pub(crate) mod cross_module;
pub mod diff;
pub mod file_scan;
pub mod history;
pub(crate) mod incremental;
pub(crate) mod repo_history;
pub(crate) mod rules_test;
pub(crate) mod scan;
pub mod tree_scanner;

pub use crate::config::{Progress, ScanOptions};
pub use scan::{ScanError, scan};
