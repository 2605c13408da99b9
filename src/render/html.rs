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
//! rule data, which a repository's config can supply) is escaped with [`esc`]; links are only
//! emitted for `http(s)` URLs. Accessible: landmarks and headings, charts with `role="img"`,
//! `<title>` and a text or table alternative, tier and level names always written out (colour
//! is never the only signal), AA contrast, and a layout that reflows down to a 375px phone.

use crate::capabilities::{CapabilityResult, State};
use crate::history::History;
use crate::levels::ModelResult;
use crate::render::text::{capitalise, chain_text, location};
use crate::render::{self, Severity};
use crate::report::Report;
use crate::rules::{Category, Tier};
use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // Controls other than tab and newline are not allowed in HTML text.
            c if c.is_control() && c != '\n' && c != '\t' => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// A link to `url` when it is an http(s) URL, else the text alone (no `javascript:` links).
fn link(url: Option<&str>, text: &str) -> String {
    match url {
        Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
            format!("<a href=\"{}\">{}</a>", esc(u), esc(text))
        }
        _ => esc(text),
    }
}

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const CSS: &str = r#"
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

fn head(o: &mut String, title: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
<meta name=\"generator\" content=\"ripen {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title)
    );
}

fn tier_class(t: Tier) -> &'static str {
    match t {
        Tier::None => "tier-none",
        Tier::Mentioned => "tier-mentioned",
        Tier::Implemented => "tier-implemented",
        Tier::Automated => "tier-automated",
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The HTML report of a scan.
pub fn render(r: &Report) -> String {
    let mut o = String::new();
    head(&mut o, &format!("ripen: MLOps maturity of {}", r.root));
    let _ = write!(
        o,
        "<header>\n<h1>MLOps maturity of <code>{}</code></h1>\n<p class=\"muted\">ripen {} · {} files read · {} rules · {}</p>\n",
        esc(&r.root),
        esc(r.tool.version),
        r.stats.files_read,
        r.stats.rules,
        if r.ml_project.detected {
            "ML project detected"
        } else {
            "no ML project detected"
        }
    );
    if !r.ml_project.detected {
        o.push_str("<p class=\"note\">No ML project found (no ML framework imports, notebooks or model artefacts): levels describe what exists.</p>\n");
    }
    o.push_str("<nav aria-label=\"Sections\"><p><a href=\"#levels\">Levels</a> · <a href=\"#gigaom\">GigaOm categories</a> · <a href=\"#gaps\">Gap checklist</a> · <a href=\"#matrix\">Capability matrix</a></p></nav>\n</header>\n<main>\n");

    // Levels.
    o.push_str(
        "<section id=\"levels\" aria-labelledby=\"levels-h\">\n<h2 id=\"levels-h\">Levels</h2>\n",
    );
    for t in &r.targets {
        let _ = writeln!(
            o,
            "<p><span class=\"badge {}\">{}</span> {} level ≥ {} (is {})</p>",
            if t.met { "reached" } else { "error" },
            if t.met {
                "target met"
            } else {
                "target NOT met"
            },
            esc(&capitalise(&t.model)),
            t.level,
            t.actual
                .map(|a| a.to_string())
                .unwrap_or_else(|| "–".into())
        );
    }
    o.push_str("<div class=\"models\">\n");
    for (id, m) in r.models.iter().filter(|(_, m)| m.level.is_some()) {
        model_card(&mut o, id, m);
    }
    o.push_str("</div>\n</section>\n");

    // GigaOm.
    for (id, m) in &r.models {
        if let Some(_cats) = &m.categories {
            gigaom(&mut o, id, m);
        }
    }

    gap_checklist(&mut o, r);
    matrix(&mut o, r);
    extras(&mut o, r);

    o.push_str("</main>\n<footer>\n<p>Generated by ripen ");
    o.push_str(&esc(r.tool.version));
    o.push_str(" from the files of the repository: levels are inferred from evidence, not from people. Models: ");
    let sources: Vec<String> = r
        .models
        .values()
        .map(|m| link(m.source.as_deref(), &m.title))
        .collect();
    o.push_str(&sources.join(" · "));
    o.push_str(".</p>\n</footer>\n</body>\n</html>\n");
    o
}

/// One staged model: the ladder (SVG with a list as its text form) and what blocks the next.
fn model_card(o: &mut String, id: &str, m: &ModelResult) {
    let level = m.level.unwrap_or(0);
    let max = m.max_level.unwrap_or(0);
    let name = capitalise(id);
    let hid = format!("model-{}", slug(id));
    let _ = write!(
        o,
        "<article class=\"model\" id=\"{hid}\" aria-labelledby=\"{hid}-h\">\n<h3 id=\"{hid}-h\">{} <span class=\"badge reached\">level {level}/{max}</span></h3>\n<p class=\"muted\">{}{}</p>\n",
        esc(&m.title),
        esc(m.level_name.as_deref().unwrap_or("")),
        m.level_with_waivers
            .filter(|w| *w != level)
            .map(|w| format!(" · level {w} with waivers"))
            .unwrap_or_default()
    );
    o.push_str(&ladder_svg(id, m));
    let _ = writeln!(
        o,
        "<ol class=\"levels\" aria-label=\"{} levels\">",
        esc(&name)
    );
    for l in &m.levels {
        let (class, status) = if l.met {
            ("reached", "reached")
        } else if l.level == level + 1 {
            ("blocked", "next")
        } else {
            ("above", "not reached")
        };
        let _ = writeln!(
            o,
            "<li><span class=\"badge {class}\">L{} {status}</span> {} <span class=\"muted\">({} of its practices)</span></li>",
            l.level,
            esc(&l.name),
            pct(l.coverage)
        );
    }
    o.push_str("</ol>\n");
    match m.levels.iter().find(|l| l.level == level + 1) {
        Some(next) => {
            let _ = writeln!(
                o,
                "<h4>What blocks level {} ({})</h4>\n<ul class=\"blockers\">",
                next.level,
                esc(&next.name)
            );
            for p in next.required.iter().filter(|p| !p.met) {
                let _ = writeln!(
                    o,
                    "<li><span class=\"badge error\">missing</span> <strong>{}</strong>{}<br>{}<br><span class=\"muted\">satisfied by: {}</span></li>",
                    esc(&p.title),
                    if p.waived.is_some() {
                        " <span class=\"badge above\">waived</span>"
                    } else {
                        ""
                    },
                    esc(p.remediation.trim()),
                    esc(&p.satisfied_by.join(" | "))
                );
            }
            for p in next.required.iter().filter(|p| p.met) {
                let _ = writeln!(
                    o,
                    "<li><span class=\"badge reached\">present</span> {} <code>{}</code></li>",
                    esc(&p.title),
                    esc(p.evidence.as_deref().unwrap_or(""))
                );
            }
            o.push_str("</ul>\n");
            let missing: Vec<String> = next
                .expected
                .iter()
                .filter(|p| !p.met)
                .map(|p| esc(&p.title))
                .collect();
            if !missing.is_empty() {
                let _ = writeln!(
                    o,
                    "<p><span class=\"badge blocked\">expected, missing</span> {}</p>",
                    missing.join("; ")
                );
            }
        }
        None => {
            o.push_str("<p><span class=\"badge reached\">top level</span> Every level of this model is reached.</p>\n");
        }
    }
    o.push_str("</article>\n");
}

fn slug(s: &str) -> String {
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

/// A staircase: one step per level, reached steps filled, the next one outlined.
fn ladder_svg(id: &str, m: &ModelResult) -> String {
    let level = m.level.unwrap_or(0);
    let max = m.max_level.unwrap_or(0);
    let n = m.levels.len().max(1) as u32;
    let (w, step_h, base_h, gap) = (64u32, 18u32, 34u32, 4u32);
    let width = n * w;
    let height = base_h + step_h * (n - 1) + 22;
    let sid = format!("ladder-{}", slug(id));
    let label = format!(
        "{} level {level} of {max}: levels 0 to {level} reached{}",
        capitalise(id),
        if level < max {
            format!(", level {} is next", level + 1)
        } else {
            String::new()
        }
    );
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart ladder-chart\" id=\"{sid}\" role=\"img\" aria-labelledby=\"{sid}-t\" viewBox=\"0 0 {width} {height}\" style=\"max-width:{}rem\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"{sid}-t\">{}</title>\n",
        n * 4,
        esc(&label)
    );
    for (i, l) in m.levels.iter().enumerate() {
        let i = i as u32;
        let h = base_h + step_h * i;
        let x = i * w;
        let y = height - 20 - h;
        let (fill, stroke, text, dash, state) = if l.met {
            ("#2b7a3d", "#1d5a2c", "#ffffff", "", "reached")
        } else if l.level == level + 1 {
            (
                "#fff3bf",
                "#8a6100",
                "#3d2900",
                " stroke-dasharray=\"5 3\"",
                "next",
            )
        } else {
            ("#f1f3f5", "#868e96", "#343a40", "", "not reached")
        };
        let _ = writeln!(
            s,
            "<rect class=\"step {}\" x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{h}\" rx=\"3\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}><title>Level {}: {} ({state})</title></rect>",
            state.replace(' ', "-"),
            x + gap / 2,
            w - gap,
            l.level,
            esc(&l.name)
        );
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"700\" fill=\"{text}\" font-family=\"system-ui,sans-serif\">L{}</text>",
            x + w / 2,
            y + 21,
            l.level
        );
        let mark = if l.met {
            "✓"
        } else if l.level == level + 1 {
            "next"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#1b1f24\" font-family=\"system-ui,sans-serif\">{mark}</text>",
            x + w / 2,
            height - 5
        );
    }
    s.push_str("</svg>\n");
    s
}

