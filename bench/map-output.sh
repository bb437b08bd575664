#!/usr/bin/env bash
# How fast, and in how much memory, two builds write a whole map: each format to /dev/null, and `pairs` into a pipe
# read by `wc -c` (a pipe is what a user's `| grep` or `| gzip` is). Each command runs on the before binary, then on
# the after binary, back to back. Prints one line per run: command, build, wall seconds, peak MiB of reachproof,
# and a checksum of the output (equal checksums: identical output).
#   bench/map-output.sh [--formats 'pairs json table'] BEFORE_BINARY AFTER_BINARY CLUSTER_DIR
# CLUSTER_DIR is a generated cluster (bench/scale.sh or ../shared/oracle/gen_cluster.py). At 20,000 workloads the
# pair list is 5 GB; a build that holds the whole list for json or table needs tens of GB there, so give it
# --formats pairs, or a smaller cluster.
set -uo pipefail
formats="pairs json table"
[ "${1:-}" = --formats ] && { formats="$2"; shift 2; }
[ $# -eq 3 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
before="$1"; after="$2"; cluster="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() { # build binary format sink (null, md5 or wc)
  local build="$1" bin="$2" format="$3" sink="$4" out="-" label
  case "$sink" in
    null) label="map --format $format > /dev/null"
      /usr/bin/time -f "%e %M" -o "$work/time" "$bin" map "$cluster" --format "$format" > /dev/null 2> "$work/err";;
    md5) label="map --format $format | md5sum"
      out=$( { /usr/bin/time -f "%e %M" -o "$work/time" "$bin" map "$cluster" --format "$format" 2> "$work/err"; } \
        | md5sum | cut -c1-8);;
    wc) label="map --format $format | wc -c"
      out=$( { /usr/bin/time -f "%e %M" -o "$work/time" "$bin" map "$cluster" --format "$format" 2> "$work/err"; } \
        | wc -c);;
  esac
  read -r secs kb < <(tail -1 "$work/time")
  echo "$label | $build | $secs | $(( kb / 1024 )) | $out"
}
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u); cluster $cluster"
echo "command | build | s | peak MiB | output (md5, or bytes through the pipe)"
for f in $formats; do
  # md5sum reads at its own speed: the /dev/null line is the one without a reader.
  for sink in null md5; do
    run before "$before" "$f" $sink
    run after "$after" "$f" $sink
  done
done
run before "$before" pairs wc
run after "$after" pairs wc
