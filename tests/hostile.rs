//! Hostile repositories: ripen runs on untrusted pull requests and on trees nobody cleaned.
//!
//! Every test builds its tree at run time in a temporary directory (nothing hostile is
//! committed): symlink loops, links out of the root, FIFOs, devices, multi-GiB sparse files,
//! binaries with source extensions, invalid UTF-8 in names and contents, CRLF and BOM, very deep
//! directories, YAML bombs, 50,000-deep nesting and broken YAML, JSON and notebooks, beside a
//! real small ML project (a copy of `fixtures/dvc-mlflow`). The scan must not panic, hang,
//! read outside the root, execute anything, write anything or touch the network; it must warn
//! about the broken files and give the project the verdict it gets alone.
//!
//! Hangs fail rather than stall CI: the binary runs under assert_cmd's timeout and library
//! scans on a thread watched with `recv_timeout`.

#![cfg(unix)]

mod common;
use assert_cmd::Command;
use common::{assert_success, ripen};
use ripen::{Catalogue, Report, ScanOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Far above what a scan takes (seconds, even in a debug build on a busy 2-core machine):
/// only a hang reaches it.
const GUARD: Duration = Duration::from_secs(240);
/// A string only the files outside the scanned root contain.
const OUTSIDE_MARKER: &str = "OUTSIDE_THE_ROOT_7f3a9c";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| Catalogue::load(&[]).expect("built-in rules load"))
}

