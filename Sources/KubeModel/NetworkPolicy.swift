/// A reference to one rule (or part of one) in a resource, as reports show it.
public struct RuleRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let kind: String
    public let namespace: String?
    public let name: String
    /// Field path inside the resource, e.g. `spec.ingress[0].from[1]`.
    public let path: String
    public let location: SourceLocation

    public init(kind: String, namespace: String?, name: String, path: String, location: SourceLocation) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.path = path
        self.location = location
    }

    public var qualifiedName: String { namespace.map { "\($0)/\(name)" } ?? name }
    public var description: String { "\(kind) \(qualifiedName) \(path) (\(location))" }
    public static func < (a: RuleRef, b: RuleRef) -> Bool {
        (a.kind, a.qualifiedName, a.path) < (b.kind, b.qualifiedName, b.path)
    }
}

/// One `networking.k8s.io/v1` NetworkPolicy, validated as the API server would.
public struct NetworkPolicy: Hashable, Sendable {
    public struct Peer: Hashable, Sendable {
        public enum Selection: Hashable, Sendable {
            /// Pods chosen by selectors. An absent namespace selector means the policy's own namespace;
            /// an absent pod selector means every pod of the selected namespaces.
            case pods(namespaces: LabelSelector?, pods: LabelSelector?)
            case ipBlock(cidr: CIDR, except: [CIDR])
        }
        public let selection: Selection
        public let ref: RuleRef
    }

    public struct Port: Hashable, Sendable {
        public let proto: L4Protocol
        /// nil: every port of the protocol.
        public let port: PortRef?
        public let endPort: Int?
        public let ref: RuleRef
    }

    public struct Rule: Hashable, Sendable {
        /// Empty: every peer, external addresses included.
        public let peers: [Peer]
        /// Empty: every port and protocol.
        public let ports: [Port]
        public let ref: RuleRef
    }

    public let name: String
    public let namespace: String
    public let podSelector: LabelSelector
    public let isolatesIngress: Bool
    public let isolatesEgress: Bool
    public let ingress: [Rule]
    public let egress: [Rule]
    public let location: SourceLocation

    public var id: String { "\(namespace)/\(name)" }

    /// The fields each part of a policy may hold, built once rather than per policy.
    private enum Keys {
        static let spec: Set<String> = ["podSelector", "policyTypes", "ingress", "egress"]
        static let ingressRule: Set<String> = ["from", "ports"]
        static let egressRule: Set<String> = ["to", "ports"]
        static let peer: Set<String> = ["podSelector", "namespaceSelector", "ipBlock"]
        static let ipBlock: Set<String> = ["cidr", "except"]
        static let port: Set<String> = ["protocol", "port", "endPort"]
    }

    static func parse(_ spec: Field, name: String, namespace: String, location: SourceLocation) throws -> NetworkPolicy
    {
        try ErrorGatherer.gathering { gatherer in
            try parse(spec, name: name, namespace: namespace, location: location, gatherer: &gatherer)
        }
    }

    private static func parse(
        _ spec: Field, name: String, namespace: String, location: SourceLocation, gatherer: inout ErrorGatherer
    ) throws -> NetworkPolicy {
        _ = try gatherer.read { try spec.requireKnownKeys(Keys.spec) }
        func ref(_ f: Field) -> RuleRef {
            RuleRef(kind: "NetworkPolicy", namespace: namespace, name: name, path: f.path, location: f.location)
        }
        if !spec.has("podSelector") { gatherer.add(spec.missing("podSelector", hint: "use {} to select every pod")) }
        let podSelector = try gatherer.read { try spec["podSelector"].map(LabelSelector.parse) ?? .everything }
        let types =
            try gatherer.read {
                try (spec["policyTypes"]?.items() ?? []).readEach { item -> String in
                    let t = try item.string()
                    guard t == "Ingress" || t == "Egress" else {
                        throw item.error("unknown policy type '\(t)' (expected Ingress or Egress)")
                    }
                    return t
                }
            } ?? []
        let ingressItems = try spec["ingress"]?.items() ?? []
        let egressItems = try spec["egress"]?.items() ?? []
        // API defaulting: Ingress always; Egress only when egress rules exist.
        let explicit = spec["policyTypes"] != nil && !types.isEmpty
        let isolatesIngress = explicit ? types.contains("Ingress") : true
        let isolatesEgress = explicit ? types.contains("Egress") : !egressItems.isEmpty

        func rule(_ item: Field, peersKey: String) throws -> Rule {
            try ErrorGatherer.gathering { gatherer in try readRule(item, peersKey: peersKey, gatherer: &gatherer) }
        }
        func readRule(_ item: Field, peersKey: String, gatherer: inout ErrorGatherer) throws -> Rule {
            _ = try gatherer.read { try item.requireKnownKeys(peersKey == "from" ? Keys.ingressRule : Keys.egressRule) }
            let peers = try gatherer.readEach(item[peersKey]?.items() ?? []) { p -> Peer in
                try p.requireKnownKeys(Keys.peer)
                if let block = p["ipBlock"] {
                    if p.node(at: "podSelector") != nil || p.node(at: "namespaceSelector") != nil {
                        throw p.error("ipBlock cannot be combined with podSelector or namespaceSelector in one peer")
                    }
                    try block.requireKnownKeys(Keys.ipBlock)
                    guard let cidrField = block["cidr"] else { throw block.missing("cidr") }
                    let cidr = try cidrField.cidr()
                    let except = try (block["except"]?.items() ?? []).readEach { e -> CIDR in
                        let x = try e.cidr()
                        guard cidr.family == x.family else {
                            throw e.error("except \(x) is not of the same IP family as cidr \(cidr)")
                        }
                        guard cidr.strictlyContains(x) else {
                            throw e.error("except \(x) must be a strict subset of cidr \(cidr)")
                        }
                        return x
                    }
                    return Peer(selection: .ipBlock(cidr: cidr, except: except), ref: ref(p))
                }
                // The peer's selectors are pointers in the API: null (or an empty value) is absent, as the API
                // server decodes it, while `{}` is the empty selector that selects everything.
                let ns = try p["namespaceSelector"].map(LabelSelector.parse)
                let pods = try p["podSelector"].map(LabelSelector.parse)
                if ns == nil && pods == nil { throw p.error("a peer needs podSelector, namespaceSelector or ipBlock") }
                return Peer(selection: .pods(namespaces: ns, pods: pods), ref: ref(p))
            }
            let ports = try gatherer.readEach(item["ports"]?.items() ?? []) { pf -> Port in
                try pf.requireKnownKeys(Keys.port)
                let proto = try pf.l4Protocol(at: "protocol") ?? .tcp
                let port = try pf.portRef(at: "port")
                let endPort = try pf.int(at: "endPort", in: 1...65535)
                if let endPort {
                    guard case .number(let start)? = port else {
                        throw pf.error("endPort requires a numeric port")
                    }
                    guard endPort >= start else {
                        throw pf["endPort"]!.error("endPort \(endPort) is below port \(start)")
                    }
                }
                return Port(proto: proto, port: port, endPort: endPort, ref: ref(pf))
            }
            return Rule(peers: peers, ports: ports, ref: ref(item))
        }
        let ingress = try gatherer.readEach(ingressItems) { try rule($0, peersKey: "from") }
        let egress = try gatherer.readEach(egressItems) { try rule($0, peersKey: "to") }
        return NetworkPolicy(
            name: name, namespace: namespace, podSelector: podSelector ?? .everything,
            isolatesIngress: isolatesIngress, isolatesEgress: isolatesEgress,
            ingress: ingress, egress: egress, location: location)
    }
}
