//! From evidence to verdicts: capabilities, the maturity models, the config's attestations and
//! waivers, the graph's facets, sub-projects and separate systems, several repositories as one.

pub(crate) mod capabilities;
pub(crate) mod facets;
pub(crate) mod gate;
pub(crate) mod models;
pub(crate) mod projects;
pub(crate) mod setup_builds;
pub(crate) mod system;
pub(crate) mod waivers;
