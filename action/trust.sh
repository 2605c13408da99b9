#!/usr/bin/env bash
# ripen GitHub Action: the caller's trust and scope, shared by scan.sh and diff.sh (sourced, not
# run), so that the diff's gate compares what the scan's gate judges.
# Appends to the array `args` what the workflow's inputs trust of the scanned repository: the
# gate counts ripen's own rules only, unless the workflow opts in (the scanned repository
# cannot: these are the workflow's inputs, not the repository's config), and waivers may
# expire at most max-waiver-days ahead. Inputs arrive as environment variables.
trust_args() {
  local trust var days
  for trust in repo-rules waivers attestations; do
    var="INPUT_TRUST_${trust//-/_}"
    var="${var^^}"
    case "${!var:-false}" in
      true) args+=("--trust-${trust}") ;;
      false | "") ;;
      *) echo "::error::trust-${trust} must be true or false" >&2; return 2 ;;
    esac
  done
  days="${INPUT_MAX_WAIVER_DAYS:-}"
  if [[ -n "$days" ]]; then
    if [[ ! "$days" =~ ^[0-9]{1,7}$ ]]; then
      echo "::error::max-waiver-days must be a whole number of days" >&2
      return 2
    fi
    args+=("--max-waiver-days=${days}")
  fi
}

# Appends `--enclosing-repo` unless the workflow turns it off: a `path` that is a sub-directory
# of the checkout is read with the repository's CI that reaches into it (at the top level the
# flag changes nothing).
scope_args() {
  case "${INPUT_ENCLOSING_REPO:-true}" in
    true | "") args+=(--enclosing-repo) ;;
    false) ;;
    *) echo "::error::enclosing-repo must be true or false" >&2; return 2 ;;
  esac
}
