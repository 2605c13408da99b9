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
    render_with(r, &crate::render::Options::default())
}

/// The report, with evidence chains shortened to `opts.width` columns.
pub fn render_with(r: &Report, opts: &crate::render::Options) -> String {
    let mut o = String::new();
    header(&mut o, r);
    models(&mut o, r);
    for (id, m) in &r.models {
        match &m.outcome {
            Outcome::Staged(s) => {
                // Up to the `--fail-under` target when it is above the next level.
                let target = r.targets.iter().find(|t| &t.model == id).map(|t| t.level);
                let upto = target.unwrap_or(0).max(s.level + 1);
                for level in s.level + 1..=upto {
                    next_level(&mut o, id, s, level);
                }
            }
            Outcome::Categories(_) => {}
        }
    }
    projects(&mut o, r);
    evidence(&mut o, r, opts.width);
    closing(&mut o, r);
    o
}

/// `--quiet`: each model's level, then only what blocks each staged model's next level, and
/// the targets. No evidence, notes, history or statistics.
pub fn render_quiet(r: &Report) -> String {
    let mut o = String::new();
    models(&mut o, r);
    for (id, m) in &r.models {
        let Outcome::Staged(s) = &m.outcome else {
            continue;
        };
        let Some(next) = s.levels.iter().find(|l| l.level == s.level + 1) else {
            continue;
        };
        for p in next.required.iter().filter(|p| !p.met) {
            let _ = writeln!(
                o,
                "  {} {} {}: {}",
                paint(RED, "✗"),
                capitalise(id),
                next.level,
                clean(&p.title)
            );
        }
    }
    targets(&mut o, r);
    o
}

