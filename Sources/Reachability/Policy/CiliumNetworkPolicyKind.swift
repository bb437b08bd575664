import KubeModel

/// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (docs/SEMANTICS.md §4.2): each rule becomes a policy of the
/// NetworkPolicy tier (its allow sections, ORed with every other allow, Kubernetes NetworkPolicies included, and the
/// default deny it puts its endpoints in) and, when it has deny sections, a policy of the admin tier whose Deny rules
/// come before every allow, as Cilium's deny policies take precedence over allows of any kind. Parts not modelled
/// (`CiliumNetworkPolicy.unmodelled`) make verdicts UNKNOWN through `PolicySet.undecidableReason`.
enum CiliumNetworkPolicyKind: PolicyKind {
    /// Cilium deny policies sit before every admin-tier priority (0-1000).
    static let denyPriority = -1

    static func compile(_ model: ClusterModel, options: CompileOptions) -> [CompiledPolicy] {
        let rules = model.ciliumPolicies.flatMap { p in
            p.rules.flatMap { compile($0, of: p, in: model, options: options) }
        }
        guard options.ciliumEnforcement == .always else { return rules }
        // A-CILIUM-ENFORCEMENT=always: every pod is in default deny both ways, as if one policy selected all of them.
        let everyPod = CompiledPolicy(
            tier: .networkPolicy, priority: 0, subject: PodMatch(namespaces: .selector(.everything), pods: .everything),
            isolatesIngress: true, isolatesEgress: true, ingress: [], egress: [],
            source: RuleRef(
                kind: "Assumption", namespace: nil, name: "A-CILIUM-ENFORCEMENT=always", path: "--assume",
                location: SourceLocation(file: "--assume", line: 0)))
        return rules + [everyPod]
    }

    static func compile(
        _ rule: CiliumNetworkPolicy.Rule, of p: CiliumNetworkPolicy, in model: ClusterModel, options: CompileOptions
    ) -> [CompiledPolicy] {
        // A host policy (nodeSelector) selects no pod of this model; it is reported as unmodelled.
        guard let selector = rule.endpointSelector else { return [] }
        let subject = podMatch(selector, policyNamespace: p.namespace, subject: true)
        func rules(_ sections: [CiliumNetworkPolicy.Section], _ action: RuleAction) -> [CompiledRule] {
            sections.flatMap { compile($0, action: action, of: p, in: model, options: options) }
        }
        let source = RuleRef(
            kind: p.kind, namespace: p.namespace, name: p.name, path: rule.ref.path, location: rule.ref.location)
        var out = [
            CompiledPolicy(
                tier: .networkPolicy, priority: 0, subject: subject,
                isolatesIngress: rule.defaultDeny(ingress: true), isolatesEgress: rule.defaultDeny(ingress: false),
                ingress: rules(rule.ingress, .allow), egress: rules(rule.egress, .allow), source: source)
        ]
        if !rule.ingressDeny.isEmpty || !rule.egressDeny.isEmpty {
            out.append(
                CompiledPolicy(
                    tier: .admin, priority: denyPriority, subject: subject, isolatesIngress: false,
                    isolatesEgress: false, ingress: rules(rule.ingressDeny, .deny),
                    egress: rules(rule.egressDeny, .deny),
                    source: source))
        }
        return out
    }

