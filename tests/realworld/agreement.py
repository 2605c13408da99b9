#!/usr/bin/env python3
"""Agreement between the blind labellers of the real-world corpus, and the labels' consistency.

Every label file `labels/<labeller>/<name>.yml` is one labeller's independent reading of one
repository (see LABELLING.md). This script reports, for each split of repos.yml:
- how many repositories have one, two or more labels;
- exact agreement and Cohen's kappa between the first two labellers of each repository, per model;
- every disagreement, and how repos.yml settled it (its `settled` note).

With --check it exits 1 when repos.yml and the labels do not fit together: an entry with no label,
a label with no entry, labellers who agree while repos.yml says otherwise, or labellers who
disagree while repos.yml has no `settled` note.

Python 3 standard library only.
"""

import argparse
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check  # noqa: E402

DEFAULT_LABELS = os.path.join(HERE, "labels")
TOP_KEY = re.compile(r"^([a-z_]+):\s*(.*)$")


def read_label(path):
    """The top-level scalars of a label file (name, google, azure, confidence, kind...)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = TOP_KEY.match(line.rstrip("\n"))
            if not m:
                continue
            key, val = m.group(1), m.group(2).split(" #", 1)[0].strip()
            if val.startswith('"'):
                try:
                    val = json.loads(val)
                except ValueError:
                    val = val.strip('"')
            out[key] = val
    for k in ("google", "azure"):
        out[k] = int(out[k])
    out["labeller"] = os.path.basename(os.path.dirname(path))
    out.setdefault("name", os.path.splitext(os.path.basename(path))[0])
    return out


def load_labels(root):
    by_name = {}
    for path in sorted(glob.glob(os.path.join(root, "*", "*.yml"))):
        lab = read_label(path)
        by_name.setdefault(lab["name"], []).append(lab)
    return by_name


def kappa(pairs, top):
    """Cohen's kappa for two raters over categories 0..top."""
    n = len(pairs)
    if n == 0:
        return None
    po = sum(1 for a, b in pairs if a == b) / n
    pe = sum((sum(1 for a, _ in pairs if a == k) / n) * (sum(1 for _, b in pairs if b == k) / n)
             for k in range(top + 1))
    return 1.0 if pe == 1 else round((po - pe) / (1 - pe), 2)


def report(entries, labels):
    out = {}
    for split in check.SPLITS:
        es = [e for e in entries if e["split"] == split]
        if not es:
            continue
        double = [e for e in es if len(labels.get(e["name"], [])) >= 2]
        s = {"entries": len(es), "double_labelled": len(double), "models": {}, "disagreements": []}
        for model, top in check.MODELS:
            pairs = [(labels[e["name"]][0][model], labels[e["name"]][1][model]) for e in double]
            s["models"][model] = {
                "exact": sum(1 for a, b in pairs if a == b), "of": len(pairs),
                "off_by_2_or_more": sum(1 for a, b in pairs if abs(a - b) >= 2),
                "kappa": kappa(pairs, top)}
        for e in double:
            labs = labels[e["name"]]
            if any((l["google"], l["azure"]) != (labs[0]["google"], labs[0]["azure"]) for l in labs):
                s["disagreements"].append({
                    "name": e["name"],
                    "labels": {l["labeller"]: "G%d/A%d" % (l["google"], l["azure"]) for l in labs},
                    "final": "G%d/A%d" % (e["google"], e["azure"]),
                    "settled": e.get("settled")})
        out[split] = s
    return out


def problems(entries, labels):
    names = {e["name"] for e in entries}
    errs = ["label for %s, which repos.yml does not hold" % n for n in sorted(set(labels) - names)]
    for e in entries:
        labs = labels.get(e["name"], [])
        if not labs:
            errs.append("%s: no label file" % e["name"])
            continue
        levels = {(l["google"], l["azure"]) for l in labs}
        if len(levels) == 1 and levels != {(e["google"], e["azure"])} and not e.get("settled"):
            errs.append("%s: every labeller says G%d/A%d, repos.yml says G%d/A%d without a settled note"
                        % ((e["name"],) + next(iter(levels)) + (e["google"], e["azure"])))
        if len(levels) > 1 and not e.get("settled"):
            errs.append("%s: labellers disagree (%s) and repos.yml has no settled note" % (
                e["name"], ", ".join("%s G%d/A%d" % (l["labeller"], l["google"], l["azure"]) for l in labs)))
    return errs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repos", default=check.DEFAULT_REPOS)
    ap.add_argument("--labels", default=DEFAULT_LABELS, help="directory of labels/<labeller>/<name>.yml")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check", action="store_true", help="exit 1 if repos.yml and the labels do not fit")
    args = ap.parse_args(argv)
    entries = check.load_entries(args.repos)
    labels = load_labels(args.labels)
    rep = report(entries, labels)
    errs = problems(entries, labels)
    if args.json:
        print(json.dumps({"splits": rep, "problems": errs}, indent=2))
    else:
        for split, s in rep.items():
            print("== %s: %d repositories, %d labelled twice ==" % (split, s["entries"], s["double_labelled"]))
            for model, m in s["models"].items():
                print("  %-6s exact %d/%d, off by >= 2: %d, Cohen's kappa %s" % (
                    model, m["exact"], m["of"], m["off_by_2_or_more"], m["kappa"]))
            for d in ([] if args.check else s["disagreements"]):
                print("  %s: %s -> %s%s" % (d["name"], ", ".join("%s %s" % kv for kv in d["labels"].items()),
                                            d["final"], (" (%s)" % d["settled"]) if d["settled"] else ""))
        for e in errs:
            print("problem: " + e)
    return 1 if (args.check and errs) else 0


if __name__ == "__main__":
    sys.exit(main())
