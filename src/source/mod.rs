//! Where the files come from: a directory walk, git trees, or a clone of a URL.

pub(crate) mod enclosing;
pub mod git;
pub(crate) mod identity;
pub mod remote;
pub(crate) mod skip;
mod tracked;
pub mod walk;
