//! Azure Pipelines logging commands (`--format azure`): `##vso[task.logissue …]` for each
//! practice missing between a model's level and its target (see [`super::gaps`]), at the file
//! where it belongs, and `##vso[task.setvariable]` for each staged model's level.
//!
//! Escaping follows the agent (azure-pipelines-task-lib `taskcommand`): in a property value
//! `%`, `;`, `\r`, `\n` and `]` become `%AZP25`, `%3B`, `%0D`, `%0A` and `%5D`; in a message
//! `%`, `\r` and `\n` are escaped. Text from the scanned repository therefore can neither end
//! the command nor start another one on a new line.

use super::{Severity, gap_headline, gap_location, gaps, repo_path};
use crate::model::{Outcome, Report};
use std::fmt::Write as _;

/// Escapes the message of a logging command.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`sourcepath=`, `variable=`) of a logging command.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(';', "%3B").replace(']', "%5D")
}

fn kind(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Error => Some("error"),
        Severity::Warning => Some("warning"),
        // Azure has no notice level: notes go to the log as plain lines.
        Severity::Note => None,
    }
}

pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", super::github::summary_line(r));
    for w in r.warnings.iter().take(5) {
        let _ = writeln!(o, "ripen: warning: {}", escape_data(w));
    }
    for g in gaps(r) {
        let p = g.practice;
        let msg = match &p.waived {
            Some(_) => format!("{} (waived).", gap_headline(&g)),
            None => format!("{}. {}", gap_headline(&g), p.remediation.trim()),
        };
        let Some(kind) = kind(g.severity) else {
            // A plain log line: never lets the repository's text start a command.
            let _ = writeln!(o, "note: {}", escape_data(&msg));
            continue;
        };
        let mut props = format!("type={kind}");
        if let Some(loc) = gap_location(r, p) {
            let _ = write!(
                props,
                ";sourcepath={}",
                escape_property(&repo_path(r, &loc.path))
            );
            if let Some(l) = loc.line {
                let _ = write!(props, ";linenumber={l}");
            }
        }
        let _ = write!(
            props,
            ";code={}",
            escape_property(&format!("ripen/{}", p.id))
        );
        let _ = writeln!(o, "##vso[task.logissue {props}]{}", escape_data(&msg));
    }
    // Sub-projects (`--per-project`): a plain line each with its levels.
    for p in &r.projects {
        let levels = crate::render::common::project_level_labels(p);
        let _ = writeln!(
            o,
            "ripen: sub-project {}: {}",
            escape_data(&repo_path(r, &p.path)),
            levels.join(", ")
        );
    }
    for (id, m) in &r.models {
        if let Outcome::Staged(s) = &m.outcome {
            let _ = writeln!(
                o,
                "##vso[task.setvariable variable={};isOutput=true]{}",
                escape_property(&format!("ripen_{id}_level")),
                s.level
            );
        }
    }
    let met = r.targets.iter().all(|t| t.met);
    let _ = writeln!(
        o,
        "##vso[task.setvariable variable=ripen_targets_met;isOutput=true]{met}"
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_text_cannot_close_or_start_a_command() {
        let evil = "a;b]c%d\r\n##vso[task.complete result=Succeeded]";
        let p = escape_property(evil);
        assert!(!p.contains(';') && !p.contains(']') && !p.contains('\n') && !p.contains('\r'));
        let d = escape_data(evil);
        assert!(!d.contains('\n') && !d.contains('\r'));
        assert!(d.contains("%AZP25d"));
    }
}
