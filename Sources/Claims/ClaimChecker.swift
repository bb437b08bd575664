import Foundation
import KubeModel
import Reachability
import SMT

public enum Verdict: String, Sendable, Codable {
    case proved = "PROVED"
    case refuted = "REFUTED"
    case unknown = "UNKNOWN"
}

/// One concrete flow that refutes a claim, with the rule each side decided by.
public struct Counterexample: Sendable {
    public let source: Endpoint
    public let destination: Endpoint
    public let proto: FlowProtocol
    public let port: Int
    public let explanation: FlowExplanation
    /// The Service port the flow was addressed to, when the claim's destination is a Service.
    public var via: String? = nil
    /// At the mesh and end-to-end layers: the hops of the flow with their mesh stages.
    public var path: PathAnswer? = nil
    /// Why the flow refutes the claim when it is not simply admitted or denied (`admitted without mutual TLS`).
    public var note: String? = nil
}

public struct ClaimResult: Sendable {
    public let claim: Claim
    public let verdict: Verdict
    /// Why the verdict is UNKNOWN, or a note on a PROVED/REFUTED one.
    public let reason: String?
    public let counterexamples: [Counterexample]
    /// For `only` claims: every source that can open a connection (claimed or not), sorted.
    public let admittedSources: [String]
    public let layer: Layer
    public let profile: Profile
    public let assumptions: [String]
    public let seconds: Double
    /// Why the layer was chosen, when the claim and the command left it to the input (`AutoLayer`).
    public var layerReason: String? = nil
}

/// Checks claims: the negated claim is handed to Z3 (QF_BV); a model is decoded into a concrete flow and
/// replayed through the evaluator, which names the deciding rules. PROVED is printed only for an UNSAT answer.
public final class ClaimChecker {
    public let evaluator: Evaluator
    /// The profile of the evaluator's assumptions: one value carries both.
    public var profile: Profile { evaluator.assumptions.profile }
    /// Seconds per solver call.
    public let timeout: Double
    public let maxCounterexamples: Int
    /// Evaluate every claim at this layer instead of its own (`check --layer`).
    public let layerOverride: Layer?
    /// The layer for claims that name none, chosen from the input.
    public let autoLayer: AutoLayer
    /// Decide every claim with Z3, also those enumeration decides (the tests cross-check the two paths).
    var solverOnly = false
    /// Encode only the NetworkPolicies that can select each side (the tests compare it with the full encoding).
    var slicedEncoding = true

    public init(
        model: ClusterModel, assumptions: Assumptions, timeout: Double = 30,
        maxCounterexamples: Int = 20, layerOverride: Layer? = nil
    ) {
        self.layerOverride = layerOverride
        evaluator = Evaluator(model: model, assumptions: assumptions)
        layered = LayeredReach(evaluator: evaluator)
        autoLayer = AutoLayer(model: model)
        unmodelledPolicyReason = PolicySet.undecidableReason(model, evaluator.policies)
        outsideAddressReason = PolicySet.outsideAddressReason(model)
        self.timeout = timeout
        self.maxCounterexamples = maxCounterexamples
    }

    /// A second checker over the same evaluator and endpoint classes, with memos of its own (for another thread).
    init(sharing other: ClaimChecker) {
        evaluator = other.evaluator
        timeout = other.timeout
        maxCounterexamples = other.maxCounterexamples
        layerOverride = other.layerOverride
        autoLayer = other.autoLayer
        unmodelledPolicyReason = other.unmodelledPolicyReason
        outsideAddressReason = other.outsideAddressReason
        solverOnly = other.solverOnly
        slicedEncoding = other.slicedEncoding
        layered = LayeredReach(sharing: other.layered)
    }

    /// Checks claims on every core: claims are independent, and each thread keeps its own memos (the evaluator's
    /// cache is shared and locked). Results come back in the claims' order.
    public func check(
        all claims: [Claim], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: ((Int) -> Void)? = nil
    ) -> [ClaimResult] {
        let n = max(1, min(threads, claims.count))
        // Claims about who may reach a workload visit every class of the cluster: their destinations get the class
        // matrix, computed once for all of them.
        layered.prepareMatrix(towards: claims.filter { $0.kind == .only }.flatMap { targets($0).map(\.endpoint) })
        if n == 1 {
            return claims.enumerated().map { i, claim in
                defer { progress?(i + 1) }
                return check(claim)
            }
        }
        _ = layered.classes  // computed once, before the workers share it
        let workers = [self] + (1..<n).map { _ in ClaimChecker(sharing: self) }
        var results = [ClaimResult?](repeating: nil, count: claims.count)
        let lock = NSLock()
        var done = 0
        DispatchQueue.concurrentPerform(iterations: n) { w in
            for i in stride(from: w, to: claims.count, by: n) {
                let r = workers[w].check(claims[i])
                lock.lock()
                results[i] = r
                done += 1
                progress?(done)
                lock.unlock()
            }
        }
        return results.map { $0! }
    }

    var model: ClusterModel { evaluator.model }

    /// What each layer admits between two endpoints: the engine every claim asks.
    public let layered: LayeredReach
    var mesh: MeshEvaluator { layered.mesh }
    var endToEnd: EndToEndStage { layered.endToEnd }
    var classes: EndpointClasses { layered.classes }

    func connections(_ s: Endpoint, _ d: Endpoint) -> ConnSet { layered.connections(s, d) }

