//! `ripen history` output: a compact timeline (text) or every commit's models (JSON), and the
//! history facts a scan of a git repository adds to its text report.

use crate::model::RepoHistory;
use crate::model::{History, Outcome};
use crate::render::common::{BOLD, DIM, GREEN, RED, YELLOW, paint};
use crate::render::common::{capitalise, clean};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
    /// A self-contained page with a step chart of the levels over commits.
    Html,
}

pub fn render(h: &History, format: HistoryFormat) -> String {
    let (out, bracket) = match format {
        HistoryFormat::Json => (json(h), "\\u005b"),
        HistoryFormat::Text => (text(h), "\\x5b"),
        HistoryFormat::Html => (crate::render::html::history(h), "&#91;"),
    };
    crate::render::common::defuse_vso(&out, bracket, false).into_owned()
}

/// The history as JSON, in a string (see [`write_json`]).
pub(crate) fn json(h: &History) -> String {
    let mut out = Vec::new();
    write_json(h, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// Streams the history as JSON to `w`, one commit a line. A commit whose models are those of
/// the commit before it (its changes could not move a level) does not repeat them: it names
/// the last commit that changed them (`models_from`), so the output grows with the changes,
/// not with commits × models (5,000 commits once made 190 MB). The other fields mirror
/// [`History`]'s (a test checks).
pub fn write_json(h: &History, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use serde::Serialize;
    #[derive(Serialize)]
    struct Full<'a> {
        #[serde(flatten)]
        commit: &'a crate::model::CommitInfo,
        models: &'a std::collections::BTreeMap<String, crate::model::ModelResult>,
    }
    #[derive(Serialize)]
    struct Shared<'a> {
        #[serde(flatten)]
        commit: &'a crate::model::CommitInfo,
        models_from: &'a str,
    }
    write!(
        w,
        "{{\n  \"schema_version\": {},\n  \"tool\": {},\n  \"root\": {},\n  \"commits\": [",
        h.schema_version,
        j(&h.tool),
        j(&h.root)
    )?;
    let mut last: Option<(&crate::model::Models, &str)> = None;
    for (i, p) in h.commits.iter().enumerate() {
        w.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
        match last {
            Some((m, from)) if std::sync::Arc::ptr_eq(m, &p.models) => {
                crate::render::json::to_writer_inert(
                    &mut *w,
                    &Shared {
                        commit: &p.commit,
                        models_from: from,
                    },
                )?;
            }
            _ => {
                crate::render::json::to_writer_inert(
                    &mut *w,
                    &Full {
                        commit: &p.commit,
                        models: &p.models,
                    },
                )?;
                last = Some((&p.models, &p.commit.commit));
            }
        }
    }
    write!(
        w,
        "{}],\n  \"truncated\": {},\n  \"shallow\": {},\n  \"stats\": {},\n  \"warnings\": {}\n}}\n",
        if h.commits.is_empty() { "" } else { "\n  " },
        h.truncated,
        h.shallow,
        j(&h.stats),
        j(&h.warnings)
    )
}

/// One-line JSON of a value, for the fields around the streamed commits.
fn j<T: serde::Serialize + ?Sized>(v: &T) -> String {
    let mut out = Vec::new();
    crate::render::json::to_writer_inert(&mut out, v).expect("serialises");
    String::from_utf8(out).expect("JSON is UTF-8")
}

pub fn level(l: Option<u32>) -> String {
    l.map(|l| l.to_string()).unwrap_or_else(|| "-".into())
}

