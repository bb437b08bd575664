import KubeModel

/// An Istio ingress gateway (docs/SEMANTICS.md §7.10): the pods Gateways select, their servers by the gateway
/// Service's port (A-GATEWAY-PORT), and the VirtualServices bound to each server.
struct IstioGatewayRouter: EntryRouter {
    let mesh: MeshEvaluator
    let kind = EntryRouterKind.istioGateway
    var proxies: [Int] { mesh.gateways }

    func routes(proxy pi: Int, port: Int, request: HTTPRequest?, via: RouteVia?) -> [(
        HTTPRequest, GatewayRouting.Outcome
    )] {
        let servers = mesh.routing.servers(
            of: mesh.evaluator.endpoints[pi], workload: mesh.evaluator.model.workloads[pi], podPort: port)
        if servers.isEmpty {
            return [
                (
                    request ?? HTTPRequest(),
                    .notRouted(
                        MeshStep(
                            "ROUTE", .deny,
                            "no Gateway server listens on pod port \(port) (A-GATEWAY-PORT)"
                        ))
                )
            ]
        }
        return servers.flatMap { g, server in
            let (hosts, paths) = mesh.routing.witnessValues(g, server)
            return EntryRouters.candidates(request, hosts: hosts, paths: paths).map {
                ($0, mesh.routing.route(g, server, request: $0))
            }
        }
    }
}
