//! Where the files come from: a directory walk, git trees, or a clone of a URL.

pub mod git;
pub mod remote;
pub(crate) mod skip;
pub mod walk;
