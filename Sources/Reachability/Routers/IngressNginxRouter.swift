import Foundation
import KubeModel

/// The ingress-nginx controller (docs/SEMANTICS.md §6): which pods run it, and which Service a request for a host
/// and path is sent to. The upstream connection to the Service starts at the controller pod, not at the client, so
/// policies see the controller as the source.
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

    /// Whether a request path matches an Ingress path. Prefix matches element by element (`/foo` matches `/foo` and
    /// `/foo/bar`, not `/foobar`); ingress-nginx treats ImplementationSpecific as a plain prefix, and with `use-regex`
    /// (or `rewrite-target`) reads every path as a case-insensitive regular expression anchored at the start.
    /// nil when the path is a regular expression this version cannot evaluate.
    public static func matches(_ p: Ingress.Path, _ path: String, regex: Bool = false) -> Bool? {
        if regex {
            guard let re = try? NSRegularExpression(pattern: "^(?:" + p.path + ")", options: [.caseInsensitive]) else {
                return nil
            }
            return re.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
        }
        switch p.type {
        case .exact: return path == p.path
        case .implementationSpecific: return path.hasPrefix(p.path)
        case .prefix:
            let want = p.path.split(separator: "/")
            let have = path.split(separator: "/")
            return want.count <= have.count && zip(want, have).allSatisfy { $0 == $1 }
        }
    }

    static func hostMatches(_ ruleHost: String, _ host: String) -> Bool {
        if ruleHost.hasPrefix("*.") {
            let suffix = ruleHost.dropFirst(1)  // ".example.com"
            return host.hasSuffix(suffix) && !host.dropLast(suffix.count).contains(".") && host.count > suffix.count
        }
        return ruleHost == host
    }

    /// The backend ingress-nginx picks for a request: the rules of the exact host, else of a matching wildcard
    /// host, else the rules without a host (merged across the Ingresses); among their paths the longest match,
    /// Exact before Prefix on a tie; with no match, an Ingress default backend. A path of the chosen host that cannot be
    /// evaluated makes the decision unknown rather than a non-match.
    public static func route(_ ingresses: [Ingress], host: String?, path: String) -> Decision {
        typealias Candidate = (ingress: Ingress, rule: Ingress.Rule)
        let all: [Candidate] = ingresses.flatMap { i in i.rules.map { (i, $0) } }
        var server = all.filter { c in host != nil && c.rule.host == host }
        if server.isEmpty, let host {
            server = all.filter { c in c.rule.host.map { $0.hasPrefix("*.") && hostMatches($0, host) } ?? false }
        }
        if server.isEmpty { server = all.filter { $0.rule.host == nil } }
        var best: (Candidate, Ingress.Path)?
        for c in server {
            for p in c.rule.paths {
                guard let matched = matches(p, path, regex: c.ingress.regexPaths) else {
                    return .unknown(
                        "Ingress \(c.ingress.namespace)/\(c.ingress.name) (\(c.ingress.location)) path '\(p.path)' is a regular expression this version cannot evaluate (A-REGEX)"
                    )
                }
                guard matched else { continue }
                guard let (_, b) = best else {
                    best = (c, p)
                    continue
                }
                if p.path.count > b.path.count || (p.path.count == b.path.count && p.type == .exact && b.type != .exact)
                {
                    best = (c, p)
                }
            }
        }
        if let (c, p) = best {
            return .route(
                Route(
                    ingress: c.ingress, backend: p.backend,
                    match: "host \(c.rule.host ?? "*") path \(p.path) (\(p.type.rawValue))"))
        }
        if let i = ingresses.first(where: { $0.defaultBackend != nil }) {
            return .route(Route(ingress: i, backend: i.defaultBackend!, match: "default backend"))
        }
        return .none
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

    func routes(proxy pi: Int, port: Int, request: HTTPRequest?, viaIngress: String?) -> [(
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
        var hosts = Set(
            ingresses.flatMap { $0.rules.compactMap(\.host) }.map {
                $0.replacingOccurrences(of: "*", with: "reachproof")
            })
        hosts.insert("reachproof.invalid")
        let paths = Set(["/"] + ingresses.flatMap { $0.rules.flatMap { $0.paths.map(\.path) } })
        return EntryRouters.candidates(request, hosts: hosts.sorted(), paths: paths.sorted()).map { r in
            let route: Route
            switch Self.route(ingresses, host: r.host, path: r.path ?? "/") {
            case .unknown(let why): return (r, .unknown(MeshStep("ROUTE", .unknown, why)))
            case .none:
                return (
                    r,
                    .notRouted(
                        MeshStep(
                            "ROUTE", .deny,
                            "no Ingress rule matches host \(r.host ?? "(none)") path \(r.path ?? "/"): 404 from the controller\(unservedNote)"
                        ))
                )
            case .route(let found): route = found
            }
            let text =
                "Ingress \(route.ingress.namespace)/\(route.ingress.name) (\(route.ingress.location)): \(route.match)"
            if let wanted = viaIngress, wanted != "\(route.ingress.namespace)/\(route.ingress.name)" {
                return (r, .notRouted(MeshStep("ROUTE", .deny, "\(text) decides this request, not Ingress \(wanted)")))
            }
            guard let name = route.backend.service,
                let svc = model.services.first(where: { $0.namespace == route.ingress.namespace && $0.name == name }),
                let sp = route.backend.servicePort(of: svc)
            else {
                return (
                    r,
                    .notRouted(MeshStep("ROUTE", .deny, "\(text) names a backend that is no Service port of the input"))
                )
            }
            let evidence = RuleRef(
                kind: "Ingress", namespace: route.ingress.namespace, name: route.ingress.name, path: "spec",
                location: route.ingress.location)
            return (
                r,
                .routed(
                    [GatewayRouting.Target(service: svc, port: sp, subset: nil, request: r)],
                    MeshStep("ROUTE", .allow, text, evidence: evidence))
            )
        }
    }
}
