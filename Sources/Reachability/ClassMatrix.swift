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
    ///
    /// Without a focus every side is stored in full. With one, only the focused classes' sides are (ingress sides
    /// over every source, egress sides towards every destination), and every side's values at the focused classes
    /// are stored apart (`…AtFocus`, side by side, `focusCount` values apiece): a pair with a focused class on either
    /// end reads one or the other, and memory grows with the focus rather than with the square of the classes.
    private struct Layer {
        /// Each class's ingress side, its index among the sides stored in full (-1: none), and the values by source.
        let ingressSide: [Int32]
        let ingressFull: [Int32]
        let ingressBySource: [Int32]
        let ingressSides: Int
        /// Every ingress side's value from each focused source (a focused map lists their rows).
        let ingressAtFocus: [Int32]
        /// Each class's egress side, each side's row among the rows stored in full (-1: none), and the rows.
        let egressSide: [Int32]
        let egressFull: [Int32]
        let egressRows: [Int32]
        /// Every egress side's value towards each focused destination.
        let egressAtFocus: [Int32]
    }
    private let classCount: Int
    /// Each class's position among the focused classes (-1: not focused), and how many there are.
    private let focusIndex: [Int32]
    private let focusCount: Int
    func isFocused(_ c: Int) -> Bool { focusIndex[c] >= 0 }
    private var layers: [Layer] = []

    /// With a `focus` (classes), only pairs with a focused class on one side are computed: a side of an unfocused
    /// class is evaluated towards the focused classes alone, and `conns` of two unfocused classes is meaningless.
    /// `towardsFocusOnly` computes only pairs whose destination is focused (who reaches the focus): ingress sides of
    /// focused classes, egress sides towards the focused columns, stored without the others.
    init(evaluator: Evaluator, classes: EndpointClasses, focus: Set<Int>? = nil, towardsFocusOnly: Bool = false) {
        let towardsFocusOnly = towardsFocusOnly && focus != nil
        let n = classes.count
        classCount = n
        var focusIndex = [Int32](repeating: -1, count: n)
        for (k, c) in (focus ?? []).sorted().enumerated() { focusIndex[c] = Int32(k) }
        self.focusIndex = focusIndex
        focusCount = focus?.count ?? 0
        let reps = (0..<n).map { evaluator.endpoints[classes.representative($0)] }
        let table = self.table
        let words = (n + 63) / 64
        let focusMask: [UInt64]? = focus.map { focus in
            var mask = [UInt64](repeating: 0, count: words)
            for c in focus { mask[c >> 6] |= 1 << UInt64(c & 63) }
            return mask
        }
        /// The distinct sides of a direction, and how to write a side's values towards a range of classes (starting
        /// at a multiple of 64) at `out[(c - start) * step]`, as indices into a copy of `table`. `towardsAll[i]`:
        /// some focused class has side i, so it is needed towards every class; the others towards the focus only.
        typealias Fill = (_ i: Int, _ classes: Range<Int>, _ out: UnsafeMutablePointer<Int32>, _ step: Int, ConnTable)
            -> Void
        func sides(_ direction: Direction, peers: PeerClassSets?, family: IPFamily?) -> (
            of: [Int32], towardsAll: [Bool], fill: Fill
        ) {
            guard let peers else {
                // Ordered tiers: every class is its own side, and each value comes from the evaluator.
                let towardsAll = (0..<n).map {
                    (focus?.contains($0) ?? true) && !(towardsFocusOnly && direction == .egress)
                }
                return (
                    (0..<n).map(Int32.init), towardsAll,
                    { side, range, out, step, t in
                        for remote in range where towardsAll[side] || focus!.contains(remote) {
                            out[(remote - range.lowerBound) * step] = t.intern(
                                direction == .ingress
                                    ? evaluator.ingress(to: reps[side], from: .pod(reps[remote]), family: family)
                                    : evaluator.egress(from: reps[side], to: .pod(reps[remote]), family: family))
                        }
                    }
                )
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
            var towardsAll = [Bool](repeating: focus == nil, count: distinct.count)
            for c in focus ?? [] { towardsAll[Int(of[c])] = true }
            if towardsFocusOnly && direction == .egress { towardsAll = towardsAll.map { _ in false } }
            // Rules' connections are interned here, once: the workers' tables are copies of this one.
            let plans = distinct.map { PeerClassSets.SidePlan($0.side, key: $0.key, table: table) }
            let compiled = distinct.map(\.side)
            return (
                of, towardsAll,
                { i, range, out, step, t in
                    peers.fill(
                        plans[i], side: compiled[i], classes: range, only: towardsAll[i] ? nil : focusMask, table: t,
                        into: out, step: step)
                }
            )
        }
        let ruleBased = !evaluator.policies.hasOrderedTiers
        for family in evaluator.pairFamilies {
            let peers = ruleBased ? PeerClassSets(evaluator: evaluator, reps: reps, family: family) : nil
            let ingress = sides(.ingress, peers: peers, family: family)
            // Ingress values are stored by source: one source's values towards every side lie together.
            let keptSides = ingress.towardsAll.indices.filter { ingress.towardsAll[$0] }
            var kept = [Int32](repeating: -1, count: ingress.towardsAll.count)
            for (k, i) in keptSides.enumerated() { kept[i] = Int32(k) }
            let stride = keptSides.count
            // Written on every core, 64 sources (one word of the peers' bit sets) at a time, each source's values in
            // order: no ingress row is stored, and none is transposed.
            let bySource = ClassMatrix.parallelFill(count: n * stride, blocks: words, into: table) { b, out, t in
                let sources = (b * 64)..<min(n, (b + 1) * 64)
                for (k, i) in keptSides.enumerated() {
                    ingress.fill(i, sources, out + sources.lowerBound * stride + k, stride, t)
                }
                return sources.lowerBound * stride..<sources.upperBound * stride
            }
            let egress = sides(.egress, peers: peers, family: family)
            let fullRows = egress.towardsAll.indices.filter { egress.towardsAll[$0] }
            var rowOf = [Int32](repeating: -1, count: egress.towardsAll.count)
            for (k, i) in fullRows.enumerated() { rowOf[i] = Int32(k) }
            let egressRows = ClassMatrix.parallelFill(count: fullRows.count * n, blocks: fullRows.count, into: table) {
                k, out, t in
                egress.fill(fullRows[k], 0..<n, out + k * n, 1, t)
                return k * n..<(k + 1) * n
            }
            let focused = focus.map { $0.sorted() } ?? []
            layers.append(
                Layer(
                    ingressSide: ingress.of, ingressFull: kept, ingressBySource: bySource, ingressSides: stride,
                    ingressAtFocus: towardsFocusOnly
                        ? []
                        : ClassMatrix.values(
                            at: focused, of: n, sides: ingress.towardsAll.count, into: table, ingress.fill),
                    egressSide: egress.of, egressFull: rowOf, egressRows: egressRows,
                    egressAtFocus: ClassMatrix.values(
                        at: focused, of: n, sides: egress.towardsAll.count, into: table, egress.fill)
                ))
        }
    }

    /// Every side's values at some classes (sorted, among `total`), side by side: the focus of a focused matrix.
    private static func values(
        at classes: [Int], of total: Int, sides: Int, into table: ConnTable,
        _ fill: @escaping (Int, Range<Int>, UnsafeMutablePointer<Int32>, Int, ConnTable) -> Void
    ) -> [Int32] {
        guard !classes.isEmpty else { return [] }
        let count = classes.count
        return parallelFill(count: sides * count, blocks: sides, into: table) { i, out, t in
            // A side is computed 64 classes at a time: each block of classes holding a focused one, into a scratch.
            var scratch = [Int32](repeating: ConnTable.none, count: 64)
            var f = 0
            while f < count {
                let start = classes[f] & ~63
                let block = start..<min(start + 64, total)
                scratch.withUnsafeMutableBufferPointer { fill(i, block, $0.baseAddress!, 1, t) }
                while f < count && classes[f] < start + 64 {
                    out[i * count + f] = scratch[classes[f] - start]
                    f += 1
                }
                for k in scratch.indices { scratch[k] = ConnTable.none }
            }
            return i * count..<(i + 1) * count
        }
    }

    /// Connections from class `s` to class `d`, as an index into `table` (or a copy of it). With a focus, `s` or `d`
    /// is focused (towards the focus only, `d`).
    func conns(_ s: Int, _ d: Int, table: ConnTable) -> Int32 {
        var out = ConnTable.none
        // Claims call this per pair: the layers are read in place, since copying one retains each of its arrays.
        for k in layers.indices {
            out = table.union(out, table.intersection(egress(k, s, d), ingress(k, s, d)))
        }
        return out
    }

    /// Layer k's egress value from class `s` to class `d`: from a row stored in full, else from the focus's values.
    @inline(__always)
    private func egress(_ k: Int, _ s: Int, _ d: Int) -> Int32 {
        let side = Int(layers[k].egressSide[s])
        let row = Int(layers[k].egressFull[side])
        return row >= 0
            ? layers[k].egressRows[row * classCount + d]
            : layers[k].egressAtFocus[side * focusCount + Int(focusIndex[d])]
    }

    /// Layer k's ingress value into class `d` from class `s`, likewise.
    @inline(__always)
    private func ingress(_ k: Int, _ s: Int, _ d: Int) -> Int32 {
        let side = Int(layers[k].ingressSide[d])
        let full = Int(layers[k].ingressFull[side])
        return full >= 0
            ? layers[k].ingressBySource[s * layers[k].ingressSides + full]
            : layers[k].ingressAtFocus[side * focusCount + Int(focusIndex[s])]
    }

    /// Every namespace's classes as the destinations of blocks, grouped once for all sources: classes of one
    /// namespace with the same ingress side in every layer form a group. Group `g` belongs to `namespaceOf[g]`, has
    /// `sides[g * layers + k]` in layer k, and its members are `memberClass` and `memberCount` from `memberStart[g]` to
    /// `memberStart[g + 1]`.
    struct BlockDestinations {
        let namespaces: Int
        let namespaceOf: [Int]
        let sides: [Int32]
        let memberStart: [Int]
        let memberClass: [Int]
        let memberCount: [Int]
    }

    func blockDestinations(_ namespaces: [[(class: Int, count: Int)]]) -> BlockDestinations {
        var namespaceOf: [Int] = []
        var sides: [Int32] = []
        var memberStart: [Int] = []
        var memberClass: [Int] = []
        var memberCount: [Int] = []
        for (n, classes) in namespaces.enumerated() {
            var groups: [[Int32]: [(class: Int, count: Int)]] = [:]
            var order: [[Int32]] = []
            for d in classes {
                // Each layer's column of the ingress values by source (every side is stored in full: no focus).
                let key = layers.map { $0.ingressFull[Int($0.ingressSide[d.class])] }
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(d)
            }
            for key in order {
                namespaceOf.append(n)
                sides += key
                memberStart.append(memberClass.count)
                for d in groups[key]! {
                    memberClass.append(d.class)
                    memberCount.append(d.count)
                }
            }
        }
        memberStart.append(memberClass.count)
        return BlockDestinations(
            namespaces: namespaces.count, namespaceOf: namespaceOf, sides: sides, memberStart: memberStart,
            memberClass: memberClass, memberCount: memberCount)
    }

    /// The blocks from one namespace's classes to every namespace, summed up for the namespace summary: per
    /// destination namespace, the weight of the class pairs that connect and the union of their connections as an
    /// atom mask (`atoms.words` words per namespace). A pair weighs the product of its classes' counts; a class paired
    /// with itself weighs n * (n - 1), since a workload is not its own pair. This visits every pair of classes, a
    /// billion at 100,000 workloads, so a pair costs a few word operations, and a source whose ingress value is no
    /// connection for a group (a default deny) skips the group's members.
    func blocks(
        from sources: [(class: Int, count: Int)], namespace: Int, to destinations: BlockDestinations, atoms: ConnAtoms
    ) -> (connected: [Int], union: [UInt64]) {
        precondition(focusCount == 0, "a focused matrix has no blocks")
        let words = atoms.words
        let layerCount = layers.count
        let groups = destinations.namespaceOf.count
        var connected = [Int](repeating: 0, count: destinations.namespaces)
        var union = [UInt64](repeating: 0, count: destinations.namespaces * words)
        var pair = [UInt64](repeating: 0, count: words)
        // Per layer, the mask offset of the source's ingress value for each group (-1 when it is no connection).
        var ingress = [Int](repeating: 0, count: groups * layerCount)
        if layerCount == 1 {
            singleLayerBlocks(
                from: sources, namespace: namespace, to: destinations, atoms: atoms, connected: &connected,
                union: &union)
            return (connected, union)
        }
        // The loop below runs a billion times: it reads raw buffers, without bounds checks or reference counting.
        atoms.masks.withUnsafeBufferPointer { masks in
            destinations.memberClass.withUnsafeBufferPointer { memberClass in
                destinations.memberCount.withUnsafeBufferPointer { memberCount in
                    for (source, sourceCount) in sources {
                        var anyGroup = false
                        for (k, l) in layers.enumerated() {
                            let base = source * l.ingressSides
                            l.ingressBySource.withUnsafeBufferPointer { bySource in
                                for g in 0..<groups {
                                    let value = bySource[base + Int(destinations.sides[g * layerCount + k])]
                                    ingress[g * layerCount + k] = value == ConnTable.none ? -1 : Int(value) * words
                                    anyGroup = anyGroup || value != ConnTable.none
                                }
                            }
                        }
                        guard anyGroup else { continue }
                        let egress = layers.map { Int($0.egressFull[Int($0.egressSide[source])]) * classCount }
                        for g in 0..<groups {
                            var open = false
                            for k in 0..<layerCount where ingress[g * layerCount + k] >= 0 { open = true }
                            guard open else { continue }
                            let b = destinations.namespaceOf[g]
                            for j in destinations.memberStart[g]..<destinations.memberStart[g + 1] {
                                let d = memberClass[j]
                                var any: UInt64 = 0
                                for k in 0..<layerCount {
                                    let value = ingress[g * layerCount + k]
                                    let e = Int(layers[k].egressRows[egress[k] + d]) * words
                                    for w in 0..<words {
                                        let x = value < 0 ? 0 : masks[e + w] & masks[value + w]
                                        pair[w] = k == 0 ? x : pair[w] | x
                                        any |= x
                                    }
                                }
                                guard any != 0 else { continue }
                                let weight =
                                    b == namespace && d == source
                                    ? sourceCount * (sourceCount - 1) : sourceCount * memberCount[j]
                                guard weight > 0 else { continue }
                                connected[b] += weight
                                for w in 0..<words { union[b * words + w] |= pair[w] }
                            }
                        }
                    }
                }
            }
        }
        return (connected, union)
    }

    /// `blocks` for one layer, the common case (one IP family, or families the policies treat alike): the masks, the
    /// ingress values and the egress row are read from raw buffers, without bounds checks or reference counting.
    private func singleLayerBlocks(
        from sources: [(class: Int, count: Int)], namespace: Int, to destinations: BlockDestinations, atoms: ConnAtoms,
        connected: inout [Int], union: inout [UInt64]
    ) {
        let layer = layers[0]
        let words = atoms.words
        let sides = destinations.sides
        let namespaceOf = destinations.namespaceOf
        let memberStart = destinations.memberStart
        let memberClass = destinations.memberClass
        let memberCount = destinations.memberCount
        let none = Int(ConnTable.none)
        atoms.masks.withUnsafeBufferPointer { masks in
            layer.ingressBySource.withUnsafeBufferPointer { bySource in
                layer.egressRows.withUnsafeBufferPointer { egressRows in
                    for (source, sourceCount) in sources {
                        let base = source * layer.ingressSides
                        let row = Int(layer.egressFull[Int(layer.egressSide[source])])
                        let egress = egressRows.baseAddress! + row * classCount
                        for g in sides.indices {
                            let value = Int(bySource[base + Int(sides[g])]) * words
                            guard value != none else { continue }
                            let b = namespaceOf[g]
                            for j in memberStart[g]..<memberStart[g + 1] {
                                let d = memberClass[j]
                                let e = Int(egress[d]) * words
                                guard e != none else { continue }
                                var any: UInt64 = 0
                                for w in 0..<words { any |= masks[e + w] & masks[value + w] }
                                guard any != 0 else { continue }
                                let weight =
                                    b == namespace && d == source
                                    ? sourceCount * (sourceCount - 1) : sourceCount * memberCount[j]
                                guard weight > 0 else { continue }
                                connected[b] += weight
                                for w in 0..<words { union[b * words + w] |= masks[e + w] & masks[value + w] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Connections from class `s` to every class, as indices into `table` (or a copy of it). With a focus, `s` is
    /// focused.
    func row(from s: Int, into out: inout [Int32], table: ConnTable) {
        for k in layers.indices {
            // The source's egress row is stored in full (it is focused, or nothing is).
            let row = Int(layers[k].egressFull[Int(layers[k].egressSide[s])]) * classCount
            for d in out.indices {
                let x = table.intersection(layers[k].egressRows[row + d], ingress(k, s, d))
                out[d] = k == 0 ? x : table.union(out[d], x)
            }
        }
    }

    /// A buffer of `count` values (no connection where nothing is written) filled on every core: `fill` writes block
    /// `b` into a copy of `table` and returns the range it wrote, whose new indices are then translated into
    /// `table`'s.
    private static func parallelFill(
        count: Int, blocks: Int, into table: ConnTable,
        _ fill: @escaping (Int, UnsafeMutablePointer<Int32>, ConnTable) -> Range<Int>
    ) -> [Int32] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, blocks))
        var out = [Int32](repeating: ConnTable.none, count: count)
        let tables = (0..<workers).map { _ in table.copy() }
        let shared = table.sets.count
        var written = [[Range<Int>]](repeating: [], count: workers)
        out.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            written.withUnsafeMutableBufferPointer { written in
                let written = written
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    for b in stride(from: w, to: blocks, by: workers) { written[w].append(fill(b, base, tables[w])) }
                }
            }
            // Sets a worker interned after the copy get the shared table's indices, by each worker in place.
            let translations = tables.map { local in local.sets[shared...].map { table.intern($0) } }
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                guard !translations[w].isEmpty else { return }
                for range in written[w] {
                    for k in range where Int(base[k]) >= shared { base[k] = translations[w][Int(base[k]) - shared] }
                }
            }
        }
        return out
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
    /// Each peer's classes as a bit set, `words` words apiece, one after the other, for the first `computed` peers.
    private var sets: [UInt64] = []
    private var computed = 0
    private let words: Int
    /// Each class's list of container ports, numbered, and how many distinct lists there are.
    private let portList: [Int32]
    private let portListCount: Int

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
        var portLists: [[ContainerPort]: Int32] = [:]
        portList = reps.map { rep in
            if let i = portLists[rep.ports] { return i }
            portLists[rep.ports] = Int32(portLists.count)
            return Int32(portLists.count - 1)
        }
        portListCount = portLists.count
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
        let start = computed
        guard keys.count > start else { return }
        computed = keys.count
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
        sets += fresh.joined()
    }

    /// What `fill` reads of a side, flattened: whether it is isolated, and per rule its connections (an index into
    /// the table, or -1 where named ports resolve per destination) and its peers (`peers[peerStart[r]..<peerStart[r +
    /// 1]]`, ids of `PeerMatch`es; none: every class).
    struct SidePlan {
        let isolated: Bool
        let fixed: [Int32]
        let peerStart: [Int]
        let peers: [Int]

        init(_ side: CompiledSide, key: SideKey, table: ConnTable) {
            isolated = side.isolated
            fixed = side.rules.map { rule in rule.conns.map { table.intern($0) } ?? -1 }
            peerStart =
                [0]
                + key.rules.reduce(into: []) { starts, rule in
                    starts.append((starts.last ?? 0) + rule.peers.count)
                }
            peers = key.rules.flatMap { $0.peers.map(Int.init) }
        }
    }

    /// Writes a side's values towards `classes` (a range starting at a multiple of 64) at
    /// `out[(c - classes.lowerBound) * step]`: every connection where the side is not isolated, else for each class a
    /// rule matches the union of the matching rules' connections. Other places are left as they are (no connection).
    /// Named ports resolve on the remote class's pod (the destination of an egress rule), once per rule and distinct
    /// list of container ports. `only` limits the classes written to a bit set.
    func fill(
        _ plan: SidePlan, side: CompiledSide, classes: Range<Int>, only: [UInt64]?, table: ConnTable,
        into out: UnsafeMutablePointer<Int32>, step: Int
    ) {
        let start = classes.lowerBound
        guard plan.isolated else {
            for c in classes { out[(c - start) * step] = ConnTable.all }
            return
        }
        let wordRange = (start >> 6)..<((classes.upperBound + 63) >> 6)
        // A focused map asks most sides for a few classes only: a block of classes without one has nothing to write.
        if let only, wordRange.allSatisfy({ only[$0] == 0 }) { return }
        let words = self.words
        self.sets.withUnsafeBufferPointer { sets in
            for r in plan.fixed.indices {
                let peers = plan.peerStart[r]..<plan.peerStart[r + 1]
                var byPorts = [Int32](repeating: -1, count: plan.fixed[r] < 0 ? portListCount : 0)
                for w in wordRange {
                    var bits: UInt64 = peers.isEmpty ? ~0 : 0
                    for p in peers { bits |= sets[plan.peers[p] * words + w] }
                    bits &= only?[w] ?? ~0
                    while bits != 0 {
                        let c = w << 6 | bits.trailingZeroBitCount
                        bits &= bits - 1
                        guard c < classes.upperBound else { break }
                        var value = plan.fixed[r] >= 0 ? plan.fixed[r] : byPorts[Int(portList[c])]
                        if value < 0 {
                            value = table.intern(side.rules[r].ports.connections(destination: .pod(reps[c])))
                            byPorts[Int(portList[c])] = value
                        }
                        let slot = out + (c - start) * step
                        slot.pointee = table.union(slot.pointee, value)
                    }
                }
            }
        }
    }
}
