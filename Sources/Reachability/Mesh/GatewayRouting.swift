import Foundation
import KubeModel

/// Where an Istio gateway sends a request (docs/SEMANTICS.md §7.10): the Gateway servers on the port it arrived at, the
/// VirtualServices bound to them, their routes in order, and the destination Service, port and subset.
struct GatewayRouting {
    let model: ClusterModel

    struct Target: Hashable {
        let service: Service
        let port: ServicePort
        /// The DestinationRule subset routed to: its labels narrow the Service's pods, its traffic policy the TLS.
        let subset: DestinationRule.Subset?
        var subsetLabels: [String: String] { subset?.labels ?? [:] }
        /// The request as the proxy forwards it (after a `rewrite`).
        let request: HTTPRequest
    }

    enum Outcome {
        case routed([Target], MeshStep)
        case notRouted(MeshStep)
        case unknown(MeshStep)
    }

    /// The Gateway servers a gateway pod listens with on one of its own ports. A server's `port.number` names a port
    /// of the gateway's Services when one has it, and the pod then listens on that port's target; otherwise the pod
    /// listens on the number itself (A-GATEWAY-PORT; istiod's `resolvePorts` for selector-bound Gateways, which
    /// takes the first Service port that matches).
    func servers(of pod: PodEndpoint, workload w: Workload, podPort: Int) -> [(IstioGateway, IstioGateway.Server)] {
        let servicePorts = model.services.filter { $0.selects(w) }.flatMap(\.ports).filter { $0.proto == .tcp }
        func listens(_ server: IstioGateway.Server) -> Int? {
            guard let sp = servicePorts.first(where: { $0.port == server.port }) else { return server.port }
            return pod.resolve(sp.targetPort, proto: .tcp)
        }
        return model.istioGateways.filter { g in
            !g.selector.isEmpty && g.selector.allSatisfy { w.labels[$0.key] == $0.value }
        }
        .flatMap { g in g.servers.filter { listens($0) == podPort }.map { (g, $0) } }
    }

    /// A server host `[ns/]dnsName` admits a VirtualService of namespace `ns` for host `host`.
    private func serverHost(_ entry: String, gateway: IstioGateway, admits vs: VirtualService) -> [String] {
        let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
        let (ns, host) = parts.count == 2 ? (parts[0], parts[1]) : ("*", entry)
        guard ns == "*" || (ns == "." && vs.namespace == gateway.namespace) || ns == vs.namespace else { return [] }
        return [host]
    }

    private func binds(_ vs: VirtualService, _ g: IstioGateway) -> Bool {
        vs.gateways.contains { $0 == "\(g.namespace)/\(g.name)" || ($0 == g.name && vs.namespace == g.namespace) }
    }

    func route(_ g: IstioGateway, _ server: IstioGateway.Server, request: HTTPRequest) -> Outcome {
        let host = request.host ?? ""
        let serverText = ref("Gateway", g.namespace, g.name, server.path, g.location)
        if let mode = server.tlsMode, ["AUTO_PASSTHROUGH", "ISTIO_MUTUAL"].contains(mode) {
            return .unknown(
                MeshStep("ROUTE", .unknown, "\(serverText) has tls mode \(mode), which this version does not follow"))
        }
        let bound = model.virtualServices.filter { vs in
            binds(vs, g)
                && vs.hosts.contains { h in
                    dnsHostMatches(h, host)
                        && server.hosts.contains {
                            serverHost($0, gateway: g, admits: vs).contains { dnsHostMatches($0, host) }
                        }
                }
        }
        if bound.isEmpty {
            return .notRouted(MeshStep("ROUTE", .deny, "no VirtualService bound to \(serverText) serves host \(host)"))
        }
        let terminated =
            ["HTTP", "HTTP2", "GRPC"].contains(server.proto)
            || (server.proto == "HTTPS" && server.tlsMode != "PASSTHROUGH")
        let kind: RouteKind = terminated ? .http : (server.tlsMode == "PASSTHROUGH" ? .tls : .tcp)
        switch firstRoute(
            bound, kind: kind, gatewayName: "\(g.namespace)/\(g.name)", port: server.port, request: request)
        {
        case .routed(let targets, let step):
            return .routed(
                targets, MeshStep("ROUTE", .allow, "\(serverText) -> \(step.detail)", evidence: step.evidence))
        case .notRouted(let step) where step.detail.isEmpty:
            return .notRouted(
                MeshStep(
                    "ROUTE", .deny,
                    terminated
                        ? "no route of the bound VirtualServices matches \(request): 404 from the gateway"
                        : "no route of the bound VirtualServices matches: connection closed"))
        case let other:
            return other
        }
    }

