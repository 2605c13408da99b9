#!/usr/bin/env python3
"""Generate a synthetic monorepo for ripen's benchmarks (issue 8).

Reproducible: the same --files and --seed give byte-identical trees. Python 3 standard
library only.

    python3 scripts/gen-monorepo.py --files 60000 --out /tmp/ripen-bench/mono-60k

The tree is mostly ordinary source (Python, JavaScript, Go, Markdown, JSON, YAML) of realistic
sizes (a few hundred bytes to ~40 KiB, median ~3 KiB) spread over services and packages, with
ML tooling sprinkled in: GitHub Actions workflows, dvc.yaml pipelines, training scripts that use
MLflow, Kubernetes manifests (Deployments, CronJobs, KServe InferenceServices), notebooks, a
Makefile and a .gitignore. About 2% of the files are ML evidence, as in a real product monorepo
with a few ML teams in it.
"""

import argparse
import json
import os
import random
import shutil

WORDS = (
    "user order item price cart session token cache queue event stream batch record field "
    "value index shard region tenant account invoice payment ledger metric report client "
    "server request response handler router config loader parser writer reader buffer "
    "feature label dataset model score rank embed vector window offset limit retry timeout"
).split()


def ident(r, n=2):
    return "_".join(r.choice(WORDS) for _ in range(n))


def camel(r, n=2):
    return "".join(r.choice(WORDS).capitalize() for _ in range(n))


def size_target(r):
    # Log-normal-ish: median ~3 KiB, long tail to ~40 KiB.
    return int(min(40_000, max(200, r.lognormvariate(8.0, 0.9))))


def python_src(r, target):
    out = [
        '"""%s module."""' % camel(r),
        "import os",
        "import json",
        "from typing import Any, Dict, List",
        "from .%s import %s" % (ident(r, 1), camel(r)),
        "",
    ]
    size = sum(len(x) + 1 for x in out)
    while size < target:
        fn = ident(r)
        a, b = ident(r, 1), ident(r, 1)
        block = [
            "",
            "def %s(%s: Dict[str, Any], %s: int = %d) -> List[str]:" % (fn, a, b, r.randint(0, 99)),
            '    """Return the %s of %s."""' % (ident(r, 1), ident(r, 1)),
            "    result = []",
            "    for key, val in %s.items():" % a,
            "        if len(key) > %s:" % b,
            "            result.append(f\"{key}={val}\")  # %s" % ident(r, 3).replace("_", " "),
            "    os.environ.get(%r, %r)" % (ident(r).upper(), ident(r, 1)),
            "    return sorted(result)",
        ]
        out.extend(block)
        size += sum(len(x) + 1 for x in block)
    return "\n".join(out) + "\n"


def js_src(r, target):
    out = ["'use strict';", "const %s = require('./%s');" % (camel(r, 1), ident(r, 1)), ""]
    size = 60
    while size < target:
        fn = camel(r)
        block = [
            "",
            "export async function %s(%s, options = {}) {" % (fn[0].lower() + fn[1:], ident(r, 1)),
            "  const %s = await fetch(`/api/%s/${%s.id}`);" % (ident(r, 1), ident(r, 1), ident(r, 1)),
            "  if (!%s.ok) { throw new Error('%s failed'); }" % (ident(r, 1), fn),
            "  // %s" % ident(r, 4).replace("_", " "),
            "  return { ...options, %s: %d };" % (ident(r, 1), r.randint(0, 9999)),
            "}",
        ]
        out.extend(block)
        size += sum(len(x) + 1 for x in block)
    return "\n".join(out) + "\n"


