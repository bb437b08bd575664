import KubeModel

/// What a compilation may depend on besides the objects.
public struct CompileOptions: Hashable, Sendable {
    /// A-ENDPORT-SUPPORT: whether `endPort` widens a port to a range (otherwise the start port alone).
    public var endPortSupported: Bool
    /// The addresses DNS answers for names (`--dns-answers`), for Cilium's `toFQDNs`; nil when none are given.
    public var dnsAnswers: [String: [CIDR]]?
    /// Node addresses (`--cluster`), which Cilium's node entities name and its `world` leaves out.
    public var nodeCIDRs: [CIDR]
    /// A-CILIUM-ENFORCEMENT.
    public var ciliumEnforcement: CiliumEnforcement

    public init(
        endPortSupported: Bool = true, dnsAnswers: [String: [CIDR]]? = nil, nodeCIDRs: [CIDR] = [],
        ciliumEnforcement: CiliumEnforcement = .default
    ) {
        self.endPortSupported = endPortSupported
        self.dnsAnswers = dnsAnswers
        self.nodeCIDRs = nodeCIDRs
        self.ciliumEnforcement = ciliumEnforcement
    }
}

/// A policy language: it compiles its objects in a model into the IR. Adding a language is one file that
/// conforms to this, plus its line in `PolicySet.kinds`.
public protocol PolicyKind {
    static func compile(_ model: ClusterModel, options: CompileOptions) -> [CompiledPolicy]
}

/// Every policy of a model, compiled and ordered for evaluation, with the vocabulary the engines need: the
/// selectors, named ports and address prefixes the rules mention.
public struct PolicySet: Sendable {
    /// The registered policy languages.
    static let kinds: [any PolicyKind.Type] = [
        AdminNetworkPolicyKind.self, NetworkPolicyKind.self, BaselineAdminNetworkPolicyKind.self,
        ClusterNetworkPolicyKind.self, CiliumNetworkPolicyKind.self,
    ]

    /// Admin tier in evaluation order: by priority, then name.
    public private(set) var admin: [CompiledPolicy]
    /// NetworkPolicy tier, by namespace and name.
    public let networkPolicies: [CompiledPolicy]
    /// Baseline tier in evaluation order.
    public let baseline: [CompiledPolicy]
    /// NetworkPolicy-tier policies of each namespace.
    public let networkPoliciesByNamespace: [String: [CompiledPolicy]]

    /// What the policies were compiled with.
    public private(set) var options = CompileOptions()

    public init(model: ClusterModel, options: CompileOptions) {
        // Cilium enforcing nothing (A-CILIUM-ENFORCEMENT=never) leaves no policy of any kind in force.
        self.init(
            options.ciliumEnforcement == .never ? [] : PolicySet.kinds.flatMap { $0.compile(model, options: options) })
        self.options = options
    }

    public init(_ policies: [CompiledPolicy]) {
        func ordered(_ tier: PolicyTier) -> [CompiledPolicy] {
            policies.filter { $0.tier == tier }.sorted { ($0.priority, $0.id) < ($1.priority, $1.id) }
        }
        admin = ordered(.admin)
        networkPolicies = ordered(.networkPolicy)
        baseline = ordered(.baseline)
        networkPoliciesByNamespace = Dictionary(grouping: networkPolicies) { $0.namespace ?? "" }
    }

    /// The NetworkPolicy-tier policies that may select pods of a namespace: the namespace's own and the cluster-scoped
    /// ones (CiliumClusterwideNetworkPolicy).
    public func networkPolicies(governing namespace: String) -> [CompiledPolicy] {
        let clusterScoped = networkPoliciesByNamespace[""] ?? []
        return namespace.isEmpty ? clusterScoped : (networkPoliciesByNamespace[namespace] ?? []) + clusterScoped
    }

    /// Every policy, in tier order.
    public var all: [CompiledPolicy] { admin + networkPolicies + baseline }

    /// Whether any tier with ordered rules (admin, baseline) holds a policy. Without them a side is decided by
    /// the NetworkPolicy tier alone, which the fast paths exploit.
    public var hasOrderedTiers: Bool { !admin.isEmpty || !baseline.isEmpty }

    /// Admin-tier policies that share a priority (names, sorted), in groups of two or more: their relative order
    /// is undefined upstream (A-ANP-TIE).
    public var adminPriorityTies: [[String]] {
        Dictionary(grouping: admin, by: \.priority).values.filter { $0.count > 1 }.map { $0.map(\.name).sorted() }
            .sorted { $0[0] < $1[0] }
    }

    /// Baseline-tier policies that share a priority, in groups of two or more: ClusterNetworkPolicy leaves their
    /// relative order to the implementation.
    public var baselinePriorityTies: [[String]] {
        Dictionary(grouping: baseline, by: \.priority).values.filter { $0.count > 1 }.map { $0.map(\.name).sorted() }
            .sorted { $0[0] < $1[0] }
    }

