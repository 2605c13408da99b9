//! The per-repository configuration: `.ripen.yml` (or `.ripen.yaml`), or the `[tool.ripen]`
//! table of `pyproject.toml`, or any `--config FILE` (`*.toml` files hold the table at their
//! top level). It sets targets, exclusions, extra rules, attestations and waivers.
//!
//! A malformed file is a usage error (exit 2) that names `file:line:col`, in either format.
//! The JSON Schema in `schemas/ripen-config.schema.json` is generated from [`ConfigFile`].

use crate::catalogue::DataError;
use crate::model::Date;
use crate::source::walk::WalkOptions;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

pub(crate) const DEFAULT_NAME: &str = ".ripen.yml";

/// Looked for at the scanned root, in this order; the first one that configures ripen wins.
/// Larger config files are refused (or, for a discovered `pyproject.toml`, ignored).
pub(crate) const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

pub(crate) const CANDIDATES: &[&str] = &[".ripen.yml", ".ripen.yaml", "pyproject.toml"];

/// The configuration file of one repository (`.ripen.yml`, or `[tool.ripen]` in
/// `pyproject.toml`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ripen configuration", extend("$id" = "https://ripen.dev/schemas/ripen-config.schema.json"))]
pub struct ConfigFile {
    /// Minimum level per staged model (`google`, `azure`): `ripen scan` exits 1 when a model
    /// is below its target. `--fail-under MODEL=LEVEL` on the command line overrides one.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, u32>")]
    pub fail_under: BTreeMap<String, Spanned<u32>>,
    /// Globs of paths, relative to the scanned root, that ripen leaves out (`fixtures/**`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// Directories of extra rule files, relative to this file and inside the scanned
    /// repository, loaded after the built-in rules. Their evidence is marked as the
    /// repository's; a gate counts it only with `--trust-repo-rules`.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Practices satisfied outside the repository (a managed registry, a monitoring set up in
    /// a console). Shown apart from detected evidence; a gate counts them only with
    /// `--trust-attestations`, and `--no-attestations` ignores them.
    #[serde(default)]
    pub attestations: Vec<AttestationDef>,
    /// Capabilities accepted as missing for now, each with a reason and an expiry at most a
    /// year ahead (`--max-waiver-days`). While a waiver is active, the practices it covers are
    /// reported as waived, never as evidence; a `fail_under` target counts them only when the
    /// caller passes `--trust-waivers`. An expired waiver is reported and stops counting.
    #[serde(default)]
    pub waivers: Vec<WaiverDef>,
}

/// A capability satisfied outside the repository.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestationDef {
    /// A capability id (`ripen explain CAPABILITY`), e.g. `monitoring`.
    #[schemars(with = "String")]
    pub capability: Spanned<String>,
    /// Where and how the practice is carried out.
    pub reason: String,
    /// A link to proof: a dashboard, a runbook, a ticket.
    #[serde(default)]
    pub link: Option<String>,
}

/// A capability accepted as missing until a date.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverDef {
    /// A capability id (`ripen explain CAPABILITY`), e.g. `continuous_delivery`.
    #[schemars(with = "String")]
    pub capability: Spanned<String>,
    /// Why the gap is accepted for now.
    pub reason: String,
    /// The last day the waiver counts (`YYYY-MM-DD`); from the day after, it is reported as
    /// expired and no longer counts.
    pub expires: Date,
}

/// An attestation, checked against the catalogue by [`Config::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Attestation {
    pub capability: String,
    pub reason: String,
    pub link: Option<String>,
    /// Where it is declared (1-based; 0 when unknown).
    pub line: u64,
}

/// A waiver, checked against the catalogue by [`Config::validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    pub capability: String,
    pub reason: String,
    pub expires: Date,
    pub line: u64,
}

#[derive(Debug, Default, Clone)]
pub struct Config {
    /// The file it was read from, as given.
    pub path: Option<PathBuf>,
    pub fail_under: Vec<(String, u32)>,
    pub exclude: Vec<String>,
    pub rules: Vec<PathBuf>,
    pub attestations: Vec<Attestation>,
    pub waivers: Vec<Waiver>,
    /// `field.index.key` → (line, column), for messages about values valid only against the
    /// catalogue.
    pub(crate) spans: HashMap<String, (u64, u64)>,
}

