#!/usr/bin/env bash
# ripen GitHub Action, step 2: install ripen into $RIPEN_DIR/bin and put it on PATH.
#
# - RIPEN_VERSION empty: build the action's own source with `cargo install --locked`
#   (skipped when the cache step restored a build of the same source).
# - RIPEN_VERSION set (e.g. 0.2.0): download that release's prebuilt binary from the action's
#   repository and verify it against the release's SHA-256 file before use.
set -euo pipefail

dir="${RIPEN_DIR:?}"
bin="${dir}/bin"
version="${RIPEN_VERSION:-}"

if [[ -n "$version" ]]; then
  version="${version#v}"
  if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
    echo "::error title=ripen::version must be a release number such as 0.2.0, got an invalid value" >&2
    exit 2
  fi
  repo="${RIPEN_REPOSITORY:-}"
  if ! [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
    echo "::error title=ripen::version needs the action to be used from its repository (uses: owner/ripen@ref)" >&2
    exit 2
  fi
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
    Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-gnu ;;
    Darwin-x86_64) target=x86_64-apple-darwin ;;
    Darwin-arm64) target=aarch64-apple-darwin ;;
    *)
      echo "::error title=ripen::no prebuilt ripen for $(uname -s) $(uname -m); leave version empty to build from source" >&2
      exit 2
      ;;
  esac
  server="${GITHUB_SERVER_URL:-https://github.com}"
  asset="ripen-${target}.tar.gz"
  url="${server}/${repo}/releases/download/v${version}/${asset}"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  curl --proto '=https' --tlsv1.2 -fsSL --retry 3 -o "${tmp}/${asset}" "$url"
  curl --proto '=https' --tlsv1.2 -fsSL --retry 3 -o "${tmp}/${asset}.sha256" "${url}.sha256"
  expected="$(cut -d' ' -f1 < "${tmp}/${asset}.sha256")"
  if command -v sha256sum >/dev/null; then
    actual="$(sha256sum "${tmp}/${asset}" | cut -d' ' -f1)"
  else
    actual="$(shasum -a 256 "${tmp}/${asset}" | cut -d' ' -f1)"
  fi
  if [[ -z "$expected" || "$expected" != "$actual" ]]; then
    echo "::error title=ripen::checksum mismatch for ${asset} (expected ${expected:-nothing}, got ${actual})" >&2
    exit 1
  fi
  mkdir -p "$bin"
  tar -xzf "${tmp}/${asset}" -C "$bin" ripen
elif [[ "${RIPEN_CACHE_HIT:-}" == "true" && -x "${bin}/ripen" ]]; then
  echo "ripen restored from the cache"
else
  cargo install --path "${GITHUB_ACTION_PATH:?}" --locked --root "$dir"
fi

echo "$bin" >> "${GITHUB_PATH:?}"
"${bin}/ripen" --version
