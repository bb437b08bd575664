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
        // A side's rules are united per class, millions of times: the first sets get a flat memo.
        if a < ConnTable.flatSide && b < ConnTable.flatSide {
            let slot = Int(a) * Int(ConnTable.flatSide) + Int(b)
            if flatUnions[slot] == 0 { flatUnions[slot] = intern(sets[Int(a)].union(sets[Int(b)])) + 1 }
            return flatUnions[slot] - 1
        }
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
            let slot = Int(a) * Int(ConnTable.flatSide) + Int(b)
            if flatIntersections[slot] == 0 {
                flatIntersections[slot] = intern(sets[Int(a)].intersection(sets[Int(b)])) + 1
            }
            return flatIntersections[slot] - 1
        }
        let key = Int64(min(a, b)) << 32 | Int64(max(a, b))
        if let x = intersections[key] { return x }
        let x = intern(sets[Int(a)].intersection(sets[Int(b)]))
        intersections[key] = x
        return x
    }
    /// The flat memos hold a result plus one (zero: not yet computed). They are read millions of times per map, so
    /// they are plain memory (no reference counting, no exclusivity checks), zeroed by the kernel page by page as
    /// they are first touched.
    private static let flatSide: Int32 = 1024
    private let flatUnions = ConnTable.flatMemo()
    private let flatIntersections = ConnTable.flatMemo()
    private static func flatMemo() -> UnsafeMutablePointer<Int32> {
        calloc(Int(flatSide * flatSide), MemoryLayout<Int32>.stride)!.assumingMemoryBound(to: Int32.self)
    }
    deinit {
        free(flatUnions)
        free(flatIntersections)
    }
}

