//! GitHub Actions: workflow commands that annotate files (`--format github`), and the runner
//! integration used whenever `GITHUB_ACTIONS=true`: the Markdown report appended to
//! `$GITHUB_STEP_SUMMARY` and the levels written to `$GITHUB_OUTPUT`.
//!
//! Escaping follows the runner (actions/toolkit `command.ts`): in a message `%`, `\r`, `\n`
//! become `%25`, `%0D`, `%0A`; in a property `:` and `,` also become `%3A` and `%2C`. Text from
//! the scanned repository therefore cannot end a command or start another one.

use super::{Severity, gap_headline, gap_location, gaps, repo_path};
use crate::model::WaiverStatus;
use crate::model::{Outcome, Report};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

/// Escapes the message of a workflow command.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`) of a workflow command.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command: `::kind file=…,line=…,title=…::message`.
pub(crate) fn command(
    kind: &str,
    file: Option<&str>,
    line: Option<u32>,
    title: &str,
    msg: &str,
) -> String {
    let mut props = Vec::new();
    if let Some(f) = file {
        props.push(format!("file={}", escape_property(f)));
        if let Some(l) = line {
            props.push(format!("line={l}"));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    format!("::{kind} {}::{}\n", props.join(","), escape_data(msg))
}

pub(crate) fn kind(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// The levels at a glance, one plain line (never starting with `::`): each staged model's
/// level and why it stops there
/// (`ripen 0.1.0: Azure 1/4 (level 2 missing Automated training), Google 0/2 (…)`).
pub(crate) fn summary_line(r: &Report) -> String {
    let parts: Vec<String> = r
        .models
        .iter()
        .filter_map(|(id, m)| match &m.outcome {
            Outcome::Staged(s) => Some(format!(
                "{} {}/{}{}",
                crate::render::common::capitalise(id),
                s.level,
                s.max_level,
                crate::render::common::why_capped(s)
                    .map(|w| format!(" ({})", crate::render::common::clean(&w)))
                    .unwrap_or_default()
            )),
            Outcome::Categories(_) => None,
        })
        .collect();
    format!("ripen {}: {}", r.tool.version, parts.join(", "))
}

/// GitHub shows at most this many annotations of each kind for one step; more are dropped
/// silently, so ripen stops before and says how many it left out.
pub(crate) const ANNOTATIONS_PER_KIND: usize = 10;

/// One annotation to print: kind, file, line, title, message.
struct Annotation {
    kind: &'static str,
    file: Option<String>,
    line: Option<u32>,
    title: String,
    msg: String,
}

/// One annotation per missing practice: the models and levels that need it are named together
/// ("Azure level 2 … requires Automated training; also Google level 1"), at the most severe.
fn gap_annotations(r: &Report) -> Vec<Annotation> {
    let all = gaps(r);
    let mut order: Vec<&str> = Vec::new();
    for g in &all {
        if !order.contains(&g.practice.id.as_str()) {
            order.push(&g.practice.id);
        }
    }
    let mut out = Vec::new();
    for id in order {
        let same: Vec<_> = all.iter().filter(|g| g.practice.id == id).collect();
        let Some(g) = same.iter().max_by_key(|g| g.severity).copied() else {
            continue;
        };
        let p = g.practice;
        let loc = gap_location(r, p);
        let mut msg = format!("{}.", gap_headline(g));
        let others: Vec<String> = same
            .iter()
            .filter(|o| o.model != g.model)
            .map(|o| {
                format!(
                    "{} level {}",
                    crate::render::common::capitalise(o.model),
                    o.level.level
                )
            })
            .collect();
        if !others.is_empty() {
            let _ = write!(msg, " Also needed for {}.", others.join(", "));
        }
        match p
            .waived
            .as_ref()
            .and_then(|c| r.waivers.iter().find(|w| &w.capability == c))
        {
            Some(w) => {
                let _ = write!(msg, " Waived until {}: {}", w.expires, w.reason);
            }
            None => {
                let _ = write!(
                    msg,
                    " {}\nSatisfied by: {}.",
                    p.remediation.trim(),
                    p.satisfied_by.join(" or ")
                );
            }
        }
        let title = format!(
            "ripen: {} {} {}",
            crate::render::common::capitalise(g.model),
            g.level.level,
            if p.waived.is_some() {
                "gap (waived)"
            } else if g.required {
                "required"
            } else {
                "expected"
            }
        );
        out.push(Annotation {
            kind: kind(g.severity),
            file: loc.as_ref().map(|l| repo_path(r, &l.path)),
            line: loc.as_ref().and_then(|l| l.line),
            title,
            msg,
        });
    }
    out
}

/// Waivers that need attention: expired (a warning) or covering nothing (a notice).
fn waiver_annotations(r: &Report) -> Vec<Annotation> {
    let config = r.config.as_ref().map(|c| repo_path(r, c));
    let mut out = Vec::new();
    for w in &r.waivers {
        let line = w.line.and_then(|l| u32::try_from(l).ok());
        let (kind, title, msg) = match w.status {
            WaiverStatus::Expired => (
                "warning",
                "ripen: expired waiver",
                format!(
                    "The waiver for `{}` expired on {}: it no longer counts. Close the gap or renew the waiver.",
                    w.capability, w.expires
                ),
            ),
            WaiverStatus::Unused => (
                "notice",
                "ripen: unused waiver",
                format!(
                    "The waiver for `{}` covers no missing practice: it can be removed.",
                    w.capability
                ),
            ),
            WaiverStatus::Active => continue,
        };
        out.push(Annotation {
            kind,
            file: config.clone(),
            line,
            title: title.to_string(),
            msg,
        });
    }
    out
}

pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", summary_line(r));
    for w in r
        .warnings
        .iter()
        .filter(|w| w.starts_with(crate::render::common::REPOSITORY_RULE))
    {
        o.push_str(&command(
            "warning",
            None,
            None,
            "ripen: repository rules",
            w,
        ));
    }
    // Plain lines: never a command, whatever the repository's text holds.
    for w in r.warnings.iter().take(5) {
        let _ = writeln!(o, "ripen: warning: {}", escape_data(w));
    }
    // Sub-projects (`--per-project`): a notice each with its levels.
    for p in &r.projects {
        let levels = crate::render::common::project_level_labels(p);
        o.push_str(&command(
            "notice",
            None,
            None,
            &format!("ripen: sub-project {}", p.path),
            &levels.join(", "),
        ));
    }
    let targets = r.targets.iter().filter(|t| !t.met).map(|t| Annotation {
        kind: "error",
        file: None,
        line: None,
        title: "ripen: target not met".to_string(),
        msg: format!(
            "{} is at level {}, below the target {}.",
            crate::render::common::capitalise(&t.model),
            t.actual.map_or("–".to_string(), |a| a.to_string()),
            t.level
        ),
    });
    // What fails the build first, then the gaps by severity, then the waivers: when a kind's
    // budget runs out, what is left out is the least important.
    let mut gaps = gap_annotations(r);
    gaps.sort_by_key(|a| match a.kind {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    });
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    let mut left_out = 0;
    for a in targets.chain(gaps).chain(waiver_annotations(r)) {
        let n = shown.entry(a.kind).or_default();
        if *n >= ANNOTATIONS_PER_KIND {
            left_out += 1;
            continue;
        }
        *n += 1;
        o.push_str(&command(
            a.kind,
            a.file.as_deref(),
            a.line,
            &a.title,
            &a.msg,
        ));
    }
    if left_out > 0 {
        let _ = writeln!(
            o,
            "ripen: {left_out} more gap(s) not annotated (GitHub shows {ANNOTATIONS_PER_KIND} annotations of each kind per step); the job summary and --format sarif list them all."
        );
    }
    o
}

/// `name=value` lines for `$GITHUB_OUTPUT`: `<model>-level` for each staged model, and
/// `<model>-<category>` for category models (the band, empty when not observable), plus
/// `targets-met`.
pub(crate) fn outputs(r: &Report) -> String {
    let mut o = String::new();
    for (id, m) in &r.models {
        match &m.outcome {
            Outcome::Categories(cats) => {
                for (c, v) in &cats.by_id {
                    let _ = writeln!(
                        o,
                        "{id}-{c}={}",
                        v.band.map(|b| b.to_string()).unwrap_or_default()
                    );
                }
            }
            Outcome::Staged(s) => {
                let _ = writeln!(o, "{id}-level={}", s.level);
            }
        }
    }
    let _ = writeln!(o, "targets-met={}", r.targets.iter().all(|t| t.met));
    o
}

/// Where files can be browsed in this run (`$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/`).
pub(crate) fn browse_url(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let server = env("GITHUB_SERVER_URL").filter(|s| !s.is_empty())?;
    let repo = env("GITHUB_REPOSITORY").filter(|s| !s.is_empty())?;
    let sha = env("GITHUB_SHA").filter(|s| !s.is_empty())?;
    let ok = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:".contains(c))
    };
    let web = server.starts_with("https://") || server.starts_with("http://");
    (web && ok(&server) && ok(&repo) && ok(&sha))
        .then(|| format!("{}/{repo}/blob/{sha}/", server.trim_end_matches('/')))
}

/// Whether this process runs inside GitHub Actions.
pub(crate) fn in_actions(env: &dyn Fn(&str) -> Option<String>) -> bool {
    env("GITHUB_ACTIONS").as_deref() == Some("true")
}

pub(crate) fn append(path: &str, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    f.write_all(text.as_bytes())
}

/// Inside GitHub Actions: appends the Markdown report to `$GITHUB_STEP_SUMMARY` and the levels
/// to `$GITHUB_OUTPUT` (each when set). Returns the files written.
pub(crate) fn publish(
    r: &Report,
    env: &dyn Fn(&str) -> Option<String>,
) -> std::io::Result<Vec<String>> {
    write_runner_files(&(super::markdown::render(r) + "\n"), &outputs(r), env)
}

/// Appends `summary` to `$GITHUB_STEP_SUMMARY` and `outputs` to `$GITHUB_OUTPUT`, each when set,
/// inside GitHub Actions only. Returns the files written.
fn write_runner_files(
    summary: &str,
    outputs: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> std::io::Result<Vec<String>> {
    let mut written = Vec::new();
    if !in_actions(env) {
        return Ok(written);
    }
    for (var, text) in [("GITHUB_STEP_SUMMARY", summary), ("GITHUB_OUTPUT", outputs)] {
        if let Some(p) = env(var).filter(|p| !p.is_empty()) {
            append(&p, text)?;
            written.push(p);
        }
    }
    Ok(written)
}

/// Several repositories (`ripen scan A B C --github-summary`): the summary table and each
/// report in Markdown to `$GITHUB_STEP_SUMMARY`, and `<name>-<model>-level` for every
/// repository plus `targets-met` (all of them) to `$GITHUB_OUTPUT`. Names are reduced to
/// `[A-Za-z0-9_-]` so no repository can write another output line.
pub(crate) fn publish_many(
    summary_markdown: &str,
    parts: &[(String, Report)],
    met: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> std::io::Result<Vec<String>> {
    let mut o = String::new();
    for (name, r) in parts {
        let key: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        for (id, m) in &r.models {
            if let Outcome::Staged(s) = &m.outcome {
                let _ = writeln!(o, "{key}-{id}-level={}", s.level);
            }
        }
    }
    let _ = writeln!(o, "targets-met={met}");
    write_runner_files(&format!("{summary_markdown}\n"), &o, env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        let c = command(
            "error",
            Some("x,y.py"),
            Some(3),
            "t: 1",
            "line1\n::warning::x",
        );
        assert_eq!(
            c,
            "::error file=x%2Cy.py,line=3,title=t%3A 1::line1%0A::warning::x\n"
        );
        assert_eq!(c.matches('\n').count(), 1);
    }

    #[test]
    fn browse_url_needs_all_three() {
        let env = |k: &str| match k {
            "GITHUB_SERVER_URL" => Some("https://github.com".to_string()),
            "GITHUB_REPOSITORY" => Some("o/r".to_string()),
            "GITHUB_SHA" => Some("abc123".to_string()),
            _ => None,
        };
        assert_eq!(
            browse_url(&env).as_deref(),
            Some("https://github.com/o/r/blob/abc123/")
        );
        assert_eq!(browse_url(&|_| None), None);
        let bad = |k: &str| match k {
            "GITHUB_SERVER_URL" => Some("javascript:alert(1)//x y".to_string()),
            _ => Some("x".to_string()),
        };
        assert_eq!(browse_url(&bad), None);
    }
}