/// The library scan on its own thread, so that a hang fails the test instead of CI.
fn scan_lib(root: &Path) -> Report {
    let (tx, rx) = std::sync::mpsc::channel();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let r = ripen::scan(&root, catalogue(), &ScanOptions::default());
        let _ = tx.send(r.map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(GUARD) {
        Ok(r) => r.expect("scan succeeds"),
        Err(e) => panic!("library scan did not finish within {GUARD:?}: {e}"),
    }
}

/// `ripen scan --format json`: exit 0 and the parsed report.
fn scan_bin(root: &Path) -> Value {
    let out = ripen()
        .args(["scan", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    assert_success(&out);
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn levels_json(v: &Value) -> (Value, Value) {
    (
        v["models"]["google"]["level"].clone(),
        v["models"]["azure"]["level"].clone(),
    )
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            fs::copy(&p, &t).unwrap();
        }
    }
}

fn mkfifo(p: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .is_ok_and(|s| s.success())
}

/// Every path of a report's evidence, chains included.
fn evidence_paths(r: &Report) -> Vec<String> {
    let v = serde_json::to_value(r).unwrap();
    let mut out = Vec::new();
    for c in v["capabilities"].as_array().unwrap() {
        for e in c["evidence"].as_array().into_iter().flatten() {
            out.push(e["path"].as_str().unwrap_or_default().to_string());
            for h in e["chain"].as_array().into_iter().flatten() {
                out.push(h["path"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    out
}

/// The files outside the root that links point at. One is a FIFO: if anything opened it, the
/// scan would block and the guard would fail the test.
fn make_outside(outside: &Path) {
    fs::create_dir_all(outside.join(".github/workflows")).unwrap();
    fs::write(
        outside.join("secret_train.py"),
        format!(
            "# {OUTSIDE_MARKER}\nimport mlflow\nfrom sklearn.linear_model import LogisticRegression\n\
             mlflow.log_metric('{OUTSIDE_MARKER}', 1)\nmlflow.sklearn.log_model(m, 'model', registered_model_name='x')\n"
        ),
    )
    .unwrap();
    fs::write(
        outside.join(".github/workflows/deploy.yml"),
        format!(
            "# {OUTSIDE_MARKER}\non:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f k8s/\n      - run: python secret_train.py\n"
        ),
    )
    .unwrap();
    mkfifo(&outside.join("pipe.py"));
}

/// Files the walk can't read or shouldn't: links, loops, special files, huge files, binaries.
fn add_filesystem_hazards(root: &Path, outside: &Path) {
    // Links out of the root, to a file, a directory, a FIFO and a CI workflow.
    symlink(
        outside.join("secret_train.py"),
        root.join("escape_train.py"),
    )
    .unwrap();
    symlink(outside, root.join("escape_dir")).unwrap();
    symlink(outside.join("pipe.py"), root.join("escape_pipe.py")).unwrap();
    symlink(
        outside.join(".github/workflows/deploy.yml"),
        root.join(".github/workflows/deploy.yml"),
    )
    .unwrap();
    symlink(
        "../../../../../../../../../../../../etc/passwd",
        root.join("passwd.yml"),
    )
    .unwrap();
    // Loops: to itself, to the root, to a parent, and a two-link cycle.
    symlink(".", root.join("loop_self")).unwrap();
    symlink(root, root.join("loop_root")).unwrap();
    symlink("..", root.join("src/loop_up")).unwrap();
    symlink("cycle_b", root.join("cycle_a.py")).unwrap();
    symlink("cycle_a.py", root.join("cycle_b")).unwrap();
    symlink("does/not/exist.py", root.join("dangling.py")).unwrap();
    // Devices through links.
    symlink("/dev/zero", root.join("zero.py")).unwrap();
    symlink("/dev/urandom", root.join("random.yml")).unwrap();
    symlink("/dev/stdin", root.join("stdin.ipynb")).unwrap();
    // FIFOs named like the files ripen reads first.
    assert!(mkfifo(&root.join("fifo_train.py")), "mkfifo");
    mkfifo(&root.join(".gitlab-ci.yml"));
    mkfifo(&root.join("Makefile"));
    // A real character device, where we may create one (root); skipped elsewhere.
    let _ = std::process::Command::new("mknod")
        .args([
            root.join("null_dev.py").as_os_str(),
            "c".as_ref(),
            "1".as_ref(),
            "3".as_ref(),
        ])
        .stderr(std::process::Stdio::null())
        .status();
    // Huge sparse files: skipped by size, never read (reading them would take minutes).
    for name in ["huge_train.py", "weights/model.pkl", "data/huge.json"] {
        let p = root.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::File::create(&p)
            .unwrap()
            .set_len(6 * 1024 * 1024 * 1024)
            .unwrap();
    }
    // Binaries with source extensions, carrying what would be evidence as text.
    let mut bin = b"\x7fELF\x02\x01\x01\0\0\0".to_vec();
    bin.extend_from_slice(b"\nimport mlflow\nmlflow.log_metric('x', 1)\non:\n  schedule:\n");
    bin.extend((0..=255u8).cycle().take(20_000));
    fs::write(root.join("binary_train.py"), &bin).unwrap();
    fs::write(root.join(".github/workflows/binary.yml"), &bin).unwrap();
    fs::write(root.join("notebooks_binary.ipynb"), &bin).unwrap();
    // 300 nested directories with a file at the bottom.
    let mut deep = root.join("deep");
    for _ in 0..300 {
        deep.push("d");
    }
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("bottom.py"), "import os\n").unwrap();
    // Invalid UTF-8 in a file name and in contents.
    fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"bad\xff\xfename.py")),
        b"import mlflow\nmlflow.log_metric('a\xff\xfe', 1)\n\xc3\x28\n",
    )
    .unwrap();
    fs::write(root.join("latin1.yml"), b"name: caf\xe9\non: push\n").unwrap();
    // Unreadable file (root reads it anyway; others get a warning, never a failure).
    let locked = root.join("locked.py");
    fs::write(&locked, "import mlflow\n").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // A very long line without a newline, and an empty file with a CI name.
    fs::write(root.join("long_line.py"), "x=1;".repeat(100_000)).unwrap();
    fs::write(root.join("azure-pipelines.yml"), "").unwrap();
}

fn alias_bomb() -> String {
    let mut bomb = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    let mut prev = "a".to_string();
    for i in 0..9 {
        let name = format!("b{i}");
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    bomb
}

/// A Kubernetes manifest head: ripen parses a YAML file only when a rule or the automation graph
/// could read it (here: a key a structural rule needs, and a path value).
const MANIFEST: &str = "apiVersion: apps/v1\nkind: Deployment\n";

/// A JSON head that the compiled-Kubeflow-pipeline rule parses the document for.
fn kfp_json(rest: &str) -> String {
    format!(
        "{{\"pipelineInfo\": {{\"name\": \"p\"}}, \"sdkVersion\": \"kfp-2.7.0\", \"a\": {rest}}}"
    )
}

/// Broken and adversarial YAML, JSON, notebooks, Makefiles and scripts. Returns the paths that
/// must be reported as warnings. Every structured document here is one ripen must parse; a
/// broken data file that no rule and no graph step reads is not parsed at all.
fn add_parser_hazards(root: &Path) -> Vec<&'static str> {
    let n = 50_000;
    let deep_seq = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let deep_map = format!("{}1{}", "a: {".repeat(n), "}".repeat(n));
    let deep_json = format!("{}1{}", "{\"a\": ".repeat(n), "}".repeat(n));
    let files: Vec<(&'static str, String, bool)> = vec![
        // (path, content, must warn)
        (".github/workflows/bomb.yml", alias_bomb(), true),
        (".github/workflows/deep-seq.yml", deep_seq.clone(), true),
        (
            ".github/workflows/deep-run.yml",
            format!("on: push\njobs:\n  a:\n    steps:\n      - run: {deep_map}\n"),
            true,
        ),
        ("k8s/deep-map.yaml", format!("{MANIFEST}{deep_map}"), true),
        ("k8s/bomb.yaml", format!("{MANIFEST}{}", alias_bomb()), true),
        ("conf/deep.json", kfp_json(&deep_json), true),
        ("conf/deep-array.json", kfp_json(&deep_seq), true),
        (
            "notebooks/deep.ipynb",
            format!("{{\"cells\": {deep_seq}}}"),
            true,
        ),
        (
            "notebooks/deep-source.ipynb",
            format!("{{\"cells\": [{{\"cell_type\": \"code\", \"source\": {deep_seq}}}]}}"),
            true,
        ),
        (
            "broken.yml",
            format!("{MANIFEST}a: [1, 2\nb: c\n  - d\n"),
            true,
        ),
        (
            ".circleci/config.yml",
            "version: 2.1\njobs: {build: [\n".into(),
            true,
        ),
        ("conf/broken.json", kfp_json("[1, 2,\n"), true),
        (
            "notebooks/broken.ipynb",
            "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"import mlflow\\n\"".into(),
            true,
        ),
        ("notebooks/not-a-notebook.ipynb", "[1, 2, 3]".into(), true),
        (
            "notebooks/wrong-types.ipynb",
            "{\"cells\": [{\"cell_type\": 7, \"source\": {\"a\": 1}}]}".into(),
            true,
        ),
        // Lines a notebook reader can't find in the raw file (one big `source` string): once
        // a quadratic search.
        ("notebooks/one-string.ipynb", one_string_notebook(), false),
        // Recursion through the automation graph.
        (
            "hostile.mk",
            "loop:\n\t$(MAKE) -f hostile.mk loop\n\tmake loop\nall: all\n\t$(MAKE) all\n".into(),
            false,
        ),
        (
            "scripts/a.sh",
            "#!/bin/sh\n. scripts/b.sh\nbash scripts/a.sh\n".into(),
            false,
        ),
        (
            "scripts/b.sh",
            "#!/bin/sh\nsource scripts/a.sh\nsh ./scripts/b.sh\n".into(),
            false,
        ),
        (
            "scripts/many.sh",
            "python -m a.b.c && cd x && make y || bash z.sh; ".repeat(5_000),
            false,
        ),
        (
            "scripts/quotes.sh",
            "echo \"unterminated 'quote $(( `nested\n\\\n'\n\"\"\"\n".into(),
            false,
        ),
        (
            "Jenkinsfile",
            "pipeline { stages { stage('x') { steps { sh '''\n".repeat(2_000),
            false,
        ),
        (
            "dvc-broken/dvc.yaml",
            "stages:\n  train:\n    cmd: [\n".into(),
            true,
        ),
        ("tabs.yml", format!("{MANIFEST}a:\n\tb: c\n"), true),
        ("many-docs.yml", "---\n".repeat(5_000), false),
        (
            "nul-in-middle.yml",
            format!("{}\0", "a: b\n".repeat(3_000)),
            false,
        ),
    ];
    let mut warn = Vec::new();
    for (path, content, must_warn) in files {
        let p = root.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, content).unwrap();
        if must_warn {
            warn.push(path);
        }
    }
    warn
}

fn one_string_notebook() -> String {
    let src: Vec<String> = (0..20_000).map(|i| format!("x{i} = {i}")).collect();
    serde_json::json!({
        "cells": [{"cell_type": "code", "source": src.join("\n")}],
        "nbformat": 4
    })
    .to_string()
}

/// The project's own files, rewritten with CRLF line ends and a BOM: the verdict must not
/// change.
fn crlf_and_bom(root: &Path) {
    for rel in [
        ".github/workflows/ci.yml",
        "dvc.yaml",
        "src/train.py",
        "params.yaml",
    ] {
        let p = root.join(rel);
        let text = fs::read_to_string(&p).unwrap();
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
        fs::write(&p, bytes).unwrap();
    }
}

struct Hostile {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    outside: PathBuf,
    warn: Vec<&'static str>,
}

fn hostile_tree() -> Hostile {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    let outside = tmp.path().join("outside");
    copy_dir(&fixtures().join("dvc-mlflow"), &root);
    make_outside(&outside);
    crlf_and_bom(&root);
    add_filesystem_hazards(&root, &outside);
    let warn = add_parser_hazards(&root);
    Hostile {
        _tmp: tmp,
        root,
        outside,
        warn,
    }
}

fn baseline() -> &'static Report {
    static B: OnceLock<Report> = OnceLock::new();
    B.get_or_init(|| scan_lib(&fixtures().join("dvc-mlflow")))
}

#[test]
fn hostile_tree_gets_the_verdict_of_the_project_inside_it() {
    let h = hostile_tree();
    let base = baseline();
    assert_eq!(base.level("google"), Some(1), "fixture baseline changed");

    // The library.
    let r = scan_lib(&h.root);
    assert_eq!(r.level("google"), base.level("google"));
    assert_eq!(r.level("azure"), base.level("azure"));

    // Nothing outside the root, nothing through a link, nothing from a special file.
    let paths = evidence_paths(&r);
    for p in &paths {
        for bad in [
            "escape_",
            "loop_",
            "cycle_",
            "dangling",
            "zero.py",
            "random.yml",
            "stdin",
            "fifo",
            "null_dev",
            "passwd",
            "binary",
            "huge_",
            "deploy.yml",
        ] {
            assert!(!p.contains(bad), "evidence from {p}");
        }
        assert!(
            !p.starts_with('/') && !p.contains(".."),
            "evidence outside the root: {p}"
        );
    }
    // A file whose name is not UTF-8 is still read (its path is reported lossily).
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("bad") && p.ends_with("name.py")),
        "the file with a non-UTF-8 name was not read: {paths:?}"
    );
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        !json.contains(OUTSIDE_MARKER),
        "a file outside the root was read"
    );
    assert!(
        !json.contains(h.outside.to_str().unwrap()),
        "the outside directory is named"
    );
    // Nothing deploys or runs on a schedule in the project; the linked-in workflow outside
    // does both, and must not count.
    for id in [
        "continuous_delivery",
        "continuous_training_trigger",
        "model_registry",
    ] {
        let tier = |r: &Report| r.capabilities.iter().find(|c| c.id == id).map(|c| c.tier);
        assert_eq!(tier(&r), tier(base), "{id}");
    }

    // What was skipped is counted.
    let s = &r.stats.skipped;
    assert!(s.symlinks >= 14, "symlinks: {s:?}");
    assert!(s.special >= 3, "FIFOs and devices: {s:?}");
    assert!(s.too_large >= 3, "sparse files: {s:?}");
    assert!(s.binary >= 3, "binaries: {s:?}");
    assert!(
        r.stats.bytes_read < 64 * 1024 * 1024,
        "read {} bytes: the sparse files were read",
        r.stats.bytes_read
    );

    // Every broken file is a warning with a position; none is silently dropped.
    for w in &h.warn {
        assert!(
            r.warnings.iter().any(|x| x.starts_with(&format!("{w}:"))),
            "no warning for {w}; warnings: {:#?}",
            r.warnings
        );
    }
    for w in &r.warnings {
        assert!(!w.contains('\n'), "multi-line warning: {w}");
        assert!(w.len() < 600, "overlong warning: {w}");
    }

    // The binary: exit 0, the same levels, the same warnings.
    let v = scan_bin(&h.root);
    assert_eq!(
        levels_json(&v),
        (
            serde_json::json!(base.level("google")),
            serde_json::json!(base.level("azure"))
        )
    );
    assert!(!v.to_string().contains(OUTSIDE_MARKER));
    let warnings: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for w in &h.warn {
        assert!(
            warnings.iter().any(|x| x.starts_with(&format!("{w}:"))),
            "binary: no warning for {w}"
        );
    }

    // Text output (the default) as well: no panic on the odd names.
    let out = ripen().arg("scan").arg(&h.root).output().unwrap();
    assert_success(&out);
    assert!(out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn walk_reaches_deep_trees_and_never_follows_links() {
    let h = hostile_tree();
    let w =
        ripen::source::walk::walk(&h.root, &ripen::source::walk::WalkOptions::default()).unwrap();
    let rels: Vec<&str> = w.files.iter().map(|f| f.rel.as_str()).collect();
    let bottom = format!("deep/{}bottom.py", "d/".repeat(300));
    assert!(
        rels.contains(&bottom.as_str()),
        "the 300-deep file was not reached"
    );
    for f in &w.files {
        let abs = f.path(&h.root);
        assert!(
            abs.starts_with(&h.root),
            "{} is outside the root",
            abs.display()
        );
        let meta = fs::symlink_metadata(&abs).unwrap();
        assert!(
            meta.file_type().is_file(),
            "{} is not a regular file",
            f.rel
        );
        assert!(
            !f.rel.starts_with("escape_") && !f.rel.starts_with("loop_"),
            "{}",
            f.rel
        );
    }
    // Each listed once: a loop would list files again under loop_self/...
    let mut sorted = rels.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), rels.len());
    assert!(w.large.iter().any(|l| l.path == "weights/model.pkl"));
}

