import KubeModel

/// The kinds of entry proxy reachproof follows.
public enum EntryRouterKind: String, Sendable {
    case istioGateway = "Istio gateway"
    case ingressNginx = "ingress-nginx"
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
    /// request, or, for fields left open, every host and path the routes tell apart. `viaIngress` (`ns/name`)
    /// keeps only routes that Ingress decides.
    func routes(proxy pi: Int, port: Int, request: HTTPRequest?, viaIngress: String?) -> [(
        HTTPRequest, GatewayRouting.Outcome
    )]
}

enum EntryRouters {
    /// Every router, in the order a pod running several proxies is routed by.
    static func all(mesh: MeshEvaluator) -> [any EntryRouter] {
        [IstioGatewayRouter(mesh: mesh), IngressNginxRouter(evaluator: mesh.evaluator)]
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
}
