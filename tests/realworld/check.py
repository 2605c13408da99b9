#!/usr/bin/env python3
"""Real-world validation of ripen's maturity levels.

For every entry of repos.yml whose git snapshot is present locally, export the
pinned commit to a temporary directory, run `ripen scan DIR --format json`,
and compare models.google.level / models.azure.level with the expected levels
judged by hand (see README.md).

Python 3 standard library only. repos.yml is written in a small YAML subset
(see parse_repos_yml) so that no PyYAML is needed.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REPOS = os.path.join(HERE, "repos.yml")
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
# Snapshots: $RIPEN_MIRROR or --mirror, else a `.mirror` directory beside the repository's checkout.
DEFAULT_MIRROR = os.path.join(os.path.dirname(REPO_ROOT), ".mirror")
DEFAULT_BIN = os.path.join(REPO_ROOT, "target", "release", "ripen")
DEFAULT_MANIFEST = os.path.join(REPO_ROOT, "Cargo.toml")
REQUIRED_KEYS = ("name", "repo", "commit", "kind", "split", "google", "azure", "why")
# calibration: misses may be studied and rules tuned. validation: frozen before tuning, never
# opened to study a miss. fresh: a validation batch labelled after the tuning was done.
SPLITS = ("calibration", "validation", "fresh")
CONFIDENCES = ("high", "medium", "low")
MODELS = (("google", 2), ("azure", 4))


# ---------------------------------------------------------------- repos.yml

class ParseError(Exception):
    pass


INT_KEYS = ("google", "azure")


def _scalar(text, lineno, key=None):
    text = text.strip()
    if text.startswith('"'):
        try:
            return json.loads(text)
        except ValueError as e:
            raise ParseError("line %d: bad double-quoted string: %s" % (lineno, e))
    if text.startswith("'"):
        if not text.endswith("'") or len(text) < 2:
            raise ParseError("line %d: unterminated single-quoted string" % lineno)
        return text[1:-1].replace("''", "'")
    # strip trailing comment on plain scalars
    if " #" in text:
        text = text.split(" #", 1)[0].rstrip()
    if text in ("", "~", "null"):
        return None
    if key in INT_KEYS and text.lstrip("-").isdigit():
        return int(text)
    return text  # everything else stays a string (a commit like 0123... must not become an int)


def parse_repos_yml(text):
    """Parse the subset of YAML used by repos.yml.

    The file is a top-level sequence of flat mappings:

        - name: foo
          repo: owner/name
          google: 1
          why: "double-quoted, JSON escapes"

    Full-line comments (#) and blank lines are ignored. Values are plain
    scalars or single/double-quoted strings on one line; google/azure are
    integers, every other value is kept as a string.
    """
    entries = []
    cur = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith("- "):
            cur = {}
            entries.append(cur)
            body = line[2:]
        elif line.startswith("  ") and cur is not None:
            body = line[2:]
            if body.startswith(" "):
                raise ParseError("line %d: unexpected indentation" % lineno)
        else:
            raise ParseError("line %d: expected '- key: value' or '  key: value'" % lineno)
        if ":" not in body:
            raise ParseError("line %d: missing ':'" % lineno)
        key, val = body.split(":", 1)
        key = key.strip()
        if not key or " " in key:
            raise ParseError("line %d: bad key %r" % (lineno, key))
        if key in cur:
            raise ParseError("line %d: duplicate key %r" % (lineno, key))
        cur[key] = _scalar(val, lineno, key)
    names = set()
    for i, e in enumerate(entries):
        for k in REQUIRED_KEYS:
            if k not in e:
                raise ParseError("entry %d (%s): missing key %r" % (i + 1, e.get("name"), k))
        if e["name"] in names:
            raise ParseError("duplicate name %r" % e["name"])
        names.add(e["name"])
        if not (isinstance(e["google"], int) and 0 <= e["google"] <= 2):
            raise ParseError("%s: google must be 0..2" % e["name"])
        if not (isinstance(e["azure"], int) and 0 <= e["azure"] <= 4):
            raise ParseError("%s: azure must be 0..4" % e["name"])
        if e["split"] not in SPLITS:
            raise ParseError("%s: split must be one of %s" % (e["name"], ", ".join(SPLITS)))
        if e.setdefault("confidence", "high") not in CONFIDENCES:
            raise ParseError("%s: confidence must be one of %s" % (e["name"], ", ".join(CONFIDENCES)))
        c = str(e["commit"])
        if len(c) != 40 or any(ch not in "0123456789abcdef" for ch in c):
            raise ParseError("%s: commit must be 40 lowercase hex digits" % e["name"])
    return entries


def load_entries(path):
    with open(path, encoding="utf-8") as f:
        return parse_repos_yml(f.read())


# ---------------------------------------------------------------- git snapshots

def _git(gitdir, *args, **kw):
    return subprocess.run(["git", "--git-dir=" + gitdir] + list(args), **kw)


def _is_git_dir(d):
    return os.path.isfile(os.path.join(d, "HEAD")) and os.path.isdir(os.path.join(d, "objects"))


def _git_dirs_under(d):
    """d itself, d/repo, d/*.git, d/.git or any direct child that is a git dir."""
    if _is_git_dir(d):
        yield d
    for cand in [os.path.join(d, "repo"), os.path.join(d, ".git")] + sorted(glob.glob(os.path.join(d, "*"))):
        if os.path.isdir(cand) and _is_git_dir(cand):
            yield cand


def has_commit(gitdir, commit):
    r = _git(gitdir, "cat-file", "-e", commit + "^{commit}",
             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def find_git_dir(entry, roots):
    """Return a local git dir that holds entry['commit'], or None."""
    owner_name = entry["repo"].replace("/", "+")
    for root in roots:
        cands = []
        if entry.get("mirror"):
            cands.append(os.path.join(root, entry["mirror"]))
        cands += sorted(glob.glob(os.path.join(root, glob.escape(owner_name) + "*")))
        seen = set()
        for c in cands:
            if not os.path.isdir(c):
                continue
            for g in _git_dirs_under(c):
                g = os.path.realpath(g)
                if g in seen:
                    continue
                seen.add(g)
                if has_commit(g, entry["commit"]):
                    return g
    return None


def export_commit(gitdir, commit, dest):
    """Export `commit` into dest. Returns the number of blobs that were missing.

    First tries `git archive COMMIT | tar -x -C dest`. Snapshots fetched for
    this corpus lack large blobs (>= 4 MiB) and LFS content, which makes git
    archive fail; then fall back to writing each blob that exists and
    skipping the missing ones (their count is reported).
    """
    os.makedirs(dest, exist_ok=True)
    # `git archive` obeys the commit's `.gitattributes`: `export-ignore` leaves files out
    # (a repository may drop `.github/`, `tests/` from its release tarballs) and
    # `export-subst` rewrites them. The scanned tree must be the commit's: such commits are
    # written blob by blob.
    attrs = _git(gitdir, "grep", "-q", "-e", "export-ignore", "-e", "export-subst", commit,
                 "--", ":(glob)**/.gitattributes",
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if attrs.returncode == 0:
        return _export_blobs(gitdir, commit, dest)
    arch = subprocess.Popen(["git", "--git-dir=" + gitdir, "archive", commit],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    tar = subprocess.run(["tar", "-x", "-C", dest], stdin=arch.stdout,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    arch.stdout.close()
    arch.wait()
    if arch.returncode == 0 and tar.returncode == 0:
        return 0
    return _export_blobs(gitdir, commit, dest)


def _export_blobs(gitdir, commit, dest):
    """Write each blob of `commit` that exists into dest; returns how many were missing."""
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    ls = _git(gitdir, "ls-tree", "-r", "-z", "--full-tree", commit,
              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout
    items = []
    for rec in ls.split(b"\0"):
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        mode, typ, sha = meta.split()
        if typ != b"blob":
            continue  # submodules (commit entries)
        items.append((mode.decode(), sha.decode(), os.fsdecode(path)))
    missing = 0
    root = os.path.realpath(dest)
    proc = subprocess.Popen(["git", "--git-dir=" + gitdir, "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        for mode, sha, path in items:
            proc.stdin.write((sha + "\n").encode())
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) < 2 or header[1] == b"missing":
                missing += 1
                continue
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)  # trailing LF
            out = os.path.join(dest, path)
            if not os.path.realpath(os.path.dirname(out)).startswith(root):
                continue
            os.makedirs(os.path.dirname(out), exist_ok=True)
            if mode == "120000":
                target = os.fsdecode(data)
                resolved = os.path.realpath(os.path.join(os.path.dirname(out), target))
                if not os.path.isabs(target) and (resolved == root or resolved.startswith(root + os.sep)):
                    try:
                        os.symlink(target, out)
                    except OSError:
                        pass
                continue
            with open(out, "wb") as f:
                f.write(data)
            if mode == "100755":
                os.chmod(out, 0o755)
    finally:
        proc.stdin.close()
        proc.wait()
    return missing


def index_work_tree(gitdir, commit, dest, repo=None):
    """Make the exported tree at dest a git work tree whose index is `commit`'s tree.

    ripen takes a work tree's file list from its index (files git tracks are the repository's
    even when a .gitignore pattern matches them), so a tree exported without `.git` would lose
    tracked files its own .gitignore matches. The objects are borrowed through
    objects/info/alternates: nothing is copied. With `repo` (owner/name), the work tree's
    `origin` remote is the repository's GitHub URL, as in a clone: ripen knows the repository
    by name (a CI file that checks out another repository builds that one). Returns False when
    git could not do it.
    """
    objects = os.path.join(os.path.abspath(gitdir), "objects")
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if subprocess.run(["git", "init", "-q", dest], **quiet).returncode != 0:
        return False
    with open(os.path.join(dest, ".git", "objects", "info", "alternates"), "w") as f:
        f.write(objects + "\n")
    own = ["git", "-C", dest]
    if repo:
        subprocess.run(own + ["remote", "add", "origin", "https://github.com/%s.git" % repo], **quiet)
    return (subprocess.run(own + ["read-tree", commit], **quiet).returncode == 0
            and subprocess.run(own + ["update-ref", "HEAD", commit], **quiet).returncode == 0)


# ---------------------------------------------------------------- ripen

def ripen_command():
    b = os.environ.get("RIPEN_BIN")
    if b:
        return [b]
    if os.path.isfile(DEFAULT_BIN) and os.access(DEFAULT_BIN, os.X_OK):
        return [DEFAULT_BIN]
    return ["cargo", "run", "--release", "-q", "--manifest-path", DEFAULT_MANIFEST, "--"]


def run_ripen(cmd, path, timeout):
    """Return (google_level, azure_level, error_message)."""
    try:
        r = subprocess.run(cmd + ["scan", path, "--format", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None, "timeout after %ds" % timeout
    except OSError as e:
        return None, None, "cannot run %s: %s" % (cmd[0], e)
    try:
        doc = json.loads(r.stdout.decode("utf-8", "replace"))
    except ValueError:
        err = r.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, None, "exit %d, no JSON on stdout%s" % (
            r.returncode, (": " + err[-1][:200]) if err else "")
    try:
        g = doc["models"]["google"]["level"]
        a = doc["models"]["azure"]["level"]
    except (KeyError, TypeError):
        return None, None, "JSON lacks models.google.level / models.azure.level"
    if not isinstance(g, int) or not isinstance(a, int):
        return None, None, "levels are not integers: %r %r" % (g, a)
    return g, a, None


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repos", default=DEFAULT_REPOS, help="corpus file (default: repos.yml next to this script)")
    ap.add_argument("--mirror", action="append", metavar="DIR",
                    help="where the git snapshots are (repeatable; default $RIPEN_MIRROR, else ../.mirror "
                         "beside this checkout)")
    ap.add_argument("--split", choices=SPLITS, action="append",
                    help="check only this split (repeatable); every split is summarised on its own")
    ap.add_argument("--only", action="append", metavar="NAME", help="check only this entry (repeatable)")
    ap.add_argument("--confident", action="store_true",
                    help="leave out entries whose labels have low confidence")
    ap.add_argument("--json", action="store_true", help="print a machine-readable result")
    ap.add_argument("--keep", action="store_true", help="keep exported trees and print their paths")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when, in any split checked, exact agreement < 90%% (Google or Azure), "
                         "any level is off by >= 2, or a scan errored")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per scan (default 900)")
    ap.add_argument("--list", action="store_true", help="validate repos.yml, show which snapshots are present, scan nothing")
    args = ap.parse_args(argv)

    try:
        entries = load_entries(args.repos)
    except (OSError, ParseError) as e:
        print("check.py: %s: %s" % (args.repos, e), file=sys.stderr)
        return 2
    if args.only:
        names = {e["name"] for e in entries}
        unknown = [n for n in args.only if n not in names]
        if unknown:
            print("check.py: unknown entry: %s" % ", ".join(unknown), file=sys.stderr)
            return 2
        entries = [e for e in entries if e["name"] in args.only]
    if args.split:
        entries = [e for e in entries if e["split"] in args.split]
    if args.confident:
        entries = [e for e in entries if e["confidence"] != "low"]

    if args.mirror:
        roots = args.mirror
    elif os.environ.get("RIPEN_MIRROR"):
        roots = [os.environ["RIPEN_MIRROR"]]
    else:
        roots = [DEFAULT_MIRROR]
    cmd = ripen_command()
    results = []
    for e in entries:
        res = {"name": e["name"], "repo": e["repo"], "commit": e["commit"], "kind": e["kind"],
               "split": e["split"], "confidence": e["confidence"],
               "expected": {"google": e["google"], "azure": e["azure"]},
               "got": None, "status": None, "error": None, "missing_blobs": 0, "path": None}
        gitdir = find_git_dir(e, roots)
        if gitdir is None:
            res["status"] = "skipped"
            results.append(res)
            continue
        if args.list:
            res["status"] = "present"
            res["path"] = gitdir
            results.append(res)
            continue
        tmp = tempfile.mkdtemp(prefix="ripen-rw-%s-" % e["name"])
        try:
            try:
                res["missing_blobs"] = export_commit(gitdir, e["commit"], tmp)
                res["indexed"] = index_work_tree(gitdir, e["commit"], tmp, e["repo"])
            except (subprocess.CalledProcessError, OSError) as ex:
                res["status"] = "error"
                res["error"] = "export failed: %s" % ex
                results.append(res)
                continue
            g, a, err = run_ripen(cmd, tmp, args.timeout)
            if err:
                res["status"] = "error"
                res["error"] = err
            else:
                res["status"] = "scanned"
                res["got"] = {"google": g, "azure": a}
        finally:
            if args.keep:
                res["path"] = tmp
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        results.append(res)
        if not args.json:
            print("  %-32s %s" % (e["name"], res["status"] if not res["error"] else "error: " + res["error"]),
                  file=sys.stderr, flush=True)

    splits = [sp for sp in SPLITS if any(r["split"] == sp for r in results)]
    summaries = {sp: summarize([r for r in results if r["split"] == sp]) for sp in splits}
    if args.json:
        print(json.dumps({"ripen": cmd, "mirror_roots": roots, "splits": summaries, "results": results},
                         indent=2))
    else:
        print_table(results, summaries, args.list, args.keep)

    if args.strict and not args.list:
        if not summaries or all(s["scanned"] == 0 for s in summaries.values()):
            return 1
        for s in summaries.values():
            if s["errors"] or s["off_by_2_or_more"]:
                return 1
            if s["google_exact_pct"] < 90.0 or s["azure_exact_pct"] < 90.0:
                return 1
    return 0


def confusion(results, model, top):
    """matrix[expected][got] over scanned results; errors are not in it (they are counted apart)."""
    m = [[0] * (top + 1) for _ in range(top + 1)]
    for r in results:
        if r["status"] == "scanned":
            m[r["expected"][model]][r["got"][model]] += 1
    return m


def summarize(results):
    scanned = [r for r in results if r["status"] == "scanned"]
    errors = [r for r in results if r["status"] == "error"]
    skipped = [r["name"] for r in results if r["status"] == "skipped"]
    # errors count as disagreements: the denominator is everything we tried to scan
    denom = len(scanned) + len(errors)
    g_ok = sum(1 for r in scanned if r["got"]["google"] == r["expected"]["google"])
    a_ok = sum(1 for r in scanned if r["got"]["azure"] == r["expected"]["azure"])
    off2 = []
    for r in scanned:
        for m, _ in MODELS:
            if abs(r["got"][m] - r["expected"][m]) >= 2:
                off2.append({"name": r["name"], "model": m,
                             "expected": r["expected"][m], "got": r["got"][m]})
    over = sum(1 for r in scanned for m, _ in MODELS if r["got"][m] > r["expected"][m])
    under = sum(1 for r in scanned for m, _ in MODELS if r["got"][m] < r["expected"][m])
    pct = lambda n: round(100.0 * n / denom, 1) if denom else 0.0
    return {"entries": len(results), "scanned": len(scanned), "errors": len(errors),
            "skipped": skipped, "google_exact": g_ok, "azure_exact": a_ok,
            "google_exact_pct": pct(g_ok), "azure_exact_pct": pct(a_ok),
            "both_exact": sum(1 for r in scanned if r["got"] == r["expected"]),
            "over_scored": over, "under_scored": under,
            "off_by_2_or_more": off2,
            "confusion": {m: confusion(results, m, top) for m, top in MODELS}}


def print_table(results, summaries, list_only, keep):
    hdr = "%-30s %-12s %-20s %5s %5s  %5s %5s  %s" % ("name", "split", "kind", "expG", "gotG", "expA", "gotA", "")
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        eg, ea = r["expected"]["google"], r["expected"]["azure"]
        low = "  (low-confidence label)" if r["confidence"] == "low" else ""
        if r["got"]:
            gg, ga = r["got"]["google"], r["got"]["azure"]
            marks = []
            for m, e, g in (("G", eg, gg), ("A", ea, ga)):
                if g != e:
                    marks.append("%s%+d%s" % (m, g - e, "!!" if abs(g - e) >= 2 else ""))
            mark = "ok" if not marks else " ".join(marks)
            if r["missing_blobs"]:
                mark += "  (%d large blobs absent)" % r["missing_blobs"]
            print("%-30s %-12s %-20s %5d %5d  %5d %5d  %s%s" % (
                r["name"], r["split"], r["kind"][:20], eg, gg, ea, ga, mark, low))
        else:
            what = r["status"] if r["status"] != "error" else "ERROR " + r["error"]
            print("%-30s %-12s %-20s %5d %5s  %5d %5s  %s" % (
                r["name"], r["split"], r["kind"][:20], eg, "-", ea, "-", what))
        if r.get("path") and (keep or list_only):
            print("    %s" % r["path"])
    for split, s in summaries.items():
        print()
        if list_only:
            print("%s: %d entries, %d present locally, %d skipped (not present)" % (
                split, s["entries"], s["entries"] - len(s["skipped"]), len(s["skipped"])))
            continue
        print("== %s ==" % split)
        print("scanned %d, errors %d, skipped (not present) %d%s" % (
            s["scanned"], s["errors"], len(s["skipped"]),
            (": " + ", ".join(s["skipped"])) if s["skipped"] else ""))
        print("Google exact match: %d/%d = %.1f%%" % (s["google_exact"], s["scanned"] + s["errors"], s["google_exact_pct"]))
        print("Azure  exact match: %d/%d = %.1f%%" % (s["azure_exact"], s["scanned"] + s["errors"], s["azure_exact_pct"]))
        print("both exact: %d; levels over-scored: %d, under-scored: %d" % (s["both_exact"], s["over_scored"], s["under_scored"]))
        print("off by >= 2: %d%s" % (len(s["off_by_2_or_more"]), "".join(
            "\n  %s %s expected %d got %d" % (o["name"], o["model"], o["expected"], o["got"]) for o in s["off_by_2_or_more"])))
        for m, top in MODELS:
            print("%s confusion (rows expected, columns ripen):" % m.capitalize())
            print("        " + " ".join("got%d" % j for j in range(top + 1)))
            for i, row in enumerate(s["confusion"][m]):
                print("  exp%d  " % i + " ".join("%4d" % n for n in row))


if __name__ == "__main__":
    sys.exit(main())
