//! The HTML report (`--format html`), the history timeline (`ripen history --format html`) and
//! the badges (`ripen badge`).
//!
//! Without a browser: escaping of everything from the scanned repository (a hostile report must
//! not produce a single tag of its own), self-containment (nothing loaded from elsewhere), the
//! SVG charts well-formed, the badge SVG and the shields.io endpoint JSON.
//!
//! In a real browser: headless Chromium (Debian's `chromium`, installed by `.ci/run`) loads
//! each page with no console error, dumps the DOM with the charts in it, and a copy of the page
//! with a probe script measures that every chart is laid out with visible shapes and that the
//! page does not overflow a 375px-wide phone viewport (inside an iframe: headless Chromium's
//! window is at least 500px wide). Screenshots at 375px and 1280px go to a temporary
//! directory, never the repository (`RIPEN_SCREENSHOTS=DIR` keeps them for a look). Without
//! Chromium the browser tests are skipped with a message, unless `CI` or `RIPEN_REQUIRE_BROWSER`
//! (set by `.ci/run`) is set: then they fail.

mod common;
use assert_cmd::Command;
use common::ripen;
use ripen::model::Outcome;
use ripen::render::{self, Format};
use ripen::{Catalogue, Report, ScanOptions};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const HOSTILE: &str = "<script>console.error('PWNED-1')</script><img src=x onerror=\"console.error('PWNED-2')\">\"'&amp;</code></td></table><svg onload=alert(1)>";

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| Catalogue::load(&[]).expect("built-in rules load"))
}

fn report(fixture: &str) -> Report {
    ripen::scan(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(fixture),
        catalogue(),
        &ScanOptions::default(),
    )
    .expect("scan")
}

/// A report whose every repository-supplied string is an injection attempt.
fn hostile_report() -> Report {
    let mut r = report("full-level4");
    r.root = format!("repo{HOSTILE}");
    for c in &mut r.capabilities {
        for e in &mut c.evidence {
            e.snippet = Some(HOSTILE.into());
            e.path = format!("src/{HOSTILE}.py");
            e.rule = format!("rule{HOSTILE}");
            e.note = Some(HOSTILE.into());
            for h in &mut e.chain {
                h.via = HOSTILE.into();
                h.path = format!("{HOSTILE}.yml");
            }
        }
    }
    for m in r.models.values_mut() {
        m.source = Some("javascript:alert(1)".into());
        m.note = Some(HOSTILE.into());
        match &mut m.outcome {
            Outcome::Staged(s) => {
                for l in &mut s.levels {
                    l.name = HOSTILE.into();
                    for p in l.required.iter_mut().chain(l.expected.iter_mut()) {
                        p.title = HOSTILE.into();
                        p.remediation = HOSTILE.into();
                        p.met = false;
                    }
                }
            }
            Outcome::Categories(cats) => {
                for c in cats.by_id.values_mut() {
                    c.title = HOSTILE.into();
                }
            }
        }
    }
    // Lower the levels so that the gap checklist and blockers are rendered too.
    for id in ["google", "azure"] {
        if let Some(Outcome::Staged(s)) = r.models.get_mut(id).map(|m| &mut m.outcome) {
            s.level = 0;
            for l in &mut s.levels {
                l.met = l.level == 0;
            }
        }
    }
    r.warnings.push(HOSTILE.into());
    r
}

/// The element names the renderer itself writes; anything else came from outside.
const TAGS: &[&str] = &[
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "main", "footer",
    "nav", "section", "article", "h1", "h2", "h3", "h4", "p", "a", "code", "span", "strong", "br",
    "ol", "ul", "li", "div", "table", "caption", "thead", "tbody", "tr", "th", "td", "details",
    "summary", "input", "label", "svg", "rect", "text", "tspan", "line", "path", "circle", "g",
];

/// Every `<` starts one of the renderer's own tags, with no event-handler attribute.
fn assert_only_own_tags(html: &str) {
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        assert!(
            TAGS.contains(&name.as_str()),
            "unexpected tag <{name} at {i}: {}",
            &html[i..(i + 80).min(html.len())]
        );
        let tag_end = rest.find('>').expect("tag closes");
        let tag = &rest[..tag_end].to_ascii_lowercase();
        // Inside a tag, quotes are balanced and no attribute is an event handler.
        let outside_quotes: String = tag
            .split('"')
            .enumerate()
            .filter(|(k, _)| k % 2 == 0)
            .map(|(_, s)| s)
            .collect();
        assert!(!outside_quotes.contains(" on"), "event handler in <{tag}>");
        assert_eq!(tag.matches('"').count() % 2, 0, "quotes in <{tag}>");
    }
}

