//! The evidence semantics that real repositories taught us (tests/realworld/README.md §Results),
//! each pinned on a tiny repository written into a temporary directory.

use ripen::model::Tier;
use ripen::{Catalogue, Report, ScanOptions};
use std::path::Path;
use std::sync::OnceLock;

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| Catalogue::load(&[]).expect("built-in rules"))
}

fn scan(files: &[(&str, &str)]) -> Report {
    let dir = tempfile::tempdir().unwrap();
    for (p, c) in files {
        let p = dir.path().join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, c).unwrap();
    }
    ripen::scan(Path::new(dir.path()), catalogue(), &ScanOptions::default()).unwrap()
}

fn tier(r: &Report, cap: &str, path: &str) -> Tier {
    r.capability(cap)
        .and_then(|c| {
            c.evidence
                .iter()
                .filter(|e| e.path == path)
                .map(|e| e.tier)
                .max()
        })
        .unwrap_or(Tier::None)
}

const TRAIN: &str = "import sklearn\nfrom sklearn.ensemble import RandomForestClassifier\nmodel = RandomForestClassifier()\nmodel.fit(X, y)\n";

#[test]
fn lint_only_ci_is_not_azure_1_but_a_build_is() {
    let lint = "on: [push, pull_request]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pip install ruff\n      - run: ruff check .\n";
    let r = scan(&[(".github/workflows/lint.yml", lint), ("train.py", TRAIN)]);
    assert_eq!(r.level("azure"), Some(0));
    let build = "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t app .\n";
    let r = scan(&[
        (".github/workflows/build.yml", build),
        ("Dockerfile", "FROM python:3.11\nCOPY train.py .\n"),
        ("train.py", TRAIN),
    ]);
    assert_eq!(r.level("azure"), Some(1));
    // Without its Dockerfile the build fails: no CI build.
    let r = scan(&[(".github/workflows/build.yml", build), ("train.py", TRAIN)]);
    assert_eq!(r.level("azure"), Some(0));
}

#[test]
fn cd_on_its_own_line_moves_the_rest_of_the_run_block() {
    let wf = "on: [push]\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          cd ml\n          python train.py\n";
    let r = scan(&[(".github/workflows/train.yml", wf), ("ml/train.py", TRAIN)]);
    assert_eq!(tier(&r, "model_training", "ml/train.py"), Tier::Automated);
}

#[test]
fn an_azure_pipelines_template_is_not_an_entry_point() {
    let template = "parameters:\n- name: x\n  type: string\nsteps:\n  - script: python train.py\n";
    let r = scan(&[("templates/train.yml", template), ("train.py", TRAIN)]);
    assert_eq!(tier(&r, "model_training", "train.py"), Tier::Implemented);
    let pipeline =
        "trigger: [main]\npool: {vmImage: ubuntu-latest}\nsteps:\n  - script: python train.py\n";
    let r = scan(&[("ops/train.yml", pipeline), ("train.py", TRAIN)]);
    assert_eq!(tier(&r, "model_training", "train.py"), Tier::Automated);
}

#[test]
fn a_tools_own_package_source_only_mentions() {
    // This repository *is* evidently: its own code fitting a classifier is not an ML system.
    let files = [
        ("pyproject.toml", "[project]\nname = \"evidently\"\n"),
        ("src/evidently/__init__.py", ""),
        ("src/evidently/drift.py", TRAIN),
    ];
    let r = scan(&files);
    assert_eq!(
        tier(&r, "model_training", "src/evidently/drift.py"),
        Tier::Mentioned
    );
    // The same code in a project that is not an ML tool is implemented.
    let files = [
        ("pyproject.toml", "[project]\nname = \"churn\"\n"),
        ("src/churn/__init__.py", ""),
        ("src/churn/drift.py", TRAIN),
    ];
    let r = scan(&files);
    assert_eq!(
        tier(&r, "model_training", "src/churn/drift.py"),
        Tier::Implemented
    );
}

