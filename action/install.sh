#!/usr/bin/env bash
# ripen GitHub Action, step 3: install ripen into $RIPEN_DIR/bin and put it on PATH, as step 1
# (resolve.sh) decided in RIPEN_METHOD:
#
# - release: download RIPEN_VERSION's archive for this platform from the action's repository
#   (RIPEN_REPOSITORY) and verify it against the release's SHA-256 file before unpacking it.
#   Archives are named ripen-TARGET.tar.gz (ripen-TARGET.zip on Windows) and hold a directory
#   ripen-TARGET/ with the binary; scripts/release-archive.sh makes them.
# - cargo: build the action's own source with `cargo install --locked` (skipped when step 2
#   restored a build of the same source from the cache).
set -euo pipefail

dir="${RIPEN_DIR:?}"
bin="${dir}/bin"
case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) exe=ripen.exe ;;
  *) exe=ripen ;;
esac

if [[ "${RIPEN_METHOD:-}" == release ]]; then
  version="${RIPEN_VERSION:-}"
  if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
    echo "::error title=ripen::version must be a release number such as 0.2.0, got an invalid value" >&2
    exit 2
  fi
  repo="${RIPEN_REPOSITORY:-}"
  if ! [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
    echo "::error title=ripen::version needs the action to be used from its repository (uses: owner/ripen@ref)" >&2
    exit 2
  fi
  ext=tar.gz
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) target=x86_64-unknown-linux-musl ;;
    Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
    Darwin-x86_64) target=x86_64-apple-darwin ;;
    Darwin-arm64) target=aarch64-apple-darwin ;;
    MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) target=x86_64-pc-windows-msvc ext=zip ;;
    *)
      echo "::error title=ripen::no prebuilt ripen for $(uname -s) $(uname -m); use install: cargo to build it" >&2
      exit 2
      ;;
  esac
  command -v curl >/dev/null || {
    echo "::error title=ripen::curl is needed to download ripen; install it, or use install: cargo" >&2
    exit 2
  }
  server="${GITHUB_SERVER_URL:-https://github.com}"
  asset="ripen-${target}.${ext}"
  url="${server}/${repo}/releases/download/v${version}/${asset}"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # https only (file: lets the tests serve a release from a directory); redirects https only.
  get() { curl --proto '=https,file' --proto-redir '=https' --tlsv1.2 -fsSL --retry 3 -o "$1" "$2"; }
  get "${tmp}/${asset}" "$url"
  get "${tmp}/${asset}.sha256" "${url}.sha256"
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
  mkdir -p "${tmp}/unpacked" "$bin"
  if [[ "$ext" == zip ]]; then
    if command -v unzip >/dev/null; then
      unzip -q "${tmp}/${asset}" -d "${tmp}/unpacked"
    else
      7z x -y "-o${tmp}/unpacked" "${tmp}/${asset}" >/dev/null
    fi
  else
    tar -xzf "${tmp}/${asset}" -C "${tmp}/unpacked"
  fi
  mv -f "${tmp}/unpacked/ripen-${target}/${exe}" "${bin}/${exe}"
  echo "ripen ${version} (${target}) downloaded and verified"
elif [[ "${RIPEN_CACHE_HIT:-}" == "true" && -x "${bin}/${exe}" ]]; then
  echo "ripen restored from the cache"
else
  cargo install --path "${GITHUB_ACTION_PATH:?}" --locked --root "$dir"
fi

echo "$bin" >> "${GITHUB_PATH:?}"
"${bin}/${exe}" --version
