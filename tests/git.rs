//! Git-aware scanning (issue 6): history from the object database with a blob cache, diff with
//! a regression gate, scans of `file://` URLs, shallow clones, repositories owned by another
//! user, several repositories and `--as-system`, and the history facts of a scan.
//!
//! Repositories are built in temporary directories with git2, from the `full-level4` fixture in
//! stages: code only → CI → training pipeline → deployment → deployment removed. Levels are
//! checked two ways: each commit's levels from history equal a walk-based scan of the same tree
//! (git scanning changes nothing but where bytes come from), and the stages move the levels the
//! way docs/levels.md says (CI raises Azure, training raises Google, losing deployment lowers both).

mod common;
use assert_cmd::Command;
use common::{assert_exit, assert_success};
use git2::{IndexAddOption, Oid, Repository, Signature, Time};
use ripen::model::Tier;
use ripen::pipeline::history::{self, HistoryOptions};
use ripen::{Catalogue, Report, ScanOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| Catalogue::load(&[]).expect("built-in rules load"))
}

const FIXTURE: &str = "fixtures/full-level4";
/// 2024-01-01T00:00:00Z; commit i is made i days later.
const T0: i64 = 1_704_067_200;

struct TestRepo {
    _dir: tempfile::TempDir,
    path: PathBuf,
    repo: Repository,
    commits: Vec<Oid>,
}

impl TestRepo {
    fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("fraud");
        std::fs::create_dir(&path).expect("mkdir");
        let repo = Repository::init(&path).expect("git init");
        TestRepo {
            _dir: dir,
            path,
            repo,
            commits: Vec::new(),
        }
    }

    fn write(&self, rel: &str, content: &[u8]) {
        let p = self.path.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir -p");
        std::fs::write(p, content).expect("write");
    }

    /// Copies fixture files whose path starts with one of `prefixes` (all when empty).
    fn copy_fixture(&self, prefixes: &[&str]) {
        for rel in fixture_files() {
            if prefixes.is_empty() || prefixes.iter().any(|p| rel.starts_with(p)) {
                self.write(
                    &rel,
                    &std::fs::read(Path::new(FIXTURE).join(&rel)).expect("read"),
                );
            }
        }
    }

    fn remove(&self, rel: &str) {
        let p = self.path.join(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(p).expect("rm -r");
        } else {
            std::fs::remove_file(p).expect("rm");
        }
    }

    fn commit(&mut self, msg: &str) -> Oid {
        let mut idx = self.repo.index().expect("index");
        idx.add_all(["*"], IndexAddOption::FORCE, None)
            .expect("add");
        idx.update_all(["*"], None).expect("update");
        idx.write().expect("write index");
        let tree = self
            .repo
            .find_tree(idx.write_tree().expect("tree"))
            .expect("tree");
        let time = Time::new(T0 + 86_400 * self.commits.len() as i64, 0);
        let sig = Signature::new("Test", "test@example.com", &time).expect("sig");
        let parents: Vec<git2::Commit> = self
            .commits
            .last()
            .map(|o| self.repo.find_commit(*o).expect("parent"))
            .into_iter()
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        let oid = self
            .repo
            .commit(Some("HEAD"), &sig, &sig, msg, &tree, &refs)
            .expect("commit");
        self.commits.push(oid);
        oid
    }

    fn url(&self) -> String {
        format!("file://{}", self.path.display())
    }
}

