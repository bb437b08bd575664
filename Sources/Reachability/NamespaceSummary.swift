import Foundation
import KubeModel

/// The map at namespace level: for each ordered pair of namespaces (and the outside world), how many workload pairs
/// can connect and over which connections. Computed from endpoint classes, never from the pair list: at 100,000
/// workloads there are ten billion ordered pairs and no one reads them, while a namespace pair is one line.
public struct NamespaceSummary: Sendable {
    /// One end of a row: a namespace, or every address outside the pod network. The two are kept apart by type, since
    /// `external` is as good a namespace name as any.
    public enum Peer: Hashable, Sendable, Comparable, CustomStringConvertible {
        case namespace(String)
        case outside

        /// The outside's name in output: with a colon, which no namespace name holds (a DNS-1123 label), and as the
        /// pair list names a range every policy treats alike.
        public static let outsideName = "external:any"

        public var description: String {
            switch self {
            case .namespace(let name): return name
            case .outside: return Self.outsideName
            }
        }

        /// By name, as the lines are read.
        public static func < (a: Peer, b: Peer) -> Bool { a.description < b.description }
    }

    public struct Row: Sendable, Equatable {
        public let source: Peer
        public let destination: Peer
        /// Ordered workload pairs with at least one connection (a workload and an external world count as one).
        public let connected: Int
        /// Ordered workload pairs there are (a workload is never paired with itself).
        public let pairs: Int
        /// Every connection some pair of the two has.
        public let conns: ConnSet
    }

    public let rows: [Row]

    /// From a map. A focused map counts only the pairs that touch its focus, out of those that do: its matrix holds
    /// nothing else.
    public init(_ map: ConnectivityMap) {
        let focused = map.focused.contains(false)
        rows = (focused ? Self.focusedRows(map) : Self.classRows(map)).sorted {
            ($0.source, $0.destination) < ($1.source, $1.destination)
        }
    }

