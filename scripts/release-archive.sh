#!/usr/bin/env bash
# Package a built ripen binary as a release archive, the way the GitHub Action downloads it
# (action/install.sh): OUT_DIR/ripen-TARGET.tar.gz (.zip for Windows targets) holding
#   ripen-TARGET/ripen[.exe]  LICENSE  README.md
#   ripen-TARGET/man/ripen.1 and one page per subcommand
#   ripen-TARGET/completions/ripen.bash _ripen (zsh) ripen.fish _ripen.ps1 ripen.elv
# and beside it ripen-TARGET.tar.gz.sha256 ("HASH  NAME", for sha256sum -c).
#
# The man pages and completions come from the binary itself, so it must run on this machine
# (the release workflow builds each target on a runner of its own platform).
#
#   scripts/release-archive.sh TARGET BINARY OUT_DIR
# Used by .github/workflows/release.yml, `make dist` and tests/action.rs.
set -euo pipefail

target="${1:?usage: release-archive.sh TARGET BINARY OUT_DIR}"
binary="${2:?usage: release-archive.sh TARGET BINARY OUT_DIR}"
out="${3:?usage: release-archive.sh TARGET BINARY OUT_DIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"

name="ripen-${target}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
dest="${stage}/${name}"
mkdir -p "${dest}/completions" "$out"
out="$(cd "$out" && pwd)"

exe=ripen
case "$target" in *windows*) exe=ripen.exe ;; esac
cp "$binary" "${dest}/${exe}"
cp "${root}/LICENSE" "${root}/README.md" "$dest/"
"$binary" man --dir "${dest}/man"
"$binary" completions bash > "${dest}/completions/ripen.bash"
"$binary" completions zsh > "${dest}/completions/_ripen"
"$binary" completions fish > "${dest}/completions/ripen.fish"
"$binary" completions powershell > "${dest}/completions/_ripen.ps1"
"$binary" completions elvish > "${dest}/completions/ripen.elv"

case "$target" in
  *windows*)
    archive="${name}.zip"
    rm -f "${out}/${archive}"
    if command -v 7z >/dev/null; then
      (cd "$stage" && 7z a -tzip -bso0 "${out}/${archive}" "$name")
    else
      (cd "$stage" && zip -qr "${out}/${archive}" "$name")
    fi
    ;;
  *)
    archive="${name}.tar.gz"
    tar -C "$stage" -czf "${out}/${archive}" "$name"
    ;;
esac

cd "$out"
if command -v sha256sum >/dev/null; then
  sha256sum "$archive" > "${archive}.sha256"
else
  shasum -a 256 "$archive" > "${archive}.sha256"
fi
echo "${out}/${archive}"
