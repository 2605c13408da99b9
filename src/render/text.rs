//! The report for people at a terminal: levels at a glance, then what blocks the next level
//! and how to fix it, then the evidence. Styles are ANSI; `anstream` strips them when the
//! output is not a terminal or `NO_COLOR` is set.

use crate::model::{Outcome, Report, Staged, State, Tier};
use crate::render::common::*;
use anstyle::Style;
use std::fmt::Write as _;

pub(crate) fn tier_style(t: Tier) -> Style {
    match t {
        Tier::Automated => GREEN,
        Tier::Implemented => CYAN,
        Tier::Mentioned => YELLOW,
        Tier::None => DIM,
    }
}

pub(crate) fn ladder(m: &Staged) -> String {
    let (level, max) = (m.level, m.max_level);
    let mut s = String::new();
    for i in 1..=max {
        s.push(if i <= level { '■' } else { '□' });
    }
    s
}

pub fn render(r: &Report) -> String {
    let mut o = String::new();
    header(&mut o, r);
    models(&mut o, r);
    for (id, m) in &r.models {
        match &m.outcome {
            Outcome::Staged(s) => next_level(&mut o, id, s),
            Outcome::Categories(_) => {}
        }
    }
    projects(&mut o, r);
    evidence(&mut o, r);
    closing(&mut o, r);
    o
}

fn header(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "{} {}  {}  {}",
        paint(BOLD, "ripen"),
        r.tool.version,
        r.root,
        paint(
            DIM,
            &format!(
                "({} files read, {} rules{})",
                r.stats.files_read,
                r.stats.rules,
                if r.ml_project.detected {
                    ", ML project"
                } else {
                    ""
                }
            )
        )
    );
    if !r.ml_project.detected {
        let _ = writeln!(
            o,
            "{}",
            paint(
                YELLOW,
                "No ML project found (no ML framework imports, notebooks or model artefacts): levels describe what exists."
            )
        );
    }
    o.push('\n');
}

/// Each model at a glance: staged models as a ladder, then category models' bands.
fn models(o: &mut String, r: &Report) {
    for (id, m) in &r.models {
        match &m.outcome {
            Outcome::Staged(s) => {
                let _ = writeln!(
                    o,
                    "  {}{} {} {}  {}",
                    paint(BOLD, &format!("{:<8}", capitalise(id))),
                    paint(GREEN, &ladder(s)),
                    paint(BOLD, &format!("{}/{}", s.level, s.max_level)),
                    s.level_name.as_deref().unwrap_or(""),
                    paint(DIM, &ahead(s)),
                );
                // How the level was decided, when it is not the plain pooled verdict.
                if let Some(n) = &m.note {
                    let _ = writeln!(o, "          {}", paint(DIM, n));
                }
            }
            Outcome::Categories(_) => {}
        }
    }
    for (id, m) in &r.models {
        match &m.outcome {
            Outcome::Categories(cats) => {
                let parts = band_parts(cats, str::to_string);
                let _ = writeln!(
                    o,
                    "  {}{}  {}",
                    paint(BOLD, &format!("{:<8}", capitalise(id))),
                    parts.join("  "),
                    paint(
                        DIM,
                        "(indicative bands derived by ripen, not GigaOm's criteria)"
                    )
                );
            }
            Outcome::Staged(_) => {}
        }
    }
}