#[test]
fn fifos_and_devices_do_not_block() {
    // Nothing but special files, named as what ripen reads first. If the walker opened any,
    // the scan would block forever and the guard would fail the test.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    let mut fifos = 0;
    for name in [
        ".github/workflows/ci.yml",
        "train.py",
        "dvc.yaml",
        "Makefile",
        "pyproject.toml",
        "notebook.ipynb",
        "requirements.txt",
    ] {
        assert!(mkfifo(&root.join(name)), "mkfifo {name}");
        fifos += 1;
    }
    // `.ripen.yml` as a FIFO: config discovery must not open it either.
    assert!(mkfifo(&root.join(".ripen.yml")));
    symlink("/dev/zero", root.join("zero.yml")).unwrap();
    let r = scan_lib(root);
    assert!(r.stats.skipped.special >= fifos, "{:?}", r.stats.skipped);
    assert_eq!(r.stats.files_read, 0);
    let v = scan_bin(root);
    assert_eq!(v["stats"]["files_read"], 0);
}

#[test]
fn deep_and_bomb_documents_alone_each_warn_and_exit_0() {
    // One file per tree, so that each parser path is exercised on its own (the combination is
    // covered above). Nesting this deep once overflowed the stack of a scan worker thread.
    let n = 50_000;
    let deep_seq = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let deep_map = format!("{}1{}", "a: {".repeat(n), "}".repeat(n));
    let block: String = (0..1_000)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect();
    let cases: Vec<(&str, String)> = vec![
        (".github/workflows/ci.yml", deep_seq.clone()),
        (".github/workflows/ci.yml", deep_map.clone()),
        (".github/workflows/ci.yml", block.clone()),
        (".github/workflows/ci.yml", alias_bomb()),
        (".gitlab-ci.yml", deep_map.clone()),
        ("azure-pipelines.yml", block),
        ("dvc.yaml", deep_seq.clone()),
        ("k8s/deploy.yaml", format!("{MANIFEST}{deep_map}")),
        (
            "pipeline.json",
            kfp_json(&format!("{}1{}", "{\"a\": ".repeat(n), "}".repeat(n))),
        ),
        ("nb.ipynb", format!("{{\"cells\": {deep_seq}}}")),
    ];
    for (path, content) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, content).unwrap();
        let v = scan_bin(tmp.path());
        let warnings = v["warnings"].to_string();
        assert!(warnings.contains(path), "{path}: no warning: {warnings}");
    }
}

