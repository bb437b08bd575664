/// ClusterNetworkPolicy (`policy.networking.k8s.io/v1alpha2`, and `v1beta1` of the same shape): the cluster-scoped
/// successor of AdminNetworkPolicy and BaselineAdminNetworkPolicy (network-policy-api
/// `apis/v1alpha2/clusternetworkpolicy_types.go`). A policy sits in the Admin or the Baseline tier, is ordered by
/// priority within it, and its rules decide in written order with Accept, Deny or Pass.
public struct ClusterNetworkPolicy: Hashable, Sendable {
    public enum Tier: String, Sendable {
        case admin = "Admin"
        case baseline = "Baseline"
    }

    public static let kind = "ClusterNetworkPolicy"
    public static let versions: Set<String> = ["policy.networking.k8s.io/v1alpha2", "policy.networking.k8s.io/v1beta1"]

    public let tier: Tier
    public let name: String
    public let priority: Int
    public let subject: AdminNetworkPolicy.PodSet
    /// Rules in the admin shape: Accept reads as Allow; `protocols` entries as ports (a `destinationPort` is required
    /// by the CRD, so there is no "every port of a protocol" entry).
    public let ingress: [AdminNetworkPolicy.Rule]
    public let egress: [AdminNetworkPolicy.Rule]
    /// Rules with `domainNames` peers (egress to names only DNS resolves, at run time), left out of `egress`'s peers.
    public let domainNameRules: [RuleRef]
    public let location: SourceLocation

    static func parse(_ spec: Field, name: String, location: SourceLocation) throws -> ClusterNetworkPolicy {
        try ErrorGatherer.gathering { try parse(spec, name: name, location: location, gatherer: &$0) }
    }

    private static func parse(_ spec: Field, name: String, location: SourceLocation, gatherer: inout ErrorGatherer)
        throws -> ClusterNetworkPolicy?
    {
        _ = try gatherer.read { try spec.requireKnownKeys(["tier", "priority", "subject", "ingress", "egress"]) }
        let tier = try gatherer.read { () -> Tier in
            guard let field = spec["tier"] else { throw spec.missing("tier") }
            let text = try field.string()
            guard let tier = Tier(rawValue: text) else {
                throw field.error("unknown tier '\(text)' (expected Admin or Baseline)")
            }
            return tier
        }
        let priority = try gatherer.read {
            guard let p = spec["priority"] else { throw spec.missing("priority") }
            return try p.int(in: 0...1000)
        }
        let subject = try gatherer.read {
            guard let s = spec["subject"] else { throw spec.missing("subject") }
            try s.requireKnownKeys(["namespaces", "pods"])
            return try peer(s, kinds: ["namespaces", "pods"], what: "the subject")
        }
        var domainNameRules: [RuleRef] = []
        func rules(_ key: String, peersKey: String, peerKinds: [String]) throws -> [AdminNetworkPolicy.Rule] {
            let items = try spec[key]?.items() ?? []
            if items.count > 25 { throw spec[key]!.error("at most 25 rules are allowed") }
            return try items.readEach { item in
                try ErrorGatherer.gathering { try rule(item, peersKey: peersKey, peerKinds: peerKinds, &$0) }
            }
        }
        func rule(_ item: Field, peersKey: String, peerKinds: [String], _ gatherer: inout ErrorGatherer) throws
            -> AdminNetworkPolicy.Rule?
        {
            let ref = RuleRef(kind: kind, namespace: nil, name: name, path: item.path, location: item.location)
            _ = try gatherer.read { try item.requireKnownKeys(["name", "action", peersKey, "protocols"]) }
            let ruleName = try item["name"]?.string() ?? ""
            if ruleName.count > 100 { gatherer.add(item["name"]!.error("a rule name has at most 100 characters")) }
            guard let actionField = item["action"] else { throw item.missing("action") }
            let actionText = try actionField.string()
            let actions: [String: AdminNetworkPolicy.Action] = ["Accept": .allow, "Deny": .deny, "Pass": .pass]
            guard let action = actions[actionText] else {
                throw actionField.error("unknown action '\(actionText)' (expected Accept, Deny or Pass)")
            }
            guard let peersField = item[peersKey] else { throw item.missing(peersKey) }
            let peerItems = try peersField.items()
            if peerItems.isEmpty { throw peersField.error("\(peersKey) must list at least one peer") }
            if peerItems.count > 25 { throw peersField.error("\(peersKey) lists at most 25 peers") }
            var domainNames = false
            let peers = try gatherer.readEach(peerItems) { p -> AdminNetworkPolicy.Peer? in
                try p.requireKnownKeys(Set(peerKinds))
                try AdminNetworkPolicy.exactlyOne(p, of: peerKinds, what: "a peer")
                if let n = p["namespaces"] {
                    return .pods(.init(namespaces: try LabelSelector.parse(n), pods: .everything))
                }
                if let pods = p["pods"] { return .pods(try podSet(pods)) }
                if let n = p["nodes"] { return .nodes(try LabelSelector.parse(n)) }
                if let n = p["networks"] {
                    let cidrs = try n.items()
                    guard (1...25).contains(cidrs.count) else { throw n.error("networks lists 1 to 25 CIDRs") }
                    return .networks(try cidrs.readEach { try $0.cidr() })
                }
                // exactlyOne left `domainNames`.
                let d = p["domainNames"]!
                guard action == .allow else {
                    throw d.error("domainNames peers are allowed only in Accept rules")
                }
                let names = try d.items()
                guard (1...25).contains(names.count) else { throw d.error("domainNames lists 1 to 25 names") }
                for f in names {
                    let text = try f.string()
                    guard isDomainName(text) else {
                        throw f.error("'\(text)' is not a domain name (labels, with at most a leading '*.')")
                    }
                }
                domainNames = true
                return nil
            }.compactMap { $0 }
            if domainNames { domainNameRules.append(ref) }
            let ports = try gatherer.read {
                try item["protocols"].map { field -> [AdminNetworkPolicy.Port] in
                    let entries = try field.items()
                    guard (1...25).contains(entries.count) else { throw field.error("protocols lists 1 to 25 entries") }
                    return try entries.readEach(protocolEntry)
                }
            }
            // The CRD's rule: networks, nodes and domain names have no named ports.
            if case .some(.some(let list)) = ports,
                list.contains(where: { if case .named = $0 { true } else { false } }),
                domainNames || peers.contains(where: { if case .pods = $0 { false } else { true } })
            {
                gatherer.add(
                    item["protocols"]!.error(
                        "destinationNamedPort cannot be used with networks, nodes or domainNames peers: they have no named ports"
                    ))
            }
            return AdminNetworkPolicy.Rule(name: ruleName, action: action, peers: peers, ports: ports ?? nil, ref: ref)
        }
        let ingress = try gatherer.read {
            try rules("ingress", peersKey: "from", peerKinds: ["namespaces", "pods"])
        }
        let egress = try gatherer.read {
            try rules("egress", peersKey: "to", peerKinds: ["namespaces", "pods", "nodes", "networks", "domainNames"])
        }
        guard let tier, let priority, let subject, let ingress, let egress else { return nil }
        return ClusterNetworkPolicy(
            tier: tier, name: name, priority: priority, subject: subject, ingress: ingress, egress: egress,
            domainNameRules: domainNameRules, location: location)
    }

