#!/usr/bin/env bash
# Two builds of reachproof on one cluster, in one run: each command on the before binary, then on the after binary,
# back to back, so that both see the same machine. Prints one line per run: command, build, wall seconds, peak MiB,
# and a checksum of the output (equal checksums: identical output).
#   bench/before-after.sh [--no-pairs] BEFORE_BINARY AFTER_BINARY CLUSTER_DIR CLAIMS_FILE [WORKLOAD]
# CLUSTER_DIR is a generated cluster (bench/scale.sh or ../shared/oracle/gen_cluster.py), CLAIMS_FILE its claims
# (bench/scale.sh writes 50 of them, 10 with universe: any), WORKLOAD a namespace/name for `map --workload`.
# --no-pairs leaves out `map --format pairs`, which lists billions of lines at 100,000 workloads.
set -uo pipefail
pairs=yes
[ "${1:-}" = --no-pairs ] && { pairs=no; shift; }
[ $# -ge 4 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
before="$1"; after="$2"; cluster="$3"; claims="$4"; workload="${5:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() { # label binary args...
  local label="$1" bin="$2"; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" "$@" > "$work/out" 2> "$work/err"
  read -r secs kb < <(tail -1 "$work/time")
  echo "$label | $secs | $(( kb / 1024 )) | $(md5sum < "$work/out" | cut -c1-8)"
}
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u); cluster $cluster"
echo "command | build | s | peak MiB | output"
commands=("inventory $cluster" "map $cluster --format pairs" "map $cluster --format summary"
  "check $cluster --claims $claims --allow-unknown")
[ "$pairs" = no ] && commands=("${commands[0]}" "${commands[@]:2}")
[ -n "$workload" ] && commands=("inventory $cluster" "map $cluster --workload $workload" "${commands[@]:1}")
for c in "${commands[@]}"; do
  # shellcheck disable=SC2086
  run "$c | before" "$before" $c
  # shellcheck disable=SC2086
  run "$c | after" "$after" $c
done
