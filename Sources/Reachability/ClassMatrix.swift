import Foundation
import KubeModel

/// Distinct connection sets, each stored once and named by a 32-bit index: 0 is no connection, 1 every
/// connection. Unions and intersections of indices are memoized, since a map combines the same few sets millions
/// of times. Not thread-safe: each thread works on a table of its own.
public final class ConnTable {
    public static let none: Int32 = 0
    public static let all: Int32 = 1

    public private(set) var sets: [ConnSet] = [.none, .all]
    private var index: [ConnSet: Int32] = [.none: 0, .all: 1]
    private var unions: [Int64: Int32] = [:]
    private var intersections: [Int64: Int32] = [:]

    public init() {}

    /// A table with the same sets and indices, for another thread; sets it interns from now on are its own.
    public func copy() -> ConnTable {
        let c = ConnTable()
        c.sets = sets
        c.index = index
        return c
    }

    public subscript(_ i: Int32) -> ConnSet { sets[Int(i)] }

    public func intern(_ c: ConnSet) -> Int32 {
        if let i = index[c] { return i }
        let i = Int32(sets.count)
        sets.append(c)
        index[c] = i
        return i
    }

    public func union(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b || b == ConnTable.none || a == ConnTable.all { return a }
        if a == ConnTable.none || b == ConnTable.all { return b }
        let key = Int64(min(a, b)) << 32 | Int64(max(a, b))
        if let u = unions[key] { return u }
        let u = intern(sets[Int(a)].union(sets[Int(b)]))
        unions[key] = u
        return u
    }

    public func intersection(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b || b == ConnTable.all || a == ConnTable.none { return a }
        if a == ConnTable.all || b == ConnTable.none { return b }
        // A map intersects each source's egress with every destination's ingress: the first sets get a flat memo.
        if a < ConnTable.flatSide && b < ConnTable.flatSide {
            if flatIntersections.isEmpty {
                flatIntersections = [Int32](repeating: -1, count: Int(ConnTable.flatSide * ConnTable.flatSide))
            }
            let slot = Int(a) * Int(ConnTable.flatSide) + Int(b)
            if flatIntersections[slot] < 0 { flatIntersections[slot] = intern(sets[Int(a)].intersection(sets[Int(b)])) }
            return flatIntersections[slot]
        }
        let key = Int64(min(a, b)) << 32 | Int64(max(a, b))
        if let x = intersections[key] { return x }
        let x = intern(sets[Int(a)].intersection(sets[Int(b)]))
        intersections[key] = x
        return x
    }
    private static let flatSide: Int32 = 1024
    private var flatIntersections: [Int32] = []
}

/// The NetworkPolicy layer between every ordered pair of endpoint classes, computed one side at a time.
///
/// A flow needs the source's egress and the destination's ingress, and each side depends on its own pod only
/// through the rules that select it. Classes selected by the same rules share a side, so the ingress side is
/// computed once per distinct list of ingress rules, over every source class, and the egress side once per
/// distinct list of egress rules, over every destination class; a pair is then the intersection of two stored
/// values. Each peer is matched against every class once, into a bit set. With admin-tier policies every class is
/// its own side and each value comes from the evaluator, which orders the tiers.
final class ClassMatrix {
    let table = ConnTable()
    /// The side of each class, and each side's value towards every class (ingress: stored per source class, each
    /// side's value from it, so that one source's row reads memory in order), as `table` indices. One layer per IP
    /// family when the evaluator tells the families apart (`Evaluator.splitsFamilies`), else one for all.
    private struct Layer {
        let ingressSide: [Int32]
        let egressSide: [Int32]
        let ingressBySource: [Int32]
        let ingressSides: Int
        let egressRows: [[Int32]]
        /// Towards the focus only: each focused class's column in the egress rows (which hold no other).
        let egressColumn: [Int32]?
    }
    private var layers: [Layer] = []