    /// Set when the input holds policy objects of a CNI's own API: they can allow or deny what Kubernetes policy
    /// decides, so no verdict computed without them is sound.
    /// Computed once, for every claim reads it and it looks at every workload.
    public let unmodelledPolicyReason: String?
    /// Why flows with an outside address at one end are not decided, if so (`PolicySet.outsideAddressReason`).
    public let outsideAddressReason: String?

    /// Declared endpoints that exist (A-ZERO-REPLICAS: a workload with zero replicas has no pods).
    func declared(_ s: EndpointSelector) -> [Int] {
        evaluator.liveEndpoints.filter { s.selects(evaluator.endpoints[$0]) }
    }

    /// Claims naming namespaces or workloads that do not exist, or selecting no destination pod, are input errors.
    /// Parses, validates and checks claims files; the input errors of every file are thrown together, before any
    /// claim is checked.
    public func check(files paths: [String], progress: ((Int) -> Void)? = nil) throws -> [ClaimResult] {
        var files: [ClaimsFile] = []
        var errors: [InputError] = []
        for path in paths {
            let (file, fileErrors) = ClaimsParser.load(path)
            errors += fileErrors
            if let file {
                errors += validate(file)
                files.append(file)
            }
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return check(all: files.flatMap(\.claims), progress: progress)
    }

    public func validate(_ file: ClaimsFile) -> [InputError] {
        var errors: [InputError] = []
        for claim in file.claims {
            for s in claim.from + [claim.to] {
                if let w = s.workload, model.workload(w) == nil {
                    errors.append(InputError(s.location, s.path + ".workload", "no workload '\(w)' in the manifests"))
                }
                if let ns = s.namespace, model.namespaces[ns] == nil {
                    errors.append(
                        InputError(s.location, s.path + ".namespace", "no namespace '\(ns)' in the manifests"))
                }
            }
            if let entry = claim.entry, service(entry.service) == nil {
                errors.append(
                    InputError(
                        entry.location, entry.path + ".service", "no Service '\(entry.service)' in the manifests"))
            }
            if let problem = claim.via?.problem(in: model) {
                errors.append(InputError(claim.location, "via.\(problem.field)", problem.message))
            }
            if let id = claim.to.service {
                guard let svc = service(id) else {
                    errors.append(
                        InputError(claim.to.location, claim.to.path + ".service", "no Service '\(id)' in the manifests")
                    )
                    continue
                }
                let unmatched = claim.ports.filter { svc.ports(in: [$0]).isEmpty }
                for spec in unmatched {
                    errors.append(
                        InputError(
                            claim.to.location, claim.to.path + ".service",
                            "Service \(id) has no port in \(spec) (its ports: \(svc.ports.map { "\($0.proto.rawValue)/\($0.port)" }.joined(separator: ", ")))"
                        ))
                }
                if unmatched.isEmpty && !claim.allowEmpty, case .backends(let b)? = serviceBackends(claim), b.isEmpty {
                    errors.append(
                        InputError(
                            claim.to.location, claim.to.path,
                            "Service \(id) selects no pod on those ports (set allowEmpty: true if that is intended)"))
                }
                continue
            }
            // Sources too: a claim about no source (a label typo, a namespace no pod lives in) holds vacuously.
            for s in claim.from
            where !claim.allowEmpty && s.universe == .existing && s.external == nil && declared(s).isEmpty
                && (s.workload.map { model.workload($0) != nil } ?? true)
                && (s.namespace.map { model.namespaces[$0] != nil } ?? true)
            {
                errors.append(
                    InputError(s.location, s.path, "selects no existing pod (set allowEmpty: true if that is intended)")
                )
            }
            // An external CIDR of a family the cluster does not use, or inside its pod or Service network, holds no
            // outside client or destination.
            for s in claim.from + [claim.to] where !claim.allowEmpty {
                guard let c = s.external, evaluator.externalSegments(of: c).isEmpty else { continue }
                let families = evaluator.assumptions.ipFamilies.map(\.rawValue).joined(separator: ",")
                let why =
                    evaluator.assumptions.ipFamilies.contains(c.family)
                    ? "lies inside the pod or Service network"
                    : "is \(c.family.rawValue) and the cluster uses \(families) only (A-IP-FAMILIES)"
                errors.append(
                    InputError(
                        s.location, s.path + ".external",
                        "\(c) holds no external address: it \(why) (set allowEmpty: true if that is intended)"))
            }
            if !claim.allowEmpty && claim.to.universe == .existing && claim.to.external == nil
                && declared(claim.to).isEmpty
            {
                errors.append(
                    InputError(
                        claim.to.location, claim.to.path, "selects no pod (set allowEmpty: true if that is intended)"))
            }
        }
        return errors
    }

    func service(_ id: String) -> Service? { model.services.first { "\($0.namespace)/\($0.name)" == id } }

    /// For a Service destination: its backends on the claim's ports, or why it cannot be followed; nil otherwise.
    func serviceBackends(_ claim: Claim) -> ServiceStage.Resolution? {
        guard let id = claim.to.service else { return nil }
        guard let svc = service(id) else { return .unresolvable("no Service \(id)") }
        return ServiceStage.resolve(svc, ports: svc.ports(in: claim.ports), evaluator: evaluator)
    }

    public func check(_ claim: Claim) -> ClaimResult {
        let (layer, why) = layer(of: claim)
        var result = check(claim, at: layer)
        result.layerReason = why
        return result
    }

    /// The layer a claim is checked at, and why when it was chosen rather than asked for: `--layer`, else the
    /// claim's own, else the deepest the input exercises (end to end for a pinned route).
    public func layer(of claim: Claim) -> (layer: Layer, reason: String?) {
        if let fixed = layerOverride ?? claim.layer { return (fixed, nil) }
        let chosen = autoLayer.layer(
            throughProxy: claim.entry != nil || claim.via != nil,
            httpRequest: claim.request != nil || claim.mtlsRequired)
        return (chosen.layer, chosen.reason)
    }

    func check(_ claim: Claim, at layer: Layer) -> ClaimResult {
        let start = Date()
        func result(_ v: Verdict, _ reason: String?, _ cex: [Counterexample] = [], admitted: [String] = [])
            -> ClaimResult
        {
            ClaimResult(
                claim: claim, verdict: v, reason: reason, counterexamples: cex, admittedSources: admitted, layer: layer,
                profile: profile, assumptions: evaluator.describedAssumptions,
                seconds: Date().timeIntervalSince(start))
        }
        if let reason = unmodelledPolicyReason { return result(.unknown, reason) }
        // An outside address at one end: named, entering through a Service, or among the others an `only` claim asks
        // about.
        if let reason = outsideAddressReason,
            claim.kind == .only || claim.entry != nil || claim.to.external != nil
                || claim.from.contains(where: { $0.external != nil })
        {
            return result(.unknown, reason)
        }
        let existingOnly =
            claim.from.allSatisfy({ $0.universe == .existing }) && claim.to.universe == .existing
            && (claim.kind != .only || claim.outsideUniverse == .existing)
        var entry: EndToEndStage.Entry?
        if let e = claim.entry, let svc = service(e.service) {
            let ports = svc.ports.filter { sp in
                sp.proto == .tcp && (e.port.map { sp.port == $0 } ?? true)
                    && (e.nodePort.map { sp.nodePort == $0 } ?? true)
            }
            if ports.isEmpty {
                // Nothing enters there: no flow is admitted by that route.
                let listed = svc.ports.map {
                    e.nodePort != nil ? ($0.nodePort.map(String.init) ?? "none") : String($0.port)
                }.joined(separator: ", ")
                let why =
                    "Service \(e.service) has no TCP \(e.nodePort != nil ? "nodePort \(e.nodePort!)" : "port \(e.port!)") (its \(e.nodePort != nil ? "nodePorts" : "ports"): \(listed)): nothing enters the cluster there"
                return result(claim.kind == .allowed ? .refuted : .proved, why)
            }
            entry = EndToEndStage.Entry(service: svc, ports: ports)
        }
        if layer != .netpol && !existingOnly {
            let why =
                "the \(layer.rawValue) layer is decided for declared workloads and external clients: a pod that could be created may run any service account and sidecar setting"
            // The mesh stages only ever remove flows the NetworkPolicy layer admits (unlike end to end, where a proxy
            // adds routes): what is closed there is closed in the mesh, and a flow missing there is missing here.
            guard layer == .mesh, claim.mtlsRequired == false else { return result(.unknown, why) }
            let network = check(claim, at: .netpol)
            switch (claim.kind, network.verdict) {
            case (.denied, .proved), (.only, .proved):
                let admitted = claim.kind == .only ? enumerate(claim, layer: .mesh).admitted ?? [] : []
                return result(
                    .proved,
                    "decided at the netpol layer: no such flow passes NetworkPolicy, and the mesh stages only remove flows",
                    [], admitted: admitted)
            case (.allowed, .refuted):
                return result(
                    .refuted, "decided at the netpol layer: NetworkPolicy already stops these flows",
                    network.counterexamples)
            case (.denied, .refuted), (.only, .refuted):
                // Some flow passes NetworkPolicy: refuted in the mesh too if one of them also passes the mesh stages,
                // for a declared source or for a new pod under some sidecar setting and service account it could have.
                let confirmed = network.counterexamples.compactMap { meshConfirmation(claim, $0, wantAdmitted: true) }
                if confirmed.isEmpty { return result(.unknown, why) }
                let admitted = claim.kind == .only ? enumerate(claim, layer: .mesh).admitted ?? [] : []
                return result(.refuted, nil, Array(confirmed.prefix(maxCounterexamples)), admitted: admitted)
            case (.allowed, .proved):
                // Every such pod passes NetworkPolicy; a new pod that the mesh stops refutes the claim.
                if let cex = newPodMeshDenial(claim) { return result(.refuted, nil, [cex]) }
                return result(.unknown, why)
            default:
                return result(.unknown, why)
            }
        }
        // Claims over the pods that exist and external addresses are decided by enumeration; pods that could be
        // created (any labels, new namespaces) need the solver.
        if (!solverOnly || layer != .netpol) && existingOnly {
            switch serviceBackends(claim) {
            case .unresolvable(let why)?: return result(.unknown, why)
            default:
                let outcome = enumerate(claim, layer: layer, entry: entry)
                if outcome.found.isEmpty, let why = outcome.undecided {
                    return result(.unknown, why, [], admitted: outcome.admitted ?? [])
                }
                return finish(claim, outcome.found, result, admitted: outcome.admitted)
            }
        }
        // The cheap search first: the pods that exist and external addresses, by enumeration. A counterexample there
        // refutes the claim for pods that could be created too; otherwise the solver only looks for flows with a new
        // pod on one side.
        var existingDecided = false
        if !solverOnly && layer == .netpol {
            let existing = enumerate(claim, layer: layer, entry: entry)
            if !existing.found.isEmpty { return finish(claim, existing.found, result, admitted: existing.admitted) }
            existingDecided = existing.undecided == nil
        }
        if evaluator.hasAdminTies {
            return result(
                .unknown,
                "AdminNetworkPolicies \(evaluator.policies.adminPriorityTies.map { $0.joined(separator: ", ") }.joined(separator: "; ")) share a priority: the encoding fixes one order of them, which upstream leaves undefined (A-ANP-TIE)"
            )
        }
        // Once the existing pods are decided, a declared destination needs a new source: one destination per endpoint
        // class stands for its class (every policy treats them alike), and no declared pod is a source.
        var sourceWorkloads: [Int]?
        var destinationWorkloads: [Int]?
        if existingDecided && claim.to.universe == .existing && claim.to.external == nil && claim.to.service == nil {
            var seen = Set<Int>()
            destinationWorkloads = declared(claim.to).filter { seen.insert(classes.classOf[$0]).inserted }
            sourceWorkloads = []
        }
        let search = WitnessSearch(
            evaluator: evaluator, extraPodSelectors: (claim.from + [claim.to]).compactMap(\.podSelector),
            extraNamespaceSelectors: (claim.from + [claim.to]).compactMap(\.namespaceSelector),
            sourceWorkloads: sourceWorkloads, destinationWorkloads: destinationWorkloads)
        let (encoder, z, src, dst, flow) = (search.encoder, search.z, search.source, search.destination, search.flow)
        var backends: [ServiceStage.Backend]?
        switch serviceBackends(claim) {
        case .unresolvable(let why)?:
            return result(.unknown, why)
        case .backends(let b)?:
            // The destination is a backend pod, on the target port its Service port translates to.
            backends = b
            search.assert(
                z.or(
                    b.map {
                        z.and([
                            encoder.isWorkload(dst, [$0.endpoint]),
                            flow.proto == z.bv(Encoder.code(FlowProtocol($0.proto)), width: 2),
                            flow.port == z.bv(UInt64($0.targetPort), width: 16),
                        ])
                    }))
        case nil:
            search.assert(member(claim.to, dst, in: search, hypothetical: claim.to.universe == .any))
            search.assert(ports(claim.ports, flow, z))
        }
        // A pod's traffic to itself never meets policy; replicas of one workload are not distinguished either.
        search.assert(
            z.not(
                z.and([
                    encoder.isKind(src, Encoder.declared), encoder.isKind(dst, Encoder.declared),
                    src.workload == dst.workload,
                ])))
        if existingDecided {
            search.assert(
                z.or([encoder.isKind(src, Encoder.hypothetical), encoder.isKind(dst, Encoder.hypothetical)]))
        }
        // Each side encodes only the NetworkPolicies that can select it: those of the namespaces its selector allows.
        let admitted =
            slicedEncoding
            ? search.admitted(
                sourceNamespaces: claim.kind == .only ? nil : policyNamespaces(claim.from[0]),
                destinationNamespaces: backends.map { Set($0.map { evaluator.endpoints[$0.endpoint].namespace }) }
                    ?? policyNamespaces(claim.to))
            : search.admitted
        switch claim.kind {
        case .allowed:
            search.assert(member(claim.from[0], src, in: search, hypothetical: claim.from[0].universe == .any))
            // Pods connect over either family, so only a flow every family denies fails the claim; an external
            // endpoint fixes the family.
            let eitherFamily = claim.from[0].external == nil && claim.to.external == nil
            search.assert(eitherFamily ? encoder.inEveryFamily(z.not(admitted), search.flow) : z.not(admitted))
        case .denied:
            search.assert(member(claim.from[0], src, in: search, hypothetical: claim.from[0].universe == .any))
            search.assert(admitted)
        case .only:
            let listed = z.or(claim.from.map { member($0, src, in: search, hypothetical: true) })
            var sources = [
                encoder.isWorkload(src, evaluator.liveEndpoints),
                encoder.isExternal(src, in: evaluator.assumptions.ipFamilies.map(CIDR.whole), search.flow),
            ]
            if claim.outsideUniverse == .any {
                sources.append(encoder.isHypothetical(src, namespaces: encoder.namespaces, orNew: true))
            }
            search.assert(z.or(sources))
            search.assert(z.not(listed))
            search.assert(admitted)
        }
        var found: [Counterexample] = []
        while found.count < maxCounterexamples {
            let refutes = { (s: Endpoint, d: Endpoint, p: FlowProtocol, port: Int) in
                self.isCounterexample(claim, s, d, p, port, backends: backends)
            }
            switch search.next(timeout: timeout, holds: refutes) {
            case .unknown(let reason):
                if reason.hasPrefix("internal error") { return result(.unknown, reason) }
                return result(
                    found.isEmpty ? .unknown : .refuted,
                    found.isEmpty ? reason : "counterexample list cut short: \(reason)", found)
            case .none:
                return finish(claim, found, result)
            case .witness(let w):
                found.append(counterexample(claim, w.source, w.destination, w.proto, w.port, backends: backends))
                search.exclude(w, sourceOnly: claim.kind == .only)
            }
        }
        return finish(claim, found, result)
    }

    private func finish(
        _ claim: Claim, _ found: [Counterexample],
        _ result: (Verdict, String?, [Counterexample], [String]) -> ClaimResult,
        admitted known: [String]? = nil
    ) -> ClaimResult {
        let admitted = claim.kind == .only ? known ?? admittedSources(claim, targets: targets(claim)) : []
        if found.isEmpty { return result(.proved, nil, [], admitted) }
        // The solver's order depends on hashing seeds; reports list counterexamples in a stable order.
        let ordered = found.sorted {
            ($0.source.description, $0.destination.description, $0.proto.rawValue, $0.port) < (
                $1.source.description, $1.destination.description, $1.proto.rawValue, $1.port
            )
        }
        return result(.refuted, nil, ordered, admitted)
    }

    /// A counterexample with each side's deciding rule and, for a Service destination, the Service port it used.
    func counterexample(
        _ claim: Claim, _ s: Endpoint, _ d: Endpoint, _ p: FlowProtocol, _ port: Int,
        backends: [ServiceStage.Backend]?
    ) -> Counterexample {
        var cex = Counterexample(
            source: s, destination: d, proto: p, port: port,
            explanation: evaluator.explain(from: s, to: d, proto: p, port: port))
        if let b = backends?.first(where: {
            d.pod?.declaredIndex == $0.endpoint && FlowProtocol($0.proto) == p && $0.targetPort == port
        }) {
            cex.via = "Service \(claim.to.service!) \(b.proto.rawValue)/\(b.servicePort)"
        }
        return cex
    }

    /// Whether an `only` claim lists the source (a pod its selectors select, or an address inside a listed CIDR).
    func isListed(_ claim: Claim, _ s: Endpoint) -> Bool {
        claim.from.contains { sel in
            switch s {
            case .pod(let pod): return sel.selects(pod)
            case .external(let r): return sel.external.map { r.isInside($0) } ?? false
            }
        }
    }

    /// The concrete sources a selector means: declared workloads, or the external ranges of a CIDR.
    /// The namespaces whose NetworkPolicies can select an endpoint of the selector (nil: any). Pods in a new
    /// namespace meet no NetworkPolicy, so a selector that admits new namespaces still names only declared ones.
    func policyNamespaces(_ s: EndpointSelector) -> Set<String>? {
        if s.external != nil { return [] }
        if let w = s.workload { return [String(w.split(separator: "/")[0])] }
        if let svc = s.service { return [String(svc.split(separator: "/")[0])] }
        if let ns = s.namespace { return [ns] }
        if let selector = s.namespaceSelector {
            return Set(model.namespaces.values.filter { selector.matches($0.labels) }.map(\.name))
        }
        return nil
    }

    func concreteSources(_ s: EndpointSelector) -> [Endpoint] {
        if let c = s.external { return evaluator.externalSegments(of: c).map { .external($0) } }
        return declared(s).map { .pod(evaluator.endpoints[$0]) }
    }

    /// The identities a new pod could have in the mesh: with or without a sidecar (through the injection label, where
    /// the namespace allows it), running `default` or a ServiceAccount its namespace is known to have (declared, or
    /// used by a workload there).
    func meshVariants(_ pod: PodEndpoint) -> [(pod: PodEndpoint, sidecar: Bool)] {
        let declaredAccounts = (model.unknownKinds["ServiceAccount"] ?? []).filter { $0.namespace == pod.namespace }
            .map(\.name)
        let usedAccounts = model.workloads.filter { $0.namespace == pod.namespace }.map(\.serviceAccount)
        let accounts = ["default"] + Set(declaredAccounts + usedAccounts).subtracting(["default"]).sorted()
        var out: [(PodEndpoint, Bool)] = []
        // The injector decides from the pod's labels and its namespace: the pod as it is, or with the label that
        // asks for a sidecar or refuses one; each distinct outcome is a variant.
        var settings: [Bool: [String: String]] = [:]
        for tweak in [nil, "true", "false"] {
            var labels = pod.labels
            if let tweak { labels["sidecar.istio.io/inject"] = tweak }
            let sidecar = mesh.injects(namespace: pod.namespace, namespaceLabels: pod.namespaceLabels, labels: labels)
            if settings[sidecar] == nil { settings[sidecar] = labels }
        }
        for sidecar in [true, false] {
            guard let labels = settings[sidecar] else { continue }
            for sa in accounts {
                out.append(
                    (
                        PodEndpoint(
                            namespace: pod.namespace, namespaceLabels: pod.namespaceLabels, labels: labels,
                            ports: pod.ports, serviceAccount: sa,
                            inNewNamespace: pod.inNewNamespace), sidecar
                    ))
            }
        }
        return out
    }

    /// A NetworkPolicy-level counterexample that also passes (`wantAdmitted`) or fails the mesh stages, with its mesh
    /// path; for a new pod, under the first identity it could have that does.
    func meshConfirmation(_ claim: Claim, _ cex: Counterexample, wantAdmitted: Bool) -> Counterexample? {
        guard let di = cex.destination.pod?.declaredIndex else { return nil }
        guard cex.proto == .tcp else { return wantAdmitted ? cex : nil }  // only TCP meets the mesh
        guard case .pod(let pod) = cex.source, pod.workload == nil else {
            let r = reach(
                cex.source, cex.destination, ConnSet(.tcp, PortRanges([cex.port...cex.port])), layer: .mesh,
                request: claim.request)
            guard r.open.isEmpty != wantAdmitted else { return nil }
            var out = cex
            out.path = path(cex.source, cex.destination, .tcp, cex.port, layer: .mesh, request: claim.request)
            return out
        }
        for (variant, sidecar) in meshVariants(pod) {
            let source = Endpoint.pod(variant)
            // The injection label must not change what the claim is about or what NetworkPolicy does.
            let inScope = claim.kind == .only ? !isListed(claim, source) : claim.from[0].selects(variant)
            guard inScope, evaluator.connections(from: source, to: cex.destination).contains(.tcp, cex.port) else {
                continue
            }
            let hop = endToEnd.hop(from: source, to: di, port: cex.port, request: claim.request, newPodSidecar: sidecar)
            guard (hop.verdict == .allowed) == wantAdmitted, hop.verdict != .unknown else { continue }
            var out = Counterexample(
                source: source, destination: cex.destination, proto: .tcp, port: cex.port, explanation: hop.network)
            out.path = PathAnswer(hop)
            out.note = "a new pod \(sidecar ? "with" : "without") a sidecar, service account \(variant.serviceAccount)"
            return out
        }
        return nil
    }

    /// For an `allowed` claim about new pods that NetworkPolicy admits: a new pod (carrying the selector's labels)
    /// whose flow the mesh stops, or nil.
    func newPodMeshDenial(_ claim: Claim) -> Counterexample? {
        let from = claim.from[0]
        guard let ns = from.namespace, let namespace = model.namespaces[ns], from.namespaceSelector == nil else {
            return nil
        }
        var labels: [String: String] = [:]
        for r in from.podSelector?.requirements ?? [] {
            switch r.op {
            case .in: labels[r.key] = r.values.first
            case .exists: labels[r.key] = "reachproof"
            case .notIn, .doesNotExist: break
            }
        }
        let pod = PodEndpoint(namespace: ns, namespaceLabels: namespace.labels, labels: labels)
        guard from.selects(pod) else { return nil }
        for (destination, conns) in destinationWorkloads(claim) {
            for range in conns[.tcp].ranges {
                let probe = Counterexample(
                    source: .pod(pod), destination: .pod(evaluator.endpoints[destination]), proto: .tcp,
                    port: range.lowerBound,
                    explanation: evaluator.explain(
                        from: .pod(pod), to: .pod(evaluator.endpoints[destination]), proto: .tcp, port: range.lowerBound
                    ))
                if let found = meshConfirmation(claim, probe, wantAdmitted: false) { return found }
            }
        }
        return nil
    }

    /// The hops (source, destination workload, port) of a route that delivers a connection end to end, or nil.
    public func deliveringHops(_ s: Endpoint, to di: Int, port: Int, request: HTTPRequest?) -> [(
        source: Endpoint, destination: Int, port: Int
    )]? {
        let path = endToEnd.reach(from: s, to: di, port: port, request: request)
        return path.verdict == .allowed ? path.hops.map { ($0.source, $0.destination, $0.port) } : nil
    }

    /// Declared workloads (with pods) a selector means.
    public func declaredWorkloads(_ s: EndpointSelector) -> [Int] { declared(s) }

    /// The destination workloads of a claim with the connections it is about (target ports for a Service).
    public func destinationWorkloads(_ claim: Claim) -> [(Int, ConnSet)] {
        claim.to.external != nil ? [] : targets(claim).map { ($0.endpoint, $0.wanted) }.sorted { $0.0 < $1.0 }
    }

    func reach(
        _ s: Endpoint, _ d: Endpoint, _ wanted: ConnSet, layer: Layer, request: HTTPRequest?,
        entry: EndToEndStage.Entry? = nil, via: RouteVia? = nil
    ) -> LayerReach {
        layered.reach(s, d, wanted, layer: layer, request: request, entry: entry, via: via)
    }

    func path(
        _ s: Endpoint, _ d: Endpoint, _ p: FlowProtocol, _ port: Int, layer: Layer, request: HTTPRequest?,
        entry: EndToEndStage.Entry? = nil, via: RouteVia? = nil
    ) -> PathAnswer? {
        layered.path(s, d, p, port, layer: layer, request: request, entry: entry, via: via)
    }

    struct Enumeration {
        var found: [Counterexample] = []
        var admitted: [String]?
        /// Why some flow the claim is about could not be decided.
        var undecided: String?
    }

    /// Decides a claim over existing pods and external address ranges with the evaluators alone, one
    /// counterexample per failing (source, destination) pair, at most `maxCounterexamples`.
    func enumerate(_ claim: Claim, layer: Layer = .netpol, entry: EndToEndStage.Entry? = nil) -> Enumeration {
        let backends: [ServiceStage.Backend]? = {
            if case .backends(let b)? = serviceBackends(claim) { return b }
            return nil
        }()
        // Destinations with the connections the claim is about: pods, or external ranges for an external `to`.
        let destinations: [(endpoint: Endpoint, wanted: ConnSet)]
        if let c = claim.to.external {
            destinations = evaluator.externalSegments(of: c).map { (.external($0), PortSpec.conns(claim.ports)) }
        } else {
            destinations = targets(claim).map { (.pod(evaluator.endpoints[$0.endpoint]), $0.wanted) }
        }
        var out = Enumeration()
        // The evaluators have no solver timeout to lean on: the claim's time budget is checked once per source.
        let deadline = Date().addingTimeInterval(timeout)
        func outOfTime() -> Bool {
            guard Date() > deadline else { return false }
            out.undecided = "not decided within \(timeout) s (--timeout): the sources were not all enumerated"
            out.admitted = nil
            return true
        }
        func add(_ s: Endpoint, _ d: Endpoint, _ conns: ConnSet, note: String? = nil) {
            guard let (p, port) = conns.first else { return }
            var cex = counterexample(claim, s, d, p, port, backends: backends)
            cex.path = path(
                s, d, p, port, layer: layer, request: claim.request, entry: entry, via: claim.via)
            cex.note = note
            if layer != .netpol, note == nil, case .external = d, let si = s.pod?.declaredIndex,
                let (step, _) = mesh.externalEgress(from: si)
            {
                cex.note = "\(step.stage) \(step.effect.rawValue): \(step.detail)"
            }
            out.found.append(cex)
        }
        func reachOf(_ s: Endpoint, _ d: Endpoint, _ wanted: ConnSet) -> LayerReach {
            let r = reach(
                s, d, wanted, layer: layer, request: claim.request, entry: entry, via: claim.via)
            if !r.undecided.isEmpty { out.undecided = out.undecided ?? "\(s) -> \(d): \(r.reason ?? "undecided")" }
            return r
        }
        func checkMutualTLS(_ s: Endpoint, _ d: Endpoint, _ r: LayerReach) {
            if claim.mtlsRequired && out.found.count < maxCounterexamples && !r.plaintext.isEmpty {
                add(s, d, r.plaintext, note: "admitted without Istio mutual TLS")
            }
        }
        // A pod's traffic to itself is out of scope; replicas of one workload are not told apart.
        func sameWorkload(_ s: Endpoint, _ d: Endpoint) -> Bool {
            s.pod?.workload != nil && s.pod?.workload == d.pod?.workload
        }
        switch claim.kind {
        case .allowed, .denied:
            for s in concreteSources(claim.from[0]) {
                if outOfTime() { return out }
                for (d, wanted) in destinations where !sameWorkload(s, d) {
                    let r = reachOf(s, d, wanted)
                    if claim.kind == .allowed {
                        add(s, d, wanted.subtracting(r.open).subtracting(r.undecided))
                        checkMutualTLS(s, d, r)
                    } else {
                        add(s, d, r.open)
                    }
                    if out.found.count >= maxCounterexamples { return out }
                }
            }
            return out
        case .only:
            // One pass over every outside source: counterexamples for the unlisted, admitted sources for all.
            let targetSet = Set(targets(claim).map(\.endpoint))
            var admittedPods = Set<String>()
            var admittedRanges: [AddressRange] = []
            let ranges = evaluator.externalRanges
            let outside =
                evaluator.liveEndpoints.map { Endpoint.pod(evaluator.endpoints[$0]) }
                + ranges.map { Endpoint.external($0) }
            // At the netpol layer the first destination a declared pod reaches depends only on its class (bar its own
            // workload): the first two are computed once per class.
            var firstReached: [Int: [(index: Int, open: ConnSet)]] = [:]
            let classFastPath = layer == .netpol && !evaluator.hasAdminTies
            let classOf = classFastPath ? classes.classOf : []
            // Sources in namespaces no destination's ingress rules admit cannot reach (nil: any namespace may).
            var sourceNamespaces: Set<String>? = []
            if layer == .netpol {
                for (d, _) in destinations {
                    guard let pod = d.pod, let admitted = evaluator.ingressNamespaces(of: pod) else {
                        sourceNamespaces = nil
                        break
                    }
                    sourceNamespaces!.formUnion(admitted)
                }
            } else {
                sourceNamespaces = nil
            }
            for s in outside {
                if outOfTime() { return out }
                var reached: (Endpoint, LayerReach)?
                if let pod = s.pod, let allowed = sourceNamespaces, !allowed.contains(pod.namespace) { continue }
                if classFastPath, let si = s.pod?.declaredIndex {
                    let sc = classOf[si]
                    let candidates =
                        firstReached[sc]
                        ?? {
                            var found: [(index: Int, open: ConnSet)] = []
                            for (k, (d, wanted)) in destinations.enumerated() {
                                let open = connections(s, d).intersection(wanted)
                                if !open.isEmpty { found.append((k, open)) }
                                if found.count == 2 { break }
                            }
                            firstReached[sc] = found
                            return found
                        }()
                    if let hit = candidates.first(where: { destinations[$0.index].endpoint.pod?.declaredIndex != si }) {
                        reached = (destinations[hit.index].endpoint, LayerReach(open: hit.open, plaintext: hit.open))
                    }
                } else {
                    for (d, wanted) in destinations where !sameWorkload(s, d) {
                        let r = reachOf(s, d, wanted)
                        if !r.open.isEmpty {
                            reached = (d, r)
                            break
                        }
                    }
                }
                guard let (d, r) = reached else { continue }
                switch s {
                case .pod(let pod):
                    if !targetSet.contains(pod.declaredIndex ?? -1) { admittedPods.insert(pod.workload!) }
                case .external(let range): admittedRanges.append(range)
                }
                // One counterexample per admitted source, as the solver's enumeration gives.
                if !isListed(claim, s) && out.found.count < maxCounterexamples {
                    add(s, d, r.open)
                } else {
                    checkMutualTLS(s, d, r)
                }
            }
            out.admitted = admittedNames(pods: admittedPods, ranges: admittedRanges)
            return out
        }
    }

    /// Whether a concrete flow refutes the claim, replayed by the evaluator (the solver's answers are checked this
    /// way).
    func isCounterexample(
        _ claim: Claim, _ s: Endpoint, _ d: Endpoint, _ p: FlowProtocol, _ port: Int,
        backends: [ServiceStage.Backend]? = nil
    ) -> Bool {
        func within(_ sel: EndpointSelector, _ e: Endpoint) -> Bool {
            if sel.service != nil {
                return backends?.contains {
                    e.pod?.workload == model.workloads[$0.endpoint].id && FlowProtocol($0.proto) == p
                        && $0.targetPort == port
                } ?? false
            }
            switch e {
            case .external(let r): return sel.external.map { r.isInside($0) } ?? false
            case .pod(let pod):
                return pod.workload == nil
                    ? sel.universe == .any && sel.workload == nil && sel.selects(pod) : sel.selects(pod)
            }
        }
        let allowed = evaluator.explain(from: s, to: d, proto: p, port: port).allowed
        switch claim.kind {
        case .allowed: return within(claim.from[0], s) && within(claim.to, d) && !allowed
        case .denied: return within(claim.from[0], s) && within(claim.to, d) && allowed
        case .only:
            return within(claim.to, d) && !isListed(claim, s) && allowed
        }
    }

    /// The endpoints a selector means, as a constraint on a role.
    /// `onlyNew` leaves out declared pods when the selector means pods that could be created.
    func member(
        _ s: EndpointSelector, _ r: Encoder.Role, in search: WitnessSearch, hypothetical: Bool, onlyNew: Bool = false
    ) -> Expr {
        let e = search.encoder
        let z = e.z
        if let c = s.external { return e.isExternal(r, in: [c], search.flow) }
        var options: [Expr] = []
        let indices = declared(s)
        if !indices.isEmpty && !(onlyNew && hypothetical) { options.append(e.isWorkload(r, indices)) }
        if hypothetical && s.workload == nil {
            var conds = [e.isKind(r, Encoder.hypothetical)]
            if let ns = s.namespace { conds.append(e.nsIs(r, ns)) }
            if let nsSel = s.namespaceSelector { conds.append(e.namespaceSelector(nsSel, r)) }
            if let podSel = s.podSelector { conds.append(e.podSelector(podSel, r)) }
            options.append(z.and(conds))
        }
        return z.or(options)
    }

    func ports(_ specs: [PortSpec], _ f: Encoder.Flow, _ z: Z3Context) -> Expr {
        if specs.isEmpty { return z.or([f.proto == z.bv(3, width: 2), z.ugt(f.port, z.bv(0, width: 16))]) }
        return z.or(
            specs.map {
                z.and([
                    f.proto == z.bv(Encoder.code(FlowProtocol($0.proto)), width: 2),
                    z.inRange(f.port, UInt64($0.range.lowerBound), UInt64($0.range.upperBound), width: 16),
                ])
            })
    }

    /// The destination endpoints of a claim, each with the connections the claim is about.
    func targets(_ claim: Claim) -> [(endpoint: Int, wanted: ConnSet)] {
        if case .backends(let backends)? = serviceBackends(claim) {
            return Dictionary(grouping: backends, by: \.endpoint).map { e, bs in
                (
                    e,
                    bs.reduce(ConnSet.none) { $0.union(ConnSet($1.proto, PortRanges([$1.targetPort...$1.targetPort]))) }
                )
            }
        }
        let wanted = PortSpec.conns(claim.ports)
        return declared(claim.to).map { ($0, wanted) }
    }

    /// Every declared workload and external range that can open a connection to the destination on the ports.
    func admittedSources(_ claim: Claim, targets: [(endpoint: Int, wanted: ConnSet)]) -> [String] {
        let targetSet = Set(targets.map(\.endpoint))
        func reaches(_ source: Endpoint) -> Bool {
            targets.contains {
                !connections(source, .pod(evaluator.endpoints[$0.endpoint])).intersection($0.wanted).isEmpty
            }
        }
        var out = Set<String>()
        for i in evaluator.liveEndpoints where !targetSet.contains(i) && reaches(.pod(evaluator.endpoints[i])) {
            out.insert(evaluator.endpoints[i].workload!)
        }
        return admittedNames(pods: out, ranges: evaluator.externalRanges.filter { reaches(.external($0)) })
    }

    /// Admitted workloads and external ranges as listed in reports: every address of a family outside the pod network
    /// is `external:0.0.0.0/0` or `external:::/0`, otherwise merged ranges as minimal CIDRs.
    func admittedNames(pods: Set<String>, ranges admitted: [AddressRange]) -> [String] {
        var out = pods
        for family in evaluator.assumptions.ipFamilies {
            let ranges = evaluator.externalRanges.filter { $0.family == family }
            let ofFamily = admitted.filter { $0.family == family }
            if ofFamily.count == ranges.count && !ranges.isEmpty {
                out.insert("external:\(CIDR.whole(family))")
            } else {
                for (r, _) in AddressSpace.mergeAdjacent(ofFamily.map { ($0, true) }) {
                    for c in r.cidrs { out.insert("external:\(c)") }
                }
            }
        }
        return out.sorted()
    }
}
