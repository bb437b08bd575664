import KubeModel
import Reachability

/// Cilium admits `toFQDNs` names by the addresses its DNS proxy sees in answers: a pod whose DNS traffic passes no
/// rule with a `dns` L7 section never has its lookups seen, so the names admit nothing for it
/// ([DNS based policies](https://docs.cilium.io/en/stable/security/policy/language/#dns-based)).
struct CiliumFQDNWithoutDNSProxy: LintRule {
    let id = "cilium-fqdn-without-dns-proxy"
    let severity = LintFinding.Severity.warning
    let summary = "toFQDNs on pods whose DNS lookups no Cilium dns rule sends through the proxy"

    func check(_ c: LintContext) -> [LintFinding] {
        let visibility = CiliumDNSVisibility(model: c.model, policies: c.policies)
        var out: [LintFinding] = []
        for p in c.model.ciliumPolicies {
            for r in p.rules {
                let unseen = visibility.unseen(p, r).filter(c.live.contains)
                guard let first = unseen.first else { continue }
                for s in r.egress where s.fqdns {
                    out.append(
                        finding(
                            "\(p.kind) \(s.ref.qualifiedName) \(s.ref.path) admits names (toFQDNs), but no Cilium egress "
                                + "rule sends the DNS lookups of \(c.model.workloads[first].id)"
                                + (unseen.count > 1 ? " and \(unseen.count - 1) other pod(s)" : "")
                                + " through the DNS proxy (toPorts rules: dns), so the names admit nothing for them",
                            at: s.ref.location))
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: lint-cf, labels: {app: client}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: api, namespace: lint-cf}
        spec:
          endpointSelector: {matchLabels: {app: client}}
          egress:
            - toFQDNs: [{matchName: api.example.com}]
              toPorts: [{ports: [{port: "443", protocol: TCP}]}]
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: lint-cf, labels: {app: client}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: dns, namespace: lint-cf-dns, labels: {k8s-app: kube-dns}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: api, namespace: lint-cf}
        spec:
          endpointSelector: {matchLabels: {app: client}}
          egress:
            - toFQDNs: [{matchName: api.example.com}]
              toPorts: [{ports: [{port: "443", protocol: TCP}]}]
            - toEndpoints: [{matchLabels: {k8s-app: kube-dns, io.kubernetes.pod.namespace: lint-cf-dns}}]
              toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
        """
}
