/// Istio traffic objects (networking.istio.io): DestinationRule, Gateway, VirtualService and Sidecar.

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
            workloadSelector: try spec["workloadSelector"]?["matchLabels"]?.stringMap(),
            policy: try parseTLSPolicy(spec["trafficPolicy"]) ?? .none, subsets: subsets, created: created,
            location: location)
    }
}

public struct IstioGateway: Hashable, Sendable {
    public struct Server: Hashable, Sendable {
        public let port: Int
        /// HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP or TLS.
        public let proto: String
        /// `[ns/]dnsName`, wildcards allowed.
        public let hosts: [String]
        public let tlsMode: String?
        public let path: String
    }
    public let name: String
    public let namespace: String
    public let selector: [String: String]
    public let servers: [Server]
    public let location: SourceLocation

    static func parse(_ spec: Field, name: String, namespace: String, location: SourceLocation) throws -> IstioGateway {
        let servers = try (spec["servers"]?.items() ?? []).map { s -> Server in
            guard let port = s["port"], let number = port["number"] else { throw s.missing("port.number") }
            guard let hosts = s["hosts"] else { throw s.missing("hosts") }
            return Server(
                port: try number.int(in: 1...65535), proto: (try port["protocol"]?.string() ?? "TCP").uppercased(),
                hosts: try hosts.stringList(), tlsMode: try s["tls"]?["mode"]?.string(), path: s.path)
        }
        return IstioGateway(
            name: name, namespace: namespace, selector: try spec["selector"]?.stringMap() ?? [:], servers: servers,
            location: location)
    }
}

public struct VirtualService: Hashable, Sendable {
    /// A string condition of a match: exact, prefix or regex.
    public enum StringMatch: Hashable, Sendable {
        case exact(String)
        case prefix(String)
        case regex(String)

        static func parse(_ f: Field) throws -> StringMatch {
            if let v = f["exact"] { return .exact(try v.string()) }
            if let v = f["prefix"] { return .prefix(try v.string()) }
            if let v = f["regex"] { return .regex(try v.string()) }
            throw f.error("expected exact, prefix or regex")
        }
    }

    public struct Destination: Hashable, Sendable {
        public let host: String
        public let subset: String?
        public let port: Int?
    }

    public struct Match: Hashable, Sendable {
        public let uri: StringMatch?
        public let method: StringMatch?
        public let authority: StringMatch?
        public let port: Int?
        public let gateways: [String]?
        public let sniHosts: [String]?
        /// Conditions on headers, query parameters, source labels and the like, which a request given by host,
        /// method and path cannot settle.
        public let undecidable: [String]
    }

    public struct Route: Hashable, Sendable {
        /// Empty: matches everything.
        public let matches: [Match]
        public let destinations: [Destination]
        /// `redirect`, `directResponse` or a fault abort: the request is answered by the proxy itself.
        public let answeredByProxy: String?
        /// A fault that aborts only some requests: whether one gets through is chance.
        public let partialFault: String?
        public let rewriteURI: String?
        public let path: String
    }

    public let name: String
    public let namespace: String
    public let hosts: [String]
    /// Empty: `mesh` only.
    public let gateways: [String]
    public let http: [Route]
    public let tcp: [Route]
    public let tls: [Route]
    public let created: CreationTime
    public let location: SourceLocation

