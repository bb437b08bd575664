/// An Istio VirtualService (networking.istio.io): ordered routes for hosts, bound to gateways or to the mesh.
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
