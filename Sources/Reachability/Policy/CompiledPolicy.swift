import KubeModel

// The compiled policy IR: what every policy kind becomes before any engine looks at it. Each kind's file
// (NetworkPolicyKind, AdminNetworkPolicyKind, ...) turns its objects into these plain values once; the evaluator,
// the Z3 encoder, endpoint classes, the class matrix and lint read only these. Defaults a kind implies (the
// policy's own namespace for a peer without namespaceSelector, "every port" for an absent port list, endPort
// support) are resolved during compilation, so the engines never need to know which kind a rule came from.

/// The namespaces a selection covers.
public enum NamespaceMatch: Hashable, Sendable {
    /// One namespace by name: a NetworkPolicy's own namespace.
    case named(String)
    /// Namespaces by their labels (the empty selector: every namespace, new ones included).
    case selector(LabelSelector)

    public func matches(namespace: String, labels: [String: String]) -> Bool {
        switch self {
        case .named(let name): return namespace == name
        case .selector(let s): return s.matches(labels)
        }
    }
}

/// Pods chosen by namespace and pod labels. hostNetwork pods are never matched: policy does not see them as pods
/// (A-HOSTNET; the evaluator clears the flag under H1).
public struct PodMatch: Hashable, Sendable {
    public let namespaces: NamespaceMatch
    public let pods: LabelSelector

    public init(namespaces: NamespaceMatch, pods: LabelSelector) {
        self.namespaces = namespaces
        self.pods = pods
    }

    public func matches(_ pod: PodEndpoint) -> Bool {
        !pod.hostNetwork && namespaces.matches(namespace: pod.namespace, labels: pod.namespaceLabels)
            && pods.matches(pod.labels)
    }
}

/// An IP block: a CIDR less some excepted CIDRs of the same family.
public struct AddressBlock: Hashable, Sendable {
    public let cidr: CIDR
    public let except: [CIDR]
    /// The block matches outside addresses only, never a pod's (Cilium's CIDR rules and `world` entities); otherwise
    /// pod addresses too, as A-IPBLOCK-PODIP binds.
    public let externalOnly: Bool

    public init(cidr: CIDR, except: [CIDR] = [], externalOnly: Bool = false) {
        self.cidr = cidr
        self.except = except
        self.externalOnly = externalOnly
    }
}

/// What a rule's peer can match on the remote side of a flow.
public enum PeerMatch: Hashable, Sendable {
    case pods(PodMatch)
    case addresses(AddressBlock)
    /// Nodes by their labels. Nodes are not endpoints of this model, so such a peer matches no endpoint.
    case nodes(LabelSelector)
}

/// One peer of a rule and where it is written.
public struct CompiledPeer: Hashable, Sendable {
    public let match: PeerMatch
    public let source: RuleRef

    public init(_ match: PeerMatch, source: RuleRef) {
        self.match = match
        self.source = source
    }
}

/// One entry of a rule's port list.
public enum PortMatch: Hashable, Sendable {
    /// Every port of a protocol (and, for protocols without ports, the protocol itself).
    case allPorts(L4Protocol)
    case range(L4Protocol, ClosedRange<Int>)
    /// A container port name, resolved on the flow's destination pod, for each of the protocols listed.
    case named(String, [L4Protocol])
    /// Every protocol without ports (ICMP among them): what Cilium's ICMP rules are read as (A-CILIUM-ICMP).
    case portlessProtocols

    var name: String? { if case .named(let n, _) = self { return n } else { return nil } }
}

extension Optional where Wrapped == [PortMatch] {
    /// The connections a port list admits towards a destination; nil is every connection. Named ports resolve on
    /// the destination pod and match nothing towards an address. The one place a port list becomes a set.
    public func connections(destination: Endpoint) -> ConnSet {
        guard let ports = self else { return .all }
        var out = ConnSet.none
        for p in ports {
            switch p {
            case .allPorts(let proto): out[proto] = .all
            case .range(let proto, let r): out[proto] = out[proto].union(PortRanges([r]))
            case .portlessProtocols: out.other = true
            case .named(let name, let protocols):
                guard case .pod(let d) = destination else { continue }
                for proto in protocols {
                    if let n = d.port(named: name, proto: proto) { out[proto] = out[proto].union(PortRanges([n...n])) }
                }
            }
        }
        return out
    }

    /// Whether the connections depend on which pod is the destination (named ports).
    public var dependsOnDestination: Bool { self?.contains { $0.name != nil } ?? false }
}