fn fixture_files() -> Vec<String> {
    fn rec(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                rec(&p, base, out);
            } else {
                out.push(
                    p.strip_prefix(base)
                        .expect("under base")
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    rec(Path::new(FIXTURE), Path::new(FIXTURE), &mut out);
    out.sort();
    out
}

/// train.yml without its deploy job: training, gated, but nothing deployed.
fn train_without_deploy() -> String {
    let full = std::fs::read_to_string(Path::new(FIXTURE).join(".github/workflows/train.yml"))
        .expect("train.yml");
    full.split("\n  deploy:\n")
        .next()
        .expect("split")
        .to_string()
        + "\n"
}

/// The fixture's code, tests and packaging: the first stage of every staged history.
const CODE_ONLY: &[&str] = &[
    "src/",
    "tests/",
    "requirements",
    "pyproject.toml",
    "README.md",
    ".gitignore",
];

/// The staged repository: returns it with the commit index of each stage.
fn staged_repo() -> TestRepo {
    let mut t = TestRepo::new();
    // 0: code, tests, packaging; no CI, no pipeline, no deployment.
    t.copy_fixture(CODE_ONLY);
    t.commit("code only");
    // 1: CI on push and pull requests.
    t.copy_fixture(&[".github/workflows/ci.yml"]);
    t.commit("add CI");
    // 2: the training pipeline, submitted by a workflow (no deploy job yet).
    t.copy_fixture(&["pipelines/", "Dockerfile"]);
    t.write(
        ".github/workflows/train.yml",
        train_without_deploy().as_bytes(),
    );
    t.commit("add training pipeline");
    // 3: deployment: the full train-and-deploy workflow and the KServe manifests.
    t.copy_fixture(&[".github/workflows/train.yml", "k8s/"]);
    t.commit("deploy with a canary");
    // 4: deployment removed again.
    t.write(
        ".github/workflows/train.yml",
        train_without_deploy().as_bytes(),
    );
    t.remove("k8s");
    t.commit("remove deployment");
    t
}

fn levels(models: &std::collections::BTreeMap<String, ripen::model::ModelResult>) -> (u32, u32) {
    let l = |m: &str| models.get(m).and_then(|m| m.level()).expect("staged model");
    (l("google"), l("azure"))
}

fn tiers(r: &Report) -> Vec<(String, Tier)> {
    r.capabilities
        .iter()
        .map(|c| (c.id.clone(), c.tier))
        .collect()
}

fn ripen() -> Command {
    let mut c = common::ripen();
    c.env("RIPEN_TODAY", "2024-03-01");
    c
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

#[test]
fn history_levels_match_a_scan_of_each_commit_and_follow_the_stages() {
    let mut t = TestRepo::new();
    let mut walk_scans = Vec::new();
    // Build the stages, scanning the working tree (= the commit) after each with the walk.
    type Stage = Box<dyn Fn(&TestRepo)>;
    let stages: Vec<Stage> = vec![
        Box::new(|t| t.copy_fixture(CODE_ONLY)),
        Box::new(|t| t.copy_fixture(&[".github/workflows/ci.yml"])),
        Box::new(|t| {
            t.copy_fixture(&["pipelines/", "Dockerfile"]);
            t.write(
                ".github/workflows/train.yml",
                train_without_deploy().as_bytes(),
            );
        }),
        Box::new(|t| t.copy_fixture(&[".github/workflows/train.yml", "k8s/"])),
        Box::new(|t| {
            t.write(
                ".github/workflows/train.yml",
                train_without_deploy().as_bytes(),
            );
            t.remove("k8s");
        }),
    ];
    for (i, stage) in stages.iter().enumerate() {
        stage(&t);
        t.commit(&format!("stage {i}"));
        walk_scans.push(ripen::scan(&t.path, catalogue(), &ScanOptions::default()).expect("scan"));
    }
    let before = dir_listing(&t.path);
    let h = history::history(
        &t.path,
        catalogue(),
        &ScanOptions::default(),
        &HistoryOptions::default(),
    )
    .expect("history");
    assert_eq!(
        before,
        dir_listing(&t.path),
        "history must not touch the working tree"
    );
    assert_eq!(h.commits.len(), 5);
    for (i, (p, w)) in h.commits.iter().zip(&walk_scans).enumerate() {
        assert_eq!(p.commit.commit, t.commits[i].to_string(), "oldest first");
        assert_eq!(
            levels(&p.models),
            levels(&w.models),
            "commit {i}: history and a scan of the same tree disagree"
        );
        assert_eq!(
            p.models
                .get("gigaom")
                .map(|m| serde_json::to_value(m).expect("json")["categories"].clone()),
            w.models
                .get("gigaom")
                .map(|m| serde_json::to_value(m).expect("json")["categories"].clone()),
            "commit {i}: GigaOm bands differ"
        );
    }
    // The same trees read from git give the same capability tiers as the walk.
    for (i, oid) in t.commits.iter().enumerate() {
        let repo = ripen::source::git::open(&t.path).expect("open");
        let (r, _) = ripen::pipeline::diff::scan_rev(
            &repo,
            catalogue(),
            &ScanOptions::default(),
            &oid.to_string(),
            "x",
        )
        .expect("scan rev");
        assert_eq!(
            tiers(&r),
            tiers(&walk_scans[i]),
            "commit {i}: capability tiers differ"
        );
    }
    let lv: Vec<(u32, u32)> = h.commits.iter().map(|p| levels(&p.models)).collect();
    eprintln!("levels per commit (google, azure): {lv:?}");
    assert!(lv[1].1 > lv[0].1, "CI raises Azure: {lv:?}");
    assert!(
        lv[2].0 > lv[1].0 && lv[2].1 > lv[1].1,
        "training raises both: {lv:?}"
    );
    assert!(
        lv[3].0 > lv[2].0 || lv[3].1 > lv[2].1,
        "deployment raises a level: {lv:?}"
    );
    assert!(
        lv[4].0 < lv[3].0 || lv[4].1 < lv[3].1,
        "removing deployment lowers a level: {lv:?}"
    );
    assert_eq!(
        lv[4], lv[2],
        "removing deployment returns to the training-only levels"
    );
    // As docs/levels.md reads these stages.
    assert_eq!(lv, vec![(0, 0), (0, 1), (1, 2), (2, 3), (1, 2)]);

    let tr = ripen::model::transitions(&h);
    assert!(
        tr.iter().any(|x| x.index == 4 && x.to < x.from),
        "a lost level at commit 4: {tr:?}"
    );
}

fn dir_listing(p: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for rel in walk_all(p, p) {
        let m = std::fs::metadata(p.join(&rel)).expect("meta");
        out.push((rel, m.len()));
    }
    out.sort();
    out
}

fn walk_all(dir: &Path, base: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        let rel = p
            .strip_prefix(base)
            .expect("base")
            .to_string_lossy()
            .into_owned();
        if rel == ".git" {
            continue;
        }
        if p.is_dir() {
            out.extend(walk_all(&p, base));
        } else {
            out.push(rel);
        }
    }
    out
}

#[test]
fn history_cost_grows_with_changed_blobs_not_commits_times_files() {
    let mut t = staged_repo();
    // A file no rule or graph reads: changing it cannot move a level.
    let matcher = ripen::matcher::Matcher::new(&catalogue().rules).expect("matcher");
    let inert = ["assets/logo.svg", "assets/palette.gpl", "static/x.dat"]
        .into_iter()
        .find(|p| !ripen::pipeline::file_scan::needs_content(&matcher, p));
    // Thirty more commits that each change one file: a doc, a source file, an inert file.
    for i in 0..30 {
        match (i % 3, inert) {
            (0, _) => t.write(
                &format!("docs/note{i}.md"),
                format!("note {i}\n").as_bytes(),
            ),
            (1, _) => t.write(
                "src/fraud/features.py",
                format!("# rev {i}\nimport pandas as pd\n").as_bytes(),
            ),
            (_, Some(p)) => t.write(p, format!("<svg>{i}</svg>\n").as_bytes()),
            (_, None) => t.write("README.md", format!("# fraud\nrevision {i}\n").as_bytes()),
        }
        t.commit(&format!("small change {i}"));
    }
    let h = history::history(
        &t.path,
        catalogue(),
        &ScanOptions::default(),
        &HistoryOptions::default(),
    )
    .expect("history");
    let commits = h.commits.len() as u64;
    let files = walk_all(&t.path, &t.path).len() as u64;
    let s = &h.stats;
    eprintln!(
        "{commits} commits × ~{files} files: {} blobs scanned, {} read, {} cache hits, {} file visits, {} trees assembled",
        s.cache.blobs_scanned,
        s.cache.blobs_read,
        s.cache.cache_hits,
        s.file_visits,
        s.cache.trees_assembled
    );
    assert_eq!(commits, 35);
    // Every (path, blob) is scanned once: the first tree, plus one per changed file.
    assert!(
        s.cache.blobs_scanned < commits * files / 5,
        "blob cache not effective: {} scans for {commits} commits × {files} files",
        s.cache.blobs_scanned
    );
    assert!(
        s.cache.blobs_scanned <= files + 5 * 10 + 30,
        "{:?}",
        s.cache
    );
    assert!(s.cache.cache_hits > s.cache.blobs_scanned, "{:?}", s.cache);
    // Changes to inert files cannot move a level: those commits reuse the previous result.
    if inert.is_some() {
        assert!(s.cache.trees_assembled <= commits - 9, "{:?}", s.cache);
    }

    // --max-commits keeps the newest; --since drops older days; --first-parent works on a line.
    let h = history::history(
        &t.path,
        catalogue(),
        &ScanOptions::default(),
        &HistoryOptions {
            max_commits: 3,
            ..HistoryOptions::default()
        },
    )
    .expect("history");
    assert_eq!(h.commits.len(), 3);
    assert!(h.truncated);
    assert_eq!(
        h.commits[2].commit.commit,
        t.commits.last().expect("head").to_string()
    );
    let since = ripen::model::Date::parse("2024-01-31").expect("date");
    let h = history::history(
        &t.path,
        catalogue(),
        &ScanOptions::default(),
        &HistoryOptions {
            since: Some(since),
            first_parent: true,
            ..HistoryOptions::default()
        },
    )
    .expect("history");
    // Commit i is dated 2024-01-01 + i days: 2024-01-31 is commit 30, so 30..=34 remain.
    assert_eq!(h.commits.len(), 5);
    assert_eq!(h.commits[0].commit.date, "2024-01-31T00:00:00Z");
}

#[test]
fn history_cli_text_timeline_and_json() {
    let t = staged_repo();
    let out = ripen()
        .args(["history"])
        .arg(&t.path)
        .output()
        .expect("run");
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{text}");
    assert!(text.contains("5 commits"), "{text}");
    assert!(text.contains("Azure 0 → 1 reached"), "{text}");
    assert!(text.contains("Google 2 → 1 lost"), "{text}");
    assert!(text.contains("remove deployment"), "{text}");
    assert!(text.contains("blobs scanned"), "{text}");

    let out = ripen()
        .args(["history", "--format", "json", "--max-commits", "4"])
        .arg(&t.path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out.stdout);
    let commits = v["commits"].as_array().expect("commits[]");
    assert_eq!(commits.len(), 4);
    assert_eq!(commits[0]["commit"], t.commits[1].to_string());
    assert_eq!(commits[0]["date"], "2024-01-02T00:00:00Z");
    assert_eq!(commits[2]["models"]["google"]["level"], 2);
    assert!(commits[2]["models"]["azure"]["levels"][0]["coverage"].is_number());
    assert_eq!(v["truncated"], true);
    assert!(v["stats"]["blobs_scanned"].as_u64().expect("stats") > 0);

    // Not a repository, a bad revision: exit 2 with a message.
    let plain = tempfile::tempdir().expect("tmp");
    let out = ripen()
        .args(["history"])
        .arg(plain.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in a git repository"));
    let out = ripen()
        .args(["history", "--rev", "nope"])
        .arg(&t.path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// The JSON renderer writes each run of shared models once; its output must be exactly what
/// serialising the history would give (no field missing, the same indentation).
#[test]
fn history_json_renders_shared_models_exactly_as_serialised() {
    let mut t = TestRepo::new();
    let train = FIT;
    t.write("train.py", train.as_bytes());
    t.commit("train");
    t.write("README.md", b"# Demo\n\nTrains a model.\n");
    t.commit("readme");
    t.write(
        "train.py",
        format!("import mlflow\n{train}mlflow.log_metric(\"auc\", 0.9)\n").as_bytes(),
    );
    t.commit("track");
    let h = history::history(
        &t.path,
        catalogue(),
        &ScanOptions::default(),
        &HistoryOptions::default(),
    )
    .expect("history");
    assert!(
        h.commits
            .windows(2)
            .any(|w| std::sync::Arc::ptr_eq(&w[0].models, &w[1].models)),
        "some commits share their models"
    );
    let fast = ripen::render::history::render(&h, ripen::render::history::HistoryFormat::Json);
    let mut fast: Value = serde_json::from_str(&fast).expect("JSON");
    // Resolved, the shared models are exactly what serialising the history gives.
    let commits = fast["commits"].as_array_mut().expect("commits");
    let mut by_commit = std::collections::HashMap::new();
    for c in commits.iter_mut() {
        if let Some(from) = c
            .get("models_from")
            .and_then(|f| f.as_str())
            .map(str::to_string)
        {
            let m = by_commit
                .get(&from)
                .cloned()
                .expect("refers to an earlier commit");
            c.as_object_mut().unwrap().remove("models_from");
            c["models"] = m;
        } else {
            by_commit.insert(
                c["commit"].as_str().unwrap().to_string(),
                c["models"].clone(),
            );
        }
    }
    let plain: Value = serde_json::to_value(&h).expect("serialises");
    assert!(fast == plain, "renderer:\n{fast}\nserialised:\n{plain}");
}

#[test]
fn history_json_grows_with_changes_not_with_commits() {
    let mut t = TestRepo::new();
    t.write("train.py", FIT.as_bytes());
    t.commit("train");
    for i in 0..40 {
        t.write("README.md", format!("# Demo {i}\n").as_bytes());
        t.commit(&format!("readme {i}"));
    }
    let out = ripen()
        .args(["history", "--format", "json"])
        .arg(&t.path)
        .output()
        .expect("run");
    assert_success(&out);
    let v = json(&out.stdout);
    let commits = v["commits"].as_array().expect("commits[]");
    assert_eq!(commits.len(), 41);
    let first = commits[0]["commit"].as_str().unwrap();
    assert!(commits[0]["models"].is_object());
    for c in &commits[1..] {
        assert_eq!(
            c["models_from"], first,
            "an unchanged commit refers to the last change"
        );
        assert!(c.get("models").is_none());
    }
    // One set of models, then a line per commit.
    let one = serde_json::to_string(&commits[0]["models"]).unwrap().len();
    assert!(
        out.stdout.len() < one + 41 * 400,
        "{} bytes",
        out.stdout.len()
    );
}

#[test]
fn diff_reports_changes_and_gates_regressions() {
    let t = staged_repo();
    let (c2, c3, c4) = (
        t.commits[2].to_string(),
        t.commits[3].to_string(),
        t.commits[4].to_string(),
    );

    // Deployment removed: a regression, exit 1 with the gate, 0 without.
    let out = ripen()
        .args([
            "diff",
            "--format",
            "json",
            "--fail-on-regression",
            "--base",
            &c3,
            "--head",
            &c4,
        ])
        .arg(&t.path)
        .output()
        .expect("run");
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    assert_eq!(v["base"]["models"]["google"]["level"], 2);
    assert_eq!(v["head"]["models"]["google"]["level"], 1);
    assert_eq!(v["regression"], true);
    let changes = v["changes"].as_array().expect("changes[]");
    assert!(changes.iter().any(|c| c["kind"] == "level"
        && c["id"] == "google"
        && c["from"] == 2
        && c["to"] == 1
        && c["regression"] == true));
    let cd = changes
        .iter()
        .find(|c| c["kind"] == "capability" && c["id"] == "continuous_delivery")
        .expect("continuous_delivery changed");
    assert!(
        cd["direction"] == "lowered" || cd["direction"] == "lost",
        "{cd}"
    );
    assert!(
        cd["evidence"]
            .as_str()
            .is_some_and(|e| e.contains("train.yml")),
        "{cd}"
    );

    // Adding deployment raises levels: no regression, exit 0 even with the gate.
    let out = ripen()
        .args([
            "diff",
            "--format",
            "markdown",
            "--fail-on-regression",
            "--base",
            &c2,
            "--head",
            &c3,
        ])
        .arg(&t.path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8_lossy(&out.stdout);
    eprintln!("{md}");
    assert!(md.contains("| Google | 1 | 2 | 🔺 raised |"), "{md}");
    assert!(md.contains("**Capabilities gained or raised**"), "{md}");
    assert!(md.contains("`continuous_delivery`"), "{md}");

    // Head defaults to the working tree (= commit 4): HEAD~1 → working tree is the regression.
    let opts = ScanOptions::default();
    let d = ripen::pipeline::diff::diff(&t.path, catalogue(), &opts, "HEAD~1", None).expect("diff");
    assert!(d.regression);
    assert!(d.head.rev.is_none() && d.head.commit.is_none());
    let text = ripen::render::diff::text(&d);
    assert!(text.contains("working tree"), "{text}");
    assert!(text.contains("lowered (regression)"), "{text}");

    // Identical trees: nothing changes.
    let d = ripen::pipeline::diff::diff(&t.path, catalogue(), &opts, "HEAD", None).expect("diff");
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert!(!d.regression);

    // An unknown base: an error naming it (exit 2 from the CLI).
    match ripen::pipeline::diff::diff(&t.path, catalogue(), &opts, "no-such-branch", None) {
        Ok(_) => panic!("an unknown base must fail"),
        Err(e) => assert!(e.to_string().contains("no-such-branch"), "{e}"),
    }
}

#[test]
fn scan_of_a_file_url_clones_and_matches_a_local_scan() {
    let t = staged_repo();
    let local = ripen::scan(&t.path, catalogue(), &ScanOptions::default()).expect("scan");
    let url = t.url();
    let remote = ripen()
        .args(["scan", "--format", "json", &url])
        .output()
        .expect("run");
    assert_success(&remote);
    let (l, r) = (
        serde_json::to_value(&local).expect("json"),
        json(&remote.stdout),
    );
    assert_eq!(r["root"], url.as_str());
    assert_eq!(
        l["models"]["google"]["level"],
        r["models"]["google"]["level"]
    );
    assert_eq!(l["models"]["azure"]["level"], r["models"]["azure"]["level"]);
    assert_eq!(r["models"]["google"]["level"], 1);
    // A clone is shallow where the transport allows; either way history facts say how much
    // history they saw.
    let h = &r["history"];
    assert!(h["commits_examined"].as_u64().expect("history") >= 1, "{h}");
    if h["shallow"] == true {
        assert_eq!(h["commits_examined"], 1);
        assert!(
            h["notes"][0]
                .as_str()
                .expect("note")
                .contains("fetch-depth: 0")
        );
    }
    // A URL that does not exist: exit 2 with the reason.
    let out = ripen()
        .args(["scan", "file:///nonexistent/ripen-test-repo"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot clone"));
    // Network URLs go to the system `git` (libgit2 here has no TLS): a refused connection is a
    // clean exit 2 naming the URL, never a prompt.
    let out = ripen()
        .args(["scan", "https://127.0.0.1:9/none.git"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot clone https://127.0.0.1:9/none.git"),
        "{err}"
    );
}

fn system_git(args: &[&str], cwd: &Path) -> bool {
    std::process::Command::new("git")
        .args(args)
        .current_dir(cwd)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn shallow_clones_scan_normally_and_history_and_diff_say_how_to_fetch_more() {
    let t = staged_repo();
    let tmp = tempfile::tempdir().expect("tmp");
    let shallow = tmp.path().join("shallow");
    if !system_git(
        &[
            "clone",
            "--quiet",
            "--depth",
            "1",
            &t.url(),
            shallow.to_str().expect("utf-8"),
        ],
        tmp.path(),
    ) {
        eprintln!("git is not available: skipped");
        return;
    }
    assert!(Repository::open(&shallow).expect("open").is_shallow());

    let out = ripen()
        .args(["scan", "--format", "json"])
        .arg(&shallow)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out.stdout);
    assert_eq!(
        v["models"]["google"]["level"], 1,
        "scan is unaffected by a shallow clone"
    );
    assert_eq!(v["history"]["shallow"], true);
    assert!(
        v["history"]["notes"][0]
            .as_str()
            .expect("note")
            .contains("fetch-depth: 0")
    );
    let mut r = ripen::scan(&shallow, catalogue(), &ScanOptions::default()).expect("scan");
    ripen::cli::annotate(&mut r, &shallow, 1000, 1 << 20, false);
    assert!(ripen::render::text::render(&r).contains("fetch-depth: 0"));

    let out = ripen()
        .args(["history"])
        .arg(&shallow)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("shallow clone") && s.contains("fetch-depth: 0"),
        "{s}"
    );
    let h = history::history(
        &shallow,
        catalogue(),
        &ScanOptions::default(),
        &HistoryOptions::default(),
    )
    .expect("history");
    assert!(h.shallow);
    assert_eq!(h.commits.len(), 1);

    let out = ripen()
        .args(["diff", "--base", "HEAD~2"])
        .arg(&shallow)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shallow") && err.contains("fetch-depth: 0"),
        "{err}"
    );
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn a_repository_owned_by_another_user_is_read() {
    let t = staged_repo();
    if !is_root() {
        eprintln!("not root: cannot chown a repository to another user; skipped");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let copy = tmp.path().join("theirs");
    let ok = std::process::Command::new("cp")
        .args(["-a"])
        .arg(&t.path)
        .arg(&copy)
        .status()
        .is_ok_and(|s| s.success())
        && std::process::Command::new("chown")
            .args(["-R", "nobody"])
            .arg(&copy)
            .status()
            .is_ok_and(|s| s.success());
    assert!(ok, "cp/chown failed");
    // libgit2 would refuse this repository ("not owned by current user") without ripen's opt-out.
    let out = ripen()
        .args(["history", "--format", "json"])
        .arg(&copy)
        .output()
        .expect("run");
    assert_success(&out);
    assert_eq!(
        json(&out.stdout)["commits"].as_array().map(Vec::len),
        Some(5)
    );
    let out = ripen()
        .args(["scan", "--format", "json"])
        .arg(&copy)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out.stdout)["history"]["commits_examined"], 5);
}

#[test]
fn history_facts_report_binaries_and_the_last_training_change() {
    let mut t = staged_repo();
    // A 2 MiB model binary committed, then deleted: it stays in history.
    let big: Vec<u8> = (0..2 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    t.write("models/model.pkl", &big);
    let added = t.commit("commit a model");
    t.remove("models");
    t.commit("remove the model");
    t.write(
        "src/fraud/train.py",
        (std::fs::read_to_string(Path::new(FIXTURE).join("src/fraud/train.py")).expect("read")
            + "\n# tuned\n")
            .as_bytes(),
    );
    let touched = t.commit("tune training");
    t.write("README.md", b"# fraud\nmore docs\n");
    t.commit("docs");

    let out = ripen()
        .args(["scan", "--format", "json"])
        .arg(&t.path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out.stdout);
    let h = &v["history"];
    assert_eq!(h["commits_examined"], 9);
    assert_eq!(h["shallow"], false);
    let b = &h["binaries_in_history"][0];
    assert_eq!(b["path"], "models/model.pkl");
    assert_eq!(b["size"], 2 * 1024 * 1024);
    assert_eq!(b["commit"], added.to_string());
    assert_eq!(b["in_head"], false);
    let l = &h["last_training_change"];
    assert_eq!(l["commit"], touched.to_string(), "{h}");
    assert_eq!(l["path"], "src/fraud/train.py");
    // Commit 7 is dated 2024-01-08; RIPEN_TODAY is 2024-03-01.
    assert_eq!(l["date"], "2024-01-08T00:00:00Z");
    assert_eq!(l["days_ago"], 53);

    let mut r = ripen::scan(&t.path, catalogue(), &ScanOptions::default()).expect("scan");
    ripen::cli::annotate(&mut r, &t.path, 1000, 1 << 20, false);
    let text = ripen::render::text::render(&r);
    assert!(text.contains("training pipeline last changed"), "{text}");
    assert!(text.contains("models/model.pkl (2048 KiB) in "), "{text}");

    // --history-commits bounds the walk; 0 turns the facts off.
    let mut r = ripen::scan(&t.path, catalogue(), &ScanOptions::default()).expect("scan");
    ripen::cli::annotate(&mut r, &t.path, 1, 1 << 20, false);
    let h = r.history.as_ref().expect("history facts");
    assert_eq!(h.commits_examined, 1);
    assert!(h.truncated);
    let mut r = ripen::scan(&t.path, catalogue(), &ScanOptions::default()).expect("scan");
    ripen::cli::annotate(&mut r, &t.path, 0, 1 << 20, false);
    assert!(r.history.is_none());
}

#[test]
fn several_repositories_report_each_and_merge_as_a_system() {
    // Training in one repository, CI-only code in another.
    let mut train = TestRepo::new();
    train.copy_fixture(&[
        "src/",
        "tests/",
        "requirements",
        "pyproject.toml",
        "pipelines/",
        "Dockerfile",
        ".github/workflows/ci.yml",
    ]);
    train.write(
        ".github/workflows/train.yml",
        train_without_deploy().as_bytes(),
    );
    train.commit("training");
    let mut serve = TestRepo::new();
    serve.copy_fixture(&["k8s/", "src/fraud/serve.py", "README.md"]);
    serve.commit("serving");

    // One PATH keeps today's single-report JSON shape.
    let out = ripen()
        .args(["scan", "--format", "json"])
        .arg(&train.path)
        .output()
        .expect("run");
    let single = json(&out.stdout);
    assert!(single["models"]["google"]["level"].is_number());
    assert!(single.get("repositories").is_none());

    let out = ripen()
        .args(["scan", "--format", "json"])
        .arg(&train.path)
        .arg(&serve.path)
        .output()
        .expect("run");
    assert_success(&out);
    let v = json(&out.stdout);
    let repos = v["repositories"].as_array().expect("repositories[]");
    assert_eq!(repos.len(), 2);
    let summary = v["summary"].as_array().expect("summary[]");
    assert_eq!(summary.len(), 2);
    // Both temp repositories are called `fraud`: names are made unique.
    assert_eq!(summary[0]["name"], "fraud");
    assert_eq!(summary[1]["name"], "fraud-2");
    assert_eq!(
        summary[0]["levels"]["google"],
        repos[0]["models"]["google"]["level"]
    );

    let parts: Vec<(String, Report)> = repos
        .iter()
        .zip(["fraud", "fraud-2"])
        .map(|(_, n)| n.to_string())
        .zip([&train.path, &serve.path])
        .map(|(n, p)| {
            (
                n,
                ripen::scan(p, catalogue(), &ScanOptions::default()).expect("scan"),
            )
        })
        .collect();
    let text = ripen::cli::render_many(&parts, ripen::render::Format::Text).expect("text");
    assert!(
        text.contains("Summary") && text.contains("fraud-2"),
        "{text}"
    );
    let md = ripen::cli::render_many(&parts, ripen::render::Format::Markdown).expect("md");
    assert!(md.contains("| Repository | Azure | Google |"), "{md}");

    // A target applies to each repository: one misses it → exit 1.
    let out = ripen()
        .args(["scan", "--fail-under", "google=1"])
        .arg(&train.path)
        .arg(&serve.path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    // SARIF is one report per file.
    let out = ripen()
        .args(["scan", "--format", "sarif"])
        .arg(&train.path)
        .arg(&serve.path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));

    let out = ripen()
        .args(["scan", "--format", "json", "--as-system"])
        .arg(&train.path)
        .arg(&serve.path)
        .output()
        .expect("run");
    assert_success(&out);
    let sys = json(&out.stdout);
    assert_eq!(sys["root"], "fraud + fraud-2");
    let level = |v: &Value, m: &str| v["models"][m]["level"].as_u64().expect("level");
    let each: Vec<(u64, u64)> = repos
        .iter()
        .map(|r| (level(r, "google"), level(r, "azure")))
        .collect();
    assert!(level(&sys, "google") >= each.iter().map(|e| e.0).max().expect("max"));
    assert!(level(&sys, "azure") >= each.iter().map(|e| e.1).max().expect("max"));
    let caps = sys["capabilities"].as_array().expect("capabilities");
    let paths: Vec<&str> = caps
        .iter()
        .flat_map(|c| c["evidence"].as_array().into_iter().flatten())
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(paths.iter().any(|p| p.starts_with("fraud/")), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.starts_with("fraud-2/k8s/")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .all(|p| p.starts_with("fraud/") || p.starts_with("fraud-2/"))
    );
}

/// A notebook whose outputs (embedded plots) weigh megabytes is read for its code cells, by
/// the walk and from git alike; past its own larger limit it is listed, not read.
#[test]
fn notebooks_heavy_with_outputs_are_read() {
    let notebook = |pad: usize| {
        format!(
            r#"{{"cells": [{{"cell_type": "code", "execution_count": 1, "metadata": {{}},
 "outputs": [{{"output_type": "display_data", "data": {{"image/png": "{}"}}, "metadata": {{}}}}],
 "source": ["import mlflow\n", "mlflow.log_metric('auc', 0.9)\n"]}}],
 "metadata": {{}}, "nbformat": 4, "nbformat_minor": 5}}"#,
            "A".repeat(pad)
        )
    };
    let mut t = TestRepo::new();
    t.write(
        "notebooks/train.ipynb",
        notebook(3 * 1024 * 1024).as_bytes(),
    );
    t.write("big/huge.ipynb", notebook(17 * 1024 * 1024).as_bytes());
    t.commit("notebooks");
    let walk = ripen::scan(&t.path, catalogue(), &ScanOptions::default()).expect("scan");
    let repo = ripen::source::git::open(&t.path).expect("open");
    let (git, _) =
        ripen::pipeline::diff::scan_rev(&repo, catalogue(), &ScanOptions::default(), "HEAD", "x")
            .expect("scan rev");
    for r in [&walk, &git] {
        let tracking: Vec<&str> = r
            .capabilities
            .iter()
            .filter(|c| c.id == "experiment_tracking")
            .flat_map(|c| c.evidence.iter().map(|e| e.path.as_str()))
            .collect();
        assert_eq!(tracking, ["notebooks/train.ipynb"]);
        assert_eq!(r.stats.skipped.too_large, 1);
    }
}

#[test]
fn git_trees_follow_the_walk_skip_rules() {
    let mut t = TestRepo::new();
    t.copy_fixture(&["src/", "requirements"]);
    // Vendored and virtualenv trees are never evidence; a symlink is never followed.
    t.write(
        "node_modules/x/train.py",
        b"import mlflow\nmlflow.log_metric('a', 1)\n",
    );
    t.write("env/pyvenv.cfg", b"home = /usr\n");
    t.write(
        "env/lib/site.py",
        b"import mlflow\nmlflow.log_metric('a', 1)\n",
    );
    t.write("big.bin", &vec![b'x'; 2 * 1024 * 1024]);
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", t.path.join("link.py")).expect("symlink");
    t.commit("with junk");
    let walk = ripen::scan(&t.path, catalogue(), &ScanOptions::default()).expect("scan");
    let repo = ripen::source::git::open(&t.path).expect("open");
    let (git, _) =
        ripen::pipeline::diff::scan_rev(&repo, catalogue(), &ScanOptions::default(), "HEAD", "x")
            .expect("scan rev");
    assert_eq!(tiers(&git), tiers(&walk));
    assert_eq!(git.stats.skipped.too_large, 1);
    assert_eq!(git.stats.skipped.symlinks, walk.stats.skipped.symlinks);
    assert_eq!(git.stats.files_seen, walk.stats.files_seen);
    let all: Vec<&str> = git
        .capabilities
        .iter()
        .flat_map(|c| c.evidence.iter().map(|e| e.path.as_str()))
        .collect();
    assert!(
        !all.iter()
            .any(|p| p.starts_with("node_modules/") || p.starts_with("env/")),
        "{all:?}"
    );

    // A subdirectory of a repository: history of that directory only.
    let h = history::history(
        &t.path.join("src"),
        catalogue(),
        &ScanOptions::default(),
        &HistoryOptions::default(),
    )
    .expect("history of a subdirectory");
    assert_eq!(h.commits.len(), 1);
    assert!(
        h.warnings.iter().any(|w| w.contains("`src`")),
        "{:?}",
        h.warnings
    );
}

#[test]
fn url_and_name_helpers() {
    use ripen::source::remote::{Source, classify, repo_name};
    assert_eq!(repo_name("https://github.com/org/repo.git"), "repo");
    assert_eq!(repo_name("git@github.com:org/repo.git"), "repo");
    assert_eq!(repo_name("file:///tmp/x/fraud/"), "fraud");
    assert!(matches!(
        classify(Path::new("https://github.com/o/r")),
        Source::Network(_)
    ));
    assert!(matches!(
        classify(Path::new("git@github.com:o/r.git")),
        Source::Network(_)
    ));
    assert!(matches!(
        classify(Path::new("file:///tmp/none")),
        Source::Local(_)
    ));
    assert!(matches!(classify(Path::new(".")), Source::Path(_)));
    assert!(matches!(
        classify(Path::new("no/such/dir")),
        Source::Path(_)
    ));
    assert_eq!(ripen::model::rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(ripen::model::rfc3339(T0 + 3661), "2024-01-01T01:01:01Z");
    for days in [-1000i64, 0, 19_723, 20_000, 60_000] {
        let d = ripen::model::Date::from_days(days);
        assert_eq!(ripen::model::days_from_civil(d), days);
    }
}

#[test]
fn action_diff_step_writes_the_summary_and_fails_on_a_regression() {
    let t = staged_repo();
    let tmp = tempfile::tempdir().expect("tmp");
    let summary = tmp.path().join("summary.md");
    let out = std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("action/diff.sh"))
        .current_dir(&t.path)
        .env("RIPEN_BIN", env!("CARGO_BIN_EXE_ripen"))
        .env("INPUT_DIFF_BASE", t.commits[3].to_string())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("NO_COLOR", "1")
        .output()
        .expect("bash");
    assert_exit(&out, 1);
    let md = std::fs::read_to_string(&summary).expect("summary written");
    assert!(
        md.contains("maturity regression") && md.contains("🔻 lowered"),
        "{md}"
    );
}

/// A training script: scikit-learn fits a model.
const FIT: &str =
    "from sklearn.ensemble import RandomForestClassifier\n\nRandomForestClassifier().fit(X, y)\n";
/// A training script that also logs a metric to MLflow.
const TRACKED_FIT: &str = "import mlflow\nfrom sklearn.ensemble import RandomForestClassifier\n\nmlflow.log_metric(\"auc\", 0.9)\nRandomForestClassifier().fit(X, y)\n";

/// A GitHub Actions workflow whose one job, `train`, runs `command` on every push.
fn push_workflow(command: &str) -> String {
    format!(
        "on: [push]\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {command}\n"
    )
}

/// A file to write at a stage, or (None) to remove.
type Stage<'a> = &'a [(&'a str, Option<&'a str>)];

/// Commits each stage in turn, then runs `ripen history` over them; asserts that every
/// commit's models (levels, practices and the evidence each cites, to the line) equal a fresh
/// scan's, and returns the history with its levels.
fn staged_history(stages: &[Stage]) -> (ripen::model::History, Vec<(u32, u32)>) {
    let mut t = TestRepo::new();
    let mut fresh = Vec::new();
    for (i, files) in stages.iter().enumerate() {
        for (p, c) in *files {
            match c {
                Some(c) => t.write(p, c.as_bytes()),
                None => t.remove(p),
            }
        }
        t.commit(&format!("stage {i}"));
        let r = ripen::scan(&t.path, catalogue(), &ScanOptions::default()).expect("scan");
        fresh.push(serde_json::to_value(&r.models).expect("models"));
    }
    let h = history::history(
        &t.path,
        catalogue(),
        &ScanOptions::default(),
        &HistoryOptions::default(),
    )
    .expect("history");
    for (i, (p, f)) in h.commits.iter().zip(&fresh).enumerate() {
        let got = serde_json::to_value(&p.models).expect("models");
        assert!(
            &got == f,
            "stage {i}: history and a fresh scan disagree:\nhistory: {got:#}\nfresh: {f:#}"
        );
    }
    let got: Vec<(u32, u32)> = h.commits.iter().map(|p| levels(&p.models)).collect();
    (h, got)
}

/// History re-assembles a commit only when what changed can change a model: not for new
/// mentions (no practice counts them), not for evidence that moved within a file no practice
/// cites, not for new imports of a file no walk went through, not for a package-manager lock
/// file. Evidence that moved in a cited file is re-assembled, so the citation shows its line.
#[test]
fn history_assembles_only_commits_that_can_change_a_model() {
    // CI runs train.py; tracking.py and utils.py are run by nothing. The ML-metadata practice
    // cites tracking.py, which sorts before utils.py.
    let tracking = "import mlflow\n\nmlflow.log_metric(\"auc\", 0.9)\n";
    let utils = "import mlflow\n\nmlflow.log_param(\"depth\", 3)\n";
    let moved_utils = format!("# helpers\n\n{utils}");
    let (h, got) = staged_history(&[
        &[
            (
                ".github/workflows/train.yml",
                Some(&push_workflow("python train.py")),
            ),
            ("train.py", Some(FIT)),
            ("tracking.py", Some(tracking)),
            ("utils.py", Some(utils)),
            ("README.md", Some("# Demo\n\nTrains a model.\n")),
        ],
        // 1: mentions only.
        &[(
            "README.md",
            Some("# Demo\n\nTrains a model tracked with MLflow; Evidently watches drift.\n"),
        )],
        // 2: evidence moves in utils.py, which no practice cites.
        &[("utils.py", Some(&moved_utils))],
        // 3: a new import in utils.py, which no walk reaches.
        &[("utils.py", Some(&format!("{moved_utils}import os\n")))],
        // 4: a lock file comes, then changes.
        &[("pnpm-lock.yaml", Some("lockfileVersion: '9.0'\n"))],
        &[(
            "pnpm-lock.yaml",
            Some("lockfileVersion: '9.0'\npackages:\n  mlflow@2.0.0: {}\n"),
        )],
        // 6: the cited evidence in tracking.py moves down a line.
        &[("tracking.py", Some(&format!("# metrics\n{tracking}")))],
    ]);
    assert_eq!(got, vec![(1, 2); 7], "{got:?}");
    let cited = |i: usize| {
        h.commits[i].models["google"]
            .staged()
            .expect("staged")
            .levels[1]
            .required[1]
            .evidence
            .clone()
            .unwrap_or_default()
    };
    assert!(cited(5).starts_with("tracking.py:3 "), "{}", cited(5));
    assert!(cited(6).starts_with("tracking.py:4 "), "{}", cited(6));
    assert_eq!(
        h.stats.cache.trees_assembled, 2,
        "only the first commit and the one moving cited evidence are assembled"
    );
}

/// In a repository that defines an ML tool, every hit in the tool's own source is only a
/// mention, so history does not run the rules there. When the project facts change so that
/// those hits count (the package goes), the files scanned without rules are scanned again.
#[test]
fn history_skips_rules_on_a_tools_own_source_until_its_hits_count() {
    let train = "import mlflow\nfrom sklearn.ensemble import RandomForestClassifier\n\nRandomForestClassifier().fit(X, y)\n";
    let tracked = format!("{train}mlflow.log_metric(\"auc\", 0.9)\n");
    let (h, got) = staged_history(&[
        &[
            (
                ".github/workflows/train.yml",
                Some(&push_workflow("python mlflow/train.py")),
            ),
            ("mlflow/__init__.py", Some("")),
            ("mlflow/train.py", Some(train)),
        ],
        // 1: the tool's own source changes: only mentions, not assembled.
        &[("mlflow/train.py", Some(&tracked))],
        // 2: the package goes: `mlflow/` is the project's code now, and its training counts.
        &[("mlflow/__init__.py", None)],
    ]);
    let google: Vec<u32> = got.iter().map(|l| l.0).collect();
    assert_eq!(google, vec![0, 0, 1], "{got:?}");
    assert_eq!(h.stats.cache.trees_assembled, 2, "{:?}", h.stats.cache);
    // Stage 1's `mlflow/train.py` was read without rules, and scanned again at stage 2.
    assert_eq!(h.stats.cache.blobs_without_rules, 1, "{:?}", h.stats.cache);
}

/// Read for levels, prose that no rule can count is not even read: its mentions move no model.
/// Prose where a capability counts it (a decision record; any Markdown, which may be a model
/// card) is read.
#[test]
fn history_reads_no_prose_that_no_model_can_count() {
    let train = FIT;
    let (h, _) = staged_history(&[
        &[
            ("train.py", Some(train)),
            ("docs/overview.txt", Some("# Demo\n")),
        ],
        &[(
            "docs/overview.txt",
            Some("# Demo\n\nTracked with MLflow; Evidently watches drift.\n"),
        )],
        &[(
            "docs/adr/0001-track-with-mlflow.md",
            Some("# 1. Track experiments with MLflow\n\nStatus: accepted\n"),
        )],
    ]);
    // train.py and the decision record; neither version of the overview, whose edit is
    // settled by its path alone (the second version is not even scanned).
    assert_eq!(h.stats.cache.blobs_read, 2, "{:?}", h.stats.cache);
    assert_eq!(h.stats.cache.blobs_scanned, 3, "{:?}", h.stats.cache);
}

/// A `--rules` model that counts mentions turns the mention skip off: a commit that only adds
/// a mention then moves that model's level, and history must assemble it.
#[test]
fn history_counts_mentions_when_a_model_does() {
    let rules = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(rules.path().join("models")).expect("models dir");
    std::fs::write(
        rules.path().join("models/docs_first.yml"),
        "id: docs_first\ntitle: Documentation first\nkind: staged\nlevels:\n  - level: 0\n    name: Nothing written\n  - level: 1\n    name: Tracking described\n    required:\n      - id: tracking_described\n        title: Experiment tracking at least described\n        any:\n          - capability: experiment_tracking\n            tier: mentioned\n",
    )
    .expect("model");
    let cat = Catalogue::load(&[rules.path().to_path_buf()]).expect("rules load");
    assert!(cat.counts_mentions());
    let mut t = TestRepo::new();
    t.write("README.md", b"# Demo\n");
    t.commit("readme");
    t.write("README.md", b"# Demo\n\nTracked with MLflow.\n");
    t.commit("mention");
    let h = history::history(
        &t.path,
        &cat,
        &ScanOptions::default(),
        &HistoryOptions::default(),
    )
    .expect("history");
    let docs: Vec<Option<u32>> = h.commits.iter().map(|p| p.level("docs_first")).collect();
    assert_eq!(docs, vec![Some(0), Some(1)]);
}

/// History keeps the graph's edges across commits; an edited file must drop the edges it gave
/// (a script that now imports the training module) and an edited Makefile every edge that
/// resolved into its targets. Each commit's levels must equal a fresh scan of it.
#[test]
fn history_reuses_graph_edges_only_while_they_still_hold() {
    let train = TRACKED_FIT;
    let runs = Some("train:\n\tpython run.py\n");
    let (_, got) = staged_history(&[
        &[
            (
                ".github/workflows/train.yml",
                Some(&push_workflow("make train")),
            ),
            ("Makefile", runs),
            ("run.py", Some("print('start')\n")),
            ("model.py", Some(train)),
        ],
        // Only run.py changes: it now imports the training module.
        &[("run.py", Some("import model\n"))],
        // Only the Makefile changes: its target no longer runs anything.
        &[("Makefile", Some("train:\n\techo skip\n"))],
        &[("Makefile", runs)],
    ]);
    // Training is automated exactly when `make train` reaches model.py.
    let google: Vec<u32> = got.iter().map(|l| l.0).collect();
    assert_eq!(google, vec![0, 1, 0, 1], "{got:?}");
}

/// A file that comes or goes changes the levels when it holds evidence, when a reference
/// walked in the latest tree looked for it, or when it marks a virtualenv (hiding a directory);
/// anything else reuses the previous commit's levels.
#[test]
fn history_settles_added_and_removed_files_by_what_references_look_for() {
    let train = TRACKED_FIT;
    let (h, got) = staged_history(&[
        &[
            (
                ".github/workflows/train.yml",
                Some(&push_workflow("python run.py")),
            ),
            // `steps` does not exist yet: the import resolves to nothing.
            ("run.py", Some("from steps import go\n")),
            ("lib/fit.py", Some(train)),
        ],
        // Nothing looks for it and it holds nothing.
        &[("notes/scratch.py", Some("x = 1\n"))],
        // Holds nothing either, but run.py's import looked for it: training is now reached.
        &[("steps.py", Some("import lib.fit\n"))],
        &[("notes/scratch.py", None)],
        &[("steps.py", None)],
        &[("steps.py", Some("import lib.fit\n"))],
        // Holds nothing, but makes `lib/` a virtualenv, which is never the project's own code.
        &[("lib/pyvenv.cfg", Some("home = /usr\n"))],
        // Only an ML import: a signal of an ML project in the report, which no model reads.
        &[("notes/explore.py", Some("import torch\nimport sklearn\n"))],
    ]);
    let google: Vec<u32> = got.iter().map(|l| l.0).collect();
    assert_eq!(google, vec![0, 0, 1, 1, 0, 1, 0, 0], "{got:?}");
    // Stages 1, 3 and 7 reuse the levels before them.
    assert_eq!(h.stats.cache.trees_assembled, 5, "{:?}", h.stats.cache);
}

/// A tree scanner that makes full reports keeps chains exact across commits: an edit that only
/// moves lines (same level signature) still drops the edges it gave, so the chain shows the
/// new line. (`ripen history`, which reads levels only, keeps those edges: `levels_only`.)
#[test]
fn reports_across_commits_show_the_lines_of_each_commit() {
    let mut t = TestRepo::new();
    t.write(
        ".github/workflows/train.yml",
        push_workflow("python run.py").as_bytes(),
    );
    t.write("run.py", b"import model\n");
    t.write("model.py", TRACKED_FIT.as_bytes());
    let first = t.commit("import on line 1");
    t.write("run.py", b"# entry point\n\nimport model\n");
    let second = t.commit("import on line 3");

    let repo = ripen::source::git::open(&t.path).expect("open");
    let mut scanner =
        ripen::pipeline::tree_scanner::TreeScanner::new(&repo, catalogue(), &Default::default())
            .expect("scanner");
    let run_line = |r: &Report| -> Option<u32> {
        r.capabilities
            .iter()
            .flat_map(|c| &c.evidence)
            .filter(|e| e.path == "model.py" && e.tier == Tier::Automated)
            .flat_map(|e| &e.chain)
            .find(|h| h.path == "run.py")
            .and_then(|h| h.line)
    };
    let mut lines = Vec::new();
    for oid in [first, second] {
        let c = repo.repo.find_commit(oid).expect("commit");
        let r = scanner
            .report(catalogue(), &ScanOptions::default(), &c, "repo")
            .expect("report");
        lines.push(run_line(&r));
    }
    assert_eq!(lines, vec![Some(1), Some(3)]);
}

/// A main line with CI throughout and a side branch that drops it, merged back with CI kept:
/// `history` follows the first-parent line by default (as `git log --first-parent`), so no level
/// moves; `--all-commits` walks the side branch too, and shows the drop and the return.
#[test]
fn history_follows_the_first_parent_line_unless_asked_for_all_commits() {
    let mut t = TestRepo::new();
    t.copy_fixture(CODE_ONLY);
    t.copy_fixture(&[".github/workflows/ci.yml"]);
    let base = t.commit("code with CI");
    let sig = |day: i64| {
        Signature::new("Test", "t@example.com", &Time::new(T0 + 86_400 * day, 0)).expect("sig")
    };
    let repo = Repository::open(&t.path).expect("open");
    let base_c = repo.find_commit(base).expect("base");
    // The side branch (day 1): CI removed.
    let mut b = repo
        .treebuilder(Some(&base_c.tree().expect("tree")))
        .expect("builder");
    b.remove(".github").expect("rm .github");
    let side_tree = repo.find_tree(b.write().expect("tree")).expect("tree");
    let side = repo
        .commit(
            None,
            &sig(1),
            &sig(1),
            "side: drop CI",
            &side_tree,
            &[&base_c],
        )
        .expect("side");
    // The main line (day 2): a README change; then (day 3) the merge, CI kept.
    t.write("README.md", b"# fraud\n\nA note.\n");
    t.commit("main: readme");
    let main_c = repo
        .find_commit(*t.commits.last().expect("main"))
        .expect("main");
    let side_c = repo.find_commit(side).expect("side");
    let merge = repo
        .commit(
            Some("HEAD"),
            &sig(3),
            &sig(3),
            "Merge side",
            &main_c.tree().expect("tree"),
            &[&main_c, &side_c],
        )
        .expect("merge");
    let azure = |h: &ripen::model::History| -> Vec<u32> {
        h.commits.iter().map(|p| levels(&p.models).1).collect()
    };
    let h = history::history(
        &t.path,
        catalogue(),
        &ScanOptions::default(),
        &HistoryOptions::default(),
    )
    .expect("history");
    assert_eq!(h.commits.len(), 3, "base, main, merge");
    assert_eq!(h.commits[2].commit.commit, merge.to_string());
    let a = azure(&h);
    assert!(a.iter().all(|l| *l == a[0] && *l >= 1), "{a:?}");
    let out = ripen()
        .args(["history", "--format", "json"])
        .arg(&t.path)
        .output()
        .expect("run");
    assert_success(&out);
    assert_eq!(
        json(&out.stdout)["commits"]
            .as_array()
            .expect("commits")
            .len(),
        3
    );
    // The old walk: the side commit sits between two commits with CI.
    let out = ripen()
        .args(["history", "--all-commits", "--format", "json"])
        .arg(&t.path)
        .output()
        .expect("run");
    assert_success(&out);
    let all = json(&out.stdout);
    let commits = all["commits"].as_array().expect("commits");
    assert_eq!(commits.len(), 4);
    // A commit that changes nothing refers to the last change (`models_from`).
    let by_sha: std::collections::HashMap<&str, &serde_json::Value> = commits
        .iter()
        .filter_map(|c| Some((c["commit"].as_str()?, c.get("models")?)))
        .collect();
    let levels: Vec<u64> = commits
        .iter()
        .map(|c| {
            let models = c.get("models").unwrap_or_else(|| {
                by_sha[c["models_from"].as_str().expect("models or models_from")]
            });
            models["azure"]["level"].as_u64().expect("azure level")
        })
        .collect();
    assert!(levels.contains(&0) && levels[0] >= 1, "{levels:?}");
}

/// A commit message with a carriage return and escape sequences shows escaped in `history`'s
/// text, never raw (in a CI log a line of its own would be a workflow command).
#[test]
fn history_text_escapes_control_characters_in_commit_messages() {
    let mut t = TestRepo::new();
    t.copy_fixture(CODE_ONLY);
    t.commit("init");
    t.copy_fixture(&[".github/workflows/ci.yml"]);
    t.commit(
        "add CI\r::add-mask::secret \x1b]0;pwned\x07\x1b]52;c;aGk=\x07\u{9b}2J ##vso[task.complete]",
    );
    for format in ["text", "json", "html"] {
        let out = ripen()
            .args(["history", "--format", format])
            .arg(&t.path)
            .output()
            .expect("run");
        assert_success(&out);
        let text = String::from_utf8_lossy(&out.stdout);
        if format == "text" {
            assert!(
                text.contains("add CI\\r::add-mask::secret \\x1b]0;pwned\\x07"),
                "{text}"
            );
        }
        for c in text.chars() {
            assert!(
                c == '\n' || !c.is_control(),
                "{format}: raw {c:?} in {}",
                text.escape_debug()
            );
        }
        assert!(!text.contains("##vso["), "{format}: {text}");
        assert!(
            text.lines().all(|l| !l.trim_start().starts_with("::")),
            "{format}: {text}"
        );
    }
}

/// A URL with credentials (`https://user:token@host/…`): the clone works, but the token is in no
/// report's root, no report, no error message; annotation and SARIF paths are the repository's
/// own, never prefixed with the URL. The network is not used: git's `insteadOf` sends the URL
/// to a local repository.
#[test]
fn credentials_in_a_scanned_url_reach_no_report_or_message() {
    let t = staged_repo();
    let token = "ghp_s3cr3tT0kenValue0123456789abcdef";
    let url = format!("https://x-access-token:{token}@git.example.invalid/org/fraud.git");
    let git = |c: &mut Command| {
        c.env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", format!("url.{}.insteadOf", t.url()))
            .env("GIT_CONFIG_VALUE_0", &url)
            .env("GIT_CONFIG_NOSYSTEM", "1");
    };
    let mut cmd = ripen();
    git(&mut cmd);
    let out = cmd
        .args(["scan", "--format", "json", &url])
        .output()
        .expect("run");
    assert_success(&out);
    let j = json(&out.stdout);
    assert_eq!(j["root"], "https://git.example.invalid/org/fraud.git");
    for format in [
        "text", "json", "markdown", "sarif", "github", "html", "gitlab", "azure", "junit",
    ] {
        let mut cmd = ripen();
        git(&mut cmd);
        let out = cmd
            .args(["scan", "--fail-under", "azure=4", "--format", format, &url])
            .output()
            .expect("run");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(token), "{format} leaks the token:\n{all}");
        assert!(!all.contains("x-access-token"), "{format}:\n{all}");
        if format == "github" {
            assert!(all.contains("::error file="), "{all}");
            assert!(!all.contains("file=https"), "{all}");
        }
        if format == "sarif" {
            assert!(!all.contains("example.invalid/org"), "{all}");
        }
        if format == "gitlab" {
            assert!(all.contains("\"path\": \""), "{all}");
            assert!(!all.contains("\"path\": \"https"), "{all}");
        }
        if format == "azure" {
            assert!(all.contains(";sourcepath="), "{all}");
            assert!(!all.contains("sourcepath=https"), "{all}");
        }
    }
    // A clone that fails names the URL without its credentials.
    let out = ripen()
        .args([
            "scan",
            &format!("https://user:{token}@127.0.0.1:9/none.git"),
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains(token), "{err}");
    assert!(
        err.contains("cannot clone https://127.0.0.1:9/none.git"),
        "{err}"
    );
}

/// Files git tracks are the repository even when `.gitignore` matches them (issue 16, class a):
/// a `.*` line hides a tracked `.github/` from a gitignore-aware walk. In a work tree the file
/// list is the index plus untracked files that are not ignored.
#[test]
fn tracked_files_count_even_when_gitignore_matches_them() {
    let repo = TestRepo::new();
    repo.write(".gitignore", b".*\n*.log\n");
    repo.write(
        ".github/workflows/ci.yml",
        b"on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest tests\n",
    );
    repo.write("tests/test_model.py", b"def test_fit():\n    assert True\n");
    let mut idx = repo.repo.index().expect("index");
    // `git add -f`: tracked although ignored.
    for p in [
        ".gitignore",
        ".github/workflows/ci.yml",
        "tests/test_model.py",
    ] {
        idx.add_path(Path::new(p)).expect("add");
    }
    idx.write().expect("write index");
    // Untracked: one not ignored (listed), one ignored (not listed).
    repo.write("src/new.py", b"print('x')\n");
    repo.write("debug.log", b"noise\n");
    repo.write(".secrets/ci.yml", b"on: [push]\njobs: {}\n");
    let r = ripen::scan(&repo.path, catalogue(), &ScanOptions::default()).expect("scan");
    let entries: Vec<&str> = r
        .automation
        .entry_points
        .iter()
        .map(|e| e.path.as_str())
        .collect();
    assert!(
        entries.contains(&".github/workflows/ci.yml"),
        "tracked CI hidden by `.*`: {entries:?}"
    );
    assert!(
        !entries.iter().any(|p| p.starts_with(".secrets/")),
        "{entries:?}"
    );
    let walked = ripen::source::walk::walk(&repo.path, &Default::default()).expect("walk");
    let rels: Vec<&str> = walked.files.iter().map(|f| f.rel.as_str()).collect();
    assert!(rels.contains(&"src/new.py"), "{rels:?}");
    assert!(rels.contains(&".gitignore"), "{rels:?}");
    assert!(!rels.contains(&"debug.log"), "{rels:?}");
    assert!(!rels.iter().any(|p| p.starts_with(".git/")), "{rels:?}");
}
