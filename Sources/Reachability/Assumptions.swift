import KubeModel

/// Analysis profiles (docs/SEMANTICS.md §10): how behaviour that Kubernetes leaves to the CNI is bound.
public enum Profile: String, CaseIterable, Sendable {
    /// Upstream behaviour and the reference implementations.
    case conformance
    /// A flow counts as admitted if some plausible implementation admits it (for proving isolation).
    case conservativeSecurity = "conservative-security"
    /// A flow counts as admitted only if every plausible implementation admits it (for proving reachability).
    case conservativeAvailability = "conservative-availability"
}

/// Cilium's policy enforcement mode (`A-CILIUM-ENFORCEMENT`, docs/SEMANTICS.md §4.2).
public enum CiliumEnforcement: String, Hashable, Sendable, CaseIterable {
    /// An endpoint is in default deny in a direction once a policy selects it there.
    case `default`
    /// Every endpoint is in default deny in both directions, selected or not.
    case always
    /// No policy is enforced: everything is admitted.
    case never
}

/// The bindings of the assumptions the NetworkPolicy layer depends on, and the address plan.
public struct Assumptions: Hashable, Sendable {
    /// The profile the bindings below started from; verdicts print it.
    public let profile: Profile
    /// `A-IPBLOCK-PODIP`: an ipBlock is compared with pod IPs (`matches`) or never matches a pod (`ignored`).
    public var ipBlockMatchesPods: Bool
    /// `A-HOSTNET`: H1 (hostNetwork pods are selected and matched like other pods) or H2 (they are not: their
    /// traffic is node traffic). Conformance binds H2.
    public var hostNetworkSelectable: Bool = false
    /// `A-ENDPORT-SUPPORT`: the CNI honours `endPort`; otherwise a range degrades to its first port.
    public var endPortSupported: Bool
    /// `A-IP-FAMILIES`: the IP families the cluster's pods, Services and clients use. Dual-stack unless the cluster
    /// description says otherwise: a pod then has one address of each family, and a flow is of one family.
    public let ipFamilies: [IPFamily]
    /// The pod network, at most one CIDR per family. Pod IPs are unknown members of it; external addresses lie outside
    /// it. A family without one: pod IPs of that family are unconstrained and external addresses may be any.
    public let podCIDRs: [CIDR]
    /// Node addresses (`--cluster`): the source a NodePort or LoadBalancer Service with externalTrafficPolicy
    /// Cluster gives its pods after SNAT. Empty: unknown (A-NODE-IPS), and a verdict that depends on it is UNKNOWN.
    public var nodeCIDRs: [CIDR] = []
    /// Service (ClusterIP) addresses (`--cluster`): virtual, so no external client has one.
    public var serviceCIDRs: [CIDR] = []
    /// `A-CILIUM-ENFORCEMENT`: how Cilium enforces policy; printed when Cilium policies are present or it is not the
    /// default.
    public var ciliumEnforcement = CiliumEnforcement.default
    /// `A-DNS`: the addresses DNS answers for names (`--dns-answers`), taken as complete for Cilium's `toFQDNs`; nil
    /// when none are given (a verdict that depends on a name is then UNKNOWN).
    public var dnsAnswers: [String: [CIDR]]?
    /// `--gateway-pods`: the workloads (`ns/name`) implementing a Gateway API Gateway (`ns/name`), for
    /// implementations whose pods the input does not show.
    public var gatewayPods: [String: [String]] = [:]
    /// Istio's `meshConfig.rootNamespace`: where mesh-wide PeerAuthentication and AuthorizationPolicy live.
    public var meshRootNamespace = "istio-system"

    public init(
        profile: Profile = .conformance, podCIDRs: [CIDR] = ClusterDescription.defaultPodCIDRs,
        ipFamilies: [IPFamily] = IPFamily.allCases
    ) {
        self.profile = profile
        switch profile {
        case .conformance, .conservativeSecurity:
            ipBlockMatchesPods = true
            endPortSupported = true
        case .conservativeAvailability:
            ipBlockMatchesPods = false
            endPortSupported = false
        }
        self.ipFamilies = ipFamilies.sorted()
        self.podCIDRs = podCIDRs.filter { ipFamilies.contains($0.family) }
    }

    /// Whether the cluster runs both families.
    public var dualStack: Bool { ipFamilies.count > 1 }

    /// The pod network of a family; nil when unknown or the family is not in use.
    public func podCIDR(_ family: IPFamily) -> CIDR? { podCIDRs.first { $0.family == family } }

    /// The addresses an external endpoint may have: every family in use, less the pod and Service networks.
    public var externalSpace: [AddressRange] {
        AddressSpace.complement(
            of: podCIDRs + serviceCIDRs.filter { ipFamilies.contains($0.family) }, families: ipFamilies)
    }

    /// The addresses a pod may have: its family's pod network, or the whole family when that is unknown.
    public var podSpace: [AddressRange] {
        ipFamilies.map { AddressRange(podCIDR($0) ?? CIDR.whole($0)) }
    }

    /// Whether some pod IP may fall in the given set.
    func podSpaceOverlaps(_ c: CIDR) -> Bool {
        guard ipFamilies.contains(c.family) else { return false }
        guard let pod = podCIDR(c.family) else { return true }
        return pod.contains(c) || c.contains(pod)
    }

    /// The assumption identifiers whose binding differs from conformance, for reports.
    public var describedBindings: [String] {
        var out = [
            "A-IPBLOCK-PODIP=\(ipBlockMatchesPods ? "matches" : "ignored")",
            "A-ENDPORT-SUPPORT=\(endPortSupported ? "supported" : "unsupported")",
        ]
        out.append("A-HOSTNET=\(hostNetworkSelectable ? "H1" : "H2")")
        out.append("A-IP-FAMILIES=\(ipFamilies.map(\.rawValue).joined(separator: ","))")
        func list(_ cidrs: [CIDR]) -> String { cidrs.map(\.description).joined(separator: ",") }
        out.append("pod CIDR \(podCIDRs.isEmpty ? "unspecified" : list(podCIDRs))")
        if !serviceCIDRs.isEmpty { out.append("service CIDR \(list(serviceCIDRs))") }
        if !nodeCIDRs.isEmpty { out.append("node CIDR \(list(nodeCIDRs))") }
        if let dnsAnswers { out.append("A-DNS=\(dnsAnswers.count) name(s) given") }
        if ciliumEnforcement != .default { out.append("A-CILIUM-ENFORCEMENT=\(ciliumEnforcement.rawValue)") }
        return out
    }
}
