#!/usr/bin/env python3
"""A synthetic git repository with a long history, for `ripen history` at scale (issue 19).

    scripts/gen-history-repo.py --commits 5000 --out DIR [--seed 19]

Writes a fresh repository at DIR (refused when DIR exists) through `git fast-import`: an ML
project (training script, DVC pipeline, CI workflow, tests, a serving manifest) among ordinary
source files. Most commits edit ordinary files (code, docs, config); about one in 40 edits an ML
file, and some of those move a level (tracking added, a schedule, a deployment, the deployment
removed again), so the levels change a few dozen times over the history. Standard library only,
seeded: the same arguments give the same repository (commit dates included). Never committed to
this repository: generate it in a temporary directory.
"""

import argparse
import os
import random
import subprocess
import sys

T0 = 1_704_067_200  # 2024-01-01T00:00:00Z

WORKFLOW = """name: ci
on:
  push:
  pull_request:{schedule}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: pytest tests/
  train:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: dvc repro{deploy}
"""

TRAIN = """import pandas as pd
from sklearn.ensemble import RandomForestClassifier
{tracking_import}

def main(n_estimators={n}):
    df = pd.read_csv("data/train.csv")
    model = RandomForestClassifier(n_estimators=n_estimators)
    model.fit(df.drop(columns=["y"]), df["y"]){tracking}
    return model


if __name__ == "__main__":
    main()
"""

DVC = """stages:
  train:
    cmd: python src/train.py
    deps:
      - src/train.py
      - data/train.csv
    outs:
      - models/model.pkl
"""

SERVE = """apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: churn-{v}
spec:
  predictor:
    sklearn:
      storageUri: gs://bucket/models/churn/{v}
"""


def ml_files(state):
    tracking = state["tracking"]
    files = {
        "src/train.py": TRAIN.format(
            tracking_import="import mlflow" if tracking else "",
            tracking='\n    mlflow.sklearn.log_model(model, "model")' if tracking else "",
            n=state["n"],
        ),
        "dvc.yaml": DVC,
        ".github/workflows/ci.yml": WORKFLOW.format(
            schedule="\n  schedule:\n    - cron: '0 3 * * 1'" if state["schedule"] else "",
            deploy="\n      - run: kubectl apply -f deploy/serve.yaml" if state["deploy"] else "",
        ),
        "tests/test_train.py": "from src.train import main\n\n\ndef test_main():\n    assert main\n",
        "requirements.txt": "pandas\nscikit-learn\n" + ("mlflow\n" if tracking else ""),
    }
    if state["deploy"]:
        files["deploy/serve.yaml"] = SERVE.format(v=state["n"])
    return files


def ordinary(rng, i):
    kind = rng.choice(["py", "md", "json", "yml"])
    path = {
        "py": f"app/module_{rng.randrange(200)}.py",
        "md": f"docs/page_{rng.randrange(50)}.md",
        "json": f"config/settings_{rng.randrange(30)}.json",
        "yml": f"config/service_{rng.randrange(30)}.yml",
    }[kind]
    body = {
        "py": f"def handler_{i}(event):\n    return {{'id': {i}, 'ok': True}}\n",
        "md": f"# Page\n\nRevision {i}: {rng.random():.6f}\n",
        "json": f'{{"revision": {i}, "timeout": {rng.randrange(100)}}}\n',
        "yml": f"service:\n  revision: {i}\n  replicas: {rng.randrange(1, 9)}\n",
    }[kind]
    return path, body


def blob(out, data):
    b = data.encode()
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")


def generate(commits, seed, out):
    rng = random.Random(seed)
    state = {"tracking": False, "schedule": False, "deploy": False, "n": 100}
    # What each ML event does to the state, in turn: levels rise and fall over the history.
    events = ["tracking", "schedule", "deploy", "deploy", "schedule", "tracking"]
    ev = 0
    removed = set()
    for i in range(commits):
        changes = {}
        if i == 0:
            changes.update(ml_files(state))
            changes["README.md"] = "# churn\n\nA churn model.\n"
            for _ in range(40):
                p, b = ordinary(rng, i)
                changes[p] = b
        elif rng.random() < 1 / 40:
            before = set(ml_files(state))
            if rng.random() < 0.4:
                key = events[ev % len(events)]
                ev += 1
                state[key] = not state[key]
            else:
                state["n"] += 1  # an edit that moves nothing
            changes.update(ml_files(state))
            removed = before - set(changes)
        else:
            for _ in range(rng.randrange(1, 4)):
                p, b = ordinary(rng, i)
                changes[p] = b
        when = T0 + i * 3600
        out.write(b"commit refs/heads/main\n")
        out.write(b"mark :%d\n" % (i + 1))
        out.write(b"committer Bench <bench@example.com> %d +0000\n" % when)
        blob(out, f"change {i}\n")
        if i > 0:
            out.write(b"from :%d\n" % i)
        for p in sorted(removed):
            out.write(f"D {p}\n".encode())
        removed = set()
        for p, b in sorted(changes.items()):
            out.write(f"M 100644 inline {p}\n".encode())
            blob(out, b)
        out.write(b"\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--commits", type=int, default=5000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    if os.path.exists(a.out):
        sys.exit(f"{a.out} exists; give a new directory")
    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=a.out, stdin=subprocess.PIPE)
    generate(a.commits, a.seed, fi.stdin)
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "main"], cwd=a.out, check=True)


if __name__ == "__main__":
    main()
