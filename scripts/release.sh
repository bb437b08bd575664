#!/usr/bin/env bash
# Builds the release tarball: reachproof linked with the static Swift standard library (no Swift runtime needed
# where it runs), the kubectl plugin link, LICENSE, README and the run-time dependencies it still has.
#   scripts/release.sh [OUT_DIR]     (default: dist/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/dist}"
cd "$root"
scripts/build-release.sh
version="$(.build-static/release/reachproof --version)"
name="reachproof-$version-linux-$(uname -m)"
stage="$(mktemp -d)/$name"
mkdir -p "$stage" "$out"
cp .build-static/release/reachproof "$stage/"
ln -s reachproof "$stage/kubectl-reachproof"
cp LICENSE README.md "$stage/"
{
    echo "reachproof $version for Linux $(uname -m)."
    echo "Run-time dependencies (the shared libraries the binary names; the system brings theirs):"
    objdump -p "$stage/reachproof" | awk '/NEEDED/ {print "  " $2}'
    echo "On Debian or Ubuntu: apt-get install libz3-4 libcurl4 (Z3, the solver; curl, for Foundation)."
} > "$stage/DEPENDENCIES.txt"
tar -C "$(dirname "$stage")" -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz"
