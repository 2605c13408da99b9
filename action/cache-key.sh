#!/usr/bin/env bash
# ripen GitHub Action, step 1: where to install ripen, and a cache key that changes whenever
# the action's own source (Rust code, rules, lock file) does. Writes `dir` and `key` to
# $GITHUB_OUTPUT.
set -euo pipefail

src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is set by the runner}"
dir="${HOME}/.cache/ripen-action"
if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
hash="$(
  cd "$src" &&
    find Cargo.toml Cargo.lock build.rs src rules -type f 2>/dev/null | LC_ALL=C sort |
    while IFS= read -r f; do "${sum[@]}" "$f"; done | "${sum[@]}" | cut -c1-20
)"
{
  echo "dir=${dir}"
  echo "key=ripen-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-${hash}"
} >> "${GITHUB_OUTPUT:?}"
