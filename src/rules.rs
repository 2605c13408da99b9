//! Loading the data that carries ripen's knowledge: the capability catalogue, the evidence
//! rules and the maturity models (see `docs/rules.md`). Everything is validated here, so later
//! stages can trust ids and patterns; every problem names `file:line:col`.

use crate::structured::saphyr_error;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// Evidence tiers of spec §2, ordered so that `max` gives the best.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    None,
    Mentioned,
    Implemented,
    Automated,
}

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::None => "none",
            Tier::Mentioned => "mentioned",
            Tier::Implemented => "implemented",
            Tier::Automated => "automated",
        }
    }
    pub fn short(self) -> &'static str {
        match self {
            Tier::None => "T0",
            Tier::Mentioned => "T1",
            Tier::Implemented => "T2",
            Tier::Automated => "T3",
        }
    }
}

/// A problem in a rule, model, capability or config file.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for DataError {}

impl DataError {
    pub fn at<T>(file: &str, s: &Spanned<T>, message: impl Into<String>) -> Self {
        DataError {
            file: file.to_string(),
            line: s.referenced.line(),
            column: s.referenced.column(),
            message: message.into(),
        }
    }
    pub fn parse(file: &str, e: &serde_saphyr::Error) -> Self {
        let p = saphyr_error(e);
        DataError {
            file: file.to_string(),
            line: u64::from(p.line.max(1)),
            column: u64::from(p.column.max(1)),
            message: fix_hint(&p.message),
        }
    }
}

/// serde-saphyr's messages name what the parser expected, not what to write; rule and config
/// authors need the latter (and none of the library's own advice about `Options`).
fn fix_hint(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!(
            "duplicate key `{key}`: a key may appear once in a mapping; remove or merge one"
        );
    }
    let hint = match message {
        m if m.starts_with("expected sequence start") => {
            "expected a list here: `- item` lines, or `[a, b]`"
        }
        m if m.starts_with("expected mapping start") => {
            "expected a mapping here: `key: value` lines, or `{key: value}`"
        }
        m if m.starts_with("expected string scalar") => {
            "expected a single text value here, not a list or mapping (quote a value that starts with `[`, `{`, `*`, `&` or `!`)"
        }
        m if m.starts_with("invalid u32") || m.starts_with("invalid u64") => {
            "expected a whole number (0, 1, 2, ...)"
        }
        m if m.starts_with("unclosed quote") => {
            return format!("{m} (end the string with the quote it starts with)");
        }
        m if m.starts_with("mapping values are not allowed") => {
            return format!("{m} (quote a value that contains `: `, or check the indentation)");
        }
        m if m.starts_with("tabs disallowed") => {
            return format!("{m} (indent YAML with spaces)");
        }
        m if m.starts_with("missing field `") => {
            let field = m
                .trim_start_matches("missing field `")
                .split('`')
                .next()
                .unwrap_or("");
            return format!("{m}: add `{field}:` to this entry");
        }
        m => return m.to_string(),
    };
    hint.to_string()
}