/// GigaOm's five categories as horizontal bars (band 0-4; none when not observable), with the
/// same numbers as a table.
fn gigaom(o: &mut String, id: &str, m: &ModelResult) {
    let Some(cats) = &m.categories else { return };
    let sid = format!("{}-chart", slug(id));
    let _ = writeln!(
        o,
        "<section id=\"{}\" aria-labelledby=\"{sid}-h\">\n<h2 id=\"{sid}-h\">{} categories <span class=\"muted\">(indicative, derived by ripen)</span></h2>",
        slug(id),
        esc(&capitalise(id))
    );
    if let Some(n) = &m.note {
        let _ = writeln!(o, "<p class=\"muted\">{}</p>", esc(n.trim()));
    }
    // Categories in the model's order of appearance in the catalogue.
    let order: Vec<(&str, &crate::levels::CategoryResult)> = Category::ALL
        .iter()
        .filter_map(|c| cats.get(c.id()).map(|v| (c.id(), v)))
        .chain(
            cats.iter()
                .filter(|(k, _)| !Category::ALL.iter().any(|c| c.id() == k.as_str()))
                .map(|(k, v)| (k.as_str(), v)),
        )
        .collect();
    let (label_w, bar_w, row_h, top) = (118u32, 232u32, 34u32, 8u32);
    let width = label_w + bar_w + 50;
    let height = top + row_h * order.len() as u32 + 28;
    let summary: Vec<String> = order
        .iter()
        .map(|(_, v)| match v.band {
            Some(b) => format!("{} {b} of 4", v.title),
            None => format!("{} not observable", v.title),
        })
        .collect();
    let _ = writeln!(
        o,
        "<svg class=\"chart gigaom-chart\" id=\"{sid}\" role=\"img\" aria-labelledby=\"{sid}-t\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui,sans-serif\">\n<title id=\"{sid}-t\">GigaOm categories, indicative bands derived by ripen (0 to 4): {}</title>",
        esc(&summary.join(", "))
    );
    // Grid lines and band ticks.
    for b in 0..=4u32 {
        let x = label_w + bar_w * b / 4;
        let _ = writeln!(
            o,
            "<line x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{}\" stroke=\"#c9d1d9\" stroke-width=\"1\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#4d5761\">{b}</text>",
            height - 24,
            height - 8
        );
    }
    for (i, (_, v)) in order.iter().enumerate() {
        let y = top + row_h * i as u32;
        let _ = writeln!(
            o,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"14\" fill=\"#1b1f24\">{}</text>",
            label_w - 8,
            y + 21,
            esc(&v.title)
        );
        match v.band {
            Some(b) => {
                let w = (bar_w * b / 4).max(3);
                let _ = writeln!(
                    o,
                    "<rect class=\"bar\" x=\"{label_w}\" y=\"{}\" width=\"{w}\" height=\"22\" rx=\"2\" fill=\"#0b5cab\"><title>{}: band {b} of 4</title></rect><text x=\"{}\" y=\"{}\" font-size=\"14\" font-weight=\"700\" fill=\"#1b1f24\">{b}/4</text>",
                    y + 5,
                    esc(&v.title),
                    label_w + w + 6,
                    y + 21
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "<rect class=\"bar unobservable\" x=\"{label_w}\" y=\"{}\" width=\"{bar_w}\" height=\"22\" fill=\"none\" stroke=\"#868e96\" stroke-dasharray=\"4 3\"><title>{}: not observable in a repository</title></rect><text x=\"{}\" y=\"{}\" font-size=\"13\" font-style=\"italic\" fill=\"#4d5761\">not observable</text>",
                    y + 5,
                    esc(&v.title),
                    label_w + 8,
                    y + 21
                );
            }
        }
    }
    o.push_str("</svg>\n");
    o.push_str("<div class=\"table-wrap\"><table class=\"gigaom-table\">\n<caption>The chart's numbers: band 0-4 (indicative, derived by ripen), share of the category's observable capabilities implemented and automated</caption>\n<thead><tr><th scope=\"col\">Category</th><th scope=\"col\">Band</th><th scope=\"col\">Implemented</th><th scope=\"col\">Automated</th></tr></thead>\n<tbody>\n");
    for (_, v) in &order {
        let _ = writeln!(
            o,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&v.title),
            v.band
                .map(|b| format!("{b}/4"))
                .unwrap_or_else(|| "not observable".into()),
            pct(v.implemented_share),
            pct(v.automated_share)
        );
    }
    o.push_str("</tbody></table></div>\n</section>\n");
}

