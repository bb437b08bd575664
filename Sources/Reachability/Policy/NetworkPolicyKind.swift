import KubeModel

/// `networking.k8s.io/v1` NetworkPolicy (docs/SEMANTICS.md §3): one namespace's pods, isolation per direction
/// from `policyTypes`, allow rules whose union decides for an isolated pod.
enum NetworkPolicyKind: PolicyKind {
    static func compile(_ model: ClusterModel, options: CompileOptions) -> [CompiledPolicy] {
        model.networkPolicies.map { compile($0, options: options) }
    }

    static func compile(_ p: NetworkPolicy, options: CompileOptions) -> CompiledPolicy {
        func rule(_ r: NetworkPolicy.Rule) -> CompiledRule {
            let peers = r.peers.map { peer -> CompiledPeer in
                switch peer.selection {
                case .pods(let namespaces, let pods):
                    // An absent namespaceSelector means the policy's own namespace; an absent podSelector, every pod.
                    let scope = namespaces.map(NamespaceMatch.selector) ?? .named(p.namespace)
                    return CompiledPeer(.pods(PodMatch(namespaces: scope, pods: pods ?? .everything)), source: peer.ref)
                case .ipBlock(let cidr, let except):
                    return CompiledPeer(.addresses(AddressBlock(cidr: cidr, except: except)), source: peer.ref)
                }
            }
            // An empty port list admits every port; a port without a number, every port of its protocol.
            let ports: [PortMatch]? =
                r.ports.isEmpty
                ? nil
                : r.ports.map { port in
                    switch port.port {
                    case nil: return .allPorts(port.proto)
                    case .number(let n)?:
                        let end = options.endPortSupported ? (port.endPort ?? n) : n
                        return .range(port.proto, n...end)
                    case .name(let name)?: return .named(name, [port.proto])
                    }
                }
            return CompiledRule(
                action: .allow, peers: peers, ports: ports, portSources: r.ports.map(\.ref), source: r.ref)
        }
        return CompiledPolicy(
            tier: .networkPolicy, priority: 0,
            subject: PodMatch(namespaces: .named(p.namespace), pods: p.podSelector),
            isolatesIngress: p.isolatesIngress, isolatesEgress: p.isolatesEgress,
            // Rules of a direction `policyTypes` leaves out have no effect (the API's policyTypes semantics).
            ingress: p.isolatesIngress ? p.ingress.map(rule) : [], egress: p.isolatesEgress ? p.egress.map(rule) : [],
            source: RuleRef(
                kind: "NetworkPolicy", namespace: p.namespace, name: p.name, path: "spec", location: p.location))
    }
}