fn header(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "{} {}  {}  {}",
        paint(BOLD, "ripen"),
        r.tool.version,
        clean(&r.root),
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
    if let Some(scope) = &r.scope {
        let _ = writeln!(
            o,
            "{}",
            paint(
                DIM,
                &format!(
                    "Scope: {scope}/ — its own files, and the repository's automation that reaches into it"
                )
            )
        );
    }
    if !r.ml_project.detected {
        let _ = writeln!(
            o,
            "{}",
            paint(
                YELLOW,
                "No ML project found (no ML framework imports, training code, notebooks or model artefacts): levels describe what exists."
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
                // Level 0 is never shown as a success.
                let colour = if s.level == 0 { YELLOW } else { GREEN };
                let _ = writeln!(
                    o,
                    "  {}{} {} {}{}  {}",
                    paint(BOLD, &format!("{:<8}", capitalise(id))),
                    paint(colour, &ladder(s)),
                    paint(BOLD, &format!("{}/{}", s.level, s.max_level)),
                    s.level_name.as_deref().unwrap_or(""),
                    capped(s),
                    paint(DIM, &ahead(s)),
                );
                // How the level was decided, when it is not the plain pooled verdict.
                if let Some(n) = &m.note {
                    let _ = writeln!(o, "          {}", paint(DIM, &clean(n)));
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

/// What blocks one of a staged model's levels above its own, and what of it is there.
fn next_level(o: &mut String, id: &str, s: &Staged, level: u32) {
    let Some(next) = s.levels.iter().find(|l| l.level == level) else {
        return;
    };
    let _ = writeln!(
        o,
        "\n{} {} {} — {}",
        paint(
            BOLD,
            if level == s.level + 1 {
                "Next:"
            } else {
                "Then:"
            }
        ),
        capitalise(id),
        next.level,
        clean(&next.name)
    );
    // What blocks the next level may sit on it or on any level below it that is unmet.
    for p in next.required.iter().filter(|p| !p.met) {
        let _ = writeln!(o, "  {} {}", paint(RED, "✗"), paint(BOLD, &clean(&p.title)));
        let _ = writeln!(o, "      {}", clean(p.remediation.trim()));
        let _ = writeln!(
            o,
            "      {}",
            paint(
                DIM,
                &clean(&format!("satisfied by: {}", p.satisfied_by.join(" | ")))
            )
        );
    }
    for p in next.required.iter().filter(|p| p.met) {
        let _ = writeln!(
            o,
            "  {} {}  {}",
            paint(GREEN, "✓"),
            clean(&p.title),
            paint(DIM, &clean(p.evidence.as_deref().unwrap_or("")))
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
            clean(&missing.join(", "))
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
        let levels = crate::render::common::project_level_labels(p);
        let _ = writeln!(o, "  {}  {}", levels.join("  "), clean(&p.path));
    }
}

/// The best evidence of each observed capability, then what the config declares. An automated
/// piece of evidence shows how it is reached on a line of its own, shortened to fit `width`
/// columns.
fn evidence(o: &mut String, r: &Report, width: usize) {
    let _ = writeln!(o, "\n{}", paint(BOLD, "Evidence"));
    for c in r.capabilities.iter().filter(|c| c.state == State::Observed) {
        let best = &c.evidence[0];
        let loc = location(best);
        let (id, at) = (clean(&c.id), clean(&loc));
        let _ = write!(
            o,
            "  {} {:<32} {}",
            paint(tier_style(c.tier), c.tier.short()),
            id,
            at
        );
        // A chain gets a line of its own under the evidence, so that it has the whole width.
        let mut chain_line = None;
        if best.tier == Tier::Automated && best.chain.len() > 1 {
            let budget = width.saturating_sub(CHAIN_INDENT.len() + 4).max(MIN_CHAIN);
            chain_line = Some(short_chain(&best.chain, budget));
        } else if best.tier == Tier::Automated {
            let t = crate::model::triggers_label(&best.triggers);
            let _ = write!(o, "  {}", paint(DIM, &clean(&format!("({t})"))));
        } else if let Some(n) = &best.note {
            let _ = write!(o, "  {}", paint(DIM, &clean(&format!("({n})"))));
        }
        if c.evidence_total > 1 {
            let _ = write!(
                o,
                "  {}",
                paint(DIM, &format!("+{} more", c.evidence_total - 1))
            );
        }
        if let Some(chain) = chain_line {
            let _ = write!(o, "\n{CHAIN_INDENT}{}", paint(DIM, &format!("via {chain}")));
        }
        o.push('\n');
    }
    for c in r.capabilities.iter().filter(|c| c.attested.is_some()) {
        let a = c.attested.as_ref().expect("filtered");
        let _ = writeln!(
            o,
            "  {} {:<32} {}",
            paint(CYAN, "AT"),
            clean(&c.id),
            paint(DIM, &clean(&format!("attested: {}", a.reason)))
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
            clean(&w.capability),
            paint(DIM, &clean(&what))
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
        let _ = writeln!(
            o,
            "  {} {}",
            paint(DIM, "no evidence:"),
            clean(&none.join(", "))
        );
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
            clean(&unobservable.join(", "))
        );
    }
    if !r.committed_artifacts.is_empty() {
        let _ = writeln!(o, "\n{}", paint(YELLOW, "Model binaries in the tree:"));
        for a in r.committed_artifacts.iter().take(10) {
            let _ = writeln!(o, "  {} ({} KiB)", clean(&a.path), a.size / 1024);
        }
    }
    if !r.automation.ci_for_another_repository.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            paint(
                DIM,
                "CI that runs nothing here (another repository's, retired, or unable to load):"
            )
        );
        for c in r.automation.ci_for_another_repository.iter().take(10) {
            let why = c.note.trim_start_matches("CI for another repository: ");
            let _ = writeln!(o, "  {} {}", clean(&c.path), paint(DIM, &clean(why)));
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
            // Never `path:0`: a line nobody knows is left out.
            let at = match u.line {
                0 => u.path.clone(),
                l => format!("{}:{l}", u.path),
            };
            let _ = writeln!(o, "  {} {}", clean(&at), paint(DIM, &clean(&u.command)));
        }
    }
    skipped_and_warnings(o, r);
    if let Some(h) = &r.history {
        o.push_str(&crate::render::history::section(h));
    }
    targets(o, r);
}

/// Each `--fail-under` target, met or not.
fn targets(o: &mut String, r: &Report) {
    for t in &r.targets {
        let actual = t.summary();
        let _ = writeln!(
            o,
            "{} {} >= {} (is {actual})",
            if t.met {
                paint(GREEN, "target met:")
            } else {
                paint(RED, "target NOT met:")
            },
            clean(&t.model),
            t.level
        );
    }
}

/// Why the level stops where it does, in one line: ` — level 2 missing Automated training`.
fn capped(m: &Staged) -> String {
    match why_capped(m) {
        Some(why) => clean(&format!(" — {why}")).into_owned(),
        None => String::new(),
    }
}

/// What the scan left out, file by file, and its warnings: silence must not read as absence.
fn skipped_and_warnings(o: &mut String, r: &Report) {
    let s = &r.stats.skipped;
    let skipped = s.too_large + s.binary + s.symlinks + s.special + s.unreadable;
    if skipped > 0 {
        let _ = writeln!(
            o,
            "\n{} {skipped} files: {} too large, {} binary, {} symlinks, {} special, {} unreadable",
            paint(BOLD, "Skipped"),
            s.too_large,
            s.binary,
            s.symlinks,
            s.special,
            s.unreadable,
        );
        for f in &s.files {
            let _ = writeln!(o, "  {}  {}", clean(&f.path), paint(DIM, &f.reason));
        }
        let named = s.files.len() as u64;
        if skipped > named {
            let _ = writeln!(
                o,
                "  {}",
                paint(DIM, &format!("… and {} more", skipped - named))
            );
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(o, "\n{} ({})", paint(BOLD, "Warnings"), r.warnings.len());
        for w in r.warnings.iter().take(10) {
            let _ = writeln!(o, "  {}", paint(YELLOW, &clean(w)));
        }
        if r.warnings.len() > 10 {
            let _ = writeln!(
                o,
                "  {}",
                paint(
                    DIM,
                    &format!(
                        "… and {} more (all in --format json)",
                        r.warnings.len() - 10
                    )
                )
            );
        }
    }
}

/// Where a chain's own line starts: under the capability's name.
const CHAIN_INDENT: &str = "       ";

/// The fewest columns a shortened chain gets, however narrow the line: below this it would say
/// nothing.
const MIN_CHAIN: usize = 32;

/// A chain (cleaned for a terminal) in at most `width` columns, the first of these that fits:
/// the whole chain; the trigger, how many hops lie between and the last two hops, or the last;
/// the trigger's and the last hop's places alone; the trigger's place and the number of hops
/// after it; the end of that, after `…`. The whole chain is in `--format json`.
fn short_chain(chain: &[crate::model::Hop], width: usize) -> String {
    use crate::render::common::hop_text;
    let at = |h: &crate::model::Hop| match h.line {
        Some(l) => format!("{}:{l}", h.path),
        None => h.path.clone(),
    };
    let mut candidates = vec![chain_text(chain)];
    if let [first, rest @ ..] = chain {
        for keep in [2, 1] {
            let tail = &rest[rest.len().saturating_sub(keep)..];
            let hidden = rest.len() - tail.len();
            if hidden > 0 {
                let mut s = format!("{} → … {hidden} hop(s) …", hop_text(first, true));
                for h in tail {
                    s.push_str(" → ");
                    s.push_str(&hop_text(h, false));
                }
                candidates.push(s);
            }
        }
        if let Some(last) = rest.last() {
            let between = rest.len() - 1;
            candidates.push(if between > 0 {
                format!("{} → … {between} hop(s) … → {}", at(first), at(last))
            } else {
                format!("{} → {}", at(first), at(last))
            });
            candidates.push(format!("{} → {} hop(s)", at(first), rest.len()));
        }
    }
    let cleaned: Vec<String> = candidates.iter().map(|c| clean(c).into_owned()).collect();
    if let Some(s) = cleaned.iter().find(|s| s.chars().count() <= width) {
        return s.clone();
    }
    // Cut from the left: the file name, line and hop count at the end say the most.
    let shortest: Vec<char> = cleaned
        .last()
        .map(|s| s.chars().collect())
        .unwrap_or_default();
    let keep = width.saturating_sub(1).min(shortest.len());
    std::iter::once('…')
        .chain(shortest[shortest.len() - keep..].iter().copied())
        .collect()
}

#[cfg(test)]
mod chain_tests {
    use super::short_chain;
    use crate::model::Hop;

    #[test]
    fn long_chains_keep_the_trigger_and_the_end() {
        let hop = |i: u32| Hop {
            path: format!("some/fairly/long/directory/name/step_{i}.py"),
            line: Some(i),
            via: format!("python step_{i}.py --with many --arguments"),
        };
        let chain: Vec<Hop> = (1..=6).map(hop).collect();
        let full = crate::render::common::chain_text(&chain);
        assert_eq!(short_chain(&chain, 1000), full);
        let s = short_chain(&chain, 300);
        assert!(
            s.starts_with("some/fairly/long/directory/name/step_1.py:1 (")
                && s.contains("… 3 hop(s) …")
                && s.ends_with("step_6.py --with many --arguments]")
                && s.chars().count() <= 300,
            "{s}"
        );
        let short: Vec<Hop> = (1..=2).map(hop).collect();
        assert_eq!(
            short_chain(&short, 200),
            crate::render::common::chain_text(&short)
        );
        // Narrower: the trigger and the last hop, then only their places, then a cut.
        let s = short_chain(&chain, 200);
        assert!(
            s.contains("… 4 hop(s) …") && s.chars().count() <= 200,
            "{s}"
        );
        assert!(s.ends_with("step_6.py --with many --arguments]"), "{s}");
        let s = short_chain(&chain, 110);
        assert_eq!(
            s,
            "some/fairly/long/directory/name/step_1.py:1 → … 4 hop(s) … → \
             some/fairly/long/directory/name/step_6.py:6"
        );
        let s = short_chain(&chain, 60);
        assert_eq!(s, "some/fairly/long/directory/name/step_1.py:1 → 5 hop(s)");
        let s = short_chain(&chain, 30);
        assert_eq!(s, "…y/name/step_1.py:1 → 5 hop(s)");
    }
}
