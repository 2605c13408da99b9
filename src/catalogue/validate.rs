//! Checks on single values of the data files: ids, regexes, globs and conditions.

use crate::catalogue::defs::{BandDef, CategoryEntryDef, CondDef};
use crate::catalogue::{Band, CategoryDef, Scale};
use crate::catalogue::{Condition, DataError};
use serde_saphyr::Spanned;

pub(crate) fn convert_condition(
    path: &str,
    c: &CondDef,
    depth: usize,
) -> Result<Condition, DataError> {
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

pub(crate) enum IdStyle {
    Snake,
    Kebab,
}

pub(crate) fn check_id(path: &str, id: &Spanned<String>, style: IdStyle) -> Result<(), DataError> {
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

pub(crate) fn check_regex(path: &str, re: &Spanned<String>) -> Result<(), DataError> {
    crate::catalogue::compile_regex(&re.value).map(|_| ()).map_err(|e| {
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

pub(crate) fn check_glob(path: &str, g: &Spanned<String>) -> Result<(), DataError> {
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

/// A categories model's categories and bands, checked: at least one category, ids unique, and
/// bands from the highest down, each with both a tier and a share or neither (the last).
pub(crate) fn categories_scale(
    path: &str,
    model: &Spanned<String>,
    categories: Vec<CategoryEntryDef>,
    bands: Vec<BandDef>,
) -> Result<Scale, DataError> {
    if categories.is_empty() || bands.is_empty() {
        return Err(DataError::at(
            path,
            model,
            "a categories model needs `categories` and `bands`",
        ));
    }
    let mut ids: Vec<&str> = Vec::new();
    for c in &categories {
        check_id(path, &c.id, IdStyle::Snake)?;
        if ids.contains(&c.id.value.as_str()) {
            return Err(DataError::at(
                path,
                &c.id,
                format!("duplicate category `{}`", c.id.value),
            ));
        }
        ids.push(&c.id.value);
    }
    let mut out = Vec::new();
    for b in &bands {
        let condition = match (b.tier, b.share) {
            (Some(t), Some(s)) => Some((t, s)),
            (None, None) => None,
            _ => {
                return Err(DataError::at(
                    path,
                    model,
                    format!(
                        "band {}: give both `tier` and `share`, or neither (the band that always holds)",
                        b.band
                    ),
                ));
            }
        };
        out.push(Band {
            band: b.band,
            condition,
        });
    }
    Ok(Scale::Categories {
        categories: categories
            .into_iter()
            .map(|c| CategoryDef {
                id: c.id.value,
                title: c.title,
            })
            .collect(),
        bands: out,
    })
}
