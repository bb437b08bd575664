import KubeModel

/// Gateway API (docs/SEMANTICS.md §6.3): which routes attach to which listeners, where each listener port sends a
/// request (compiled into `RouteTable`s with the spec's precedence), and which pods implement each Gateway.
public struct GatewayAPIRouting {
    public let model: ClusterModel
    /// `--gateway-pods`: the workloads (`ns/name`) that implement a Gateway (`ns/name`), for implementations whose
    /// pods the input does not show.
    public let gatewayPods: [String: [String]]

    public init(model: ClusterModel, gatewayPods: [String: [String]] = [:]) {
        self.model = model
        self.gatewayPods = gatewayPods
    }

    /// A route attached to one listener, with the hostnames it serves there (`[nil]`: every hostname).
    public struct Attachment: Sendable {
        public let route: GatewayRoute
        public let gateway: Gateway
        public let listener: Gateway.Listener
        public let hostnames: [String?]
    }

    /// Where a route attaches, and why each parent reference attaches nowhere.
    public func attachments(of route: GatewayRoute) -> (
        attached: [Attachment], refused: [(GatewayRoute.ParentRef, String)]
    ) {
        var attached: [Attachment] = []
        var refused: [(GatewayRoute.ParentRef, String)] = []
        for p in route.parentRefs {
            guard p.isGateway else {
                refused.append(
                    (p, "its parent is a \(p.kind) of group \(p.group.isEmpty ? "core" : p.group), not a Gateway"))
                continue
            }
            guard let g = model.gateways.first(where: { $0.id == p.id }) else {
                refused.append((p, "Gateway \(p.id) does not exist in the input"))
                continue
            }
            var listeners = g.listeners
            if let section = p.sectionName {
                listeners = listeners.filter { $0.name == section }
                if listeners.isEmpty {
                    refused.append((p, "Gateway \(g.id) has no listener named \(section)"))
                    continue
                }
            }
            if let port = p.port {
                listeners = listeners.filter { $0.port == port }
                if listeners.isEmpty {
                    refused.append((p, "Gateway \(g.id) has no listener on port \(port)"))
                    continue
                }
            }
            var reasons: [String] = []
            for l in listeners {
                guard l.acceptedKinds.contains(route.kind.rawValue) else {
                    reasons.append("listener \(l.name) (\(l.protocolName)) does not accept \(route.kind.rawValue)")
                    continue
                }
                guard namespaceAllowed(route.namespace, l, gateway: g) else {
                    reasons.append("listener \(l.name) does not allow routes from namespace \(route.namespace)")
                    continue
                }
                guard let hosts = Self.intersect(listener: l.hostname, route: route.hostnames) else {
                    reasons.append(
                        "no hostname of the route (\(route.hostnames.joined(separator: ", "))) intersects listener \(l.name)'s \(l.hostname ?? "*")"
                    )
                    continue
                }
                attached.append(Attachment(route: route, gateway: g, listener: l, hostnames: hosts))
            }
            if !reasons.isEmpty && !attached.contains(where: { $0.gateway.id == g.id }) {
                refused.append((p, reasons.joined(separator: "; ")))
            }
        }
        return (attached, refused)
    }

    func namespaceAllowed(_ ns: String, _ l: Gateway.Listener, gateway g: Gateway) -> Bool {
        switch l.allowedNamespaces {
        case .same: return ns == g.namespace
        case .all: return true
        case .selector(let s): return s.matches(model.namespaces[ns]?.labels ?? ["kubernetes.io/metadata.name": ns])
        }
    }

    /// The hostnames a route serves on a listener: the route's hostnames that the listener's accepts (a route
    /// wildcard broader than the listener's hostname narrows to it); the listener's when the route names none.
    /// `[nil]`: every hostname; nil: none intersects, and the route does not attach (spec: HTTPRouteSpec.Hostnames).
    static func intersect(listener: String?, route: [String]) -> [String?]? {
        guard !route.isEmpty else { return [listener] }
        guard let l = listener else { return route }
        var out: [String] = []
        for r in route {
            if hostCovers(l, r) {
                out.append(r)
            } else if hostCovers(r, l) {
                out.append(l)
            }
        }
        return out.isEmpty ? nil : Array(Set(out)).sorted()
    }