/// What blocks a staged model's next level, and what of it is there.
fn next_level(o: &mut String, id: &str, s: &Staged) {
    let Some(next) = s.levels.iter().find(|l| l.level == s.level + 1) else {
        return;
    };
    let _ = writeln!(
        o,
        "\n{} {} {} — {}",
        paint(BOLD, "Next:"),
        capitalise(id),
        next.level,
        next.name
    );
    // What blocks the next level may sit on it or on any level below it that is unmet.
    for p in next.required.iter().filter(|p| !p.met) {
        let _ = writeln!(o, "  {} {}", paint(RED, "✗"), paint(BOLD, &p.title));
        let _ = writeln!(o, "      {}", p.remediation.trim());
        let _ = writeln!(
            o,
            "      {}",
            paint(
                DIM,
                &format!("satisfied by: {}", p.satisfied_by.join(" | "))
            )
        );
    }
    for p in next.required.iter().filter(|p| p.met) {
        let _ = writeln!(
            o,
            "  {} {}  {}",
            paint(GREEN, "✓"),
            p.title,
            paint(DIM, p.evidence.as_deref().unwrap_or(""))
        );
    }
    let missing: Vec<&str> = next
        .expected
        .iter()
        .filter(|p| !p.met)
        .map(|p| p.id.as_str())
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            o,
            "  {} {}",
            paint(YELLOW, "expected, missing:"),
            missing.join(", ")
        );
    }
}

/// Sub-projects (`--per-project`): each staged model's level, fewest levels first.
fn projects(o: &mut String, r: &Report) {
    if r.projects.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n{}", paint(BOLD, "Sub-projects"));
    for p in &r.projects {
        let mut staged: Vec<(&String, Option<&Staged>)> = p
            .models
            .iter()
            .map(|(id, m)| match &m.outcome {
                Outcome::Staged(s) => (id, Some(s)),
                Outcome::Categories(_) => (id, None),
            })
            .filter(|(_, s)| s.is_some())
            .collect();
        staged.sort_by_key(|(_, s)| s.map(|s| s.max_level));
        let levels: Vec<String> = staged
            .iter()
            .map(|(id, s)| {
                format!(
                    "{} {}",
                    capitalise(id),
                    s.map_or("-".to_string(), |s| s.level.to_string())
                )
            })
            .collect();
        let _ = writeln!(o, "  {}  {}", levels.join("  "), p.path);
    }
}

/// The best evidence of each observed capability, then what the config declares.
fn evidence(o: &mut String, r: &Report) {
    let _ = writeln!(o, "\n{}", paint(BOLD, "Evidence"));
    for c in r.capabilities.iter().filter(|c| c.state == State::Observed) {
        let best = &c.evidence[0];
        let _ = write!(
            o,
            "  {} {:<32} {}",
            paint(tier_style(c.tier), c.tier.short()),
            c.id,
            location(best)
        );
        if best.tier == Tier::Automated && best.chain.len() > 1 {
            let _ = write!(o, "  {}", paint(DIM, &chain_text(&best.chain)));
        } else if best.tier == Tier::Automated {
            let t: Vec<String> = best.triggers.iter().map(|t| t.label()).collect();
            let _ = write!(o, "  {}", paint(DIM, &format!("({})", t.join(", "))));
        } else if let Some(n) = &best.note {
            let _ = write!(o, "  {}", paint(DIM, &format!("({n})")));
        }
        if c.evidence_total > 1 {
            let _ = write!(
                o,
                "  {}",
                paint(DIM, &format!("+{} more", c.evidence_total - 1))
            );
        }
        o.push('\n');
    }
    for c in r.capabilities.iter().filter(|c| c.attested.is_some()) {
        let a = c.attested.as_ref().expect("filtered");
        let _ = writeln!(
            o,
            "  {} {:<32} {}",
            paint(CYAN, "AT"),
            c.id,
            paint(DIM, &format!("attested: {}", a.reason))
        );
    }
    let ignored = r
        .attestations
        .iter()
        .filter(|a| a.status == crate::model::AttestationStatus::Ignored)
        .count();
    if ignored > 0 {
        let _ = writeln!(
            o,
            "  {}",
            paint(
                DIM,
                &format!("{ignored} attestation(s) in the config ignored (--no-attestations)")
            )
        );
    }
    for w in &r.waivers {
        use crate::model::WaiverStatus;
        let (style, what) = match w.status {
            WaiverStatus::Active => (
                CYAN,
                format!("waived until {}: {}", w.expires, w.applies_to.join(", ")),
            ),
            WaiverStatus::Unused => (
                DIM,
                format!("waiver until {} covers no missing practice", w.expires),
            ),
            WaiverStatus::Expired => (
                RED,
                format!("waiver EXPIRED on {}: no longer counts", w.expires),
            ),
        };
        let _ = writeln!(
            o,
            "  {} {:<32} {}",
            paint(style, "WV"),
            w.capability,
            paint(DIM, &what)
        );
    }
}

