import KubeModel

/// The Istio stages of one hop (docs/SEMANTICS.md §7, §8) for connections the NetworkPolicy layer
/// already admits: what the client sends, whether the server's PeerAuthentication accepts it, and what its
/// AuthorizationPolicies decide, for declared pods and external clients.
public final class MeshEvaluator: @unchecked Sendable {
    public let evaluator: Evaluator
    /// The proxy of each declared workload, indexed like `Evaluator.endpoints`.
    public let proxies: [MeshProxy]
    let peerAuthentication: PeerAuthenticationStage
    let clientTLS: ClientTLSStage
    let authorization: AuthorizationStage
    let routing: GatewayRouting

    var model: ClusterModel { evaluator.model }
    /// Per declared pod: the AuthorizationPolicies in force and the ports its mesh settings single out. A mesh
    /// evaluator belongs to one checker, on one thread.
    private var policiesInForce: [Int: [AuthorizationPolicy]] = [:]
    private var portMarks: [Int: [Int]] = [:]

    /// `customAllows` binds A-CUSTOM-AUTHZ: nil (conformance) leaves flows an external authorizer decides UNKNOWN.
    public init(evaluator: Evaluator, customAllows: Bool? = nil) {
        self.evaluator = evaluator
        let model = evaluator.model
        let root = evaluator.assumptions.meshRootNamespace
        let revisions = SidecarInjection.revisions(model)
        proxies = model.workloads.map {
            SidecarInjection.proxy(
                for: $0, namespace: model.namespaces[$0.namespace], gateways: model.istioGateways, revisions: revisions)
        }
        peerAuthentication = PeerAuthenticationStage(policies: model.peerAuthentications, rootNamespace: root)
        clientTLS = ClientTLSStage(model: model, rootNamespace: root, peerAuthentication: peerAuthentication)
        authorization = AuthorizationStage(
            policies: model.authorizationPolicies, rootNamespace: root,
            ipFamilies: evaluator.assumptions.ipFamilies, podCIDRs: evaluator.assumptions.podCIDRs,
            customAllows: customAllows,
            tokensValidated: !(model.unmodelled["RequestAuthentication"] ?? []).isEmpty)
        routing = GatewayRouting(model: model)
    }

    /// The PeerAuthentication mode in force for a declared pod's container port, and the object that set it.
    public func mtlsMode(of di: Int, port: Int) -> (mode: PeerAuthentication.Mode, source: String) {
        let d = evaluator.endpoints[di]
        let m = peerAuthentication.mode(namespace: d.namespace, labels: d.labels, port: port)
        return (m.mode, m.source)
    }

    /// What a declared pod's sidecar does with TCP to an address outside the cluster: nil when it passes through
    /// (no sidecar, outbound not captured, or ALLOW_ANY); a DENY step when REGISTRY_ONLY blackholes it; UNKNOWN when
    /// ServiceEntries, which this version does not model, could register the destination.
    public func externalEgress(from si: Int) -> (step: MeshStep, uncaptured: PortRanges)? {
        let proxy = proxies[si]
        let s = evaluator.endpoints[si]
        guard proxy.kind == .sidecar, !proxy.outboundBypassed,
            let scope = clientTLS.sidecarScope(namespace: s.namespace, labels: s.labels),
            scope.outboundPolicy == "REGISTRY_ONLY"
        else { return nil }
        let entries = model.unmodelled["ServiceEntry"] ?? []
        let uncaptured = PortRanges(proxy.outboundExcluded.sorted().map { $0...$0 })
        if !entries.isEmpty {
            return (
                MeshStep(
                    "SRC-MESH-EGRESS", .unknown,
                    "\(ref("Sidecar", scope.namespace, scope.name, "", scope.location)) sets REGISTRY_ONLY and the input holds \(entries.count) ServiceEntry object(s), which this version does not model"
                ), uncaptured
            )
        }
        return (
            MeshStep(
                "SRC-MESH-EGRESS", .deny,
                "\(ref("Sidecar", scope.namespace, scope.name, "", scope.location)) sets REGISTRY_ONLY: an address outside the registry is blackholed"
            ), uncaptured
        )
    }

    /// Whether the injector would give a pod with these labels in this namespace a sidecar (a pod that does not exist
    /// yet).
    public func injects(namespace: String, namespaceLabels: [String: String], labels: [String: String]) -> Bool {
        let w = Workload(
            kind: "Deployment", name: "new", namespace: namespace, labels: labels, annotations: [:],
            serviceAccount: "default",
            ports: [], hostNetwork: false, replicas: 1, containerNames: [],
            location: SourceLocation(file: "<new pod>", line: 0))
        let ns = Namespace(name: namespace, labels: namespaceLabels, inferred: false, location: nil)
        return SidecarInjection.proxy(for: w, namespace: ns, gateways: [], revisions: SidecarInjection.revisions(model))
            .kind == .sidecar
    }