    /// Whether hostname pattern `a` matches every host `b` does (`*.example.com` covers `x.example.com` and
    /// `*.x.example.com`).
    public static func hostCovers(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard a.hasPrefix("*.") else { return false }
        let suffix = a.dropFirst(1)  // ".example.com"
        return b.hasSuffix(suffix) && b.count > suffix.count
    }

    static func hostMatch(_ h: String) -> RouteTable.HostMatch {
        h.hasPrefix("*.") ? .wildcard(suffix: String(h.dropFirst(2)), singleLabel: false) : .exact(h)
    }

    /// Hostname patterns, most specific first: exact names, then wildcards by length, then nil (every host).
    public static func specificity(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, _): return false
        case (_, nil): return true
        case (let a?, let b?):
            if a.hasPrefix("*.") != b.hasPrefix("*.") { return !a.hasPrefix("*.") }
            return a.count != b.count ? a.count > b.count : a < b
        }
    }

    // MARK: Backends

    /// A backendRef resolved to a Service port, or why it carries no traffic (spec: HTTPBackendRef; a
    /// cross-namespace reference needs a ReferenceGrant in the target namespace).
    public func backend(_ ref: GatewayRoute.BackendRef, of route: GatewayRoute) -> (
        backend: RouteTable.Backend?, grant: ReferenceGrant?, problem: String?
    ) {
        guard ref.isService else {
            return (nil, nil, "backendRef \(ref.kind) \(ref.name) is not a Service, which this version does not follow")
        }
        let ns = ref.namespace ?? route.namespace
        var grant: ReferenceGrant?
        if ns != route.namespace {
            grant = model.referenceGrants.first {
                $0.namespace == ns
                    && $0.permits(routeKind: route.kind.rawValue, namespace: route.namespace, service: ref.name)
            }
            if grant == nil {
                return (
                    nil, nil,
                    "backendRef to Service \(ns)/\(ref.name) crosses namespaces and no ReferenceGrant in \(ns) permits \(route.kind.rawValue)s of \(route.namespace)"
                )
            }
        }
        guard let svc = model.services.first(where: { $0.namespace == ns && $0.name == ref.name }) else {
            return (nil, grant, "Service \(ns)/\(ref.name) is not in the input")
        }
        guard let port = ref.port, svc.ports.contains(where: { $0.port == port }) else {
            return (nil, grant, "Service \(ns)/\(ref.name) has no port \(ref.port.map(String.init) ?? "(none)")")
        }
        return (RouteTable.Backend(service: "\(ns)/\(ref.name)", port: port), grant, nil)
    }

    /// What a rule does with a request it matches: its filters, then its backends by weight.
    func outcome(_ rule: GatewayRoute.Rule, of route: GatewayRoute) -> (RouteTable.Outcome, notes: [String]) {
        var notes: [String] = []
        for f in rule.filters {
            switch f {
            case .requestRedirect: return (.noBackend("redirect (RequestRedirect filter)"), [])
            case .implementation(let what):
                return (
                    .unknown(
                        "\(route.kind.rawValue) \(route.id) \(rule.path) has filter \(what), which is implementation-specific"
                    ), []
                )
            default: break
            }
        }
        var backends: [RouteTable.Backend] = []
        var problems: [String] = []
        for ref in rule.backends where ref.weight > 0 {
            for f in ref.filters {
                if case .implementation(let what) = f {
                    return (
                        .unknown(
                            "\(route.kind.rawValue) \(route.id) \(ref.path) has filter \(what), which is implementation-specific"
                        ), []
                    )
                }
            }
            let (b, grant, problem) = backend(ref, of: route)
            if let b { backends.append(b) }
            if let problem { problems.append(problem) }
            if let grant { notes.append("ReferenceGrant \(grant.namespace)/\(grant.name) (\(grant.location))") }
        }
        for case .requestMirror(let ref) in rule.filters {
            if let b = backend(ref, of: route).backend {
                backends.append(RouteTable.Backend(service: b.service, port: b.port, mirror: true))
            }
        }
        if backends.filter({ !$0.mirror }).isEmpty {
            let why =
                rule.backends.isEmpty || rule.backends.allSatisfy({ $0.weight == 0 })
                ? "500: the rule has no backend with weight above 0"
                : "500: \(problems.joined(separator: "; "))"
            return (.noBackend(why), notes)
        }
        if !problems.isEmpty { notes.append("invalid backends get 500: \(problems.joined(separator: "; "))") }
        return (.backends(Array(Set(backends)).sorted()), notes)
    }

    // MARK: Route tables

    /// The route tables of a Gateway, one per listener port: HTTP and HTTPS ports route by listener hostname (most
    /// specific first), then by route hostname (most specific first: Envoy's virtual hosts, A-GATEWAY-HOSTNAME),
    /// then by the spec's match precedence; TLS passthrough by SNI; TCP and UDP by listener.
    public func tables(of g: Gateway) -> [RouteTable] {
        let all = model.gatewayRoutes.flatMap { attachments(of: $0).attached }.filter { $0.gateway.id == g.id }
        var out: [RouteTable] = []
        for port in Set(g.listeners.map(\.port)).sorted() {
            let listeners = g.listeners.filter { $0.port == port }.sorted {
                Self.specificity($0.hostname, $1.hostname)
            }
            let scheme: String
            switch listeners.first?.proto {
            case .http?: scheme = "http"
            case .https?: scheme = "https"
            case .tls?: scheme = "tls"
            case .tcp?: scheme = "tcp"
            case .udp?: scheme = "udp"
            case nil: scheme = listeners.first?.protocolName ?? "?"
            }
            var rules: [RouteTable.Rule] = []
            for l in listeners {
                let attached = all.filter { $0.listener.name == l.name }
                let listenerText = "Gateway \(g.id) listener \(l.name) (\(l.location))"
                let listenerHosts = l.hostname.map { [Self.hostMatch($0)] }
                switch l.proto {
                case .http?, .https?, .tls?:
                    rules += hostRules(attached, listener: l, gateway: g, listenerText: listenerText)
                case .tcp?, .udp?:
                    rules += streamRules(attached, listener: l, gateway: g, listenerText: listenerText)
                case nil:
                    rules.append(
                        RouteTable.Rule(
                            condition: .init(hosts: listenerHosts),
                            outcome: .unknown(
                                "\(listenerText) has protocol \(l.protocolName), which is implementation-specific"),
                            text: listenerText, evidence: listenerRef(g, l),
                            origin: .init(gateway: g.id, listener: l.name)))
                }
                // A request the listener accepts but no route matches is answered by the gateway.
                rules.append(
                    RouteTable.Rule(
                        condition: .init(hosts: listenerHosts),
                        outcome: .noBackend(
                            l.proto == .http || l.proto == .https ? "404 from the gateway" : "connection closed"),
                        text: "\(listenerText): no route matches", evidence: listenerRef(g, l),
                        origin: .init(gateway: g.id, listener: l.name)))
            }
            out.append(
                RouteTable(
                    entry: "\(scheme):\(port)", rules: rules,
                    fallback: .noBackend("no listener of Gateway \(g.id) on port \(port) accepts the host")))
        }
        return out
    }

    private func listenerRef(_ g: Gateway, _ l: Gateway.Listener) -> RuleRef {
        RuleRef(kind: "Gateway", namespace: g.namespace, name: g.name, path: l.path, location: l.location)
    }

    /// HTTP/HTTPS (HTTPRoute, GRPCRoute) and TLS (TLSRoute) listeners: route hostname groups, each closed by a 404.
    private func hostRules(
        _ attached: [Attachment], listener l: Gateway.Listener, gateway g: Gateway, listenerText: String
    ) -> [RouteTable.Rule] {
        var groups: [String?: [Attachment]] = [:]
        for a in attached {
            for h in a.hostnames { groups[h, default: []].append(a) }
        }
        var rules: [RouteTable.Rule] = []
        for host in groups.keys.sorted(by: Self.specificity) {
            let hosts = (host ?? l.hostname).map { [Self.hostMatch($0)] }
            var entries: [(key: [Int], created: String, id: String, rule: RouteTable.Rule)] = []
            for a in groups[host]! {
                let r = a.route
                for (ri, rule) in r.rules.enumerated() {
                    let (outcome, notes) = outcome(rule, of: r)
                    for match in r.kind == .tls ? [nil] : rule.matches.map(Optional.some) {
                        var condition = RouteTable.Condition(hosts: hosts)
                        var ruleOutcome = outcome
                        var key = [0, 0, 0, 0, 0, ri]
                        if let match {
                            switch match.path {
                            case .exact(let p):
                                condition.path = .exact(p)
                                key[0] = 1
                            case .prefix(let p):
                                condition.path = .segmentPrefix(p)
                                key[0] = 2
                                key[1] = -p.count
                            case .regex(let p):
                                if RouteTable.isLiteral(p) {
                                    condition.path = .exact(p)
                                    key[0] = 1
                                } else {
                                    // Dialect and precedence of regular expressions are implementation-specific:
                                    // any request one could match is undecided, so these come first.
                                    condition.path = .regex(p, caseInsensitive: false, anchoredStart: false)
                                    ruleOutcome = .unknown(
                                        "\(r.kind.rawValue) \(r.id) \(match.fieldPath) matches the path by regular expression, whose dialect and precedence are implementation-specific"
                                    )
                                }
                            }
                            if let re = match.grpcRegex {
                                condition.path = .regex(re, caseInsensitive: false, anchoredStart: false)
                                ruleOutcome = .unknown(
                                    "\(r.kind.rawValue) \(r.id) \(match.fieldPath) matches the gRPC method by regular expression, which is implementation-specific"
                                )
                                key[0] = 0
                            }
                            condition.method = match.method
                            key[2] = match.method == nil ? 1 : 0
                            key[3] = -match.headers.count
                            key[4] = -match.query.count
                            condition.headers = match.headers.map {
                                .init(
                                    name: $0.name, value: $0.value, regex: $0.regex && !RouteTable.isLiteral($0.value))
                            }
                            condition.query = match.query.map {
                                .init(
                                    name: $0.name, value: $0.value, regex: $0.regex && !RouteTable.isLiteral($0.value))
                            }
                            if (condition.headers + condition.query).contains(where: \.regex),
                                case .backends = ruleOutcome
                            {
                                ruleOutcome = .unknown(
                                    "\(r.kind.rawValue) \(r.id) \(match.fieldPath) matches a header or query parameter by regular expression, which is implementation-specific"
                                )
                            }
                        }
                        let path = match?.fieldPath ?? rule.path
                        var text = "\(listenerText) -> \(r.kind.rawValue) \(r.id) \(path) (\(rule.location))"
                        if !notes.isEmpty { text += " [\(notes.joined(separator: "; "))]" }
                        let rewrite = rule.filters.lazy.compactMap { f -> RouteTable.Rewrite? in
                            if case .urlRewrite(let h, let full, let prefix) = f {
                                return .init(host: h, fullPath: full, prefix: prefix)
                            }
                            return nil
                        }.first
                        entries.append(
                            (
                                key, r.created ?? "", r.id,
                                RouteTable.Rule(
                                    condition: condition, outcome: ruleOutcome, text: text,
                                    evidence: RuleRef(
                                        kind: r.kind.rawValue, namespace: r.namespace, name: r.name, path: path,
                                        location: rule.location),
                                    origin: .init(gateway: g.id, listener: l.name, route: r.id), rewrite: rewrite)
                            ))
                    }
                }
            }
            // Spec precedence: match kind and length, method, headers, query parameters; then the oldest route, then
            // namespace/name; then rule order (the stable sort keeps match order within a rule).
            let sorted = entries.enumerated().sorted { x, y in
                let (a, b) = (x.element, y.element)
                if a.key[0..<5] != b.key[0..<5] { return a.key[0..<5].lexicographicallyPrecedes(b.key[0..<5]) }
                if a.created != b.created { return a.created < b.created }
                if a.id != b.id { return a.id < b.id }
                return x.offset < y.offset
            }
            rules += sorted.map(\.element.rule)
            rules.append(
                RouteTable.Rule(
                    condition: .init(hosts: hosts),
                    outcome: .noBackend(l.proto == .tls ? "connection closed" : "404 from the gateway"),
                    text: "\(listenerText): no rule of the routes for \(host ?? l.hostname ?? "every host") matches",
                    evidence: listenerRef(g, l), origin: .init(gateway: g.id, listener: l.name)))
        }
        return rules
    }

    /// TCP and UDP listeners: the one attached route takes every connection; with several, which one does is
    /// implementation-specific.
    private func streamRules(
        _ attached: [Attachment], listener l: Gateway.Listener, gateway g: Gateway, listenerText: String
    ) -> [RouteTable.Rule] {
        guard let first = attached.first else { return [] }
        let r = first.route
        let hosts = l.hostname.map { [Self.hostMatch($0)] }
        if attached.count > 1 {
            return [
                RouteTable.Rule(
                    condition: .init(hosts: hosts),
                    outcome: .unknown(
                        "\(attached.count) routes attach to \(listenerText) (\(attached.map(\.route.id).joined(separator: ", "))); which one takes a connection is implementation-specific"
                    ),
                    text: listenerText, evidence: listenerRef(g, l), origin: .init(gateway: g.id, listener: l.name))
            ]
        }
        let rule = r.rules.first
        let (outcome, notes): (RouteTable.Outcome, [String]) =
            rule.map { self.outcome($0, of: r) } ?? (.noBackend("the route has no rule"), [])
        var text = "\(listenerText) -> \(r.kind.rawValue) \(r.id) (\(r.location))"
        if !notes.isEmpty { text += " [\(notes.joined(separator: "; "))]" }
        return [
            RouteTable.Rule(
                condition: .init(hosts: hosts), outcome: outcome, text: text,
                evidence: RuleRef(
                    kind: r.kind.rawValue, namespace: r.namespace, name: r.name, path: rule?.path ?? "spec",
                    location: rule?.location ?? r.location),
                origin: .init(gateway: g.id, listener: l.name, route: r.id))
        ]
    }

    // MARK: Implementing pods

    /// Controllers whose data plane is one Deployment per Gateway, labelled with the Gateway's name in its namespace.
    static let perGatewayLabels = ["gateway.networking.k8s.io/gateway-name", "istio.io/gateway-name"]

    /// Controllers that run a shared proxy for every Gateway of their classes, found by its chart's labels.
    static let sharedProxies: [String: (key: String, values: Set<String>)] = [
        "gateway.nginx.org/nginx-gateway-controller": (
            "app.kubernetes.io/name", ["nginx-gateway", "nginx-gateway-fabric"]
        ),
        "konghq.com/kic-gateway-controller": ("app.kubernetes.io/name", ["kong", "gateway"]),
        "traefik.io/gateway-controller": ("app.kubernetes.io/name", ["traefik"]),
    ]

    public enum Implementation: Sendable {
        case pods([Int])
        case undecided(String)
    }

    /// The workloads that implement a Gateway: `--gateway-pods`; the pods its controller deploys for it (labelled
    /// with the Gateway's name: Istio, NGINX Gateway Fabric 2, kgateway; Envoy Gateway's owning-gateway labels); or
    /// the shared proxy of a controller that runs one. Otherwise undecided, with the reason.
    public func implementation(of g: Gateway) -> Implementation {
        let w = model.workloads
        if let named = gatewayPods[g.id] {
            return .pods(w.indices.filter { named.contains(w[$0].id) })
        }
        let controller = model.gatewayClasses.first { $0.name == g.className }?.controllerName
        var pods = w.indices.filter { i in
            (w[i].namespace == g.namespace && Self.perGatewayLabels.contains { w[i].labels[$0] == g.name })
                || (w[i].labels["gateway.envoyproxy.io/owning-gateway-name"] == g.name
                    && w[i].labels["gateway.envoyproxy.io/owning-gateway-namespace"] == g.namespace)
        }
        // A Gateway that names an existing gateway Service's address (Istio's manual deployment) is served by its
        // pods.
        if pods.isEmpty {
            let named = model.services.filter { svc in
                g.hostnameAddresses.contains {
                    $0 == "\(svc.name).\(svc.namespace).svc.cluster.local" || $0 == "\(svc.name).\(svc.namespace).svc"
                }
            }
            pods = w.indices.filter { i in named.contains { $0.selects(w[i]) } }
        }
        if pods.isEmpty, let controller, let shared = Self.sharedProxies[controller] {
            pods = w.indices.filter { w[$0].labels[shared.key].map(shared.values.contains) ?? false }
        }
        if !pods.isEmpty { return .pods(pods) }
        let classText =
            controller.map { "class \(g.className), controller \($0)" } ?? "class \(g.className), not in the input"
        if controller == "io.cilium/gateway-controller" {
            return .undecided(
                "Gateway \(g.id) (\(classText)) is served by Cilium's node proxies, which no pod of the input stands for; name its pods with --gateway-pods"
            )
        }
        return .undecided(
            "no pod of the input implements Gateway \(g.id) (\(classText)); name its pods with --gateway-pods \(g.id)=NS/WORKLOAD"
        )
    }

    /// The pod port a gateway pod listens on for a listener port, when no Service of the input publishes it: Envoy
    /// Gateway moves ports below 1024 up by 10000 (its proxies run unprivileged); the others listen on the port.
    func podPort(listener port: Int, gateway g: Gateway) -> Int {
        let controller = model.gatewayClasses.first { $0.name == g.className }?.controllerName
        return controller == "gateway.envoyproxy.io/gatewayclass-controller" && port < 1024 ? port + 10000 : port
    }
}

