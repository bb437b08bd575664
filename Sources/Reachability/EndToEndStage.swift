import Foundation
import KubeModel

/// One hop of a path: a connection into a pod, with the NetworkPolicy sides and the mesh stages that decided it.
public struct PathHop: Sendable {
    public let source: Endpoint
    public let destination: Int
    /// `ns/name` of the destination workload.
    public let destinationName: String
    public let port: Int
    public let network: FlowExplanation
    public let mesh: MeshDecision

    public var verdict: FlowVerdict { network.allowed || mesh.verdict == .unknown ? mesh.verdict : .denied }
}

/// A route from a client to a pod: directly, or through one proxy (an Istio gateway or the ingress-nginx
/// controller) that terminates the client's connection and opens its own (docs/SEMANTICS.md §8.3).
public struct PathAnswer: Sendable {
    public let verdict: FlowVerdict
    public let hops: [PathHop]
    /// The proxy's routing decision, between the hops.
    public let route: MeshStep?
    public let request: HTTPRequest?

    /// A path of one hop.
    public init(_ hop: PathHop) {
        self.init(verdict: hop.verdict, hops: [hop], route: nil, request: hop.mesh.request)
    }

    init(verdict: FlowVerdict, hops: [PathHop], route: MeshStep?, request: HTTPRequest?) {
        self.verdict = verdict
        self.hops = hops
        self.route = route
        self.request = request
    }

    /// How far along the path the answer got (hops, and the routing decision between them).
    var depth: Int { hops.count + (route == nil ? 0 : 1) }

    /// Of two answers that do not deliver, the one worth reporting: an undecided one, else the one that got further,
    /// else one whose routing a rule decided.
    func moreTelling(than other: PathAnswer) -> Bool {
        if verdict != other.verdict { return verdict == .unknown && other.verdict == .denied }
        if depth != other.depth { return depth > other.depth }
        return route?.evidence != nil && other.route?.evidence == nil
    }

    public var reason: String? {
        if let route, route.effect == .unknown { return route.detail }
        return hops.first { $0.verdict == .unknown }?.mesh.reason
    }
}

/// Reach through proxies: for a request at a proxy, where it is routed and whether it gets there; for a pod,
/// whether any route (direct or through a proxy) delivers the connection.
public struct EndToEndStage {
    public let mesh: MeshEvaluator
    var evaluator: Evaluator { mesh.evaluator }
    var model: ClusterModel { evaluator.model }

    public init(mesh: MeshEvaluator) { self.mesh = mesh }

    /// The NetworkPolicy and mesh stages of one hop at one port.
    public func hop(
        from s: Endpoint, to di: Int, port: Int, request: HTTPRequest?, via: (Service, ServicePort)? = nil,
        subset: DestinationRule.Subset? = nil, newPodSidecar: Bool? = nil
    ) -> PathHop {
        let d = Endpoint.pod(evaluator.endpoints[di])
        let network = evaluator.explain(from: s, to: d, proto: .tcp, port: port)
        let decision =
            network.allowed
            ? mesh.decide(
                from: s, to: di, port: port, request: request, via: via, subset: subset, newPodSidecar: newPodSidecar)
            : MeshDecision(verdict: .denied, steps: [], addressing: "", request: request, mutualTLS: false)
        return PathHop(
            source: s, destination: di, destinationName: model.workloads[di].id, port: port, network: network,
            mesh: decision)
    }

