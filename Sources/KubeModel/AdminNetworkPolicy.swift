/// AdminNetworkPolicy and BaselineAdminNetworkPolicy (`policy.networking.k8s.io/v1alpha1`), normalised into one
/// tiered form: the admin tier is evaluated before NetworkPolicy, the baseline tier after it.
public struct AdminNetworkPolicy: Hashable, Sendable {
    public enum Tier: String, Sendable {
        case admin = "AdminNetworkPolicy"
        case baseline = "BaselineAdminNetworkPolicy"
    }
    public enum Action: String, Sendable {
        case allow = "Allow"
        case deny = "Deny"
        case pass = "Pass"
    }

    /// Pods chosen across namespaces: by namespace labels alone, or by namespace and pod labels.
    public struct PodSet: Hashable, Sendable {
        public let namespaces: LabelSelector
        public let pods: LabelSelector
    }

    public enum Peer: Hashable, Sendable {
        case pods(PodSet)
        case nodes(LabelSelector)
        case networks([CIDR])
    }

    public enum Port: Hashable, Sendable {
        case number(L4Protocol, Int)
        case named(String)
        case range(L4Protocol, Int, Int)
    }

    public struct Rule: Hashable, Sendable {
        public let name: String
        public let action: Action
        public let peers: [Peer]
        /// nil: every port.
        public let ports: [Port]?
        public let ref: RuleRef
    }

    public let tier: Tier
    public let name: String
    /// Lower is evaluated first; the baseline has none.
    public let priority: Int
    public let subject: PodSet
    public let ingress: [Rule]
    public let egress: [Rule]
    public let location: SourceLocation

    static func parse(_ spec: Field, tier: Tier, name: String, location: SourceLocation) throws -> AdminNetworkPolicy {
        try ErrorGatherer.gathering { gatherer in
            try parse(spec, tier: tier, name: name, location: location, gatherer: &gatherer)
        }
    }