def go_src(r, target):
    out = ["package %s" % r.choice(WORDS), "", 'import (\n\t"fmt"\n\t"strings"\n)', ""]
    size = 50
    while size < target:
        fn = camel(r)
        block = [
            "",
            "// %s returns the %s." % (fn, ident(r, 2).replace("_", " ")),
            "func %s(%s string, n int) (string, error) {" % (fn, ident(r, 1)),
            "\tif n > %d {" % r.randint(1, 500),
            '\t\treturn "", fmt.Errorf("%s: too many")' % ident(r, 1),
            "\t}",
            '\treturn strings.Repeat("%s", n), nil' % r.choice(WORDS),
            "}",
        ]
        out.extend(block)
        size += sum(len(x) + 1 for x in block)
    return "\n".join(out) + "\n"


def md_src(r, target):
    out = ["# %s" % camel(r, 3), ""]
    size = 30
    while size < target:
        para = " ".join(r.choice(WORDS) for _ in range(r.randint(20, 80))).capitalize() + "."
        out.extend([para, ""])
        if r.random() < 0.2:
            out.extend(["## %s" % camel(r, 2), ""])
        size += len(para) + 2
    return "\n".join(out) + "\n"


def json_src(r, target):
    items = []
    size = 0
    while size < target:
        d = {ident(r, 1): r.randint(0, 10**6), "name": ident(r, 3), "tags": [r.choice(WORDS) for _ in range(4)]}
        items.append(d)
        size += 90
    return json.dumps({"version": r.randint(1, 9), "items": items}, indent=2) + "\n"


def yaml_src(r, target):
    out = ["# %s settings" % camel(r), "%s:" % ident(r, 1)]
    size = 40
    while size < target:
        k = ident(r)
        block = [
            "  %s:" % k,
            "    enabled: %s" % r.choice(["true", "false"]),
            "    replicas: %d" % r.randint(1, 20),
            "    labels: [%s, %s]" % (r.choice(WORDS), r.choice(WORDS)),
            "    description: %s" % ident(r, 4).replace("_", " "),
        ]
        out.extend(block)
        size += sum(len(x) + 1 for x in block)
    return "\n".join(out) + "\n"


ORDINARY = [
    (".py", python_src, 30),
    (".js", js_src, 20),
    (".go", go_src, 15),
    (".md", md_src, 10),
    (".json", json_src, 12),
    (".yaml", yaml_src, 13),
]

WORKFLOW = """name: train-{name}
on:
  push:
    branches: [main]
  pull_request:
  schedule:
    - cron: "0 {hour} * * 1"
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -r {proj}/requirements.txt
      - run: pytest {proj}/tests
      - run: cd {proj} && dvc repro
      - run: python {proj}/src/evaluate.py --threshold 0.{hour}
"""

CI_WORKFLOW = """name: ci-{name}
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make -C {proj} test
      - run: npm ci && npm test
"""

DVC = """stages:
  prepare:
    cmd: python src/prepare.py data/raw data/prepared
    deps: [src/prepare.py, data/raw]
    outs: [data/prepared]
  train:
    cmd: python src/train.py data/prepared model.pkl
    deps: [src/train.py, data/prepared]
    outs: [model.pkl]
    metrics: [metrics.json]
"""

TRAIN = '''"""Train the {name} model."""
import sys
import mlflow
import mlflow.sklearn
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split


def main(src, out):
    df = pd.read_parquet(src)
    X_train, X_test, y_train, y_test = train_test_split(df.drop(columns="y"), df.y)
    mlflow.set_experiment("{name}")
    with mlflow.start_run():
        model = RandomForestClassifier(n_estimators={n})
        model.fit(X_train, y_train)
        mlflow.log_param("n_estimators", {n})
        mlflow.log_metric("accuracy", model.score(X_test, y_test))
        mlflow.sklearn.log_model(model, "model")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
'''

EVALUATE = '''"""Gate: fail when the candidate is worse than the threshold."""
import json
import sys

metrics = json.load(open("metrics.json"))
if metrics["accuracy"] < float(sys.argv[-1]):
    sys.exit("model below threshold")
'''

K8S = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: {name}
          image: registry.example.com/{name}:latest
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}-retrain
spec:
  schedule: "0 {hour} * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: retrain
              image: registry.example.com/{name}-train:latest
              command: ["python", "src/train.py"]