    /// The AuthorizationPolicies in force for a declared pod (computed once per pod: every decision asks).
    public func authorizationPolicies(of di: Int) -> [AuthorizationPolicy] {
        if let cached = policiesInForce[di] { return cached }
        let d = evaluator.endpoints[di]
        let found = authorization.applicable(namespace: d.namespace, labels: d.labels)
        policiesInForce[di] = found
        return found
    }

    /// Whether a declared pod's port carries HTTP by its Services' port names (nil: no Service names it; sniffed).
    public func carriesHTTP(_ di: Int, port: Int) -> Bool? {
        isHTTP(.podIP, di: di, port: port)
    }

    /// Declared workloads that are Istio gateway proxies.
    public var gateways: [Int] { proxies.indices.filter { proxies[$0].kind == .gateway } }

    /// The ways a client can address a pod's port: each Service port that translates to it, and the pod IP.
    func addressings(to di: Int, port: Int) -> [Addressing] {
        var out: [Addressing] = []
        for svc in model.services where svc.selects(model.workloads[di]) {
            for sp in svc.ports
            where sp.proto == .tcp && evaluator.endpoints[di].resolve(sp.targetPort, proto: .tcp) == port {
                out.append(.service(svc, sp))
            }
        }
        return out + [.podIP]
    }

    /// HTTP or TCP semantics for the port (§7.2): the Service port's appProtocol or name prefix; nil when the proxy
    /// sniffs.
    func isHTTP(_ a: Addressing, di: Int, port: Int) -> Bool? {
        func classify(_ sp: ServicePort) -> Bool? {
            let name = (sp.appProtocol ?? sp.name ?? "").lowercased()
            let prefix = name.split(separator: "-").first.map(String.init) ?? name
            if ["http", "http2", "grpc", "grpc-web", "h2c", "kubernetes.io/h2c"].contains(prefix)
                || prefix.hasPrefix("http") || name == "grpc-web"
            {
                return true
            }
            if ["https", "tls", "tcp", "mongo", "mysql", "redis", "udp", "thrift", "zookeeper", "kafka"].contains(
                prefix)
            {
                return false
            }
            return nil
        }
        if case .service(_, let sp) = a { return classify(sp) }
        for case .service(_, let sp) in addressings(to: di, port: port) { if let c = classify(sp) { return c } }
        return nil
    }

    /// The mesh stages for one connection (and request) to a declared pod's port, which the NetworkPolicy layer admits.
    /// Without `via`, every way of addressing the pod is tried and the first that gets through is reported. Cilium's L7
    /// rules come last: what the proxy lets through still has to match them.
    public func decide(
        from source: Endpoint, to di: Int, port: Int, request: HTTPRequest?, via: (Service, ServicePort)? = nil,
        subset: DestinationRule.Subset? = nil, newPodSidecar: Bool? = nil
    ) -> MeshDecision {
        let decision = istioDecide(
            from: source, to: di, port: port, request: request, via: via, subset: subset, newPodSidecar: newPodSidecar)
        guard decision.verdict != .denied,
            let l7 = CiliumL7Stage(evaluator: evaluator).step(
                from: source, to: evaluator.endpoints[di], port: port, request: decision.request ?? request)
        else { return decision }
        let verdict: FlowVerdict
        switch l7.effect {
        case .deny: verdict = .denied
        case .unknown: verdict = .unknown
        default: verdict = decision.verdict
        }
        return MeshDecision(
            verdict: verdict, steps: decision.steps + [l7], addressing: decision.addressing, request: decision.request,
            mutualTLS: decision.mutualTLS)
    }