/// The first commit with its levels, then only the commits where a level was reached or lost.
pub fn text(h: &History) -> String {
    let mut o = String::new();
    let (Some(first), Some(last)) = (h.commits.first(), h.commits.last()) else {
        let _ = writeln!(
            o,
            "{} {}  no commits",
            paint(BOLD, "ripen history"),
            clean(&h.root)
        );
        return o;
    };
    let _ = writeln!(
        o,
        "{} {}  {} commits, {} → {}",
        paint(BOLD, "ripen history"),
        clean(&h.root),
        h.commits.len(),
        first.commit.date.get(..10).unwrap_or(""),
        last.commit.date.get(..10).unwrap_or("")
    );
    let staged: Vec<&String> = last
        .models
        .iter()
        .filter_map(|(id, m)| match &m.outcome {
            Outcome::Staged(_) => Some(id),
            Outcome::Categories(_) => None,
        })
        .collect();
    let levels = |p: &crate::model::Point| {
        staged
            .iter()
            .map(|id| format!("{} {}", capitalise(id), level(p.level(id))))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let line = |o: &mut String, p: &crate::model::Point, what: String| {
        let _ = writeln!(
            o,
            "  {} {}  {}  {}",
            paint(DIM, &clean(p.commit.short())),
            clean(p.commit.date.get(..10).unwrap_or("")),
            what,
            paint(DIM, &clean(&p.commit.summary))
        );
    };
    line(&mut o, first, levels(first));
    let transitions = crate::model::transitions(h);
    let mut i = 0;
    while i < transitions.len() {
        let idx = transitions[i].index;
        let mut parts = Vec::new();
        while i < transitions.len() && transitions[i].index == idx {
            let t = &transitions[i];
            let up = t.to > t.from;
            let s = format!(
                "{} {} → {}",
                capitalise(&t.model),
                level(t.from),
                level(t.to)
            );
            parts.push(if up {
                paint(GREEN, &format!("{s} reached"))
            } else {
                paint(RED, &format!("{s} lost"))
            });
            i += 1;
        }
        line(&mut o, &h.commits[idx], parts.join(", "));
    }
    if transitions.is_empty() && h.commits.len() > 1 {
        let _ = writeln!(o, "  {}", paint(DIM, "(no level changed)"));
    }
    let _ = writeln!(o, "{}  {}", paint(BOLD, "Now:"), levels(last));
    for w in &h.warnings {
        let _ = writeln!(o, "{} {}", paint(YELLOW, "note:"), clean(w));
    }
    let s = &h.stats;
    let _ = writeln!(
        o,
        "{}",
        paint(
            DIM,
            &format!(
                "{} blobs scanned ({} read) for {} file visits over {} commits; {} trees assembled",
                s.cache.blobs_scanned,
                s.cache.blobs_read,
                s.file_visits,
                s.commits,
                s.cache.trees_assembled
            )
        )
    );
    o
}

/// The history facts of a scan, for the text report.
pub(crate) fn section(h: &RepoHistory) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\n{} {}",
        paint(BOLD, "History"),
        paint(DIM, &format!("({} commits examined)", h.commits_examined))
    );
    match &h.last_training_change {
        Some(t) => {
            let age = if t.at_least {
                format!("at least {} days ago", t.days_ago)
            } else {
                format!("{} days ago", t.days_ago)
            };
            let _ = writeln!(
                o,
                "  training pipeline last changed {age}: {} {} {}  {}",
                clean(t.commit.get(..8).unwrap_or(&t.commit)),
                clean(t.date.get(..10).unwrap_or("")),
                clean(&t.path),
                paint(DIM, &clean(&t.summary))
            );
        }
        None => {
            let _ = writeln!(
                o,
                "  {}",
                paint(
                    DIM,
                    "no change to training-pipeline files in the examined commits (or none found)"
                )
            );
        }
    }
    if !h.binaries_in_history.is_empty() {
        let _ = writeln!(
            o,
            "  {}",
            paint(
                YELLOW,
                &format!(
                    "{} model/data binaries committed in history (git keeps them forever; use DVC or LFS):",
                    h.binaries_in_history.len()
                )
            )
        );
        for b in h.binaries_in_history.iter().take(10) {
            let _ = writeln!(
                o,
                "    {} ({} KiB) in {} {}{}",
                clean(&b.path),
                b.size / 1024,
                b.commit.get(..8).unwrap_or(&b.commit),
                b.date.get(..10).unwrap_or(""),
                if b.in_head { "" } else { ", since removed" }
            );
        }
    }
    for n in &h.notes {
        let _ = writeln!(o, "  {} {}", paint(YELLOW, "note:"), clean(n));
    }
    o
}