    /// Hop 1 into a proxy. An external client enters through the proxy's NodePort or LoadBalancer Service; with
    /// externalTrafficPolicy Cluster the node rewrites its source to a node address (§5.4), which is what the proxy
    /// pod's NetworkPolicies see: decided over `--cluster`'s node CIDR, or UNKNOWN when an ipBlock makes it matter.
    public func entryHop(from s: Endpoint, to pi: Int, port: Int, request: HTTPRequest?) -> PathHop {
        let direct = hop(from: s, to: pi, port: port, request: request)
        guard case .external = s else { return direct }
        let w = model.workloads[pi]
        let published = model.services.filter { svc in
            ["NodePort", "LoadBalancer"].contains(svc.type) && svc.selects(w)
                && svc.ports.contains { evaluator.endpoints[pi].resolve($0.targetPort, proto: $0.proto) == port }
        }
        guard let svc = published.first, svc.externalTrafficPolicy != "Local" else { return direct }
        let nodeSources: [Endpoint]
        if !evaluator.assumptions.nodeCIDRs.isEmpty {
            nodeSources = evaluator.assumptions.nodeCIDRs.flatMap { evaluator.externalSegments(of: $0) }.map {
                .external($0)
            }
        } else {
            // Unknown node addresses matter only if the proxy's policies look at addresses.
            let addressBlind = evaluator.externalRanges.allSatisfy {
                evaluator.explain(from: .external($0), to: .pod(evaluator.endpoints[pi]), proto: .tcp, port: port)
                    .allowed == direct.network.allowed
            }
            if addressBlind { return direct }
            return undecided("describe the node CIDR with --cluster (A-NODE-IPS)")
        }
        let hops = nodeSources.map { hop(from: $0, to: pi, port: port, request: request) }
        guard let first = hops.first, hops.allSatisfy({ $0.verdict == first.verdict }) else {
            return undecided(
                "the node CIDR holds addresses its policies treat differently, and which node forwards is not known")
        }
        // Cilium gives such traffic the world identity or a node's, by its routing mode (its policy caveats page).
        if !model.ciliumPolicies.isEmpty && first.verdict != direct.verdict {
            return undecided(
                "under Cilium the entry carries the client's world identity or a node's, depending on its routing mode, and its policies treat the two differently"
            )
        }
        return first

        func undecided(_ why: String) -> PathHop {
            let step = MeshStep(
                "SERVICE-DNAT", .unknown,
                "Service \(svc.namespace)/\(svc.name) has externalTrafficPolicy Cluster: the proxy sees a node address and its policies decide by address; \(why)"
            )
            return PathHop(
                source: s, destination: pi, destinationName: w.id, port: port, network: direct.network,
                mesh: MeshDecision(verdict: .unknown, steps: [step], addressing: "", request: request, mutualTLS: false)
            )
        }
    }

    /// The entry proxies of the input, one router per proxy kind (`EntryRouters`).
    var routers: [any EntryRouter] { EntryRouters.all(mesh: mesh) }

    /// Workloads that route requests onward, of every router.
    public var proxies: [Int] { Array(Set(routers.flatMap(\.proxies))).sorted() }

    /// The routing outcome of each request worth trying at proxy `pi` on `port`, by the router that runs it.
    func routes(proxy pi: Int, port: Int, request: HTTPRequest?, via: RouteVia? = nil) -> [(
        HTTPRequest, GatewayRouting.Outcome
    )] {
        let kinds = routers.filter { $0.proxies.contains(pi) && (via == nil || $0.kind == via!.routerKind) }
        return kinds.flatMap { $0.routes(proxy: pi, port: port, request: request, via: via) }
    }

    /// Ports a proxy accepts client connections on: the target ports of the Services that publish it, and the
    /// listener ports its router knows that no Service publishes.
    func entryPorts(_ pi: Int) -> [Int] {
        let e = evaluator.endpoints[pi]
        let published = model.services.filter { $0.selects(model.workloads[pi]) }.flatMap { svc in
            svc.ports.filter { $0.proto == .tcp }.compactMap { e.resolve($0.targetPort, proto: .tcp) }
        }
        return Set(published + routers.flatMap { $0.listenPorts(proxy: pi) }).sorted()
    }

    /// Whether any route delivers a connection from `s` to a pod's port: directly, or through a proxy whose
    /// routing sends the request there. A proxy as the destination means the request goes through it.
    /// `via` keeps only routes through the proxy, route or Ingress it pins.
    public func reach(
        from s: Endpoint, to ti: Int, port: Int, request: HTTPRequest?, entry: Entry? = nil, via: RouteVia? = nil
    ) -> PathAnswer {
        if let entry { return reach(from: s, to: ti, port: port, request: request, through: entry) }
        let candidates =
            via == nil ? proxies : Array(Set(routers.filter { $0.kind == via!.routerKind }.flatMap(\.proxies))).sorted()
        if candidates.contains(ti) {
            return through(from: s, proxy: ti, port: port, request: request, target: nil, via: via)
        }
        let direct = hop(from: s, to: ti, port: port, request: request)
        var best = PathAnswer(
            verdict: direct.verdict, hops: [direct], route: nil, request: direct.mesh.request ?? request)
        if let via {
            best = PathAnswer(
                verdict: .denied, hops: [], route: MeshStep("ROUTE", .deny, "no proxy routes by \(via)"),
                request: request)
        } else if best.verdict == .allowed {
            return best
        }
        for pi in candidates where pi != ti {
            for entry in entryPorts(pi) {
                let path = through(from: s, proxy: pi, port: entry, request: request, target: (ti, port), via: via)
                if path.verdict == .allowed { return path }
                if path.moreTelling(than: best) { best = path }
            }
        }
        // A proxy whose pods the input lacks may route here: the path is undecided, not absent.
        if best.verdict == .denied, let why = routers.lazy.compactMap({ $0.undecided(towards: ti) }).first {
            return PathAnswer(
                verdict: .unknown, hops: best.hops, route: MeshStep("ROUTE", .unknown, why), request: request)
        }
        return best
    }