    /// With a `focus` (classes), only pairs with a focused class on one side are computed: a side of an unfocused
    /// class is evaluated towards the focused classes alone, and `conns` of two unfocused classes is meaningless.
    /// `towardsFocusOnly` computes only pairs whose destination is focused (who reaches the focus): ingress sides of
    /// focused classes, egress sides towards the focused columns, stored without the others.
    init(evaluator: Evaluator, classes: EndpointClasses, focus: Set<Int>? = nil, towardsFocusOnly: Bool = false) {
        let towardsFocusOnly = towardsFocusOnly && focus != nil
        let n = classes.count
        let reps = (0..<n).map { evaluator.endpoints[classes.representative($0)] }
        let table = self.table
        let words = (n + 63) / 64
        let focusMask: [UInt64]? = focus.map { focus in
            var mask = [UInt64](repeating: 0, count: words)
            for c in focus { mask[c >> 6] |= 1 << UInt64(c & 63) }
            return mask
        }
        func sides(_ direction: Direction, peers: PeerClassSets?, family: IPFamily?) -> (of: [Int32], rows: [[Int32]]) {
            guard let peers else {
                let rows = ClassMatrix.parallelRows(count: n, into: table) { side, t in
                    let focused = focus?.contains(side) ?? true
                    if towardsFocusOnly && direction == .ingress && !focused { return [] }
                    let all = focused && !(towardsFocusOnly && direction == .egress)
                    return (0..<n).map { remote in
                        guard all || focus!.contains(remote) else { return ConnTable.none }
                        return t.intern(
                            direction == .ingress
                                ? evaluator.ingress(to: reps[side], from: .pod(reps[remote]), family: family)
                                : evaluator.egress(from: reps[side], to: .pod(reps[remote]), family: family))
                    }
                }
                return ((0..<n).map(Int32.init), rows)
            }
            var keyIndex: [SideKey: Int32] = [:]
            var distinct: [(side: CompiledSide, key: SideKey)] = []
            var of: [Int32] = []
            for c in 0..<n {
                let side = evaluator.compiled(direction, reps[c], index: classes.representative(c))
                let key = SideKey(side, peers: peers)
                if let i = keyIndex[key] {
                    of.append(i)
                    continue
                }
                keyIndex[key] = Int32(distinct.count)
                of.append(Int32(distinct.count))
                distinct.append((side, key))
            }
            peers.computePending()
            // A side some focused class has is needed towards every class; the others towards the focus only.
            var focusedSide = [Bool](repeating: focus == nil, count: distinct.count)
            for c in focus ?? [] { focusedSide[Int(of[c])] = true }
            let rows = ClassMatrix.parallelRows(count: distinct.count, into: table) { i, t in
                if towardsFocusOnly && direction == .ingress && !focusedSide[i] { return [] }
                let towardsAll = focusedSide[i] && !(towardsFocusOnly && direction == .egress)
                return peers.row(
                    distinct[i].side, key: distinct[i].key, classes: n, only: towardsAll ? nil : focusMask, table: t
                ) { rule in
                    rule.ports.connections(destination: .pod(reps[rule.remote]))
                }
            }
            return (of, rows)
        }
        let ruleBased = !evaluator.policies.hasOrderedTiers
        for family in evaluator.pairFamilies {
            let peers = ruleBased ? PeerClassSets(evaluator: evaluator, reps: reps, family: family) : nil
            let ingress = sides(.ingress, peers: peers, family: family)
            // Sides left uncomputed (towards the focus only) take no room: the others are numbered anew.
            var kept = [Int32](repeating: -1, count: ingress.rows.count)
            var stride = 0
            for (g, row) in ingress.rows.enumerated() where !row.isEmpty {
                kept[g] = Int32(stride)
                stride += 1
            }
            // Transposed on every core, a block of sources at a time.
            var bySource = [Int32](repeating: 0, count: n * stride)
            let rows = ingress.rows
            let block = 512
            bySource.withUnsafeMutableBufferPointer { out in
                let out = out
                DispatchQueue.concurrentPerform(iterations: (n + block - 1) / block) { b in
                    let sources = (b * block)..<min(n, (b + 1) * block)
                    for (g, row) in rows.enumerated() where kept[g] >= 0 {
                        let k = Int(kept[g])
                        for s in sources { out[s * stride + k] = row[s] }
                    }
                }
            }
            var egress = sides(.egress, peers: peers, family: family)
            var egressColumn: [Int32]?
            if towardsFocusOnly, let focus {
                let columns = focus.sorted()
                var column = [Int32](repeating: -1, count: n)
                for (k, c) in columns.enumerated() { column[c] = Int32(k) }
                egress.rows = egress.rows.map { row in columns.map { row[$0] } }
                egressColumn = column
            }
            layers.append(
                Layer(
                    ingressSide: ingress.of.map { kept[Int($0)] }, egressSide: egress.of, ingressBySource: bySource,
                    ingressSides: stride, egressRows: egress.rows, egressColumn: egressColumn))
        }
    }