    /// Where a sidecar sends a request for a Service host that mesh-bound VirtualServices route (§7.10, `mesh`), or nil
    /// when none does (the Service itself is the destination).
    func meshRoute(_ svc: Service, port: Int, request: HTTPRequest, http: Bool) -> Outcome? {
        // Gateway API routes whose parent is the Service (GAMMA) steer the mesh's requests for it.
        if let r = model.gatewayRoutes.first(where: { r in
            r.parentRefs.contains {
                $0.group.isEmpty && $0.kind == "Service" && $0.id == "\(svc.namespace)/\(svc.name)"
            }
        }) {
            return .unknown(
                MeshStep(
                    "ROUTE", .unknown,
                    "\(r.kind.rawValue) \(r.id) (\(r.location)) routes the mesh's requests for Service \(svc.namespace)/\(svc.name) (GAMMA), which this version does not follow"
                ))
        }
        let bound = meshBound(svc)
        if bound.isEmpty { return nil }
        switch firstRoute(bound, kind: http ? .http : .tcp, gatewayName: "mesh", port: port, request: request) {
        case .notRouted(let step) where step.detail.isEmpty:
            return .notRouted(
                MeshStep(
                    "ROUTE", .deny,
                    "no route of the VirtualServices for \(svc.meshHost) matches \(http ? "\(request): 404 from the client's sidecar" : "the connection")"
                ))
        case let other:
            return other
        }
    }

    /// The VirtualServices that route sidecars' requests for a Service host (bound to `mesh`), in order.
    func meshBound(_ svc: Service) -> [VirtualService] {
        model.virtualServices.filter { vs in
            (vs.gateways.isEmpty || vs.gateways.contains("mesh"))
                && vs.hosts.contains { dnsHostMatches(qualifiedHost($0, namespace: vs.namespace), svc.meshHost) }
        }
    }

    /// Paths the mesh-bound routes of a Service host tell apart, to try when a question leaves the path open.
    func meshPaths(_ svc: Service) -> [String] {
        var paths = Set(["/"])
        for vs in meshBound(svc) {
            for route in vs.http {
                for m in route.matches {
                    switch m.uri {
                    case .exact(let p)?, .prefix(let p)?: paths.insert(p)
                    default: break
                    }
                }
            }
        }
        return paths.sorted()
    }

    enum RouteKind { case http, tcp, tls }

    /// The first matching route of the VirtualServices, in order, resolved to its destinations. A `.notRouted` with an
    /// empty detail means no route matched (callers word that themselves).
    func firstRoute(_ bound: [VirtualService], kind: RouteKind, gatewayName: String, port: Int, request: HTTPRequest)
        -> Outcome
    {
        for vs in bound {
            let routes = kind == .http ? vs.http : kind == .tls ? vs.tls : vs.tcp
            for route in routes {
                let routeText = ref("VirtualService", vs.namespace, vs.name, route.path, vs.location)
                let routeRef = ruleRef("VirtualService", vs.namespace, vs.name, route.path, vs.location)
                switch routeMatches(
                    route, vs: vs, gatewayName: gatewayName, serverPort: port, request: request, http: kind == .http)
                {
                case .no: continue
                case .unknown(let why): return .unknown(MeshStep("ROUTE", .unknown, "\(routeText): \(why)"))
                case .yes:
                    if let partial = route.partialFault {
                        return .unknown(MeshStep("ROUTE", .unknown, "\(routeText) \(partial)"))
                    }
                    if let answered = route.answeredByProxy {
                        return .notRouted(
                            MeshStep("ROUTE", .deny, "\(routeText) answers with \(answered); nothing is forwarded"))
                    }
                    var targets: [Target] = []
                    for d in route.destinations {
                        let fqdn = qualifiedHost(d.host, namespace: vs.namespace)
                        guard let svc = model.services.first(where: { $0.meshHost == fqdn }) else {
                            return .unknown(
                                MeshStep(
                                    "ROUTE", .unknown,
                                    "\(routeText) sends to \(d.host), which is no Service of the input"))
                        }
                        guard
                            let sp = d.port.flatMap({ n in svc.ports.first { $0.port == n } })
                                ?? (svc.ports.count == 1 ? svc.ports[0] : svc.ports.first { $0.port == port })
                        else {
                            return .unknown(
                                MeshStep(
                                    "ROUTE", .unknown,
                                    "\(routeText) names no port of Service \(svc.namespace)/\(svc.name) it can use"))
                        }
                        var subset: DestinationRule.Subset?
                        if let name = d.subset {
                            guard let s = ClientTLSStage.subset(name, of: svc, model: model) else {
                                return .unknown(
                                    MeshStep(
                                        "ROUTE", .unknown,
                                        "\(routeText) names subset \(name), which no DestinationRule defines"))
                            }
                            subset = s
                        }
                        targets.append(
                            Target(service: svc, port: sp, subset: subset, request: rewritten(request, route)))
                    }
                    return .routed(targets, MeshStep("ROUTE", .allow, routeText, evidence: routeRef))
                }
            }
        }
        return .notRouted(MeshStep("ROUTE", .deny, ""))
    }

