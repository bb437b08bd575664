/// An Istio DestinationRule (networking.istio.io): the client-side traffic policy, TLS above all, for a host, its
/// ports and subsets.
public struct DestinationRule: Hashable, Sendable {
    /// `trafficPolicy.tls.mode`; nil when the level sets no tls.
    public enum TLSMode: String, Sendable {
        case disable = "DISABLE"
        case simple = "SIMPLE"
        case mutual = "MUTUAL"
        case istioMutual = "ISTIO_MUTUAL"
    }

    /// One level of traffic policy: its tls mode and its per-port entries (an entry replaces the level for its port).
    public struct TLSPolicy: Hashable, Sendable {
        public let tls: TLSMode?
        /// Service port -> that entry's tls (nil: the entry sets none).
        public let portLevel: [Int: TLSMode?]
        static let none = TLSPolicy(tls: nil, portLevel: [:])
    }

    public struct Subset: Hashable, Sendable {
        public let name: String
        public let labels: [String: String]
        /// nil when the subset has no trafficPolicy of its own.
        public let policy: TLSPolicy?
    }

    public let name: String
    public let namespace: String
    public let host: String
    public let exportTo: [String]?
    /// `workloadSelector`: the rule applies only to the client pods of its namespace that these labels select.
    public let workloadSelector: [String: String]?
    public let policy: TLSPolicy
    public let subsets: [Subset]
    public let created: CreationTime
    public let location: SourceLocation

    static func parseTLSPolicy(_ f: Field?) throws -> TLSPolicy? {
        guard let f else { return nil }
        func mode(_ tls: Field?) throws -> TLSMode? {
            guard let tls, let m = tls["mode"] else { return nil }
            let text = try m.string()
            guard let mode = TLSMode(rawValue: text) else {
                throw m.error("unknown tls mode '\(text)' (DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL)")
            }
            return mode
        }
        var portLevel: [Int: TLSMode?] = [:]
        for entry in try f["portLevelSettings"]?.items() ?? [] {
            guard let n = entry["port"]?["number"] else { throw entry.missing("port.number") }
            portLevel[try n.int(in: 1...65535)] = try mode(entry["tls"])
        }
        return TLSPolicy(tls: try mode(f["tls"]), portLevel: portLevel)
    }

    static func parse(_ spec: Field, name: String, namespace: String, created: CreationTime, location: SourceLocation)
        throws -> DestinationRule
    {
        guard let host = spec["host"] else { throw spec.missing("host") }
        let subsets = try (spec["subsets"]?.items() ?? []).map { s -> Subset in
            guard let n = s["name"] else { throw s.missing("name") }
            return Subset(
                name: try n.string(), labels: try s["labels"]?.stringMap() ?? [:],
                policy: try parseTLSPolicy(s["trafficPolicy"]))
        }
        return DestinationRule(
            name: name, namespace: namespace, host: try host.string(), exportTo: try spec["exportTo"]?.stringList(),
            workloadSelector: try istioSelector(spec["workloadSelector"]),
            policy: try parseTLSPolicy(spec["trafficPolicy"]) ?? .none, subsets: subsets, created: created,
            location: location)
    }
}
