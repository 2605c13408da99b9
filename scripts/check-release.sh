#!/usr/bin/env bash
# Before a release is built (.github/workflows/release.yml): the tag, the versions and the
# package's home agree, so that the action at that tag maps to this release, pre-commit's
# install (pyproject.toml) pins the wheel of this release, and nothing is published with a
# repository URL that is not the repository it is released from.
#
#   scripts/check-release.sh TAG REPOSITORY_URL     e.g. v0.2.0 https://github.com/OWNER/ripen
set -euo pipefail

tag="${1:?usage: check-release.sh TAG REPOSITORY_URL}"
url="${2:?usage: check-release.sh TAG REPOSITORY_URL}"
cd "$(dirname "$0")/.."

if ! [[ "$tag" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
  echo "error: ${tag} is not a release tag such as v0.2.0" >&2
  exit 1
fi
version="${tag#v}"

# The first `KEY = "VALUE"` line of a TOML file (these files are ours, kept simple).
field() { sed -n "s/^$1 = \"\\([^\"]*\\)\"\$/\\1/p" "$2" | head -n 1; }
status=0
expect() {
  if [[ "$2" != "$3" ]]; then
    echo "error: $1 is '$2', expected '$3'" >&2
    status=1
  fi
}
expect "the version in Cargo.toml" "$(field version Cargo.toml)" "$version"
expect "the version in pyproject.toml" "$(field version pyproject.toml)" "$version"
expect "pyproject.toml's pin of ripen-mlops" \
  "$(sed -n 's/^dependencies = \["ripen-mlops==\([^"]*\)"\]$/\1/p' pyproject.toml)" "$version"
expect "the repository in Cargo.toml" "$(field repository Cargo.toml)" "$url"
expect "the Repository URL in pypi/pyproject.toml" "$(field Repository pypi/pyproject.toml)" "$url"
exit "$status"