/// Nothing is fetched from elsewhere: no scripts, style sheets, images, frames or objects, no
/// `src=`, no CSS `url(` or `@import`; only `<a href>` may point outside (model docs). Only the
/// page's real tags are examined (escaped text from the repository may say anything).
fn assert_self_contained(html: &str) {
    for (i, _) in html.match_indices('<') {
        let end = i + html[i..].find('>').expect("tag closes");
        let tag = html[i + 1..end].to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            ![
                "script", "link", "img", "iframe", "object", "embed", "video", "audio", "image",
                "use", "base"
            ]
            .contains(&name.as_str()),
            "<{tag}> in the page"
        );
        assert!(!tag.contains(" src="), "src in <{tag}>");
        if tag.contains("href=") {
            assert!(name == "a", "href outside <a>: <{tag}>");
            assert!(
                tag.contains("href=\"#")
                    || tag.contains("href=\"https://")
                    || tag.contains("href=\"http://"),
                "link that is neither local nor http(s): <{tag}>"
            );
        }
    }
    let style_start = html.find("<style>").expect("inline style");
    let style = &html[style_start..style_start + html[style_start..].find("</style>").unwrap()];
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "CSS fetches"
    );
    let lower = html.to_ascii_lowercase();
    assert!(lower.contains("http-equiv=\"content-security-policy\" content=\"default-src 'none'"));
    assert!(lower.contains("<meta name=\"viewport\" content=\"width=device-width"));
    assert!(lower.contains("<html lang=\"en\">"));
    assert!(lower.contains("<title>"));
}

/// A small XML well-formedness check for the SVG fragments: tags balance, attributes are quoted,
/// only the five XML entities.
fn assert_well_formed_xml(s: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(['<', '&']) {
        assert!(!rest[..i].contains('>'), "stray > in text: {}", &rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('&') {
            let end = rest.find(';').expect("entity ends");
            let ent = &rest[1..end];
            assert!(
                ["amp", "lt", "gt", "quot", "#39", "apos"].contains(&ent),
                "entity &{ent};"
            );
            rest = &rest[end + 1..];
            continue;
        }
        let end = rest.find('>').expect("tag ends");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "closing </{name}>"
            );
            continue;
        }
        assert_eq!(tag.matches('"').count() % 2, 0, "quotes in <{tag}>");
        if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().expect("name").to_string());
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

/// The `<svg …>…</svg>` fragments of a page.
fn svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<svg") {
        let end = rest[i..].find("</svg>").expect("svg closes") + i + 6;
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

#[test]
fn report_has_ladders_chart_matrix_and_gaps() {
    let r = report("notebook-only");
    let html = render::render(&r, Format::Html);
    assert_self_contained(&html);
    assert_only_own_tags(&html);
    for id in [
        "id=\"ladder-google\"",
        "id=\"ladder-azure\"",
        "class=\"chart gigaom-chart\"",
        "id=\"gaps\"",
        "id=\"matrix\"",
        "(indicative, derived by ripen)",
        "What blocks level 1",
        "role=\"img\"",
    ] {
        assert!(html.contains(id), "missing {id}");
    }
    // Every chart: labelled, with a title, well-formed.
    let charts = svgs(&html);
    assert_eq!(charts.len(), 3, "two ladders and the GigaOm chart");
    for s in charts {
        assert!(s.contains("role=\"img\"") && s.contains("aria-labelledby="));
        assert!(s.contains("<title id="));
        assert_well_formed_xml(s);
    }
    // Five category bars, each with its number as text (colour is not the only signal).
    assert_eq!(html.matches("<rect class=\"bar").count(), 5);
    assert!(html.contains("gigaom-table"));
    // Gaps with remediation; tiers written out.
    assert!(html.contains("Azure level 1 (DevOps but no MLOps) requires"));
    assert!(html.contains("● implemented"));
    assert!(html.contains("not observable in a repository"));
}