    func routeMatches(
        _ route: VirtualService.Route, vs: VirtualService, gatewayName: String, serverPort: Int, request: HTTPRequest,
        http: Bool
    ) -> Tri {
        if route.matches.isEmpty { return .yes }
        return .any(
            route.matches.map { m in
                if let gws = m.gateways,
                    !gws.contains(where: { $0 == gatewayName || ("\(vs.namespace)/\($0)" == gatewayName) })
                {
                    return .no
                }
                if let p = m.port, p != serverPort { return .no }
                if let sni = m.sniHosts, !sni.contains(where: { dnsHostMatches($0, request.host ?? "") }) { return .no }
                var parts: [Tri] = []
                if http {
                    if let u = m.uri { parts.append(stringMatch(u, request.path)) }
                    if let meth = m.method { parts.append(stringMatch(meth, request.method)) }
                    if let a = m.authority { parts.append(stringMatch(a, request.host)) }
                }
                if !m.undecidable.isEmpty {
                    parts.append(
                        .unknown(
                            "match on \(m.undecidable.joined(separator: ", ")), which a request given by host, method and path does not settle"
                        ))
                }
                return .all(parts)
            })
    }

    /// Exact, prefix, and the regular expressions that are a literal or a literal followed by `.*` (A-REGEX).
    func stringMatch(_ m: VirtualService.StringMatch, _ value: String?) -> Tri {
        guard let value else { return .no }
        switch m {
        case .exact(let s): return .init(value == s)
        case .prefix(let s): return .init(value.hasPrefix(s))
        case .regex(let r):
            let special = Set("\\^$.|?*+()[]{}")
            if !r.contains(where: { special.contains($0) }) { return .init(value == r) }
            if r.hasSuffix(".*"), !r.dropLast(2).contains(where: { special.contains($0) }) {
                return .init(value.hasPrefix(r.dropLast(2)))
            }
            return .unknown("regular expression '\(r)' is not supported (A-REGEX)")
        }
    }

    private func rewritten(_ request: HTTPRequest, _ route: VirtualService.Route) -> HTTPRequest {
        guard let replacement = route.rewriteURI, let path = request.path else { return request }
        var out = request
        let prefix = route.matches.compactMap { m -> String? in
            if case .prefix(let p)? = m.uri, path.hasPrefix(p) { return p } else { return nil }
        }.first
        out.path = prefix.map { replacement + path.dropFirst($0.count) } ?? replacement
        return out
    }

    /// Candidate hosts and paths the routes of a gateway server distinguish, to find requests when a query leaves them
    /// open.
    func witnessValues(_ g: IstioGateway, _ server: IstioGateway.Server) -> (hosts: [String], paths: [String]) {
        var hosts = Set<String>()
        var paths = Set<String>(["/"])
        for vs in model.virtualServices where binds(vs, g) {
            for h in vs.hosts + server.hosts.map({ String($0.split(separator: "/").last ?? "") }) {
                hosts.insert(h.replacingOccurrences(of: "*", with: "reachproof.example"))
            }
            for route in vs.http {
                for m in route.matches {
                    switch m.uri {
                    case .exact(let s)?, .prefix(let s)?: paths.insert(s)
                    default: break
                    }
                }
            }
        }
        return (hosts.sorted(), paths.sorted())
    }
}