/// Every practice missing up to each model's target (or next level), with where and how.
fn gap_checklist(o: &mut String, r: &Report) {
    o.push_str(
        "<section id=\"gaps\" aria-labelledby=\"gaps-h\">\n<h2 id=\"gaps-h\">Gap checklist</h2>\n",
    );
    let gaps = render::gaps(r);
    if gaps.is_empty() {
        o.push_str(
            "<p>Nothing to do: every staged model is at its target or at its top level.</p>\n",
        );
    } else {
        o.push_str("<p class=\"muted\">The practices missing between each model's level and its target (the <code>--fail-under</code> target, else the next level). Tick them off as you go; the page does not remember.</p>\n<ul class=\"checklist\">\n");
        for (i, g) in gaps.iter().enumerate() {
            let (class, sev) = match (g.severity, g.required) {
                (Severity::Error, _) => ("error", "required, target not met"),
                (_, true) if g.practice.waived.is_some() => ("above", "required, waived"),
                (_, true) => ("blocked", "required"),
                (_, false) => ("above", "expected"),
            };
            let loc = render::gap_location(r, g.practice)
                .map(|l| match l.line {
                    Some(n) => format!("{}:{n}", l.path),
                    None => l.path,
                })
                .map(|l| format!("<br>where: <code>{}</code>", esc(&l)))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "<li><input type=\"checkbox\" id=\"gap-{i}\"> <label for=\"gap-{i}\">{}</label> <span class=\"badge {class}\">{sev}</span>\n<div class=\"detail\">{}{loc}<br><span class=\"muted\">satisfied by: {}</span></div></li>",
                esc(&render::gap_headline(g)),
                esc(g.practice.remediation.trim()),
                esc(&g.practice.satisfied_by.join(" | "))
            );
        }
        o.push_str("</ul>\n");
    }
    o.push_str("</section>\n");
}

