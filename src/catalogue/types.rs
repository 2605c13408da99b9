//! The validated catalogue: capabilities, rules and maturity models as later stages read them.

use crate::catalogue::ExampleDef;
use crate::model::Tier;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize)]
pub struct Capability {
    pub id: String,
    pub title: String,
    /// A category id of the categories models (`rules/models/gigaom.yml`).
    pub category: String,
    pub definition: String,
    pub remediation: String,
    pub signals: Option<String>,
    pub prose_counts: bool,
    pub observable: bool,
}

/// A validated rule. Patterns are kept as source text; `matcher` compiles them once.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: String,
    pub capability: String,
    pub title: String,
    pub rationale: String,
    pub remediation: Option<String>,
    pub docs: Option<String>,
    pub tier: Tier,
    pub framework: Option<String>,
    pub facets: Vec<(String, String)>,
    /// The facets that hold only where their regex matches before the rule's match.
    pub facets_before_match: Vec<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub conditions: Vec<Condition>,
    pub positive: Vec<ExampleDef>,
    pub negative: Vec<ExampleDef>,
    /// Where the rule was defined, for `ripen rules list` and error messages.
    pub source: String,
    /// Loaded from a rule directory the scanned repository's config names (not ripen's own
    /// rules, nor a `--rules DIR` of the caller): its evidence is marked, and a gate ignores it
    /// unless the caller passes `--trust-repo-rules`.
    pub repository: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Regex(String),
    NotRegex(String),
    Key {
        path: Vec<String>,
        equals: Option<String>,
        matches: Option<String>,
    },
    Any(Vec<Condition>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ModelKind {
    Staged,
    Categories,
}

/// Which triggers a gate accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerReq {
    /// push, pull request, or CI whose triggers live outside the repository (docs/levels.md).
    CodeChange,
    /// schedule, event or data arrival, completion of another pipeline.
    Recurring,
    /// Any trigger but a person's alone: push, pull request, tag or release, schedule, event,
    /// another pipeline or workflow. Manual dispatch only (`workflow_dispatch`, a GitLab
    /// `when: manual` job) is a manual release (docs/levels.md).
    Unattended,
}

#[derive(Debug, Clone, Serialize)]
pub struct Alternative {
    pub capability: String,
    pub tier: Tier,
    pub trigger: Option<TriggerReq>,
    pub facet: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Practice {
    pub id: String,
    pub title: String,
    pub remediation: Option<String>,
    pub any: Vec<Alternative>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub level: u32,
    pub name: String,
    pub summary: Option<String>,
    pub required: Vec<Practice>,
    pub expected: Vec<Practice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub id: String,
    pub title: String,
    pub source: Option<String>,
    pub note: Option<String>,
    pub scale: Scale,
}

/// What a model reads the capabilities into.
#[derive(Debug, Clone, Serialize)]
pub enum Scale {
    /// Levels 0..N, cumulative.
    Levels(Vec<Level>),
    /// Categories, each with a band.
    Categories {
        categories: Vec<CategoryDef>,
        bands: Vec<Band>,
    },
}

impl Model {
    /// A staged model's levels (none for other kinds).
    pub(crate) fn levels(&self) -> &[Level] {
        match &self.scale {
            Scale::Levels(l) => l,
            Scale::Categories { .. } => &[],
        }
    }
}

/// A category of a categories model.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryDef {
    pub id: String,
    pub title: String,
}

/// A band of a categories model: it holds when the `share` of the category's observable
/// capabilities reach `tier` (no condition: always).
#[derive(Debug, Clone, Serialize)]
pub struct Band {
    pub band: u32,
    pub condition: Option<(Tier, Share)>,
}

/// How many of a category's capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Share {
    All,
    /// More than half.
    Most,
    /// At least one.
    Some,
}

impl Share {
    /// Whether `k` of `n` is this share.
    pub(crate) fn holds(self, k: usize, n: usize) -> bool {
        match self {
            Share::All => k == n,
            Share::Most => k * 2 > n,
            Share::Some => k > 0,
        }
    }
}
