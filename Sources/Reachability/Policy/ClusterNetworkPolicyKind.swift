import KubeModel

/// `policy.networking.k8s.io/v1alpha2` ClusterNetworkPolicy (docs/SEMANTICS.md §4.1): a policy of the Admin tier
/// (before NetworkPolicy) or the Baseline tier (after it), ordered by priority; the first matching rule decides with
/// Accept, Deny or Pass. Domain-name peers compile to nothing: the model's `unmodelledPolicyReason` makes every verdict
/// that could depend on them UNKNOWN.
enum ClusterNetworkPolicyKind: PolicyKind {
    static func compile(_ model: ClusterModel, options: CompileOptions) -> [CompiledPolicy] {
        model.clusterNetworkPolicies.map(compile)
    }

    static func compile(_ p: ClusterNetworkPolicy) -> CompiledPolicy {
        func podMatch(_ set: AdminNetworkPolicy.PodSet) -> PodMatch {
            PodMatch(namespaces: .selector(set.namespaces), pods: set.pods)
        }
        func rule(_ r: ClusterNetworkPolicy.Rule, peersKey: String) -> CompiledRule {
            let peers = r.peers.enumerated().flatMap { i, peer -> [CompiledPeer] in
                let source = RuleRef(
                    kind: r.ref.kind, namespace: nil, name: r.ref.name, path: "\(r.ref.path).\(peersKey)[\(i)]",
                    location: r.ref.location)
                switch peer {
                case .pods(let set): return [CompiledPeer(.pods(podMatch(set)), source: source)]
                case .nodes(let selector): return [CompiledPeer(.nodes(selector), source: source)]
                case .networks(let cidrs):
                    return cidrs.map { CompiledPeer(.addresses(AddressBlock(cidr: $0)), source: source) }
                case .domainNames: return []
                }
            }
            // A named port matches a container port of that name whatever its protocol.
            let ports = r.ports.map { list in
                list.map { port -> PortMatch in
                    switch port {
                    case .all(let proto): return .allPorts(proto)
                    case .range(let proto, let a, let b): return .range(proto, a...b)
                    case .named(let name): return .named(name, L4Protocol.allCases)
                    }
                }
            }
            let action: RuleAction
            switch r.action {
            case .accept: action = .allow
            case .deny: action = .deny
            case .pass: action = .pass
            }
            return CompiledRule(
                action: action, peers: peers, ports: ports, portSources: (ports ?? []).map { _ in r.ref }, source: r.ref
            )
        }
        return CompiledPolicy(
            tier: p.tier == .admin ? .admin : .baseline, priority: p.priority, subject: podMatch(p.subject),
            isolatesIngress: false, isolatesEgress: false,
            ingress: p.ingress.map { rule($0, peersKey: "from") }, egress: p.egress.map { rule($0, peersKey: "to") },
            source: RuleRef(
                kind: ClusterNetworkPolicy.kind, namespace: nil, name: p.name, path: "spec", location: p.location))
    }
}
