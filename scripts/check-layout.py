#!/usr/bin/env python3
"""The layout rules of src/ (issue 17), checked on every `make test`:

- no import cycles: between the top-level modules of the crate, and between any two modules
  (files), reading the `crate::` and `super::` paths of the code (tests aside; a module using
  its own ancestors, the folder it lives in, is not an edge);
- no file over 900 lines and no function over 120 lines (tests aside).

Prints every violation and exits 1 if there is any.
"""
import os
import re
import sys

MAX_FILE = 900
MAX_FN = 120
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def strip(text):
    """Text with comments and string/char literals blanked, newlines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        m = re.match(r'b?r(#*)"', text[i : i + 12])
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = text.find('"' + m.group(1), i + len(m.group(0)))
            end = n if end < 0 else end + 1 + len(m.group(1))
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
            continue
        if text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i : j + 1]))
            i = j + 1
            continue
        if text[i] == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i : i + 12])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def without_tests(code):
    """Code with `#[cfg(test)]` items blanked (their braces matched)."""
    lines = code.split("\n")
    out = list(lines)
    i = 0
    while i < len(lines):
        if lines[i].strip().startswith("#[cfg(test)]"):
            depth, j, seen = 0, i, False
            while j < len(lines):
                depth += lines[j].count("{") - lines[j].count("}")
                seen |= "{" in lines[j]
                if seen and depth == 0:
                    break
                if not seen and lines[j].rstrip().endswith(";") and j > i:
                    break
                j += 1
            for k in range(i, min(j + 1, len(lines))):
                out[k] = ""
            i = j + 1
            continue
        i += 1
    return "\n".join(out)


def modules():
    mods = {}
    for root, _, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
            if rel[-1] == "mod":
                rel = rel[:-1]
            if rel in (["lib"], ["main"]):
                rel = []
            mods["::".join(rel)] = path
    return mods


def use_paths(code):
    """Every path a file names: `crate::a::b` and `super::x`, `use` groups expanded."""
    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        expand(re.sub(r"\s+", "", m.group(1)), "", paths)
    for m in re.finditer(r"\b((?:crate|super)(?:::\w+)+)", code):
        paths.append(m.group(1))
    return paths


def expand(tree, prefix, out):
    if "{" not in tree:
        out.append(prefix + tree.split(" as ")[0])
        return
    head, rest = tree.split("{", 1)
    inner = rest[: rest.rfind("}")]
    depth, part, parts = 0, "", []
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(part)
            part = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        part += ch
    parts.append(part)
    for p in parts:
        if p:
            expand(p, prefix + head, out)


def resolve(path, here, mods):
    segs = path.split("::")
    if segs[0] == "crate":
        base = []
        segs = segs[1:]
    elif segs[0] == "super":
        base = here.split("::") if here else []
        is_dir = mods[here].endswith("mod.rs") if here in mods else False
        if not is_dir:
            base = base[:-1]
        while segs and segs[0] == "super":
            base = base[:-1]
            segs = segs[1:]
    else:
        return None
    best = None
    for k in range(len(segs) + 1):
        cand = "::".join(base + segs[:k])
        if cand in mods:
            best = cand
    return best


def cycles(nodes, edges):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def long_functions(code, lines):
    out = []
    for m in re.finditer(r"\bfn\s+(\w+)", code):
        start = code.count("\n", 0, m.start())
        i = m.end()
        depth = 0
        while i < len(code):
            c = code[i]
            if c == ";" and depth == 0:
                break
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            elif c in "([":
                depth += 0
            i += 1
        end = code.count("\n", 0, i)
        if end - start + 1 > MAX_FN:
            out.append((m.group(1), start + 1, end - start + 1))
    return out


def main():
    mods = modules()
    problems = []
    edges, top = {}, {}
    for name, path in sorted(mods.items()):
        text = open(path, encoding="utf-8").read()
        code = without_tests(strip(text))
        n = len([l for l in code.split("\n")]) - code.split("\n")[::-1].index(
            next(l for l in code.split("\n")[::-1] if l.strip())
        )
        if n > MAX_FILE:
            problems.append(f"{path}: {n} lines (tests aside); the limit is {MAX_FILE}")
        for fn, line, length in long_functions(code, text.split("\n")):
            problems.append(f"{path}:{line}: fn {fn} is {length} lines; the limit is {MAX_FN}")
        for p in use_paths(code):
            t = resolve(p, name, mods)
            if t is None or t == name or t == "":
                continue
            if name.startswith(t + "::"):
                continue  # a module's own ancestors
            edges.setdefault(name, set()).add(t)
            a, b = name.split("::")[0], t.split("::")[0]
            if a and b and a != b:
                top.setdefault(a, set()).add(b)
    for comp in cycles({m.split("::")[0] for m in mods if m}, top):
        problems.append("import cycle between top-level modules: " + " ↔ ".join(comp))
    for comp in cycles(set(mods), edges):
        problems.append("import cycle between modules: " + " ↔ ".join(comp))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layout problem(s)", file=sys.stderr)
        return 1
    print(f"layout: {len(mods)} modules, no cycles, files <= {MAX_FILE} lines, functions <= {MAX_FN} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
