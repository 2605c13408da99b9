#!/usr/bin/env bash
# ripen GitHub Action, step 1: decide how to install ripen. Writes to $GITHUB_OUTPUT:
#   method   release (download a prebuilt, checksum-verified binary) or cargo (build the source)
#   version  the release to download (method release)
#   dir      where ripen is installed ($dir/bin)
#   key      for method cargo: a cache key that changes whenever the action's own source does
#
# - The `version` input names a release: download it.
# - Otherwise the action's own ref decides. A version tag maps to the release it was cut from:
#   an exact tag (v0.2.0) to that release, a moving tag (v0, v0.2) to the version in the
#   Cargo.toml it points at (the release workflow moves v0 only once that release is out).
#   A branch, a commit SHA or a local `uses: ./` has no release: build it with cargo.
# - The `install` input: auto (the above), cargo (always build), release (never build: fail when
#   there is no release, e.g. in a container job without a Rust toolchain).
# Inputs arrive as environment variables: RIPEN_VERSION, RIPEN_INSTALL, RIPEN_ACTION_REF,
# RIPEN_ACTION_REPOSITORY (github.action_ref and github.action_repository, which a composite
# action sees only through env:).
set -euo pipefail

src="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is set by the runner}"
mode="${RIPEN_INSTALL:-auto}"
version="${RIPEN_VERSION:-}"
ref="${RIPEN_ACTION_REF:-}"
repo="${RIPEN_ACTION_REPOSITORY:-}"

fail() {
  echo "::error title=ripen::$1" >&2
  exit 2
}
notice() { echo "::notice title=ripen::$1"; }

case "$mode" in
  auto | release | cargo) ;;
  *) fail "install must be auto, release or cargo" ;;
esac

if [[ -n "$version" ]]; then
  [[ "$mode" != cargo ]] || fail "version and install: cargo contradict each other; give one"
  version="${version#v}"
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] ||
    fail "version must be a release number such as 0.2.0, got an invalid value"
elif [[ "$mode" != cargo ]]; then
  # The ref and repository describe this action only when its directory is the runner's
  # checkout of them (.../_actions/OWNER/REPO/REF); a composite action nested in another one
  # sees the outer action's values.
  crate="$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "${src}/Cargo.toml" | head -n 1)"
  if [[ -z "$ref" || -z "$repo" || "${src%/}" != */"${repo}/${ref}" ]]; then
    why="the action is not used from a release tag (uses: ${repo:-./}${ref:+@$ref})"
  elif [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
    if [[ "${ref#v}" == "$crate" ]]; then version="$crate"; else
      why="tag ${ref} holds version ${crate:-unknown}, not ${ref#v}"
    fi
  elif [[ "$ref" =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
    if [[ "$crate" == "${ref#v}".* ]]; then version="$crate"; else
      why="tag ${ref} holds version ${crate:-unknown}"
    fi
  else
    why="${ref} is a branch or a commit, not a release tag"
  fi
  if [[ -z "$version" ]]; then
    [[ "$mode" != release ]] || fail "install: release, but ${why}; pin a release tag or set version"
    notice "building ripen from source with cargo: ${why}"
  fi
fi

[[ "$version" =~ ^[0-9A-Za-z.-]*$ ]] || fail "unexpected version ${version}"
[[ "$repo" =~ ^[A-Za-z0-9_.-]*/?[A-Za-z0-9_.-]*$ ]] || fail "unexpected action repository"

dir="${HOME}/.cache/ripen-action"
# On Windows (Git Bash) the directory must also make sense to actions/cache and to PATH.
if command -v cygpath >/dev/null; then dir="$(cygpath -m "$dir")"; fi
{
  echo "dir=${dir}"
  echo "repository=${repo}"
  if [[ -n "$version" ]]; then
    echo "method=release"
    echo "version=${version}"
  else
    if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
    hash="$(
      cd "$src" &&
        { find Cargo.toml Cargo.lock build.rs src rules -type f 2>/dev/null || true; } |
        LC_ALL=C sort | while IFS= read -r f; do "${sum[@]}" "$f"; done | "${sum[@]}" | cut -c1-20
    )"
    echo "method=cargo"
    echo "key=ripen-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-${hash}"
  fi
} >> "${GITHUB_OUTPUT:?}"