    /// One section as rules, one per `toPorts` entry (each with the L7 rules that filter its requests); none when it
    /// admits nothing (no peer and no port, or only entities this model has no endpoint for).
    static func compile(
        _ s: CiliumNetworkPolicy.Section, action: RuleAction, of p: CiliumNetworkPolicy, in model: ClusterModel,
        options: CompileOptions
    ) -> [CompiledRule] {
        let policyNamespace = p.namespace
        // Cilium: a section without L3 peers but with ports admits every peer on them; one with neither admits nothing.
        if !s.hasPeers && s.portRules == nil && !s.icmp { return [] }
        var everyPeer = !s.hasPeers
        var peers: [CompiledPeer] = s.endpoints.map {
            CompiledPeer(.pods(podMatch($0, policyNamespace: policyNamespace, subject: false)), source: s.ref)
        }
        // Node addresses (`--cluster`) carry the host and remote-node identities, not `world`'s.
        let nodes = options.nodeCIDRs
        func nodePeers() -> [CompiledPeer] {
            nodes.map { CompiledPeer(.addresses(AddressBlock(cidr: $0, externalOnly: true)), source: s.ref) }
        }
        for entity in s.entities {
            switch entity {
            case .all: everyPeer = true
            case .cluster:
                peers.append(
                    CompiledPeer(.pods(PodMatch(namespaces: .selector(.everything), pods: .everything)), source: s.ref))
                peers += nodePeers()
            case .world, .worldIPv4, .worldIPv6:
                let families: [IPFamily] =
                    entity == .world ? IPFamily.allCases : [entity == .worldIPv4 ? .ipv4 : .ipv6]
                for family in families {
                    let block = AddressBlock(
                        cidr: .whole(family), except: nodes.filter { $0.family == family && $0.prefix > 0 },
                        externalOnly: true)
                    peers.append(CompiledPeer(.addresses(block), source: s.ref))
                }
            // A node's address is its pods' host and the others' remote node: one of the two alone is reported by
            // `PolicySet.undecidableReason` (which node runs a pod is not in the input).
            case .host, .remoteNode: peers += nodePeers()
            // The API server is where the Endpoints of default/kubernetes say, inside the cluster or out; without
            // them `PolicySet.outsideAddressReason` reports the entity.
            case .kubeAPIServer:
                peers += model.apiServerAddresses.map {
                    CompiledPeer(.addresses(AddressBlock(cidr: $0, externalOnly: true)), source: s.ref)
                }
            // Cilium's own proxies and unmanaged endpoints: no pod or outside address of this model has them
            // (hostNetwork pods are reported by `PolicySet.undecidableReason`).
            case .ingress, .health, .initializing, .unmanaged, .none: break
            }
        }
        // CIDR rules apply only to traffic from and to outside the cluster (cilium ingress.go, FromCIDR), node
        // addresses left out (A-CILIUM-CIDR-MATCH=default: the agent's policy-cidr-match-mode without `nodes`).
        func outside(_ c: CIDR, except: [CIDR] = []) -> [CompiledPeer] {
            guard !nodes.contains(where: { $0.contains(c) }) else { return [] }
            let block = AddressBlock(cidr: c, except: except + nodes.filter(c.strictlyContains), externalOnly: true)
            return [CompiledPeer(.addresses(block), source: s.ref)]
        }
        // A group's exceptions apply to each of its CIDRs that holds them.
        for rule in s.cidrs {
            switch rule {
            case .cidr(let c, let except): peers += outside(c, except: except)
            case .groups(let ref, let except):
                for c in CiliumNetworkPolicy.cidrs(ref, in: model) {
                    peers += outside(c, except: except.filter(c.strictlyContains))
                }
            }
        }
        // toFQDNs: the addresses given for the names (`--dns-answers`); without them, `unresolvedNames` says why not.
        for selector in s.fqdnSelectors {
            for (name, addresses) in (options.dnsAnswers ?? [:]).sorted(by: { $0.key < $1.key })
            where selector.selects(name) {
                for c in addresses { peers += outside(c) }
            }
        }
        // toServices: the addresses of a selectorless Service's endpoints, as CIDR rules (Services with a selector
        // are reported by `PolicySet.undecidableReason`).
        for target in serviceTargets(s, of: p, in: model).addresses { peers += outside(target) }
        if !everyPeer && peers.isEmpty { return [] }
        func ports(_ list: [CiliumNetworkPolicy.Port]) -> [PortMatch] {
            list.flatMap { port -> [PortMatch] in
                switch port.port {
                case nil: return port.protocols.map { .allPorts($0) }
                case .number(let n)?:
                    let end = options.endPortSupported ? max(n, port.endPort ?? n) : n
                    return port.protocols.map { .range($0, n...end) }
                case .name(let name)?: return [.named(name, port.protocols)]
                }
            }
        }
        let admitted = everyPeer ? [] : peers
        // ICMP rules admit the protocols without ports to the same peers (A-CILIUM-ICMP).
        let icmp =
            s.icmp
            ? [
                CompiledRule(
                    action: action, peers: admitted, ports: [.portlessProtocols], portSources: [s.ref], source: s.ref)
            ] : []
        guard let portRules = s.portRules else {
            if s.icmp { return icmp }
            return [CompiledRule(action: action, peers: admitted, ports: nil, portSources: [s.ref], source: s.ref)]
        }
        return icmp
            + portRules.map { pr in
                var requests: RequestFilter?
                if let kind = pr.otherL7.first {
                    requests = .unmodelled(kind, pr.ref)
                } else if let http = pr.http {
                    requests = .http(
                        http.map {
                            HTTPMatch(
                                method: $0.method, path: $0.path, host: $0.host, headers: $0.headers, source: $0.ref)
                        })
                }
                return CompiledRule(
                    action: action, peers: admitted, ports: ports(pr.ports), portSources: [pr.ref], source: s.ref,
                    requests: requests)
            }
    }

