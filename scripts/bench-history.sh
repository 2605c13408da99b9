#!/usr/bin/env bash
# Times `ripen history` over 1,000 commits against single scans of the same repository
# (issue 8: history should cost less than five scans).
#
#   scripts/bench-history.sh REPO [RIPEN_BINARY]
#
# REPO: a git clone with at least 1,000 commits (BENCHMARKS.md uses evidentlyai/evidently at
# a4aa4c2b37fe7a4344cc5031f566deccf3d69e4f). Runs scan, history, scan three times, interleaved
# (this shared machine's speed drifts within minutes), and prints the medians of user CPU and
# their ratio, and the last history run's counters. A scan is timed two ways: as users run it
# (with its history facts, which diff up to 1,000 commits themselves) and with
# `--history-commits 0` (the tree's content only), the stricter baseline.
set -euo pipefail
repo="${1:?usage: scripts/bench-history.sh REPO [RIPEN_BINARY]}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ripen="${2:-$here/target/release/ripen}"
if [ ! -x /usr/bin/time ]; then
    echo "bench-history.sh: /usr/bin/time is missing. Install it: 'apt-get install time'." >&2
    exit 2
fi
[ -n "${2:-}" ] || (cd "$here" && cargo build --release --quiet)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for _ in 1 2 3; do
    /usr/bin/time -f "%U" -a -o "$tmp/scan" "$ripen" scan "$repo" --format json >/dev/null
    /usr/bin/time -f "%U" -a -o "$tmp/bare" "$ripen" scan "$repo" --format json \
        --history-commits 0 >/dev/null
    /usr/bin/time -f "%U %e %M" -a -o "$tmp/history" \
        "$ripen" history "$repo" --max-commits 1000 --format json >"$tmp/history.json" 2>/dev/null
    /usr/bin/time -f "%U" -a -o "$tmp/bare" "$ripen" scan "$repo" --format json \
        --history-commits 0 >/dev/null
    /usr/bin/time -f "%U" -a -o "$tmp/scan" "$ripen" scan "$repo" --format json >/dev/null
done
python3 - "$tmp" <<'PY'
import json, statistics, sys
d = sys.argv[1]
scan = [float(l.split()[0]) for l in open(f"{d}/scan") if l.strip()]
bare = [float(l.split()[0]) for l in open(f"{d}/bare") if l.strip()]
hist = [l.split() for l in open(f"{d}/history") if l.strip()]
hu = statistics.median(float(h[0]) for h in hist)
su = statistics.median(scan)
print(f"scan user CPU (median of {len(scan)}): {su:.2f} s")
print(f"history user CPU (median of {len(hist)}): {hu:.2f} s; wall {hist[-1][1]} s; peak RSS {int(hist[-1][2]) // 1024} MiB")
bu = statistics.median(bare)
print(f"scan --history-commits 0 user CPU (median of {len(bare)}): {bu:.2f} s")
print(f"history / scan: {hu / su:.1f}; history / scan --history-commits 0: {hu / bu:.1f}")
print("counters:", json.load(open(f"{d}/history.json"))["stats"])
PY