// ---------------------------------------------------------------------------------------------
// ripen never executes repository code, never writes into it, needs no network.

/// A repository whose every runnable thing would create a marker file if anything ran it.
fn booby_trapped(marker_dir: &Path) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    copy_dir(&fixtures().join("dvc-mlflow"), &root);
    let m = |name: &str| marker_dir.join(name).display().to_string();
    let w = |rel: &str, text: String| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
    };
    w(
        "Makefile",
        format!("train:\n\ttouch {}\n\tpython src/train.py\n", m("make")),
    );
    w("scripts/run.sh", format!("#!/bin/sh\ntouch {}\n", m("sh")));
    w(
        "setup.py",
        format!(
            "open({:?}, 'w').close()\nfrom setuptools import setup\nsetup(name='x')\n",
            m("setup_py")
        ),
    );
    w(
        "conftest.py",
        format!("open({:?}, 'w').close()\n", m("conftest")),
    );
    w("noxfile.py", format!("open({:?}, 'w').close()\n", m("nox")));
    w(
        "src/__main__.py",
        format!("import os\nos.system('touch {}')\n", m("main")),
    );
    w(
        ".github/workflows/run.yml",
        format!(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: touch {}\n      - run: make train\n      - run: bash scripts/run.sh\n",
            m("workflow")
        ),
    );
    w(
        "dvc.yaml",
        format!(
            "{}\n  trap:\n    cmd: touch {}\n",
            fs::read_to_string(root.join("dvc.yaml"))
                .unwrap()
                .trim_end(),
            m("dvc")
        ),
    );
    w(".envrc", format!("touch {}\n", m("direnv")));
    w(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: x\n        name: x\n        entry: touch {}\n        language: system\n",
            m("precommit")
        ),
    );
    for (name, ext) in [("pyproject", "toml"), ("tox", "ini")] {
        w(&format!("{name}.{ext}"), format!("# touch {}\n", m(name)));
    }
    let sh = root.join("scripts/run.sh");
    fs::set_permissions(&sh, fs::Permissions::from_mode(0o755)).unwrap();
    // A git repository whose hooks and fsmonitor would run on git operations.
    if std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(&root)
        .status()
        .is_ok_and(|s| s.success())
    {
        let hooks = root.join(".git/hooks");
        fs::create_dir_all(&hooks).unwrap();
        for hook in [
            "post-checkout",
            "pre-commit",
            "post-index-change",
            "fsmonitor-watchman",
        ] {
            let p = hooks.join(hook);
            fs::write(&p, format!("#!/bin/sh\ntouch {}\n", m(hook))).unwrap();
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let _ = std::process::Command::new("git")
            .args([
                "config",
                "core.fsmonitor",
                &format!("touch {}", m("fsmonitor")),
            ])
            .current_dir(&root)
            .status();
    }
    tmp
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u64, i64, i64, u32)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let m = fs::symlink_metadata(&p).unwrap();
            out.insert(
                p.strip_prefix(root).unwrap().to_path_buf(),
                (m.len(), m.mtime(), m.mtime_nsec(), m.mode()),
            );
            if m.is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

