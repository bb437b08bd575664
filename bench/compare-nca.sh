#!/usr/bin/env bash
# Runs reachproof and network-config-analyzer (NCA) on the same generated clusters, checks that both produce the
# same allowed-pair list, and prints a Markdown table of wall-clock seconds and their ratio.
#   bench/compare-nca.sh [--large] [--seed S] [--work DIR]
# Sizes (workloads/policies): 50/20 100/50 200/100 500/150; --large adds 1000/300 (NCA needs over 10 minutes).
# Needs ../shared/oracle (generator, NCA installer, pair normalizer, comparer) beside the repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
oracle="$root/../shared/oracle"
[ -d "$oracle" ] || { echo "compare-nca.sh: $oracle not found" >&2; exit 2; }
sizes="50:20 100:50 200:100 500:150"; seed=42; work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --large) sizes="$sizes 1000:300"; shift;;
    --seed) seed="$2"; shift 2;;
    --work) work="$2"; shift 2;;
    *) echo "compare-nca.sh: unknown argument $1" >&2; exit 2;;
  esac
done
[ -n "$work" ] || work="$(mktemp -d)"
mkdir -p "$work"
bash "$oracle/install.sh" "$root/.venv-nca" >&2
nca="$root/.venv-nca/bin/nca"
(cd "$root" && swift build -c release --product reachproof >&2)
rp="$root/.build/release/reachproof"
now() { date +%s.%N; }
# NCA's model: ipBlocks do not match pod addresses, hostNetwork pods are ordinary pods, no pod CIDR, and IPv4
# only (NCA lists IPv6 ranges only when a policy mentions IPv6; the generated clusters never do).
rp_flags=(--format pairs --pod-cidr none --ip-families ipv4 --assume A-IPBLOCK-PODIP=ignored --assume A-HOSTNET=H1)

echo "reachproof $("$rp" --version), $("$nca" --version 2>&1 | sed -n 1p); $(date -u +%Y-%m-%d); $(nproc) cores; seed $seed;"
echo "generator flags --ipblocks --named-ports --services; namespaces = workloads/10 (at least 5)"
echo
echo "| workloads | policies | NCA s | reachproof s | speed-up | pairs | agreement |"
echo "|---:|---:|---:|---:|---:|---:|---|"
for s in $sizes; do
  w="${s%%:*}"; p="${s##*:}"; ns=$(( w / 10 )); [ "$ns" -lt 5 ] && ns=5
  d="$work/c-$w-$p"
  rm -rf "$d"
  python3 "$oracle/gen_cluster.py" --namespaces "$ns" --deployments "$w" --policies "$p" --seed "$seed" \
      --out "$d" --ipblocks --named-ports --services >/dev/null
  t0=$(now); python3 "$oracle/nca_pairs.py" --nca "$nca" "$d" > "$d.nca.txt"; t1=$(now)
  "$rp" map "$d" "${rp_flags[@]}" > "$d.rp.txt"; t2=$(now)
  verdict="$(python3 "$oracle/compare.py" "$d.nca.txt" "$d.rp.txt" --quiet | tail -1 || true)"
  python3 - "$w" "$p" "$t0" "$t1" "$t2" "$(wc -l < "$d.rp.txt")" "$verdict" <<'PY'
import sys
w, p, t0, t1, t2, lines, verdict = sys.argv[1:]
nca, rp = float(t1) - float(t0), float(t2) - float(t1)
print(f"| {w} | {p} | {nca:.1f} | {rp:.2f} | {nca / rp:.0f}x | {lines} | {verdict} |")
PY
done
