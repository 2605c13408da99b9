//! ripen: infer MLOps maturity (Google, Azure, GigaOm) from the evidence in a repository.
//!
//! Data flows one way, one module per stage:
//! [`source`] (walk a directory, read git trees) → [`read`] (one `Document` per file) →
//! [`matcher`] (every rule in one pass) → [`evidence`] (hits with an honest tier) and
//! [`extract`] (what a file adds to the automation graph: [`ci`] systems and orchestrators,
//! other [`facts`], command lines through [`shell`]) → [`graph`] (what is automated, and the
//! chain that shows it) → [`assess`] (capabilities, maturity models, waivers, projects) →
//! [`model`] (the report) → [`render`]. [`pipeline`] wires the stages for a scan, a history or a
//! diff; [`cli`] is the command line. Knowledge (rules, capabilities, models) is data under
//! `rules/`, loaded and validated by [`catalogue`]; `docs/levels.md` describes it.

pub mod assess;
pub mod catalogue;
pub mod ci;
pub mod cli;
pub mod config;
pub mod evidence;
pub mod extract;
pub mod facts;
#[doc(hidden)]
pub mod fuzzing;
pub mod graph;
pub mod matcher;
pub mod model;
pub mod paths;
pub mod pipeline;
pub mod read;
pub mod render;
pub mod shell;
pub mod source;

pub use catalogue::Catalogue;
pub use model::Report;
pub use pipeline::{ScanOptions, scan};