#[test]
fn full_level4_shows_chains_and_top_levels() {
    let html = render::render(&report("full-level4"), Format::Html);
    assert_self_contained(&html);
    assert_only_own_tags(&html);
    assert!(html.contains("level 4/4") && html.contains("level 2/2"));
    assert!(html.contains("● automated"));
    // An automation chain, escaped (→ between hops, quotes as entities).
    assert!(html.contains("chain: <code>.github/workflows/"));
    assert!(html.contains("schedule &quot;0 3 * * 1&quot;"));
}

#[test]
fn hostile_text_is_escaped_and_never_becomes_a_tag() {
    let html = render::render(&hostile_report(), Format::Html);
    assert_self_contained(&html);
    assert_only_own_tags(&html);
    assert!(html.contains("&lt;script&gt;console.error(&#39;PWNED-1&#39;)&lt;/script&gt;"));
    assert!(!html.contains("javascript:"), "no javascript: link");
    for s in svgs(&html) {
        assert_well_formed_xml(s);
    }
}

#[test]
fn cli_writes_html_with_format_and_report_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.html");
    let out = ripen()
        .args([
            "scan",
            "fixtures/dvc-mlflow",
            "--format",
            "html",
            "--report-file",
        ])
        .arg(format!("html={}", file.display()))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let html = String::from_utf8(out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), html);
}

#[test]
fn badge_svg_and_shields_json() {
    let out = ripen()
        .args(["badge", "fixtures/full-level4", "--model", "azure"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let svg = String::from_utf8(out).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("aria-label=\"mlops azure: level 4/4\""));
    assert!(svg.contains("<title>mlops azure: level 4/4</title>"));
    assert_well_formed_xml(&svg);

    let out = ripen()
        .args([
            "badge",
            "fixtures/notebook-only",
            "--model",
            "google",
            "--format",
            "shields",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"schemaVersion": 1, "label": "mlops google", "message": "level 0/2", "color": "red"})
    );

    ripen()
        .args(["badge", "fixtures/notebook-only", "--model", "gigaom"])
        .assert()
        .code(2);
}

// ---------------------------------------------------------------------------------------------
// History