const TIERS: [Tier; 4] = [
    Tier::None,
    Tier::Mentioned,
    Tier::Implemented,
    Tier::Automated,
];
/// Evidence records shown per capability (the rest are counted).
const EVIDENCE_SHOWN: usize = 10;

/// Capability × tier, grouped by GigaOm category, with the evidence and chains.
fn matrix(o: &mut String, r: &Report) {
    o.push_str("<section id=\"matrix\" aria-labelledby=\"matrix-h\">\n<h2 id=\"matrix-h\">Capability matrix</h2>\n<p class=\"muted\">The best tier of evidence for each capability: <span class=\"badge tier-mentioned\">mentioned</span> (docs, a declared dependency), <span class=\"badge tier-implemented\">implemented</span> (the tool is used or configured), <span class=\"badge tier-automated\">automated</span> (reached from a CI trigger, schedule or orchestrator, with the chain).</p>\n<div class=\"table-wrap\"><table class=\"matrix\">\n<caption>Capabilities by tier, with evidence (path:line, rule)</caption>\n<thead><tr><th scope=\"col\">Capability</th>");
    for t in TIERS {
        let _ = write!(o, "<th scope=\"col\">{}</th>", t.label());
    }
    o.push_str("<th scope=\"col\">Evidence</th></tr></thead>\n");
    let mut cats: Vec<Category> = Category::ALL.to_vec();
    for c in &r.capabilities {
        if !cats.contains(&c.category) {
            cats.push(c.category);
        }
    }
    for cat in cats {
        let rows: Vec<&CapabilityResult> = r
            .capabilities
            .iter()
            .filter(|c| c.category == cat)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            o,
            "<tbody>\n<tr><th scope=\"rowgroup\" colspan=\"6\">{}</th></tr>",
            esc(&capitalise(cat.id()))
        );
        for c in rows {
            matrix_row(o, c);
        }
        o.push_str("</tbody>\n");
    }
    o.push_str("</table></div>\n</section>\n");
}