    private func istioDecide(
        from source: Endpoint, to di: Int, port: Int, request: HTTPRequest?, via: (Service, ServicePort)?,
        subset: DestinationRule.Subset?, newPodSidecar: Bool?
    ) -> MeshDecision {
        let d = evaluator.endpoints[di]
        let dp = proxies[di]
        var clientProxy: MeshProxy?
        if case .pod(let s) = source {
            if let si = s.declaredIndex {
                clientProxy = proxies[si]
            } else if let sidecar = newPodSidecar {
                // A pod that could be created, with the sidecar setting its creator chose.
                clientProxy =
                    sidecar
                    ? MeshProxy(
                        kind: .sidecar, reason: "a new pod with a sidecar", inboundExcluded: [], inboundIncluded: nil,
                        outboundExcluded: [],
                        outboundBypassed: false, applicationMutualTLS: false)
                    : .none("a new pod without a sidecar")
            } else {
                return MeshDecision(
                    verdict: .unknown,
                    steps: [
                        MeshStep(
                            "SRC-MESH-EGRESS", .unknown,
                            "a pod that does not exist yet may run any service account and sidecar setting; mesh stages are decided for declared workloads and external clients"
                        )
                    ],
                    addressing: "", request: request, mutualTLS: false)
            }
        }
        let options = via.map { [Addressing.service($0.0, $0.1)] } ?? addressings(to: di, port: port)
        var decisions: [MeshDecision] = []
        for a in options {
            decisions.append(decide(source, clientProxy, a, di, d, dp, port, request, subset: subset))
            if decisions.last!.verdict == .allowed { return decisions.last! }
        }
        return decisions.first { $0.verdict == .unknown } ?? decisions[0]
    }

    private func decide(
        _ source: Endpoint, _ clientProxy: MeshProxy?, _ a: Addressing, _ di: Int, _ d: PodEndpoint, _ dp: MeshProxy,
        _ port: Int, _ request: HTTPRequest?, subset: DestinationRule.Subset? = nil
    ) -> MeshDecision {
        // A sidecar routes requests for a Service host through the mesh-bound VirtualServices first: the request
        // may go to another Service or subset than the one dialled.
        if case .service(let svc, let sp) = a, let proxy = clientProxy, proxy.kind == .sidecar,
            proxy.capturesOutbound(sp.port)
        {
            // Sniffed ports carry what the client speaks: with no request given, both readings are tried.
            let readings: [Bool] =
                isHTTP(a, di: di, port: port).map { [$0] } ?? (request != nil ? [true] : [false, true])
            var candidates: [(http: Bool, request: HTTPRequest)] = []
            for http in readings {
                if http, request == nil {
                    candidates += routing.meshPaths(svc).map { (true, HTTPRequest(path: $0)) }
                } else {
                    candidates.append((http, request ?? HTTPRequest()))
                }
            }
            var fallback: MeshDecision?
            for (http, r) in candidates {
                guard let outcome = routing.meshRoute(svc, port: sp.port, request: r, http: http) else { break }
                switch outcome {
                case .unknown(let step):
                    fallback =
                        fallback
                        ?? MeshDecision(
                            verdict: .unknown, steps: [step], addressing: a.description, request: r, mutualTLS: false)
                case .notRouted(let step):
                    if fallback == nil {
                        fallback = MeshDecision(
                            verdict: .denied, steps: [step], addressing: a.description, request: r, mutualTLS: false)
                    }
                case .routed(let targets, let step):
                    let here = targets.filter { t in
                        t.service.selects(model.workloads[di])
                            && t.subsetLabels.allSatisfy { d.labels[$0.key] == $0.value }
                            && d.resolve(t.port.targetPort, proto: t.port.proto) == port
                    }
                    for t in here {
                        let decision = deliver(
                            source, clientProxy, .service(t.service, t.port), di, d, dp, port,
                            http ? t.request : request, subset: t.subset, route: step)
                        if decision.verdict == .allowed { return decision }
                        if fallback == nil || fallback!.verdict == .denied { fallback = decision }
                    }
                    if here.isEmpty && fallback == nil {
                        let names = targets.map {
                            "\($0.service.namespace)/\($0.service.name)\($0.subset.map { " subset " + $0.name } ?? "")"
                        }
                        fallback = MeshDecision(
                            verdict: .denied,
                            steps: [
                                MeshStep(
                                    "ROUTE", .deny,
                                    "\(step.detail) sends the request to \(names.joined(separator: ", ")), not to this pod"
                                )
                            ],
                            addressing: a.description, request: r, mutualTLS: false)
                    }
                }
            }
            if let fallback { return fallback }
        }
        return deliver(source, clientProxy, a, di, d, dp, port, request, subset: subset, route: nil)
    }