/// Whether `path` is (resolved) inside `root`.
pub(crate) fn inside(root: &Path, path: &Path) -> bool {
    match (root.canonicalize(), path.canonicalize()) {
        (Ok(r), Ok(p)) => p.starts_with(r),
        _ => false,
    }
}

/// Where a parse error sits in `text`, from a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u64 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, col)
}

pub(crate) fn toml_error(display: &str, text: &str, e: &toml::de::Error) -> DataError {
    let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
    DataError {
        file: display.to_string(),
        line,
        column,
        message: e.message().trim().to_string(),
    }
}

#[derive(Deserialize)]
pub(crate) struct Pyproject {
    #[serde(default)]
    pub(crate) tool: Option<PyprojectTool>,
}

#[derive(Deserialize)]
pub(crate) struct PyprojectTool {
    #[serde(default)]
    pub(crate) ripen: Option<ConfigFile>,
}

/// The spanned TOML tree under `prefix`, to place messages about valid-looking values.
pub(crate) fn toml_spans(
    text: &str,
    prefix: &[&str],
    raw: &ConfigFile,
) -> HashMap<String, (u64, u64)> {
    use toml::de::{DeTable, DeValue};
    let mut out = HashMap::new();
    let Ok(root) = DeTable::parse(text) else {
        return out;
    };
    let mut table: &DeTable = root.get_ref();
    for key in prefix {
        match table.get(*key).map(|v| v.get_ref()) {
            Some(DeValue::Table(t)) => table = t,
            _ => return out,
        }
    }
    let at = |span: std::ops::Range<usize>| line_col(text, span.start);
    if let Some((_, DeValue::Table(t))) = table
        .get_key_value("fail_under")
        .map(|(k, v)| (k, v.get_ref()))
    {
        for (k, _) in t.iter() {
            out.insert(format!("fail_under.{}", k.get_ref()), at(k.span()));
        }
    }
    for (field, n) in [
        ("exclude", raw.exclude.len()),
        ("attestations", raw.attestations.len()),
        ("waivers", raw.waivers.len()),
    ] {
        let Some(DeValue::Array(items)) = table.get(field).map(|v| v.get_ref()) else {
            continue;
        };
        for (i, item) in items.iter().enumerate().take(n) {
            match item.get_ref() {
                DeValue::Table(t) => {
                    if let Some(v) = t.get("capability") {
                        out.insert(format!("{field}.{i}.capability"), at(v.span()));
                    }
                }
                _ => {
                    out.insert(format!("{field}.{i}"), at(item.span()));
                }
            }
        }
    }
    out
}

