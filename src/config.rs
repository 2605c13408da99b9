//! `.ripen.yml`: targets, exclusions, extra rules and attestations for one repository.
//! A malformed file is a usage error (exit 2) that names `file:line:col`.

use crate::rules::DataError;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const DEFAULT_NAME: &str = ".ripen.yml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    fail_under: BTreeMap<String, Spanned<u32>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    attestations: Vec<AttestationDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttestationDef {
    capability: Spanned<String>,
    reason: String,
    #[serde(default)]
    link: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub fail_under: Vec<(String, u32)>,
    pub exclude: Vec<String>,
    pub rules: Vec<PathBuf>,
    /// (capability, reason, link), checked against the catalogue by `validate`.
    pub attestations: Vec<(String, String, Option<String>)>,
    spans: Vec<(String, u64, u64)>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, DataError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| DataError {
            file: display.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read config: {e}"),
        })?;
        Config::parse(&display, &text, path.parent().unwrap_or(Path::new(".")))
    }

    pub fn parse(display: &str, text: &str, dir: &Path) -> Result<Config, DataError> {
        let raw: ConfigFile = if text.trim().is_empty() {
            ConfigFile::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| DataError::parse(display, &e))?
        };
        for g in &raw.exclude {
            globset::Glob::new(&g.value).map_err(|e| {
                DataError::at(display, g, format!("invalid exclude glob `{}`: {}", g.value, e.kind()))
            })?;
        }
        Ok(Config {
            path: Some(PathBuf::from(display)),
            spans: raw
                .fail_under
                .iter()
                .map(|(m, l)| (m.clone(), l.referenced.line(), l.referenced.column()))
                .chain(raw.attestations.iter().map(|a| {
                    (
                        a.capability.value.clone(),
                        a.capability.referenced.line(),
                        a.capability.referenced.column(),
                    )
                }))
                .collect(),
            fail_under: raw
                .fail_under
                .into_iter()
                .map(|(m, l)| (m, l.value))
                .collect(),
            exclude: raw.exclude.into_iter().map(|g| g.value).collect(),
            rules: raw.rules.into_iter().map(|r| dir.join(r)).collect(),
            attestations: raw
                .attestations
                .into_iter()
                .map(|a| (a.capability.value, a.reason, a.link))
                .collect(),
        })
    }

    /// Model and capability ids must exist in the loaded catalogue.
    pub fn validate(&self, cat: &crate::rules::Catalogue) -> Result<(), DataError> {
        let file = self
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let span = |id: &str| {
            self.spans
                .iter()
                .find(|(i, _, _)| i == id)
                .map(|(_, l, c)| (*l, *c))
                .unwrap_or((0, 0))
        };
        for (m, level) in &self.fail_under {
            let (line, column) = span(m);
            let Some(model) = cat.model(m) else {
                return Err(DataError {
                    file,
                    line,
                    column,
                    message: format!(
                        "unknown model `{m}` in fail_under (known: {})",
                        cat.models
                            .iter()
                            .filter(|x| !x.levels.is_empty())
                            .map(|x| x.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            };
            let max = model.levels.last().map(|l| l.level).unwrap_or(0);
            if *level > max {
                return Err(DataError {
                    file,
                    line,
                    column,
                    message: format!("`{m}` has levels 0 to {max}; {level} cannot be a target"),
                });
            }
        }
        for (c, _, _) in &self.attestations {
            if cat.capability(c).is_none() {
                let (line, column) = span(c);
                return Err(DataError {
                    file,
                    line,
                    column,
                    message: format!("unknown capability `{c}` in attestations"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_config_names_position() {
        let e = Config::parse(".ripen.yml", "fail_under:\n  azure: three\n", Path::new("."))
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = Config::parse(".ripen.yml", "exclud: []\n", Path::new(".")).unwrap_err();
        assert_eq!(e.line, 1, "{e}");
    }

    #[test]
    fn parses_targets() {
        let c = Config::parse(
            ".ripen.yml",
            "fail_under:\n  azure: 2\nexclude: [fixtures/**]\n",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(c.fail_under, vec![("azure".to_string(), 2)]);
        assert_eq!(c.exclude, vec!["fixtures/**"]);
    }
}
