//! The rule, capability and model files as written: serde types with spans, from which the
//! JSON Schemas in `schemas/` are generated. `load` validates them into the catalogue's types.

use crate::catalogue::{ModelKind, Share, TriggerReq};
use crate::model::Tier;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CapabilitiesFile {
    /// The capability catalogue (docs/levels.md).
    pub(crate) capabilities: Vec<CapabilityDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CapabilityDef {
    /// snake_case id used in reports, gates and `ripen explain`.
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    /// A short human title.
    pub(crate) title: String,
    /// GigaOm category.
    #[schemars(with = "CategoryName")]
    pub(crate) category: Spanned<String>,
    /// What the capability is.
    pub(crate) definition: String,
    /// How to get it: shown with every gap it causes.
    pub(crate) remediation: String,
    /// What evidence looks like, for people (tools, APIs, files).
    #[serde(default)]
    pub(crate) signals: Option<String>,
    /// True for documentation capabilities, whose evidence may legitimately be Markdown (model cards, ADRs).
    #[serde(default)]
    pub(crate) prose_counts: bool,
    /// False: cannot be seen in a repository; reported as not_observable, never counted toward a gate.
    #[serde(default = "yes")]
    pub(crate) observable: bool,
}

pub(crate) fn yes() -> bool {
    true
}

/// JSON Schemas of the three kinds of rule file, generated from the types the loader reads
/// (kept in `schemas/`, checked by the tests).
pub fn schemas() -> [(&'static str, schemars::Schema); 3] {
    [
        ("rules", schemars::schema_for!(RulesFile)),
        ("capabilities", schemars::schema_for!(CapabilitiesFile)),
        ("model", schemars::schema_for!(ModelDef)),
    ]
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesFile {
    /// Evidence rules (docs/rules.md).
    pub(crate) rules: Vec<RuleDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleDef {
    /// kebab-case id, unique across all rule packs.
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    /// The capability this rule is evidence of (an id of the catalogue).
    #[schemars(with = "String")]
    pub(crate) capability: Spanned<String>,
    /// What the rule detects, in a few words.
    pub(crate) title: String,
    /// Why this is evidence of the capability (shown by `ripen explain`).
    pub(crate) rationale: String,
    /// How to close the gap; defaults to the capability's remediation.
    #[serde(default)]
    pub(crate) remediation: Option<String>,
    /// A link to the tool's documentation.
    #[serde(default)]
    pub(crate) docs: Option<String>,
    /// The tier the signal proves at best: `implemented` (T2: API used, config of the tool) or `mentioned` (T1: dependency declared, docs). `automated` is decided by the automation graph, never by a rule.
    #[schemars(with = "Tier")]
    pub(crate) tier: Spanned<Tier>,
    /// The Python package this rule detects; in the repository that *is* that package, matches only mention.
    #[serde(default)]
    pub(crate) framework: Option<String>,
    /// Named qualifiers set on the evidence when the matched file also matches the regex (used by gates).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub(crate) facets: BTreeMap<String, Spanned<String>>,
    /// Facets (names of `facets`) that hold only where their regex matches no later than the
    /// rule's own match: an approval before the deploy stage's steps, not one after it.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) facets_before_match: Vec<Spanned<String>>,
    /// Which files the rule looks at.
    pub(crate) files: FilesDef,
    /// Conditions that must all hold on one file; absent: the path matching `files` is the evidence.
    #[serde(default, rename = "match")]
    pub(crate) conditions: Vec<CondDef>,
    /// Positive and negative examples, run by `ripen rules test`.
    #[serde(default)]
    pub(crate) examples: Option<ExamplesDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilesDef {
    /// Globs on the path relative to the scanned root.
    #[schemars(with = "Vec<String>")]
    pub(crate) include: Vec<Spanned<String>>,
    /// Globs of paths to leave out.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) exclude: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CondDef {
    /// The file (code cells, for notebooks) matches this Rust regex (multi-line).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) regex: Option<Spanned<String>>,
    /// The file must not match this regex.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) not_regex: Option<Spanned<String>>,
    /// YAML/JSON structure: a dotted key path (`on.schedule`, `jobs.*.steps.*.run`); exists, unless `equals` or `matches` is given.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) key: Option<Spanned<String>>,
    /// With `key`: the scalar at the path equals this string.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) equals: Option<Spanned<String>>,
    /// With `key`: the scalar at the path matches this regex.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) matches: Option<Spanned<String>>,
    /// At least one of the nested conditions holds.
    #[serde(default)]
    #[schemars(with = "Option<Vec<CondDef>>")]
    pub(crate) any: Option<Spanned<Vec<CondDef>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExamplesDef {
    /// Files that must produce evidence at the rule's tier.
    #[serde(default)]
    pub(crate) positive: Vec<ExampleDef>,
    /// Files that must not.
    #[serde(default)]
    pub(crate) negative: Vec<ExampleDef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExampleDef {
    pub path: String,
    pub content: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelDef {
    /// snake_case model id (`google`, `azure`).
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) source: Option<String>,
    /// `staged` (levels 0..N, cumulative) or `categories` (GigaOm).
    pub(crate) kind: ModelKind,
    #[serde(default)]
    pub(crate) note: Option<String>,
    /// Levels, in order from 0 without gaps (`staged`).
    #[serde(default)]
    pub(crate) levels: Vec<LevelDef>,
    /// The categories capabilities are grouped in, in the order reports list them
    /// (`categories`).
    #[serde(default)]
    pub(crate) categories: Vec<CategoryEntryDef>,
    /// How a category's band is decided: the first band whose condition holds, from the
    /// highest; a band without a condition always holds (`categories`).
    #[serde(default)]
    pub(crate) bands: Vec<BandDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoryEntryDef {
    /// The id capabilities name as their `category`.
    #[schemars(with = "String")]
    pub(crate) id: Spanned<String>,
    pub(crate) title: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BandDef {
    pub(crate) band: u32,
    /// The tier the capabilities must reach (attested ones count as `implemented`).
    #[serde(default)]
    pub(crate) tier: Option<Tier>,
    /// How many of the category's observable capabilities: `all`, `most` (more than half) or
    /// `some` (at least one).
    #[serde(default)]
    pub(crate) share: Option<Share>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LevelDef {
    #[schemars(with = "u32")]
    pub(crate) level: Spanned<u32>,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) summary: Option<String>,
    /// Practices that must all hold (and every lower level's).
    #[serde(default)]
    pub(crate) required: Vec<PracticeDef>,
    /// Practices reported as gaps and counted in coverage.
    #[serde(default)]
    pub(crate) expected: Vec<PracticeDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PracticeDef {
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) remediation: Option<String>,
    /// Alternatives: at least one must hold.
    #[serde(default)]
    pub(crate) any: Option<Vec<AltDef>>,
    /// Shorthand for a one-alternative practice.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub(crate) capability: Option<Spanned<String>>,
    /// Minimum tier (default implemented).
    #[serde(default)]
    pub(crate) tier: Option<Tier>,
    /// For automated evidence: which triggers count.
    #[serde(default)]
    pub(crate) trigger: Option<TriggerReq>,
    /// The evidence must carry this facet.
    #[serde(default)]
    pub(crate) facet: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AltDef {
    #[schemars(with = "String")]
    pub(crate) capability: Spanned<String>,
    /// Minimum tier (default implemented).
    #[serde(default)]
    pub(crate) tier: Option<Tier>,
    /// For automated evidence: which triggers count.
    #[serde(default)]
    pub(crate) trigger: Option<TriggerReq>,
    /// The evidence must carry this facet.
    #[serde(default)]
    pub(crate) facet: Option<String>,
}

/// The schema of a capability's `category`: one of the categories of the built-in categories
/// models (read from `rules/models/`, so the schema follows the data).
pub(crate) struct CategoryName;

impl JsonSchema for CategoryName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Category".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let ids: Vec<String> = crate::catalogue::Catalogue::load(&[])
            .map(|c| c.categories().map(|c| c.id.clone()).collect())
            .unwrap_or_default();
        schemars::json_schema!({
            "type": "string",
            "enum": ids,
        })
    }
}
