import Foundation
import KubeModel
import Reachability
import SMT

/// One side of a `query`: a declared workload, a pod that could be created in a namespace, or external addresses.
public enum QueryEndpoint: Sendable {
    case workload(Int)
    /// A new pod in the namespace carrying at least `labels` (any others too).
    case hypothetical(namespace: String, labels: [String: String])
    case external(CIDR)
    /// A Service (index into the model's services): its backend pods, on translated ports.
    case service(Int)

    var isExternal: Bool { if case .external = self { true } else { false } }

    /// Reads `ns/workload`, `ns/pod` (a pod name generated from its workload's name), `ns/*` or `external:CIDR`.
    public static func parse(_ text: String, labels: [String: String], model: ClusterModel) throws -> QueryEndpoint {
        if text.hasPrefix("external:") {
            let cidrText = String(text.dropFirst("external:".count))
            switch CIDR.parse(addressOrCIDR: cidrText) {
            case .success(let c): return .external(c)
            case .failure(let problem): throw QueryError(problem.message)
            }
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3 && parts[1] == "svc" {
            guard let i = model.services.firstIndex(where: { $0.namespace == parts[0] && $0.name == parts[2] }) else {
                throw QueryError("no Service '\(parts[2])' in namespace \(parts[0])")
            }
            if !labels.isEmpty { throw QueryError("labels apply to a new pod (ns/*), not to a Service") }
            return .service(i)
        }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw QueryError("'\(text)' is not ns/workload, ns/pod, ns/*, ns/svc/name or external:CIDR")
        }
        let (ns, name) = (parts[0], parts[1])
        if name == "*" {
            // A namespace the input lacks may still be created: the pod is then in a new namespace of that name.
            if let problem = LabelSyntax.dnsLabelProblem(ns) { throw QueryError("namespace \(problem)") }
            return .hypothetical(namespace: ns, labels: labels)
        }
        guard model.namespaces[ns] != nil else { throw QueryError("no namespace '\(ns)' in the manifests") }
        if !labels.isEmpty { throw QueryError("labels apply to a new pod (ns/*), not to '\(text)'") }
        // A workload name, or a pod name as kubectl shows it: the workload's name, a dash and generated suffixes.
        if let i = ServiceStage.workload(ofPod: name, namespace: ns, model) { return .workload(i) }
        let known = model.workloads.filter { $0.namespace == ns }.map(\.name)
        throw QueryError(
            "no workload or pod '\(name)' in namespace \(ns)"
                + (known.isEmpty
                    ? ""
                    : " (workloads: \(known.prefix(10).joined(separator: ", "))\(known.count > 10 ? ", ..." : ""))"))
    }
}

public struct QueryError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// The answer to can-A-reach-B: one part per port range (and per source address group) whose verdict or deciding
/// rules differ, each with the endpoints it was decided for.
public struct QueryAnswer: Sendable {
    public struct Part: Sendable {
        public let verdict: FlowVerdict
        /// The connections (protocol and port range) this part covers.
        public let conns: ConnSet
        /// The concrete endpoints decided: a workload, the witness of a new pod, or the first address of a range.
        public let source: Endpoint
        public let destination: Endpoint
        /// The external address ranges this part covers (empty for pods), all treated alike by every policy.
        public let sourceRanges: [AddressRange]
        /// The Service port the part was addressed to, for a Service destination.
        public var via: String? = nil
        /// One flow of the part, with each side's deciding rule.
        public let witnessProto: FlowProtocol
        public let witnessPort: Int
        public let explanation: FlowExplanation
        /// At the mesh and end-to-end layers: the hops and mesh stages at the witness port.
        public var path: PathAnswer? = nil
    }
    public let from: String
    public let to: String
    public let parts: [Part]
    public let notes: [String]
    public let reason: String?
    public let layers: [Layer]
    public let profile: Profile
    public let assumptions: [String]
    /// Why the layer was chosen, when the query left it to the input (`AutoLayer`).
    public var layerReason: String? = nil