    /// A whole map's rows, from its classes, matrix and external ranges. Namespaces are taken on every core, each with
    /// a copy of the connection table.
    private static func classRows(_ map: ConnectivityMap) -> [Row] {
        let ids = map.ids
        let classOf = map.classes.classOf
        let model = map.model
        // Workloads of each namespace, as counts per class; a workload whose pods differ keeps its own endpoints.
        var namespaces: [String] = []
        var index: [String: Int] = [:]
        var perClass: [[Int: Int]] = []
        var mixed: [[[Int]]] = []
        var members: [[Int]] = []
        for (w, id) in ids.enumerated() {
            let ns = model.workloads[id.endpoints[0]].namespace
            let n =
                index[ns]
                ?? {
                    index[ns] = namespaces.count
                    namespaces.append(ns)
                    perClass.append([:])
                    mixed.append([])
                    members.append([])
                    return namespaces.count - 1
                }()
            members[n].append(w)
            if map.sharedClass[w] >= 0 {
                perClass[n][map.sharedClass[w], default: 0] += 1
            } else {
                mixed[n].append(id.endpoints)
            }
        }
        let sizes = perClass.indices.map { perClass[$0].values.reduce(0, +) + mixed[$0].count }
        let classLists = perClass.map { $0.map { (class: $0.key, count: $0.value) } }
        // A class never spans namespaces (`EndpointClasses`).
        var namespaceOf = [Int](repeating: -1, count: map.classes.count)
        var count = [Int](repeating: 0, count: map.classes.count)
        for (n, list) in classLists.enumerated() {
            for (c, k) in list {
                namespaceOf[c] = n
                count[c] = k
            }
        }
        let atoms = ConnAtoms(map.matrix.table.sets)
        let blocks = map.matrix.namespaceBlocks(
            namespaceOf: namespaceOf, count: count, to: map.matrix.blockDestinations(classLists), atoms: atoms)
        var rowsByNamespace = [[Row]](repeating: [], count: namespaces.count)
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        rowsByNamespace.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let table = map.matrix.table.copy()
                // A million rows at 100,000 workloads share a few unions: each mask is turned into a set once.
                var masks: [ArraySlice<UInt64>: ConnSet] = [:]
                func connections(_ union: [UInt64], _ b: Int) -> ConnSet {
                    let mask = union[b * atoms.words..<(b + 1) * atoms.words]
                    if let set = masks[mask] { return set }
                    let set = atoms.set(mask)
                    masks[mask] = set
                    return set
                }
                func conns(_ s: [Int], _ d: [Int]) -> Int32 {
                    s.reduce(ConnTable.none) { acc, sc in
                        d.reduce(acc) { table.union($0, map.matrix.conns(sc, $1, table: table)) }
                    }
                }
                for a in stride(from: worker, to: namespaces.count, by: workers) {
                    var rows: [Row] = []
                    let block = blocks[a]
                    for b in namespaces.indices {
                        var connected = block.connected.isEmpty ? 0 : block.connected[b]
                        var union = ConnTable.none
                        func add(_ c: Int32, _ count: Int) {
                            guard c != ConnTable.none, count > 0 else { return }
                            connected += count
                            union = table.union(union, c)
                        }
                        // Workloads whose pods fall in several classes (live dumps) are paired one by one.
                        for (ca, na) in classLists[a] {
                            for e in mixed[b] { add(conns([ca], e.map { classOf[$0] }), na) }
                        }
                        for (k, e) in mixed[a].enumerated() {
                            let sources = e.map { classOf[$0] }
                            for (cb, nb) in classLists[b] { add(conns(sources, [cb]), nb) }
                            for (j, f) in mixed[b].enumerated() where !(a == b && j == k) {
                                add(conns(sources, f.map { classOf[$0] }), 1)
                            }
                        }
                        let pairs = sizes[a] * sizes[b] - (a == b ? sizes[a] : 0)
                        if connected > 0 {
                            let blockUnion = block.union.isEmpty ? .none : connections(block.union, b)
                            rows.append(
                                Row(
                                    source: .namespace(namespaces[a]), destination: .namespace(namespaces[b]),
                                    connected: connected,
                                    pairs: pairs, conns: blockUnion.union(table[union])))
                        }
                    }
                    // The outside world, as one peer: the workloads it reaches and that reach it.
                    // Unions of table indices, memoized: a workload's classes mostly have the same ranges.
                    var inbound = (0, ConnTable.none)
                    var outbound = (0, ConnTable.none)
                    for w in members[a] {
                        func external(_ lists: [[(name: Int, conns: Int32)]]) -> Int32 {
                            ids[w].endpoints.reduce(ConnTable.none) { acc, e in
                                lists[classOf[e]].reduce(acc) { table.union($0, $1.conns) }
                            }
                        }
                        let into = external(map.inbound)
                        let outOf = external(map.outbound)
                        if into != ConnTable.none { inbound = (inbound.0 + 1, table.union(inbound.1, into)) }
                        if outOf != ConnTable.none { outbound = (outbound.0 + 1, table.union(outbound.1, outOf)) }
                    }
                    if inbound.0 > 0 {
                        rows.append(
                            Row(
                                source: .outside, destination: .namespace(namespaces[a]), connected: inbound.0,
                                pairs: sizes[a], conns: table[inbound.1]))
                    }
                    if outbound.0 > 0 {
                        rows.append(
                            Row(
                                source: .namespace(namespaces[a]), destination: .outside, connected: outbound.0,
                                pairs: sizes[a], conns: table[outbound.1]))
                    }
                    out[a] = rows
                }
            }
        }
        return Array(rowsByNamespace.joined())
    }

    /// A focused map's rows, from its pair list (which lists only pairs touching the focus, as few as it prints).
    private static func focusedRows(_ map: ConnectivityMap) -> [Row] {
        var namespaceOf: [String: String] = [:]
        var size: [String: Int] = [:]
        var unfocused: [String: Int] = [:]
        for (w, id) in map.ids.enumerated() {
            let namespace = map.model.workloads[id.endpoints[0]].namespace
            namespaceOf[id.id] = namespace
            size[namespace, default: 0] += 1
            if !map.focused[w] { unfocused[namespace, default: 0] += 1 }
        }
        struct Key: Hashable {
            let source: Peer
            let destination: Peer
        }
        // A workload counts once towards or from the outside world, whatever the ranges.
        var connected: [Key: Set<String>] = [:]
        var conns: [Key: ConnSet] = [:]
        for pair in map.pairs {
            let source = namespaceOf[pair.source].map(Peer.namespace) ?? .outside
            let destination = namespaceOf[pair.destination].map(Peer.namespace) ?? .outside
            let key = Key(source: source, destination: destination)
            let counted =
                source == .outside
                ? pair.destination : destination == .outside ? pair.source : pair.source + " => " + pair.destination
            connected[key, default: []].insert(counted)
            conns[key, default: .none] = conns[key, default: .none].union(pair.conns)
        }
        return connected.map { key, members in
            // Pairs touching the focus: all of them but those between two workloads outside it.
            func touching(_ a: String, _ b: String) -> Int {
                a == b
                    ? size[a]! * (size[a]! - 1) - unfocused[a, default: 0] * (unfocused[a, default: 0] - 1)
                    : size[a]! * size[b]! - unfocused[a, default: 0] * unfocused[b, default: 0]
            }
            let pairs: Int
            switch (key.source, key.destination) {
            case (.namespace(let a), .namespace(let b)): pairs = touching(a, b)
            case (.namespace(let a), .outside), (.outside, .namespace(let a)):
                pairs = size[a]! - unfocused[a, default: 0]
            case (.outside, .outside): pairs = 0
            }
            return Row(
                source: key.source, destination: key.destination, connected: members.count, pairs: pairs,
                conns: conns[key]!)
        }
    }
}
