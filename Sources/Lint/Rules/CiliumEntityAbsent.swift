import KubeModel
import Reachability

/// A Cilium section that names an entity no pod or address of the input carries (the nodes without `--cluster`, the
/// API server without the Endpoints of default/kubernetes, Cilium's own proxies and health endpoints, unmanaged
/// endpoints): for the input, the section admits or denies nothing through it. Often right for a real cluster;
/// worth a look when the entity was meant to be `cluster` or `world`.
struct CiliumEntityAbsent: LintRule {
    let id = "cilium-entity-absent"
    let severity = LintFinding.Severity.note
    let summary = "a Cilium rule names an entity that no pod or address of the input has"

    static let absent: Set<CiliumNetworkPolicy.Entity> = [
        .host, .remoteNode, .kubeAPIServer, .ingress, .health, .initializing, .unmanaged, .none,
    ]

    func check(_ c: LintContext) -> [LintFinding] {
        // With node addresses given (--cluster), the node entities name them; with the Endpoints of
        // default/kubernetes, kube-apiserver names theirs.
        var absent = Self.absent
        if !c.evaluator.assumptions.nodeCIDRs.isEmpty { absent.subtract([.host, .remoteNode]) }
        if !c.model.apiServerAddresses.isEmpty { absent.remove(.kubeAPIServer) }
        return c.model.ciliumPolicies.flatMap { p in
            p.rules.flatMap { r in
                r.sections.compactMap { s -> LintFinding? in
                    let names = s.entities.filter(absent.contains).map(\.rawValue)
                    guard !names.isEmpty else { return nil }
                    return finding(
                        "\(p.kind) \(s.ref.qualifiedName) \(s.ref.path) names \(names.joined(separator: ", ")), which no "
                            + "pod or address of the input has",
                        at: s.ref.location)
                }
            }
        }
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: agent, namespace: lint-ce, labels: {app: agent}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: kubelet, namespace: lint-ce}
        spec:
          endpointSelector: {}
          ingress: [{fromEntities: [remote-node]}]
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: agent, namespace: lint-ce, labels: {app: agent}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: kubelet, namespace: lint-ce}
        spec:
          endpointSelector: {}
          ingress: [{fromEntities: [cluster]}]
        """
}
