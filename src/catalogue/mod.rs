//! Loading the data that carries ripen's knowledge: the capability catalogue, the evidence
//! rules and the maturity models (see `docs/rules.md` and `docs/levels.md`). Everything is
//! validated here, so later stages can trust ids and patterns; every problem names
//! `file:line:col`.

pub(crate) mod builtin;
mod defs;
pub mod docs;
mod error;
pub(crate) mod regex;
mod types;
mod validate;

pub use defs::{ExampleDef, schemas};
pub use error::DataError;
pub(crate) use regex::compile_regex;
pub(crate) use types::*;
pub use validate::closest;

use crate::model::Tier;
use defs::*;
use serde_saphyr::Spanned;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use validate::*;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub capabilities: Vec<Capability>,
    pub rules: Vec<Rule>,
    pub models: Vec<Model>,
    pub(crate) cap_index: HashMap<String, usize>,
    /// Every rule's `framework`, normalised as package names are (`evidence::normalise_package`):
    /// asked once per file with hits at every assembly, so not recomputed from the rules.
    pub(crate) frameworks: HashSet<String>,
    /// Each capability's category and where it is written, checked once the categories
    /// models are loaded.
    pub(crate) category_refs: Vec<(String, Spanned<String>)>,
}

impl Catalogue {
    pub fn capability(&self, id: &str) -> Option<&Capability> {
        self.cap_index.get(id).map(|&i| &self.capabilities[i])
    }
    pub(crate) fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id)
    }
    pub(crate) fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
    /// Whether some model accepts `mentioned` evidence for a practice. The built-in models do
    /// not (a mention is not a practice), and GigaOm's shares count implemented and automated
    /// capabilities only; then evidence that is only mentioned never moves a level, which lets
    /// `ripen history` skip commits that change nothing else.
    pub fn counts_mentions(&self) -> bool {
        self.models
            .iter()
            .flat_map(|m| m.levels())
            .flat_map(|l| l.required.iter().chain(&l.expected))
            .flat_map(|p| &p.any)
            .any(|a| a.tier <= Tier::Mentioned)
    }
    /// The staged models, fewest levels first (Google, then Azure): how messages and the
    /// sub-projects of a report list them.
    pub(crate) fn staged_models(&self) -> Vec<&str> {
        let mut staged: Vec<&Model> = self
            .models
            .iter()
            .filter(|m| !m.levels().is_empty())
            .collect();
        staged.sort_by_key(|m| m.levels().len());
        staged.iter().map(|m| m.id.as_str()).collect()
    }

    /// The staged models of the built-in catalogue, in file order: what `ripen badge --model`
    /// accepts (read before any `--rules` directory is).
    pub(crate) fn builtin_staged_models() -> Vec<&'static str> {
        static IDS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
            EMBEDDED_RULES
                .iter()
                .filter(|(p, _)| p.contains("models/"))
                .filter_map(|(_, text)| serde_saphyr::from_str::<ModelDef>(text).ok())
                .filter(|m| m.kind == ModelKind::Staged)
                .map(|m| m.id.value)
                .collect()
        });
        IDS.iter().map(String::as_str).collect()
    }

    /// The categories of every categories model, in their order.
    pub(crate) fn categories(&self) -> impl Iterator<Item = &CategoryDef> {
        self.models.iter().flat_map(|m| match &m.scale {
            Scale::Categories { categories, .. } => categories.as_slice(),
            Scale::Levels(_) => &[],
        })
    }

    /// Whether some rule names this (normalised) package as its `framework`.
    pub(crate) fn is_framework(&self, package: &str) -> bool {
        self.frameworks.contains(package)
    }

    /// The built-in rules plus every `--rules DIR`, validated.
    pub fn load(extra_dirs: &[PathBuf]) -> Result<Catalogue, DataError> {
        Catalogue::load_with_repository(extra_dirs, &[])
    }

    /// The built-in rules, the caller's rule directories, and the directories the scanned
    /// repository's config names (`repo_dirs`): rules from these are marked
    /// [`Rule::repository`], and linked files in them are not read.
    pub fn load_with_repository(
        extra_dirs: &[PathBuf],
        repo_dirs: &[PathBuf],
    ) -> Result<Catalogue, DataError> {
        let mut files: Vec<(String, String)> = EMBEDDED_RULES
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect();
        for dir in extra_dirs {
            files.extend(read_dir_files(dir, false)?);
        }
        let mut from_repo = HashSet::new();
        for dir in repo_dirs {
            for f in read_dir_files(dir, true)? {
                from_repo.insert(format!("{}:", f.0));
                files.push(f);
            }
        }
        let mut cat = Catalogue::from_files(&files)?;
        for r in cat.rules.iter_mut() {
            r.repository = from_repo.iter().any(|p| r.source.starts_with(p.as_str()));
        }
        builtin::check(&cat)?;
        Ok(cat)
    }

    /// Builds a catalogue from `(display path, content)` pairs. Capability files first, then
    /// models and rules, which refer to capabilities.
    pub(crate) fn from_files(files: &[(String, String)]) -> Result<Catalogue, DataError> {
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
        cat.check_categories()?;
        Ok(cat)
    }

    pub(crate) fn add_capabilities(&mut self, path: &str, content: &str) -> Result<(), DataError> {
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
            self.category_refs
                .push((path.to_string(), c.category.clone()));
            self.capabilities.push(Capability {
                id: c.id.value,
                title: c.title,
                category: c.category.value,
                definition: c.definition,
                remediation: c.remediation,
                signals: c.signals,
                prose_counts: c.prose_counts,
                observable: c.observable,
            });
        }
        Ok(())
    }

    /// Every capability's category is one of the categories models' (when there is one).
    fn check_categories(&mut self) -> Result<(), DataError> {
        let known: Vec<&str> = self.categories().map(|c| c.id.as_str()).collect();
        if known.is_empty() {
            return Ok(());
        }
        for (path, c) in &self.category_refs {
            if !known.contains(&c.value.as_str()) {
                return Err(DataError::at(
                    path,
                    c,
                    format!(
                        "unknown category `{}`{}: a capability's category is one of {} (the categories models' `categories`)",
                        c.value,
                        closest(&c.value, known.iter().copied())
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default(),
                        known.join(", ")
                    ),
                ));
            }
        }
        self.category_refs.clear();
        Ok(())
    }

    pub(crate) fn known_capability(
        &self,
        path: &str,
        id: &Spanned<String>,
    ) -> Result<(), DataError> {
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

    pub(crate) fn add_rules(&mut self, path: &str, content: &str) -> Result<(), DataError> {
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
            let mut facets_before_match = Vec::new();
            for name in &r.facets_before_match {
                if !r.facets.contains_key(&name.value) {
                    return Err(DataError::at(
                        path,
                        name,
                        format!(
                            "`facets_before_match` names `{}`, which is not a facet of this rule",
                            name.value
                        ),
                    ));
                }
                facets_before_match.push(name.value.clone());
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
                    .insert(crate::catalogue::normalise_package(fw));
            }
            self.rules.push(Rule {
                facets_before_match,
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
                repository: false,
            });
        }
        Ok(())
    }

    pub(crate) fn add_model(&mut self, path: &str, content: &str) -> Result<(), DataError> {
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
        let scale = match m.kind {
            ModelKind::Staged if levels.is_empty() => {
                return Err(DataError::at(path, &m.id, "a staged model needs levels"));
            }
            ModelKind::Staged => Scale::Levels(levels),
            ModelKind::Categories => categories_scale(path, &m.id, m.categories, m.bands)?,
        };
        self.models.push(Model {
            id: m.id.value,
            title: m.title,
            source: m.source,
            note: m.note,
            scale,
        });
        Ok(())
    }

    pub(crate) fn convert_practice(
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

/// Every YAML file below `dir`, with paths as given (for messages), sorted for stable errors.
/// `untrusted`: a directory the scanned repository names, whose linked files are not read
/// (a link could point at any file of the machine).
pub(crate) fn read_dir_files(
    dir: &Path,
    untrusted: bool,
) -> Result<Vec<(String, String)>, DataError> {
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
                && !(untrusted && linked)
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

pub(crate) fn normalise_package(name: &str) -> String {
    name.to_ascii_lowercase().replace(['-', '.'], "_")
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
