//! The data every stage shares and every renderer reads: evidence, graph facts, capability and
//! model verdicts, the report, history and diff results. No logic beyond small accessors; it
//! depends on nothing else in the crate.

mod capability;
mod date;
mod diff;
mod evidence;
mod facts;
mod history;
mod outcome;
mod report;
mod tier;

pub use capability::*;
pub use date::*;
pub use diff::*;
pub use evidence::*;
pub use facts::*;
pub use history::*;
pub use outcome::*;
pub use report::*;
pub use tier::*;
