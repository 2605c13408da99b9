//! Criterion benchmarks of the per-file stages (issue 8): the rule matcher alone
//! (`match_doc`: literal prefilter, regexes, structural conditions) and the whole per-file
//! pipeline (`scan_file`: glob decision, read, match, automation facts) on representative
//! documents. Run with `cargo bench --bench matcher`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ripen::Catalogue;
use ripen::matcher::Matcher;
use ripen::pipeline::file_scan::scan_file;
use ripen::read::Document;
use std::hint::black_box;

const TRAIN: &str = r#""""Train the churn model."""
import sys
import mlflow
import mlflow.sklearn
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from .features import build_features


def main(src, out):
    df = build_features(pd.read_parquet(src))
    X_train, X_test, y_train, y_test = train_test_split(df.drop(columns="y"), df.y)
    mlflow.set_experiment("churn")
    with mlflow.start_run():
        model = RandomForestClassifier(n_estimators=300)
        model.fit(X_train, y_train)
        mlflow.log_param("n_estimators", 300)
        mlflow.log_metric("accuracy", model.score(X_test, y_test))
        mlflow.sklearn.log_model(model, "model", registered_model_name="churn")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
"#;

const WORKFLOW: &str = r#"name: train
on:
  push:
    branches: [main]
  pull_request:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -r requirements.txt
      - run: pytest tests
  train:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: dvc repro
      - run: python src/evaluate.py --threshold 0.8
      - run: az ml job create -f jobs/deploy.yml
"#;

fn notebook() -> String {
    let mut cells = vec![
        serde_json::json!({"cell_type": "markdown", "metadata": {}, "source": ["# Explore\n"]}),
        serde_json::json!({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
            "source": ["import pandas as pd\n", "import wandb\n", "wandb.init(project='churn')\n"]}),
    ];
    for i in 0..40 {
        cells.push(
            serde_json::json!({"cell_type": "code", "metadata": {}, "outputs": [],
            "execution_count": i,
            "source": [format!("df{i} = df.groupby('c{i}').mean()\n"), format!("df{i}.head()\n")]}),
        );
    }
    serde_json::to_string_pretty(
        &serde_json::json!({"cells": cells, "metadata": {}, "nbformat": 4}),
    )
    .unwrap()
}

/// ~512 KiB of ordinary Python that no rule matches: the common case in a monorepo.
fn large_plain() -> String {
    let mut s = String::from("import os\nimport json\n\n");
    let mut i = 0;
    while s.len() < 512 * 1024 {
        s.push_str(&format!(
            "def handler_{i}(request, limit={i}):\n    \"\"\"Return the records of page {i}.\"\"\"\n    rows = [r for r in request.rows if r.size < limit]\n    return json.dumps({{'page': {i}, 'rows': rows}})\n\n"
        ));
        i += 1;
    }
    s
}

fn docs() -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("train_py", "ml/churn/src/train.py", TRAIN.to_string()),
        (
            "workflow",
            ".github/workflows/train.yml",
            WORKFLOW.to_string(),
        ),
        ("notebook", "ml/churn/notebooks/explore.ipynb", notebook()),
        (
            "large_plain_py",
            "services/api/src/handlers.py",
            large_plain(),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let cat = Catalogue::load(&[]).expect("built-in rules load");
    let matcher = Matcher::new(&cat.rules).expect("matcher builds");

    let mut g = c.benchmark_group("match_doc");
    for (name, rel, text) in docs() {
        let cands = matcher.candidates(rel);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| {
            b.iter_batched(
                || Document::new(rel, text.clone()),
                |doc| black_box(matcher.match_doc(&doc, &cands)),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();

    let mut g = c.benchmark_group("scan_file");
    for (name, rel, text) in docs() {
        let bytes = text.into_bytes();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                black_box(scan_file(&matcher, rel, bytes.len() as u64, || {
                    Ok(bytes.clone())
                }))
            })
        });
    }
    g.finish();

    c.bench_function("candidates_by_glob", |b| {
        b.iter(|| black_box(matcher.candidates(black_box("services/api/src/handlers.py"))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
