//! GitHub-flavoured Markdown, for job summaries and pull-request comments: the models and
//! levels in a table, what blocks each target, the evidence with links, and what the config
//! declares (attestations, waivers) kept apart from it.
//!
//! Everything that comes from the scanned repository (paths, snippets, reasons) is untrusted:
//! it is escaped so that it cannot open HTML, links, mentions or break a table.

use super::{Gap, Severity, gap_location, gaps, repo_path};
use crate::model::State;
use crate::model::Tier;
use crate::model::{AttestationStatus, WaiverStatus};
use crate::model::{Outcome, Report, Staged};
use crate::render::common::{band_parts, capitalise, chain_text, percent_encode, project_levels};
use std::fmt::Write as _;

/// Escapes text for Markdown prose and table cells.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '|' | '$' => {
                o.push('\\');
                o.push(c);
            }
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '@' => o.push_str("&#64;"),
            '\n' | '\r' | '\t' => o.push(' '),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// Inline code, safe in a table cell; falls back to escaped text when it holds a backtick.
pub(crate) fn code(s: &str) -> String {
    if s.contains('`') || s.contains(['\n', '\r']) || s.is_empty() {
        return esc(s);
    }
    let clean: String = s.chars().filter(|c| !c.is_control()).collect();
    format!("`{}`", clean.replace('|', "\\|"))
}

pub(crate) fn cap_len(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// `path:line` as code, linked to the file when the report knows where files can be browsed.
pub(crate) fn loc(r: &Report, path: &str, line: Option<u32>) -> String {
    let label = match line {
        Some(l) => format!("{path}:{l}"),
        None => path.to_string(),
    };
    match &r.browse_url {
        Some(base) => {
            let anchor = line.map(|l| format!("#L{l}")).unwrap_or_default();
            format!(
                "[{}]({}{}{anchor})",
                code(&label),
                base,
                percent_encode(&repo_path(r, path), b"")
            )
        }
        None => code(&label),
    }
}

pub(crate) fn tier_label(t: Tier) -> &'static str {
    match t {
        Tier::Automated => "🟢 automated",
        Tier::Implemented => "🔵 implemented",
        Tier::Mentioned => "🟡 mentioned",
        Tier::None => "⚪ none",
    }
}

pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "## ripen: MLOps maturity\n");
    let _ = writeln!(
        o,
        "{} · {} files read · {} rules{}\n",
        code(&r.root),
        r.stats.files_read,
        r.stats.rules,
        if r.ml_project.detected {
            " · ML project"
        } else {
            " · **no ML project found** (no ML framework imports, training code, notebooks or model artefacts): levels describe what exists"
        }
    );
    models_table(&mut o, r);
    targets(&mut o, r);
    projects(&mut o, r);
    gap_tables(&mut o, r);
    evidence(&mut o, r);
    declarations(&mut o, r);
    closing(&mut o, r);
    o
}

/// Sub-projects (`--per-project`): one row each with its staged models' levels.
fn projects(o: &mut String, r: &Report) {
    let Some(first) = r.projects.first() else {
        return;
    };
    let models: Vec<String> = project_levels(first).into_iter().map(|(m, _)| m).collect();
    let _ = writeln!(o, "**Sub-projects**\n");
    let _ = writeln!(o, "| Sub-project | {} |", models.join(" | "));
    let _ = writeln!(o, "|---|{}", ":-:|".repeat(models.len()));
    for p in &r.projects {
        let levels: Vec<String> = project_levels(p)
            .iter()
            .map(|(_, l)| l.to_string())
            .collect();
        let _ = writeln!(o, "| {} | {} |", code(&p.path), levels.join(" | "));
    }
    o.push('\n');
}

/// One row per staged model, its notes, then each category model's bands.
fn models_table(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "| Model | Level | Next level | Missing for the next level |"
    );
    let _ = writeln!(o, "|---|---|---|---|");
    let mut notes: Vec<String> = Vec::new();
    for (id, m) in &r.models {
        match &m.outcome {
            Outcome::Staged(s) => {
                model_row(o, id, s);
                if let Some(n) = &m.note {
                    notes.push(format!("> **{}**: {}", capitalise(id), esc(n)));
                }
            }
            Outcome::Categories(_) => {}
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(o, "\n{}\n", notes.join("\n>\n"));
    }
    for (id, m) in &r.models {
        match &m.outcome {
            Outcome::Categories(cats) => {
                let parts = band_parts(cats, |c| esc(&capitalise(c)));
                let _ = writeln!(
                    o,
                    "\n**{}** bands (indicative, derived by ripen, not GigaOm's own criteria): {}",
                    capitalise(id),
                    parts.join(" · ")
                );
            }
            Outcome::Staged(_) => {}
        }
    }
}

