#!/usr/bin/env python3
"""The validation split read again under the current level definitions.

Round 11 had every validation repository labelled a second time, blind, by a new pair of
labellers who saw only LABELLING.md, docs/levels.md and the trees (labels in `relabel/VA1`-`VA4`,
pair disagreements settled by the written gates in `relabel/settled`). The frozen labels of
repos.yml stay the validation figure; this script reports how far the relabel moves them and,
given check.py --json results, ripen's agreement with the relabel. Aggregates only: it never
names a repository, so reading it studies no miss.

    python3 tests/realworld/relabel.py [RESULTS.json ...]
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check  # noqa: E402


def label(path):
    """(google, azure) of a label file (only its two top-level integer lines are read)."""
    got = {}
    for line in open(path, encoding="utf-8"):
        for key in ("google", "azure"):
            if line.startswith(key + ":"):
                got[key] = int(line.split(":", 1)[1].split("#")[0].strip())
    return got["google"], got["azure"]


def relabels(entries):
    root = os.path.join(HERE, "relabel")
    pairs = (("VA1", "VA2"), ("VA3", "VA4"))
    out = {}
    for e in entries:
        n = e["name"]
        for a, b in pairs:
            pa, pb = (os.path.join(root, d, n + ".yml") for d in (a, b))
            if os.path.exists(pa) and os.path.exists(pb):
                la, lb = label(pa), label(pb)
                if la == lb:
                    out[n] = la
                else:
                    first = open(os.path.join(root, "settled", n + ".txt"), encoding="utf-8").readline().split()
                    out[n] = (int(first[1]), int(first[3]))
    return out


def confusion(pairs, k):
    m = [[0] * k for _ in range(k)]
    for want, got in pairs:
        m[want][got] += 1
    return m


def main():
    text = open(os.path.join(HERE, "repos.yml"), encoding="utf-8").read()
    entries = [e for e in check.parse_repos_yml(text) if e.get("split") == "validation"]
    new = relabels(entries)
    n = len(new)
    same_g = sum(new[e["name"]][0] == int(e["google"]) for e in entries if e["name"] in new)
    same_a = sum(new[e["name"]][1] == int(e["azure"]) for e in entries if e["name"] in new)
    print(f"relabelled {n} of {len(entries)}; same as the frozen label: Google {same_g}/{n}, Azure {same_a}/{n}")
    for path in sys.argv[1:]:
        got = {r["name"]: r.get("got") for r in json.load(open(path))["results"]}
        rows = [(new[k], (got[k]["google"], got[k]["azure"])) for k in new if got.get(k)]
        g = sum(w[0] == r[0] for w, r in rows)
        a = sum(w[1] == r[1] for w, r in rows)
        off2 = sum(abs(w[0] - r[0]) >= 2 for w, r in rows) + sum(abs(w[1] - r[1]) >= 2 for w, r in rows)
        print(f"{os.path.basename(path)}: ripen vs relabel Google {g}/{len(rows)}, Azure {a}/{len(rows)}, off by >= 2: {off2}")
        print("  Google", confusion([(w[0], r[0]) for w, r in rows], 3))
        print("  Azure ", confusion([(w[1], r[1]) for w, r in rows], 5))


if __name__ == "__main__":
    main()