    private static func parse(
        _ spec: Field, tier: Tier, name: String, location: SourceLocation, gatherer: inout ErrorGatherer
    ) throws -> AdminNetworkPolicy? {
        _ = try gatherer.read { try spec.requireKnownKeys(["priority", "subject", "ingress", "egress"]) }
        if tier == .baseline && name != "default" {
            throw spec.error("a BaselineAdminNetworkPolicy must be named 'default' (it is a singleton)")
        }
        let priority =
            tier == .baseline
            ? Int.max
            : try gatherer.read {
                guard let p = spec["priority"] else { throw spec.missing("priority") }
                return try p.int(in: 0...1000)
            }
        let subject = try gatherer.read {
            guard let subjectField = spec["subject"] else { throw spec.missing("subject") }
            return try parsePodSet(subjectField)
        }

        func rules(_ key: String, peersKey: String, allowNodes: Bool) throws -> [Rule] {
            let items = try spec[key]?.items() ?? []
            if items.count > 100 { throw spec[key]!.error("at most 100 rules are allowed") }
            return try items.readEach { item in try ErrorGatherer.gathering { try rule(item, gatherer: &$0) } }

            func rule(_ item: Field, gatherer: inout ErrorGatherer) throws -> Rule {
                _ = try gatherer.read { try item.requireKnownKeys(["name", "action", peersKey, "ports"]) }
                let ruleName = try item["name"]?.string() ?? ""
                guard let actionField = item["action"] else { throw item.missing("action") }
                let actionText = try actionField.string()
                guard let action = Action(rawValue: actionText), !(tier == .baseline && action == .pass) else {
                    throw actionField.error(
                        "unknown action '\(actionText)' (expected \(tier == .admin ? "Allow, Deny or Pass" : "Allow or Deny"))"
                    )
                }
                guard let peersField = item[peersKey] else { throw item.missing(peersKey) }
                let peerItems = try peersField.items()
                if peerItems.isEmpty { throw peersField.error("\(peersKey) must list at least one peer") }
                let peers = try gatherer.readEach(peerItems) { p -> Peer in
                    let kinds = allowNodes ? ["namespaces", "pods", "nodes", "networks"] : ["namespaces", "pods"]
                    try p.requireKnownKeys(Set(kinds))
                    try exactlyOne(p, of: kinds, what: "a peer")
                    if let n = p["namespaces"] {
                        return .pods(PodSet(namespaces: try LabelSelector.parse(n), pods: .everything))
                    }
                    if let pods = p["pods"] { return .pods(try parsePodSelection(pods)) }
                    if let n = p["nodes"] { return .nodes(try LabelSelector.parse(n)) }
                    // exactlyOne left `networks`.
                    return .networks(try p["networks"]!.items().map { try $0.cidr() })
                }
                let ports = try item["ports"].map { pf in
                    try gatherer.readEach(pf.items()) { port -> Port in
                        try port.requireKnownKeys(["portNumber", "namedPort", "portRange"])
                        try exactlyOne(port, of: ["portNumber", "namedPort", "portRange"], what: "a port")
                        if let pn = port["portNumber"] {
                            try pn.requireKnownKeys(["protocol", "port"])
                            guard let p = pn["port"] else { throw pn.missing("port") }
                            return .number(try pn["protocol"]?.l4Protocol() ?? .tcp, try p.int(in: 1...65535))
                        }
                        if let np = port["namedPort"] {
                            guard case .name(let s) = try np.portRef() else {
                                throw np.error("namedPort must be a name")
                            }
                            return .named(s)
                        }
                        if let pr = port["portRange"] {
                            try pr.requireKnownKeys(["protocol", "start", "end"])
                            guard let s = pr["start"], let e = pr["end"] else {
                                throw pr.error("portRange needs start and end")
                            }
                            let start = try s.int(in: 1...65535)
                            let end = try e.int(in: 1...65535)
                            guard end >= start else { throw e.error("end \(end) is below start \(start)") }
                            return .range(try pr["protocol"]?.l4Protocol() ?? .tcp, start, end)
                        }
                        throw port.error("a port needs portNumber, namedPort or portRange")
                    }
                }
                return Rule(
                    name: ruleName, action: action, peers: peers, ports: ports,
                    ref: RuleRef(
                        kind: tier.rawValue, namespace: nil, name: name, path: item.path, location: item.location))
            }
        }
        let ingress = try gatherer.read { try rules("ingress", peersKey: "from", allowNodes: false) }
        let egress = try gatherer.read { try rules("egress", peersKey: "to", allowNodes: true) }
        guard let priority, let subject, let ingress, let egress else { return nil }
        return AdminNetworkPolicy(
            tier: tier, name: name, priority: priority, subject: subject, ingress: ingress, egress: egress,
            location: location)
    }

    /// The CRD's `minProperties: 1` and `maxProperties: 1` on subjects, peers and ports (network-policy-api
    /// `apis/v1alpha1/shared_types.go`): exactly one of the fields is set; null counts as unset.
    static func exactlyOne(_ field: Field, of keys: [String], what: String) throws {
        let set = keys.filter { field[$0] != nil }
        if set.count > 1 {
            throw field.error(
                "\(what) sets \(set.joined(separator: " and ")): exactly one of \(keys.joined(separator: ", ")) is allowed"
            )
        }
        if set.isEmpty { throw field.error("\(what) needs one of \(keys.joined(separator: ", "))") }
    }

    static func parsePodSet(_ field: Field) throws -> PodSet {
        try field.requireKnownKeys(["namespaces", "pods"])
        try exactlyOne(field, of: ["namespaces", "pods"], what: "the subject")
        if let n = field["namespaces"] { return PodSet(namespaces: try LabelSelector.parse(n), pods: .everything) }
        return try parsePodSelection(field["pods"]!)
    }

    /// A `pods` subject or peer: both selectors are required (an empty one selects everything).
    static func parsePodSelection(_ field: Field) throws -> PodSet {
        try field.requireKnownKeys(["namespaceSelector", "podSelector"])
        guard let ns = field["namespaceSelector"] else { throw field.missing("namespaceSelector") }
        guard let pods = field["podSelector"] else { throw field.missing("podSelector") }
        return PodSet(namespaces: try LabelSelector.parse(ns), pods: try LabelSelector.parse(pods))
    }
}
