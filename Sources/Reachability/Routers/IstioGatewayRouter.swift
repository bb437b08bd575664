import KubeModel

/// An Istio ingress gateway (docs/SEMANTICS.md §7.10): the pods Gateways select, their servers by the gateway
/// Service's port (A-GATEWAY-PORT), and the VirtualServices bound to each server.
struct IstioGatewayRouter: EntryRouter {
    let mesh: MeshEvaluator
    let kind = EntryRouterKind.istioGateway
    var proxies: [Int] { mesh.gateways }

    func routes(proxy pi: Int, port: Int, request: HTTPRequest?, viaIngress: String?) -> [(
        HTTPRequest, GatewayRouting.Outcome
    )] {
        let w = mesh.evaluator.model.workloads[pi]
        let servers = EntryRouters.servicePorts(of: pi, podPort: port, evaluator: mesh.evaluator).flatMap {
            mesh.routing.servers(of: w, servicePort: $0)
        }
        if servers.isEmpty {
            return [
                (
                    request ?? HTTPRequest(),
                    .notRouted(
                        MeshStep(
                            "ROUTE", .deny,
                            "no Gateway server listens on the gateway's Service port for pod port \(port)"
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