    static func parse(_ spec: Field, name: String, namespace: String, created: CreationTime, location: SourceLocation)
        throws -> VirtualService
    {
        func routes(_ key: String) throws -> [Route] {
            try (spec[key]?.items() ?? []).map { r in
                let matches = try (r["match"]?.items() ?? []).map { m -> Match in
                    let known: Set<String> = [
                        "uri", "method", "authority", "port", "gateways", "sniHosts", "name", "ignoreUriCase",
                    ]
                    let undecidable = try m.entries().map(\.key).filter { !known.contains($0) }
                    return Match(
                        uri: try m["uri"].map(StringMatch.parse), method: try m["method"].map(StringMatch.parse),
                        authority: try m["authority"].map(StringMatch.parse), port: try m["port"]?.int(in: 1...65535),
                        gateways: try m["gateways"]?.stringList(), sniHosts: try m["sniHosts"]?.stringList(),
                        undecidable: undecidable)
                }
                let destinations = try (r["route"]?.items() ?? []).map { d -> Destination in
                    guard let dest = d["destination"], let host = dest["host"] else {
                        throw d.missing("destination.host")
                    }
                    return Destination(
                        host: try host.string(), subset: try dest["subset"]?.string(),
                        port: try dest["port"]?["number"]?.int(in: 1...65535))
                }
                var answered: String?
                var partialFault: String?
                if r.has("redirect") { answered = "redirect" }
                if r.has("directResponse") { answered = "directResponse" }
                if let abort = r["fault"]?["abort"] {
                    // Only an abort of every request (no percentage, or 100) answers for certain.
                    let share = try abort["percentage"]?["value"].map { f -> Double in
                        guard let v = Double(try f.string()) else { throw f.error("expected a number") }
                        return v
                    }
                    if share == nil || share! >= 100 {
                        answered = "fault abort"
                    } else {
                        partialFault = "aborts \(share!)% of the requests (fault.abort)"
                    }
                }
                return Route(
                    matches: matches, destinations: destinations, answeredByProxy: answered, partialFault: partialFault,
                    rewriteURI: try r["rewrite"]?["uri"]?.string(), path: r.path)
            }
        }
        return VirtualService(
            name: name, namespace: namespace, hosts: try spec["hosts"]?.stringList() ?? [],
            gateways: try spec["gateways"]?.stringList() ?? [], http: try routes("http"), tcp: try routes("tcp"),
            tls: try routes("tls"), created: created, location: location)
    }
}

/// The Sidecar resource: which services a client's proxy knows (egress) and what it does with the rest.
public struct SidecarScope: Hashable, Sendable {
    public let name: String
    public let namespace: String
    public let selector: [String: String]?
    /// `ns/dnsName` entries of every egress listener; nil when the resource sets no egress.
    public let egressHosts: [String]?
    /// `ALLOW_ANY` or `REGISTRY_ONLY`; nil: the mesh default.
    public let outboundPolicy: String?
    public let hasIngressListeners: Bool
    public let created: CreationTime
    public let location: SourceLocation

    static func parse(_ spec: Field, name: String, namespace: String, created: CreationTime, location: SourceLocation)
        throws -> SidecarScope
    {
        let egress = try spec["egress"].map { e in try e.items().flatMap { try $0["hosts"]?.stringList() ?? [] } }
        let selector = try spec["workloadSelector"]?["labels"]?.stringMap()
        return SidecarScope(
            name: name, namespace: namespace, selector: selector?.isEmpty == false ? selector : nil,
            egressHosts: egress,
            outboundPolicy: try spec["outboundTrafficPolicy"]?["mode"]?.string(),
            hasIngressListeners: !(try spec["ingress"]?.items() ?? []).isEmpty, created: created, location: location)
    }
}

extension ClusterModel {
    /// Istio resolves ties between objects of one scope by age; without timestamps, by name (stated where it matters).
    mutating func sortIstioObjects() {
        func key(_ created: CreationTime, _ ns: String, _ name: String) -> (String, String, String) {
            (created ?? "~", ns, name)
        }
        peerAuthentications.sort { key($0.created, $0.namespace, $0.name) < key($1.created, $1.namespace, $1.name) }
        authorizationPolicies.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        destinationRules.sort { key($0.created, $0.namespace, $0.name) < key($1.created, $1.namespace, $1.name) }
        istioGateways.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        virtualServices.sort { key($0.created, $0.namespace, $0.name) < key($1.created, $1.namespace, $1.name) }
        sidecars.sort { key($0.created, $0.namespace, $0.name) < key($1.created, $1.namespace, $1.name) }
        rejected.sort { $0.location < $1.location }
    }
}
