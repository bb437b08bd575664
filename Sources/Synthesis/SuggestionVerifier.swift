import Claims
import Foundation
import KubeModel
import Reachability

/// Proves a suggestion on the manifests it would be applied to (the original ones with the generated policies in
/// place of the current ones of the same kinds, in the namespaces concerned): (a) every intended flow is allowed,
/// (b) nothing else reaches or leaves the workloads in scope, from declared pods, external addresses or pods
/// that could be created, and (c) every claim of the intent holds.
public struct SuggestionVerifier {
    public struct Report: Sendable {
        public var failures: [String] = []
        public var checks = 0
        public var pairsBefore = 0
        public var pairsAfter = 0
        public var connectionsBefore = 0
        public var connectionsAfter = 0
        public var passed: Bool { failures.isEmpty }
    }

    public static func verify(
        original: ClusterModel, generated: ClusterModel, output: PolicySynthesizer.Output,
        kinds: Set<PolicySynthesizer.Kind>,
        intent: Intent, assumptions: Assumptions, layer: Layer
    ) -> Report {
        var report = Report()
        let kindNames = Set(kinds.flatMap(\.replacedKinds))
        let combined = original.replacingPolicies(in: output.namespaces, kinds: kindNames, with: generated)
        let checker = ClaimChecker(model: combined, assumptions: assumptions)
        let evaluator = checker.evaluator
        let model = combined
        let live = model.workloads.indices.filter { model.workloads[$0].replicas != 0 }

        // What a layer allows from one endpoint to a pod (or an address), over the wanted connections.
        func allowed(_ s: Endpoint, _ d: Endpoint, _ wanted: ConnSet = .all) -> ConnSet {
            checker.layered.reach(s, d, wanted, layer: d.pod == nil ? .netpol : layer, request: nil).open
        }
        // (a) every intended flow.
        for f in intent.flows {
            let wanted = ConnSet(f.proto, PortRanges([f.ports]))
            for s in f.source.endpoints(evaluator) {
                for d in f.destination.endpoints(evaluator) {
                    report.checks += 1
                    let open = allowed(s, d, wanted)
                    if open != wanted {
                        report.failures.append(
                            "intended flow not allowed: \(s) -> \(d) \(wanted.subtracting(open)) (\(f.origin))")
                    }
                }
            }
        }
        // (b) nothing else into or out of the workloads in scope.
        func intended(_ s: Endpoint, _ d: Endpoint) -> ConnSet {
            intent.flows.reduce(ConnSet.none) { acc, f in
                func covers(_ p: IntendedFlow.Party, _ e: Endpoint) -> Bool {
                    switch (p, e) {
                    case (.workload(let i), .pod(let pod)): return pod.declaredIndex == i
                    case (.external(let c), .external(let r)): return r.isInside(c)
                    default: return false
                    }
                }
                return covers(f.source, s) && covers(f.destination, d)
                    ? acc.union(ConnSet(f.proto, PortRanges([f.ports]))) : acc
            }
        }
        let dnsPorts = ConnSet(.udp, PortRanges([53...53])).union(ConnSet(.tcp, PortRanges([53...53])))
        func isKubeDNS(_ e: Endpoint) -> Bool {
            e.pod.map { $0.namespace == "kube-system" && $0.labels["k8s-app"] == "kube-dns" } ?? false
        }
        let meshExempt = PortRanges([15008...15008, 15020...15021, 15090...15090])
        let scope = live.filter { output.namespaces.contains(model.workloads[$0].namespace) }
        let everyone =
            live.map { Endpoint.pod(evaluator.endpoints[$0]) } + evaluator.externalRanges.map { Endpoint.external($0) }
        for d in scope {
            let target = Endpoint.pod(evaluator.endpoints[d])
            for s in everyone where s.pod?.declaredIndex != d {
                report.checks += 1
                var extra = allowed(s, target).subtracting(intended(s, target))
                // AuthorizationPolicies govern only the TCP ports the sidecar captures; the rest is NetworkPolicy's.
                if !kinds.contains(.networkPolicy) { extra = ConnSet(.tcp, extra[.tcp].subtracting(meshExempt)) }
                if !extra.isEmpty { report.failures.append("unintended flow allowed: \(s) -> \(target) \(extra)") }
            }
            // Egress of the scope's workloads to what lies outside it (DNS to kube-dns is part of the suggestion).
            for r in everyone
            where r.pod?.declaredIndex != d && (r.pod.map { !output.namespaces.contains($0.namespace) } ?? true) {
                guard kinds.contains(.networkPolicy) else { continue }
                report.checks += 1
                var extra = evaluator.connections(from: target, to: r).subtracting(intended(target, r))
                if isKubeDNS(r) { extra = extra.subtracting(dnsPorts) }
                if !extra.isEmpty { report.failures.append("unintended flow allowed: \(target) -> \(r) \(extra)") }
            }
        }
        // Pods that could be created: only pods carrying an intended source's selected labels in its namespace get in.
        if kinds.contains(.networkPolicy) {
            for d in scope {
                let sources = intent.flows.filter { $0.destination == .workload(d) }.map(\.source)
                var from: [EndpointSelector] = []
                for s in Set(sources) {
                    var sel = EndpointSelector(location: SourceLocation(file: "<suggest>", line: 0))
                    switch s {
                    case .workload(let i):
                        sel.namespace = model.workloads[i].namespace
                        sel.podSelector = LabelSelector(matchLabels: output.selectors[i] ?? [:])
                        sel.universe = .any
                    case .external(let c):
                        sel.external = c
                    }
                    from.append(sel)
                }
                var to = EndpointSelector(location: SourceLocation(file: "<suggest>", line: 0))
                to.workload = model.workloads[d].id
                let claim = Claim(
                    name: "only-intended-into-\(model.workloads[d].id)", description: nil, kind: .only,
                    from: from.isEmpty ? [EndpointSelector(location: to.location)] : from, to: to, ports: [],
                    layer: .netpol, allowEmpty: true, outsideUniverse: .any, location: to.location)
                report.checks += 1
                let result = checker.check(claim)
                if result.verdict != .proved {
                    let why =
                        result.counterexamples.first.map {
                            "\($0.source) -> \($0.destination) \($0.proto.rawValue)/\($0.port)"
                        } ?? result.reason ?? ""
                    report.failures.append(
                        "a pod that could be created reaches \(model.workloads[d].id): \(result.verdict.rawValue) \(why)"
                    )
                }
            }
        }
        // (c) the intent's claims.
        for claim in intent.claims {
            report.checks += 1
            let result = checker.check(claim)
            if result.verdict != .proved {
                report.failures.append(
                    "claim \(claim.name) (\(claim.location)) is \(result.verdict.rawValue) with the suggestion")
            }
        }
        // Before and after: allowed workload pairs and the connection ranges between them (at the mesh layer, pairs of
        // workloads and external ranges into workloads, decided with the Istio stages).
        func census(_ c: ClaimChecker) -> (Int, Int) {
            let e = c.evaluator
            let m = e.model
            if layer == .mesh {
                let pods = m.workloads.indices.filter { m.workloads[$0].replicas != 0 }.map {
                    Endpoint.pod(e.endpoints[$0])
                }
                var (count, ranges) = (0, 0)
                for s in pods + e.externalRanges.map({ Endpoint.external($0) }) {
                    for d in pods where d.pod?.declaredIndex != s.pod?.declaredIndex {
                        let open = c.layered.reach(
                            s, d, ConnSet(.tcp, PortRanges.all.subtracting(meshExempt)), layer: .mesh, request: nil
                        ).open
                        if !open.isEmpty { count += 1 }
                        for p in L4Protocol.allCases { ranges += open[p].ranges.count }
                    }
                }
                return (count, ranges)
            }
            // Counted as listed: the pairs of a large cluster are not held.
            struct Census: PairIndexSink {
                let table: ConnTable
                var pairs = 0
                var ranges = 0
                var rangesOf: [Int32: Int] = [:]
                mutating func pairs(
                    from source: Int, to destinations: UnsafeBufferPointer<Int32>, conns: UnsafeBufferPointer<Int32>
                ) {
                    pairs += destinations.count
                    for c in conns {
                        if rangesOf[c] == nil {
                            rangesOf[c] = L4Protocol.allCases.reduce(0) { $0 + table[c][$1].ranges.count }
                        }
                        ranges += rangesOf[c]!
                    }
                }
            }
            var (count, ranges) = (0, 0)
            ConnectivityMap(evaluator: e).forEachPairIndexInParallel(
                readable: true, makeSink: { Census(table: $0) },
                drain: {
                    count += $0.pairs
                    ranges += $0.ranges
                    ($0.pairs, $0.ranges) = (0, 0)
                })
            return (count, ranges)
        }
        (report.pairsBefore, report.connectionsBefore) = census(
            ClaimChecker(model: original, assumptions: assumptions))
        (report.pairsAfter, report.connectionsAfter) = census(checker)
        return report
    }
}