    /// The stages from what the client sends to the server's authorization, for one way of addressing the pod.
    private func deliver(
        _ source: Endpoint, _ clientProxy: MeshProxy?, _ a: Addressing, _ di: Int, _ d: PodEndpoint, _ dp: MeshProxy,
        _ port: Int, _ request: HTTPRequest?, subset: DestinationRule.Subset?, route: MeshStep?
    ) -> MeshDecision {
        func done(_ v: FlowVerdict, _ steps: [MeshStep], _ r: HTTPRequest? = nil, mutual: Bool = false) -> MeshDecision
        {
            MeshDecision(verdict: v, steps: steps, addressing: a.description, request: r, mutualTLS: mutual)
        }
        let (sends, egress) = clientTLS.sends(
            client: source, clientProxy: clientProxy, addressing: a, subset: subset, destination: d,
            destinationProxy: dp, targetPort: port)
        var steps = [egress] + (route.map { [$0] } ?? [])
        if sends == .blackhole { return done(.denied, steps) }
        guard dp.capturesInbound(port) else {
            if sends == .istioMutualTLS && !dp.hasProxy {
                steps.append(
                    MeshStep(
                        "MTLS", .deny,
                        "the client sends Istio mTLS but the destination has no sidecar to terminate it (\(dp.reason))")
                )
                return done(.denied, steps)
            }
            let why =
                dp.hasProxy
                ? "port \(port) is not captured by the destination's sidecar (always exempt or excluded by annotation)"
                : "no sidecar on the destination (\(dp.reason))"
            steps.append(MeshStep("MTLS", .skip, why))
            steps.append(MeshStep("AUTHZ", .skip, why))
            return done(.allowed, steps)
        }
        if dp.kind == .sidecar, let scope = clientTLS.sidecarScope(namespace: d.namespace, labels: d.labels),
            scope.hasIngressListeners
        {
            steps.append(
                MeshStep(
                    "MTLS", .unknown,
                    "\(ref("Sidecar", scope.namespace, scope.name, "spec.ingress", scope.location)) declares custom inbound listeners, which this version does not follow"
                ))
            return done(.unknown, steps)
        }
        var mutual = false
        if dp.kind == .gateway {
            steps.append(
                MeshStep(
                    "MTLS", .skip,
                    "a gateway listener: PeerAuthentication does not apply, the client's TLS ends at the gateway"))
        } else {
            let mode = peerAuthentication.mode(namespace: d.namespace, labels: d.labels, port: port)
            if let tie = mode.ambiguity {
                steps.append(MeshStep("MTLS", .unknown, tie))
                return done(.unknown, steps)
            }
            let accepted: Bool
            switch mode.mode {
            case .strict: accepted = sends == .istioMutualTLS
            case .disable: accepted = sends != .istioMutualTLS
            case .permissive, .unset: accepted = true
            }
            steps.append(
                MeshStep(
                    "MTLS", accepted ? .allow : .deny,
                    "\(mode.mode.rawValue) from \(mode.source); the client sends \(sends.rawValue)",
                    evidence: mode.evidence))
            if !accepted { return done(.denied, steps) }
            mutual = sends == .istioMutualTLS
        }
        var peer: (namespace: String, serviceAccount: String)?
        if mutual, case .pod(let s) = source { peer = (s.namespace, s.serviceAccount) }
        let address: PeerAddress
        switch source {
        case .pod: address = .pod
        case .external(let r): address = .range(r)
        }
        // Sniffed ports carry whatever the client speaks: a given request is HTTP; otherwise both readings count.
        let readings: [Bool] = isHTTP(a, di: di, port: port).map { [$0] } ?? (request != nil ? [true] : [false, true])
        var firstDenied: MeshDecision?
        var firstUnknown: MeshDecision?
        for http in readings {
            let requests = http ? witnessRequests(to: di, request: request) : [request ?? HTTPRequest()]
            for r in requests {
                let step = authorization.decide(
                    authorizationPolicies(of: di),
                    AuthorizationInput(peer: peer, address: address, port: port, isHTTP: http, request: r))
                let result = done(
                    step.effect == .allow ? .allowed : step.effect == .deny ? .denied : .unknown, steps + [step],
                    http ? r : nil, mutual: mutual)
                switch step.effect {
                case .allow, .skip: return result
                case .deny: if firstDenied == nil { firstDenied = result }
                case .unknown: if firstUnknown == nil { firstUnknown = result }
                }
            }
        }
        return firstUnknown ?? firstDenied!
    }

