#!/usr/bin/env bash
# One command on several builds, interleaved: round after round, each build once per round, so that a machine
# whose speed drifts slows every build alike. Prints the load average, then per build its wall seconds in run
# order with the fastest and the median.
#   bench/interleaved.sh ROUNDS "ARGS..." BINARY...
# ARGS are reachproof's arguments (the output goes to /dev/null), e.g.
#   bench/interleaved.sh 5 "inventory c100k" ./rp-before ./rp-after
set -uo pipefail
[ $# -ge 3 ] || { sed -n '2,7p' "$0" >&2; exit 2; }
rounds="$1"; args="$2"; shift 2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u); reachproof $args"
for _ in $(seq "$rounds"); do
  for b in "$@"; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e" -o "$work/time" "$b" $args > /dev/null 2>&1
    tail -1 "$work/time" >> "$work/$(echo "$b" | tr '/' '_')"
  done
done
for b in "$@"; do
  f="$work/$(echo "$b" | tr '/' '_')"
  runs="$(tr '\n' ' ' < "$f")"
  sorted="$(sort -n "$f")"
  echo "$b: fastest $(echo "$sorted" | head -1) s, median $(echo "$sorted" | sed -n "$(( (rounds + 1) / 2 ))p") s; runs: $runs"
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
