//! SARIF 2.1.0 for GitHub code scanning and other viewers: one rule per practice, one
//! result per practice missing between a model's level and its target (see [`super::gaps`]),
//! placed at the most relevant file, with fingerprints that do not move when files do.
//!
//! Levels: `error` for a required practice of a `--fail-under` target that is not met,
//! `warning` for a required practice of the next level, `note` for an expected one. A gap a
//! waiver accepts carries an `accepted` suppression with the waiver's reason.

use super::{Severity, gap_headline, gap_location, gaps, repo_path};
use crate::model::{Outcome, PracticeResult, Report};
use crate::render::common::percent_encode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub(crate) const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub(crate) const ROOT_BASE: &str = "SCANROOT";

pub(crate) fn pascal(id: &str) -> String {
    id.split(['_', '-'])
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A `file://` URI for an absolute directory, ending in `/`.
pub(crate) fn file_uri(dir: &str) -> String {
    let mut o = String::from("file://");
    if !dir.starts_with('/') {
        o.push('/');
    }
    o.push_str(&percent_encode(&dir.replace('\\', "/"), b":"));
    if !o.ends_with('/') {
        o.push('/');
    }
    o
}

/// A relative URI reference for a path (segments percent-encoded).
pub(crate) fn uri_ref(path: &str) -> String {
    percent_encode(path, b"")
}

pub fn render(r: &Report) -> String {
    let absolute = std::path::Path::new(&r.root).is_absolute();
    let practices = practices(r);
    let rule_index: BTreeMap<&str, usize> = practices
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let rules = rules(&practices);
    let results = results(r, absolute, &rule_index);

    let models: BTreeMap<&str, Value> = r
        .models
        .iter()
        .map(|(id, m)| {
            let v = match &m.outcome {
                Outcome::Categories(c) => json!(
                    c.by_id
                        .iter()
                        .map(|(k, v)| (k.clone(), v.band))
                        .collect::<BTreeMap<_, _>>()
                ),
                Outcome::Staged(s) => json!(s.level),
            };
            (id.as_str(), v)
        })
        .collect();
    let notifications: Vec<Value> = r
        .warnings
        .iter()
        .take(50)
        .map(|w| json!({ "level": "warning", "message": { "text": w } }))
        .collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "ripen",
                "version": r.tool.version,
                "semanticVersion": r.tool.version,
                "rules": rules,
            }
        },
        "invocations": [{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }],
        "results": results,
        "properties": { "models": models },
    });
    if !r.projects.is_empty() {
        // Sub-projects (`--per-project`): each one's staged levels, by path.
        run["properties"]["projects"] = json!(
            r.projects
                .iter()
                .map(|p| {
                    let levels: BTreeMap<String, Value> = p
                        .models
                        .iter()
                        .filter_map(|(id, m)| m.level().map(|l| (id.clone(), json!(l))))
                        .collect();
                    json!({ "path": uri_ref(&repo_path(r, &p.path)), "levels": levels })
                })
                .collect::<Vec<_>>()
        );
    }
    if absolute {
        run["originalUriBaseIds"] = json!({ ROOT_BASE: { "uri": file_uri(&r.root) } });
    }
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("SARIF serialises");
    s.push('\n');
    s
}

/// Every practice of the staged models, once each (the first model that names it gives its
/// title and remediation), in the models' order.
fn practices(r: &Report) -> Vec<&PracticeResult> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for m in r.models.values() {
        if let Outcome::Staged(s) = &m.outcome {
            for l in &s.levels {
                for p in l.required.iter().chain(&l.expected) {
                    if seen.insert(p.id.as_str()) {
                        out.push(p);
                    }
                }
            }
        }
    }
    out
}

/// One rule per practice (what the levels gate on), with what satisfies it and how to get
/// there; `helpUri` points at its section of `docs/practices.md`.
fn rules(practices: &[&PracticeResult]) -> Vec<Value> {
    practices
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": pascal(&p.id),
                "shortDescription": { "text": p.title },
                "fullDescription": { "text": format!("{}. Satisfied by: {}.", p.title, p.satisfied_by.join(" or ")) },
                "helpUri": crate::catalogue::docs::practice_url(&p.id),
                "help": {
                    "text": p.remediation.trim(),
                    "markdown": format!("**{}**\n\n{}\n\nSatisfied by: {}.\n\nRun `ripen explain {}` for the rules that detect it and the levels that need it.", p.title, p.remediation.trim(), p.satisfied_by.join(" or "), p.id),
                },
                "defaultConfiguration": { "level": "warning" },
                "properties": {
                    "tags": ["mlops", "maturity"],
                    "capabilities": p.capabilities,
                },
            })
        })
        .collect()
}

/// One result per gap, placed at its most relevant file.
fn results(r: &Report, absolute: bool, rule_index: &BTreeMap<&str, usize>) -> Vec<Value> {
    gaps(r)
        .into_iter()
        .map(|g| {
            let p = g.practice;
            let rule = p.id.as_str();
            let mut text = format!("{}.", gap_headline(&g));
            let current = g.current;
            text.push_str(&format!(
                " {} is at level {current}. {} Satisfied by: {}.",
                g.model_title,
                p.remediation.trim(),
                p.satisfied_by.join(" or ")
            ));
            let mut result = json!({
                "ruleId": rule,
                "level": level(g.severity),
                "message": { "text": text },
                "partialFingerprints": {
                    "ripenGap/v1": format!("{}/{}/{}", g.model, g.level.level, p.id),
                },
                "properties": {
                    "model": g.model,
                    "level": g.level.level,
                    "currentLevel": current,
                    "practice": p.id,
                    "required": g.required,
                    "target": g.targeted,
                },
            });
            if let Some(i) = rule_index.get(rule) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(loc) = gap_location(r, p) {
                let mut artifact = if absolute {
                    json!({ "uri": uri_ref(&loc.path), "uriBaseId": ROOT_BASE })
                } else {
                    json!({ "uri": uri_ref(&repo_path(r, &loc.path)), "uriBaseId": "%SRCROOT%" })
                };
                if loc.path.is_empty() {
                    artifact["uri"] = json!(".");
                }
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": { "startLine": loc.line.unwrap_or(1).max(1) },
                    }
                }]);
            }
            if let Some(w) = p
                .waived
                .as_ref()
                .and_then(|c| r.waivers.iter().find(|w| &w.capability == c))
            {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("waived until {}: {}", w.expires, w.reason),
                }]);
            }
            result
        })
        .collect()
}