#[test]
fn checks_on_pull_requests_gate_a_deployment_on_push() {
    let pr = "on: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n";
    let deploy = "on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f k8s/\n";
    let r = scan(&[
        (".github/workflows/pr.yml", pr),
        (".github/workflows/deploy.yml", deploy),
        ("tests/test_x.py", "def test_x():\n    assert True\n"),
    ]);
    let cd = r.capability("continuous_delivery").unwrap();
    let e = cd
        .evidence
        .iter()
        .find(|e| e.tier == Tier::Automated)
        .unwrap();
    assert!(e.facets.iter().any(|f| f == "gated"), "{:?}", e.facets);

    // Without the pull-request checks, nothing gates it.
    let r = scan(&[(".github/workflows/deploy.yml", deploy)]);
    let cd = r.capability("continuous_delivery").unwrap();
    assert!(
        cd.evidence
            .iter()
            .all(|e| !e.facets.iter().any(|f| f == "gated"))
    );
}

#[test]
fn a_directory_argument_is_data_unless_the_tool_applies_trees() {
    let wf = "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo run -- ml\n      - run: kubectl apply -f k8s/\n";
    let r = scan(&[
        (".github/workflows/ci.yml", wf),
        ("ml/train.py", TRAIN),
        (
            "k8s/isvc.yaml",
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m}\n",
        ),
    ]);
    assert_eq!(tier(&r, "model_training", "ml/train.py"), Tier::Implemented);
    assert_eq!(
        tier(&r, "deployment_manifests", "k8s/isvc.yaml"),
        Tier::Automated
    );
}

#[test]
fn a_cloud_build_file_with_any_name_is_an_external_entry_point() {
    let cb = "steps:\n- name: 'gcr.io/cloud-builders/docker'\n  args: ['build', '-t', 'x', '.']\n- name: 'python:3.11'\n  entrypoint: 'python'\n  args: ['train.py']\n";
    let r = scan(&[("build/pipeline.yaml", cb), ("train.py", TRAIN)]);
    let ev = r.capability("model_training").unwrap();
    let e = ev.evidence.iter().find(|e| e.path == "train.py").unwrap();
    assert_eq!(e.tier, Tier::Automated, "{:?}", e.chain);
    assert_eq!(e.chain[0].path, "build/pipeline.yaml");
}

/// A course repository: a root workflow tests and deploys one exercise (`serving/`), another
/// exercise trains with a Prefect flow and MLflow, with no CI. Pooling them would read as one
/// system with CI/CD around automated training (mlops-zoomcamp: Google 2 / Azure 3).
#[test]
fn ci_confined_to_one_directory_is_not_credited_to_training_elsewhere() {
    let flow = "from prefect import flow\nimport mlflow\nfrom sklearn.ensemble import RandomForestClassifier\n\n@flow\ndef train():\n    mlflow.log_metric(\"auc\", 0.9)\n    RandomForestClassifier().fit(X, y)\n";
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n";
    let ci = |dir: &str| {
        format!(
            "on: [push, pull_request]\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest tests\n        working-directory: {dir}\n      - run: kubectl apply -f k8s/\n        working-directory: {dir}\n      - run: aws lambda update-function-configuration --function-name app\n"
        )
    };
    let files = |wf: &str| -> Vec<(String, String)> {
        vec![
            (".github/workflows/ci.yml".into(), wf.to_string()),
            (
                "serving/app.py".into(),
                "import mlflow\nmodel = mlflow.pyfunc.load_model(uri)\n".into(),
            ),
            (
                "serving/tests/test_app.py".into(),
                "import app\n\ndef test_app():\n    assert app.model\n".into(),
            ),
            ("serving/k8s/deploy.yaml".into(), manifest.into()),
            ("exercise/flow.py".into(), flow.into()),
            (
                "exercise/tests/test_flow.py".into(),
                "from flow import train\n".into(),
            ),
            ("exercise/k8s/deploy.yaml".into(), manifest.into()),
        ]
    };
    let run = |wf: &str| {
        let owned = files(wf);
        let borrowed: Vec<(&str, &str)> = owned
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        scan(&borrowed)
    };
    let r = run(&ci("serving"));
    assert_eq!((r.level("google"), r.level("azure")), (Some(1), Some(1)));
    let note = r.models["azure"].note.as_deref().unwrap_or("");
    assert!(
        note.contains("separate systems") && note.contains("`serving`"),
        "{note}"
    );

    // The same workflow acting where the training lives is that system's CI/CD.
    let r = run(&ci("exercise"));
    assert!(r.level("google") >= Some(2), "{:?}", r.level("google"));
    assert!(r.models["google"].note.is_none());
}

