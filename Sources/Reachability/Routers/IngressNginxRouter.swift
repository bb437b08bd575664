import Foundation
import KubeModel

/// The ingress-nginx controller (docs/SEMANTICS.md §6): which pods run it, and where its HTTP and HTTPS ports send a
/// request, compiled into route tables (`RouteTable`). The upstream connection to the Service starts at the controller
/// pod, not at the client, so policies see the controller as the source.
public struct IngressNginxRouter: EntryRouter {
    public struct Route: Sendable {
        public let ingress: Ingress
        public let backend: Ingress.Backend
        /// How the request matched: `host H path /p (Prefix)` or `default backend`.
        public let match: String
    }

    /// Where the controller sends one request.
    public enum Decision: Sendable {
        case route(Route)
        /// No rule matches and no default backend: the controller answers 404 itself.
        case none
        /// A rule the request might match cannot be evaluated (the reason says which).
        case unknown(String)

        public var route: Route? { if case .route(let r) = self { return r } else { return nil } }
    }

    let evaluator: Evaluator
    public let kind = EntryRouterKind.ingressNginx
    public var proxies: [Int] { Self.controllers(evaluator.model) }

    public init(evaluator: Evaluator) { self.evaluator = evaluator }

    /// Annotations that change where a request goes or whether it gets there, and are not followed: a route table
    /// with one of them decides the requests it covers as unknown, naming it.
    static let unfollowedAnnotations = [
        "server-snippet", "configuration-snippet", "app-root", "default-backend", "canary-by-header",
        "canary-by-header-value", "canary-by-header-pattern", "canary-by-cookie", "denylist-source-range",
    ]

    /// Whether a request path matches an Ingress path (the table's path semantics, for one path).
    public static func matches(_ p: Ingress.Path, _ path: String, regex: Bool = false) -> Bool? {
        pathMatch(p, regex: regex).matches(path)
    }

    /// An Ingress path as ingress-nginx matches it. Prefix matches element by element (`/foo` matches `/foo` and
    /// `/foo/bar`, not `/foobar`); ImplementationSpecific is a plain prefix; with `use-regex` (or `rewrite-target`)
    /// on any Ingress of the host, every non-Exact path of the host is a case-insensitive regular expression searched
    /// from the start of the path (nginx `location ~*`), and a literal one is then a case-insensitive string prefix.
    static func pathMatch(_ p: Ingress.Path, regex: Bool) -> RouteTable.PathMatch {
        if regex && p.type != .exact {
            if RouteTable.isLiteral(p.path) { return .stringPrefix(p.path, caseInsensitive: true) }
            return .regex(p.path, caseInsensitive: true, anchoredStart: true)
        }
        switch p.type {
        case .exact: return .exact(p.path)
        case .implementationSpecific: return .stringPrefix(p.path, caseInsensitive: false)
        case .prefix: return .segmentPrefix(p.path)
        }
    }

    /// The backend ingress-nginx picks for a request on its HTTPS port (no redirects): the table's decision, with
    /// the Ingress rule it came from.
    public static func route(_ ingresses: [Ingress], host: String?, path: String) -> Decision {
        let (table, routes) = compile(ingresses, https: true)
        let (rule, outcome) = table.decide(RouteTable.Request(host: host ?? "", path: path))
        switch outcome {
        case .unknown(let why): return .unknown(why)
        case .backends, .noBackend:
            guard let rule, let route = routes[rule] else { return .none }
            return .route(route)
        }
    }

    /// The route tables of the controller's HTTP (80) and HTTPS (443) ports over the Ingresses it serves.
    public static func tables(_ model: ClusterModel) -> [RouteTable] {
        let ingresses = nginxIngresses(model)
        return [false, true].map { compile(ingresses, https: $0, services: model.services).0 }
    }