/// Capabilities without evidence, binaries, unresolved commands, what was skipped, history
/// facts and targets.
fn closing(o: &mut String, r: &Report) {
    let none: Vec<&str> = r
        .capabilities
        .iter()
        .filter(|c| c.state == State::NoEvidence && c.attested.is_none())
        .map(|c| c.id.as_str())
        .collect();
    if !none.is_empty() {
        let _ = writeln!(o, "  {} {}", paint(DIM, "no evidence:"), none.join(", "));
    }
    let unobservable: Vec<&str> = r
        .capabilities
        .iter()
        .filter(|c| c.state == State::NotObservable)
        .map(|c| c.id.as_str())
        .collect();
    if !unobservable.is_empty() {
        let _ = writeln!(
            o,
            "  {} {}",
            paint(DIM, "not observable in a repository:"),
            unobservable.join(", ")
        );
    }
    if !r.committed_artifacts.is_empty() {
        let _ = writeln!(o, "\n{}", paint(YELLOW, "Model binaries in the tree:"));
        for a in r.committed_artifacts.iter().take(10) {
            let _ = writeln!(o, "  {} ({} KiB)", a.path, a.size / 1024);
        }
    }
    if !r.automation.ci_for_another_repository.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            paint(DIM, "CI for another repository (runs nothing here):")
        );
        for c in r.automation.ci_for_another_repository.iter().take(10) {
            let why = c.note.trim_start_matches("CI for another repository: ");
            let _ = writeln!(o, "  {} {}", c.path, paint(DIM, why));
        }
    }
    if !r.automation.unresolved.is_empty() {
        let _ = writeln!(
            o,
            "\n{} {}",
            paint(DIM, "Commands ripen could not resolve:"),
            r.automation.unresolved.len()
        );
        for u in r.automation.unresolved.iter().take(5) {
            let _ = writeln!(o, "  {}:{} {}", u.path, u.line, paint(DIM, &u.command));
        }
    }
    let s = &r.stats.skipped;
    let skipped = s.too_large + s.binary + s.symlinks + s.special + s.unreadable;
    if skipped > 0 || !r.warnings.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            paint(
                DIM,
                &format!(
                    "Skipped: {} too large, {} binary, {} symlinks, {} special, {} unreadable; {} warnings (see --format json)",
                    s.too_large,
                    s.binary,
                    s.symlinks,
                    s.special,
                    s.unreadable,
                    r.warnings.len()
                )
            )
        );
    }
    if let Some(h) = &r.history {
        o.push_str(&crate::render::history::section(h));
    }
    for t in &r.targets {
        let mut actual = t.actual.map(|a| a.to_string()).unwrap_or("-".into());
        if let Some(w) = t.with_waivers.filter(|w| Some(*w) != t.actual) {
            actual.push_str(&format!(", {w} with waivers"));
        }
        let _ = writeln!(
            o,
            "{} {} >= {} (is {actual})",
            if t.met {
                paint(GREEN, "target met:")
            } else {
                paint(RED, "target NOT met:")
            },
            t.model,
            t.level
        );
    }
}

/// "level-2 practices already at 80%" for the highest level above the reached one with coverage.
pub(crate) fn ahead(m: &Staged) -> String {
    let level = m.level;
    m.levels
        .iter()
        .filter(|l| l.level > level && l.coverage > 0.0)
        .map(|l| format!("L{} {:.0}%", l.level, l.coverage * 100.0))
        .collect::<Vec<_>>()
        .join(" · ")
}
