#!/usr/bin/env bash
# Fuzzes the manifest loader, the claims parser and the block YAML reader (against Yams) with libFuzzer for SECONDS
# (default 60). Seeds come from examples/, policies/ and the bad-input catalogue; the first byte of every input
# picks what runs (0 mod 4: manifests, 2 mod 4: the block reader against Yams, odd: claims). Crashing inputs land
# in fuzz/crashes/; add each one to Tests/Fixtures/bad/ with the error it must produce once fixed (a disagreement
# of the block reader goes to BlockYAMLReaderTests).
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
REACHPROOF_FUZZ=1 swift build -c debug --build-path .build-fuzz --product FuzzLoader \
    --sanitize=fuzzer --sanitize=address -Xswiftc -parse-as-library >&2
binary="$(REACHPROOF_FUZZ=1 swift build -c debug --build-path .build-fuzz --show-bin-path)/FuzzLoader"

corpus="fuzz/corpus"
mkdir -p "$corpus" fuzz/crashes
seed() { # prefix byte, file
    local name; name="$(printf '%s' "$2" | tr '/' '_')"
    { printf "\\x$1"; cat "$2"; } > "$corpus/seed-$1-$name"
}
while IFS= read -r f; do seed 00 "$f"; done < <(find examples Tests/Fixtures/bad Tests/Fixtures/unusual -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) 2>/dev/null)
while IFS= read -r f; do seed 02 "$f"; done < <(find examples Tests/Fixtures/bad Tests/Fixtures/unusual -type f \( -name '*.yaml' -o -name '*.yml' \) 2>/dev/null)
while IFS= read -r f; do seed 01 "$f"; done < <(find policies Tests/Fixtures/bad-claims -type f -name '*.yaml' 2>/dev/null)

# -timeout catches hangs (seconds per input); -rss_limit_mb catches memory blow-ups. Leak detection is off:
# LeakSanitizer reports the lazily built globals of Yams (Constructor.default, first touched on a loader worker
# thread) as leaks at exit, a one-time allocation that is not a bug; growing memory is what -rss_limit_mb is for.
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" "$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix=fuzz/crashes/ -print_final_stats=1 -detect_leaks=0