fn model_row(o: &mut String, id: &str, m: &Staged) {
    let (level, max) = (m.level, m.max_level);
    let name = m.level_name.as_deref().unwrap_or("");
    let next = m.levels.iter().find(|l| l.level == level + 1);
    let (next_s, missing) = match next {
        Some(n) => {
            let req = n.required.iter().filter(|p| !p.met).count();
            let exp = n.expected.iter().filter(|p| !p.met).count();
            // What blocks it by name, then the counts, then how far higher levels are covered.
            let names: Vec<String> = n
                .required
                .iter()
                .filter(|p| !p.met)
                .map(|p| format!("**{}**", esc(&p.title)))
                .collect();
            let mut cell = Vec::new();
            if !names.is_empty() {
                cell.push(names.join(", "));
            }
            cell.push(format!(
                "{req} required, {exp} expected practice{}",
                if exp == 1 { "" } else { "s" }
            ));
            let ahead = crate::render::common::ahead(m);
            if !ahead.is_empty() {
                cell.push(ahead);
            }
            (format!("{} — {}", n.level, esc(&n.name)), cell.join(" · "))
        }
        None => ("—".to_string(), "top level reached".to_string()),
    };
    let waived = m
        .level_with_waivers
        .filter(|w| *w > level)
        .map(|w| format!(" ({w} with waivers)"))
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "| **{}** | **{level}** of {max} — {}{waived} | {next_s} | {missing} |",
        capitalise(id),
        esc(name)
    );
}

fn targets(o: &mut String, r: &Report) {
    if !r.targets.is_empty() {
        let _ = writeln!(o, "\n### Targets\n");
        let _ = writeln!(o, "| Model | Target | Level | |");
        let _ = writeln!(o, "|---|---|---|---|");
        for t in &r.targets {
            let actual = t.summary();
            let _ = writeln!(
                o,
                "| {} | ≥ {} | {actual} | {} |",
                capitalise(&t.model),
                t.level,
                if t.met { "✅ met" } else { "❌ not met" }
            );
        }
    }
}

fn gap_tables(o: &mut String, r: &Report) {
    let all_gaps = gaps(r);
    if !all_gaps.is_empty() {
        let _ = writeln!(
            o,
            "\n### {}",
            if r.targets.is_empty() {
                "What blocks the next level"
            } else {
                "What blocks the targets"
            }
        );
        let mut current: Option<(&str, u32)> = None;
        for g in &all_gaps {
            if current != Some((g.model, g.level.level)) {
                current = Some((g.model, g.level.level));
                let _ = writeln!(
                    o,
                    "\n**{} {} — {}**{}\n",
                    capitalise(g.model),
                    g.level.level,
                    esc(&g.level.name),
                    if g.targeted {
                        " (target)"
                    } else {
                        " (next level)"
                    }
                );
                let _ = writeln!(o, "| | Practice | Where | How to close it |");
                let _ = writeln!(o, "|---|---|---|---|");
            }
            gap_row(o, r, g);
        }
    }
}

fn evidence(o: &mut String, r: &Report) {
    let observed: Vec<_> = r
        .capabilities
        .iter()
        .filter(|c| c.state == State::Observed)
        .collect();
    let _ = writeln!(o, "\n### Evidence\n");
    if observed.is_empty() {
        let _ = writeln!(o, "No evidence found.");
    } else {
        let _ = writeln!(
            o,
            "<details><summary>{} capabilities observed</summary>\n",
            observed.len()
        );
        let _ = writeln!(o, "| Capability | Tier | Where | How |");
        let _ = writeln!(o, "|---|---|---|---|");
        for c in observed {
            let best = &c.evidence[0];
            let mut how = if best.tier == Tier::Automated && !best.chain.is_empty() {
                code(&cap_len(&chain_text(&best.chain), 300))
            } else if let Some(n) = &best.note {
                esc(&cap_len(n, 200))
            } else {
                format!("rule {}", code(&best.rule))
            };
            if c.evidence_total > 1 {
                let _ = write!(how, " (+{} more)", c.evidence_total - 1);
            }
            if best.repository_rule {
                let _ = write!(how, " {}", crate::render::common::REPOSITORY_RULE);
            }
            let _ = writeln!(
                o,
                "| {} | {} | {} | {how} |",
                code(&c.id),
                tier_label(c.tier),
                loc(r, &best.path, best.line)
            );
        }
        let _ = writeln!(o, "\n</details>");
    }
    let none: Vec<String> = r
        .capabilities
        .iter()
        .filter(|c| c.state == State::NoEvidence && c.attested.is_none())
        .map(|c| code(&c.id))
        .collect();
    if !none.is_empty() {
        let _ = writeln!(
            o,
            "\n**No evidence** (not seen in this repository; it may live elsewhere): {}",
            none.join(", ")
        );
    }
    let unobservable: Vec<String> = r
        .capabilities
        .iter()
        .filter(|c| c.state == State::NotObservable)
        .map(|c| code(&c.id))
        .collect();
    if !unobservable.is_empty() {
        let _ = writeln!(
            o,
            "\n**Not observable in a repository** (never counted): {}",
            unobservable.join(", ")
        );
    }
}