// ---------------------------------------------------------------------------------------------
// Capabilities

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Strategy,
    Architecture,
    Modeling,
    Processes,
    Management,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Strategy,
        Category::Architecture,
        Category::Modeling,
        Category::Processes,
        Category::Management,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Category::Strategy => "strategy",
            Category::Architecture => "architecture",
            Category::Modeling => "modeling",
            Category::Processes => "processes",
            Category::Management => "management",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CapabilitiesFile {
    /// The capability catalogue (spec §2).
    capabilities: Vec<CapabilityDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CapabilityDef {
    /// snake_case id used in reports, gates and `ripen explain`.
    #[schemars(with = "String")]
    id: Spanned<String>,
    /// A short human title.
    title: String,
    /// GigaOm category.
    category: Category,
    /// What the capability is.
    definition: String,
    /// How to get it: shown with every gap it causes.
    remediation: String,
    /// What evidence looks like, for people (tools, APIs, files).
    #[serde(default)]
    signals: Option<String>,
    /// True for documentation capabilities, whose evidence may legitimately be Markdown (model cards, ADRs).
    #[serde(default)]
    prose_counts: bool,
    /// False: cannot be seen in a repository; reported as not_observable, never counted toward a gate.
    #[serde(default = "yes")]
    observable: bool,
}

fn yes() -> bool {
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

#[derive(Debug, Clone, Serialize)]
pub struct Capability {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub definition: String,
    pub remediation: String,
    pub signals: Option<String>,
    pub prose_counts: bool,
    pub observable: bool,
}

// ---------------------------------------------------------------------------------------------
// Rules

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    /// Evidence rules (docs/rules.md).
    rules: Vec<RuleDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    /// kebab-case id, unique across all rule packs.
    #[schemars(with = "String")]
    id: Spanned<String>,
    /// The capability this rule is evidence of (an id of the catalogue).
    #[schemars(with = "String")]
    capability: Spanned<String>,
    /// What the rule detects, in a few words.
    title: String,
    /// Why this is evidence of the capability (shown by `ripen explain`).
    rationale: String,
    /// How to close the gap; defaults to the capability's remediation.
    #[serde(default)]
    remediation: Option<String>,
    /// A link to the tool's documentation.
    #[serde(default)]
    docs: Option<String>,
    /// The tier the signal proves at best: `implemented` (T2: API used, config of the tool) or `mentioned` (T1: dependency declared, docs). `automated` is decided by the automation graph, never by a rule.
    #[schemars(with = "Tier")]
    tier: Spanned<Tier>,
    /// The Python package this rule detects; in the repository that *is* that package, matches only mention.
    #[serde(default)]
    framework: Option<String>,
    /// Named qualifiers set on the evidence when the matched file also matches the regex (used by gates).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    facets: BTreeMap<String, Spanned<String>>,
    /// Which files the rule looks at.
    files: FilesDef,
    /// Conditions that must all hold on one file; absent: the path matching `files` is the evidence.
    #[serde(default, rename = "match")]
    conditions: Vec<CondDef>,
    /// Positive and negative examples, run by `ripen rules test`.
    #[serde(default)]
    examples: Option<ExamplesDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FilesDef {
    /// Globs on the path relative to the scanned root.
    #[schemars(with = "Vec<String>")]
    include: Vec<Spanned<String>>,
    /// Globs of paths to leave out.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    exclude: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CondDef {
    /// The file (code cells, for notebooks) matches this Rust regex (multi-line).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    regex: Option<Spanned<String>>,
    /// The file must not match this regex.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    not_regex: Option<Spanned<String>>,
    /// YAML/JSON structure: a dotted key path (`on.schedule`, `jobs.*.steps.*.run`); exists, unless `equals` or `matches` is given.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    key: Option<Spanned<String>>,
    /// With `key`: the scalar at the path equals this string.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    equals: Option<Spanned<String>>,
    /// With `key`: the scalar at the path matches this regex.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    matches: Option<Spanned<String>>,
    /// At least one of the nested conditions holds.
    #[serde(default)]
    #[schemars(with = "Option<Vec<CondDef>>")]
    any: Option<Spanned<Vec<CondDef>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ExamplesDef {
    /// Files that must produce evidence at the rule's tier.
    #[serde(default)]
    positive: Vec<ExampleDef>,
    /// Files that must not.
    #[serde(default)]
    negative: Vec<ExampleDef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExampleDef {
    pub path: String,
    pub content: String,
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
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub conditions: Vec<Condition>,
    pub positive: Vec<ExampleDef>,
    pub negative: Vec<ExampleDef>,
    /// Where the rule was defined, for `ripen rules list` and error messages.
    pub source: String,
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

// ---------------------------------------------------------------------------------------------
// Models

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Staged,
    Categories,
}

/// Which triggers a gate accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerReq {
    /// push, pull request, or CI whose triggers live outside the repository (spec §3.2).
    CodeChange,
    /// schedule, event or data arrival, completion of another pipeline.
    Recurring,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ModelDef {
    /// snake_case model id (`google`, `azure`).
    #[schemars(with = "String")]
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    source: Option<String>,
    /// `staged` (levels 0..N, cumulative) or `categories` (GigaOm).
    kind: ModelKind,
    #[serde(default)]
    note: Option<String>,
    /// Levels, in order from 0 without gaps.
    #[serde(default)]
    levels: Vec<LevelDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LevelDef {
    #[schemars(with = "u32")]
    level: Spanned<u32>,
    name: String,
    #[serde(default)]
    summary: Option<String>,
    /// Practices that must all hold (and every lower level's).
    #[serde(default)]
    required: Vec<PracticeDef>,
    /// Practices reported as gaps and counted in coverage.
    #[serde(default)]
    expected: Vec<PracticeDef>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PracticeDef {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    remediation: Option<String>,
    /// Alternatives: at least one must hold.
    #[serde(default)]
    any: Option<Vec<AltDef>>,
    /// Shorthand for a one-alternative practice.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    capability: Option<Spanned<String>>,
    /// Minimum tier (default implemented).
    #[serde(default)]
    tier: Option<Tier>,
    /// For automated evidence: which triggers count.
    #[serde(default)]
    trigger: Option<TriggerReq>,
    /// The evidence must carry this facet.
    #[serde(default)]
    facet: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AltDef {
    #[schemars(with = "String")]
    capability: Spanned<String>,
    /// Minimum tier (default implemented).
    #[serde(default)]
    tier: Option<Tier>,
    /// For automated evidence: which triggers count.
    #[serde(default)]
    trigger: Option<TriggerReq>,
    /// The evidence must carry this facet.
    #[serde(default)]
    facet: Option<String>,
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
    pub kind: ModelKind,
    pub note: Option<String>,
    pub levels: Vec<Level>,
}

// ---------------------------------------------------------------------------------------------
// The loaded catalogue

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub capabilities: Vec<Capability>,
    pub rules: Vec<Rule>,
    pub models: Vec<Model>,
    cap_index: HashMap<String, usize>,
    /// Every rule's `framework`, normalised as package names are (`evidence::normalise_package`):
    /// asked once per file with hits at every assembly, so not recomputed from the rules.
    frameworks: HashSet<String>,
}

impl Catalogue {
    pub fn capability(&self, id: &str) -> Option<&Capability> {
        self.cap_index.get(id).map(|&i| &self.capabilities[i])
    }
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id)
    }
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
    /// Whether some model accepts `mentioned` evidence for a practice. The built-in models do
    /// not (a mention is not a practice), and GigaOm's shares count implemented and automated
    /// capabilities only; then evidence that is only mentioned never moves a level, which lets
    /// `ripen history` skip commits that change nothing else.
    pub fn counts_mentions(&self) -> bool {
        self.models
            .iter()
            .flat_map(|m| &m.levels)
            .flat_map(|l| l.required.iter().chain(&l.expected))
            .flat_map(|p| &p.any)
            .any(|a| a.tier <= Tier::Mentioned)
    }
    /// Whether some rule names this (normalised) package as its `framework`.
    pub fn is_framework(&self, package: &str) -> bool {
        self.frameworks.contains(package)
    }

    /// The built-in rules plus every `--rules DIR`, validated.
    pub fn load(extra_dirs: &[PathBuf]) -> Result<Catalogue, DataError> {
        let mut files: Vec<(String, String)> = EMBEDDED_RULES
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        for dir in extra_dirs {
            files.extend(read_dir_files(dir)?);
        }
        Catalogue::from_files(&files)
    }

    /// Builds a catalogue from `(display path, content)` pairs. Capability files first, then
    /// models and rules, which refer to capabilities.
    pub fn from_files(files: &[(String, String)]) -> Result<Catalogue, DataError> {
        let mut cat = Catalogue::default();
        let kind = |p: &str| {
            let name = Path::new(p)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("");
            if name == "capabilities.yml" || name == "capabilities.yaml" {
                0
            } else if p.contains("models/") {
                1
            } else {
                2
            }
        };
        let mut ordered: Vec<&(String, String)> = files.iter().collect();
        ordered.sort_by_key(|(p, _)| kind(p));
        for (path, content) in ordered {
            match kind(path) {
                0 => cat.add_capabilities(path, content)?,
                1 => cat.add_model(path, content)?,
                _ => cat.add_rules(path, content)?,
            }
        }
        Ok(cat)
    }

    fn add_capabilities(&mut self, path: &str, content: &str) -> Result<(), DataError> {
        let file: CapabilitiesFile =
            serde_saphyr::from_str(content).map_err(|e| DataError::parse(path, &e))?;
        for c in file.capabilities {
            check_id(path, &c.id, IdStyle::Snake)?;
            if self.cap_index.contains_key(&c.id.value) {
                return Err(DataError::at(
                    path,
                    &c.id,
                    format!(
                        "duplicate capability id `{}`: capability ids are unique across the built-in catalogue and every --rules directory; rename this one",
                        c.id.value
                    ),
                ));
            }
            self.cap_index
                .insert(c.id.value.clone(), self.capabilities.len());
            self.capabilities.push(Capability {
                id: c.id.value,
                title: c.title,
                category: c.category,
                definition: c.definition,
                remediation: c.remediation,
                signals: c.signals,
                prose_counts: c.prose_counts,
                observable: c.observable,
            });
        }
        Ok(())
    }

    fn known_capability(&self, path: &str, id: &Spanned<String>) -> Result<(), DataError> {
        if self.cap_index.contains_key(&id.value) {
            return Ok(());
        }
        let hint = closest(&id.value, self.capabilities.iter().map(|c| c.id.as_str()))
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        Err(DataError::at(
            path,
            id,
            format!(
                "unknown capability `{}`{hint}; capabilities are defined in rules/capabilities.yml",
                id.value
            ),
        ))
    }

    fn add_rules(&mut self, path: &str, content: &str) -> Result<(), DataError> {
        let file: RulesFile =
            serde_saphyr::from_str(content).map_err(|e| DataError::parse(path, &e))?;
        let mut seen: HashSet<String> = self.rules.iter().map(|r| r.id.clone()).collect();
        for r in file.rules {
            check_id(path, &r.id, IdStyle::Kebab)?;
            if !seen.insert(r.id.value.clone()) {
                return Err(DataError::at(
                    path,
                    &r.id,
                    format!(
                        "duplicate rule id `{}` (first defined at {}): rule ids are unique across all rule files, built-in ones included; rename this one",
                        r.id.value,
                        self.rules
                            .iter()
                            .find(|x| x.id == r.id.value)
                            .map(|x| x.source.as_str())
                            .unwrap_or("another rule file")
                    ),
                ));
            }
            self.known_capability(path, &r.capability)?;
            if r.tier.value == Tier::Automated || r.tier.value == Tier::None {
                return Err(DataError::at(
                    path,
                    &r.tier,
                    "a rule's tier is `implemented` or `mentioned`; ripen's automation graph decides what is automated",
                ));
            }
            if r.files.include.is_empty() {
                return Err(DataError::at(
                    path,
                    &r.id,
                    "`files.include` needs at least one glob",
                ));
            }
            for g in r.files.include.iter().chain(&r.files.exclude) {
                check_glob(path, g)?;
            }
            let mut facets = Vec::new();
            for (name, re) in &r.facets {
                check_regex(path, re)?;
                facets.push((name.clone(), re.value.clone()));
            }
            let conditions = r
                .conditions
                .iter()
                .map(|c| convert_condition(path, c, 0))
                .collect::<Result<Vec<_>, _>>()?;
            let (positive, negative) = match r.examples {
                Some(e) => (e.positive, e.negative),
                None => (Vec::new(), Vec::new()),
            };
            if let Some(fw) = &r.framework {
                self.frameworks
                    .insert(crate::evidence::normalise_package(fw));
            }
            self.rules.push(Rule {
                id: r.id.value,
                capability: r.capability.value,
                title: r.title,
                rationale: r.rationale,
                remediation: r.remediation,
                docs: r.docs,
                tier: r.tier.value,
                framework: r.framework,
                facets,
                include: r.files.include.into_iter().map(|g| g.value).collect(),
                exclude: r.files.exclude.into_iter().map(|g| g.value).collect(),
                conditions,
                positive,
                negative,
                source: format!("{path}:{}", r.id.referenced.line()),
            });
        }
        Ok(())
    }

    fn add_model(&mut self, path: &str, content: &str) -> Result<(), DataError> {
        let m: ModelDef =
            serde_saphyr::from_str(content).map_err(|e| DataError::parse(path, &e))?;
        check_id(path, &m.id, IdStyle::Snake)?;
        if self.models.iter().any(|x| x.id == m.id.value) {
            return Err(DataError::at(
                path,
                &m.id,
                format!(
                    "duplicate model id `{}`: a --rules directory adds models but cannot redefine one; give this model another id",
                    m.id.value
                ),
            ));
        }
        let mut levels = Vec::new();
        for (i, l) in m.levels.into_iter().enumerate() {
            if l.level.value as usize != i {
                return Err(DataError::at(
                    path,
                    &l.level,
                    format!(
                        "levels must be listed in order from 0 without gaps: expected level {i}, found {}",
                        l.level.value
                    ),
                ));
            }
            let convert = |ps: Vec<PracticeDef>| -> Result<Vec<Practice>, DataError> {
                ps.into_iter()
                    .map(|p| self.convert_practice(path, &l.level, p))
                    .collect()
            };
            let required = convert(l.required)?;
            let expected = convert(l.expected)?;
            levels.push(Level {
                level: l.level.value,
                name: l.name,
                summary: l.summary,
                required,
                expected,
            });
        }
        if m.kind == ModelKind::Staged && levels.is_empty() {
            return Err(DataError::at(path, &m.id, "a staged model needs levels"));
        }
        self.models.push(Model {
            id: m.id.value,
            title: m.title,
            source: m.source,
            kind: m.kind,
            note: m.note,
            levels,
        });
        Ok(())
    }

    fn convert_practice(
        &self,
        path: &str,
        at: &Spanned<u32>,
        p: PracticeDef,
    ) -> Result<Practice, DataError> {
        let mut any = Vec::new();
        if let Some(cap) = &p.capability {
            self.known_capability(path, cap)?;
            any.push(Alternative {
                capability: cap.value.clone(),
                tier: p.tier.unwrap_or(Tier::Implemented),
                trigger: p.trigger,
                facet: p.facet.clone(),
            });
        }
        for a in p.any.unwrap_or_default() {
            self.known_capability(path, &a.capability)?;
            any.push(Alternative {
                capability: a.capability.value,
                tier: a.tier.unwrap_or(Tier::Implemented),
                trigger: a.trigger,
                facet: a.facet,
            });
        }
        if any.is_empty() {
            return Err(DataError::at(
                path,
                at,
                "a practice needs `capability:` or `any:` with at least one alternative",
            ));
        }
        let id = p.id.unwrap_or_else(|| any[0].capability.clone());
        let title = p.title.unwrap_or_else(|| {
            self.capability(&any[0].capability)
                .map(|c| c.title.clone())
                .unwrap_or_else(|| id.clone())
        });
        Ok(Practice {
            id,
            title,
            remediation: p.remediation,
            any,
        })
    }
}

fn convert_condition(path: &str, c: &CondDef, depth: usize) -> Result<Condition, DataError> {
    let set = [
        c.regex.is_some(),
        c.not_regex.is_some(),
        c.key.is_some(),
        c.any.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let anchor = c
        .regex
        .as_ref()
        .or(c.not_regex.as_ref())
        .or(c.key.as_ref())
        .or(c.equals.as_ref())
        .or(c.matches.as_ref());
    let err = |msg: &str| match anchor {
        Some(s) => DataError::at(path, s, msg),
        None => match &c.any {
            Some(a) => DataError::at(path, a, msg),
            None => DataError {
                file: path.to_string(),
                line: 0,
                column: 0,
                message: msg.to_string(),
            },
        },
    };
    if set != 1 {
        return Err(err(
            "a condition is exactly one of `regex`, `not_regex`, `key` (with optional `equals`/`matches`) or `any`",
        ));
    }
    if (c.equals.is_some() || c.matches.is_some()) && c.key.is_none() {
        return Err(err("`equals` and `matches` go with `key`"));
    }
    if let Some(r) = &c.regex {
        check_regex(path, r)?;
        return Ok(Condition::Regex(r.value.clone()));
    }
    if let Some(r) = &c.not_regex {
        check_regex(path, r)?;
        return Ok(Condition::NotRegex(r.value.clone()));
    }
    if let Some(k) = &c.key {
        if k.value.trim().is_empty() {
            return Err(DataError::at(path, k, "`key` needs a dotted path"));
        }
        if let Some(m) = &c.matches {
            check_regex(path, m)?;
        }
        return Ok(Condition::Key {
            path: k.value.split('.').map(str::to_string).collect(),
            equals: c.equals.as_ref().map(|s| s.value.clone()),
            matches: c.matches.as_ref().map(|s| s.value.clone()),
        });
    }
    let any = c.any.as_ref().expect("counted above");
    if depth > 8 {
        return Err(DataError::at(path, any, "conditions nest too deeply"));
    }
    if any.value.is_empty() {
        return Err(DataError::at(
            path,
            any,
            "`any` needs at least one condition",
        ));
    }
    Ok(Condition::Any(
        any.value
            .iter()
            .map(|c| convert_condition(path, c, depth + 1))
            .collect::<Result<_, _>>()?,
    ))
}

enum IdStyle {
    Snake,
    Kebab,
}

fn check_id(path: &str, id: &Spanned<String>, style: IdStyle) -> Result<(), DataError> {
    let (sep, name) = match style {
        IdStyle::Snake => ('_', "snake_case"),
        IdStyle::Kebab => ('-', "kebab-case"),
    };
    let ok = !id.value.is_empty()
        && id.value.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == sep);
    if ok {
        Ok(())
    } else {
        Err(DataError::at(
            path,
            id,
            format!("id `{}` must be {name} (a-z, 0-9, `{sep}`)", id.value),
        ))
    }
}

fn check_regex(path: &str, re: &Spanned<String>) -> Result<(), DataError> {
    crate::matcher::compile_regex(&re.value).map(|_| ()).map_err(|e| {
        let detail = e.to_string();
        let last = detail
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid regex");
        DataError::at(
            path,
            re,
            format!(
                "invalid regex `{}`: {} (ripen uses Rust regex syntax: no look-around or back-references)",
                re.value,
                last.trim_start_matches("error: ").trim()
            ),
        )
    })
}

fn check_glob(path: &str, g: &Spanned<String>) -> Result<(), DataError> {
    globset::GlobBuilder::new(&g.value)
        .literal_separator(true)
        .build()
        .map(|_| ())
        .map_err(|e| DataError::at(path, g, format!("invalid glob `{}`: {}", g.value, e.kind())))
}

/// The nearest id by edit distance, for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    fn dist(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    candidates
        .map(|c| (dist(word, c), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

/// Every YAML file below `dir`, with paths as given (for messages), sorted for stable errors.
fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, DataError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    let io_err = |p: &Path, e: std::io::Error| DataError {
        file: p.display().to_string(),
        line: 0,
        column: 0,
        message: format!("cannot read rules: {e}"),
    };
    while let Some(d) = stack.pop() {
        let rd = std::fs::read_dir(&d).map_err(|e| io_err(&d, e))?;
        for entry in rd.flatten() {
            let p = entry.path();
            // Linked directories are not descended into (a `loop -> .` link made this walk
            // forever, and a repository's `.ripen.yml` can name a rules directory), and only
            // regular files are read (a FIFO named `x.yml` would block).
            let linked = entry.file_type().is_ok_and(|t| t.is_symlink());
            if p.is_dir() {
                if !linked {
                    stack.push(p);
                }
            } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
                && p.is_file()
            {
                let bytes = std::fs::read(&p).map_err(|e| io_err(&p, e))?;
                let content = String::from_utf8(bytes).map_err(|e| {
                    // Point at the offending byte rather than 0:0.
                    let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    let line = good.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                    let start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                    DataError {
                        file: p.display().to_string(),
                        line,
                        column: (good.len() - start) as u64 + 1,
                        message: "not UTF-8: save the rule file as UTF-8".to_string(),
                    }
                })?;
                // Keep `models/` in the display path so the loader knows the file's kind.
                out.push((p.display().to_string(), content));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> (String, String) {
        (
            "rules/capabilities.yml".into(),
            "capabilities:\n  - id: ci\n    title: CI\n    category: processes\n    definition: d\n    remediation: r\n"
                .into(),
        )
    }

    fn load(rule: &str) -> Result<Catalogue, DataError> {
        Catalogue::from_files(&[caps(), ("rules/x.yml".into(), rule.into())])
    }

    #[test]
    fn unknown_capability_names_position() {
        let e = load("rules:\n  - id: a\n    capability: cj\n    title: t\n    rationale: r\n    tier: implemented\n    files: {include: ['*']}\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 17));
        assert!(e.message.contains("did you mean `ci`"), "{e}");
    }

    #[test]
    fn invalid_regex_names_position() {
        let e = load("rules:\n  - id: a\n    capability: ci\n    title: t\n    rationale: r\n    tier: implemented\n    files: {include: ['*']}\n    match:\n      - regex: '(?<=x)y'\n").unwrap_err();
        assert_eq!(e.line, 9);
        assert!(e.message.contains("invalid regex"), "{e}");
    }

    #[test]
    fn unknown_key_is_an_error() {
        let e = load("rules:\n  - id: a\n    capability: ci\n    titel: t\n").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn automated_tier_is_refused() {
        let e = load("rules:\n  - id: a\n    capability: ci\n    title: t\n    rationale: r\n    tier: automated\n    files: {include: ['*']}\n").unwrap_err();
        assert!(e.message.contains("automation graph"), "{e}");
    }

    #[test]
    fn model_level_gap_is_an_error() {
        let e = Catalogue::from_files(&[
            caps(),
            (
                "rules/models/m.yml".into(),
                "id: m\ntitle: M\nkind: staged\nlevels:\n  - level: 0\n    name: a\n  - level: 2\n    name: b\n"
                    .into(),
            ),
        ])
        .unwrap_err();
        assert_eq!(e.line, 7, "{e}");
    }

    #[test]
    fn embedded_catalogue_loads() {
        let cat = Catalogue::load(&[]).expect("built-in rules are valid");
        assert!(cat.model("google").is_some());
        assert!(cat.model("azure").is_some());
    }
}
