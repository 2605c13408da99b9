#!/usr/bin/env bash
# Times `ripen scan` on synthetic monorepos side by side with ripgrep (issue 8).
#
#   scripts/bench.sh                 # 10k and 60k trees, 3 runs each; 200k once
#   SIZES="60000" RUNS=5 scripts/bench.sh
#   BENCH_DIR=/tmp/ripen-bench SKIP_200K=1 scripts/bench.sh
#
# Trees are generated under $BENCH_DIR (default /tmp/ripen-bench), never in the repository,
# by scripts/gen-monorepo.py (seeded, reproducible). The page cache is warmed before timing.
# Output: a Markdown table (ripen and rg wall time, their ratio, peak RSS) on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/tmp/ripen-bench}"
SIZES="${SIZES:-10000 60000}"
RUNS="${RUNS:-3}"
SKIP_200K="${SKIP_200K:-}"
SEED="${SEED:-8}"

need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "bench.sh: '$1' is missing. $2" >&2
        exit 2
    fi
}
need rg "Install ripgrep: 'apt-get install ripgrep' or 'cargo install ripgrep'."
need python3 "Install Python 3."
if [ ! -x /usr/bin/time ]; then
    echo "bench.sh: /usr/bin/time is missing (peak RSS). Install it: 'apt-get install time'." >&2
    exit 2
fi

echo "building release ..." >&2
(cd "$here" && cargo build --release --quiet)
ripen="$here/target/release/ripen"
mkdir -p "$BENCH_DIR"

# The patterns ripgrep searches: every content regex of the built-in rules (rules/*.yml,
# scripts/rg-patterns.txt, 299 of them), as one rg invocation, the same work a rule matcher
# does in one pass. See BENCHMARKS.md for why this is the comparison.
patterns="$here/scripts/rg-patterns.txt"

warm() { find "$1" -type f -print0 | xargs -0 cat >/dev/null; }

# Wall seconds and peak RSS (KiB) of one run of "$@" (stdout discarded).
measure() {
    local log
    log="$(mktemp)"
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || true
    local wall rss
    wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")"
    rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")"
    rm -f "$log"
    echo "$wall $rss"
}

# Median wall time and max RSS over N runs.
runs() {
    local n="$1"
    shift
    local walls=() rss_max=0
    for _ in $(seq "$n"); do
        read -r w r < <(measure "$@")
        walls+=("$w")
        [ "$r" -gt "$rss_max" ] && rss_max="$r"
    done
    local med
    med="$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    echo "$med $rss_max"
}

row() {
    local files="$1" n="$2"
    local tree="$BENCH_DIR/mono-$((files / 1000))k"
    # The stamp lives beside the tree, not in it (it would be scanned).
    if [ ! -f "$tree.gen-$files-$SEED" ]; then
        rm -f "$tree".gen-*
        python3 "$here/scripts/gen-monorepo.py" --files "$files" --seed "$SEED" --out "$tree" >&2
        touch "$tree.gen-$files-$SEED"
    fi
    local mib
    mib="$(find "$tree" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s/1048576}')"
    warm "$tree"
    read -r rw rr < <(runs "$n" "$ripen" scan "$tree" --format json --history-commits 0)
    read -r gw gr < <(runs "$n" rg -c -f "$patterns" "$tree")
    local ratio
    ratio="$(awk -v a="$rw" -v b="$gw" 'BEGIN {printf "%.2f", a/b}')"
    printf '| %s | %s MiB | %s | %.2f s | %d MiB | %.2f s | %d MiB | %s |\n' \
        "$files" "$mib" "$n" "$rw" "$((rr / 1024))" "$gw" "$((gr / 1024))" "$ratio"
}

echo "| files | size | runs | ripen scan (median) | ripen peak RSS | rg -c -f (median) | rg peak RSS | ripen/rg |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in $SIZES; do
    row "$s" "$RUNS"
done
if [ -z "$SKIP_200K" ]; then
    row 200000 1
fi