    /// Why the `toFQDNs` names of the input cannot be decided, if so: no DNS answers given, a name they lack, or a pod
    /// whose lookups no `dns` rule sends through Cilium's proxy (Cilium then never learns the names' addresses).
    static func unresolvedNames(_ model: ClusterModel, _ policies: PolicySet) -> String? {
        let answers = policies.options.dnsAnswers
        let visibility = CiliumDNSVisibility(model: model, policies: policies)
        for p in model.ciliumPolicies {
            for r in p.rules {
                for s in r.egress where s.fqdns {
                    let place = "\(p.kind) \(s.ref.qualifiedName) \(s.ref.path) (\(s.ref.location))"
                    let names = s.fqdnSelectors.map(\.description).joined(separator: ", ")
                    guard let answers else {
                        return
                            "\(place) admits \(names), whose addresses only DNS answers at run time (give them with --dns-answers)"
                    }
                    for case .name(let n) in s.fqdnSelectors
                    where answers[CiliumNetworkPolicy.FQDNSelector.normal(n)] == nil {
                        return "\(place) admits \(n), for which --dns-answers gives no address"
                    }
                    if let pod = visibility.unseen(p, r).first {
                        return
                            "\(place) admits \(names), but no dns rule sends the lookups of \(model.workloads[pod].id) through Cilium's proxy, which then never learns their addresses"
                    }
                }
            }
        }
        return nil
    }

    /// What a section's `toServices` entries reach: the endpoint addresses of the selectorless Services they name, and
    /// what is not modelled (a Service with a selector, an endpoint that is a pod).
    static func serviceTargets(_ s: CiliumNetworkPolicy.Section, of p: CiliumNetworkPolicy, in model: ClusterModel)
        -> (addresses: [CIDR], unmodelled: [String])
    {
        var addresses: [CIDR] = []
        var unmodelled: [String] = []
        for ref in s.services {
            for svc in p.services(ref, in: model) {
                guard svc.selector == nil else {
                    unmodelled.append(
                        "toServices names Service \(svc.namespace)/\(svc.name), which has a selector: Cilium applies toServices to Services without one, and versions differ"
                    )
                    continue
                }
                for endpoints in model.serviceEndpoints
                where endpoints.namespace == svc.namespace
                    && endpoints.service == svc.name
                {
                    for target in endpoints.targets {
                        if let pod = target.podName {
                            unmodelled.append(
                                "toServices reaches Service \(svc.namespace)/\(svc.name), whose endpoint \(target.ip) is the pod \(pod)"
                            )
                        } else if case .success(let c) = CIDR.parse(addressOrCIDR: target.ip) {
                            addresses.append(c)
                        }
                    }
                }
            }
        }
        return (addresses, unmodelled)
    }

    /// The pods a Cilium selector selects. In a namespaced policy a selector that does not name the namespace
    /// (`io.kubernetes.pod.namespace`) is confined to the policy's namespace, and the policy's own endpoint selector
    /// always is; a clusterwide policy's selectors span every namespace their namespace requirements allow.
    static func podMatch(_ s: CiliumNetworkPolicy.Selector, policyNamespace: String?, subject: Bool) -> PodMatch {
        guard let ns = policyNamespace, subject || !s.namesNamespace else {
            return PodMatch(namespaces: .selector(s.namespaces), pods: s.pods)
        }
        if s.namespaces.isEmpty { return PodMatch(namespaces: .named(ns), pods: s.pods) }
        let own = LabelRequirement(key: "kubernetes.io/metadata.name", op: .in, values: [ns])
        return PodMatch(
            namespaces: .selector(LabelSelector(requirements: s.namespaces.requirements + [own])), pods: s.pods)
    }
}

extension RuleRef {
    /// The rule comes from a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy (reports name its stages apart).
    public var isCilium: Bool {
        kind == CiliumNetworkPolicy.namespacedKind || kind == CiliumNetworkPolicy.clusterwideKind
    }
}
