#!/usr/bin/env python3
"""Self-test for check.py: a throwaway git mirror plus a fake ripen binary.

Run: python3 tests/realworld/test_check.py   (stdlib only, no network, no cargo)
"""

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stdout, redirect_stderr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402

FAKE_RIPEN = r'''#!/usr/bin/env python3
import json, os, sys
# usage: ripen scan DIR --format json ; levels come from DIR/levels.txt ("G A")
assert sys.argv[1] == "scan" and sys.argv[3:] == ["--format", "json"], sys.argv
p = os.path.join(sys.argv[2], "levels.txt")
if not os.path.exists(p):
    print("boom", file=sys.stderr); sys.exit(2)
g, a = open(p).read().split()
print(json.dumps({"schema_version": 1, "tool": {"version": "0.0.0-fake"},
                  "models": {"google": {"level": int(g), "levels": []},
                             "azure": {"level": int(a), "levels": []}},
                  "capabilities": []}))
'''


def git(*args, cwd=None):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["git"] + list(args), cwd=cwd, env=env, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.decode().strip()


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ripen-check-test-")
        self.mirror = os.path.join(self.tmp, "mirror")
        os.makedirs(self.mirror)
        self.commits = {}
        # repo a: levels 1 2, repo b: levels 0 0 with a large blob removed, repo c: no levels file
        for name, levels, extra in (("a", "1 2", None), ("b", "0 0", "big.bin"), ("c", None, None)):
            work = os.path.join(self.tmp, "work-" + name)
            os.makedirs(work)
            git("init", "-q", work)
            if levels:
                with open(os.path.join(work, "levels.txt"), "w") as f:
                    f.write(levels)
            with open(os.path.join(work, "README.md"), "w") as f:
                f.write("x\n")
            if extra:
                with open(os.path.join(work, extra), "wb") as f:
                    f.write(os.urandom(1000))
            git("add", "-A", cwd=work)
            git("commit", "-q", "-m", "init", cwd=work)
            commit = git("rev-parse", "HEAD", cwd=work)
            dest = os.path.join(self.mirror, "own+%s" % name, "repo")
            os.makedirs(os.path.dirname(dest))
            git("clone", "-q", "--bare", work, dest)
            if extra:  # drop the blob, as fetched snapshots lack files >= 4 MiB
                sha = git("--git-dir=" + dest, "rev-parse", "HEAD:" + extra)
                os.remove(os.path.join(dest, "objects", sha[:2], sha[2:]))
            self.commits[name] = commit
        self.bin = os.path.join(self.tmp, "ripen")
        with open(self.bin, "w") as f:
            f.write(FAKE_RIPEN)
        os.chmod(self.bin, 0o755)
        self.repos = os.path.join(self.tmp, "repos.yml")
        self.write_repos([("a", 1, 2), ("b", 0, 1), ("c", 0, 0), ("gone", 0, 0)])
        self.env = dict(os.environ)
        os.environ["RIPEN_BIN"] = self.bin
        os.environ["RIPEN_MIRROR"] = self.mirror

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.env)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_repos(self, rows):
        lines = ["# test corpus", ""]
        for row in rows:
            name, g, a = row[:3]
            split = row[3] if len(row) > 3 else "calibration"
            commit = self.commits.get(name, "0" * 40)
            lines += ["- name: %s" % name, "  repo: own/%s" % name, "  commit: %s" % commit,
                      "  kind: test", "  split: %s" % split,
                      "  google: %d" % g, "  azure: %d  # trailing comment" % a,
                      '  why: "quoted: \\"x\\", with colon"', ""]
        with open(self.repos, "w") as f:
            f.write("\n".join(lines))

    def run_main(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = check.main(["--repos", self.repos] + list(args))
        return rc, out.getvalue(), err.getvalue()

    def test_parse(self):
        es = check.load_entries(self.repos)
        self.assertEqual([e["name"] for e in es], ["a", "b", "c", "gone"])
        self.assertEqual(es[0]["azure"], 2)
        self.assertEqual(es[0]["why"], 'quoted: "x", with colon')
        with self.assertRaises(check.ParseError):
            check.parse_repos_yml("- name: x\n   bad: indent\n")
        with self.assertRaises(check.ParseError):
            check.parse_repos_yml("- name: x\n  repo: a/b\n")  # missing keys

    def test_real_corpus_parses(self):
        es = check.load_entries(check.DEFAULT_REPOS)
        self.assertGreaterEqual(len(es), 25)

    def test_json_report(self):
        rc, out, _ = self.run_main("--json")
        self.assertEqual(rc, 0)
        doc = json.loads(out)
        by = {r["name"]: r for r in doc["results"]}
        self.assertEqual(by["a"]["got"], {"google": 1, "azure": 2})
        self.assertEqual(by["b"]["got"], {"google": 0, "azure": 0})
        self.assertEqual(by["b"]["missing_blobs"], 1)
        self.assertEqual(by["c"]["status"], "error")
        self.assertEqual(by["gone"]["status"], "skipped")
        s = doc["splits"]["calibration"]
        self.assertEqual(s["skipped"], ["gone"])
        self.assertEqual((s["scanned"], s["errors"]), (2, 1))
        self.assertEqual(s["google_exact"], 2)
        self.assertEqual(s["azure_exact"], 1)
        self.assertEqual(s["google_exact_pct"], 66.7)
        self.assertEqual(s["off_by_2_or_more"], [])

    def test_table_and_strict(self):
        rc, out, _ = self.run_main()
        self.assertEqual(rc, 0)
        self.assertIn("Google exact match: 2/3", out)
        self.assertIn("A-1", out)
        rc, _, _ = self.run_main("--strict")
        self.assertEqual(rc, 1)
        rc, out, _ = self.run_main("--strict", "--only", "a")
        self.assertEqual(rc, 0, out)

    def test_off_by_two(self):
        self.write_repos([("a", 1, 0)])
        rc, out, _ = self.run_main("--strict")
        self.assertEqual(rc, 1)
        self.assertIn("off by >= 2: 1", out)

    def test_keep(self):
        rc, out, _ = self.run_main("--json", "--keep", "--only", "b")
        r = json.loads(out)["results"][0]
        try:
            self.assertTrue(os.path.isfile(os.path.join(r["path"], "README.md")))
            self.assertFalse(os.path.exists(os.path.join(r["path"], "big.bin")))
        finally:
            shutil.rmtree(r["path"], ignore_errors=True)

    def test_exported_tree_has_the_commit_as_its_index(self):
        # ripen lists a work tree's files from its index, so a tracked file its own .gitignore
        # matches must stay listed in the exported tree, as it is in the repository
        rc, out, _ = self.run_main("--json", "--keep", "--only", "a")
        r = json.loads(out)["results"][0]
        try:
            self.assertTrue(r["indexed"])
            tracked = git("-C", r["path"], "ls-files").split()
            self.assertEqual(sorted(tracked), ["README.md", "levels.txt"])
            self.assertEqual(git("-C", r["path"], "rev-parse", "HEAD"), self.commits["a"])
        finally:
            shutil.rmtree(r["path"], ignore_errors=True)

    def test_splits_are_summarised_apart(self):
        # a is right on both models, b is off by one on Azure; each split stands alone
        self.write_repos([("a", 1, 2, "calibration"), ("b", 0, 1, "validation")])
        rc, out, _ = self.run_main("--json")
        doc = json.loads(out)
        self.assertEqual(sorted(doc["splits"]), ["calibration", "validation"])
        self.assertEqual(doc["splits"]["calibration"]["azure_exact_pct"], 100.0)
        self.assertEqual(doc["splits"]["validation"]["azure_exact_pct"], 0.0)
        # confusion[expected][got]
        self.assertEqual(doc["splits"]["validation"]["confusion"]["azure"][1][0], 1)
        self.assertEqual(doc["splits"]["calibration"]["confusion"]["google"][1][1], 1)
        rc, out, _ = self.run_main("--json", "--split", "calibration")
        self.assertEqual([r["name"] for r in json.loads(out)["results"]], ["a"])
        rc, _, _ = self.run_main("--strict", "--split", "calibration")
        self.assertEqual(rc, 0)
        rc, _, _ = self.run_main("--strict")
        self.assertEqual(rc, 1)  # the validation split fails on its own
        rc, out, _ = self.run_main()
        self.assertIn("== validation ==", out)
        self.assertIn("Azure confusion", out)

    def test_bad_split_and_confidence(self):
        with self.assertRaises(check.ParseError):
            check.parse_repos_yml("- name: x\n  repo: a/b\n  commit: %s\n  kind: k\n  split: tuned\n"
                                  "  google: 0\n  azure: 0\n  why: w\n" % ("0" * 40))
        with self.assertRaises(check.ParseError):
            check.parse_repos_yml("- name: x\n  repo: a/b\n  commit: %s\n  kind: k\n  split: fresh\n"
                                  "  confidence: sure\n  google: 0\n  azure: 0\n  why: w\n" % ("0" * 40))

    def test_agreement_and_label_consistency(self):
        import agreement
        labels = os.path.join(self.tmp, "labels")
        def label(who, name, g, a):
            os.makedirs(os.path.join(labels, who), exist_ok=True)
            with open(os.path.join(labels, who, name + ".yml"), "w") as f:
                f.write('name: %s\ngoogle: %d\nazure: %d\nconfidence: high\nwhy: "x"\n' % (name, g, a))
        self.write_repos([("a", 1, 2, "validation"), ("b", 0, 0, "validation")])
        label("L1", "a", 1, 2); label("L2", "a", 1, 2); label("L1", "b", 0, 1); label("L2", "b", 0, 0)
        rep = agreement.report(check.load_entries(self.repos), agreement.load_labels(labels))["validation"]
        self.assertEqual(rep["double_labelled"], 2)
        self.assertEqual((rep["models"]["google"]["exact"], rep["models"]["azure"]["exact"]), (2, 1))
        self.assertEqual(rep["models"]["google"]["kappa"], 1.0)
        self.assertEqual([d["name"] for d in rep["disagreements"]], ["b"])
        # b's labellers disagree and repos.yml has no settled note: a problem
        out = io.StringIO()
        with redirect_stdout(out):
            rc = agreement.main(["--repos", self.repos, "--labels", labels, "--check"])
        self.assertEqual(rc, 1)
        self.assertIn("b: labellers disagree", out.getvalue())

    def test_unknown_only(self):
        rc, _, err = self.run_main("--only", "nope")
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main()
