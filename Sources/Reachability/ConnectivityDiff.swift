import KubeModel

/// What a change to the manifests opens and closes at the NetworkPolicy layer: for every ordered pair of
/// workloads (matched by `ns/name`) and every external address range, the connections allowed after but not
/// before, and before but not after, each with the deciding rules on both versions.
public struct ConnectivityDiff {
    public struct Change: Sendable {
        public let source: String
        public let destination: String
        public let opened: ConnSet
        public let closed: ConnSet
        /// One changed connection, explained in each version (nil where the endpoint does not exist).
        public let witnessProto: FlowProtocol
        public let witnessPort: Int
        public let base: FlowExplanation?
        public let head: FlowExplanation?
    }

    public let changes: [Change]

    public var openedCount: Int { changes.filter { !$0.opened.isEmpty }.count }
    public var closedCount: Int { changes.filter { !$0.closed.isEmpty }.count }

    public init(base: Evaluator, head: Evaluator) {
        let sides = [Side(base), Side(head)]
        let ids = Set(sides.flatMap { $0.index.keys }).sorted()
        // External ranges cut at every CIDR of either version, so each range is uniform in both.
        let space = head.assumptions.externalSpace
        let segments = AddressSpace.segments(cidrs: base.policyCIDRs + head.policyCIDRs, within: space)
        var changes: [Change] = []

        func record(_ source: String, _ destination: String, _ s: [Endpoint?], _ d: [Endpoint?], _ before: ConnSet, _ after: ConnSet) {
            let opened = after.subtracting(before), closed = before.subtracting(after)
            guard let (p, port) = opened.first ?? closed.first else { return }
            func explain(_ k: Int) -> FlowExplanation? {
                guard let a = s[k], let b = d[k] else { return nil }
                return sides[k].evaluator.explain(from: a, to: b, proto: p, port: port)
            }
            changes.append(Change(source: source, destination: destination, opened: opened, closed: closed,
                                  witnessProto: p, witnessPort: port, base: explain(0), head: explain(1)))
        }

        for a in ids {
            let sa = sides.map { $0.endpoint(a) }
            for b in ids where b != a {
                let sb = sides.map { $0.endpoint(b) }
                record(a, b, sa, sb, sides[0].connections(a, b), sides[1].connections(a, b))
            }
            // External ranges with the same change are reported together, by CIDR.
            for outbound in [true, false] {
                let perRange = segments.map { r -> (AddressRange, [ConnSet]) in
                    (r, sides.map { side in
                        guard let e = side.endpoint(a) else { return .none }
                        return outbound ? side.evaluator.connections(from: e, to: .external(r)) : side.evaluator.connections(from: .external(r), to: e)
                    })
                }
                // Every external address alike: one line, `external:any`, as the map writes it.
                let uniform = perRange.allSatisfy { $0.1 == perRange[0].1 }
                let groups = uniform ? [(perRange[0].0, perRange[0].1)] : AddressSpace.mergeAdjacent(perRange)
                for (r, conns) in groups where conns[0] != conns[1] {
                    let name = uniform ? "external:any" : "external:" + r.cidrs.map(\.description).joined(separator: ",")
                    let x: [Endpoint?] = [.external(AddressRange(first: r.first, last: r.first)), .external(AddressRange(first: r.first, last: r.first))]
                    if outbound { record(a, name, sa, x, conns[0], conns[1]) } else { record(name, a, x, sa, conns[0], conns[1]) }
                }
            }
        }
        self.changes = changes.sorted { ($0.source, $0.destination) < ($1.source, $1.destination) }
    }

    /// One version's workloads and connections, memoized per pair of endpoint classes.
    final class Side {
        let evaluator: Evaluator
        let classes: EndpointClasses
        /// Workload id -> endpoint index (workloads with pods only).
        let index: [String: Int]
        var memo: [Int: ConnSet] = [:]

        init(_ evaluator: Evaluator) {
            self.evaluator = evaluator
            classes = EndpointClasses(model: evaluator.model, endpoints: evaluator.endpoints)
            var index: [String: Int] = [:]
            for (i, w) in evaluator.model.workloads.enumerated() where w.replicas != 0 { index[w.id] = index[w.id] ?? i }
            self.index = index
        }

        func endpoint(_ id: String) -> Endpoint? { index[id].map { .pod(evaluator.endpoints[$0]) } }

        func connections(_ a: String, _ b: String) -> ConnSet {
            guard let i = index[a], let j = index[b] else { return .none }
            let key = classes.classOf[i] * classes.count + classes.classOf[j]
            if let c = memo[key] { return c }
            let c = evaluator.connections(from: .pod(evaluator.endpoints[i]), to: .pod(evaluator.endpoints[j]))
            memo[key] = c
            return c
        }
    }
}
