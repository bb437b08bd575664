import KubeModel

/// Workload-level connectivity of the NetworkPolicy layer: every ordered pair of workloads, and every external
/// address range, with the connections allowed between them. Connections are computed once per pair of endpoint
/// classes (`EndpointClasses`) and expanded to workloads as the pairs are listed, in sorted order, without
/// holding them all: a large cluster's map is streamed.
public struct ConnectivityMap {
    public struct Pair: Hashable, Sendable {
        public let source: String
        public let destination: String
        public let conns: ConnSet
    }

    let evaluator: Evaluator
    public let classes: EndpointClasses
    /// Workload ids in the map (present, and touching the focus when one is set), sorted as strings, each with
    /// its endpoints (several only when a live dump's pods of one workload differ).
    let ids: [(id: String, endpoints: [Int])]
    let focused: Set<String>
    /// Per class: the external CIDRs it may reach and be reached from, merged and named like the oracle's pairs.
    let outbound: [[(name: String, conns: ConnSet)]]
    let inbound: [[(name: String, conns: ConnSet)]]
    /// The same, collapsed to `external:any` where one connection set holds for every external address.
    let outboundReadable: [[(name: String, conns: ConnSet)]]
    let inboundReadable: [[(name: String, conns: ConnSet)]]
    private let cache: ClassPairCache

    /// Filters: only pairs touching `namespace` or `workload` (ns/name) when given.
    public init(evaluator: Evaluator, namespace: String? = nil, workload: String? = nil) {
        self.evaluator = evaluator
        let model = evaluator.model
        classes = EndpointClasses(model: model, endpoints: evaluator.endpoints)
        cache = ClassPairCache(classes: classes.count)
        // Workloads with zero replicas have no pods (A-ZERO-REPLICAS, conformance: absent).
        var byID: [String: [Int]] = [:]
        for (i, w) in model.workloads.enumerated() where w.replicas != 0 { byID[w.id, default: []].append(i) }
        ids = byID.keys.sorted().map { ($0, byID[$0]!) }
        focused = Set(model.workloads.filter {
            $0.replicas != 0 && (namespace == nil || $0.namespace == namespace) && (workload == nil || $0.id == workload)
        }.map(\.id))
        let ranges = evaluator.externalRanges
        var outbound: [[(String, ConnSet)]] = [], inbound: [[(String, ConnSet)]] = []
        var outboundReadable: [[(String, ConnSet)]] = [], inboundReadable: [[(String, ConnSet)]] = []
        for c in 0..<classes.count {
            let e = Endpoint.pod(evaluator.endpoints[classes.representative(c)])
            for isOutbound in [true, false] {
                let perRange = ranges.map { r in (r, isOutbound ? evaluator.connections(from: e, to: .external(r)) : evaluator.connections(from: .external(r), to: e)) }
                var found: [(String, ConnSet)] = []
                for (r, conns) in AddressSpace.mergeAdjacent(perRange) where !conns.isEmpty {
                    found += r.cidrs.map { ("external:\($0)", conns) }
                }
                found.sort { $0.0 < $1.0 }
                var readable = found
                if let first = perRange.first?.1, !first.isEmpty, perRange.allSatisfy({ $0.1 == first }) { readable = [("external:any", first)] }
                if isOutbound { outbound.append(found); outboundReadable.append(readable) } else { inbound.append(found); inboundReadable.append(readable) }
            }
        }
        self.outbound = outbound.map { $0.map { (name: $0.0, conns: $0.1) } }
        self.inbound = inbound.map { $0.map { (name: $0.0, conns: $0.1) } }
        self.outboundReadable = outboundReadable.map { $0.map { (name: $0.0, conns: $0.1) } }
        self.inboundReadable = inboundReadable.map { $0.map { (name: $0.0, conns: $0.1) } }
    }

    /// Connections between two classes, computed on first use.
    func conns(_ s: Int, _ d: Int) -> ConnSet {
        let key = s * classes.count + d
        if let c = cache.value(key) { return c }
        let c = evaluator.connections(from: .pod(evaluator.endpoints[classes.representative(s)]), to: .pod(evaluator.endpoints[classes.representative(d)]))
        cache.store(key, c)
        return c
    }

