import KubeModel

/// What a change to the manifests opens and closes at the NetworkPolicy layer: for every ordered pair of
/// workloads (matched by `ns/name`) and every external address range, the connections allowed after but not
/// before, and before but not after, each with the deciding rules on both versions.
public struct ConnectivityDiff {
    /// One changed connection, explained in each version (nil where the endpoint does not exist).
    public struct Witness: Sendable {
        public let proto: FlowProtocol
        public let port: Int
        public let base: FlowExplanation?
        public let head: FlowExplanation?
    }

    public struct Change: Sendable {
        public let source: String
        public let destination: String
        public let opened: ConnSet
        public let closed: ConnSet
        /// A connection of `opened` and one of `closed`, each with its own explanations: the rules that opened one
        /// part of a pair's connections are not those that closed another.
        public let openedWitness: Witness?
        public let closedWitness: Witness?
    }

    public let changes: [Change]

    public var openedCount: Int { changes.filter { !$0.opened.isEmpty }.count }
    public var closedCount: Int { changes.filter { !$0.closed.isEmpty }.count }

    public init(base: Evaluator, head: Evaluator) {
        let sides = [Side(base), Side(head)]
        let ids = Set(sides.flatMap { $0.workloads.keys }).sorted()
        // External ranges cut at every CIDR of either version, so each range is uniform in both.
        let space = head.assumptions.externalSpace
        let segments = AddressSpace.segments(cidrs: base.policyCIDRs + head.policyCIDRs, within: space)
        var changes: [Change] = []

        func record(
            _ source: String, _ destination: String, _ s: [Endpoint?], _ d: [Endpoint?], _ before: ConnSet,
            _ after: ConnSet
        ) {
            let opened = after.subtracting(before)
            let closed = before.subtracting(after)
            if opened.isEmpty && closed.isEmpty { return }
            func witness(_ conns: ConnSet) -> Witness? {
                guard let (p, port) = conns.first else { return nil }
                func explain(_ k: Int) -> FlowExplanation? {
                    guard let a = s[k], let b = d[k] else { return nil }
                    return sides[k].evaluator.explain(from: a, to: b, proto: p, port: port)
                }
                return Witness(proto: p, port: port, base: explain(0), head: explain(1))
            }
            changes.append(
                Change(
                    source: source, destination: destination, opened: opened, closed: closed,
                    openedWitness: witness(opened), closedWitness: witness(closed)))
        }

        // Pairs of workloads: both versions' class matrices, rows per source class, connection sets compared by
        // index once the head's indices are translated into the base's table.
        let classesOf = sides.map { side in ids.map { side.workloads[$0]?.classes } }
        let baseTable = sides[0].matrix.table
        let headTable = sides[1].matrix.table
        var translated: [Int32] = []
        func inBase(_ i: Int32) -> Int32 {
            while translated.count <= Int(i) { translated.append(baseTable.intern(headTable[Int32(translated.count)])) }
            return translated[Int(i)]
        }
        var rows = sides.map { [Int32](repeating: ConnTable.none, count: $0.classes.count) }
        var rowClass = [-1, -1]
        // External changes of a workload depend only on its classes in the two versions.
        var externalMemo: [[Int]: [(outbound: Bool, name: String, range: AddressRange, conns: [ConnSet])]] = [:]
        for (ai, a) in ids.enumerated() {
            let endpointsOfA = sides.map { $0.endpoint(a) }
            for k in 0..<2 {
                if let c = classesOf[k][ai], c.count == 1, c[0] != rowClass[k] {
                    sides[k].matrix.row(from: c[0], into: &rows[k], table: sides[k].matrix.table)
                    rowClass[k] = c[0]
                }
            }
            func value(_ k: Int, _ bi: Int) -> Int32 {
                guard let from = classesOf[k][ai], let to = classesOf[k][bi] else { return ConnTable.none }
                if from.count == 1 && to.count == 1 { return rows[k][to[0]] }
                return sides[k].connections(from, to)
            }
            for bi in ids.indices where bi != ai {
                let before = value(0, bi)
                let after = inBase(value(1, bi))
                if before != after {
                    record(
                        a, ids[bi], endpointsOfA, sides.map { $0.endpoint(ids[bi]) }, baseTable[before],
                        baseTable[after])
                }
            }
            // External ranges with the same change are reported together, by CIDR.
            let key = (0..<2).map { k in sides[k].workloads[a].map { sides[k].classes.classOf[$0.endpoint] } ?? -1 }
            let external =
                externalMemo[key]
                ?? {
                    var found: [(outbound: Bool, name: String, range: AddressRange, conns: [ConnSet])] = []
                    for outbound in [true, false] {
                        let perRange = segments.map { r -> (AddressRange, [ConnSet]) in
                            (
                                r,
                                (0..<2).map { k in
                                    guard let e = endpointsOfA[k] else { return .none }
                                    let evaluator = sides[k].evaluator
                                    return outbound
                                        ? evaluator.connections(from: e, to: .external(r))
                                        : evaluator.connections(from: .external(r), to: e)
                                }
                            )
                        }
                        // Ranges are named as the map names them (`external:any`, a family, or CIDRs).
                        for group in AddressSpace.readableGroups(perRange) where group.value[0] != group.value[1] {
                            let name = "external:" + group.labels.joined(separator: ",")
                            found.append((outbound, name, group.first, group.value))
                        }
                    }
                    externalMemo[key] = found
                    return found
                }()
            for (outbound, name, r, conns) in external {
                let x: [Endpoint?] = [
                    .external(AddressRange(r.first)), .external(AddressRange(r.first)),
                ]
                if outbound {
                    record(a, name, endpointsOfA, x, conns[0], conns[1])
                } else {
                    record(name, a, x, endpointsOfA, conns[0], conns[1])
                }
            }
        }
        self.changes = changes.sorted { ($0.source, $0.destination) < ($1.source, $1.destination) }
    }

    /// One version's workloads and the NetworkPolicy layer between its endpoint classes.
    final class Side {
        let evaluator: Evaluator
        let classes: EndpointClasses
        let matrix: ClassMatrix
        /// Workload id -> its first endpoint (for explanations) and the classes of all its pods (workloads with
        /// pods only); its pairs unite those of its pods, as in the map.
        let workloads: [String: (endpoint: Int, classes: [Int])]

        init(_ evaluator: Evaluator) {
            self.evaluator = evaluator
            classes = EndpointClasses(evaluator: evaluator)
            matrix = ClassMatrix(evaluator: evaluator, classes: classes)
            var workloads: [String: (endpoint: Int, classes: [Int])] = [:]
            for i in evaluator.liveEndpoints {
                let w = evaluator.model.workloads[i]
                var entry = workloads[w.id] ?? (i, [])
                if !entry.classes.contains(classes.classOf[i]) { entry.classes.append(classes.classOf[i]) }
                workloads[w.id] = entry
            }
            self.workloads = workloads
        }

        func endpoint(_ id: String) -> Endpoint? { workloads[id].map { .pod(evaluator.endpoints[$0.endpoint]) } }

        /// Connections between workloads of several classes: the union over their pairs of classes.
        func connections(_ from: [Int], _ to: [Int]) -> Int32 {
            from.reduce(ConnTable.none) { acc, s in
                to.reduce(acc) { matrix.table.union($0, matrix.conns(s, $1, table: matrix.table)) }
            }
        }
    }
}