    /// Requests to try when the question leaves method, path or host open: one per combination of the values the
    /// destination's policies tell apart (every exact value, each prefix and suffix with and without more text, and a
    /// value no policy names).
    func witnessRequests(to di: Int, request: HTTPRequest?) -> [HTTPRequest] {
        var methods = Set(["GET"])
        var paths = Set(["/", "/reachproof-unlisted"])
        var hosts = Set(["reachproof.invalid"])
        func add(_ patterns: [String], _ into: inout Set<String>) {
            let prefixes = patterns.filter { $0.count > 1 && $0.hasSuffix("*") }.map { String($0.dropLast()) }
            let suffixes = patterns.filter { $0.count > 1 && $0.hasPrefix("*") }.map { String($0.dropFirst()) }
            for p in patterns where !p.contains("*") { into.insert(p) }
            for p in prefixes {
                into.insert(p)
                into.insert(p + "reachproof")
            }
            for s in suffixes { into.insert("reachproof" + s) }
            for p in prefixes { for s in suffixes { into.insert(p + "reachproof" + s) } }
        }
        for p in authorizationPolicies(of: di) {
            for o in p.rules.flatMap({ $0.to ?? [] }) {
                add((o.methods.values ?? []) + (o.methods.notValues ?? []), &methods)
                add((o.paths.values ?? []) + (o.paths.notValues ?? []), &paths)
                add((o.hosts.values ?? []) + (o.hosts.notValues ?? []), &hosts)
            }
            methods.insert("REACHPROOF")
        }
        var out: [HTTPRequest] = []
        for m in request?.method.map({ [$0] }) ?? methods.sorted() {
            for p in request?.path.map({ [$0] }) ?? paths.sorted() {
                for h in request?.host.map({ [$0] }) ?? hosts.sorted() {
                    out.append(HTTPRequest(method: m, path: p, host: h))
                }
            }
        }
        return out
    }

    /// Ports of a pod that mesh settings single out; between them every port is treated alike.
    func distinguishedPorts(_ di: Int) -> [Int] {
        if let cached = portMarks[di] { return cached }
        let d = evaluator.endpoints[di]
        let dp = proxies[di]
        var out = Set(d.ports.map(\.number)).union(MeshProxy.alwaysExempt).union(dp.inboundExcluded).union(
            dp.inboundIncluded ?? [])
        for svc in model.services where svc.selects(model.workloads[di]) {
            for sp in svc.ports { if let n = d.resolve(sp.targetPort, proto: sp.proto) { out.insert(n) } }
        }
        for pa in model.peerAuthentications where pa.namespace == d.namespace { out.formUnion(pa.portLevel.keys) }
        for p in authorizationPolicies(of: di) {
            for rule in p.rules {
                for o in rule.to ?? [] {
                    out.formUnion(((o.ports.values ?? []) + (o.ports.notValues ?? [])).compactMap { Int($0) })
                }
                for c in rule.when where c.key == "destination.port" {
                    out.formUnion(((c.values.values ?? []) + (c.values.notValues ?? [])).compactMap { Int($0) })
                }
            }
        }
        let sorted = out.sorted()
        portMarks[di] = sorted
        return sorted
    }

    /// A port range cut at the ports a pod's mesh settings single out: each piece is decided at its first port.
    public func pieces(of range: ClosedRange<Int>, at di: Int) -> [ClosedRange<Int>] {
        var pieces: [ClosedRange<Int>] = []
        var start = range.lowerBound
        for p in distinguishedPorts(di) where range.contains(p) {
            if start < p { pieces.append(start...(p - 1)) }
            pieces.append(p...p)
            start = p + 1
        }
        if start <= range.upperBound { pieces.append(start...range.upperBound) }
        return pieces
    }

    /// Of the connections the NetworkPolicy layer admits into a pod, those the mesh admits too, those it leaves
    /// undecided (with the first reason), and one decision per port range that behaves alike.
    public func admitted(from source: Endpoint, to di: Int, l4: ConnSet, request: HTTPRequest?) -> MeshAdmission {
        // Only inbound TCP is intercepted: other protocols are decided by the NetworkPolicy layer alone.
        var allowed = l4
        var unknown = ConnSet.none
        allowed.tcp = .none
        var reason: String?
        var decisions: [(ClosedRange<Int>, MeshDecision)] = []
        for range in l4[.tcp].ranges {
            let pieces = self.pieces(of: range, at: di)
            for piece in pieces {
                let decision = decide(from: source, to: di, port: piece.lowerBound, request: request)
                decisions.append((piece, decision))
                let set = ConnSet(.tcp, PortRanges([piece]))
                switch decision.verdict {
                case .allowed: allowed = allowed.union(set)
                case .unknown:
                    unknown = unknown.union(set)
                    reason = reason ?? decision.reason
                case .denied: break
                }
            }
        }
        return MeshAdmission(allowed: allowed, unknown: unknown, unknownReason: reason, decisions: decisions)
    }
}

public struct MeshAdmission: Sendable {
    public let allowed: ConnSet
    public let unknown: ConnSet
    public let unknownReason: String?
    public let decisions: [(ClosedRange<Int>, MeshDecision)]

    public func decision(at port: Int) -> MeshDecision? { decisions.first { $0.0.contains(port) }?.1 }
}
