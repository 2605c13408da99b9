#!/usr/bin/env bash
# ripen GitHub Action, step 3: scan, with the action's inputs passed as environment variables
# (never interpolated into the script). Asked by --github-summary, ripen itself appends the
# Markdown report to $GITHUB_STEP_SUMMARY and writes google-level, azure-level, targets-met and
# gigaom-<category> to $GITHUB_OUTPUT; this script adds report-json. action.yml declares them all. The step's exit code is ripen's: 0, 1 (a target not met), 2 (error).
set -euo pipefail

ripen="${RIPEN_BIN:-ripen}"
out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ripen"
mkdir -p "$out_dir"
report_json="${out_dir}/report.json"

# Values are attached with `=` and the path comes last, after `--`: an input beginning with
# `-` stays a value or a path, never an option.
args=(scan "--format=${INPUT_FORMAT:-github}" --github-summary "--report-file=json=${report_json}")
if [[ -n "${INPUT_SARIF_FILE:-}" ]]; then
  args+=("--report-file=sarif=${INPUT_SARIF_FILE}")
fi
if [[ -n "${INPUT_CONFIG:-}" ]]; then
  args+=("--config=${INPUT_CONFIG}")
fi
# What the workflow trusts of the scanned repository, and its scope (action/trust.sh).
# shellcheck source=trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/trust.sh"
trust_args || exit 2
scope_args || exit 2
# Lists are separated by spaces, commas or newlines; no glob expansion.
fail_under="${INPUT_FAIL_UNDER:-}"
set -f
for target in ${fail_under//,/ }; do
  args+=("--fail-under=$target")
done
for dir in ${INPUT_RULES:-}; do
  args+=("--rules=$dir")
done
set +f
args+=(-- "${INPUT_PATH:-.}")

echo "report-json=${report_json}" >> "${GITHUB_OUTPUT:?}"
status=0
"$ripen" "${args[@]}" || status=$?
exit "$status"