/// The Gateway API router of the end-to-end stage: gateway pods, their listener ports, and the route tables.
struct GatewayAPIRouter: EntryRouter {
    let mesh: MeshEvaluator
    let kind = EntryRouterKind.gatewayAPI
    var routing: GatewayAPIRouting {
        GatewayAPIRouting(model: mesh.evaluator.model, gatewayPods: mesh.evaluator.assumptions.gatewayPods)
    }
    var model: ClusterModel { mesh.evaluator.model }

    var proxies: [Int] {
        let r = routing
        return Array(
            Set(
                model.gateways.flatMap { g -> [Int] in
                    if case .pods(let p) = r.implementation(of: g) { return p }
                    return []
                })
        ).sorted()
    }

    /// The Gateways a pod implements, and the listener port behind a pod port (through the Services that select
    /// the pod, else the controller's port mapping).
    private func listenerPorts(of pi: Int, podPort: Int) -> [(Gateway, Int)] {
        let r = routing
        let w = model.workloads[pi]
        let e = mesh.evaluator.endpoints[pi]
        let servicePorts = model.services.filter { $0.selects(w) }.flatMap(\.ports).filter {
            $0.proto == .tcp || $0.proto == .udp
        }
        return model.gateways.flatMap { g -> [(Gateway, Int)] in
            guard case .pods(let pods) = r.implementation(of: g), pods.contains(pi) else { return [] }
            return Set(g.listeners.map(\.port)).sorted().compactMap { port in
                if let sp = servicePorts.first(where: { $0.port == port }) {
                    return e.resolve(sp.targetPort, proto: sp.proto) == podPort ? (g, port) : nil
                }
                return r.podPort(listener: port, gateway: g) == podPort ? (g, port) : nil
            }
        }
    }

