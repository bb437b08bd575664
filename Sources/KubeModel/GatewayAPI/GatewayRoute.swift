/// A Gateway API route of any kind: HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute. The kinds share parent
/// references, hostnames (HTTP, gRPC, TLS) and backend references; HTTP and gRPC rules add matches and filters.
public struct GatewayRoute: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case http = "HTTPRoute"
        case grpc = "GRPCRoute"
        case tls = "TLSRoute"
        case tcp = "TCPRoute"
        case udp = "UDPRoute"

        var versions: Set<String> {
            switch self {
            case .http: return GatewayAPI.standard
            case .grpc: return ["gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1alpha2"]
            case .tls: return GatewayAPI.experimental.union(["gateway.networking.k8s.io/v1"])
            case .tcp: return ["gateway.networking.k8s.io/v1alpha2", "gateway.networking.k8s.io/v1"]
            case .udp: return ["gateway.networking.k8s.io/v1alpha2"]
            }
        }
        var hasHostnames: Bool { self == .http || self == .grpc || self == .tls }
    }

    /// `parentRefs[]`: the Gateway (and listener) a route asks to attach to.
    public struct ParentRef: Hashable, Sendable {
        public let group: String
        public let kind: String
        public let namespace: String
        public let name: String
        public let sectionName: String?
        public let port: Int?
        public let location: SourceLocation

        public var id: String { "\(namespace)/\(name)" }
        public var isGateway: Bool { group == GatewayAPI.group && kind == "Gateway" }
    }

    /// A value a request field is compared with: a header or query parameter by name, or the method.
    public struct ValueMatch: Hashable, Sendable {
        public let name: String
        public let value: String
        public let regex: Bool
    }

    public enum PathMatch: Hashable, Sendable {
        case exact(String)
        /// Element-wise prefix; a trailing `/` of the value is not significant.
        case prefix(String)
        case regex(String)
    }

    /// One entry of `matches[]`. gRPC matches are written as the paths gRPC uses (`/service/method`).
    public struct Match: Hashable, Sendable {
        public let path: PathMatch
        public let method: String?
        public let headers: [ValueMatch]
        public let query: [ValueMatch]
        /// A gRPC service or method given as a regular expression (implementation-specific).
        public let grpcRegex: String?
        public let fieldPath: String
    }

    public struct BackendRef: Hashable, Sendable {
        public let group: String
        public let kind: String
        public let name: String
        /// nil: the route's namespace.
        public let namespace: String?
        public let port: Int?
        public let weight: Int
        public let filters: [Filter]
        public let path: String
        public let location: SourceLocation

        public var isService: Bool { group.isEmpty && kind == "Service" }
    }

    public enum Filter: Hashable, Sendable {
        /// `URLRewrite`: the backend sees another host or path.
        case urlRewrite(hostname: String?, fullPath: String?, prefix: String?)
        /// `RequestRedirect`: the gateway answers with a redirect; no backend is reached.
        case requestRedirect
        /// `RequestMirror`: a copy of each request also goes to this backend.
        case requestMirror(BackendRef)
        /// `ExtensionRef` and other implementation filters: what they do is not known here.
        case implementation(String)
        /// Filters that change headers, CORS and the like: they do not change where a request goes.
        case headerOnly(String)
    }

    public struct Rule: Hashable, Sendable {
        public let name: String?
        /// Never empty: a rule without matches matches every request (`PathPrefix /`).
        public let matches: [Match]
        public let filters: [Filter]
        public let backends: [BackendRef]
        public let path: String
        public let location: SourceLocation
    }

    public let kind: Kind
    public let namespace: String
    public let name: String
    /// `metadata.creationTimestamp` (RFC 3339), which orders routes on a tie.
    public let created: String?
    public let parentRefs: [ParentRef]
    public let hostnames: [String]
    public let rules: [Rule]
    public let location: SourceLocation

    public var id: String { "\(namespace)/\(name)" }

    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]

    static func parse(
        _ spec: Field, kind: Kind, name: String, namespace: String, created: String?, location: SourceLocation
    ) throws -> GatewayRoute {
        var keys: Set<String> = ["parentRefs", "rules", "useDefaultGateways"]
        if kind.hasHostnames { keys.insert("hostnames") }
        try spec.requireKnownKeys(keys)
        let parents = try (spec["parentRefs"]?.items() ?? []).readEach { f -> ParentRef in
            try f.requireKnownKeys(["group", "kind", "namespace", "name", "sectionName", "port"])
            guard let n = f["name"] else { throw f.missing("name") }
            return ParentRef(
                group: try f["group"]?.string() ?? GatewayAPI.group, kind: try f["kind"]?.string() ?? "Gateway",
                namespace: try f["namespace"]?.string() ?? namespace, name: try n.string(),
                sectionName: try f["sectionName"]?.string(), port: try f["port"]?.int(in: 1...65535),
                location: f.location)
        }
        let hostnames = try (spec["hostnames"]?.items() ?? []).readEach(GatewayAPI.hostname)
        let ruleItems = try spec["rules"]?.items() ?? []
        var rules = try ruleItems.readEach { try rule($0, kind: kind) }
        if spec["rules"] == nil, kind == .http || kind == .grpc {
            // The CRD's default: one rule that matches every request and has no backend.
            let all = Match(
                path: .prefix("/"), method: nil, headers: [], query: [], grpcRegex: nil, fieldPath: spec.path)
            rules = [
                Rule(name: nil, matches: [all], filters: [], backends: [], path: spec.path, location: spec.location)
            ]
        }
        return GatewayRoute(
            kind: kind, namespace: namespace, name: name, created: created, parentRefs: parents, hostnames: hostnames,
            rules: rules, location: location)
    }

    private static func rule(_ f: Field, kind: Kind) throws -> Rule {
        var keys: Set<String> = ["name", "backendRefs"]
        if kind == .http || kind == .grpc { keys.formUnion(["matches", "filters", "sessionPersistence"]) }
        if kind == .http { keys.formUnion(["timeouts", "retry"]) }
        try f.requireKnownKeys(keys)
        let matchItems = try f["matches"]?.items() ?? []
        var matches = try matchItems.readEach { kind == .grpc ? try grpcMatch($0) : try httpMatch($0) }
        if matches.isEmpty {
            matches = [
                Match(path: .prefix("/"), method: nil, headers: [], query: [], grpcRegex: nil, fieldPath: f.path)
            ]
        }
        return Rule(
            name: try f["name"]?.string(), matches: matches,
            filters: try (f["filters"]?.items() ?? []).readEach(filter),
            backends: try (f["backendRefs"]?.items() ?? []).readEach { try backendRef($0, kind: kind) },
            path: f.path, location: f.location)
    }

    private static func values(_ f: Field?, what: String) throws -> [ValueMatch] {
        try (f?.items() ?? []).readEach { item in
            try item.requireKnownKeys(["type", "name", "value"])
            guard let n = item["name"] else { throw item.missing("name") }
            guard let v = item["value"] else { throw item.missing("value") }
            let type = try item["type"]?.string() ?? "Exact"
            guard type == "Exact" || type == "RegularExpression" else {
                throw item["type"]!.error("unknown \(what) match type '\(type)' (Exact or RegularExpression)")
            }
            // Header names compare without case (RFC 7230); query parameter names with it.
            let name = what == "header" ? try n.string().lowercased() : try n.string()
            return ValueMatch(name: name, value: try v.string(), regex: type == "RegularExpression")
        }
    }

    private static func httpMatch(_ f: Field) throws -> Match {
        try f.requireKnownKeys(["path", "headers", "queryParams", "method"])
        var path = PathMatch.prefix("/")
        if let p = f["path"] {
            try p.requireKnownKeys(["type", "value"])
            let value = try p["value"]?.string() ?? "/"
            let type = try p["type"]?.string() ?? "PathPrefix"
            if type != "RegularExpression" && !value.hasPrefix("/") {
                throw (p["value"] ?? p).error("a path must begin with '/'")
            }
            switch type {
            case "Exact": path = .exact(value)
            case "PathPrefix": path = .prefix(value)
            case "RegularExpression": path = .regex(value)
            default:
                throw p["type"]!.error("unknown path match type '\(type)' (Exact, PathPrefix or RegularExpression)")
            }
        }
        let method = try f["method"]?.string()
        if let method, !methods.contains(method) {
            throw f["method"]!.error("unknown method '\(method)' (\(methods.sorted().joined(separator: ", ")))")
        }
        return Match(
            path: path, method: method, headers: try values(f["headers"], what: "header"),
            query: try values(f["queryParams"], what: "query parameter"), grpcRegex: nil, fieldPath: f.path)
    }

    /// A gRPC match is a match on the request path `/service/method`, always with method POST.
    private static func grpcMatch(_ f: Field) throws -> Match {
        try f.requireKnownKeys(["method", "headers"])
        var path = PathMatch.prefix("/")
        var regex: String?
        if let m = f["method"] {
            try m.requireKnownKeys(["type", "service", "method"])
            let service = try m["service"]?.string()
            let method = try m["method"]?.string()
            if service == nil && method == nil {
                throw m.error("a gRPC method match names a service, a method or both")
            }
            let type = try m["type"]?.string() ?? "Exact"
            switch (type, service, method) {
            case ("Exact", let s?, let me?): path = .exact("/\(s)/\(me)")
            case ("Exact", let s?, nil): path = .prefix("/\(s)")
            case ("Exact", nil, _), ("RegularExpression", _, _):
                regex = "/\(service ?? "[^/]+")/\(method ?? "[^/]+")"
            default: throw m["type"]!.error("unknown gRPC method match type '\(type)' (Exact or RegularExpression)")
            }
        }
        return Match(
            path: path, method: nil, headers: try values(f["headers"], what: "header"), query: [], grpcRegex: regex,
            fieldPath: f.path)
    }

    private static func backendRef(_ f: Field, kind: Kind) throws -> BackendRef {
        try f.requireKnownKeys(["group", "kind", "name", "namespace", "port", "weight", "filters"])
        guard let n = f["name"] else { throw f.missing("name") }
        let group = try f["group"]?.string() ?? ""
        let refKind = try f["kind"]?.string() ?? "Service"
        let port = try f["port"]?.int(in: 1...65535)
        if port == nil && group.isEmpty && refKind == "Service" {
            throw f.missing("port", hint: "a backendRef to a Service names its port")
        }
        return BackendRef(
            group: group, kind: refKind, name: try n.string(), namespace: try f["namespace"]?.string(), port: port,
            weight: try f["weight"]?.int(in: 0...1_000_000) ?? 1,
            filters: try (f["filters"]?.items() ?? []).readEach(filter), path: f.path, location: f.location)
    }

    private static func filter(_ f: Field) throws -> Filter {
        guard let typeField = f["type"] else { throw f.missing("type") }
        let type = try typeField.string()
        switch type {
        case "URLRewrite":
            guard let r = f["urlRewrite"] else { throw f.missing("urlRewrite") }
            try r.requireKnownKeys(["hostname", "path"])
            var full: String?
            var prefix: String?
            if let p = r["path"] {
                try p.requireKnownKeys(["type", "replaceFullPath", "replacePrefixMatch"])
                full = try p["replaceFullPath"]?.string()
                prefix = try p["replacePrefixMatch"]?.string()
            }
            return .urlRewrite(hostname: try r["hostname"].map(GatewayAPI.hostname), fullPath: full, prefix: prefix)
        case "RequestRedirect": return .requestRedirect
        case "RequestMirror":
            guard let m = f["requestMirror"], let b = m["backendRef"] else {
                throw f.missing("requestMirror.backendRef")
            }
            try m.requireKnownKeys(["backendRef", "percent", "fraction"])
            return .requestMirror(try backendRef(b, kind: .http))
        case "ExtensionRef":
            let ref = try f["extensionRef"]?["name"]?.string() ?? "?"
            return .implementation("ExtensionRef \(ref)")
        case "RequestHeaderModifier", "ResponseHeaderModifier", "CORS": return .headerOnly(type)
        case "ExternalAuth": return .implementation("ExternalAuth")
        default: throw typeField.error("unknown filter type '\(type)'")
        }
    }
}
