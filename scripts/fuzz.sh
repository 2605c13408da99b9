#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets/*.rs) for a fixed time budget each, or, where
# cargo-fuzz cannot run, replays the corpora (`make fuzz`; CI's fuzz job and the scheduled
# fuzz workflow call this).
#
#   scripts/fuzz.sh [TARGET...]          FUZZ_SECONDS=60 (per target)
#
# With a nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`, `cargo install
# cargo-fuzz`): each target runs from its seeds (fuzz/seeds/<target>/) and the inputs kept
# from earlier finds (tests/regressions/<target>/), copied into fuzz/corpus/<target>/
# (ignored by git). A crash, a timeout or an out-of-memory stops that target; the others still
# run, and the script exits 1 naming the inputs (fuzz/artifacts/<target>/): copy each into
# tests/regressions/<target>/, where `cargo test` replays it on every run. Without them, the
# same seeds and kept inputs are replayed through the same code by tests/regressions.rs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${FUZZ_SECONDS:-60}"
if [[ ! "$secs" =~ ^[0-9]+$ ]]; then
    echo "fuzz.sh: FUZZ_SECONDS must be a whole number of seconds" >&2
    exit 2
fi
cd "$here/fuzz"
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in fuzz_targets/*.rs; do
        t="${f##*/}"
        targets+=("${t%.rs}")
    done
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: no nightly toolchain with cargo-fuzz; replaying the corpora instead" >&2
    cd "$here"
    exec cargo test --locked --test regressions
fi
failed=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    cp -r "seeds/$t/." "corpus/$t/"
    if [ -d "../tests/regressions/$t" ]; then
        cp -r "../tests/regressions/$t/." "corpus/$t/"
    fi
    echo "== $t: ${secs} s" >&2
    if ! cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=60 -max_len=65536 -rss_limit_mb=2048 \
        -print_final_stats=1; then
        failed+=("$t")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz.sh: ${failed[*]} failed; the inputs are in:" >&2
    for t in "${failed[@]}"; do
        ls -1 "artifacts/$t/" 2>/dev/null | sed "s|^|  fuzz/artifacts/$t/|" >&2 || true
    done
    echo "keep each in tests/regressions/<target>/ (cargo test replays them)" >&2
    exit 1
fi