    /// Connections from class `s` to class `d`, as an index into `table` (or a copy of it).
    func conns(_ s: Int, _ d: Int, table: ConnTable) -> Int32 {
        var out = ConnTable.none
        for l in layers {
            let egress = l.egressRows[Int(l.egressSide[s])][l.egressColumn.map { Int($0[d]) } ?? d]
            out = table.union(
                out, table.intersection(egress, l.ingressBySource[s * l.ingressSides + Int(l.ingressSide[d])]))
        }
        return out
    }

    /// A namespace's classes as the destinations of blocks.
    struct BlockDestinations {
        let classes: [(class: Int, count: Int)]
        /// Groups of destinations with the same ingress side in every layer: their members (indices into `classes`)
        /// and each group's side in each layer.
        let members: [[Int]]
        let sides: [Int32]
    }

    /// The destination side of blocks: one namespace's classes, grouped once for all the blocks towards it.
    func blockDestinations(_ classes: [(class: Int, count: Int)]) -> BlockDestinations {
        var groupIndex: [[Int32]: Int] = [:]
        var members: [[Int]] = []
        var sides: [Int32] = []
        for (j, d) in classes.enumerated() {
            let key = layers.map { $0.ingressSide[d.class] }
            if let g = groupIndex[key] {
                members[g].append(j)
            } else {
                groupIndex[key] = members.count
                members.append([j])
                sides += key
            }
        }
        return BlockDestinations(classes: classes, members: members, sides: sides)
    }

    /// A block of class pairs summed up, for the namespace summary: the weight of the pairs that connect and the union
    /// of their connections. A pair weighs the product of its classes' counts; with `sameNamespace`, a class paired
    /// with itself weighs n * (n - 1), since a workload is not its own pair. The summary visits every pair of classes,
    /// a billion at 100,000 workloads: destinations are grouped by their ingress sides (`blockDestinations`), and a
    /// source whose ingress value is no connection for a group (a default deny) skips the group's classes.
    func block(
        from sources: [(class: Int, count: Int)], to blockDestinations: BlockDestinations, sameNamespace: Bool,
        table: ConnTable
    ) -> (connected: Int, union: Int32) {
        let layerCount = layers.count
        let destinations = blockDestinations.classes
        let groupMembers = blockDestinations.members
        let groupSides = blockDestinations.sides
        var connected = 0
        var union = ConnTable.none
        var open = [Int32](repeating: ConnTable.none, count: destinations.count)
        var groupOpen = [Bool](repeating: false, count: groupMembers.count)
        for (source, sourceCount) in sources {
            var anyOpen = false
            for g in groupOpen.indices {
                groupOpen[g] = false
                for (k, l) in layers.enumerated()
                where l.ingressBySource[source * l.ingressSides + Int(groupSides[g * layerCount + k])] != ConnTable.none
                {
                    groupOpen[g] = true
                    anyOpen = true
                    break
                }
            }
            guard anyOpen else { continue }
            for (k, l) in layers.enumerated() {
                let egress = l.egressRows[Int(l.egressSide[source])]
                let column = l.egressColumn
                let ingress = l.ingressBySource
                let base = source * l.ingressSides
                for (g, members) in groupMembers.enumerated() where groupOpen[g] {
                    let value = ingress[base + Int(groupSides[g * layerCount + k])]
                    for j in members {
                        let d = destinations[j].class
                        let x = table.intersection(egress[column.map { Int($0[d]) } ?? d], value)
                        open[j] = k == 0 ? x : table.union(open[j], x)
                    }
                }
            }
            for (g, members) in groupMembers.enumerated() where groupOpen[g] {
                for j in members where open[j] != ConnTable.none {
                    let (destination, destinationCount) = destinations[j]
                    let weight =
                        sameNamespace && destination == source
                        ? sourceCount * (sourceCount - 1) : sourceCount * destinationCount
                    guard weight > 0 else { continue }
                    connected += weight
                    union = table.union(union, open[j])
                }
            }
        }
        return (connected, union)
    }