fn matrix_row(o: &mut String, c: &CapabilityResult) {
    let _ = write!(
        o,
        "<tr id=\"cap-{}\"><th scope=\"row\">{}<br><code class=\"muted\">{}</code></th>",
        slug(&c.id),
        esc(&c.title),
        esc(&c.id)
    );
    if c.state == State::NotObservable {
        o.push_str(
            "<td class=\"tier tier-none\" colspan=\"4\">not observable in a repository</td>",
        );
    } else {
        for t in TIERS {
            if t == c.tier {
                let _ = write!(
                    o,
                    "<td class=\"tier {}\">● {}</td>",
                    tier_class(t),
                    t.label()
                );
            } else if t < c.tier && t > Tier::None {
                // Reached on the way to the best tier: a lighter mark.
                o.push_str("<td class=\"tier\"><span class=\"muted\" title=\"below the best tier\">✓</span></td>");
            } else {
                o.push_str("<td class=\"tier\"></td>");
            }
        }
    }
    o.push_str("<td class=\"ev\">");
    if let Some(a) = &c.attested {
        let _ = write!(
            o,
            "<p><span class=\"badge tier-implemented\">attested</span> {} {}</p>",
            esc(&a.reason),
            a.link
                .as_deref()
                .map(|l| link(Some(l), l))
                .unwrap_or_default()
        );
    }
    if c.evidence.is_empty() {
        if c.state == State::NoEvidence && c.attested.is_none() {
            o.push_str("<span class=\"muted\">no evidence</span>");
        }
    } else {
        let _ = write!(
            o,
            "<details><summary>{} record{}: <code>{}</code></summary><ul>",
            c.evidence_total,
            if c.evidence_total == 1 { "" } else { "s" },
            esc(&location(&c.evidence[0]))
        );
        for e in c.evidence.iter().take(EVIDENCE_SHOWN) {
            let _ = write!(
                o,
                "<li><code>{}</code> <span class=\"badge {}\">{}</span> <span class=\"muted\">{}</span>",
                esc(&location(e)),
                tier_class(e.tier),
                e.tier.label(),
                esc(&e.rule)
            );
            if e.tier == Tier::Automated && !e.chain.is_empty() {
                let _ = write!(
                    o,
                    "<span class=\"chain\">chain: <code>{}</code></span>",
                    esc(&chain_text(&e.chain))
                );
            }
            if let Some(n) = &e.note {
                let _ = write!(o, "<span class=\"chain\">{}</span>", esc(n));
            }
            if let Some(s) = &e.snippet {
                let _ = write!(o, "<code class=\"snippet\">{}</code>", esc(s));
            }
            o.push_str("</li>");
        }
        if c.evidence_total > EVIDENCE_SHOWN.min(c.evidence.len()) {
            let _ = write!(
                o,
                "<li class=\"muted\">+{} more (see <code>--format json</code>)</li>",
                c.evidence_total - EVIDENCE_SHOWN.min(c.evidence.len())
            );
        }
        o.push_str("</ul></details>");
    }
    o.push_str("</td></tr>\n");
}

