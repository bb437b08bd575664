import Foundation
import KubeModel

/// The routing of one entry point of a proxy (a listener port, an ingress controller's HTTP or HTTPS port), compiled
/// into an ordered list of rules where the first that matches a request decides. Each router compiles its resources
/// into tables with its implementation's precedence (ingress-nginx servers and locations, Gateway API listeners,
/// hostnames and match precedence); the end-to-end paths (`decide`, `witnesses`) and the route equivalence proof
/// (`RouteTableEncoding`) read only the tables.
public struct RouteTable: Sendable {
    public enum HostMatch: Hashable, Sendable, CustomStringConvertible {
        case exact(String)
        /// `*.suffix`: one or more DNS labels before `.suffix` (Gateway API), or exactly one (`singleLabel`,
        /// ingress-nginx).
        case wildcard(suffix: String, singleLabel: Bool)

        public func matches(_ host: String) -> Bool {
            switch self {
            case .exact(let h): return h == host
            case .wildcard(let suffix, let single):
                guard host.hasSuffix("." + suffix), host.count > suffix.count + 1 else { return false }
                return !single || !host.dropLast(suffix.count + 1).contains(".")
            }
        }

        /// A host this pattern matches, for witnesses.
        var example: String {
            switch self {
            case .exact(let h): return h
            case .wildcard(let suffix, _): return "reachproof-any." + suffix
            }
        }

        public var description: String {
            switch self {
            case .exact(let h): return h
            case .wildcard(let suffix, _): return "*." + suffix
            }
        }
    }

    public enum PathMatch: Hashable, Sendable, CustomStringConvertible {
        case any
        case exact(String)
        /// Element-wise prefix: `/foo` matches `/foo` and `/foo/bar`, not `/foobar`; a trailing `/` of the value is
        /// not significant, and `/` matches every path.
        case segmentPrefix(String)
        /// A plain string prefix, optionally ignoring case (ingress-nginx's regex locations with a literal path).
        case stringPrefix(String, caseInsensitive: Bool)
        /// A regular expression: searched from the start of the path (`anchoredStart`, nginx's `~*` locations with
        /// `^`) or matched against the whole path (Envoy's full match).
        case regex(String, caseInsensitive: Bool, anchoredStart: Bool)

        public func matches(_ path: String) -> Bool? {
            switch self {
            case .any: return true
            case .exact(let p): return path == p
            case .segmentPrefix(let p):
                let base = p.hasSuffix("/") ? String(p.dropLast()) : p
                return base.isEmpty || path == base || path.hasPrefix(base + "/")
            case .stringPrefix(let p, let ci):
                return ci ? path.lowercased().hasPrefix(p.lowercased()) : path.hasPrefix(p)
            case .regex(let pattern, let ci, let anchoredStart):
                let full = anchoredStart ? "^(?:" + pattern + ")" : "^(?:" + pattern + ")$"
                guard let re = try? NSRegularExpression(pattern: full, options: ci ? [.caseInsensitive] : []) else {
                    return nil
                }
                return re.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
            }
        }

        /// A path this match accepts, for witnesses (nil for a regular expression).
        var example: String? {
            switch self {
            case .any: return "/"
            case .exact(let p), .segmentPrefix(let p), .stringPrefix(let p, _): return p
            case .regex: return nil
            }
        }

        public var description: String {
            switch self {
            case .any: return "any path"
            case .exact(let p): return "path \(p) (Exact)"
            case .segmentPrefix(let p): return "path \(p) (Prefix)"
            case .stringPrefix(let p, let ci): return "path \(p) (string prefix\(ci ? ", any case" : ""))"
            case .regex(let p, _, _): return "path ~ '\(p)'"
            }
        }
    }

    /// A header or query parameter the request must carry with this value.
    public struct ValueMatch: Hashable, Sendable {
        public let name: String
        public let value: String
        /// A regular expression (implementation-specific): decided only when it is a literal.
        public let regex: Bool

        public init(name: String, value: String, regex: Bool) {
            self.name = name
            self.value = value
            self.regex = regex
        }
    }

