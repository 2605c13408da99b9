//! From evidence to verdicts: capabilities, the maturity models, the config's attestations and
//! waivers, the graph's facets, sub-projects and separate systems, several repositories as one.

pub mod capabilities;
pub mod facets;
pub mod models;
pub mod projects;
pub mod system;
pub mod waivers;