    func listenPorts(proxy pi: Int) -> [Int] {
        let r = routing
        let w = model.workloads[pi]
        let published = Set(model.services.filter { $0.selects(w) }.flatMap(\.ports).map(\.port))
        return model.gateways.flatMap { g -> [Int] in
            guard case .pods(let pods) = r.implementation(of: g), pods.contains(pi) else { return [] }
            return g.listeners.map(\.port).filter { !published.contains($0) }.map {
                r.podPort(listener: $0, gateway: g)
            }
        }
    }

    func undecided(towards ti: Int) -> String? {
        let r = routing
        let w = model.workloads[ti]
        for g in model.gateways {
            guard case .undecided(let why) = r.implementation(of: g) else { continue }
            let leads = r.tables(of: g).contains { t in
                t.rules.contains { rule in
                    guard case .backends(let bs) = rule.outcome else { return false }
                    return bs.contains { b in
                        model.services.contains { "\($0.namespace)/\($0.name)" == b.service && $0.selects(w) }
                    }
                }
            }
            if leads { return why }
        }
        return nil
    }

    func routes(proxy pi: Int, port: Int, request: HTTPRequest?, via: RouteVia?) -> [(
        HTTPRequest, GatewayRouting.Outcome
    )] {
        let r = routing
        let found = listenerPorts(of: pi, podPort: port)
        if found.isEmpty {
            return [
                (
                    request ?? HTTPRequest(),
                    .notRouted(MeshStep("ROUTE", .deny, "no Gateway listener of this pod listens on pod port \(port)"))
                )
            ]
        }
        return found.flatMap { g, listenerPort -> [(HTTPRequest, GatewayRouting.Outcome)] in
            guard let table = r.tables(of: g).first(where: { $0.entry.hasSuffix(":\(listenerPort)") }) else {
                return []
            }
            if table.entry.hasPrefix("udp:") {
                return [
                    (
                        request ?? HTTPRequest(),
                        .unknown(
                            MeshStep(
                                "ROUTE", .unknown,
                                "Gateway \(g.id) port \(listenerPort) carries UDP, which end-to-end paths do not follow"
                            ))
                    )
                ]
            }
            return EntryRouters.outcomes(
                of: table, request: request, via: via, model: model,
                notRouted: { w in "no listener of Gateway \(g.id) on port \(listenerPort) accepts host \(w.host)" })
        }
    }
}