/// What the config declares: attestations and waivers, apart from evidence.
fn declarations(o: &mut String, r: &Report) {
    if !r.attestations.is_empty() {
        let _ = writeln!(
            o,
            "\n### Attestations\n\nDeclared in the configuration, not detected; they count as implemented.\n"
        );
        let _ = writeln!(o, "| Capability | Reason | Link | Status |");
        let _ = writeln!(o, "|---|---|---|---|");
        for a in &r.attestations {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                code(&a.capability),
                esc(&cap_len(&a.reason, 300)),
                a.link
                    .as_deref()
                    .map_or("–".to_string(), |l| code(&cap_len(l, 200))),
                match a.status {
                    AttestationStatus::Applied => "counted",
                    AttestationStatus::Ignored => "ignored (`--no-attestations`)",
                }
            );
        }
    }
    if !r.waivers.is_empty() {
        let _ = writeln!(o, "\n### Waivers\n");
        let _ = writeln!(o, "| Capability | Reason | Expires | Status |");
        let _ = writeln!(o, "|---|---|---|---|");
        for w in &r.waivers {
            let status = match w.status {
                WaiverStatus::Active => format!("⏸️ active: {}", esc(&w.applies_to.join(", "))),
                WaiverStatus::Unused => "unused: nothing it names is missing".to_string(),
                WaiverStatus::Expired => "⌛ **expired**: no longer counts".to_string(),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {status} |",
                code(&w.capability),
                esc(&cap_len(&w.reason, 300)),
                w.expires
            );
        }
    }
}

fn closing(o: &mut String, r: &Report) {
    if !r.committed_artifacts.is_empty() {
        let _ = writeln!(
            o,
            "\n**Model binaries committed to the tree** (a level-0 marker):"
        );
        for a in r.committed_artifacts.iter().take(10) {
            let _ = writeln!(o, "- {} ({} KiB)", loc(r, &a.path, None), a.size / 1024);
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(
            o,
            "\n<details><summary>{} warning{}</summary>\n",
            r.warnings.len(),
            if r.warnings.len() == 1 { "" } else { "s" }
        );
        for w in r.warnings.iter().take(20) {
            let _ = writeln!(o, "- {}", esc(&cap_len(w, 300)));
        }
        let _ = writeln!(o, "\n</details>");
    }
    let _ = writeln!(
        o,
        "\n<sub>ripen {} · tiers: mentioned < implemented < automated (reached from a CI trigger, schedule or orchestrator)</sub>",
        esc(r.tool.version)
    );
}

fn gap_row(o: &mut String, r: &Report, g: &Gap) {
    let p = g.practice;
    let mark = match (g.severity, g.required) {
        _ if p.waived.is_some() => "⏸️ waived",
        (Severity::Error, _) => "❌ required",
        (_, true) => "✗ required",
        (_, false) => "⚠️ expected",
    };
    let place = gap_location(r, p)
        .map(|l| loc(r, &l.path, l.line))
        .unwrap_or_else(|| "–".into());
    let mut how = esc(&cap_len(p.remediation.trim(), 400));
    if let Some(w) = p
        .waived
        .as_ref()
        .and_then(|c| r.waivers.iter().find(|w| &w.capability == c))
    {
        how = format!(
            "Waived until {}: {}",
            w.expires,
            esc(&cap_len(&w.reason, 300))
        );
    }
    let _ = writeln!(
        o,
        "| {mark} | **{}**<br>satisfied by: {} | {place} | {how} |",
        esc(&p.title),
        p.satisfied_by
            .iter()
            .map(|s| esc(s))
            .collect::<Vec<_>>()
            .join(" or ")
    );
}
