#!/usr/bin/env bash
# Measures the mesh layer against one AuthorizationPolicy of growing size (release build): one ALLOW rule per
# client service account, each with its own path, and two mesh claims (an `only` claim, which enumerates every
# principal the rules name, and an `allowed` claim with an HTTP request). Prints seconds and peak MiB per size.
# `--by namespaces` names each rule's client by its namespace (`source.namespaces`) instead of its principal;
# `--by patterns` by a principal prefix pattern (`.../sa/client-N*`).
#   bench/authz-rules.sh [--sizes 'N ...'] [--by principals|namespaces|patterns] [--binary PATH] [--work DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sizes="100 300 1000 3000 10000"; binary=""; work=""; by="principals"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2;;
    --binary) binary="$2"; shift 2;;
    --by) by="$2"; shift 2;;
    --work) work="$2"; shift 2;;
    *) echo "authz-rules.sh: unknown argument $1" >&2; exit 2;;
  esac
done
[ -n "$work" ] || work="$(mktemp -d)"
mkdir -p "$work"
if [ -z "$binary" ]; then
  (cd "$root" && swift build -c release --product reachproof >&2)
  binary="$root/.build/release/reachproof"
fi
cat > "$work/claims.yaml" <<'YAML'
claims:
  - name: only-client
    layer: mesh
    only: {from: [{workload: shop/client}], to: {workload: shop/api}, ports: [TCP/8080]}
  - name: client-gets
    layer: mesh
    http: {method: GET, path: /api/v1/x}
    allowed: {from: {workload: shop/client}, to: {workload: shop/api}, ports: [TCP/8080]}
YAML
echo "| rules | check s | peak MiB | verdicts |"
echo "|---:|---:|---:|---|"
for n in $sizes; do
  manifest="$work/authz-$n.yaml"
  {
    cat <<'YAML'
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {serviceAccountName: api, containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {serviceAccountName: client-1, containers: [{name: c}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules:
YAML
    for ((i = 0; i < n; i++)); do
      if [ "$by" = patterns ]; then
        printf '  - from: [{source: {principals: ["cluster.local/ns/shop/sa/client-%d*"]}}]\n' "$i"
      elif [ "$by" = namespaces ]; then
        # The client's own namespace is the one rule 1 names, as its principal is in the other shape.
        if [ "$i" = 1 ]; then printf '  - from: [{source: {namespaces: [shop]}}]\n'
        else printf '  - from: [{source: {namespaces: [team-%d]}}]\n' "$i"; fi
      else
        printf '  - from: [{source: {principals: [cluster.local/ns/shop/sa/client-%d]}}]\n' "$i"
      fi
      printf '    to: [{operation: {paths: [/api/v%d/*], methods: [GET]}}]\n' "$i"
    done
  } > "$manifest"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$binary" check "$manifest" --claims "$work/claims.yaml" \
    > "$work/out.txt" 2>&1 || true
  read -r secs kb <<< "$(tail -1 "$work/time.txt")"
  verdicts="$(tail -1 "$work/out.txt" | sed 's/ (assumptions.*//')"
  echo "| $n | $secs | $(( kb / 1024 )) | $verdicts |"
done
