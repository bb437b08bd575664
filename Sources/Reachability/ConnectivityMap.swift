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

    /// Filters: only pairs touching `namespace` or `workload` (ns/name) when given.
    public init(evaluator: Evaluator, namespace: String? = nil, workload: String? = nil) {
        let model = evaluator.model
        // Workloads with zero replicas have no pods (A-ZERO-REPLICAS, conformance: absent).
        let present = zip(model.workloads, evaluator.endpoints).filter { $0.0.replicas != 0 }
        func focus(_ w: Workload) -> Bool {
            (namespace == nil || w.namespace == namespace) && (workload == nil || w.id == workload)
        }
        var merged: [String: ConnSet] = [:]
        func add(_ s: String, _ d: String, _ c: ConnSet) {
            if c.isEmpty { return }
            let key = "\(s) => \(d)"
            merged[key] = merged[key].map { $0.union(c) } ?? c
        }
        for (sw, se) in present {
            for (dw, de) in present where sw.id != dw.id && (focus(sw) || focus(dw)) {
                add(sw.id, dw.id, evaluator.connections(from: .pod(se), to: .pod(de)))
            }
        }
        // External ranges: adjacent ranges with the same connections are merged, then written as minimal CIDRs.
        let ranges = evaluator.externalRanges
        var externalPairs: [Pair] = []
        for (w, e) in present where focus(w) {
            for outbound in [true, false] {
                var run: (AddressRange, ConnSet)?
                func flush() {
                    guard let (r, c) = run, !c.isEmpty else { return }
                    for cidr in r.cidrs {
                        externalPairs.append(outbound ? Pair(source: w.id, destination: "external:\(cidr)", conns: c)
                                                      : Pair(source: "external:\(cidr)", destination: w.id, conns: c))
                    }
                }
                for r in ranges {
                    let c = outbound ? evaluator.connections(from: .pod(e), to: .external(r)) : evaluator.connections(from: .external(r), to: .pod(e))
                    if let (prev, pc) = run, pc == c, UInt64(prev.last) + 1 == UInt64(r.first) {
                        run = (AddressRange(first: prev.first, last: r.last), c)
                    } else {
                        flush()
                        run = (r, c)
                    }
                }
                flush()
            }
        }
        var all = merged.map { key, c -> Pair in
            let parts = key.components(separatedBy: " => ")
            return Pair(source: parts[0], destination: parts[1], conns: c)
        }
        all.append(contentsOf: externalPairs)
        pairs = all.sorted { $0.line < $1.line }
    }
}

extension ConnectivityMap.Pair {
    /// The oracle's normalized line: `SRC => DST : CONN`.
    public var line: String { "\(source) => \(destination) : \(conns)" }
}
