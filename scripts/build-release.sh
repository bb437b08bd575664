#!/usr/bin/env bash
# The release build `make install` and scripts/release.sh share: reachproof linked with the static Swift standard
# library (it runs where no Swift toolchain is installed), in .build-static/release/reachproof.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Foundation's networking (which the MCP SDK links) asks for -lcurl, which stays a shared system library: the
# runtime's libcurl.so.4 is linked through a folder with the name the linker looks for (no -dev package needed).
links="$(mktemp -d)"
trap 'rm -rf "$links"' EXIT
# awk reads the whole listing: quitting at the first match would end ldconfig with SIGPIPE, which pipefail turns
# into a failed build whenever the listing outgrows the pipe's buffer.
curl="$(ldconfig -p | awk '/libcurl\.so\.4 / && !found {print $NF; found = 1}')"
[ -n "$curl" ] || { echo "build-release.sh: libcurl.so.4 not found (apt-get install libcurl4)" >&2; exit 2; }
ln -s "$curl" "$links/libcurl.so"
swift build -c release --product reachproof --static-swift-stdlib --scratch-path .build-static -Xlinker -L"$links" >&2