/// Files read that held nothing ripen uses are not kept, but the statistics still count them.
#[test]
fn statistics_count_files_read_that_held_nothing() {
    let notes = "Plain notes with nothing to find.\n";
    let r = scan(&[("train.py", TRAIN), ("docs/notes.md", notes)]);
    assert_eq!(r.stats.files_read, 2);
    assert_eq!(r.stats.bytes_read, (TRAIN.len() + notes.len()) as u64);
}

/// What an entry point reaches answers two questions after the walk: a deployment run by the
/// same workflow as the tests is gated, and a root workflow that runs a sub-project's code is
/// that sub-project's automation.
#[test]
fn an_entrys_reach_gates_its_deployment_and_automates_a_sub_project() {
    let wf = "on: [push]\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest tests\n      - run: kubectl apply -f k8s/\n";
    let r = scan(&[
        (".github/workflows/ship.yml", wf),
        ("tests/test_x.py", "def test_x():\n    assert True\n"),
    ]);
    let cd = r.capability("continuous_delivery").unwrap();
    assert!(
        cd.evidence
            .iter()
            .any(|e| e.tier == Tier::Automated && e.facets.iter().any(|f| f == "gated")),
        "{:?}",
        cd.evidence
    );

    let dir = tempfile::tempdir().unwrap();
    for (p, c) in [
        (
            ".github/workflows/train.yml",
            "on: [push]\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python svc/train.py\n",
        ),
        ("svc/pyproject.toml", "[project]\nname = \"svc\"\n"),
        ("svc/train.py", TRAIN),
    ] {
        let p = dir.path().join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, c).unwrap();
    }
    let opts = ScanOptions {
        per_project: true,
        ..ScanOptions::default()
    };
    let r = ripen::scan(dir.path(), catalogue(), &opts).unwrap();
    let svc = r
        .projects
        .iter()
        .find(|p| p.path == "svc")
        .expect("sub-project svc");
    assert_eq!(
        svc.capabilities.get("ci").copied(),
        Some(Tier::Automated),
        "{:?}",
        svc.capabilities
    );
}

/// A promotion is reported where the version moves to production, not at an earlier move of a
/// candidate alias in the same file (volt-credit-decisioning: an owner reading `candidate` as
/// the deployment would rightly distrust the report).
#[test]
fn a_promotion_points_at_the_move_to_production() {
    let train = "import mlflow\nfrom mlflow import MlflowClient\nclient = MlflowClient()\nif candidate:\n    client.set_registered_model_alias(NAME, \"candidate\", v)\nelse:\n    client.set_registered_model_alias(NAME, \"production\", v)\n";
    let r = scan(&[("src/train.py", train)]);
    let lines: Vec<Option<u32>> = r
        .capability("environment_promotion")
        .map(|c| c.evidence.iter().map(|e| e.line).collect())
        .unwrap_or_default();
    assert_eq!(lines, vec![Some(7)]);
}

/// A scheduled Kubernetes job whose container runs its image's own `CMD` runs the Dockerfile
/// named for the last words of the image's name when nothing in the repository tags it
/// (`acme/churn-retrain` → `docker/retrain.dockerfile`).
#[test]
fn an_image_with_a_project_prefix_finds_its_dockerfile() {
    let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: retrain}\nspec:\n  schedule: \"0 4 * * 1\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: retrain\n              image: registry.example.com/acme/churn-retrain:latest\n          restartPolicy: Never\n";
    let docker = "FROM python:3.11-slim\nWORKDIR /app\nCOPY train.py /app/train.py\nCMD [\"python\", \"/app/train.py\"]\n";
    let r = scan(&[
        ("k8s/retrain-cronjob.yaml", cron),
        ("docker/retrain.dockerfile", docker),
        ("docker/train.py", TRAIN),
    ]);
    assert_eq!(
        tier(&r, "model_training", "docker/train.py"),
        Tier::Automated
    );
}