    public var verdict: FlowVerdict {
        if reason != nil { return .unknown }
        if parts.contains(where: { $0.verdict == .allowed }) { return .allowed }
        return parts.contains { $0.verdict == .unknown } ? .unknown : .denied
    }

    /// This policy-layer answer at a deeper layer that can only close more: allowed parts become undecided.
    func undecidedWhereAllowed(layers deeper: [Layer], because why: String) -> QueryAnswer {
        let undecided = parts.map { p -> Part in
            guard p.verdict == .allowed else { return p }
            var copy = Part(
                verdict: .unknown, conns: p.conns, source: p.source, destination: p.destination,
                sourceRanges: p.sourceRanges, witnessProto: p.witnessProto, witnessPort: p.witnessPort,
                explanation: p.explanation)
            copy.via = p.via
            return copy
        }
        let anyUndecided = undecided.contains { $0.verdict == .unknown }
        return QueryAnswer(
            from: from, to: to, parts: undecided, notes: notes + (anyUndecided ? [why] : []), reason: reason,
            layers: deeper, profile: profile, assumptions: assumptions)
    }
}

/// Answers can-A-reach-B. Declared workloads and external ranges are decided by the concrete evaluator; a new pod
/// with free labels is decided by Z3 over every label assignment, one witness per port range it can open.
public final class QueryEngine {
    let checker: ClaimChecker
    var evaluator: Evaluator { checker.evaluator }

    public init(checker: ClaimChecker) { self.checker = checker }