    public struct Condition: Hashable, Sendable {
        /// Any of these hosts; nil: every host.
        public var hosts: [HostMatch]?
        public var path: PathMatch
        public var method: String?
        public var headers: [ValueMatch]
        public var query: [ValueMatch]

        public init(
            hosts: [HostMatch]?, path: PathMatch = .any, method: String? = nil, headers: [ValueMatch] = [],
            query: [ValueMatch] = []
        ) {
            self.hosts = hosts
            self.path = path
            self.method = method
            self.headers = headers
            self.query = query
        }

        /// Whether a request matches; nil when a regular expression cannot be evaluated.
        public func matches(_ r: Request) -> Bool? {
            if let hosts, !hosts.contains(where: { $0.matches(r.host) }) { return false }
            if let method, method != r.method { return false }
            for (wanted, have) in [(headers, r.headers), (query, r.query)] {
                guard let ok = Self.values(wanted, match: have) else { return nil }
                if !ok { return false }
            }
            return path.matches(r.path)
        }

        /// Whether every wanted header (or query parameter) is present with its value; nil when a regular expression
        /// cannot be evaluated.
        static func values(_ wanted: [ValueMatch], match have: [String: String]) -> Bool? {
            for w in wanted {
                guard let v = have[w.name] else { return false }
                guard w.regex else {
                    if v != w.value { return false }
                    continue
                }
                guard let m = PathMatch.regex(w.value, caseInsensitive: false, anchoredStart: false).matches(v) else {
                    return nil
                }
                if !m { return false }
            }
            return true
        }

        public var description: String {
            var parts: [String] = []
            if let hosts { parts.append("host \(hosts.map(\.description).joined(separator: "|"))") }
            parts.append(path.description)
            if let method { parts.append("method \(method)") }
            parts += headers.map { "header \($0.name)\($0.regex ? " ~ " : "=")\($0.value)" }
            parts += query.map { "query \($0.name)\($0.regex ? " ~ " : "=")\($0.value)" }
            return parts.joined(separator: " ")
        }
    }

    /// A Service port a request is sent to.
    public struct Backend: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// `ns/name` of the Service.
        public let service: String
        public let port: Int
        /// Receives a copy of the request (a mirror), not the request itself.
        public let mirror: Bool

        public init(service: String, port: Int, mirror: Bool = false) {
            self.service = service
            self.port = port
            self.mirror = mirror
        }