    /// One table, with the Ingress route behind each rule (nil for catch-alls). Servers are chosen by host: the
    /// exact host, else the wildcard host (one DNS label), else the rules without a host, merged across Ingresses;
    /// within a server the longest path wins, Exact before Prefix on a tie; a request of a server that no path
    /// matches goes to the Ingress default backend (or 404). On the HTTP port, a host with TLS redirects to HTTPS
    /// unless `ssl-redirect: "false"`, and `force-ssl-redirect` redirects every host. `whitelist-source-range` /
    /// `allowlist-source-range` admit only those clients (403 otherwise); `canary-weight` adds the canary
    /// Ingress's backend to the rule with the same host and path.
    static func compile(_ all: [Ingress], https: Bool, services: [Service]? = nil) -> (RouteTable, [Route?]) {
        let canaries = all.filter { $0.nginxAnnotations["canary"] == "true" }
        let ingresses = all.filter { $0.nginxAnnotations["canary"] != "true" }
        typealias Entry = (ingress: Ingress, host: String?, path: Ingress.Path, order: Int)
        var entries: [Entry] = []
        for i in ingresses {
            for r in i.rules { for p in r.paths { entries.append((i, r.host, p, entries.count)) } }
        }
        let tlsHosts = Set(all.flatMap(\.tlsHosts))
        let defaultBackend = ingresses.first { $0.defaultBackend != nil }
        let defaultRoute = defaultBackend.map {
            Route(ingress: $0, backend: $0.defaultBackend!, match: "default backend")
        }
        var rules: [RouteTable.Rule] = []
        var routes: [Route?] = []

        func outcome(_ ingress: Ingress, _ backend: Ingress.Backend, host: String?, path: Ingress.Path?)
            -> RouteTable.Outcome
        {
            let a = ingress.nginxAnnotations
            if let name = unfollowedAnnotations.first(where: { a[$0] != nil }) {
                return .unknown(
                    "Ingress \(ingress.namespace)/\(ingress.name) has nginx.ingress.kubernetes.io/\(name), which this version does not follow"
                )
            }
            if a["permanent-redirect"] != nil || a["temporal-redirect"] != nil {
                return .noBackend("redirect (permanent-redirect/temporal-redirect annotation)")
            }
            if !https {
                let tls = host.map(tlsHosts.contains) ?? false
                if a["force-ssl-redirect"] == "true" || (tls && a["ssl-redirect"] != "false") {
                    return .noBackend("308 redirect to HTTPS (ssl-redirect)")
                }
            }
            var backends: [RouteTable.Backend] = []
            if let b = resolve(ingress, backend) { backends.append(b) }
            if let path {
                for c in canaries {
                    for r in c.rules where r.host == host {
                        for p in r.paths where p.path == path.path {
                            if c.nginxAnnotations["canary-by-header"] != nil
                                || c.nginxAnnotations["canary-by-cookie"] != nil
                            {
                                return .unknown(
                                    "canary Ingress \(c.namespace)/\(c.name) splits by header or cookie, which this version does not follow"
                                )
                            }
                            if Int(c.nginxAnnotations["canary-weight"] ?? "0") ?? 0 > 0, let b = resolve(c, p.backend) {
                                backends.append(b)
                            }
                        }
                    }
                }
            }
            if backends.isEmpty {
                return .noBackend(
                    "503: Ingress \(ingress.namespace)/\(ingress.name) names a backend that is no Service port of the input"
                )
            }
            return .backends(Array(Set(backends)).sorted())
        }

        func resolve(_ ingress: Ingress, _ backend: Ingress.Backend) -> RouteTable.Backend? {
            guard let name = backend.service else { return nil }
            guard let services else {
                // Without the Services, name the port as written.
                if case .number(let n)? = backend.port {
                    return .init(service: "\(ingress.namespace)/\(name)", port: n)
                }
                return nil
            }
            guard let svc = services.first(where: { $0.namespace == ingress.namespace && $0.name == name }),
                let sp = backend.servicePort(of: svc)
            else { return nil }
            return .init(service: "\(svc.namespace)/\(svc.name)", port: sp.port)
        }

        func clients(_ ingress: Ingress) -> [CIDR]? {
            guard
                let list = ingress.nginxAnnotations["allowlist-source-range"]
                    ?? ingress.nginxAnnotations["whitelist-source-range"]
            else { return nil }
            return list.split(separator: ",").compactMap {
                try? CIDR.parse(addressOrCIDR: $0.trimmingCharacters(in: .whitespaces)).get()
            }
        }

        // Servers in the order a host picks them: exact hosts, wildcard hosts, then the rules without a host.
        let hosts = Set(entries.map(\.host))
        let exact = hosts.compactMap { $0 }.filter { !$0.hasPrefix("*.") }.sorted()
        let wildcard = hosts.compactMap { $0 }.filter { $0.hasPrefix("*.") }.sorted()
        let ordered: [String?] = exact + wildcard + (hosts.contains(nil) ? [nil] : [])
        for host in ordered {
            let hostMatch: [RouteTable.HostMatch]? = host.map { h in
                h.hasPrefix("*.") ? [.wildcard(suffix: String(h.dropFirst(2)), singleLabel: true)] : [.exact(h)]
            }
            let server = entries.filter { $0.host == host }
            // use-regex on one Ingress of a host applies to every path of the host.
            let regex = server.contains { $0.ingress.regexPaths }
            let sorted = server.sorted { a, b in
                if a.path.path.count != b.path.path.count { return a.path.path.count > b.path.path.count }
                if (a.path.type == .exact) != (b.path.type == .exact) { return a.path.type == .exact }
                return a.order < b.order
            }
            for e in sorted {
                let match = "host \(host ?? "*") path \(e.path.path) (\(e.path.type.rawValue))"
                rules.append(
                    RouteTable.Rule(
                        condition: .init(hosts: hostMatch, path: pathMatch(e.path, regex: regex)),
                        clients: clients(e.ingress),
                        outcome: outcome(e.ingress, e.path.backend, host: host, path: e.path),
                        text: "Ingress \(e.ingress.namespace)/\(e.ingress.name) (\(e.ingress.location)): \(match)",
                        evidence: RuleRef(
                            kind: "Ingress", namespace: e.ingress.namespace, name: e.ingress.name, path: "spec",
                            location: e.ingress.location),
                        origin: .init(ingress: "\(e.ingress.namespace)/\(e.ingress.name)")))
                routes.append(Route(ingress: e.ingress, backend: e.path.backend, match: match))
            }
            // A server's requests that no path matches never reach another server.
            if host != nil {
                rules.append(catchAll(hostMatch))
                routes.append(defaultRoute)
            }
        }

        func catchAll(_ hostMatch: [RouteTable.HostMatch]?) -> RouteTable.Rule {
            guard let i = defaultBackend else {
                return RouteTable.Rule(
                    condition: .init(hosts: hostMatch), outcome: .noBackend("404 from the controller"),
                    text: "no Ingress path matches: 404 from the controller", evidence: nil, origin: .init())
            }
            return RouteTable.Rule(
                condition: .init(hosts: hostMatch), clients: clients(i),
                outcome: outcome(i, i.defaultBackend!, host: nil, path: nil),
                text: "Ingress \(i.namespace)/\(i.name) (\(i.location)): default backend",
                evidence: RuleRef(
                    kind: "Ingress", namespace: i.namespace, name: i.name, path: "spec.defaultBackend",
                    location: i.location),
                origin: .init(ingress: "\(i.namespace)/\(i.name)"))
        }
        rules.append(catchAll(nil))
        routes.append(defaultRoute)
        let table = RouteTable(
            entry: https ? "https:443" : "http:80", rules: rules, fallback: .noBackend("404 from the controller"))
        return (table, routes)
    }

