#!/usr/bin/env bash
# `ripen history --format json` over 5,000 commits (issue 19: once 190 MB of JSON and 641 MB of
# memory): wall time, CPU (user + sys), peak RSS and the JSON's size.
#
#   scripts/bench-history-5k.sh [RIPEN_BINARY [OTHER_BINARY]]
#
# Generates a synthetic repository of $COMMITS commits (default 5000; scripts/gen-history-repo.py,
# seeded) in a temporary directory, removed on exit; nothing is written to this repository.
# Builds release unless a binary is given. With OTHER_BINARY (e.g. a build of main) the two are
# run interleaved, $RUNS times each (default 3), as this shared machine's speed drifts within
# minutes; the medians are printed. Needs git, python3 and /usr/bin/time (`apt-get install time`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
commits="${COMMITS:-5000}"
runs="${RUNS:-3}"
if [ ! -x /usr/bin/time ]; then
    echo "bench-history-5k.sh: /usr/bin/time is missing. Install it: 'apt-get install time'." >&2
    exit 2
fi
if [ -z "${1:-}" ]; then
    (cd "$here" && cargo build --release --locked --quiet)
fi
bins=("${1:-$here/target/release/ripen}")
[ -n "${2:-}" ] && bins+=("$2")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 "$here/scripts/gen-history-repo.py" --commits "$commits" --out "$tmp/repo"
for run in $(seq "$runs"); do
    for i in "${!bins[@]}"; do
        /usr/bin/time -v -o "$tmp/time-$i-$run" "${bins[$i]}" history "$tmp/repo" \
            --max-commits "$commits" --format json >"$tmp/out-$i.json" 2>/dev/null
        stat -c %s "$tmp/out-$i.json" >"$tmp/size-$i-$run"
    done
done
python3 - "$tmp" "$runs" "${bins[@]}" <<'PY'
import json, re, statistics, sys
d, runs, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def field(text, name):
    return re.search(rf"{re.escape(name)}: (.*)", text).group(1).strip()
def wall(s):
    parts = [float(p) for p in s.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
for i, b in enumerate(bins):
    rows = []
    for r in range(1, runs + 1):
        t = open(f"{d}/time-{i}-{r}").read()
        rows.append((
            wall(field(t, "Elapsed (wall clock) time (h:mm:ss or m:ss)")),
            float(field(t, "User time (seconds)")) + float(field(t, "System time (seconds)")),
            int(field(t, "Maximum resident set size (kbytes)")) / 1024,
            int(open(f"{d}/size-{i}-{r}").read()) / 1e6,
        ))
    med = [statistics.median(x[k] for x in rows) for k in range(4)]
    h = json.load(open(f"{d}/out-{i}.json"))
    full = sum(1 for c in h["commits"] if "models" in c)
    print(f"{b}")
    print(f"  runs: " + "; ".join(f"wall {w:.2f} s, cpu {c:.2f} s, rss {m:.1f} MiB" for w, c, m, _ in rows))
    print(f"  median of {runs}: wall {med[0]:.2f} s, cpu (user+sys) {med[1]:.2f} s, peak RSS {med[2]:.1f} MiB, JSON {med[3]:.2f} MB")
    print(f"  commits {len(h['commits'])}, with models {full}, stats {h['stats']}")
PY