/// A repository whose levels rise: a notebook, then the full level-4 project, then a commit
/// with a hostile message.
fn history_repo() -> (tempfile::TempDir, PathBuf) {
    use git2::{IndexAddOption, Repository, Signature, Time};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("proj");
    std::fs::create_dir(&path).unwrap();
    let repo = Repository::init(&path).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut parent: Option<git2::Oid> = None;
    let steps: [(&str, String); 3] = [
        ("notebook-only", "Notebook".into()),
        ("full-level4", "Pipelines, CI, monitoring".into()),
        ("", HOSTILE.into()),
    ];
    for (k, (fixture, msg)) in steps.iter().enumerate() {
        if fixture.is_empty() {
            std::fs::write(path.join("NOTES.md"), "notes\n").unwrap();
        } else {
            copy_dir(&fixtures.join(fixture), &path);
        }
        let mut idx = repo.index().unwrap();
        idx.add_all(["*"], IndexAddOption::FORCE, None).unwrap();
        idx.write().unwrap();
        let tree = repo.find_tree(idx.write_tree().unwrap()).unwrap();
        let sig = Signature::new(
            "T",
            "t@example.com",
            &Time::new(1_700_000_000 + 86_400 * k as i64, 0),
        )
        .unwrap();
        let parents: Vec<git2::Commit> = parent
            .map(|p| repo.find_commit(p).unwrap())
            .into_iter()
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        parent = Some(
            repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &refs)
                .unwrap(),
        );
    }
    (dir, path)
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn history_html(repo: &Path) -> String {
    let out = ripen()
        .arg("history")
        .arg(repo)
        .args(["--format", "html"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn history_html_draws_a_step_chart_per_model() {
    let (_d, repo) = history_repo();
    let html = history_html(&repo);
    assert_self_contained(&html);
    assert_only_own_tags(&html);
    let charts = svgs(&html);
    assert_eq!(charts.len(), 1);
    assert_well_formed_xml(charts[0]);
    assert!(charts[0].contains("class=\"chart history-chart\""));
    assert_eq!(charts[0].matches("<path class=\"series\"").count(), 2);
    assert!(
        charts[0].contains("data-model=\"azure\"") && charts[0].contains("data-model=\"google\"")
    );
    // Dates and short ids label the commits; the table says when levels changed.
    assert!(html.contains("2023-11-14") && html.contains("2023-11-15"));
    assert!(html.contains("4/4") && html.contains("0/4"));
    assert!(html.contains("&lt;script&gt;console.error(&#39;PWNED-1&#39;)"));
}

// ---------------------------------------------------------------------------------------------
// In a browser

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RIPEN_CHROMIUM") {
        return Some(p.into());
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Chromium, or None (skip) when it is absent outside CI; in CI its absence fails the test.
fn browser() -> Option<PathBuf> {
    match chromium() {
        Some(p) => Some(p),
        None if std::env::var_os("CI").is_some()
            || std::env::var_os("RIPEN_REQUIRE_BROWSER").is_some() =>
        {
            panic!(
                "CI (or RIPEN_REQUIRE_BROWSER) is set but Chromium is missing: .ci/run installs Debian's `chromium`"
            )
        }
        None => {
            eprintln!(
                "SKIPPED: headless Chromium not found (/usr/bin/chromium); install Debian's `chromium` to run the browser tests"
            );
            None
        }
    }
}

struct Run {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium on `page` with its own empty profile and no network chatter.
fn run_chromium(bin: &Path, page: &Path, extra: &[String]) -> Run {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .timeout(Duration::from_secs(180))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Console messages (errors, uncaught exceptions, CSP refusals) Chromium logged for the page.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Refused to")
                || l.contains("Content Security Policy")
        })
        .collect()
}

/// Collects the charts' measurements from inside the page; in an iframe, reports to the parent.
const PROBE: &str = r#"<script>
(function(){
  var r = {charts: [], innerWidth: window.innerWidth, overflow: []};
  document.querySelectorAll('svg[role=img]').forEach(function(s){
    var b = s.getBoundingClientRect(), shapes = s.querySelectorAll('rect,path,circle,line'), drawn = 0;
    shapes.forEach(function(e){ var bb = e.getBBox(); if (bb.width > 0 || bb.height > 0) drawn++; });
    r.charts.push({id: s.id, cls: s.getAttribute('class'), w: b.width, h: b.height,
      right: b.right, shapes: shapes.length, drawn: drawn, title: !!s.querySelector('title')});
  });
  r.scrollWidth = document.documentElement.scrollWidth;
  // Elements sticking out of the viewport, outside the horizontally scrolling table wrappers.
  document.querySelectorAll('body *').forEach(function(e){
    if (e.closest('.table-wrap') || e.closest('svg')) return;
    var b = e.getBoundingClientRect();
    if (b.right > window.innerWidth + 1 && r.overflow.length < 5) r.overflow.push(e.tagName + '.' + e.className + ' ' + Math.round(b.right));
  });
  var target = window.parent !== window ? window.parent.document.body : document.body;
  target.setAttribute('data-probe', JSON.stringify(r));
})();
</script>"#;

/// The page with its Content-Security-Policy removed and the probe appended (tests only).
fn probed(html: &str) -> String {
    let start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let end = start + html[start..].find('>').unwrap() + 1;
    let mut s = format!("{}{}", &html[..start], &html[end..]);
    let body = s.rfind("</body>").unwrap();
    s.insert_str(body, PROBE);
    s
}

fn probe_result(dom: &str) -> serde_json::Value {
    let start = dom.find("data-probe=\"").expect("the probe ran") + "data-probe=\"".len();
    let end = start + dom[start..].find('"').unwrap();
    let raw = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&raw).expect("probe JSON")
}

/// PNG signature, width from the IHDR chunk, and a size that means something was painted.
fn check_png(path: &Path, width: u32) {
    let bytes = std::fs::read(path).expect("screenshot written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    assert_eq!(w, width, "{}", path.display());
    assert!(
        bytes.len() > 20_000,
        "{}: {} bytes",
        path.display(),
        bytes.len()
    );
}

/// Loads `html` in Chromium: no console message, the charts in the DOM, the charts drawn and the
/// page within a 375px viewport (probe), screenshots at 375px and 1280px.
fn check_in_browser(bin: &Path, name: &str, html: &str, chart_classes: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join(format!("{name}.html"));
    std::fs::write(&page, html).unwrap();

    // 1. The page as shipped (with its CSP): loads cleanly, charts in the DOM.
    let run = run_chromium(bin, &page, &["--dump-dom".into()]);
    let console = console_lines(&run.stderr);
    assert!(console.is_empty(), "{name}: console messages: {console:#?}");
    let dom = &run.stdout;
    for class in chart_classes {
        assert!(
            dom.contains(&format!("<svg class=\"chart {class}\"")),
            "{name}: no {class} in the DOM"
        );
    }
    assert!(dom.matches("<rect").count() > 0, "{name}: no <rect>");
    // Injected markup stays text: the DOM has no element the renderer did not write.
    for tag in ["<script", "<img", "<iframe"] {
        assert!(!dom.contains(tag), "{name}: {tag} element in the DOM");
    }

    // 2. The probe, in a 375px iframe (a phone) and at 1280px.
    let probe = dir.path().join(format!("{name}-probe.html"));
    std::fs::write(&probe, probed(html)).unwrap();
    let frame = dir.path().join(format!("{name}-frame.html"));
    std::fs::write(
        &frame,
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>frame</title></head><body style=\"margin:0\"><iframe title=\"report\" src=\"{name}-probe.html\" style=\"width:375px;height:3000px;border:0\"></iframe></body></html>"
        ),
    )
    .unwrap();
    for (page, width, args) in [
        (
            &frame,
            375.0,
            vec![
                "--allow-file-access-from-files".to_string(),
                "--window-size=800,3000".into(),
                "--dump-dom".into(),
            ],
        ),
        (
            &probe,
            1280.0,
            vec!["--window-size=1280,3000".into(), "--dump-dom".into()],
        ),
    ] {
        let run = run_chromium(bin, page, &args);
        let console = console_lines(&run.stderr);
        assert!(console.is_empty(), "{name} probe: {console:#?}");
        let p = probe_result(&run.stdout);
        assert_eq!(p["innerWidth"].as_f64(), Some(width), "{name}: {p}");
        let charts = p["charts"].as_array().unwrap();
        for class in chart_classes {
            let c = charts
                .iter()
                .find(|c| c["cls"].as_str().unwrap_or("").contains(class))
                .unwrap_or_else(|| panic!("{name}: {class} not measured: {p}"));
            assert!(c["w"].as_f64().unwrap() > 100.0, "{name} {class}: {c}");
            assert!(c["h"].as_f64().unwrap() > 40.0, "{name} {class}: {c}");
            assert!(
                c["right"].as_f64().unwrap() <= width + 1.0,
                "{name} {class}: {c}"
            );
            assert!(c["drawn"].as_u64().unwrap() >= 3, "{name} {class}: {c}");
            assert_eq!(c["title"], true);
        }
        assert!(
            p["scrollWidth"].as_f64().unwrap() <= width + 1.0,
            "{name} at {width}px: the page scrolls sideways: {p}"
        );
        assert!(
            p["overflow"].as_array().unwrap().is_empty(),
            "{name} at {width}px: elements wider than the screen: {p}"
        );
    }

    // 3. Screenshots, to a temporary directory (or RIPEN_SCREENSHOTS to look at them).
    let shots = std::env::var_os("RIPEN_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().to_path_buf());
    std::fs::create_dir_all(&shots).unwrap();
    for width in [375u32, 1280] {
        let png = shots.join(format!("{name}-{width}.png"));
        run_chromium(
            bin,
            &page,
            &[
                format!("--window-size={width},2400"),
                format!("--screenshot={}", png.display()),
            ],
        );
        check_png(&png, width);
    }
}

/// The harness sees what it must: a page that logs an error and throws fails the console check.
#[test]
fn browser_harness_catches_console_errors() {
    let Some(bin) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html lang=\"en\"><head><title>bad</title></head><body><script>console.error('ripen-harness-check'); missing();</script></body></html>",
    )
    .unwrap();
    let run = run_chromium(&bin, &page, &["--dump-dom".into()]);
    let console = console_lines(&run.stderr).join("\n");
    assert!(console.contains("ripen-harness-check"), "{}", run.stderr);
    assert!(console.contains("Uncaught"), "{}", run.stderr);
}

#[test]
fn browser_renders_reports() {
    let Some(bin) = browser() else { return };
    let charts = ["ladder-chart", "gigaom-chart"];
    for fixture in ["full-level4", "notebook-only"] {
        let html = render::render(&report(fixture), Format::Html);
        check_in_browser(&bin, fixture, &html, &charts);
    }
    let html = render::render(&hostile_report(), Format::Html);
    check_in_browser(&bin, "hostile", &html, &charts);
}

#[test]
fn browser_renders_history() {
    let Some(bin) = browser() else { return };
    let (_d, repo) = history_repo();
    let html = history_html(&repo);
    check_in_browser(&bin, "history", &html, &["history-chart"]);
}
