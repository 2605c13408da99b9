#!/usr/bin/env bash
# ripen GitHub Action, step 4 (only with the diff-base input): the level changes between the
# base revision and the checkout, in the log and the job summary. Inputs arrive as environment
# variables, never interpolated into the script. Exit code is ripen diff's: 0, 1 (a level
# dropped: --fail-on-regression), 2 (error, e.g. the base commit is missing from a shallow
# checkout: set fetch-depth: 0 on actions/checkout).
set -euo pipefail

ripen="${RIPEN_BIN:-ripen}"
# `--base=` keeps a value starting with `-` from being read as an option.
args=(diff "--base=${INPUT_DIFF_BASE:?diff-base is empty}" --fail-on-regression --format markdown)
if [[ -n "${INPUT_CONFIG:-}" ]]; then
  args+=("--config=${INPUT_CONFIG}")
fi
# The same trust and scope as the scan step (action/trust.sh): the gate compares the same
# levels.
# shellcheck source=trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/trust.sh"
trust_args || exit 2
scope_args || exit 2
set -f
for dir in ${INPUT_RULES:-}; do
  args+=("--rules=$dir")
done
set +f
# The path last, after `--`: a path beginning with `-` is a path.
args+=(-- "${INPUT_PATH:-.}")

status=0
report="$("$ripen" "${args[@]}")" || status=$?
if [[ -n "$report" ]]; then
  printf '%s\n' "$report"
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    printf '%s\n' "$report" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
exit "$status"