        public var description: String { "Service \(service):\(port)\(mirror ? " (mirror)" : "")" }
        public static func < (a: Backend, b: Backend) -> Bool {
            (a.service, a.port, a.mirror ? 1 : 0) < (b.service, b.port, b.mirror ? 1 : 0)
        }
    }

    /// What a request that reaches a rule gets.
    public enum Outcome: Hashable, Sendable, CustomStringConvertible {
        /// Sent to these backends (several with weights: each gets some requests).
        case backends([Backend])
        /// Answered by the proxy itself (404, 500, a redirect, 403): no backend is reached. The text says why.
        case noBackend(String)
        /// Depends on what this version cannot evaluate.
        case unknown(String)

        public var description: String {
            switch self {
            case .backends(let b): return b.map(\.description).joined(separator: ", ")
            case .noBackend(let why): return "no backend (\(why))"
            case .unknown(let why): return "UNKNOWN (\(why))"
            }
        }
    }

    /// How the proxy rewrites a request before sending it on (URLRewrite).
    public struct Rewrite: Hashable, Sendable {
        public let host: String?
        public let fullPath: String?
        /// Replaces the matched prefix of a segment-prefix match.
        public let prefix: String?

        public init(host: String?, fullPath: String?, prefix: String?) {
            self.host = host
            self.fullPath = fullPath
            self.prefix = prefix
        }
    }

    /// What a rule belongs to, for claims that pin a route (`via`).
    public struct Origin: Hashable, Sendable {
        public var ingress: String?
        public var gateway: String?
        public var listener: String?
        public var route: String?

        public init(ingress: String? = nil, gateway: String? = nil, listener: String? = nil, route: String? = nil) {
            self.ingress = ingress
            self.gateway = gateway
            self.listener = listener
            self.route = route
        }
    }

    public struct Rule: Sendable {
        public let condition: Condition
        /// The client addresses admitted (an allow-list); nil: every client. Others get 403.
        public let clients: [CIDR]?
        public let outcome: Outcome
        /// Who decided, with file:line (`Gateway edge/gw listener https (f:3) -> HTTPRoute ...`).
        public let text: String
        public let evidence: RuleRef?
        public let origin: Origin
        public let rewrite: Rewrite?

        public init(
            condition: Condition, clients: [CIDR]? = nil, outcome: Outcome, text: String, evidence: RuleRef?,
            origin: Origin, rewrite: Rewrite? = nil
        ) {
            self.condition = condition
            self.clients = clients
            self.outcome = outcome
            self.text = text
            self.evidence = evidence
            self.origin = origin
            self.rewrite = rewrite
        }

        /// The outcome for a client address (nil: unknown client).
        public func outcome(client: IPAddress?) -> Outcome {
            guard let clients else { return outcome }
            guard let client else {
                return .unknown(
                    "\(text) admits only clients from \(clients.map(\.description).joined(separator: ", "))")
            }
            if clients.contains(where: { $0.contains(client) }) { return outcome }
            return .forbidden(clients)
        }

    }

    /// A request as a table sees it.
    public struct Request: Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var path: String
        public var method: String
        public var headers: [String: String]
        public var query: [String: String]
        public var client: IPAddress?

        public init(
            host: String, path: String, method: String = "GET", headers: [String: String] = [:],
            query: [String: String] = [:], client: IPAddress? = nil
        ) {
            self.host = host
            self.path = path
            self.method = method
            self.headers = headers
            self.query = query
            self.client = client
        }

        public var description: String {
            var text = "\(method) \(host)\(path)"
            let q = query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            if !q.isEmpty { text += "?" + q.joined(separator: "&") }
            for (k, v) in headers.sorted(by: { $0.key < $1.key }) { text += " [\(k): \(v)]" }
            if let client { text += " from \(client)" }
            return text
        }
    }

    /// `http:80`, `https:443`, `tls:443`, `tcp:5432`, `udp:53`: the scheme and port the entry point accepts.
    public let entry: String
    public let rules: [Rule]
    /// What a request no rule matches gets.
    public let fallback: Outcome

    /// Whether a regular expression is a literal string (no metacharacters).
    public static func isLiteral(_ pattern: String) -> Bool { !pattern.contains { "\\^$.|?*+()[]{}".contains($0) } }

    public init(entry: String, rules: [Rule], fallback: Outcome) {
        self.entry = entry
        self.rules = rules
        self.fallback = fallback
    }

    /// The rule that decides a request (nil: none, the fallback), and its outcome. A rule whose condition cannot be
    /// evaluated for the request decides it as unknown.
    public func decide(_ r: Request) -> (rule: Int?, outcome: Outcome) {
        for (i, rule) in rules.enumerated() {
            switch rule.condition.matches(r) {
            case nil:
                return (
                    i,
                    .unknown(
                        "\(rule.text): \(rule.condition.path) is a regular expression this version cannot evaluate (A-REGEX)"
                    )
                )
            case false?: continue
            case true?: return (i, rule.outcome(client: r.client))
            }
        }
        return (nil, fallback)
    }
}

extension RouteTable.Outcome {
    /// The backends an outcome reaches (none for the proxy's own answers), nil when undecided.
    public var reachedBackends: [RouteTable.Backend]? {
        switch self {
        case .backends(let b): return b
        case .noBackend: return []
        case .unknown: return nil
        }
    }

    /// The answer to a client an allow-list leaves out.
    static func forbidden(_ cidrs: [CIDR]) -> RouteTable.Outcome {
        .noBackend("403: \(cidrs.map(\.description).joined(separator: ", ")) only")
    }
}