    public func answer(from: QueryEndpoint, fromText: String, to: QueryEndpoint, toText: String, ports: [PortSpec])
        -> QueryAnswer
    {
        let wanted = PortSpec.conns(ports)
        var notes: [String] = []
        for case .workload(let i) in [from, to] where evaluator.model.workloads[i].replicas == 0 {
            notes.append(
                "\(evaluator.model.workloads[i].id) has zero replicas: it has no pods, the answer is for a pod it would create"
            )
        }
        for case .hypothetical(let ns, _) in [from, to] where evaluator.model.namespaces[ns] == nil {
            notes.append(
                "namespace \(ns) is not in the input: the answer is for a pod in a new namespace of that name, with any labels its creator gives it"
            )
        }
        var parts: [QueryAnswer.Part] = []
        var reason: String?
        switch (from, to) {
        case _ where checker.unmodelledPolicyReason != nil:
            reason = checker.unmodelledPolicyReason
        case _ where checker.outsideAddressReason != nil && (from.isExternal || to.isExternal):
            reason = checker.outsideAddressReason
        case (.service, _):
            reason = "a Service is a destination: a connection's source is a pod or an address"
        case (_, .service(let i)):
            // Each backend on the target port its Service port translates to, answered as a pod destination.
            let svc = evaluator.model.services[i]
            let servicePorts = svc.ports(in: ports)
            if servicePorts.isEmpty {
                reason =
                    "Service \(svc.namespace)/\(svc.name) has no port in \(ports.map(\.description).joined(separator: ", "))"
            }
            switch ServiceStage.resolve(svc, ports: servicePorts, evaluator: evaluator) {
            case .unresolvable(let why): reason = why
            case .backends(let backends):
                if backends.isEmpty && reason == nil {
                    reason = "Service \(svc.namespace)/\(svc.name) selects no pod on those ports"
                }
                for b in backends {
                    let sub = answer(
                        from: from, fromText: fromText, to: .workload(b.endpoint), toText: toText,
                        ports: [PortSpec(proto: b.proto, range: b.targetPort...b.targetPort)])
                    if reason == nil { reason = sub.reason }
                    notes += sub.notes.filter { !notes.contains($0) }
                    parts += sub.parts.map {
                        var p = $0
                        p.via = "Service \(svc.namespace)/\(svc.name) \(b.proto.rawValue)/\(b.servicePort)"
                        return p
                    }
                }
            }
        case (.external, .external):
            reason = "neither endpoint is a pod: traffic between external addresses never meets cluster policy"
        case (.hypothetical, _), (_, .hypothetical):
            (parts, reason) = solve(from, to, wanted)
        case (.external(let c), _):
            let segments = evaluator.externalSegments(of: c)
            let assumptions = evaluator.assumptions
            let insideCluster = (assumptions.podCIDRs + assumptions.serviceCIDRs).filter {
                $0.contains(c) || c.contains($0)
            }
            if !assumptions.ipFamilies.contains(c.family) {
                reason =
                    "\(c) is an \(c.family.rawValue) range and the cluster description uses only "
                    + "\(assumptions.ipFamilies.map(\.rawValue).joined(separator: ", ")) (A-IP-FAMILIES)"
            } else if segments.isEmpty {
                reason = "\(c) lies inside the pod or Service network; an external client cannot have such an address"
            } else if !insideCluster.isEmpty {
                notes.append(
                    "addresses of \(c) inside the pod or Service network are not external clients and were left out")
            }
            let destination = endpoint(to)
            // Address ranges the policies treat alike are answered once.
            var groups: [(ranges: [AddressRange], allowed: ConnSet)] = []
            for segment in segments {
                let allowed = evaluator.connections(from: .external(segment), to: destination).intersection(wanted)
                if let i = groups.firstIndex(where: { $0.allowed == allowed }) {
                    groups[i].ranges.append(segment)
                } else {
                    groups.append(([segment], allowed))
                }
            }
            for g in groups {
                let first = g.ranges[0]
                parts += split(
                    source: .external(AddressRange(first.first)), destination: destination,
                    allowed: g.allowed, wanted: wanted, sourceRanges: g.ranges)
            }
        default:
            let s = endpoint(from)
            let d = endpoint(to)
            parts = split(source: s, destination: d, allowed: evaluator.connections(from: s, to: d), wanted: wanted)
            if evaluator.hasAdminTies {
                let (lower, upper) = evaluator.connectionBounds(from: s, to: d)
                if !upper.subtracting(lower).intersection(wanted).isEmpty {
                    reason =
                        "AdminNetworkPolicies that share a priority disagree on \(upper.subtracting(lower).intersection(wanted)): their order is undefined (A-ANP-TIE)"
                }
            }
        }
        if case .workload(let a) = from, case .workload(let b) = to, a == b {
            notes.append(
                "source and destination are the same workload: a pod's traffic to itself is never filtered; the answer is for two of its replicas"
            )
        }
        // Allowed ranges first; otherwise protocol order.
        let ordered = parts.enumerated().sorted { a, b in
            let (x, y) = (a.element.verdict == .allowed ? 0 : 1, b.element.verdict == .allowed ? 0 : 1)
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        return QueryAnswer(
            from: fromText, to: toText, parts: ordered, notes: notes, reason: reason, layers: [.netpol],
            profile: checker.profile, assumptions: evaluator.describedAssumptions)
    }

    func endpoint(_ q: QueryEndpoint) -> Endpoint {
        switch q {
        case .workload(let i): return .pod(evaluator.endpoints[i])
        case .external(let c): return .external(AddressRange(c))
        case .service: preconditionFailure("a Service destination is answered backend by backend")
        case .hypothetical(let ns, let labels):
            let declared = evaluator.model.namespaces[ns]
            return .pod(
                PodEndpoint(
                    namespace: ns, namespaceLabels: declared?.labels ?? ["kubernetes.io/metadata.name": ns],
                    labels: labels, inNewNamespace: declared == nil))
        }
    }

    /// Splits the wanted connections into allowed and denied port ranges, explains each at its first port, and
    /// joins the ranges whose verdict and deciding rules are the same.
    func split(
        source: Endpoint, destination: Endpoint, allowed: ConnSet, wanted: ConnSet, sourceRanges: [AddressRange] = []
    ) -> [QueryAnswer.Part] {
        var parts: [QueryAnswer.Part] = []
        func add(_ verdict: FlowVerdict, _ conns: ConnSet, _ proto: FlowProtocol, _ port: Int) {
            let why = evaluator.explain(from: source, to: destination, proto: proto, port: port)
            if let i = parts.firstIndex(where: { $0.verdict == verdict && $0.explanation == why }) {
                let p = parts[i]
                parts[i] = QueryAnswer.Part(
                    verdict: verdict, conns: p.conns.union(conns), source: source, destination: destination,
                    sourceRanges: sourceRanges, witnessProto: p.witnessProto, witnessPort: p.witnessPort,
                    explanation: why)
            } else {
                parts.append(
                    QueryAnswer.Part(
                        verdict: verdict, conns: conns, source: source, destination: destination,
                        sourceRanges: sourceRanges, witnessProto: proto, witnessPort: port, explanation: why))
            }
        }
        for (verdict, set) in [
            (FlowVerdict.allowed, allowed.intersection(wanted)), (.denied, wanted.subtracting(allowed)),
        ] {
            for proto in L4Protocol.allCases {
                for range in set[proto].ranges {
                    add(verdict, ConnSet(proto, PortRanges([range])), FlowProtocol(proto), range.lowerBound)
                }
            }
            if set.other { add(verdict, ConnSet(other: true), .other, 0) }
        }
        return parts
    }

    /// A new pod on either side: ask Z3 for a label assignment that opens a still-unexplained connection, take its
    /// concrete connections as one witness, and repeat until the rest is proved closed for every assignment.
    func solve(_ from: QueryEndpoint, _ to: QueryEndpoint, _ wanted: ConnSet) -> ([QueryAnswer.Part], String?) {
        func selector(_ q: QueryEndpoint) -> EndpointSelector {
            var s = EndpointSelector(location: SourceLocation(file: "<query>", line: 0))
            switch q {
            case .workload(let i): s.workload = evaluator.model.workloads[i].id
            case .external(let c): s.external = c
            case .service(let i):
                s.service = "\(evaluator.model.services[i].namespace)/\(evaluator.model.services[i].name)"
            case .hypothetical(let ns, let labels):
                s.namespace = ns
                if !labels.isEmpty { s.podSelector = LabelSelector(matchLabels: labels) }
                s.universe = .any
            }
            return s
        }
        let (fromSelector, toSelector) = (selector(from), selector(to))
        // A namespace the input lacks joins the name vocabulary, so that the new namespace can carry its name.
        let newNamespaces = [fromSelector, toSelector].compactMap(\.namespace).filter {
            evaluator.model.namespaces[$0] == nil
        }
        let search = WitnessSearch(
            evaluator: evaluator, extraPodSelectors: [fromSelector, toSelector].compactMap(\.podSelector),
            extraNamespaceSelectors: newNamespaces.map {
                LabelSelector(matchLabels: ["kubernetes.io/metadata.name": $0])
            })
        search.assert(
            checker.member(
                fromSelector, search.source, in: search, hypothetical: fromSelector.universe == .any, onlyNew: true)
        )
        search.assert(
            checker.member(
                toSelector, search.destination, in: search, hypothetical: toSelector.universe == .any,
                onlyNew: true))
        search.assert(search.admitted)
        // A witness is a flow the evaluator opens between endpoints the selectors still select once simplified.
        func opens(_ s: Endpoint, _ d: Endpoint, _ p: FlowProtocol, _ port: Int) -> Bool {
            let members = [(fromSelector, s), (toSelector, d)].allSatisfy { sel, e in
                if case .pod(let pod) = e, pod.workload == nil { return sel.selects(pod) }
                return true
            }
            return members && evaluator.connections(from: s, to: d).contains(p, port)
        }
        var parts: [QueryAnswer.Part] = []
        var open = ConnSet.none
        // Each round finds a connection no earlier witness opens, so the loop ends within the number of distinct
        // rule outcomes; the bound only guards against a disagreement between solver and evaluator.
        for _ in 0..<64 {
            let remaining = wanted.subtracting(open)
            if remaining.isEmpty { return (parts, nil) }
            switch search.next(
                within: search.encoder.inConns(remaining, search.flow), timeout: checker.timeout, holds: opens)
            {
            case .unknown(let why):
                return (parts, why)
            case .none:
                // Proved: no label assignment opens the rest. Explain it for the pod with exactly the given labels.
                let denied = split(source: endpoint(from), destination: endpoint(to), allowed: .none, wanted: remaining)
                return (parts + denied, nil)
            case .witness(let w):
                let allowed = evaluator.connections(from: w.source, to: w.destination).intersection(remaining)
                parts += split(source: w.source, destination: w.destination, allowed: allowed, wanted: allowed)
                open = open.union(allowed)
            }
        }
        return (parts, "more than 64 distinct witnesses; narrow the query with --port or labels")
    }
}

/// A request from outside through the ingress-nginx controller, hop by hop.
public struct IngressPathAnswer: Sendable {
    public struct Hop: Sendable {
        public let title: String
        public let answer: QueryAnswer
    }
    public let route: String?
    public let hops: [Hop]
    public let reason: String?
    public var notes: [String] = []

