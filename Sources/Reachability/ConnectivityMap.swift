import KubeModel

/// Workload-level connectivity of the NetworkPolicy layer: every ordered pair of workloads, and every external
/// address range, with the connections allowed between them.
public struct ConnectivityMap {
    public struct Pair: Hashable, Sendable {
        public let source: String
        public let destination: String
        public let conns: ConnSet
    }

    public let pairs: [Pair]
    /// The same pairs for people to read: where one connection set holds for every external address, the
    /// external CIDRs are written once as `external:any` (every address outside the pod network).
    public let readablePairs: [Pair]

    /// Filters: only pairs touching `namespace` or `workload` (ns/name) when given.
    public init(evaluator: Evaluator, namespace: String? = nil, workload: String? = nil) {
        let model = evaluator.model
        // Workloads with zero replicas have no pods (A-ZERO-REPLICAS, conformance: absent).
        let present = zip(model.workloads, evaluator.endpoints).filter { $0.0.replicas != 0 }
        func focus(_ w: Workload) -> Bool {
            (namespace == nil || w.namespace == namespace) && (workload == nil || w.id == workload)
        }
        // Pods of one workload that differ (live dumps) are separate endpoints; their connections are joined.
        struct Ends: Hashable { let source: String, destination: String }
        var merged: [Ends: ConnSet] = [:]
        for (sw, se) in present {
            for (dw, de) in present where sw.id != dw.id && (focus(sw) || focus(dw)) {
                let c = evaluator.connections(from: .pod(se), to: .pod(de))
                if c.isEmpty { continue }
                let key = Ends(source: sw.id, destination: dw.id)
                merged[key] = merged[key, default: .none].union(c)
            }
        }
        // External ranges: adjacent ranges with the same connections are merged, then written as minimal CIDRs.
        let ranges = evaluator.externalRanges
        var externalPairs: [Pair] = [], readableExternal: [Pair] = []
        for (w, e) in present where focus(w) {
            for outbound in [true, false] {
                func pair(_ external: String, _ c: ConnSet) -> Pair {
                    outbound ? Pair(source: w.id, destination: external, conns: c) : Pair(source: external, destination: w.id, conns: c)
                }
                let perRange = ranges.map { r in
                    (r, outbound ? evaluator.connections(from: .pod(e), to: .external(r)) : evaluator.connections(from: .external(r), to: .pod(e)))
                }
                var found: [Pair] = []
                for (r, c) in AddressSpace.mergeAdjacent(perRange) where !c.isEmpty {
                    found += r.cidrs.map { pair("external:\($0)", c) }
                }
                externalPairs += found
                if let c = perRange.first?.1, !c.isEmpty, perRange.allSatisfy({ $0.1 == c }) {
                    readableExternal.append(pair("external:any", c))
                } else {
                    readableExternal += found
                }
            }
        }
        let podPairs = merged.map { Pair(source: $0.key.source, destination: $0.key.destination, conns: $0.value) }
        pairs = (podPairs + externalPairs).sorted { $0.line < $1.line }
        readablePairs = (podPairs + readableExternal).sorted { $0.line < $1.line }
    }
}

extension ConnectivityMap.Pair {
    /// The oracle's normalized line: `SRC => DST : CONN`.
    public var line: String { "\(source) => \(destination) : \(conns)" }
}