    /// A Service port a path must enter by (a claim's `entry`): the client connects to it, and its backends are the
    /// destination itself or a proxy that routes onward.
    public struct Entry: Sendable {
        public let service: Service
        public let ports: [ServicePort]
        public init(service: Service, ports: [ServicePort]) {
            self.service = service
            self.ports = ports
        }
    }

    func reach(from s: Endpoint, to ti: Int, port: Int, request: HTTPRequest?, through entry: Entry) -> PathAnswer {
        var best: PathAnswer?
        guard
            case .backends(let backends) = ServiceStage.resolve(entry.service, ports: entry.ports, evaluator: evaluator)
        else {
            return PathAnswer(
                verdict: .unknown, hops: [],
                route: MeshStep("ROUTE", .unknown, "the entry Service's backends are unknown"), request: request)
        }
        for b in backends {
            let answer: PathAnswer
            if b.endpoint == ti && b.targetPort == port && !proxies.contains(ti) {
                let sp = entry.ports.first { $0.port == b.servicePort }!
                answer = PathAnswer(hop(from: s, to: ti, port: port, request: request, via: (entry.service, sp)))
            } else if proxies.contains(b.endpoint) {
                let delivered = b.endpoint == ti && b.targetPort == port
                if b.endpoint == ti && !delivered { continue }
                answer = through(
                    from: s, proxy: b.endpoint, port: b.targetPort, request: request,
                    target: delivered ? nil : (ti, port))
            } else {
                continue
            }
            if answer.verdict == .allowed { return answer }
            if best == nil || answer.moreTelling(than: best!) { best = answer }
        }
        return best
            ?? PathAnswer(
                verdict: .denied, hops: [],
                route: MeshStep(
                    "ROUTE", .deny,
                    "Service \(entry.service.namespace)/\(entry.service.name) leads neither to the destination nor to a proxy routing there"
                ),
                request: request)
    }

    /// A request arriving at proxy `pi` on `port`: hop 1 to the proxy, its routing, hop 2 from the proxy pod to a
    /// backend (restricted to `target` when given). The first route that delivers wins.
    public func through(
        from s: Endpoint, proxy pi: Int, port: Int, request: HTTPRequest?, target: (Int, Int)?, via: RouteVia? = nil
    ) -> PathAnswer {
        let proxySource = Endpoint.pod(evaluator.endpoints[pi])
        var fallback: PathAnswer?
        func consider(_ answer: PathAnswer) {
            if fallback == nil || answer.moreTelling(than: fallback!) { fallback = answer }
        }
        for (r, outcome) in routes(proxy: pi, port: port, request: request, via: via) {
            // Hop 1 carries the request the proxy routes.
            let first = entryHop(from: s, to: pi, port: port, request: r)
            guard first.verdict == .allowed else {
                consider(PathAnswer(verdict: first.verdict, hops: [first], route: nil, request: r))
                continue
            }
            switch outcome {
            case .notRouted(let step), .unknown(let step):
                consider(
                    PathAnswer(
                        verdict: step.effect == .unknown ? .unknown : .denied, hops: [first], route: step, request: r))
            case .routed(let targets, let step):
                for t in targets {
                    guard
                        case .backends(let backends) = ServiceStage.resolve(
                            t.service, ports: [t.port], evaluator: evaluator)
                    else { continue }
                    for b in backends
                    where t.subsetLabels.allSatisfy({ model.workloads[b.endpoint].labels[$0.key] == $0.value }) {
                        if let (ti, tport) = target, ti != b.endpoint || tport != b.targetPort { continue }
                        let second = hop(
                            from: proxySource, to: b.endpoint, port: b.targetPort, request: t.request,
                            via: (t.service, t.port), subset: t.subset)
                        let answer = PathAnswer(
                            verdict: second.verdict, hops: [first, second], route: step, request: r)
                        if second.verdict == .allowed { return answer }
                        consider(answer)
                    }
                }
            }
        }
        return fallback
            ?? PathAnswer(
                verdict: .denied, hops: [hop(from: s, to: pi, port: port, request: request)],
                route: MeshStep(
                    "ROUTE", .deny,
                    target == nil
                        ? "the proxy routes no request arriving on port \(port)"
                        : "no route of the proxy leads to the destination"),
                request: request)
    }

}
