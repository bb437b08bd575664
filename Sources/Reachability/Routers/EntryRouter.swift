import KubeModel

/// The kinds of entry proxy reachproof follows.
public enum EntryRouterKind: String, Sendable {
    case istioGateway = "Istio gateway"
    case ingressNginx = "ingress-nginx"
    case gatewayAPI = "Gateway API"
}

/// A route a question pins (a claim's `via`): only paths through it count.
public enum RouteVia: Hashable, Sendable, CustomStringConvertible {
    /// Routes through ingress-nginx that this Ingress (`ns/name`) decides.
    case ingress(String)
    /// Routes through this Gateway API Gateway (`ns/name`), through one listener when named.
    case gateway(String, listener: String?)
    /// Routes that this Gateway API route (`ns/name`, any route kind) decides.
    case route(String)

    /// `ingress:NS/NAME`, `gateway:NS/NAME[:LISTENER]` or `route:NS/NAME` (the `--via` option).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts[1].split(separator: "/").count == 2 else { return nil }
        switch (parts[0], parts.count) {
        case ("ingress", 2): self = .ingress(parts[1])
        case ("gateway", 2): self = .gateway(parts[1], listener: nil)
        case ("gateway", 3) where !parts[2].isEmpty: self = .gateway(parts[1], listener: parts[2])
        case ("route", 2): self = .route(parts[1])
        default: return nil
        }
    }

    /// Why the object this names is not in the model, or nil.
    public func problem(in model: ClusterModel) -> (field: String, message: String)? {
        switch self {
        case .ingress(let id) where !model.ingresses.contains(where: { "\($0.namespace)/\($0.name)" == id }):
            return ("ingress", "no Ingress '\(id)' in the manifests")
        case .gateway(let id, let listener):
            guard let g = model.gateways.first(where: { $0.id == id }) else {
                return ("gateway", "no Gateway API Gateway '\(id)' in the manifests")
            }
            if let listener, !g.listeners.contains(where: { $0.name == listener }) {
                return ("listener", "Gateway '\(id)' has no listener '\(listener)'")
            }
            return nil
        case .route(let id) where !model.gatewayRoutes.contains(where: { $0.id == id }):
            return ("route", "no Gateway API route '\(id)' in the manifests")
        default: return nil
        }
    }

    var routerKind: EntryRouterKind {
        if case .ingress = self { return .ingressNginx }
        return .gatewayAPI
    }

    /// Whether a rule of this origin is one the question pins.
    func admits(_ origin: RouteTable.Origin) -> Bool {
        switch self {
        case .ingress(let id): return origin.ingress == id
        case .gateway(let id, let listener):
            return origin.gateway == id && (listener == nil || origin.listener == listener)
        case .route(let id): return origin.route == id
        }
    }

    public var description: String {
        switch self {
        case .ingress(let id): return "Ingress \(id)"
        case .gateway(let id, let listener?): return "Gateway \(id) listener \(listener)"
        case .gateway(let id, nil): return "Gateway \(id)"
        case .route(let id): return "route \(id)"
        }
    }
}

/// A proxy that terminates a client's connection and opens its own towards a backend: which pods run it, and where
/// it sends each request. One file per proxy kind, listed in `EntryRouters.all`. A router never answers "no
/// route" for something it cannot evaluate (an unsupported regular expression, an unknown annotation): that is an
/// `.unknown` outcome with the reason.
protocol EntryRouter {
    var kind: EntryRouterKind { get }
    /// Workloads (indices into the model's workloads) that run this proxy.
    var proxies: [Int] { get }
    /// The routing outcome of each request worth trying at proxy `pi` arriving on pod port `port`: the given
    /// request, or, for fields left open, one request per rule it could reach. `via` keeps only the routes it pins.
    func routes(proxy pi: Int, port: Int, request: HTTPRequest?, via: RouteVia?) -> [(
        HTTPRequest, GatewayRouting.Outcome
    )]
    /// Pod ports a proxy listens on that no Service in the input publishes (listeners of a deployed gateway).
    func listenPorts(proxy pi: Int) -> [Int]
    /// Why paths to this workload through a proxy of this kind cannot be decided (the proxy's pods are not in the
    /// input), or nil.
    func undecided(towards ti: Int) -> String?
}