"""

KSERVE = """apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: {name}
spec:
  predictor:
    sklearn:
      storageUri: s3://models/{name}
"""


def notebook(r, name):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Explore %s\n" % name]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [],
            "source": ["import pandas as pd\n", "import mlflow\n", "df = pd.read_csv('data.csv')\n"],
        },
    ]
    for _ in range(r.randint(3, 15)):
        cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": ["%s = df.groupby(%r).mean()\n" % (ident(r), ident(r, 1)), "%s.head()\n" % ident(r)],
            }
        )
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def ml_project(r, proj, name):
    """The files of one ML project: about 12."""
    return {
        "%s/dvc.yaml" % proj: DVC,
        "%s/requirements.txt" % proj: "mlflow==2.12.1\nscikit-learn==1.4.2\npandas==2.2.2\ndvc==3.50.1\n",
        "%s/pyproject.toml" % proj: '[project]\nname = "%s"\nversion = "0.1.0"\n' % name,
        "%s/src/train.py" % proj: TRAIN.format(name=name, n=r.randint(10, 500)),
        "%s/src/prepare.py" % proj: python_src(r, 1500),
        "%s/src/evaluate.py" % proj: EVALUATE,
        "%s/tests/test_train.py" % proj: "from src import train\n\n\ndef test_main():\n    assert train.main\n",
        "%s/notebooks/explore.ipynb" % proj: notebook(r, name),
        "%s/deploy/k8s.yaml" % proj: K8S.format(name=name, hour=r.randint(0, 23)),
        "%s/deploy/inference.yaml" % proj: KSERVE.format(name=name),
        "%s/Makefile" % proj: "test:\n\tpytest tests\n\ntrain:\n\tdvc repro\n",
        ".github/workflows/train-%s.yml" % name: WORKFLOW.format(name=name, proj=proj, hour=r.randint(0, 23)),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, required=True, help="number of files (approximate, +-1%%)")
    ap.add_argument("--out", required=True, help="output directory (replaced)")
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    r = random.Random(args.seed)
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    made = set()
    written = set()
    total = 0

    def put(path, text):
        nonlocal total
        if path in written:
            return
        full = os.path.join(args.out, path)
        d = os.path.dirname(full)
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        data = text.encode()
        total += len(data)
        with open(full, "wb") as f:
            f.write(data)
        written.add(path)

    put("README.md", md_src(r, 4000))
    put(".gitignore", "node_modules/\n*.pyc\n/build/\n")
    put("Makefile", "test:\n\tpytest\n\nlint:\n\truff check .\n")
    # One ML project per ~600 files (about 2% of the files are ML evidence).
    n_ml = max(1, args.files // 600)
    for i in range(n_ml):
        name = "%s-%d" % (r.choice(WORDS), i)
        for path, text in ml_project(r, "ml/%s" % name, name).items():
            put(path, text)
    n_services = max(1, args.files // 150)
    for i in range(n_services):
        name = "%s-%s-%d" % (r.choice(WORDS), r.choice(WORDS), i)
        put(".github/workflows/ci-%s.yml" % name, CI_WORKFLOW.format(name=name, proj="services/" + name))
    exts, gens, weights = zip(*ORDINARY)
    while len(written) < args.files:
        svc = "services/%s-%s-%d" % (r.choice(WORDS), r.choice(WORDS), r.randrange(n_services))
        sub = r.choice(["src", "src/%s" % r.choice(WORDS), "lib", "tests", "config", "docs", "web/components"])
        k = r.choices(range(len(exts)), weights=weights)[0]
        path = "%s/%s/%s%s" % (svc, sub, ident(r), exts[k])
        if path not in written:
            put(path, gens[k](r, size_target(r)))
    print("%s: %d files, %.1f MiB, %d ML projects" % (args.out, len(written), total / 2**20, n_ml))


if __name__ == "__main__":
    main()