/// Binaries, history facts, waivers, unresolved commands and warnings, when there are any.
fn extras(o: &mut String, r: &Report) {
    let mut items = Vec::new();
    for a in r.committed_artifacts.iter().take(20) {
        items.push(format!(
            "Model binary in the tree: <code>{}</code> ({} KiB)",
            esc(&a.path),
            a.size / 1024
        ));
    }
    if let Some(h) = &r.history {
        if let Some(t) = &h.last_training_change {
            items.push(format!(
                "Training pipeline last changed {}{} days ago: <code>{}</code> {} <code>{}</code> {}",
                if t.at_least { "at least " } else { "" },
                t.days_ago,
                esc(t.commit.get(..8).unwrap_or(&t.commit)),
                esc(t.date.get(..10).unwrap_or("")),
                esc(&t.path),
                esc(&t.summary)
            ));
        }
        for b in h.binaries_in_history.iter().take(20) {
            items.push(format!(
                "Binary committed in history: <code>{}</code> ({} KiB) in <code>{}</code>{}",
                esc(&b.path),
                b.size / 1024,
                esc(b.commit.get(..8).unwrap_or(&b.commit)),
                if b.in_head { "" } else { ", since removed" }
            ));
        }
        for n in &h.notes {
            items.push(esc(n));
        }
    }
    for w in &r.waivers {
        items.push(format!(
            "Waiver for <code>{}</code> until {} ({:?}): {}",
            esc(&w.capability),
            esc(&w.expires.to_string()),
            w.status,
            esc(&w.reason)
        ));
    }
    for u in r.automation.unresolved.iter().take(20) {
        items.push(format!(
            "Command ripen could not resolve: <code>{}:{}</code> <code>{}</code>",
            esc(&u.path),
            u.line,
            esc(&u.command)
        ));
    }
    for w in r.warnings.iter().take(50) {
        items.push(format!("Warning: {}", esc(w)));
    }
    if items.is_empty() {
        return;
    }
    o.push_str(
        "<section id=\"notes\" aria-labelledby=\"notes-h\">\n<h2 id=\"notes-h\">Notes</h2>\n<ul>\n",
    );
    for i in items {
        let _ = writeln!(o, "<li>{i}</li>");
    }
    o.push_str("</ul>\n</section>\n");
}