impl Config {
    /// The configuration that applies to `root`: `explicit` if given, else the first of
    /// [`CANDIDATES`] that configures ripen (a `pyproject.toml` without `[tool.ripen]` does not).
    pub(crate) fn discover(
        root: &Path,
        explicit: Option<&Path>,
    ) -> Result<Option<Config>, DataError> {
        if let Some(p) = explicit {
            // A config the caller names gets the repository's containment: its rule
            // directories stay inside the repository (the caller adds others with --rules),
            // and what a file outside the repository holds is never quoted in an error.
            let outside = !inside(root, p);
            let unquote = |e: DataError| if outside { e.unquoted() } else { e };
            let c = Config::load(p).map_err(unquote)?;
            c.check_rules_inside(root).map_err(unquote)?;
            return Ok(Some(c));
        }
        for name in CANDIDATES {
            let p = root.join(name);
            if !p.is_file() {
                continue;
            }
            // The repository's own pyproject.toml may be broken, huge or not UTF-8 without
            // being ripen's business (a hostile or merely messy tree must still scan): only one
            // that mentions ripen is parsed, and then it must be valid.
            if *name == "pyproject.toml"
                && (!std::fs::metadata(&p).is_ok_and(|m| m.len() <= MAX_CONFIG_BYTES)
                    || !std::fs::read(&p).is_ok_and(|b| b.windows(5).any(|w| w == b"ripen")))
            {
                continue;
            }
            // The scanned repository is untrusted (a pull request can change it): its config
            // may not be a link, nor load rules from outside the repository.
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(DataError {
                    file: p.display().to_string(),
                    line: 0,
                    column: 0,
                    message: "the repository's config is a symbolic link; ripen only reads a \
                              config that is a regular file inside the scanned repository (or one \
                              given with --config)"
                        .into(),
                });
            }
            if let Some(c) = Config::load_optional(&p)? {
                c.check_rules_inside(root)?;
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    /// An error at a key of this config (`waivers.0.expires`), at its line and column when the
    /// key was read from the file.
    fn error_at(&self, key: &str, message: String) -> DataError {
        let (line, column) = self.spans.get(key).copied().unwrap_or((0, 0));
        DataError {
            file: self
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            line,
            column,
            message,
        }
    }

    /// Rule directories named by a repository's own config must stay inside the repository.
    pub(crate) fn check_rules_inside(&self, root: &Path) -> Result<(), DataError> {
        let Ok(root) = root.canonicalize() else {
            return Ok(());
        };
        for dir in &self.rules {
            let inside = dir.canonicalize().is_ok_and(|d| d.starts_with(&root));
            if dir.exists() && !inside {
                return Err(self.error_at(
                    "rules",
                    format!(
                        "rules directory `{}` is outside the scanned repository; a repository's \
                         config may only load rules from inside it (pass --rules DIR to add others)",
                        dir.display()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Reads a config file; `pyproject.toml` without `[tool.ripen]` gives the empty config.
    pub fn load(path: &Path) -> Result<Config, DataError> {
        Ok(Config::load_optional(path)?.unwrap_or_else(|| Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        }))
    }

    pub(crate) fn load_optional(path: &Path) -> Result<Option<Config>, DataError> {
        let display = path.display().to_string();
        // A multi-GiB (sparse) file would otherwise be read whole before any check.
        if let Ok(m) = std::fs::metadata(path)
            && m.len() > MAX_CONFIG_BYTES
        {
            return Err(DataError {
                file: display,
                line: 0,
                column: 0,
                message: format!(
                    "config file is {} bytes; a ripen config is at most {MAX_CONFIG_BYTES} (is this the right file?)",
                    m.len()
                ),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|e| DataError {
            file: display.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read config: {e}"),
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "pyproject.toml" {
            Config::parse_pyproject(&display, &text, dir)
        } else if name.ends_with(".toml") {
            Config::parse_toml(&display, &text, dir).map(Some)
        } else {
            Config::parse(&display, &text, dir).map(Some)
        }
    }

    /// Parses YAML config text. `dir` anchors relative `rules` directories.
    pub fn parse(display: &str, text: &str, dir: &Path) -> Result<Config, DataError> {
        let raw: ConfigFile = if text.trim().is_empty() {
            ConfigFile::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| DataError::parse(display, &e))?
        };
        let mut spans = HashMap::new();
        let pos = |s: &serde_saphyr::Location| (s.line(), s.column());
        for (m, l) in &raw.fail_under {
            spans.insert(format!("fail_under.{m}"), pos(&l.referenced));
        }
        for (i, g) in raw.exclude.iter().enumerate() {
            spans.insert(format!("exclude.{i}"), pos(&g.referenced));
        }
        for (i, a) in raw.attestations.iter().enumerate() {
            spans.insert(
                format!("attestations.{i}.capability"),
                pos(&a.capability.referenced),
            );
        }
        for (i, w) in raw.waivers.iter().enumerate() {
            spans.insert(
                format!("waivers.{i}.capability"),
                pos(&w.capability.referenced),
            );
        }
        Config::build(display, raw, dir, spans)
    }

    /// Parses a TOML file whose top level is the configuration table (`ripen.toml`).
    pub(crate) fn parse_toml(display: &str, text: &str, dir: &Path) -> Result<Config, DataError> {
        let raw: ConfigFile = toml::from_str(text).map_err(|e| toml_error(display, text, &e))?;
        let spans = toml_spans(text, &[], &raw);
        Config::build(display, raw, dir, spans)
    }

    /// Parses `pyproject.toml`; `None` when it has no `[tool.ripen]` table.
    pub(crate) fn parse_pyproject(
        display: &str,
        text: &str,
        dir: &Path,
    ) -> Result<Option<Config>, DataError> {
        let py: Pyproject = toml::from_str(text).map_err(|e| toml_error(display, text, &e))?;
        let Some(raw) = py.tool.and_then(|t| t.ripen) else {
            return Ok(None);
        };
        let spans = toml_spans(text, &["tool", "ripen"], &raw);
        Config::build(display, raw, dir, spans).map(Some)
    }

    pub fn build(
        display: &str,
        raw: ConfigFile,
        dir: &Path,
        spans: HashMap<String, (u64, u64)>,
    ) -> Result<Config, DataError> {
        let at = |key: &str, message: String| {
            let (line, column) = spans.get(key).copied().unwrap_or((0, 0));
            DataError {
                file: display.to_string(),
                line,
                column,
                message,
            }
        };
        for (i, g) in raw.exclude.iter().enumerate() {
            globset::Glob::new(&g.value).map_err(|e| {
                at(
                    &format!("exclude.{i}"),
                    format!("invalid exclude glob `{}`: {}", g.value, e.kind()),
                )
            })?;
        }
        for (i, r) in raw.waivers.iter().enumerate() {
            if r.reason.trim().is_empty() {
                return Err(at(
                    &format!("waivers.{i}.capability"),
                    "a waiver needs a `reason`: say why the gap is accepted".into(),
                ));
            }
        }
        let line_of = |key: String| spans.get(&key).map_or(0, |(l, _)| *l);
        Ok(Config {
            path: Some(PathBuf::from(display)),
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
                .enumerate()
                .map(|(i, a)| Attestation {
                    capability: a.capability.value,
                    reason: a.reason,
                    link: a.link,
                    line: line_of(format!("attestations.{i}.capability")),
                })
                .collect(),
            waivers: raw
                .waivers
                .into_iter()
                .enumerate()
                .map(|(i, w)| Waiver {
                    capability: w.capability.value,
                    reason: w.reason,
                    expires: w.expires,
                    line: line_of(format!("waivers.{i}.capability")),
                })
                .collect(),
            spans,
        })
    }

    /// Every waiver expires at most `max_days` after `today`: a waiver is a decision to revisit,
    /// not a permanent pass (`9999-12-31`).
    pub fn check_waiver_expiry(&self, today: Date, max_days: i64) -> Result<(), DataError> {
        let latest = crate::model::days_from_civil(today).saturating_add(max_days);
        for (i, w) in self.waivers.iter().enumerate() {
            if crate::model::days_from_civil(w.expires) > latest {
                return Err(self.error_at(
                    &format!("waivers.{i}.capability"),
                    format!(
                        "the waiver for `{}` expires on {}, more than {max_days} days ahead (at \
                         most {}): a waiver is revisited, give an earlier `expires` (the caller \
                         sets the limit with --max-waiver-days)",
                        w.capability,
                        w.expires,
                        Date::from_days(latest)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Model and capability ids must exist in the loaded catalogue.
    pub fn validate(&self, cat: &crate::catalogue::Catalogue) -> Result<(), DataError> {
        let err = |key: String, message: String| self.error_at(&key, message);
        for (m, level) in &self.fail_under {
            let Some(model) = cat.model(m).filter(|x| !x.levels().is_empty()) else {
                return Err(err(
                    format!("fail_under.{m}"),
                    format!(
                        "unknown model `{m}` in fail_under (known: {})",
                        cat.models
                            .iter()
                            .filter(|x| !x.levels().is_empty())
                            .map(|x| x.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            let max = model.levels().last().map(|l| l.level).unwrap_or(0);
            if *level > max {
                return Err(err(
                    format!("fail_under.{m}"),
                    format!("`{m}` has levels 0 to {max}; {level} cannot be a target"),
                ));
            }
        }
        let unknown = |kind: &str, c: &str| {
            let hint = crate::catalogue::closest(c, cat.capabilities.iter().map(|x| x.id.as_str()))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            format!(
                "unknown capability `{c}` in {kind}{hint}; `ripen explain` lists none by that id"
            )
        };
        for (i, a) in self.attestations.iter().enumerate() {
            if cat.capability(&a.capability).is_none() {
                return Err(err(
                    format!("attestations.{i}.capability"),
                    unknown("attestations", &a.capability),
                ));
            }
        }
        for (i, w) in self.waivers.iter().enumerate() {
            if cat.capability(&w.capability).is_none() {
                return Err(err(
                    format!("waivers.{i}.capability"),
                    unknown("waivers", &w.capability),
                ));
            }
        }
        Ok(())
    }
}

/// The JSON Schema of the configuration file, as committed in `schemas/`.
pub(crate) fn schema() -> schemars::Schema {
    schemars::schema_for!(ConfigFile)
}

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub walk: WalkOptions,
    /// Capabilities attested in the config.
    pub attestations: Vec<crate::config::Attestation>,
    /// `--no-attestations`: list the attestations as ignored, count none.
    pub no_attestations: bool,
    /// Capabilities accepted as missing, applied after the levels (`waivers`).
    pub waivers: Vec<crate::config::Waiver>,
    /// The date waivers are checked against (default: today, or `RIPEN_TODAY`).
    pub today: Option<crate::model::Date>,
    /// The configuration file, as the report should name it (relative to the root if inside).
    pub config: Option<String>,
    /// Also report each sub-project of a monorepo (`--per-project`).
    pub per_project: bool,
    /// Report only this sub-directory (relative to the root, `/`-separated): its own evidence
    /// and the automation of the rest of the repository that reaches into it
    /// (`--enclosing-repo`).
    pub scope: Option<String>,
    /// What the caller counts toward a gate beyond ripen's own rules (`--trust-*`).
    pub trust: crate::model::Trust,
    /// Progress for a caller's display (the CLI's progress bar): the scan sets `total` to the
    /// number of files once the walk is done and counts files done in `done`.
    pub progress: Option<Arc<Progress>>,
}

/// Counters a scan updates as it goes, read by another thread (relaxed atomics: a display).
#[derive(Debug, Default)]
pub struct Progress {
    /// Files to scan (0 while the walk is still running).
    pub total: AtomicU64,
    /// Files scanned so far.
    pub done: AtomicU64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_config_names_position() {
        let e = Config::parse(
            ".ripen.yml",
            "fail_under:\n  azure: three\n",
            Path::new("."),
        )
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

    #[test]
    fn parses_waivers_and_dates() {
        let c = Config::parse(
            ".ripen.yml",
            "waivers:\n  - capability: monitoring\n    reason: managed by SRE\n    expires: 2027-02-28\n",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(c.waivers[0].expires.to_string(), "2027-02-28");
        assert_eq!(c.waivers[0].line, 2);
        let e = Config::parse(
            ".ripen.yml",
            "waivers:\n  - capability: monitoring\n    reason: r\n    expires: 2027-02-30\n",
            Path::new("."),
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn pyproject_table() {
        let text = "[project]\nname = \"x\"\n\n[tool.ripen]\nexclude = [\"a/**\"]\n\n[tool.ripen.fail_under]\nazure = 2\n\n[[tool.ripen.waivers]]\ncapability = \"monitoring\"\nreason = \"r\"\nexpires = 2027-01-31\n";
        let c = Config::parse_pyproject("pyproject.toml", text, Path::new("."))
            .unwrap()
            .unwrap();
        assert_eq!(c.fail_under, vec![("azure".to_string(), 2)]);
        assert_eq!(c.waivers[0].expires.to_string(), "2027-01-31");
        assert_eq!(c.waivers[0].line, 11);
        assert_eq!(c.spans.get("fail_under.azure"), Some(&(8, 1)));
        assert!(
            Config::parse_pyproject("pyproject.toml", "[project]\nname='x'\n", Path::new("."))
                .unwrap()
                .is_none()
        );
        let e = Config::parse_pyproject(
            "pyproject.toml",
            "[tool.ripen]\nfail_undr = {azure = 1}\n",
            Path::new("."),
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e}");
        let e = Config::parse_pyproject(
            "pyproject.toml",
            "[tool.ripen.fail_under]\nazure = \"two\"\n",
            Path::new("."),
        )
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn dates() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_513).to_string(), "2026-03-01");
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2023-1-01").is_none());
        assert!(Date::parse("２０２３-01-01").is_none());
    }
}