    /// Calls `body` for every allowed pair, sorted by the oracle's line order (source, then destination).
    /// `readable` names external ranges that every policy treats alike `external:any`.
    public func forEachPair(readable: Bool = false, _ body: (Pair) -> Void) {
        let outbound = readable ? outboundReadable : self.outbound
        let inbound = readable ? inboundReadable : self.inbound
        // External sources, by name, with the classes they reach.
        var externalSources: [String: [(Int, ConnSet)]] = [:]
        for (c, list) in inbound.enumerated() { for (name, conns) in list { externalSources[name, default: []].append((c, conns)) } }
        var sources: [(name: String, workload: Int?)] = ids.indices.map { (ids[$0].id, $0) }
        sources += externalSources.keys.map { ($0, nil) }
        sources.sort { $0.name < $1.name }
        for source in sources {
            guard let si = source.workload else {
                let reached = Dictionary(externalSources[source.name]!.map { ($0.0, $0.1) }, uniquingKeysWith: { $0.union($1) })
                for (id, endpoints) in ids where focused.contains(id) {
                    let c = endpoints.reduce(ConnSet.none) { $0.union(reached[classes.classOf[$1]] ?? .none) }
                    if !c.isEmpty { body(Pair(source: source.name, destination: id, conns: c)) }
                }
                continue
            }
            let (sid, sourceEndpoints) = ids[si]
            let sourceFocused = focused.contains(sid)
            // Destinations: workloads and this source's external ranges, merged in name order.
            var external: [String: ConnSet] = [:]
            if sourceFocused {
                for e in sourceEndpoints { for (name, c) in outbound[classes.classOf[e]] { external[name] = external[name, default: .none].union(c) } }
            }
            let externalNames = external.keys.sorted()
            var x = 0
            for (did, destinationEndpoints) in ids {
                while x < externalNames.count && externalNames[x] < did {
                    body(Pair(source: sid, destination: externalNames[x], conns: external[externalNames[x]]!))
                    x += 1
                }
                guard did != sid, sourceFocused || focused.contains(did) else { continue }
                var c = ConnSet.none
                for s in sourceEndpoints { for d in destinationEndpoints { c = c.union(conns(classes.classOf[s], classes.classOf[d])) } }
                if !c.isEmpty { body(Pair(source: sid, destination: did, conns: c)) }
            }
            while x < externalNames.count {
                body(Pair(source: sid, destination: externalNames[x], conns: external[externalNames[x]]!))
                x += 1
            }
        }
    }

    /// Every allowed pair, in the oracle's line order.
    public var pairs: [Pair] {
        var out: [Pair] = []
        forEachPair { out.append($0) }
        return out
    }

    /// The same pairs for people to read: external ranges every policy treats alike are written `external:any`.
    public var readablePairs: [Pair] {
        var out: [Pair] = []
        forEachPair(readable: true) { out.append($0) }
        return out
    }
}

/// Memo of class-pair connections; a class so the map's listing functions need not be mutating.
/// Connections per pair of classes. Few distinct connection sets occur, so each pair holds a 32-bit index into a
/// table of them: at 20,000 workloads (about 7,000 classes) that is 200 MB where a dictionary of sets took gigabytes.
private final class ClassPairCache {
    private var index: [Int32]
    private var sets: [ConnSet] = []
    private var known: [ConnSet: Int32] = [:]

    init(classes: Int) { index = Array(repeating: -1, count: classes * classes) }

    func value(_ key: Int) -> ConnSet? {
        let i = index[key]
        return i < 0 ? nil : sets[Int(i)]
    }

    func store(_ key: Int, _ c: ConnSet) {
        if let i = known[c] { index[key] = i; return }
        let i = Int32(sets.count)
        sets.append(c)
        known[c] = i
        index[key] = i
    }
}

extension ConnectivityMap.Pair {
    /// The oracle's normalized line: `SRC => DST : CONN`.
    public var line: String { "\(source) => \(destination) : \(conns)" }
}
