#!/usr/bin/env bash
# Compares `map` on the same generated cluster written two ways: with Kubernetes NetworkPolicies (gen_cluster.py),
# and with each NetworkPolicy rewritten as a CiliumNetworkPolicy of the same shape (podSelector -> endpointSelector,
# peers -> fromEndpoints/toEndpoints with Cilium's namespace keys, ipBlocks -> CIDR sets, an empty rule -> the `all`
# entity, a direction with no rules -> an empty section). The rewrite keeps the work the same, not the verdicts
# (Cilium's CIDR rules never match pods). Release build; wall seconds and peak MiB of each run.
#   bench/cilium-map.sh [--workloads W] [--policies P] [--seed S] [--runs N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
oracle="$root/../shared/oracle"
[ -d "$oracle" ] || { echo "cilium-map.sh: $oracle not found" >&2; exit 2; }
workloads=1000; policies=300; seed=42; runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --workloads) workloads="$2"; shift 2;;
    --policies) policies="$2"; shift 2;;
    --seed) seed="$2"; shift 2;;
    --runs) runs="$2"; shift 2;;
    *) echo "cilium-map.sh: unknown argument $1" >&2; exit 2;;
  esac
done
work="$(mktemp -d)"
(cd "$root" && swift build -c release --product reachproof >&2)
rp="$root/.build/release/reachproof"
ns=$(( workloads / 50 )); [ "$ns" -lt 20 ] && ns=20
python3 "$oracle/gen_cluster.py" --namespaces "$ns" --deployments "$workloads" --policies "$policies" --seed "$seed" \
  --out "$work/np" --ipblocks --named-ports --services > /dev/null
mkdir -p "$work/cnp"
cp "$work/np/namespaces.yaml" "$work/np/workloads.yaml" "$work/cnp/"
[ -f "$work/np/services.yaml" ] && cp "$work/np/services.yaml" "$work/cnp/"
python3 - "$work/np/policies.yaml" > "$work/cnp/policies.yaml" <<'PY'
import sys, yaml
def selector(s):
    return {k: v for k, v in (s or {}).items() if k in ("matchLabels", "matchExpressions")}
def namespaced(ns_sel):
    out = {"matchLabels": {}, "matchExpressions": [{"key": "io.kubernetes.pod.namespace", "operator": "Exists"}]}
    for k, v in (ns_sel.get("matchLabels") or {}).items():
        out["matchLabels"]["io.cilium.k8s.namespace.labels." + k] = v
    for e in ns_sel.get("matchExpressions") or []:
        out["matchExpressions"].append(dict(e, key="io.cilium.k8s.namespace.labels." + e["key"]))
    return out
def section(rule, direction):
    out, peers = {}, rule.get("from" if direction == "from" else "to")
    if not peers:
        out[direction + "Entities"] = ["all"]
    for p in peers or []:
        if "ipBlock" in p:
            out.setdefault(direction + "CIDRSet", []).append({"cidr": p["ipBlock"]["cidr"], "except": p["ipBlock"].get("except", [])})
            continue
        sel = selector(p.get("podSelector"))
        if "namespaceSelector" in p:
            ns = namespaced(p["namespaceSelector"])
            sel = {"matchLabels": {**(sel.get("matchLabels") or {}), **ns["matchLabels"]},
                   "matchExpressions": (sel.get("matchExpressions") or []) + ns["matchExpressions"]}
        out.setdefault(direction + "Endpoints", []).append(sel)
    if rule.get("ports"):
        ports = []
        for p in rule["ports"]:
            entry = {"port": str(p.get("port", 0)), "protocol": p.get("protocol", "TCP")}
            if "endPort" in p: entry["endPort"] = p["endPort"]
            ports.append(entry)
        out["toPorts"] = [{"ports": ports}]
    return out
docs = []
for np in yaml.safe_load_all(open(sys.argv[1])):
    if not np: continue
    spec = np["spec"]
    types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if spec.get("egress") else []))
    cnp = {"endpointSelector": selector(spec.get("podSelector"))}
    for t, key, d in (("Ingress", "ingress", "from"), ("Egress", "egress", "to")):
        if t in types:
            cnp[key] = [section(r, d) for r in spec.get(key) or []] or [{}]
    docs.append({"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
                 "metadata": {"name": np["metadata"]["name"], "namespace": np["metadata"]["namespace"]}, "spec": cnp})
yaml.safe_dump_all(docs, sys.stdout, sort_keys=False)
PY
echo "reachproof $("$rp" --version); $(date -u +%Y-%m-%d); $(nproc) cores; $workloads workloads, $policies policies, seed $seed"
echo "| input | run | map --format pairs s | peak MiB | pair lines |"
echo "|---|---:|---:|---:|---:|"
for r in $(seq "$runs"); do
  for kind in np cnp; do
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$rp" map "$work/$kind" --format pairs > "$work/$kind.pairs" 2> /dev/null || true
    read -r secs kb <<< "$(tail -1 "$work/time.txt")"
    echo "| $kind | $r | $secs | $(( kb / 1024 )) | $(wc -l < "$work/$kind.pairs") |"
  done
done
rm -rf "$work"