/// What a matching rule does with a flow. `pass` hands the flow to the next tier.
public enum RuleAction: String, Sendable {
    case allow = "Allow"
    case deny = "Deny"
    case pass = "Pass"
}

/// One HTTP request pattern of an L7 rule: regular expressions on method, path and host (an absent one matches
/// anything), and headers the request must carry.
public struct HTTPMatch: Hashable, Sendable {
    public let method: String?
    public let path: String?
    public let host: String?
    public let headers: [String]
    public let source: RuleRef

    public init(method: String?, path: String?, host: String?, headers: [String], source: RuleRef) {
        self.method = method
        self.path = path
        self.host = host
        self.headers = headers
        self.source = source
    }
}

/// What an allow rule requires of the requests inside the connections it admits (Cilium's L7 rules).
public enum RequestFilter: Hashable, Sendable {
    /// HTTP requests matching one of the patterns.
    case http([HTTPMatch])
    /// Requests of an L7 protocol this version does not decide (Kafka, DNS, generic L7), named.
    case unmodelled(String, RuleRef)
}

/// One rule of one direction of a policy.
public struct CompiledRule: Hashable, Sendable {
    public let action: RuleAction
    /// Empty: every remote endpoint, pods and addresses alike.
    public let peers: [CompiledPeer]
    /// nil: every connection.
    public let ports: [PortMatch]?
    /// Where each entry of `ports` is written (the rule itself where a kind keeps no finer position).
    public let portSources: [RuleRef]
    public let source: RuleRef
    /// nil: every request of the connections it admits.
    public let requests: RequestFilter?

    public init(
        action: RuleAction, peers: [CompiledPeer], ports: [PortMatch]?, portSources: [RuleRef], source: RuleRef,
        requests: RequestFilter? = nil
    ) {
        self.action = action
        self.peers = peers
        self.ports = ports
        self.portSources = portSources
        self.source = source
        self.requests = requests
    }
}

/// Where a policy stands in the evaluation order of one side of a flow, and how its rules decide.
public enum PolicyTier: Int, Comparable, Sendable {
    /// Ordered rules, first match decides (Allow, Deny, Pass); no match falls through to the next tier.
    case admin
    /// A pod selected by any policy of this tier in a direction is isolated in that direction: the union of
    /// the allow rules decides. A pod no policy selects falls through to the next tier.
    case networkPolicy
    /// Ordered rules like the admin tier, applying only to flows no earlier tier decided.
    case baseline

    public static func < (a: PolicyTier, b: PolicyTier) -> Bool { a.rawValue < b.rawValue }
}

/// One policy object, compiled. A reference type so that engines can hold lists of them without copying rules.
public final class CompiledPolicy: Sendable {
    public let tier: PolicyTier
    /// Evaluation order inside an ordered tier (lower first); 0 in the NetworkPolicy tier.
    public let priority: Int
    /// The pods whose sides the policy governs.
    public let subject: PodMatch
    public let isolatesIngress: Bool
    public let isolatesEgress: Bool
    public let ingress: [CompiledRule]
    public let egress: [CompiledRule]
    /// The object as a whole (path `spec`), as named when it isolates a pod.
    public let source: RuleRef

    /// Its pod selections: the subject and the pod peers of its rules.
    public var podMatches: [PodMatch] {
        [subject]
            + (ingress + egress).flatMap { r in
                r.peers.compactMap { if case .pods(let m) = $0.match { return m } else { return nil } }
            }
    }

    public init(
        tier: PolicyTier, priority: Int, subject: PodMatch, isolatesIngress: Bool, isolatesEgress: Bool,
        ingress: [CompiledRule], egress: [CompiledRule], source: RuleRef
    ) {
        self.tier = tier
        self.priority = priority
        self.subject = subject
        self.isolatesIngress = isolatesIngress
        self.isolatesEgress = isolatesEgress
        self.ingress = ingress
        self.egress = egress
        self.source = source
    }

    public func rules(_ direction: Direction) -> [CompiledRule] { direction == .ingress ? ingress : egress }
    public func isolates(_ direction: Direction) -> Bool { direction == .ingress ? isolatesIngress : isolatesEgress }

    /// `namespace/name`, or the name of a cluster-scoped policy.
    public var id: String { source.qualifiedName }
    public var name: String { source.name }
    /// The namespace of a namespaced policy.
    public var namespace: String? { source.namespace }
}
