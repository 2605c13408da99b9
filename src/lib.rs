//! ripen: infer MLOps maturity (Google, Azure, GigaOm) from the evidence in a repository.
//!
//! The scan is a one-way pipeline, one module per stage:
//! [`walk`] → [`read`] → [`matcher`] → [`evidence`] → [`automation`] → [`capabilities`] →
//! [`levels`] → [`report`], wired together by [`scan`] and rendered by [`render`]. [`projects`]
//! scores parts of a repository (monorepo sub-projects, separate systems) before the report.
//! Knowledge (rules, capabilities, models) is data under `rules/`, loaded by [`rules`].

pub mod automation;
pub mod capabilities;
pub mod cli;
pub mod cli_git;
pub mod completions;
pub mod config;
pub mod diff;
pub mod evidence;
#[doc(hidden)]
pub mod fuzzing;
pub mod git;
pub mod history;
pub mod init;
pub mod levels;
pub mod matcher;
pub mod progress;
pub mod projects;
pub mod read;
pub mod remote;
pub mod render;
pub mod report;
pub mod rules;
pub mod rulestest;
pub mod scan;
pub mod schema;
pub mod structured;
pub mod system;
pub mod waivers;
pub mod walk;

pub use report::Report;
pub use rules::Catalogue;
pub use scan::{ScanOptions, scan};