    public var verdict: FlowVerdict {
        if reason != nil { return .unknown }
        if hops.contains(where: { $0.answer.verdict == .unknown }) { return .unknown }
        return hops.count == 2 && hops.allSatisfy { $0.answer.verdict == .allowed } ? .allowed : .denied
    }
}

extension QueryEngine {
    /// External client -> controller (its Service when one publishes the port) -> Ingress routing by host and
    /// path -> backend Service -> backend pods, with the controller pod as the source of the second hop.
    public func throughIngress(
        from: QueryEndpoint, fromText: String, to service: Int, host: String?, path: String,
        clientPort: PortSpec, controller explicit: Int?
    ) -> IngressPathAnswer {
        let model = evaluator.model
        let target = model.services[service]
        let controllers = explicit.map { [$0] } ?? IngressNginxRouter.controllers(model)
        guard let controller = controllers.first else {
            return IngressPathAnswer(
                route: nil, hops: [],
                reason:
                    "no ingress-nginx controller workload found (labels app.kubernetes.io/name=ingress-nginx, component controller); name it with --ingress-controller"
            )
        }
        let ingresses = IngressNginxRouter.nginxIngresses(model)
        let route: IngressNginxRouter.Route
        switch IngressNginxRouter.route(ingresses, host: host, path: path) {
        case .route(let found): route = found
        case .unknown(let why): return IngressPathAnswer(route: nil, hops: [], reason: why)
        case .none:
            return IngressPathAnswer(
                route:
                    "no Ingress rule matches host \(host ?? "(none)") path \(path): the controller answers 404 itself",
                hops: [], reason: nil)
        }
        let routeText =
            "Ingress \(route.ingress.namespace)/\(route.ingress.name) (\(route.ingress.location)): \(route.match) -> Service \(route.ingress.namespace)/\(route.backend.service ?? "(resource backend)")"
        guard let backendName = route.backend.service, route.ingress.namespace == target.namespace,
            backendName == target.name
        else {
            return IngressPathAnswer(
                route: routeText + ", not \(target.namespace)/\(target.name)", hops: [], reason: nil)
        }
        // Hop 1: the client to the controller, through the Service that publishes the client's port when there is one.
        let cw = model.workloads[controller]
        let published = model.services.indices.first {
            model.services[$0].selects(cw) && !model.services[$0].ports(in: [clientPort]).isEmpty
        }
        let hop1 = answer(
            from: from, fromText: fromText, to: published.map { .service($0) } ?? .workload(controller),
            toText: published.map { "\(model.services[$0].namespace)/svc/\(model.services[$0].name)" } ?? cw.id,
            ports: [clientPort])
        var notes: [String] = []
        if let i = published, model.services[i].externalTrafficPolicy != "Local", case .external(let c) = from {
            // externalTrafficPolicy Cluster: the node forwarding the packet rewrites its source to a node address,
            // decided as the end-to-end stage decides every entry through such a Service.
            let port =
                evaluator.endpoints[controller].resolve(
                    model.services[i].ports(in: [clientPort])[0].targetPort, proto: clientPort.proto)
                ?? clientPort.range.lowerBound
            let entry = checker.layered.endToEnd.entryHop(
                from: .external(AddressRange(c.first)), to: controller, port: port, request: nil)
            if entry.verdict == .unknown, let why = entry.mesh.reason {
                return IngressPathAnswer(
                    route: nil, hops: [.init(title: "client -> controller", answer: hop1)], reason: why)
            }
            notes.append(
                "externalTrafficPolicy Cluster: the controller sees a node address instead of the client's, and its policies treat it alike"
            )
        }
        // Hop 2: the controller pod opens the upstream connection to the backend Service's port.
        guard let sp = route.backend.servicePort(of: target) else {
            return IngressPathAnswer(
                route: routeText, hops: [.init(title: "client -> controller", answer: hop1)],
                reason:
                    "Service \(target.namespace)/\(target.name) has no port \(route.backend.port.map { "\($0)" } ?? "")"
            )
        }
        let hop2 = answer(
            from: .workload(controller), fromText: cw.id, to: .service(service),
            toText: "\(target.namespace)/svc/\(target.name)",
            ports: [PortSpec(proto: sp.proto, range: sp.port...sp.port)])
        return IngressPathAnswer(
            route: routeText,
            hops: [
                .init(title: "client -> controller", answer: hop1), .init(title: "controller -> backend", answer: hop2),
            ],
            reason: nil, notes: notes)
    }
}

extension QueryEngine {
    /// can-A-reach-B at the mesh or end-to-end layer: the NetworkPolicy answer refined, port range by port range, by
    /// the Istio stages (and, end to end, by the routes through ingress proxies), for one request or any.
    public func answerLayered(
        from: QueryEndpoint, fromText: String, to: QueryEndpoint, toText: String, ports: [PortSpec],
        layer: Layer, request: HTTPRequest?, via: RouteVia? = nil
    ) -> QueryAnswer {
        let model = evaluator.model
        var parts: [QueryAnswer.Part] = []
        var reason: String?
        var notes: [String] = []
        // Destinations with the connections asked about: a pod, a Service's backends on their target ports, or the
        // address ranges of an external CIDR (egress leaves through the client's sidecar, §7.9).
        var destinations: [(endpoint: Endpoint, index: Int?, wanted: ConnSet, via: String?)] = []
        switch to {
        case .workload(let i): destinations = [(.pod(evaluator.endpoints[i]), i, PortSpec.conns(ports), nil)]
        case .external(let c):
            destinations = evaluator.externalSegments(of: c).map { (.external($0), nil, PortSpec.conns(ports), nil) }
            if case .external = from { reason = "both ends are external addresses: no cluster policy applies" }
        case .service(let i):
            let svc = model.services[i]
            switch ServiceStage.resolve(svc, ports: svc.ports(in: ports), evaluator: evaluator) {
            case .unresolvable(let why): reason = why
            case .backends(let backends):
                if backends.isEmpty { reason = "Service \(svc.namespace)/\(svc.name) selects no pod on those ports" }
                destinations = backends.map {
                    (
                        .pod(evaluator.endpoints[$0.endpoint]), $0.endpoint,
                        ConnSet($0.proto, PortRanges([$0.targetPort...$0.targetPort])),
                        "Service \(svc.namespace)/\(svc.name) \($0.proto.rawValue)/\($0.servicePort)"
                    )
                }
            }
        default:
            reason =
                "at the \(layer.rawValue) layer the destination is a declared workload, a Service or external addresses"
        }
        var sources: [(Endpoint, [AddressRange])] = []
        switch from {
        case .workload(let i): sources = [(.pod(evaluator.endpoints[i]), [])]
        case .external(let c): sources = evaluator.externalSegments(of: c).map { (.external($0), [$0]) }
        default:
            reason =
                reason
                ?? "at the \(layer.rawValue) layer the source is a declared workload or external addresses: a pod that could be created may run any service account and sidecar setting"
        }
        if let why = checker.unmodelledPolicyReason { reason = why }
        if let why = checker.outsideAddressReason, from.isExternal || to.isExternal { reason = why }
        if reason == nil {
            for (s, ranges) in sources {
                for dest in destinations {
                    let d = dest.endpoint
                    let reach = checker.layered.reach(
                        s, d, dest.wanted, layer: layer, request: request, via: via)
                    let denied = dest.wanted.subtracting(reach.open).subtracting(reach.undecided)
                    for (verdict, set) in [
                        (FlowVerdict.allowed, reach.open), (.unknown, reach.undecided), (.denied, denied),
                    ] {
                        for proto in L4Protocol.allCases {
                            for range in set[proto].ranges {
                                // The mesh splits a pod's TCP ports where its decisions may change.
                                let pieces =
                                    proto == .tcp
                                    ? dest.index.map { checker.layered.mesh.pieces(of: range, at: $0) } ?? [range]
                                    : [range]
                                for piece in pieces {
                                    let p = FlowProtocol(proto)
                                    var part = QueryAnswer.Part(
                                        verdict: verdict, conns: ConnSet(proto, PortRanges([piece])), source: s,
                                        destination: d,
                                        sourceRanges: ranges, witnessProto: p, witnessPort: piece.lowerBound,
                                        explanation: evaluator.explain(from: s, to: d, proto: p, port: piece.lowerBound)
                                    )
                                    part.via = dest.via
                                    part.path = checker.layered.path(
                                        s, d, p, piece.lowerBound, layer: layer, request: request, via: via)
                                    parts.append(part)
                                }
                            }
                        }
                        if set.other {
                            parts.append(
                                QueryAnswer.Part(
                                    verdict: verdict, conns: ConnSet(other: true), source: s, destination: d,
                                    sourceRanges: ranges,
                                    witnessProto: .other, witnessPort: 0,
                                    explanation: evaluator.explain(from: s, to: d, proto: .other, port: 0)))
                        }
                    }
                    if !reach.undecided.isEmpty, let why = reach.reason { notes.append(why) }
                }
            }
        }
        if case .workload(let a) = from, case .workload(let b) = to, a == b {
            notes.append(
                "source and destination are the same workload: a pod's traffic to itself is never filtered; the answer is for two of its replicas"
            )
        }
        let ordered = parts.enumerated().sorted { a, b in
            let rank: (FlowVerdict) -> Int = { $0 == .allowed ? 0 : $0 == .unknown ? 1 : 2 }
            return rank(a.element.verdict) != rank(b.element.verdict)
                ? rank(a.element.verdict) < rank(b.element.verdict) : a.offset < b.offset
        }.map(\.element)
        return QueryAnswer(
            from: fromText, to: toText, parts: ordered, notes: notes, reason: reason,
            layers: layer.included,
            profile: checker.profile, assumptions: evaluator.describedAssumptions)
    }
}

/// One `query` as asked: endpoints as written, ports, the layer and the request.
public struct QueryRequest: Sendable {
    public var from: String
    public var to: String
    public var fromLabels: [String: String] = [:]
    public var toLabels: [String: String] = [:]
    /// Empty: every protocol and port.
    public var ports: [PortSpec] = []
    /// nil: the deepest layer the input exercises (`AutoLayer`).
    public var layer: Layer?
    /// Method, host and path of an HTTP request; nil when none was given.
    public var request: HTTPRequest?
    /// The route paths must take (end-to-end layer); nil: any.
    public var via: RouteVia?
    /// The ingress controller workload (`ns/name`) for a netpol-layer request through it, when its labels are not
    /// the chart's.
    public var ingressController: String?

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}

/// A query's answer: flows between two endpoints, or a request followed hop by hop through the ingress controller.
public enum QueryResult: Sendable {
    case flows(QueryAnswer)
    case throughIngress(IngressPathAnswer)

