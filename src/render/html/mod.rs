//! `--format html`: one self-contained page for people who would rather look than read.
//!
//! Each staged model as a level ladder (inline SVG, with the levels as a list beside it) and
//! what blocks the next level; the GigaOm categories as a bar chart (inline SVG, with a table);
//! the capability matrix (capability × tier) with evidence and automation chains; the gap
//! checklist with remediation. `ripen history --format html` draws the levels over commits.
//!
//! Self-contained: no scripts, fonts, images or style sheets from elsewhere (a
//! Content-Security-Policy forbids them, so even a bug in escaping could not run a script).
//! Everything taken from the scanned repository (paths, snippets, chains, commit messages, and
//! rule data, which a repository's config can supply) goes through maud templates, which escape
//! every value, with [`Text`] (`esc`) for text from outside; links are only
//! emitted for `http(s)` URLs. Accessible: landmarks and headings, charts with `role="img"`,
//! `<title>` and a text or table alternative, tier and level names always written out (colour
//! is never the only signal), AA contrast, and a layout that reflows down to a 375px phone.

mod history;
mod report;

pub use history::history;
pub use report::render;

use crate::model::Tier;
use maud::{Markup, PreEscaped, Render, html};

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // The same characters as references: a page printed to a CI log never has a line
            // the repository starts (`::add-mask::`), and XML attributes keep them.
            '\n' => o.push_str("&#10;"),
            '\t' => o.push_str("&#9;"),
            // Other controls are not allowed in HTML text.
            c if c.is_control() => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// Text from anywhere (the scanned repository, rule data, commit messages) in a template:
/// escaped by [`esc`], which also escapes `'` and replaces control characters. (maud escapes
/// every other value itself.)
pub(crate) struct Text<'a>(pub &'a str);

impl Render for Text<'_> {
    fn render_to(&self, out: &mut String) {
        out.push_str(&esc(self.0));
    }
}

/// A link to `url` when it is an http(s) URL, else the text alone (no `javascript:` links).
pub(crate) fn link(url: Option<&str>, text: &str) -> Markup {
    html! {
        @match url {
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                a href=(Text(u)) { (Text(text)) }
            }
            _ => (Text(text)),
        }
    }
}

/// An SVG `<line .../>` (self-closing, as SVG writes it, which maud's void elements are not),
/// made only of numbers and fixed attributes.
pub(crate) fn line(
    x1: u32,
    y1: u32,
    x2: u32,
    y2: u32,
    attrs: &[(&'static str, &'static str)],
) -> PreEscaped<String> {
    let mut s = format!("<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\"");
    for (name, value) in attrs.iter().filter(|(name, _)| !name.is_empty()) {
        s.push_str(&format!(" {name}=\"{value}\""));
    }
    s.push_str("/>");
    PreEscaped(s)
}

pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

pub(crate) const CSS: &str = r#"
:root{--fg:#1b1f24;--muted:#4d5761;--line:#c9d1d9;--accent:#0b5cab;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.5rem;margin:.5rem 0;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
h3{font-size:1.05rem;margin:1rem 0 .5rem}
a{color:var(--accent)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere;word-break:break-word}
.muted{color:var(--muted)}
.note{background:#fff8db;border-left:4px solid #8a6100;padding:.5rem .75rem}
.models{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,24rem),1fr));gap:1rem}
.model{border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;min-width:0}
.model h3{margin-top:0}
svg.chart{display:block;width:100%;height:auto}
svg.ladder-chart{max-width:26rem}
svg.gigaom-chart{max-width:30rem}
svg.history-chart{max-width:64rem}
.levels{list-style:none;padding:0;margin:.5rem 0}
.levels li{padding:.15rem 0}
.badge{display:inline-block;border-radius:3px;padding:0 .4em;font-size:.85em;font-weight:600;border:1px solid transparent}
.reached{background:#d3f9d8;color:#0b4a1c;border-color:#2b8a3e}
.blocked{background:#fff3bf;color:#5c3d00;border-color:#8a6100}
.above{background:#f1f3f5;color:#3d454d;border-color:#adb5bd}
.error{background:#ffe3e3;color:#7a0b0b;border-color:#c92a2a}
.blockers li,.checklist li{margin:.4rem 0}
.checklist{list-style:none;padding-left:0}
.checklist label{font-weight:600}
.checklist .detail{margin:.15rem 0 0 1.6rem}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;width:100%}
caption{text-align:left;color:var(--muted);padding:.25rem 0}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
tbody th[scope=rowgroup]{background:var(--soft);font-size:.95em}
td.tier{text-align:center;white-space:nowrap;font-size:.85em;min-width:5.5rem}
.tier-none{background:#f1f3f5;color:#3d454d}
.tier-mentioned{background:#fff3bf;color:#5c3d00}
.tier-implemented{background:#d0ebff;color:#0b3d66}
.tier-automated{background:#b2f2bb;color:#0b4a1c}
.matrix td.ev{min-width:16rem}
.history-table td:nth-child(2){white-space:nowrap}
.matrix ul{margin:.25rem 0;padding-left:1.1rem}
details summary{cursor:pointer;color:var(--accent)}
.chain{display:block;color:var(--muted)}
.snippet{display:block;background:var(--soft);padding:0 .25rem}
footer{margin:2rem auto;color:var(--muted);font-size:.9em}
@media (max-width:30rem){body{font-size:15px}h1{font-size:1.25rem}header,main,footer{padding:0 .6rem}}
"#;

pub(crate) fn head(o: &mut String, title: &str) {
    // `<html>` stays open: the body follows.
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">");
    let head = html! {
        "\n" head {
            "\n" meta charset="utf-8"; "\n"
            meta name="viewport" content="width=device-width, initial-scale=1"; "\n"
            meta http-equiv="Content-Security-Policy" content=(CSP); "\n"
            meta name="generator" content={ "ripen " (env!("CARGO_PKG_VERSION")) }; "\n"
            title { (Text(title)) } "\n"
            style { (PreEscaped(CSS)) } "\n"
        } "\n"
    };
    o.push_str(&head.into_string());
    o.push_str("<body>\n");
}

pub(crate) fn tier_class(t: Tier) -> &'static str {
    match t {
        Tier::None => "tier-none",
        Tier::Mentioned => "tier-mentioned",
        Tier::Implemented => "tier-implemented",
        Tier::Automated => "tier-automated",
    }
}

pub(crate) fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

pub(crate) fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