    /// Connections from class `s` to every class, as indices into `table` (or a copy of it).
    func row(from s: Int, into out: inout [Int32], table: ConnTable) {
        for (k, l) in layers.enumerated() {
            assert(l.egressColumn == nil, "a matrix towards its focus only has no full rows")
            let egress = l.egressRows[Int(l.egressSide[s])]
            let base = s * l.ingressSides
            for d in out.indices {
                let x = table.intersection(egress[d], l.ingressBySource[base + Int(l.ingressSide[d])])
                out[d] = k == 0 ? x : table.union(out[d], x)
            }
        }
    }

    /// Rows computed on every core, each worker interning into a table of its own; the indices are then translated into
    /// `table`'s.
    private static func parallelRows(count: Int, into table: ConnTable, _ row: @escaping (Int, ConnTable) -> [Int32])
        -> [[Int32]]
    {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
        var rows = [[Int32]](repeating: [], count: count)
        let tables = (0..<workers).map { _ in ConnTable() }
        rows.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in stride(from: w, to: count, by: workers) { out[i] = row(i, tables[w]) }
            }
        }
        let shared = tables.map { local in local.sets.map { table.intern($0) } }
        // Each worker translates the rows it computed, in place.
        rows.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let map = shared[w]
                for i in stride(from: w, to: count, by: workers) {
                    for k in out[i].indices { out[i][k] = map[Int(out[i][k])] }
                }
            }
        }
        return rows
    }
}

/// What a side's value depends on: whether it is isolated, and per rule its peers and connections (the ports
/// themselves where named ports leave the connections to each destination).
struct SideKey: Hashable {
    struct Rule: Hashable {
        /// Empty: every remote endpoint.
        let peers: [Int32]
        let conns: ConnSet?
        let ports: [PortMatch]?
    }
    let isolated: Bool
    let rules: [Rule]

    init(_ side: CompiledSide, peers: PeerClassSets) {
        isolated = side.isolated
        rules = side.rules.map { r in
            Rule(peers: r.peers.map { peers.id(of: $0) }, conns: r.conns, ports: r.conns == nil ? r.ports : [])
        }
    }
}

/// The classes each compiled peer matches (for some address a class's pods may have), as bit sets.
final class PeerClassSets {
    /// The classes of one namespace, with their labels indexed (positions in `classes`), and those a pod selector
    /// can select (all but hostNetwork ones) as a bit set.
    private struct Namespace {
        let labels: [String: String]
        let classes: [Int]
        let index: LabelIndex
        let selectable: [UInt64]
    }
    private let evaluator: Evaluator
    private let reps: [PodEndpoint]
    /// Address peers match the classes' addresses of this family (nil: of any family).
    private let family: IPFamily?
    private let namespaces: [Namespace]
    private let namespacePosition: [String: Int]
    private var ids: [PeerMatch: Int32] = [:]
    private var keys: [PeerMatch] = []
    private var sets: [[UInt64]] = []
    private let words: Int

    init(evaluator: Evaluator, reps: [PodEndpoint], family: IPFamily?) {
        self.evaluator = evaluator
        self.reps = reps
        self.family = family
        let words = (reps.count + 63) / 64
        let byNamespace = Dictionary(grouping: reps.indices, by: { reps[$0].namespace })
        var namespaces: [Namespace] = []
        var position: [String: Int] = [:]
        for (name, classes) in byNamespace {
            var selectable = [UInt64](repeating: 0, count: words)
            for c in classes where !reps[c].hostNetwork { selectable[c >> 6] |= 1 << UInt64(c & 63) }
            position[name] = namespaces.count
            namespaces.append(
                Namespace(
                    labels: reps[classes[0]].namespaceLabels, classes: classes,
                    index: LabelIndex(classes.map { reps[$0].labels }), selectable: selectable))
        }
        self.namespaces = namespaces
        namespacePosition = position
        self.words = words
    }