#[test]
fn never_executes_repository_code() {
    let markers = tempfile::tempdir().unwrap();
    let tmp = booby_trapped(markers.path());
    let root = tmp.path().join("repo");
    scan_lib(&root);
    scan_bin(&root);
    ripen().arg("scan").arg(&root).assert().success();
    ripen()
        .args(["scan", "--format", "json", "--per-project"])
        .arg(&root)
        .timeout(GUARD)
        .output()
        .unwrap();
    let created: Vec<_> = fs::read_dir(markers.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(created.is_empty(), "repository code ran: {created:?}");
}

#[test]
fn never_writes_into_the_scanned_repository() {
    let markers = tempfile::tempdir().unwrap();
    let tmp = booby_trapped(markers.path());
    let root = tmp.path().join("repo");
    let before = snapshot(&root);
    scan_lib(&root);
    scan_bin(&root);
    ripen().arg("scan").arg(&root).assert().success();
    assert_eq!(before, snapshot(&root), "the scan changed the repository");

    // A read-only copy scans the same. (As root, permissions don't stop writes; the snapshot
    // above is the proof there, this shows nothing *needs* to be written.)
    let ro = tmp.path().join("readonly");
    copy_dir(&fixtures().join("dvc-mlflow"), &ro);
    let expected = levels_json(&scan_bin(&ro));
    let _ = std::process::Command::new("chmod")
        .args(["-R", "a-w"])
        .arg(&ro)
        .status();
    let ro_before = snapshot(&ro);
    assert_eq!(levels_json(&scan_bin(&ro)), expected);
    assert_eq!(ro_before, snapshot(&ro));
    let _ = std::process::Command::new("chmod")
        .args(["-R", "u+w"])
        .arg(&ro)
        .status();
}

#[test]
fn needs_no_network() {
    // The strongest check available: the binary in a network namespace with no interfaces
    // but a down loopback. `unshare -n` needs root or user namespaces; without them, fall
    // back to proving that no network client is linked into the binary.
    let bin = assert_cmd::cargo::cargo_bin("ripen");
    let root = fixtures().join("dvc-mlflow");
    let expected = levels_json(&scan_bin(&root));
    let can_unshare = std::process::Command::new("unshare")
        .args(["-n", "true"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if can_unshare {
        let out = Command::new("unshare")
            .arg("-n")
            .arg(&bin)
            .args(["scan", "--format", "json"])
            .arg(&root)
            .env("NO_COLOR", "1")
            .timeout(GUARD)
            .output()
            .unwrap();
        assert_success(&out);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(levels_json(&v), expected);
    } else {
        eprintln!("unshare -n unavailable: checking the linked crates only");
    }
    // No HTTP, TLS or SSH client is built into ripen (libgit2 comes without transports).
    // `reqwest` and friends are in Cargo.lock only through dev-dependencies.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--locked",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ])
        .args(["--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    assert!(
        tree.lines().any(|l| l.starts_with("git2 ")),
        "unexpected cargo tree output"
    );
    for krate in [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "rustls",
        "openssl",
        "native-tls",
        "libssh2-sys",
        "tokio",
        "isahc",
        "attohttpc",
    ] {
        assert!(
            !tree.lines().any(|l| l.starts_with(&format!("{krate} "))),
            "ripen depends on the network crate {krate}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Redaction: secrets written literally in CI commands and code never reach a report.

#[test]
fn secrets_never_reach_any_report_format() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    copy_dir(&fixtures().join("dvc-mlflow"), &root);
    let secrets = [
        "abcdef0123456789abcdef0123456789",
        "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
        "hunter2hunter2",
        "c2VjcmV0a2V5c2VjcmV0a2V5",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp",
    ];
    fs::write(
        root.join(".github/workflows/train.yml"),
        format!(
            "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n\
             \x20     - run: |\n\
             \x20         curl -H \"Authorization: Bearer {}\" https://api.example.com && python src/train.py --password {}\n\
             \x20         GITHUB_TOKEN={} bash scripts/deploy.sh --token {}\n\
             \x20         AZURE_STORAGE_CONNECTION_STRING='DefaultEndpointsProtocol=https;AccountName=a;AccountKey={}' ./missing.sh\n",
            secrets[0], secrets[2], secrets[1], secrets[4], secrets[3]
        ),
    )
    .unwrap();
    fs::create_dir_all(root.join("scripts")).unwrap();
    fs::write(
        root.join("scripts/deploy.sh"),
        format!(
            "#!/bin/sh\nmlflow models serve -m models:/x/1 --password {}\n",
            secrets[2]
        ),
    )
    .unwrap();
    let train = fs::read_to_string(root.join("src/train.py")).unwrap();
    fs::write(
        root.join("src/train.py"),
        train.replace(
            "mlflow.set_experiment(EXPERIMENT)",
            &format!("mlflow.set_experiment(EXPERIMENT)  # token={}", secrets[1]),
        ),
    )
    .unwrap();
    let v = scan_bin(&root);
    // The chains through the scheduled workflow are there, redacted rather than dropped.
    let all = v.to_string();
    assert!(all.contains("python src/train.py --password ***"), "{v:#}");
    assert!(
        v["warnings"].as_array().unwrap().is_empty(),
        "{:#}",
        v["warnings"]
    );
    for format in ["text", "json", "markdown", "sarif", "github"] {
        let out = ripen()
            .args(["scan", "--format", format])
            .arg(&root)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        for s in secrets {
            assert!(!text.contains(s), "{format} output leaks {s}:\n{text}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Control characters: names and contents from the repository never reach a terminal or a CI log
// raw, where a newline starts a workflow command and an escape sequence sets the title or the
// clipboard (OSC 52).

/// A line of output that the GitHub runner or a terminal would act on.
fn assert_inert(what: &str, out: &str) {
    for c in out.chars() {
        assert!(
            c == '\n' || !c.is_control(),
            "{what}: raw control character {:?} in:\n{}",
            c,
            out.escape_debug()
        );
    }
    for line in out.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "{what}: a line starts a workflow command: {line:?}"
        );
    }
}

#[test]
fn control_characters_in_names_never_reach_text_output_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    copy_dir(&fixtures().join("dvc-mlflow"), &root);
    let evil = "m\n::add-mask::x\r\x1b]52;c;aGk=\x07\x1b[2J\u{9b}31m";
    // A model binary (listed by name) and the only CI workflow (cited as evidence).
    fs::create_dir_all(root.join("artifacts")).unwrap();
    fs::write(root.join(format!("artifacts/{evil}.pkl")), vec![0u8; 4096]).unwrap();
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::write(
        root.join(format!(".github/workflows/{evil}.yml")),
        "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest tests\n",
    )
    .unwrap();
    let out = ripen()
        .args(["scan", "--format", "text", "--max-file-size", "1024"])
        .arg(&root)
        .output()
        .unwrap();
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    for shown in [".pkl (4 KiB)", ".yml:2  (push, pull_request)"] {
        assert!(
            text.contains(&format!(
                "m\\n::add-mask::x\\r\\x1b]52;c;aGk=\\x07\\x1b[2J\\u{{9b}}31m{shown}"
            )),
            "the name is shown, escaped:\n{text}"
        );
    }
    assert_inert("scan --format text", &text);
    assert_inert("scan stderr", &String::from_utf8_lossy(&out.stderr));
}

/// The same names in every format: no raw control character (JSON, XML and HTML escape them,
/// the log formats show them escaped), and no line a CI runner would read as a command other
/// than the format's own annotations.
#[test]
fn control_characters_in_names_reach_no_format_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    copy_dir(&fixtures().join("dvc-mlflow"), &root);
    let evil = "m\n::add-mask::x\r##vso[task.complete result=Succeeded]\x1b]52;c;aGk=\x07\u{9b}31m";
    fs::create_dir_all(root.join("artifacts")).unwrap();
    fs::write(root.join(format!("artifacts/{evil}.pkl")), vec![0u8; 4096]).unwrap();
    fs::write(
        root.join(format!("{evil}.py")),
        "import mlflow\nmlflow.log_metric('a', 1)\n",
    )
    .unwrap();
    for format in [
        "text", "json", "markdown", "html", "sarif", "github", "gitlab", "azure", "junit",
    ] {
        let out = ripen()
            .args([
                "scan",
                "--max-file-size",
                "1024",
                "--per-project",
                "--format",
                format,
            ])
            .args(["--fail-under", "azure=4"])
            .arg(&root)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for c in text.chars() {
            assert!(
                c == '\n' || !c.is_control(),
                "{format}: raw control character {c:?} in:\n{}",
                text.escape_debug()
            );
        }
        for line in text.lines() {
            let l = line.trim_start();
            assert!(
                !l.starts_with("::add-mask::") && !l.starts_with("::stop-commands::"),
                "{format}: {line:?}"
            );
            if format != "github" {
                assert!(!l.starts_with("::"), "{format}: {line:?}");
            }
            if format != "azure" {
                assert!(!l.contains("##vso["), "{format}: {line:?}");
            } else if let Some(i) = l.find("##vso[") {
                assert_eq!(i, 0, "{format}: a command inside a line: {line:?}");
                assert!(!l[1..].contains("##vso["), "{format}: {line:?}");
            }
        }
    }
}