/// The NetworkPolicy layer between every ordered pair of endpoint classes, computed one side at a time.
///
/// A flow needs the source's egress and the destination's ingress, and each side depends on its own pod only
/// through the rules that select it. Classes selected by the same rules share a side, so the ingress side is
/// computed once per distinct list of ingress rules, over every source class, and the egress side once per
/// distinct list of egress rules, over every destination class; a pair is then the intersection of two values,
/// stored or (for the namespace summary) computed as they are read. Each peer is matched against every class once,
/// into a bit set. With admin-tier policies every class is its own side and each value comes from the evaluator,
/// which orders the tiers.
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
        /// Each class's ingress side, its index among the sides stored in full (-1: none), and the values by source
        /// (empty when the matrix computes them as they are read: `storesValues`).
        let ingressSide: [Int32]
        let ingressFull: [Int32]
        let ingressBySource: [Int32]
        /// The sides stored in full, in their order (each source has this many values by source), and how to
        /// compute a side's values.
        let ingressKept: [Int]
        var ingressSides: Int { ingressKept.count }
        let ingressFill: Fill
        /// Every ingress side's value from each focused source (a focused map lists their rows).
        let ingressAtFocus: [Int32]
        /// Each class's egress side, each side's row among the rows stored in full (-1: none), the rows (empty when
        /// computed as they are read), and how to compute a side's values.
        let egressSide: [Int32]
        let egressFull: [Int32]
        let egressRows: [Int32]
        let egressFill: Fill
        /// Every egress side's value towards each focused destination.
        let egressAtFocus: [Int32]
    }
    /// How some sides' values towards a range of classes (starting at a multiple of 64) are written: side
    /// `sides[j]`'s value towards class c at `out[(c - start) * step + j]`, as an index into a copy of `table`. Places
    /// no rule reaches are left as they are.
    fileprivate typealias Fill = (
        _ sides: [Int], _ classes: Range<Int>, _ out: UnsafeMutablePointer<Int32>, _ step: Int, ConnTable
    ) -> Void
    private let classCount: Int
    /// Each class's position among the focused classes (-1: not focused), and how many there are.
    private let focusIndex: [Int32]
    private let focusCount: Int
    func isFocused(_ c: Int) -> Bool { focusIndex[c] >= 0 }
    /// Each class's side in a direction: classes of one side have equal NetworkPolicy-tier rules (with ordered tiers
    /// every class is a side of its own), so what depends on those rules alone is the same for them.
    func sides(_ direction: Direction) -> [Int32] {
        direction == .ingress ? layers[0].ingressSide : layers[0].egressSide
    }
    private var layers: [Layer] = []

    /// With a `focus` (classes), only pairs with a focused class on one side are computed: a side of an unfocused
    /// class is evaluated towards the focused classes alone, and `conns` of two unfocused classes is meaningless.
    /// `towardsFocusOnly` computes only pairs whose destination is focused (who reaches the focus): ingress sides of
    /// focused classes, egress sides towards the focused columns, stored without the others.
    ///
    /// `storesValues: false` (without a focus or ordered tiers) stores no side's values: `namespaceBlocks` computes
    /// them as it reads them, 64 sources and their egress rows at a time, and `conns` and `row` when they are called,
    /// slowly. The namespace summary reads each source once, and at 100,000 workloads the stored values would be 2.5 GB
    /// that the kernel zeroes first.
    init(
        evaluator: Evaluator, classes: EndpointClasses, focus: Set<Int>? = nil, towardsFocusOnly: Bool = false,
        storesValues: Bool = true
    ) {
        let towardsFocusOnly = towardsFocusOnly && focus != nil
        // Values computed as they are read must hold no port range the table's sets do not cut already: the summary's
        // atoms (`ConnAtoms`) are cut first. Rules' sets are interned up front; values from the evaluator (ordered
        // tiers) are not known before they are computed, so those are stored.
        let storesValues = storesValues || focus != nil || evaluator.policies.hasOrderedTiers
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
        /// The distinct sides of a direction, and how to write their values. `towardsAll[i]`: some focused class has
        /// side i, so it is needed towards every class; the others towards the focus only.
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
                    { sides, range, out, step, t in
                        for (j, side) in sides.enumerated() {
                            for remote in range where towardsAll[side] || focus!.contains(remote) {
                                out[(remote - range.lowerBound) * step + j] = t.intern(
                                    direction == .ingress
                                        ? evaluator.ingress(to: reps[side], from: .pod(reps[remote]), family: family)
                                        : evaluator.egress(from: reps[side], to: .pod(reps[remote]), family: family))
                            }
                        }
                    }
                )
            }
            var keyIndex: [SideKey: Int32] = [:]
            var distinct: [(side: CompiledSide, key: SideKey)] = []
            var of: [Int32] = []
            // The evaluator finds the classes' rules on every core; keys are made in order, since they register peers.
            let compiledSides = evaluator.compiled(direction, (0..<n).map { (reps[$0], classes.representative($0)) })
            // Classes the same policies select share one side object (`Evaluator.compiled`): one key apiece.
            var keyOfSide: [ObjectIdentifier: Int32] = [:]
            for side in compiledSides {
                if let i = keyOfSide[ObjectIdentifier(side)] {
                    of.append(i)
                    continue
                }
                let key = SideKey(side, peers: peers)
                let i = keyIndex[key] ?? Int32(distinct.count)
                if i == distinct.count {
                    keyIndex[key] = i
                    distinct.append((side, key))
                }
                keyOfSide[ObjectIdentifier(side)] = i
                of.append(i)
            }
            var towardsAll = [Bool](repeating: focus == nil, count: distinct.count)
            for c in focus ?? [] { towardsAll[Int(of[c])] = true }
            if towardsFocusOnly && direction == .egress { towardsAll = towardsAll.map { _ in false } }
            // Sides needed towards the focus only read their peers' bits there (`fill`'s limit).
            var everywhere = Set<Int32>()
            for (i, d) in distinct.enumerated() where towardsAll[i] {
                for r in d.key.rules { everywhere.formUnion(r.peers) }
            }
            peers.computePending(focus: focus.map { $0.sorted() }, everywhere: everywhere)
            // Rules' connections are interned here, once: the workers' tables are copies of this one. Values computed
            // as they are read meet no set the table lacks but unions, which cut no new port range (`ConnAtoms`).
            let plans = PeerClassSets.SidePlans(distinct, table: table)
            if !storesValues { peers.internNamedPorts(plans, into: table) }
            let limit = focusMask.map { (classes: $0, exceptSides: towardsAll) }
            return (
                of, towardsAll,
                { sides, range, out, step, t in
                    peers.fill(sides, of: plans, classes: range, limit: limit, table: t, into: out, step: step)
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
            let bySource =
                storesValues
                ? ClassMatrix.parallelFill(count: n * stride, blockSize: 64 * stride, into: table) { b, out, t in
                    let sources = (b * 64)..<min(n, (b + 1) * 64)
                    ingress.fill(keptSides, sources, out + sources.lowerBound * stride, stride, t)
                } : []
            let egress = sides(.egress, peers: peers, family: family)
            let fullRows = egress.towardsAll.indices.filter { egress.towardsAll[$0] }
            var rowOf = [Int32](repeating: -1, count: egress.towardsAll.count)
            for (k, i) in fullRows.enumerated() { rowOf[i] = Int32(k) }
            let egressRows =
                storesValues
                ? ClassMatrix.parallelFill(count: fullRows.count * n, blockSize: n, into: table) { k, out, t in
                    egress.fill([fullRows[k]], 0..<n, out + k * n, 1, t)
                } : []
            let focused = focus.map { $0.sorted() } ?? []
            layers.append(
                Layer(
                    ingressSide: ingress.of, ingressFull: kept, ingressBySource: bySource, ingressKept: keptSides,
                    ingressFill: ingress.fill,
                    ingressAtFocus: towardsFocusOnly
                        ? []
                        : ClassMatrix.values(
                            at: focused, of: n, sides: ingress.towardsAll.count, into: table, ingress.fill),
                    egressSide: egress.of, egressFull: rowOf, egressRows: egressRows, egressFill: egress.fill,
                    egressAtFocus: ClassMatrix.values(
                        at: focused, of: n, sides: egress.towardsAll.count, into: table, egress.fill)
                ))
        }
    }

    /// Every side's values at some classes (sorted, among `total`), side by side: the focus of a focused matrix.
    private static func values(
        at classes: [Int], of total: Int, sides: Int, into table: ConnTable, _ fill: @escaping Fill
    ) -> [Int32] {
        guard !classes.isEmpty else { return [] }
        let count = classes.count
        return parallelFill(count: sides * count, blockSize: count, into: table) { i, out, t in
            // A side is computed 64 classes at a time: each block of classes holding a focused one, into a scratch.
            var scratch = [Int32](repeating: ConnTable.none, count: 64)
            var f = 0
            while f < count {
                let start = classes[f] & ~63
                let block = start..<min(start + 64, total)
                scratch.withUnsafeMutableBufferPointer { fill([i], block, $0.baseAddress!, 1, t) }
                while f < count && classes[f] < start + 64 {
                    out[i * count + f] = scratch[classes[f] - start]
                    f += 1
                }
                for k in scratch.indices { scratch[k] = ConnTable.none }
            }
        }
    }

    /// Connections from class `s` to class `d`, as an index into `table` (or a copy of it). With a focus, `s` or `d`
    /// is focused (towards the focus only, `d`).
    func conns(_ s: Int, _ d: Int, table: ConnTable) -> Int32 {
        var out = ConnTable.none
        // Claims call this per pair: the layers are read in place, since copying one retains each of its arrays.
        for k in layers.indices {
            out = table.union(out, table.intersection(egress(k, s, d, table: table), ingress(k, s, d, table: table)))
        }
        return out
    }

    /// Layer k's egress value from class `s` to class `d`: from a row stored in full, else from the focus's values.
    @inline(__always)
    private func egress(_ k: Int, _ s: Int, _ d: Int, table: ConnTable) -> Int32 {
        let side = Int(layers[k].egressSide[s])
        let row = Int(layers[k].egressFull[side])
        guard row >= 0 else { return layers[k].egressAtFocus[side * focusCount + Int(focusIndex[d])] }
        guard layers[k].egressRows.isEmpty else { return layers[k].egressRows[row * classCount + d] }
        return computed(layers[k].egressFill, sides: [side], at: d, table: table)[0]
    }

    /// Layer k's ingress value into class `d` from class `s`, likewise (or computed, when not stored).
    @inline(__always)
    private func ingress(_ k: Int, _ s: Int, _ d: Int, table: ConnTable) -> Int32 {
        let side = Int(layers[k].ingressSide[d])
        let full = Int(layers[k].ingressFull[side])
        guard full >= 0 else { return layers[k].ingressAtFocus[side * focusCount + Int(focusIndex[s])] }
        guard layers[k].ingressBySource.isEmpty else {
            return layers[k].ingressBySource[s * layers[k].ingressSides + full]
        }
        return computed(layers[k].ingressFill, sides: [side], at: s, table: table)[0]
    }

    /// Some sides' values towards class `c`, computed (for a matrix that does not store them) on the block of 64
    /// classes that holds it.
    private func computed(_ fill: Fill, sides: [Int], at c: Int, table: ConnTable) -> [Int32] {
        let block = (c & ~63)..<min(classCount, (c & ~63) + 64)
        var scratch = [Int32](repeating: ConnTable.none, count: block.count * sides.count)
        scratch.withUnsafeMutableBufferPointer { fill(sides, block, $0.baseAddress!, sides.count, table) }
        let at = (c - block.lowerBound) * sides.count
        return Array(scratch[at..<at + sides.count])
    }

    /// Every namespace's classes as the destinations of blocks, grouped once for all sources: classes of one
    /// namespace with the same ingress side in every layer form a group. Group `g` belongs to `namespaceOf[g]`, has
    /// `sides[g * layers + k]` in layer k, and its members are `memberClass` and `memberCount` from `memberStart[g]` to
    /// `memberStart[g + 1]`, who count `weight[g]` workloads together. Namespace `b`'s groups run from `groupStart[b]`
    /// to `groupStart[b + 1]`; a class's group is `groupOf[c]` (-1: none).
    struct BlockDestinations {
        let namespaces: Int
        let namespaceOf: [Int]
        let sides: [Int32]
        let memberStart: [Int]
        let memberClass: [Int]
        let memberCount: [Int]
        let weight: [Int]
        let groupStart: [Int]
        let groupOf: [Int]
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
        var groupStart = [Int](repeating: namespaceOf.count, count: namespaces.count + 1)
        for g in namespaceOf.indices.reversed() { groupStart[namespaceOf[g]] = g }
        for b in stride(from: namespaces.count - 1, through: 0, by: -1) {
            groupStart[b] = min(groupStart[b], groupStart[b + 1])
        }
        var groupOf = [Int](repeating: -1, count: classCount)
        var weight = [Int](repeating: 0, count: namespaceOf.count)
        for g in namespaceOf.indices {
            for j in memberStart[g]..<memberStart[g + 1] {
                groupOf[memberClass[j]] = g
                weight[g] += memberCount[j]
            }
        }
        return BlockDestinations(
            namespaces: namespaces.count, namespaceOf: namespaceOf, sides: sides, memberStart: memberStart,
            memberClass: memberClass, memberCount: memberCount, weight: weight, groupStart: groupStart, groupOf: groupOf
        )
    }

    /// An egress row's value towards each destination namespace where it is one and the same at every class of the
    /// namespace's groups (-1 where it is not). Egress rules mostly name whole namespaces, or pods that a namespace's
    /// classes all match or all miss: a source then meets each destination group with one intersection, whatever the
    /// group's size.
    private static func uniformValues(_ row: UnsafePointer<Int32>, _ d: RawDestinations) -> [Int32] {
        (0..<d.namespaces).map { b in
            let members = d.memberStart[d.groupStart[b]]..<d.memberStart[d.groupStart[b + 1]]
            guard let first = members.first else { return -1 }
            let value = row[d.memberClass[first]]
            return members.allSatisfy { row[d.memberClass[$0]] == value } ? value : -1
        }
    }

    /// The namespace summary's blocks: per source namespace, per destination namespace, the weight of the class pairs
    /// that connect and the union of their connections as an atom mask (`atoms.words` words per destination). Class
    /// `c` belongs to namespace `namespaceOf[c]` (-1: to none) and stands for `count[c]` workloads. A pair weighs the
    /// product of its classes' counts; a class paired with itself weighs n * (n - 1), since a workload is not its own
    /// pair. A source namespace without such classes has empty arrays.
    ///
    /// This visits every pair of classes, a billion at 100,000 workloads, so a pair costs a few word operations on raw
    /// buffers, and a source whose ingress value is no connection for a group (a default deny) skips the group's
    /// members. Sources are taken 64 at a time on every core, their ingress values read where they are stored or
    /// computed into a scratch.
    func namespaceBlocks(
        namespaceOf: [Int], count: [Int], to destinations: BlockDestinations, atoms: ConnAtoms
    ) -> [(connected: [Int], union: [UInt64])] {
        precondition(focusCount == 0, "a focused matrix has no blocks")
        let blockCount = (classCount + 63) / 64
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, blockCount))
        let raw = RawDestinations(destinations)
        defer { raw.deallocate() }
        var tallies = [[BlockWorker.Tally?]](repeating: [], count: workers)
        withLayerBuffers { storedIngress, storedEgress in
            tallies.withUnsafeMutableBufferPointer { tallies in
                let tallies = tallies
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let worker = BlockWorker(
                        self, storedIngress: storedIngress, storedEgress: storedEgress, destinations: raw, atoms: atoms)
                    // Each worker takes a run of consecutive blocks: neighbouring classes mostly share egress sides,
                    // so a row is mostly computed once per run of blocks whose sources use it.
                    for b in (w * blockCount / workers)..<((w + 1) * blockCount / workers) {
                        let block = b * 64..<min(classCount, b * 64 + 64)
                        let sources = block.filter { namespaceOf[$0] >= 0 && count[$0] > 0 }
                        guard !sources.isEmpty else { continue }
                        worker.read(block, sources: sources)
                        for s in sources { worker.tally(s, namespace: namespaceOf[s], count: count[s]) }
                    }
                    tallies[w] = worker.tallies
                }
            }
        }
        return (0..<destinations.namespaces).map { a in
            let parts = tallies.compactMap { $0[a] }
            guard var sum = parts.first else { return ([], []) }
            for part in parts.dropFirst() {
                for b in part.connected.indices { sum.connected[b] += part.connected[b] }
                for i in part.union.indices { sum.union[i] |= part.union[i] }
            }
            return sum
        }
    }

    /// One worker of `namespaceBlocks`: its copy of the table and the masks of the sets it adds, a block of sources'
    /// ingress values and the egress rows those sources use, and its tallies per source namespace. Values the matrix
    /// does not store are computed into buffers the worker owns and reuses.
    private final class BlockWorker {
        typealias Tally = (connected: [Int], union: [UInt64])
        /// An egress row: its values, the buffer they were computed into (nil: stored), and (one layer) its uniform
        /// values per destination namespace.
        struct EgressRow {
            let values: UnsafePointer<Int32>
            let buffer: UnsafeMutablePointer<Int32>?
            let uniform: [Int32]
        }
        private let matrix: ClassMatrix
        private let table: ConnTable
        private let atoms: ConnAtoms
        private var masks: [UInt64]
        private let destinations: RawDestinations
        private let storedIngress: [UnsafeBufferPointer<Int32>]
        private let storedEgress: [UnsafeBufferPointer<Int32>]
        /// Per layer, room for a block's ingress values where they are not stored, and the current block's values.
        private let scratch: [UnsafeMutablePointer<Int32>?]
        private var ingress: [UnsafePointer<Int32>] = []
        private var block = 0..<0
        /// Per layer, the rows the current block's sources use, by side; and buffers no row uses any more.
        private var rows: [[Int32: EgressRow]]
        private var spare: [UnsafeMutablePointer<Int32>] = []
        private(set) var tallies: [Tally?]

        init(
            _ matrix: ClassMatrix, storedIngress: [UnsafeBufferPointer<Int32>],
            storedEgress: [UnsafeBufferPointer<Int32>], destinations: RawDestinations, atoms: ConnAtoms
        ) {
            self.matrix = matrix
            table = matrix.table.copy()
            self.atoms = atoms
            masks = atoms.masks
            self.destinations = destinations
            self.storedIngress = storedIngress
            self.storedEgress = storedEgress
            scratch = matrix.layers.map {
                $0.ingressBySource.isEmpty ? .allocate(capacity: 64 * $0.ingressSides) : nil
            }
            rows = [[Int32: EgressRow]](repeating: [:], count: matrix.layers.count)
            tallies = [Tally?](repeating: nil, count: destinations.namespaces)
        }

        deinit {
            for buffer in scratch { buffer?.deallocate() }
            for buffer in spare + rows.flatMap({ $0.values.compactMap(\.buffer) }) { buffer.deallocate() }
        }

        /// Makes `block` (64 classes from a multiple of 64) current: its ingress values, and the egress rows of
        /// `sources` (some of its classes).
        func read(_ block: Range<Int>, sources: [Int]) {
            let layers = matrix.layers
            let n = matrix.classCount
            self.block = block
            ingress = layers.indices.map { k in
                guard let out = scratch[k] else {
                    return storedIngress[k].baseAddress! + block.lowerBound * layers[k].ingressSides
                }
                out.initialize(repeating: ConnTable.none, count: block.count * layers[k].ingressSides)
                layers[k].ingressFill(layers[k].ingressKept, block, out, layers[k].ingressSides, table)
                return UnsafePointer(out)
            }
            for k in layers.indices {
                let needed = Set(sources.map { layers[k].egressSide[$0] })
                for (side, row) in rows[k] where !needed.contains(side) {
                    if let buffer = row.buffer { spare.append(buffer) }
                    rows[k][side] = nil
                }
                for side in needed where rows[k][side] == nil {
                    var buffer: UnsafeMutablePointer<Int32>?
                    let values: UnsafePointer<Int32>
                    if layers[k].egressRows.isEmpty {
                        let out = spare.popLast() ?? .allocate(capacity: n)
                        out.initialize(repeating: ConnTable.none, count: n)
                        layers[k].egressFill([Int(side)], 0..<n, out, 1, table)
                        (values, buffer) = (UnsafePointer(out), out)
                    } else {
                        values = storedEgress[k].baseAddress! + Int(layers[k].egressFull[Int(side)]) * n
                    }
                    let uniform =
                        layers.count == 1 ? ClassMatrix.uniformValues(values, destinations) : []
                    rows[k][side] = EgressRow(values: values, buffer: buffer, uniform: uniform)
                }
            }
            // Sets the fills interned (unions of rules' connections) get masks: no union splits an atom.
            let words = atoms.words
            while masks.count < table.sets.count * words {
                let set = table[Int32(masks.count / words)]
                masks += atoms.mask(of: set)
                assert(atoms.set(masks[(masks.count - words)...]) == set, "\(set) splits an atom")
            }
        }

        /// Adds the pairs of `source` (a class of the current block, `count` workloads of `namespace`).
        func tally(_ source: Int, namespace: Int, count: Int) {
            let layers = matrix.layers
            let words = atoms.words
            var t =
                tallies[namespace]
                ?? (
                    [Int](repeating: 0, count: destinations.namespaces),
                    [UInt64](repeating: 0, count: destinations.namespaces * words)
                )
            tallies[namespace] = nil
            let at = source - block.lowerBound
            let egress = layers.indices.map { rows[$0][layers[$0].egressSide[source]]! }
            masks.withUnsafeBufferPointer { masks in
                egress[0].uniform.withUnsafeBufferPointer { uniform in
                    t.connected.withUnsafeMutableBufferPointer { connected in
                        t.union.withUnsafeMutableBufferPointer { union in
                            matrix.tallySource(
                                source, namespace: namespace, count: count,
                                ingress: layers.indices.map { ingress[$0] + at * layers[$0].ingressSides },
                                egress: egress.map(\.values), uniform: uniform.isEmpty ? nil : uniform.baseAddress!,
                                to: destinations, masks: masks.baseAddress!, words: words,
                                connected: connected.baseAddress!, union: union.baseAddress!)
                        }
                    }
                }
            }
            tallies[namespace] = t
        }
    }

    /// One source's pairs with every destination class, added to its namespace's tallies. `ingress[k]` points at
    /// layer k's values from the source towards every stored ingress side, `egress[k]` at its egress row, and
    /// `uniform` (one layer) at the row's values per destination namespace (`uniformValues`).
    @inline(__always)
    private func tallySource(
        _ source: Int, namespace: Int, count: Int, ingress: [UnsafePointer<Int32>], egress: [UnsafePointer<Int32>],
        uniform: UnsafePointer<Int32>?, to d: RawDestinations, masks: UnsafePointer<UInt64>, words: Int,
        connected: UnsafeMutablePointer<Int>, union: UnsafeMutablePointer<UInt64>
    ) {
        if let uniform {
            ClassMatrix.tallyOneLayer(
                source, namespace: namespace, count: count, ingress: ingress[0], egress: egress[0], uniform: uniform,
                to: d, masks: masks, words: words, connected: connected, union: union)
            return
        }
        // Several layers (IP families the policies treat apart): a pair connects where some layer's sides meet.
        let layerCount = layers.count
        let none = Int(ConnTable.none)
        /// Adds a pair of weight `weight` meeting on `pair(w)`, word by word.
        @inline(__always)
        func add(_ b: Int, weight: Int, _ pair: (Int) -> UInt64) {
            var any: UInt64 = 0
            for w in 0..<words { any |= pair(w) }
            guard any != 0, weight > 0 else { return }
            connected[b] += weight
            for w in 0..<words { union[b * words + w] |= pair(w) }
        }
        for g in 0..<d.groups {
            let b = d.namespaceOf[g]
            let members = d.memberStart[g]..<d.memberStart[g + 1]
            let values = (0..<layerCount).map { Int(ingress[$0][Int(d.sides[g * layerCount + $0])]) * words }
            guard values.contains(where: { $0 != none }) else { continue }
            for j in members {
                let c = d.memberClass[j]
                let rows = (0..<layerCount).map { Int(egress[$0][c]) * words }
                let weight = c == source ? count * (count - 1) : count * d.memberCount[j]
                add(b, weight: weight) { w in
                    (0..<layerCount).reduce(0) { $0 | (masks[rows[$1] + w] & masks[values[$1] + w]) }
                }
            }
        }
    }

    /// `tallySource` for one layer, the common case (one IP family, or families the policies treat alike), with its
    /// arithmetic unchecked: indices and weights are bounded by the classes and workloads there are.
    @inline(__always)
    private static func tallyOneLayer(
        _ source: Int, namespace: Int, count: Int, ingress: UnsafePointer<Int32>, egress: UnsafePointer<Int32>,
        uniform: UnsafePointer<Int32>, to d: RawDestinations, masks: UnsafePointer<UInt64>, words: Int,
        connected: UnsafeMutablePointer<Int>, union: UnsafeMutablePointer<UInt64>
    ) {
        let namespaceOf = d.namespaceOf.baseAddress!
        let sides = d.sides.baseAddress!
        let memberStart = d.memberStart.baseAddress!
        let memberClass = d.memberClass.baseAddress!
        let memberCount = d.memberCount.baseAddress!
        let weights = d.weight.baseAddress!
        let sourceGroup = d.groupOf[source]
        @inline(__always)
        func add(_ b: Int, _ e: Int, _ value: Int, _ weight: Int) {
            var any: UInt64 = 0
            for w in 0..<words { any |= masks[e &+ w] & masks[value &+ w] }
            guard any != 0, weight > 0 else { return }
            connected[b] &+= weight
            for w in 0..<words { union[b &* words &+ w] |= masks[e &+ w] & masks[value &+ w] }
        }
        for g in 0..<d.groups {
            let value = Int(ingress[Int(sides[g])]) &* words
            if value == 0 { continue }  // no connection (index 0)
            let b = namespaceOf[g]
            let u = Int(uniform[b])
            if u >= 0 {
                // One egress value for the whole group: one intersection, and the group's weight.
                if u != 0 { add(b, u &* words, value, count &* weights[g] &- (g == sourceGroup ? count : 0)) }
                continue
            }
            for j in memberStart[g]..<memberStart[g &+ 1] {
                let c = memberClass[j]
                let e = Int(egress[c]) &* words
                if e != 0 { add(b, e, value, c == source ? count &* (count &- 1) : count &* memberCount[j]) }
            }
        }
    }

    /// `BlockDestinations` copied into raw buffers for the pair loop, which reads them a billion times: no bounds
    /// checks, no reference counting. Freed by `deallocate`.
    private struct RawDestinations {
        let namespaces: Int
        let groups: Int
        let namespaceOf: UnsafeMutableBufferPointer<Int>
        let sides: UnsafeMutableBufferPointer<Int32>
        let memberStart: UnsafeMutableBufferPointer<Int>
        let memberClass: UnsafeMutableBufferPointer<Int>
        let memberCount: UnsafeMutableBufferPointer<Int>
        let weight: UnsafeMutableBufferPointer<Int>
        let groupOf: UnsafeMutableBufferPointer<Int>
        let groupStart: UnsafeMutableBufferPointer<Int>

        init(_ d: BlockDestinations) {
            func copy<T>(_ a: [T]) -> UnsafeMutableBufferPointer<T> {
                let out = UnsafeMutableBufferPointer<T>.allocate(capacity: a.count)
                _ = out.initialize(from: a)
                return out
            }
            namespaces = d.namespaces
            groups = d.namespaceOf.count
            namespaceOf = copy(d.namespaceOf)
            sides = copy(d.sides)
            memberStart = copy(d.memberStart)
            memberClass = copy(d.memberClass)
            memberCount = copy(d.memberCount)
            weight = copy(d.weight)
            groupOf = copy(d.groupOf)
            groupStart = copy(d.groupStart)
        }

        func deallocate() {
            for buffer in [namespaceOf, memberStart, memberClass, memberCount, weight, groupOf, groupStart] {
                buffer.deallocate()
            }
            sides.deallocate()
        }
    }

    /// Runs `body` with every layer's stored ingress values and egress rows as raw buffers.
    private func withLayerBuffers<R>(
        _ body: (_ ingress: [UnsafeBufferPointer<Int32>], _ egress: [UnsafeBufferPointer<Int32>]) -> R
    ) -> R {
        func nest(_ k: Int, _ ingress: [UnsafeBufferPointer<Int32>], _ egress: [UnsafeBufferPointer<Int32>]) -> R {
            guard k < layers.count else { return body(ingress, egress) }
            return layers[k].ingressBySource.withUnsafeBufferPointer { i in
                layers[k].egressRows.withUnsafeBufferPointer { e in nest(k + 1, ingress + [i], egress + [e]) }
            }
        }
        return nest(0, [], [])
    }

    /// Connections from class `s` to every class, as indices into `table` (or a copy of it). With a focus, `s` is
    /// focused.
    func row(from s: Int, into out: inout [Int32], table: ConnTable) {
        out.withUnsafeMutableBufferPointer { row(from: s, into: $0, table: table) }
    }

    func row(from s: Int, into out: UnsafeMutableBufferPointer<Int32>, table: ConnTable) {
        if layers.count == 1, let layer = layers.first, !layer.ingressBySource.isEmpty,
            layer.ingressSides == layer.ingressFull.count, layer.egressFull[Int(layer.egressSide[s])] >= 0
        {
            // Every value stored, in one layer (the pair list's case): one pass over memory, read in order.
            let start = Int(layer.egressFull[Int(layer.egressSide[s])]) * classCount
            let from = s * layer.ingressSides
            layer.egressRows.withUnsafeBufferPointer { egress in
                layer.ingressBySource.withUnsafeBufferPointer { ingress in
                    layer.ingressFull.withUnsafeBufferPointer { full in
                        layer.ingressSide.withUnsafeBufferPointer { side in
                            for d in 0..<classCount {
                                let a = egress[start + d]
                                let b = ingress[from + Int(full[Int(side[d])])]
                                // Most values are none or all; the memo is for the rest.
                                out[d] =
                                    a == ConnTable.none || b == ConnTable.all
                                    ? a : a == ConnTable.all ? b : table.intersection(a, b)
                            }
                        }
                    }
                }
            }
            return
        }
        for k in layers.indices {
            // The source's egress row is stored in full (it is focused, or nothing is), or computed with its ingress
            // values (a matrix that stores none).
            let side = Int(layers[k].egressSide[s])
            var egress = layers[k].egressRows
            var start = Int(layers[k].egressFull[side]) * classCount
            var ingressValues: [Int32]?
            if egress.isEmpty {
                egress = [Int32](repeating: ConnTable.none, count: classCount)
                egress.withUnsafeMutableBufferPointer {
                    layers[k].egressFill([side], 0..<classCount, $0.baseAddress!, 1, table)
                }
                start = 0
                ingressValues = computed(layers[k].ingressFill, sides: layers[k].ingressKept, at: s, table: table)
            }
            for d in out.indices {
                let ingress =
                    ingressValues.map { $0[Int(layers[k].ingressFull[Int(layers[k].ingressSide[d])])] }
                    ?? ingress(k, s, d, table: table)
                let x = table.intersection(egress[start + d], ingress)
                out[d] = k == 0 ? x : table.union(out[d], x)
            }
        }
    }

    /// A buffer of `count` values (no connection where nothing is written) filled on every core, `blockSize` at a
    /// time: block `b` (from `b * blockSize`) is zeroed by its worker and written by `fill` into a copy of `table`,
    /// whose new indices are then translated into `table`'s. Zeroing in the workers matters: a fresh buffer's pages
    /// are cleared by the kernel as they are first touched, a second per gigabyte on one core.
    private static func parallelFill(
        count: Int, blockSize: Int, into table: ConnTable,
        _ fill: @escaping (Int, UnsafeMutablePointer<Int32>, ConnTable) -> Void
    ) -> [Int32] {
        guard count > 0 else { return [] }
        let blocks = (count + blockSize - 1) / blockSize
        let range = { (b: Int) in b * blockSize..<min(count, (b + 1) * blockSize) }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, blocks))
        let tables = (0..<workers).map { _ in table.copy() }
        let shared = table.sets.count
        return [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for b in stride(from: w, to: blocks, by: workers) {
                    (base + range(b).lowerBound).initialize(repeating: ConnTable.none, count: range(b).count)
                    fill(b, base, tables[w])
                }
            }
            initialized = count
            // Sets a worker interned after the copy get the shared table's indices, by each worker in place.
            let translations = tables.map { local in local.sets[shared...].map { table.intern($0) } }
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                guard !translations[w].isEmpty else { return }
                for b in stride(from: w, to: blocks, by: workers) {
                    for k in range(b) where Int(base[k]) >= shared { base[k] = translations[w][Int(base[k]) - shared] }
                }
            }
        }
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
    /// Each peer's classes as a bit set, `words` words apiece, one after the other, for the first `computed` peers;
    /// the bits of a peer not `complete` are only right at the focus `computePending` was given.
    private var sets: [UInt64] = []
    private var computed = 0
    private var complete: [Bool] = []
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

    /// Matches every peer registered since the last call against every class, on every core. With a `focus`
    /// (classes, sorted), peers outside `everywhere` are matched against the focused classes only, and a peer matched
    /// so before is matched again in full once `everywhere` holds it: a focused map's other sides are only read at
    /// the focus, and matching their peers everywhere was a large part of a focused map's matrix.
    func computePending(focus: [Int]? = nil, everywhere: Set<Int32> = []) {
        let start = computed
        let work =
            (start..<keys.count).map { (peer: $0, full: focus == nil || everywhere.contains(Int32($0))) }
            + (0..<start).filter { !complete[$0] && everywhere.contains(Int32($0)) }.map { (peer: $0, full: true) }
        guard !work.isEmpty else { return }
        computed = keys.count
        complete += repeatElement(false, count: keys.count - start)
        sets += repeatElement(0, count: (keys.count - start) * words)
        // The namespaces each namespace selector matches, once per selector.
        var selected: [LabelSelector: [Int]] = [:]
        for (peer, _) in work {
            if case .pods(let m) = keys[peer], case .selector(let nsSel) = m.namespaces, selected[nsSel] == nil {
                selected[nsSel] = self.namespaces.indices.filter { nsSel.matches(self.namespaces[$0].labels) }
            }
        }
        var fresh = [[UInt64]](repeating: [], count: work.count)
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
                let key = keys[work[k].peer]
                var bits = [UInt64](repeating: 0, count: words)
                func set(_ c: Int) { bits[c >> 6] |= 1 << UInt64(c & 63) }
                // Matched against the focus only: the same tests, class by class.
                let only = work[k].full ? nil : focus
                switch key {
                case .pods(let m):
                    // Pod selection does not depend on addresses: selectors on the representatives' labels.
                    let inScope: [Int]
                    switch m.namespaces {
                    case .selector(let nsSel): inScope = selected[nsSel]!
                    case .named(let name): inScope = namespacePosition[name].map { [$0] } ?? []
                    }
                    if let only {
                        for c in only where !reps[c].hostNetwork && (m.pods.isEmpty || m.pods.matches(reps[c].labels)) {
                            if let n = namespacePosition[reps[c].namespace], inScope.contains(n) { set(c) }
                        }
                        break
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
                    for c in only ?? Array(reps.indices) {
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
        for (k, (peer, full)) in work.enumerated() {
            sets.replaceSubrange(peer * words..<(peer + 1) * words, with: fresh[k])
            complete[peer] = full
        }
    }

    /// What `fill` reads of a direction's distinct sides, flattened: whether each side is isolated, its rules
    /// (`ruleStart[i]..<ruleStart[i + 1]`), each rule's connections (an index into the table, or -1 where named ports
    /// resolve per destination) and peers (`peers[peerStart[r]..<peerStart[r + 1]]`, ids of `PeerMatch`es; none:
    /// every class).
    struct SidePlans {
        let isolated: [Bool]
        let ruleStart: [Int]
        let fixed: [Int32]
        let peerStart: [Int]
        let peers: [Int]
        let rules: [CompiledSide.Rule]

        init(_ sides: [(side: CompiledSide, key: SideKey)], table: ConnTable) {
            var ruleStart = [0]
            var fixed: [Int32] = []
            var peerStart = [0]
            var peers: [Int] = []
            for (side, key) in sides {
                for (rule, peerIDs) in zip(side.rules, key.rules.map(\.peers)) {
                    fixed.append(rule.conns.map { table.intern($0) } ?? -1)
                    peers += peerIDs.map(Int.init)
                    peerStart.append(peers.count)
                }
                ruleStart.append(fixed.count)
            }
            isolated = sides.map(\.side.isolated)
            rules = sides.flatMap(\.side.rules)
            self.ruleStart = ruleStart
            self.fixed = fixed
            self.peerStart = peerStart
            self.peers = peers
        }
    }

    /// Interns every set the plans' named ports resolve to, once per distinct list of container ports.
    func internNamedPorts(_ plans: SidePlans, into table: ConnTable) {
        var classWithList = [Int](repeating: -1, count: portListCount)
        for c in reps.indices where classWithList[Int(portList[c])] < 0 { classWithList[Int(portList[c])] = c }
        for r in plans.fixed.indices where plans.fixed[r] < 0 {
            for c in classWithList { _ = table.intern(plans.rules[r].ports.connections(destination: .pod(reps[c]))) }
        }
    }

    /// Writes some sides' values towards `classes` (a range starting at a multiple of 64): side `sides[j]`'s value
    /// towards class c at `out[(c - classes.lowerBound) * step + j]`. A side that is not isolated admits every
    /// connection; an isolated one, towards each class some rule matches, the union of the matching rules'
    /// connections. Other places are left as they are (no connection). Named ports resolve on the remote class's pod
    /// (the destination of an egress rule), once per rule and distinct list of container ports. `limit` writes the
    /// sides not in `exceptSides` towards its classes (a bit set) only.
    func fill(
        _ sides: [Int], of plans: SidePlans, classes: Range<Int>, limit: (classes: [UInt64], exceptSides: [Bool])?,
        table: ConnTable, into out: UnsafeMutablePointer<Int32>, step: Int
    ) {
        let start = classes.lowerBound
        let wordRange = (start >> 6)..<((classes.upperBound + 63) >> 6)
        // A focused map asks most sides for a few classes only: a block of classes without one has nothing to write.
        let limitedOut = limit.map { limit in wordRange.allSatisfy { limit.classes[$0] == 0 } } ?? false
        let words = self.words
        // Many sides are filled per call, millions of times for a large map: the loop reads raw buffers.
        sets.withUnsafeBufferPointer { sets in
            plans.fixed.withUnsafeBufferPointer { fixed in
                plans.peerStart.withUnsafeBufferPointer { peerStart in
                    plans.peers.withUnsafeBufferPointer { peers in
                        for (j, i) in sides.enumerated() {
                            guard plans.isolated[i] else {
                                for c in classes { out[(c - start) * step + j] = ConnTable.all }
                                continue
                            }
                            let only = limit.flatMap { $0.exceptSides[i] ? nil : $0.classes }
                            if only != nil && limitedOut { continue }
                            for r in plans.ruleStart[i]..<plans.ruleStart[i + 1] {
                                let rulePeers = peerStart[r]..<peerStart[r + 1]
                                var byPorts = [Int32](repeating: -1, count: fixed[r] < 0 ? portListCount : 0)
                                for w in wordRange {
                                    var bits: UInt64 = rulePeers.isEmpty ? ~0 : 0
                                    for p in rulePeers { bits |= sets[peers[p] * words + w] }
                                    bits &= only?[w] ?? ~0
                                    while bits != 0 {
                                        let c = w << 6 | bits.trailingZeroBitCount
                                        bits &= bits - 1
                                        guard c < classes.upperBound else { break }
                                        var value = fixed[r] >= 0 ? fixed[r] : byPorts[Int(portList[c])]
                                        if value < 0 {
                                            value = table.intern(
                                                plans.rules[r].ports.connections(destination: .pod(reps[c])))
                                            byPorts[Int(portList[c])] = value
                                        }
                                        // Most places get one rule's value: no union to look up.
                                        let slot = out + (c - start) * step + j
                                        let held = slot.pointee
                                        slot.pointee =
                                            held == ConnTable.none || held == value ? value : table.union(held, value)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
