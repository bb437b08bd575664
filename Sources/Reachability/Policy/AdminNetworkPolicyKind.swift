import KubeModel

/// `policy.networking.k8s.io/v1alpha1` AdminNetworkPolicy (docs/SEMANTICS.md §4): cluster-scoped, ordered by
/// priority, evaluated before NetworkPolicy; the first matching rule decides with Allow, Deny or Pass. Its rule
/// compiler serves every policy of the admin shape.
enum AdminNetworkPolicyKind: PolicyKind {
    static func compile(_ model: ClusterModel, options: CompileOptions) -> [CompiledPolicy] {
        model.adminPolicies.map { compileV1Alpha1($0, tier: .admin) }
    }

    /// The v1alpha1 admin and baseline objects share their shape; only the tier differs.
    static func compileV1Alpha1(_ p: AdminNetworkPolicy, tier: PolicyTier) -> CompiledPolicy {
        compileOrdered(
            tier: tier, priority: p.priority, subject: p.subject, ingress: p.ingress, egress: p.egress,
            source: RuleRef(kind: p.tier.rawValue, namespace: nil, name: p.name, path: "spec", location: p.location))
    }

    /// A policy of an ordered tier in the admin shape (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
    /// ClusterNetworkPolicy): subject, and rules that decide in written order.
    static func compileOrdered(
        tier: PolicyTier, priority: Int, subject: AdminNetworkPolicy.PodSet, ingress: [AdminNetworkPolicy.Rule],
        egress: [AdminNetworkPolicy.Rule], source: RuleRef
    ) -> CompiledPolicy {
        func podMatch(_ set: AdminNetworkPolicy.PodSet) -> PodMatch {
            PodMatch(namespaces: .selector(set.namespaces), pods: set.pods)
        }
        func rule(_ r: AdminNetworkPolicy.Rule, peersKey: String) -> CompiledRule {
            let peers = r.peers.enumerated().flatMap { i, peer -> [CompiledPeer] in
                let source = RuleRef(
                    kind: r.ref.kind, namespace: nil, name: r.ref.name, path: "\(r.ref.path).\(peersKey)[\(i)]",
                    location: r.ref.location)
                switch peer {
                case .pods(let set): return [CompiledPeer(.pods(podMatch(set)), source: source)]
                case .nodes(let selector): return [CompiledPeer(.nodes(selector), source: source)]
                // A `networks` peer lists CIDRs: one compiled peer each, all pointing at the same field.
                case .networks(let cidrs):
                    return cidrs.map { CompiledPeer(.addresses(AddressBlock(cidr: $0)), source: source) }
                }
            }
            // A named port matches a container port of that name on any protocol.
            let ports = r.ports.map { list in
                list.map { port -> PortMatch in
                    switch port {
                    case .number(let proto, let n): return .range(proto, n...n)
                    case .range(let proto, let a, let b): return .range(proto, a...b)
                    case .named(let name): return .named(name, L4Protocol.allCases)
                    }
                }
            }
            let action: RuleAction
            switch r.action {
            case .allow: action = .allow
            case .deny: action = .deny
            case .pass: action = .pass
            }
            return CompiledRule(
                action: action, peers: peers, ports: ports, portSources: (ports ?? []).map { _ in r.ref }, source: r.ref
            )
        }
        return CompiledPolicy(
            tier: tier, priority: priority, subject: podMatch(subject), isolatesIngress: false, isolatesEgress: false,
            ingress: ingress.map { rule($0, peersKey: "from") }, egress: egress.map { rule($0, peersKey: "to") },
            source: source)
    }
}
