#!/usr/bin/env bash
# Measures reachproof alone on generated clusters of growing size (release build): parsing the manifests, loading
# them into the model, `map --format pairs` (output to /dev/null, so that the disk is not measured; the lines are
# counted in a second run), `check` of 50 generated claims, and peak memory of each run.
#   bench/scale.sh [--sizes 'W:P ...'] [--seed S] [--flags 'GENERATOR FLAGS'] [--work DIR]
# Default sizes (workloads:policies, 1:3 policies per workload, namespaces = workloads/100, at least 20):
# 100:33 1000:333 5000:1666 20000:6666. Default generator flags: --named-ports --ipblocks --services. The 50 claims
# are denied/allowed/only over generated namespaces and external ranges; 10 of them (one in five) are about pods
# that could be created (`universe: any`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
oracle="$root/../shared/oracle"
[ -d "$oracle" ] || { echo "scale.sh: $oracle not found" >&2; exit 2; }
sizes="100:33 1000:333 5000:1666 20000:6666"; seed=42; work=""; flags="--named-ports --ipblocks --services"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2;;
    --seed) seed="$2"; shift 2;;
    --flags) flags="$2"; shift 2;;
    --work) work="$2"; shift 2;;
    *) echo "scale.sh: unknown argument $1" >&2; exit 2;;
  esac
done
[ -n "$work" ] || work="$(mktemp -d)"
# One product per call: given two, `swift build` builds only the last.
(cd "$root" && swift build -c release --product reachproof >&2 && swift build -c release --product reachproof-bench >&2)
rp="$root/.build/release/reachproof"
bench="$root/.build/release/reachproof-bench"
# Runs a command with its output to /dev/null, prints "seconds peak-MiB".
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null 2> "$work/err.txt" || true
  read -r secs kb <<< "$(tail -1 "$work/time.txt")"
  echo "$secs $(( kb / 1024 ))"
}
echo "reachproof $("$rp" --version); $(date -u +%Y-%m-%d); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); seed $seed; generator flags $flags; claims: 50, 10 of them universe: any"
echo
echo "| workloads | policies | documents | MB | classes | parse s | inventory s (load+model) | map s | map / parse | map MiB | pair lines | check 50 claims s | check MiB | check verdicts |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for s in $sizes; do
  w="${s%%:*}"; p="${s##*:}"; ns=$(( w / 100 )); [ "$ns" -lt 20 ] && ns=20
  d="$work/s-$w-$p"
  rm -rf "$d"
  # shellcheck disable=SC2086
  python3 "$oracle/gen_cluster.py" --namespaces "$ns" --deployments "$w" --policies "$p" --seed "$seed" --out "$d" $flags >/dev/null
  docs=$(cat "$d"/*.yaml | grep -c '^kind:')
  mb=$(du -cm "$d"/*.yaml | tail -1 | cut -f1)
  classes=$("$bench" classes "$d" | sed -E 's/.*-> ([0-9]+) classes.*/\1/')
  parse_s=$("$bench" parse --no-codable "$d" | sed -nE 's/.*parse ([0-9.]+) s.*/\1/p')
  read -r inv_s _ <<< "$(measure "$rp" inventory "$d")"
  read -r map_s map_mb <<< "$(measure "$rp" map "$d" --format pairs)"
  lines=$("$rp" map "$d" --format pairs | wc -l)
  ratio=$(python3 -c "print(f'{$map_s / $parse_s:.1f}x')")
  # 50 claims: denied/allowed/only over generated namespaces and external ranges; one in five (10) is about pods
  # that could be created in the source namespace (`universe: any`, denied or only).
  python3 - "$d" "$ns" > "$d.claims.yaml" <<'PY'
import sys, random
d, ns = sys.argv[1], int(sys.argv[2])
random.seed(7)
print("claims:")
for i in range(50):
    a, b = f"ns-{random.randrange(ns):03d}", f"ns-{random.randrange(ns):03d}"
    kind = ["denied", "allowed", "only"][i % 3]
    anyone = i % 5 == 1
    src = f"{{namespace: {a}}}" if i % 5 else "{external: 0.0.0.0/0}"
    if anyone:
        src = f"{{namespace: {a}, universe: any}}"
        kind = "denied" if i % 2 else "only"
    if kind == "only":
        extra = "\n    universe: any" if anyone else ""
        print(f"  - name: c{i}\n    only:\n      from: [{{namespace: {a}}}]\n      to: {{namespace: {b}}}\n      ports: [TCP/{8000 + i}]\n    allowEmpty: true{extra}")
    else:
        print(f"  - name: c{i}\n    {kind}:\n      from: {src}\n      to: {{namespace: {b}}}\n      ports: [TCP/{8000 + i}]\n    allowEmpty: true")
PY
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$rp" check "$d" --claims "$d.claims.yaml" --allow-unknown \
    > "$d.check.txt" 2> "$work/err.txt" || true
  read -r check_s check_kb <<< "$(tail -1 "$work/time.txt")"
  verdicts="$(grep -oE '[0-9]+ proved, [0-9]+ refuted, [0-9]+ unknown' "$d.check.txt" || echo none)"
  echo "| $w | $p | $docs | $mb | $classes | $parse_s | $inv_s | $map_s | $ratio | $map_mb | $lines | $check_s | $(( check_kb / 1024 )) | $verdicts |"
done