    public var verdict: FlowVerdict {
        switch self {
        case .flows(let a): return a.verdict
        case .throughIngress(let a): return a.verdict
        }
    }
}

extension QueryEngine {
    /// Answers a query with the engine its layer and request call for: the policy layer's flows, the same refined
    /// by the mesh and proxies, or a request through the ingress-nginx controller at the netpol layer.
    public func ask(_ q: QueryRequest) throws -> QueryResult {
        let model = evaluator.model
        let source = try QueryEndpoint.parse(q.from, labels: q.fromLabels, model: model)
        let destination = try QueryEndpoint.parse(q.to, labels: q.toLabels, model: model)
        if let path = q.request?.path, !path.hasPrefix("/") {
            throw QueryError("--path: a request path begins with '/'")
        }
        // Left to the input: the deepest layer it exercises, except for a request by host and path, which (as at the
        // netpol layer) is followed hop by hop through the ingress controller from the port it enters on.
        let hostOrPath = q.request?.host != nil || q.request?.path != nil
        var (layer, layerReason): (Layer, String?) = (q.layer ?? .netpol, nil)
        var notes: [String] = []
        if let via = q.via {
            if let problem = via.problem(in: model) { throw QueryError("--via: \(problem.message)") }
            guard q.layer == nil || q.layer == .endToEnd else {
                throw QueryError("--via pins a route: it needs --layer end-to-end")
            }
            (layer, layerReason) = (.endToEnd, "the question pins a route (--via)")
        } else if q.layer == nil && hostOrPath && q.request?.method == nil {
            if checker.autoLayer.layer > .netpol {
                notes.append(
                    "followed through the ingress controller at the netpol layer; this input exercises the \(checker.autoLayer.layer.rawValue) layer (\(checker.autoLayer.reason)): --layer end-to-end with the Service's port adds it"
                )
            }
        } else if q.layer == nil {
            (layer, layerReason) = checker.autoLayer.layer(throughProxy: false, httpRequest: q.request?.method != nil)
        }
        func chosen(_ answer: QueryAnswer) -> QueryResult {
            var answer = answer
            answer.layerReason = layerReason
            return .flows(answer)
        }
        let newPod = [source, destination].contains { if case .hypothetical = $0 { true } else { false } }
        if layer == .mesh && newPod && q.request == nil {
            // A pod that could be created may run any service account, with or without a sidecar: the mesh can only
            // close what the policies open, so their denials stand and their allowances are undecided. (End to end a
            // proxy can add a route, so there the policies' denials do not stand.)
            return chosen(
                answer(from: source, fromText: q.from, to: destination, toText: q.to, ports: q.ports)
                    .undecidedWhereAllowed(
                        layers: layer.included,
                        because:
                            "the policies admit it; at the \(layer.rawValue) layer a pod that could be created may run any service account and sidecar setting, so its mesh decision is not known"
                    ))
        }
        if layer != .netpol {
            if q.ingressController != nil {
                throw QueryError(
                    "--ingress-controller is for netpol-layer requests; the end-to-end layer finds the proxies itself")
            }
            return chosen(
                answerLayered(
                    from: source, fromText: q.from, to: destination, toText: q.to, ports: q.ports, layer: layer,
                    request: q.request, via: q.via))
        }
        if q.request?.method != nil {
            throw QueryError("--method is decided at the mesh or end-to-end layer (--layer mesh)")
        }
        guard q.request != nil || q.ingressController != nil else {
            return chosen(answer(from: source, fromText: q.from, to: destination, toText: q.to, ports: q.ports))
        }
        // A request through the ingress controller: hop by hop.
        guard case .service(let svc) = destination else {
            throw QueryError("--host/--path follow a request to a Service: use --to ns/svc/name")
        }
        var controller: Int?
        if let name = q.ingressController {
            guard let i = model.workloads.firstIndex(where: { $0.id == name }) else {
                throw QueryError("--ingress-controller: no workload '\(name)'")
            }
            controller = i
        }
        guard q.ports.count <= 1 else {
            throw QueryError("a request through the ingress enters on one port (--port TCP/80 or TCP/443)")
        }
        var hops = throughIngress(
            from: source, fromText: q.from, to: svc, host: q.request?.host, path: q.request?.path ?? "/",
            clientPort: q.ports.first ?? PortSpec(proto: .tcp, range: 80...80), controller: controller)
        hops.notes += notes
        return .throughIngress(hops)
    }
}