    /// Why no verdict can be trusted on this input's policies, if so: domain-name peers (only DNS knows their
    /// addresses, which may be any endpoint's) or baseline policies of undefined order.
    public static func undecidableReason(_ model: ClusterModel, _ policies: PolicySet) -> String? {
        if let first = model.cniPolicies.first {
            return
                "the input holds \(model.cniPolicies.count) CNI-specific policy object(s) (first: \(first)) that this version does not model"
        }
        if let p = model.ciliumPolicies.first(where: { !$0.unmodelled.isEmpty }) {
            let part = p.unmodelled[0]
            return "\(p.kind) \(part.ref.qualifiedName) \(part.ref.path) (\(part.ref.location)): \(part.what)"
        }
        if let why = CiliumNetworkPolicyKind.unresolvedNames(model, policies) { return why }
        for p in model.ciliumPolicies {
            for r in p.rules {
                for s in r.egress + r.egressDeny where !s.services.isEmpty {
                    if let why = CiliumNetworkPolicyKind.serviceTargets(s, of: p, in: model).unmodelled.first {
                        return "\(p.kind) \(s.ref.qualifiedName) \(s.ref.path) (\(s.ref.location)): \(why)"
                    }
                }
            }
        }
        if !model.ciliumPolicies.isEmpty,
            let admin = model.adminPolicies.first?.name ?? model.clusterNetworkPolicies.first?.name
                ?? model.baselinePolicy?.name
        {
            return
                "the input holds Cilium policies and admin network policies (first: \(admin)); how Cilium orders them is not modelled"
        }
        if !policies.options.nodeCIDRs.isEmpty,
            let p = model.ciliumPolicies.first(where: {
                $0.rules.contains { r in
                    r.sections.contains { s in
                        s.entities.contains(.host) != s.entities.contains(.remoteNode)
                            && !s.entities.contains(.cluster) && !s.entities.contains(.all)
                    }
                }
            })
        {
            return
                "\(p.kind) \(p.name) names one of host and remote-node: which node runs a pod, hence which node addresses are its host, is not in the input"
        }
        // Cilium enforces Kubernetes NetworkPolicies on its identities too, which lack the labels its filter leaves out.
        if !model.ciliumPolicies.isEmpty {
            for p in policies.networkPolicies where p.source.kind == "NetworkPolicy" {
                let keys = p.podMatches.flatMap { $0.pods.requirements.map(\.key) }
                if let key = keys.first(where: CiliumNetworkPolicy.leftOutOfIdentities) {
                    return
                        "NetworkPolicy \(p.source.qualifiedName) selects pods by \(key), a label Cilium (the CNI of this input) leaves out of identities unless its --labels says otherwise"
                }
            }
        }
        if let hostNetwork = model.workloads.first(where: \.hostNetwork),
            let p = model.ciliumPolicies.first(where: {
                $0.rules.contains { r in
                    r.sections.contains { s in
                        s.entities.contains { [.host, .remoteNode, .kubeAPIServer].contains($0) }
                    }
                }
            })
        {
            return
                "\(p.kind) \(p.name) names node entities (host, remote-node, kube-apiserver), which hostNetwork pods such as \(hostNetwork.id) carry"
        }
        if let p = model.clusterNetworkPolicies.first(where: { !$0.domainNameRules.isEmpty }) {
            let rule = p.domainNameRules[0]
            return
                "ClusterNetworkPolicy \(p.name) \(rule.path) (\(rule.location)) admits egress by domainNames, whose addresses only DNS knows at run time"
        }
        if let tie = policies.baselinePriorityTies.first {
            return
                "Baseline-tier ClusterNetworkPolicies \(tie.joined(separator: ", ")) share a priority: their order is left to the implementation"
        }
        return nil
    }

    /// Why no verdict on a flow with an address outside the pod network at one end can be trusted, if so: a Cilium rule
    /// names the API server, whose addresses (outside the cluster or a node's) the input does not give. Flows between
    /// pods are decided: the API server's addresses are not pod addresses.
    public static func outsideAddressReason(_ model: ClusterModel) -> String? {
        guard model.apiServerAddresses.isEmpty,
            let p = model.ciliumPolicies.first(where: { p in
                p.rules.contains { r in r.sections.contains { $0.entities.contains(.kubeAPIServer) } }
            })
        else { return nil }
        return
            "\(p.kind) \(p.name) names kube-apiserver, whose addresses the input does not give (add the Endpoints or EndpointSlice of the Service default/kubernetes); any address outside the pod network may be the API server's"
    }

    /// This set with the admin tier evaluated in another order (a permutation of its names).
    public func withAdminOrder(_ names: [String]) -> PolicySet {
        var copy = self
        copy.admin = names.compactMap { n in admin.first { $0.name == n } }
        return copy
    }

    // MARK: Vocabulary

    /// Every pod selection the rules make: subjects and pod peers.
    public var podMatches: [PodMatch] { all.flatMap(\.podMatches) }

    /// Container port names the rules refer to, sorted.
    public var namedPorts: [String] {
        Set(all.flatMap { p in (p.ingress + p.egress).flatMap { ($0.ports ?? []).compactMap(\.name) } }).sorted()
    }

    /// Every prefix the rules mention (both families), the boundaries of the address ranges they tell apart.
    public var prefixes: [CIDR] {
        all.flatMap { p in
            (p.ingress + p.egress).flatMap { r in
                r.peers.flatMap { peer -> [CIDR] in
                    guard case .addresses(let block) = peer.match else { return [] }
                    return [block.cidr] + block.except
                }
            }
        }
    }
}