    func id(of peer: PeerMatch) -> Int32 {
        if let i = ids[peer] { return i }
        let i = Int32(keys.count)
        ids[peer] = i
        keys.append(peer)
        return i
    }

    /// Matches every peer registered since the last call against every class, on every core.
    func computePending() {
        let start = sets.count
        guard keys.count > start else { return }
        // The namespaces each namespace selector matches, once per selector.
        var selected: [LabelSelector: [Int]] = [:]
        for key in keys[start...] {
            if case .pods(let m) = key, case .selector(let nsSel) = m.namespaces, selected[nsSel] == nil {
                selected[nsSel] = self.namespaces.indices.filter { nsSel.matches(self.namespaces[$0].labels) }
            }
        }
        var fresh = [[UInt64]](repeating: [], count: keys.count - start)
        let keys = self.keys
        let reps = self.reps
        let evaluator = self.evaluator
        let family = self.family
        let words = self.words
        let namespaces = self.namespaces
        let namespacePosition = self.namespacePosition
        fresh.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: out.count) { k in
                let key = keys[start + k]
                var bits = [UInt64](repeating: 0, count: words)
                func set(_ c: Int) { bits[c >> 6] |= 1 << UInt64(c & 63) }
                switch key {
                case .pods(let m):
                    // Pod selection does not depend on addresses: selectors on the representatives' labels.
                    let inScope: [Int]
                    switch m.namespaces {
                    case .selector(let nsSel): inScope = selected[nsSel]!
                    case .named(let name): inScope = namespacePosition[name].map { [$0] } ?? []
                    }
                    for n in inScope {
                        let ns = namespaces[n]
                        guard !m.pods.isEmpty else {
                            for w in 0..<words { bits[w] |= ns.selectable[w] }
                            continue
                        }
                        for p in ns.index.matching(m.pods) {
                            let c = ns.classes[p]
                            if ns.selectable[c >> 6] & (1 << UInt64(c & 63)) != 0 { set(c) }
                        }
                    }
                case .addresses:
                    for c in reps.indices {
                        let remote = Endpoint.pod(reps[c])
                        if evaluator.addresses(of: remote, family: family).contains(where: {
                            evaluator.peerMatches(key, remote: remote, remoteAddress: $0)
                        }) {
                            set(c)
                        }
                    }
                case .nodes:
                    break
                }
                out[k] = bits
            }
        }
        sets += fresh
    }

    struct NamedPortRule {
        let ports: [PortMatch]?
        let remote: Int
    }

    /// A side's value towards every class. `named` gives a rule's connections towards one class when its named ports
    /// resolve there.
    func row(
        _ side: CompiledSide, key: SideKey, classes n: Int, only: [UInt64]? = nil, table: ConnTable,
        named: (NamedPortRule) -> ConnSet
    ) -> [Int32] {
        guard side.isolated else { return [Int32](repeating: ConnTable.all, count: n) }
        var row = [Int32](repeating: ConnTable.none, count: n)
        // The bit sets are read from a local: every access to the class's own property would be checked for
        // exclusivity, a billion times at 100,000 workloads.
        let sets = self.sets
        var matched = [UInt64](repeating: 0, count: words)
        for (rule, ruleKey) in zip(side.rules, key.rules) {
            if ruleKey.peers.isEmpty {
                for w in 0..<words { matched[w] = ~0 }
            } else {
                for w in 0..<words { matched[w] = 0 }
                for p in ruleKey.peers {
                    let set = sets[Int(p)]
                    for w in 0..<words { matched[w] |= set[w] }
                }
            }
            let fixed = rule.conns.map { table.intern($0) }
            for w in 0..<words {
                var bits = matched[w] & (only?[w] ?? ~0)
                while bits != 0 {
                    let c = w << 6 | bits.trailingZeroBitCount
                    bits &= bits - 1
                    guard c < n else { break }
                    row[c] = table.union(
                        row[c], fixed ?? table.intern(named(NamedPortRule(ports: rule.ports, remote: c))))
                }
            }
        }
        return row
    }
}