    /// A subject: pods by namespace labels alone, or by namespace and pod labels.
    static func peer(_ field: Field, kinds: [String], what: String) throws -> AdminNetworkPolicy.PodSet {
        try AdminNetworkPolicy.exactlyOne(field, of: kinds, what: what)
        if let n = field["namespaces"] { return .init(namespaces: try LabelSelector.parse(n), pods: .everything) }
        return try podSet(field["pods"]!)
    }

    /// `pods: {namespaceSelector, podSelector}`: the pod selector is required; an absent namespace selector is the
    /// empty one, every namespace.
    static func podSet(_ field: Field) throws -> AdminNetworkPolicy.PodSet {
        try field.requireKnownKeys(["namespaceSelector", "podSelector"])
        guard let pods = field["podSelector"] else { throw field.missing("podSelector") }
        return .init(
            namespaces: try field["namespaceSelector"].map(LabelSelector.parse) ?? .everything,
            pods: try LabelSelector.parse(pods))
    }

    /// One `protocols` entry: exactly one of tcp, udp, sctp (each with a destinationPort of a number or a range)
    /// and destinationNamedPort.
    static func protocolEntry(_ entry: Field) throws -> AdminNetworkPolicy.Port {
        let kinds = ["tcp", "udp", "sctp", "destinationNamedPort"]
        try entry.requireKnownKeys(Set(kinds))
        try AdminNetworkPolicy.exactlyOne(entry, of: kinds, what: "a protocols entry")
        if let named = entry["destinationNamedPort"] {
            let text = try named.string()
            if let problem = PortName.validate(text) { throw named.error(problem) }
            return .named(text)
        }
        let (key, proto): (String, L4Protocol) =
            entry["tcp"] != nil ? ("tcp", .tcp) : entry["udp"] != nil ? ("udp", .udp) : ("sctp", .sctp)
        let body = entry[key]!
        try body.requireKnownKeys(["destinationPort"])
        guard let port = body["destinationPort"] else {
            throw body.missing("destinationPort", hint: "\(key) needs at least one field")
        }
        try port.requireKnownKeys(["number", "range"])
        try AdminNetworkPolicy.exactlyOne(port, of: ["number", "range"], what: "a destinationPort")
        if let n = port["number"] { return .number(proto, try n.int(in: 1...65535)) }
        let range = port["range"]!
        try range.requireKnownKeys(["start", "end"])
        guard let s = range["start"] else { throw range.missing("start") }
        guard let e = range["end"] else { throw range.missing("end") }
        let (start, end) = (try s.int(in: 1...65535), try e.int(in: 1...65535))
        guard start < end else { throw range.error("start \(start) must be less than end \(end)") }
        return .range(proto, start, end)
    }

    /// The CRD's pattern: DNS labels of letters, digits, '-' and '_', at most one leading `*.`, a trailing dot allowed.
    static func isDomainName(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.hasPrefix("*.") { rest = rest.dropFirst(2) }
        if rest.hasSuffix(".") { rest = rest.dropLast() }
        let labels = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
            return alnum(first) && alnum(last) && label.allSatisfy { alnum($0) || $0 == "-" || $0 == "_" }
        }
    }
}
