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
    /// The pod network. Pod IPs are unknown members of it; external addresses lie outside it.
    /// nil: pod IPs are unconstrained and external addresses may be any IPv4 address.
    public var podCIDR: IPv4CIDR?
    /// Node addresses (`--cluster`): the source a NodePort or LoadBalancer Service with externalTrafficPolicy
    /// Cluster gives its pods after SNAT. nil: unknown (A-NODE-IPS), and a verdict that depends on it is UNKNOWN.
    public var nodeCIDR: IPv4CIDR?
    /// Service (ClusterIP) addresses (`--cluster`): virtual, so no external client has one.
    public var serviceCIDR: IPv4CIDR?
    /// Istio's `meshConfig.rootNamespace`: where mesh-wide PeerAuthentication and AuthorizationPolicy live.
    public var meshRootNamespace = "istio-system"

    public static let defaultPodCIDR = ClusterDescription.defaultPodCIDR

    public init(profile: Profile = .conformance, podCIDR: IPv4CIDR? = Assumptions.defaultPodCIDR) {
        self.profile = profile
        switch profile {
        case .conformance, .conservativeSecurity:
            ipBlockMatchesPods = true
            endPortSupported = true
        case .conservativeAvailability:
            ipBlockMatchesPods = false
            endPortSupported = false
        }
        self.podCIDR = podCIDR
    }

    /// The IPv4 ranges an external endpoint may come from.
    public var externalSpace: [AddressRange] {
        let inside = [podCIDR, serviceCIDR].compactMap { $0 }
        return inside.isEmpty ? [AddressRange(first: 0, last: UInt32.max)] : AddressSpace.complement(of: inside)
    }

    /// Whether some pod IP may fall in the given set.
    func podSpaceOverlaps(_ c: IPv4CIDR) -> Bool {
        guard let podCIDR else { return true }
        return podCIDR.contains(c) || c.contains(podCIDR)
    }

    /// The assumption identifiers whose binding differs from conformance, for reports.
    public var describedBindings: [String] {
        var out = [
            "A-IPBLOCK-PODIP=\(ipBlockMatchesPods ? "matches" : "ignored")",
            "A-ENDPORT-SUPPORT=\(endPortSupported ? "supported" : "unsupported")",
        ]
        out.append("A-HOSTNET=\(hostNetworkSelectable ? "H1" : "H2")")
        // Addresses are IPv4 throughout: what an IPv6 client or destination could do is not decided (issue 21).
        out.append("A-IP-FAMILIES=IPv4")
        out.append("pod CIDR \(podCIDR?.description ?? "unspecified")")
        if let serviceCIDR { out.append("service CIDR \(serviceCIDR)") }
        if let nodeCIDR { out.append("node CIDR \(nodeCIDR)") }
        return out
    }
}