/// `ripen history --format html`: the staged models' levels over commits as a step chart, and
/// the commits as a table.
pub fn history(h: &History) -> String {
    let mut o = String::new();
    head(
        &mut o,
        &format!("ripen: MLOps maturity over time, {}", h.root),
    );
    let _ = writeln!(
        o,
        "<header>\n<h1>MLOps maturity over time: <code>{}</code></h1>\n<p class=\"muted\">ripen {} · {} commits{}</p>\n</header>\n<main>",
        esc(&h.root),
        esc(h.tool.version),
        h.commits.len(),
        match (h.commits.first(), h.commits.last()) {
            (Some(a), Some(b)) => format!(
                ", {} to {}",
                esc(a.commit.date.get(..10).unwrap_or("")),
                esc(b.commit.date.get(..10).unwrap_or(""))
            ),
            _ => String::new(),
        }
    );
    for w in &h.warnings {
        let _ = writeln!(o, "<p class=\"note\">{}</p>", esc(w));
    }
    let staged: Vec<(String, u32)> = h
        .commits
        .last()
        .map(|p| {
            p.models
                .iter()
                .filter(|(_, m)| m.level.is_some())
                .map(|(id, m)| (id.clone(), m.max_level.unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    o.push_str("<section id=\"timeline\" aria-labelledby=\"timeline-h\">\n<h2 id=\"timeline-h\">Levels over commits</h2>\n");
    if h.commits.is_empty() {
        o.push_str("<p>No commits.</p>\n");
    } else {
        o.push_str(&history_svg(h, &staged));
    }
    o.push_str("</section>\n");

    // Table: every commit where a level changed (and the first), then all commits.
    let changes: Vec<usize> = {
        let mut v: Vec<usize> = crate::history::transitions(h)
            .iter()
            .map(|t| t.index)
            .collect();
        if !h.commits.is_empty() {
            v.push(0);
        }
        v.sort_unstable();
        v.dedup();
        v
    };
    let table = |o: &mut String, idx: &mut dyn Iterator<Item = usize>, caption: &str| {
        let _ = write!(
            o,
            "<div class=\"table-wrap\"><table class=\"history-table\">\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">Commit</th><th scope=\"col\">Date</th>",
            esc(caption)
        );
        for (id, _) in &staged {
            let _ = write!(o, "<th scope=\"col\">{}</th>", esc(&capitalise(id)));
        }
        o.push_str("<th scope=\"col\">Summary</th></tr></thead>\n<tbody>\n");
        for i in idx {
            let p = &h.commits[i];
            let _ = write!(
                o,
                "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td>",
                esc(p.commit.short()),
                esc(p.commit.date.get(..10).unwrap_or(""))
            );
            for (id, max) in &staged {
                let _ = write!(
                    o,
                    "<td>{}</td>",
                    p.level(id)
                        .map(|l| format!("{l}/{max}"))
                        .unwrap_or_else(|| "–".into())
                );
            }
            let _ = writeln!(o, "<td>{}</td></tr>", esc(&p.commit.summary));
        }
        o.push_str("</tbody></table></div>\n");
    };
    o.push_str("<section id=\"changes\" aria-labelledby=\"changes-h\">\n<h2 id=\"changes-h\">When levels changed</h2>\n");
    table(
        &mut o,
        &mut changes.iter().copied(),
        "The first commit and every commit where a level was reached or lost",
    );
    o.push_str("<details><summary>Every commit</summary>\n");
    table(
        &mut o,
        &mut (0..h.commits.len()),
        "Every examined commit, oldest first",
    );
    o.push_str("</details>\n</section>\n");
    let _ = writeln!(
        o,
        "</main>\n<footer><p>Generated by ripen {} from git history ({} blobs scanned for {} file visits).</p></footer>\n</body>\n</html>",
        esc(h.tool.version),
        h.stats.cache.blobs_scanned,
        h.stats.file_visits
    );
    o
}

/// A step chart of each staged model's level (y, 0 to the highest max level) per commit (x,
/// oldest to newest). Lines differ in colour, dash pattern and marker shape.
fn history_svg(h: &History, staged: &[(String, u32)]) -> String {
    let n = h.commits.len();
    let ymax = staged.iter().map(|(_, m)| *m).max().unwrap_or(1).max(1);
    let (left, right, top, row, bottom) = (44u32, 96u32, 34u32, 44u32, 104u32);
    // The plot is always as wide; commits share it evenly.
    let plot_w = 560u32;
    let step = if n <= 1 {
        0.0
    } else {
        plot_w as f64 / (n - 1) as f64
    };
    let width = left + 20 + plot_w + right;
    let plot_h = row * ymax;
    let height = top + plot_h + bottom;
    let x = |i: usize| ((left + 20) as f64 + step * i as f64).round() as u32;
    let y = |l: u32| top + plot_h - row * l;
    const STYLES: [(&str, &str, &str); 3] = [
        ("#0b5cab", "", "circle"),
        ("#b4380b", " stroke-dasharray=\"7 4\"", "square"),
        ("#2b7a3d", " stroke-dasharray=\"2 3\"", "diamond"),
    ];
    let now: Vec<String> = staged
        .iter()
        .map(|(id, max)| {
            format!(
                "{} {}/{max}",
                capitalise(id),
                h.commits
                    .last()
                    .and_then(|p| p.level(id))
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "–".into())
            )
        })
        .collect();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"chart history-chart\" id=\"history-chart\" role=\"img\" aria-labelledby=\"history-chart-t\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui,sans-serif\">\n<title id=\"history-chart-t\">Levels at each of {n} commits, oldest to newest; now {}. The table below lists every change.</title>",
        esc(&now.join(", "))
    );
    // Legend.
    for (k, (id, _)) in staged.iter().enumerate() {
        let (color, dash, _) = STYLES[k % STYLES.len()];
        let lx = left + 150 * k as u32;
        let _ = writeln!(
            s,
            "<line x1=\"{lx}\" y1=\"14\" x2=\"{}\" y2=\"14\" stroke=\"{color}\" stroke-width=\"3\"{dash}/><text x=\"{}\" y=\"19\" font-size=\"14\" fill=\"#1b1f24\">{}</text>",
            lx + 28,
            lx + 34,
            esc(&capitalise(id))
        );
    }
    // Level grid.
    for l in 0..=ymax {
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#d0d7de\"/><text x=\"{2}\" y=\"{3}\" text-anchor=\"end\" font-size=\"13\" fill=\"#4d5761\">L{l}</text>",
            y(l),
            width - right + 20,
            left - 6,
            y(l) + 4
        );
    }
    // Steps: one path per model, broken where a commit has no level.
    for (k, (id, _)) in staged.iter().enumerate() {
        let (color, dash, marker) = STYLES[k % STYLES.len()];
        // Models are offset a little so that equal levels stay distinguishable.
        let off = k as i64 * 3 - (staged.len() as i64 - 1) * 3 / 2;
        let yy = |l: u32| (y(l) as i64 + off).to_string();
        let mut d = String::new();
        let mut prev: Option<u32> = None;
        for (i, p) in h.commits.iter().enumerate() {
            match (prev, p.level(id)) {
                (None, Some(l)) => {
                    let _ = write!(d, "M{} {} ", x(i), yy(l));
                }
                (Some(a), Some(l)) => {
                    let _ = write!(d, "H{} ", x(i));
                    if a != l {
                        let _ = write!(d, "V{} ", yy(l));
                    }
                }
                _ => {}
            }
            prev = p.level(id);
        }
        if prev.is_some() && n > 0 {
            let _ = write!(d, "H{}", x(n - 1) + 12);
        }
        let _ = writeln!(
            s,
            "<path class=\"series\" data-model=\"{}\" d=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"3\"{dash}><title>{}</title></path>",
            esc(id),
            d.trim(),
            esc(&capitalise(id))
        );
        // Markers at commits where this model's level changed (and the first).
        for (i, p) in h.commits.iter().enumerate() {
            let Some(l) = p.level(id) else { continue };
            if i > 0 && h.commits[i - 1].level(id) == Some(l) {
                continue;
            }
            let (cx, cy) = (x(i), y(l) as i64 + off);
            let tip = format!(
                "{} {} at {} {}",
                capitalise(id),
                l,
                p.commit.short(),
                p.commit.date.get(..10).unwrap_or("")
            );
            let shape = match marker {
                "circle" => format!("<circle cx=\"{cx}\" cy=\"{cy}\" r=\"5\" fill=\"{color}\""),
                "square" => format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{color}\"",
                    cx - 5,
                    cy - 5
                ),
                _ => format!(
                    "<path d=\"M{cx} {} l6 6 l-6 6 l-6 -6 z\" fill=\"{color}\"",
                    cy - 6
                ),
            };
            let _ = writeln!(s, "{shape}><title>{}</title></{}>", esc(&tip), {
                match marker {
                    "circle" => "circle",
                    "square" => "rect",
                    _ => "path",
                }
            });
        }
    }
    // Commit labels: the first, the last and the commits where a level changed, rotated.
    let mut labelled: Vec<usize> = crate::history::transitions(h)
        .iter()
        .map(|t| t.index)
        .collect();
    labelled.push(0);
    labelled.push(n - 1);
    labelled.sort_unstable();
    labelled.dedup();
    let mut last_x: Option<u32> = None;
    for i in labelled {
        let lx = x(i);
        if last_x.is_some_and(|p| lx < p + 16) && i != n - 1 {
            continue;
        }
        last_x = Some(lx);
        let p = &h.commits[i];
        let ly = top + plot_h + 12;
        let _ = writeln!(
            s,
            "<line x1=\"{lx}\" y1=\"{}\" x2=\"{lx}\" y2=\"{}\" stroke=\"#868e96\"/><text transform=\"translate({} {ly}) rotate(45)\" font-size=\"11\" fill=\"#1b1f24\"><tspan font-family=\"ui-monospace,monospace\">{}</tspan> {}</text>",
            top + plot_h,
            top + plot_h + 5,
            lx - 2,
            esc(p.commit.short()),
            esc(p.commit.date.get(..10).unwrap_or(""))
        );
    }
    s.push_str("</svg>\n");
    s
}