    /// The Ingresses an ingress-nginx controller serves: those of a class whose controller is ingress-nginx, and
    /// those without a class when such a class is the default (or when no IngressClass is declared at all).
    public static func nginxIngresses(_ model: ClusterModel) -> [Ingress] {
        let nginx = model.ingressClasses.filter { $0.controller == "k8s.io/ingress-nginx" }
        let names = Set(nginx.map(\.name))
        let takesUnclassed = nginx.contains(where: \.isDefault) || model.ingressClasses.isEmpty
        return model.ingresses.filter { i in
            i.className.map { names.contains($0) || (model.ingressClasses.isEmpty && $0 == "nginx") } ?? takesUnclassed
        }
    }

    /// Workloads that run the ingress-nginx controller, by the chart's labels.
    public static func controllers(_ model: ClusterModel) -> [Int] {
        model.workloads.indices.filter {
            let l = model.workloads[$0].labels
            return l["app.kubernetes.io/name"] == "ingress-nginx"
                && (l["app.kubernetes.io/component"] ?? "controller") == "controller"
        }
    }

    func routes(proxy pi: Int, port: Int, request: HTTPRequest?, via: RouteVia?) -> [(
        HTTPRequest, GatewayRouting.Outcome
    )] {
        let model = evaluator.model
        let ingresses = Self.nginxIngresses(model)
        let unserved = model.ingresses.filter { i in
            !ingresses.contains { $0.namespace == i.namespace && $0.name == i.name }
        }
        let unservedNote =
            unserved.isEmpty
            ? ""
            : " (not served: \(unserved.map { "\($0.namespace)/\($0.name)" }.joined(separator: ", ")), whose class no IngressClass of the input links to ingress-nginx, A-INGRESS-CLASS)"
        // The controller's TLS port takes the HTTPS table; every other port the plain HTTP one.
        let (table, _) = Self.compile(ingresses, https: port == 443 || port == 8443, services: model.services)
        return EntryRouters.outcomes(
            of: table, request: request, via: via, model: model,
            notRouted: { r in
                "no Ingress rule matches host \(r.host) path \(r.path): 404 from the controller\(unservedNote)"
            })
    }
}
