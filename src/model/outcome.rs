//! A maturity model's verdict: levels with their practices, or categories with their bands.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PracticeResult {
    pub id: String,
    pub title: String,
    pub met: bool,
    /// The capabilities that would satisfy it, with the tier each needs.
    pub satisfied_by: Vec<String>,
    /// The evidence that satisfied it, as `path:line` (rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The file of that evidence (what [`ModelResult::cites`] asks about).
    #[serde(skip)]
    pub evidence_path: Option<String>,
    pub remediation: String,
    /// The capability ids of the alternatives, in order (`satisfied_by` labels them).
    pub capabilities: Vec<String>,
    /// Not met, but a waiver in the config accepts the gap: the capability it waives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LevelResult {
    pub level: u32,
    pub name: String,
    /// This level and every level below have their required practices.
    pub met: bool,
    /// Share of this level's required + expected practices present (0..1).
    pub coverage: f64,
    pub missing_required: Vec<String>,
    pub missing_expected: Vec<String>,
    pub required: Vec<PracticeResult>,
    pub expected: Vec<PracticeResult>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CategoryResult {
    pub title: String,
    /// Indicative band 0-4, or null when nothing in the category can be seen in a repository.
    pub band: Option<u32>,
    pub capabilities: Vec<String>,
    pub implemented_share: f64,
    pub automated_share: f64,
}

/// A maturity model's verdict: its title and source, and what the model reads of the
/// capabilities, by kind of model. A new kind of model is a new [`Outcome`]: every renderer
/// matches on it, so none compiles until it shows the new kind.
#[derive(Debug, Clone)]
pub struct ModelResult {
    pub title: String,
    pub source: Option<String>,
    pub outcome: Outcome,
    /// How the verdict was decided, when it is not the plain reading of the model.
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// Levels 0..N, cumulative (`kind: staged`).
    Staged(Staged),
    /// Categories with an indicative band each (`kind: categories`).
    Categories(Categories),
}

#[derive(Debug, Clone)]
pub struct Staged {
    /// The level reached.
    pub level: u32,
    pub max_level: u32,
    pub level_name: Option<String>,
    pub levels: Vec<LevelResult>,
    /// The level counted for `fail_under` when active waivers accept missing practices; set
    /// only when a waiver applies to this model. `level` stays the level the evidence shows.
    pub level_with_waivers: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Categories {
    /// By category id.
    pub by_id: BTreeMap<String, CategoryResult>,
    /// The ids in the model's own order (how charts list them).
    pub order: Vec<String>,
    /// The highest band the model defines (the scale bands are read on: `2/4`).
    pub max_band: u32,
}

impl Categories {
    /// The categories in the model's order.
    pub(crate) fn ordered(&self) -> impl Iterator<Item = (&str, &CategoryResult)> {
        self.order
            .iter()
            .filter_map(|id| self.by_id.get_key_value(id))
            .map(|(k, v)| (k.as_str(), v))
    }
}

impl ModelResult {
    /// The level reached, for a staged model (what targets, history and diff compare).
    pub fn level(&self) -> Option<u32> {
        match &self.outcome {
            Outcome::Staged(s) => Some(s.level),
            Outcome::Categories(_) => None,
        }
    }

    /// The staged verdict, for a staged model.
    pub fn staged(&self) -> Option<&Staged> {
        match &self.outcome {
            Outcome::Staged(s) => Some(s),
            Outcome::Categories(_) => None,
        }
    }

    /// Whether a practice of this model names evidence in `path` as what satisfied it.
    pub(crate) fn cites(&self, path: &str) -> bool {
        self.staged().is_some_and(|s| {
            s.levels
                .iter()
                .flat_map(|l| l.required.iter().chain(&l.expected))
                .any(|p| p.evidence_path.as_deref() == Some(path))
        })
    }
}

/// The JSON contract of a model, whatever its kind: `level` (null for categories),
/// `max_level`, `level_name`, `levels` (empty for categories), `categories` (by id, for
/// category models), `note` and `level_with_waivers`, in that order.
impl Serialize for ModelResult {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("title", &self.title)?;
        if let Some(source) = &self.source {
            m.serialize_entry("source", source)?;
        }
        match &self.outcome {
            Outcome::Staged(st) => {
                m.serialize_entry("level", &st.level)?;
                m.serialize_entry("max_level", &st.max_level)?;
                if let Some(name) = &st.level_name {
                    m.serialize_entry("level_name", name)?;
                }
                m.serialize_entry("levels", &st.levels)?;
            }
            Outcome::Categories(c) => {
                m.serialize_entry("level", &None::<u32>)?;
                m.serialize_entry("levels", &[] as &[LevelResult])?;
                m.serialize_entry("max_band", &c.max_band)?;
                m.serialize_entry("categories", &c.by_id)?;
            }
        }
        if let Some(note) = &self.note {
            m.serialize_entry("note", note)?;
        }
        if let Outcome::Staged(Staged {
            level_with_waivers: Some(w),
            ..
        }) = &self.outcome
        {
            m.serialize_entry("level_with_waivers", w)?;
        }
        m.end()
    }
}

/// The schema of the JSON written by `Serialize for ModelResult` above (kept beside it).
impl schemars::JsonSchema for ModelResult {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ModelResult".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let levels = g.subschema_for::<Vec<LevelResult>>();
        let categories = g.subschema_for::<BTreeMap<String, CategoryResult>>();
        schemars::json_schema!({
            "type": "object",
            "description": "One model's verdict. Staged models have a level (0..max_level) and their levels; category models have level null, no levels, and categories by id.",
            "required": ["title", "level", "levels"],
            "additionalProperties": false,
            "properties": {
                "title": { "type": "string" },
                "source": { "type": "string" },
                "level": { "type": ["integer", "null"], "minimum": 0 },
                "max_level": { "type": "integer", "minimum": 0 },
                "level_name": { "type": "string" },
                "max_band": { "type": "integer", "minimum": 0, "description": "Category models: the highest band." },
                "levels": levels,
                "categories": categories,
                "note": { "type": "string" },
                "level_with_waivers": { "type": "integer", "minimum": 0 }
            }
        })
    }
}
