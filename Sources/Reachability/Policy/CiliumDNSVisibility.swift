import KubeModel

/// Whose DNS lookups Cilium's proxy sees: the pods a rule with a `dns` L7 egress section selects. Cilium learns the
/// addresses of `toFQDNs` names from those lookups only, so for other pods the names admit nothing (docs/SEMANTICS.md
/// §4.2). Rules select pods through their compiled subjects.
public struct CiliumDNSVisibility {
    let model: ClusterModel
    let policies: PolicySet
    let pods: [PodEndpoint]
    /// Indices into `model.workloads` of the pods whose lookups the proxy sees.
    public let proxied: Set<Int>

    public init(model: ClusterModel, policies: PolicySet) {
        self.model = model
        self.policies = policies
        // Only Cilium rules read the pods: without them a large cluster's pods are not built a second time.
        pods =
            model.ciliumPolicies.isEmpty
            ? [] : model.workloads.map { PodEndpoint($0, namespace: model.namespaces[$0.namespace]) }
        var proxied = Set<Int>()
        for p in model.ciliumPolicies {
            for r in p.rules where r.egress.contains(where: { $0.l7Kinds.contains("dns") }) {
                proxied.formUnion(Self.selected(p, r, policies: policies, pods: pods))
            }
        }
        self.proxied = proxied
    }

    static func selected(
        _ p: CiliumNetworkPolicy, _ r: CiliumNetworkPolicy.Rule, policies: PolicySet, pods: [PodEndpoint]
    ) -> [Int] {
        guard
            let subject = policies.networkPolicies.first(where: {
                $0.source.kind == p.kind && $0.source.name == p.name && $0.source.namespace == p.namespace
                    && $0.source.path == r.ref.path
            })?.subject
        else { return [] }
        return pods.indices.filter { subject.matches(pods[$0]) }
    }

    /// The pods a rule selects whose lookups the proxy does not see (indices into `model.workloads`).
    public func unseen(_ p: CiliumNetworkPolicy, _ r: CiliumNetworkPolicy.Rule) -> [Int] {
        Self.selected(p, r, policies: policies, pods: pods).filter { !proxied.contains($0) }
    }
}
