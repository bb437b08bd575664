#!/usr/bin/env bash
# Builds the release tarball: reachproof linked with the static Swift standard library (no Swift runtime needed
# where it runs), the kubectl plugin link, LICENSE, README and the run-time dependencies it still has.
#   scripts/release.sh [OUT_DIR]     (default: dist/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/dist}"
cd "$root"
# Foundation's networking (which the MCP SDK links) asks for -lcurl, which stays a shared system library: the
# runtime's libcurl.so.4 is linked through a folder with the name the linker looks for (no -dev package needed).
links="$(mktemp -d)"
curl="$(ldconfig -p | awk '/libcurl\.so\.4 / {print $NF; exit}')"
[ -n "$curl" ] || { echo "release.sh: libcurl.so.4 not found (apt-get install libcurl4)" >&2; exit 2; }
ln -s "$curl" "$links/libcurl.so"
swift build -c release --product reachproof --static-swift-stdlib --scratch-path .build-static \
    -Xlinker -L"$links" >&2
version="$(.build-static/release/reachproof --version)"
name="reachproof-$version-linux-$(uname -m)"
stage="$(mktemp -d)/$name"
mkdir -p "$stage" "$out"
cp .build-static/release/reachproof "$stage/"
ln -s reachproof "$stage/kubectl-reachproof"
cp LICENSE README.md "$stage/"
{
    echo "reachproof $version for Linux $(uname -m)."
    echo "Run-time dependencies (shared libraries from the system):"
    ldd "$stage/reachproof" | awk '{print "  " $1}' | grep -v -e 'linux-vdso' -e 'ld-linux'
    echo "On Debian or Ubuntu: apt-get install libz3-4 libcurl4 (Z3, the solver; curl, for Foundation)."
} > "$stage/DEPENDENCIES.txt"
tar -C "$(dirname "$stage")" -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz"
