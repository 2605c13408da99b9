#!/usr/bin/env bash
# Runs one ripen binary over a set of repository trees and git histories and writes every
# output it can produce into OUT, so that two binaries (before and after a change that must not
# change behaviour) can be compared with `diff -r`.
#
#   scripts/compare-outputs.sh BINARY OUT TREE... [-- GITDIR...]
#
# Each TREE is scanned twice (with and without --per-project), one scan writing every format
# (--format json plus --report-file for text, markdown, sarif, github, html). Each GITDIR (a
# repository or a bare git directory) gets `history` (text, json, html) and `diff` (text, json,
# markdown). The catalogue commands (rules list, explain, schema) run once. RIPEN_TODAY pins the
# date, so that nothing in the outputs varies between runs.
set -uo pipefail
bin=$(realpath "$1"); out=$2; shift 2
mkdir -p "$out"
export RIPEN_TODAY=${RIPEN_TODAY:-2026-12-04} NO_COLOR=1 RIPEN_NO_PROGRESS=1
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY GITHUB_OUTPUT
name() { printf '%s' "$1" | tr '/' '_' ; }
run() { # dir cmd...: stdout, stderr and exit code of cmd into dir
  local d=$1; shift
  mkdir -p "$d"
  "$@" >"$d/stdout" 2>"$d/stderr"; echo $? >"$d/exit"
}
trees=(); gits=()
while [[ $# -gt 0 ]]; do
  if [[ $1 == -- ]]; then shift; gits=("$@"); break; fi
  trees+=("$1"); shift
done
for t in "${trees[@]}"; do
  for pp in "" --per-project; do
    d="$out/scan/$(name "$t")${pp:+-pp}"
    mkdir -p "$d"
    run "$d" "$bin" scan "$t" $pp --format json \
      --report-file "text=$d/text" --report-file "markdown=$d/markdown" \
      --report-file "sarif=$d/sarif" --report-file "github=$d/github" --report-file "html=$d/html"
  done
done
for g in "${gits[@]}"; do
  n=$(name "$g")
  for f in text json html; do
    run "$out/history/$n-$f" "$bin" history "$g" --max-commits 200 --format "$f"
  done
  for f in text json markdown; do
    run "$out/diff/$n-$f" "$bin" diff "$g" --base HEAD~25 --head HEAD --format "$f"
  done
done
run "$out/cat/rules-list" "$bin" rules list
run "$out/cat/rules-list-json" "$bin" rules list --format json
for id in azure google gigaom ci experiment_tracking mlflow-tracking nope; do
  run "$out/cat/explain-$id" "$bin" explain "$id"
done
for k in config rules capabilities model; do
  run "$out/cat/schema-$k" "$bin" schema "$k"
done