extension EntryRouter {
    func listenPorts(proxy pi: Int) -> [Int] { [] }
    func undecided(towards ti: Int) -> String? { nil }
}

enum EntryRouters {
    /// Every router, in the order a pod running several proxies is routed by.
    static func all(mesh: MeshEvaluator) -> [any EntryRouter] {
        [IstioGatewayRouter(mesh: mesh), IngressNginxRouter(evaluator: mesh.evaluator), GatewayAPIRouter(mesh: mesh)]
    }

    /// The requests to try: the given one, or one per host and path for the fields it leaves open.
    static func candidates(_ request: HTTPRequest?, hosts: [String], paths: [String]) -> [HTTPRequest] {
        var out: [HTTPRequest] = []
        for h in request?.host.map({ [$0] }) ?? hosts {
            for p in request?.path.map({ [$0] }) ?? paths {
                out.append(HTTPRequest(method: request?.method, path: p, host: h))
            }
        }
        return out
    }

    /// The outcome of each witness request of a route table (`RouteTable.witnesses`), as the end-to-end stage
    /// follows it: the Service ports a request is sent to (mirrors included: they get a connection too), or why
    /// none is reached. `notRouted` words the table's fallback.
    static func outcomes(
        of table: RouteTable, request: HTTPRequest?, via: RouteVia?, model: ClusterModel,
        notRouted: (RouteTable.Request) -> String
    ) -> [(HTTPRequest, GatewayRouting.Outcome)] {
        table.witnesses(given: request ?? HTTPRequest()).map { witness in
            // The client is the path's own source; an allow-list on the way makes the answer unknown.
            var w = witness
            w.client = nil
            let asked = HTTPRequest(method: request?.method ?? w.method, path: w.path, host: w.host)
            let (index, outcome) = table.decide(w)
            let notRoutedHere = (asked, GatewayRouting.Outcome.notRouted(MeshStep("ROUTE", .deny, notRouted(w))))
            guard let index else { return notRoutedHere }
            let rule = table.rules[index]
            // A catch-all of no object (the controller's own 404) is worded by the router.
            if rule.evidence == nil, case .noBackend = outcome { return notRoutedHere }
            if let via, !via.admits(rule.origin) {
                return (asked, .notRouted(MeshStep("ROUTE", .deny, "\(rule.text) decides this request, not \(via)")))
            }
            switch outcome {
            case .unknown(let why): return (asked, .unknown(MeshStep("ROUTE", .unknown, why, evidence: rule.evidence)))
            case .noBackend(let why):
                return (asked, .notRouted(MeshStep("ROUTE", .deny, "\(rule.text): \(why)", evidence: rule.evidence)))
            case .backends(let backends):
                let forwarded = rule.rewrite.map { rewritten(asked, $0, match: rule.condition.path) } ?? asked
                let targets = backends.compactMap { b -> GatewayRouting.Target? in
                    let parts = b.service.split(separator: "/").map(String.init)
                    guard let svc = model.services.first(where: { $0.namespace == parts[0] && $0.name == parts[1] }),
                        let sp = svc.ports.first(where: { $0.port == b.port })
                    else { return nil }
                    return GatewayRouting.Target(service: svc, port: sp, subset: nil, request: forwarded)
                }
                let text = "\(rule.text) -> \(backends.map(\.description).joined(separator: ", "))"
                return (asked, .routed(targets, MeshStep("ROUTE", .allow, text, evidence: rule.evidence)))
            }
        }
    }

    /// The request a backend receives after a URL rewrite.
    static func rewritten(_ r: HTTPRequest, _ rewrite: RouteTable.Rewrite, match: RouteTable.PathMatch)
        -> HTTPRequest
    {
        var out = r
        if let host = rewrite.host { out.host = host }
        if let full = rewrite.fullPath {
            out.path = full
        } else if let prefix = rewrite.prefix, case .segmentPrefix(let matched) = match, let path = r.path {
            let base = matched.hasSuffix("/") ? String(matched.dropLast()) : matched
            let rest = String(path.dropFirst(base.count))
            let joined = prefix.hasSuffix("/") && rest.hasPrefix("/") ? prefix + rest.dropFirst() : prefix + rest
            out.path = joined.isEmpty ? "/" : joined
        }
        return out
    }
}
