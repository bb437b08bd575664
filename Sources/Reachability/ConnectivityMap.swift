import Foundation
import KubeModel

/// Workload-level connectivity of the NetworkPolicy layer: every ordered pair of workloads, and every external
/// address range, with the connections allowed between them. Connections are computed per pair of endpoint
/// classes (`EndpointClasses`, `ClassMatrix`) and expanded to workloads as the pairs are listed, in sorted order,
/// without holding them all: a large cluster's map is streamed.
public struct ConnectivityMap {
    public struct Pair: Hashable, Sendable {
        public let source: String
        public let destination: String
        public let conns: ConnSet
    }

    public let classes: EndpointClasses
    let matrix: ClassMatrix
    /// The model the map is of.
    let model: ClusterModel
    /// The connection sets that `forEachPairIndex` refers to.
    public var connTable: ConnTable { matrix.table }
    /// Workload ids in the map, sorted as strings, each with its endpoints (several only when a live dump's pods of
    /// one workload differ), and the class of all its endpoints when they share one (-1 otherwise).
    let ids: [(id: String, endpoints: [Int])]
    let sharedClass: [Int]
    /// Whether each workload touches the focus (everything when no focus is set).
    let focused: [Bool]
    /// External range names, sorted; as listed, and with `external:any` where every address is treated alike.
    private let externalNames: [String]
    private let readableExternalNames: [String]
    /// Per class: the external ranges (indices into the names above) it may reach and be reached from.
    let outbound: [[(name: Int, conns: Int32)]]
    let inbound: [[(name: Int, conns: Int32)]]
    private let outboundReadable: [[(name: Int, conns: Int32)]]
    private let inboundReadable: [[(name: Int, conns: Int32)]]

    /// Filters: only pairs touching `namespace` or `workload` (ns/name) when given. `forSummary`: the map is made for
    /// its `NamespaceSummary`, so the class matrix computes its values as the summary reads them rather than storing
    /// them all first (pairs can still be listed, slowly).
    public init(evaluator: Evaluator, namespace: String? = nil, workload: String? = nil, forSummary: Bool = false) {
        let model = evaluator.model
        self.model = model
        let classes = EndpointClasses(evaluator: evaluator)
        self.classes = classes
        // Workloads with zero replicas have no pods (A-ZERO-REPLICAS, conformance: absent). The model lists workloads
        // by namespace and name, nearly the ids' order, which the sort then finds in about one pass.
        var ids: [(id: String, endpoints: [Int])] = []
        var position: [String: Int] = [:]
        for i in evaluator.liveEndpoints {
            let id = model.workloads[i].id
            if let k = position[id] {
                ids[k].endpoints.append(i)
            } else {
                position[id] = ids.count
                ids.append((id, [i]))
            }
        }
        ids.sort { $0.id < $1.id }
        self.ids = ids
        let classOf = classes.classOf
        let focused = ids.map { w in
            (namespace == nil || model.workloads[w.endpoints[0]].namespace == namespace)
                && (workload == nil || w.id == workload)
        }
        self.focused = focused
        // A focus needs the pairs that touch it, and classes outside it nothing else.
        var focusedClasses: Set<Int>?
        if focused.contains(false) {
            var classes = Set<Int>()
            for (w, id) in ids.enumerated() where focused[w] {
                for e in id.endpoints { classes.insert(classOf[e]) }
            }
            focusedClasses = classes
        }
        let matrix = ClassMatrix(
            evaluator: evaluator, classes: classes, focus: focusedClasses, storesValues: !forSummary)
        self.matrix = matrix
        let table = matrix.table
        sharedClass = ids.map { w in
            w.endpoints.allSatisfy { classOf[$0] == classOf[w.endpoints[0]] } ? classOf[w.endpoints[0]] : -1
        }
        // Per class, the ranges it reaches or is reached from: as listed, and grouped as readable names. External
        // ranges are listed only beside a focused workload: other classes need none. A class's ranges depend on its
        // rules alone (`Evaluator.allowed`), so the classes of one side of the matrix share one computation; on every
        // core, a side apiece.
        func ranges(outbound: Bool) -> (groupOf: [Int], listed: [[(String, ConnSet)]], readable: [[(String, ConnSet)]])
        {
            var groupOf = [Int](repeating: -1, count: classes.count)
            var representatives: [Int] = []
            var groups: [Int32: Int] = [:]
            let sides = matrix.sides(outbound ? .egress : .ingress)
            for c in 0..<classes.count where focusedClasses?.contains(c) ?? true {
                if let g = groups[sides[c]] {
                    groupOf[c] = g
                    continue
                }
                groups[sides[c]] = representatives.count
                groupOf[c] = representatives.count
                representatives.append(classes.representative(c))
            }
            var found = [(listed: [(String, ConnSet)], readable: [(String, ConnSet)])](
                repeating: ([], []), count: representatives.count)
            found.withUnsafeMutableBufferPointer { out in
                let out = out
                DispatchQueue.concurrentPerform(iterations: representatives.count) { g in
                    let e = Endpoint.pod(evaluator.endpoints[representatives[g]])
                    let perRange = evaluator.externalRanges.map { r in
                        (
                            r,
                            outbound
                                ? evaluator.connections(from: e, to: .external(r))
                                : evaluator.connections(from: .external(r), to: e)
                        )
                    }
                    var listed: [(String, ConnSet)] = []
                    for (r, conns) in AddressSpace.mergeAdjacent(perRange) where !conns.isEmpty {
                        listed += r.cidrs.map { ("external:\($0)", conns) }
                    }
                    let readable = AddressSpace.readableGroups(perRange).filter { !$0.value.isEmpty }.flatMap { g in
                        g.labels.map { ("external:\($0)", g.value) }
                    }
                    out[g] = (listed, readable)
                }
            }
            return (groupOf, found.map(\.listed), found.map(\.readable))
        }
        let outbound = ranges(outbound: true)
        let inbound = ranges(outbound: false)
        /// Names numbered in sorted order, and each class's list by number: indexed once per group of classes.
        func indexed(_ sides: (groupOf: [Int], lists: [[(String, ConnSet)]])...) -> (
            names: [String], lists: [[[(name: Int, conns: Int32)]]]
        ) {
            let names = Set(sides.flatMap { $0.lists.joined().map(\.0) }).sorted()
            let position = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            return (
                names,
                sides.map { side in
                    let byGroup = side.lists.map {
                        $0.map { (name: position[$0.0]!, conns: table.intern($0.1)) }.sorted { $0.name < $1.name }
                    }
                    return side.groupOf.map { $0 < 0 ? [] : byGroup[$0] }
                }
            )
        }
        let plain = indexed((outbound.groupOf, outbound.listed), (inbound.groupOf, inbound.listed))
        let readable = indexed((outbound.groupOf, outbound.readable), (inbound.groupOf, inbound.readable))
        externalNames = plain.names
        readableExternalNames = readable.names
        (self.outbound, self.inbound) = (plain.lists[0], plain.lists[1])
        (self.outboundReadable, self.inboundReadable) = (readable.lists[0], readable.lists[1])
    }

    /// The names `forEachPairIndex` refers to: workload ids (sorted), then external ranges (sorted).
    public func endpointNames(readable: Bool = false) -> [String] {
        ids.map(\.id) + (readable ? readableExternalNames : externalNames)
    }

    /// Gives `sink` every allowed pair as indices into `endpointNames(readable:)` and `connTable`, sorted by the
    /// oracle's line order (source name, then destination name). `readable` names external ranges that every
    /// policy treats alike `external:any`.
    public func forEachPairIndex<Sink: PairIndexSink>(readable: Bool = false, into sink: inout Sink) {
        let listing = Listing(self, readable: readable)
        let scratch = Scratch(table: matrix.table, classes: classes.count, names: listing.names)
        for source in listing.sources { listing.pairs(of: source, scratch: scratch, into: &sink) }
    }

    /// The same on every core: sources are taken in batches and each worker lists its consecutive share of a batch into
    /// a sink of its own, made by `makeSink` with the worker's copy of `connTable` (connection sets found while listing
    /// are numbered per worker). After each batch `drain` receives the sinks in worker order, which is line order.
    ///
    /// `drain` runs on the calling thread while the workers list the next batch into a second set of sinks, so a
    /// drain that writes (to a pipe, a file) overlaps the listing instead of stopping it. A drain may touch its sink's
    /// output alone: the worker that made the sink is listing into the other one meanwhile, with the same table. A
    /// drain that throws (a write that failed) stops the listing: the batch in flight is finished and dropped, and
    /// the error goes to the caller.
    public func forEachPairIndexInParallel<Sink: PairIndexSink>(
        readable: Bool = false, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        batch: Int = 64, makeSink: (ConnTable) -> Sink, drain: (inout Sink) throws -> Void
    ) rethrows {
        let listing = Listing(self, readable: readable)
        let workers = max(1, workers)
        let scratches = (0..<workers).map { _ in
            Scratch(table: matrix.table.copy(), classes: classes.count, names: listing.names)
        }
        // Two sets of sinks, raw: one is drained on this thread while the workers fill the other, and a Swift array
        // of them would be one variable that both access.
        let sets = (0..<2).map { _ in
            let set = UnsafeMutableBufferPointer<Sink>.allocate(capacity: workers)
            _ = set.initialize(from: scratches.map { makeSink($0.table) })
            return set
        }
        defer {
            for set in sets {
                _ = set.deinitialize()
                set.deallocate()
            }
        }
        let sources = listing.sources
        let batches = Array(stride(from: 0, to: sources.count, by: batch))
        let listed = DispatchGroup()
        for (k, start) in batches.enumerated() {
            // Raw buffers are not Sendable: this one is filled by the workers alone until `wait`.
            nonisolated(unsafe) let sink = sets[k % 2]
            let end = min(sources.count, start + batch)
            let share = (end - start + workers - 1) / workers
            DispatchQueue.global().async(group: listed) {
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    for i in min(end, start + w * share)..<min(end, start + (w + 1) * share) {
                        listing.pairs(of: sources[i], scratch: scratches[w], into: &sink[w])
                    }
                }
            }
            // Waited for even when a drain throws: the workers write into `sink` until then.
            defer { listed.wait() }
            if k > 0 { for w in 0..<workers { try drain(&sets[(k - 1) % 2][w]) } }
        }
        if !batches.isEmpty { for w in 0..<workers { try drain(&sets[(batches.count - 1) % 2][w]) } }
    }

    /// A worker's state while listing: its table, the rows of recent source classes, and one source's pairs as they
    /// are found (at most one per endpoint name), handed to the sink together.
    final class Scratch {
        let table: ConnTable
        /// Recent source rows, `rowSlots` of them: a namespace's workloads often share classes, and one worker lists
        /// consecutive names. `row` is the current source's.
        private static let rowSlots = 64
        private let classes: Int
        private let rows: UnsafeMutablePointer<Int32>
        private var slotOf: [Int: Int] = [:]
        private var classIn = [Int](repeating: -1, count: rowSlots)
        private var nextSlot = 0
        private(set) var row: UnsafeBufferPointer<Int32>
        let destinations: UnsafeMutablePointer<Int32>
        let conns: UnsafeMutablePointer<Int32>
        var count = 0
        init(table: ConnTable, classes: Int, names: Int) {
            self.table = table
            self.classes = classes
            rows = .allocate(capacity: Scratch.rowSlots * classes)
            row = UnsafeBufferPointer(start: rows, count: 0)
            destinations = .allocate(capacity: names)
            conns = .allocate(capacity: names)
        }
        deinit {
            rows.deallocate()
            destinations.deallocate()
            conns.deallocate()
        }
        /// Makes `row` class `c`'s, computed by `matrix` unless a recent source had it.
        func selectRow(_ c: Int, of matrix: ClassMatrix) {
            let slot: Int
            if let recent = slotOf[c] {
                slot = recent
            } else {
                slot = nextSlot
                nextSlot = (nextSlot + 1) % Scratch.rowSlots
                if classIn[slot] >= 0 { slotOf[classIn[slot]] = nil }
                classIn[slot] = c
                slotOf[c] = slot
                matrix.row(
                    from: c, into: UnsafeMutableBufferPointer(start: rows + slot * classes, count: classes),
                    table: table)
            }
            row = UnsafeBufferPointer(start: rows + slot * classes, count: classes)
        }
        @inline(__always) func add(_ destination: Int, _ c: Int32) {
            destinations[count] = Int32(destination)
            conns[count] = c
            count += 1
        }
        func flush<Sink: PairIndexSink>(from source: Int, into sink: inout Sink) {
            if count > 0 {
                sink.pairs(
                    from: source, to: UnsafeBufferPointer(start: destinations, count: count),
                    conns: UnsafeBufferPointer(start: conns, count: count))
            }
            count = 0
        }
    }

    /// What listing needs beyond the map, computed once per listing and read by every worker.
    struct Listing {
        enum Source {
            case workload(Int)
            case external(Int)
        }
        let map: ConnectivityMap
        let outbound: [[(name: Int, conns: Int32)]]
        /// Where each external name falls among the sorted workload ids.
        let insertion: [Int]
        /// Per external source, the classes it reaches.
        let reachedFrom: [[Int: Int32]]
        /// Sources in line order.
        let sources: [Source]
        /// The workloads a focus names, in line order; nil without a focus. A source outside the focus is listed
        /// only towards these, so a focused map costs what it prints.
        let focusedWorkloads: [Int]?
        /// Workloads whose pods fall in different classes, in line order.
        let mixedWorkloads: [Int]

        init(_ map: ConnectivityMap, readable: Bool) {
            self.map = map
            let table = map.matrix.table
            let names = readable ? map.readableExternalNames : map.externalNames
            outbound = readable ? map.outboundReadable : map.outbound
            let inbound = readable ? map.inboundReadable : map.inbound
            let ids = map.ids
            let insertion = names.map { name in ids.partitioningIndex { $0.id >= name } }
            var reachedFrom = [[Int: Int32]](repeating: [:], count: names.count)
            for (c, list) in inbound.enumerated() {
                for (name, conns) in list {
                    reachedFrom[name][c] = table.union(reachedFrom[name][c] ?? ConnTable.none, conns)
                }
            }
            var sources: [Source] = []
            var next = 0
            for s in 0..<ids.count {
                while next < names.count && insertion[next] <= s {
                    sources.append(.external(next))
                    next += 1
                }
                sources.append(.workload(s))
            }
            while next < names.count {
                sources.append(.external(next))
                next += 1
            }
            self.insertion = insertion
            self.reachedFrom = reachedFrom
            self.sources = sources
            mixedWorkloads = map.sharedClass.indices.filter { map.sharedClass[$0] < 0 }
            focusedWorkloads = map.focused.allSatisfy { $0 } ? nil : map.focused.indices.filter { map.focused[$0] }
        }

        /// Endpoint names: workloads, then external ranges.
        var names: Int { map.ids.count + insertion.count }

        func pairs<Sink: PairIndexSink>(of source: Source, scratch: Scratch, into sink: inout Sink) {
            switch source {
            case .external(let k):
                externalPairs(of: k, scratch: scratch)
                scratch.flush(from: map.ids.count + k, into: &sink)
            case .workload(let s):
                workloadPairs(of: s, scratch: scratch)
                scratch.flush(from: s, into: &sink)
            }
        }

        /// Connections between two workloads' endpoints, class pair by class pair (a workload whose pods differ).
        private func unionOverEndpoints(_ s: Int, _ d: Int, table: ConnTable) -> Int32 {
            let classOf = map.classes.classOf
            var out = ConnTable.none
            for sc in map.ids[s].endpoints {
                for dc in map.ids[d].endpoints {
                    out = table.union(out, map.matrix.conns(classOf[sc], classOf[dc], table: table))
                }
            }
            return out
        }

        private func externalPairs(of k: Int, scratch: Scratch) {
            guard !reachedFrom[k].isEmpty else { return }
            let classOf = map.classes.classOf
            // Looked up by class for every workload: an array, not the dictionary.
            var reached = [Int32](repeating: ConnTable.none, count: map.classes.count)
            for (c, conns) in reachedFrom[k] { reached[c] = conns }
            for w in map.ids.indices where map.focused[w] {
                let shared = map.sharedClass[w]
                let c =
                    shared >= 0
                    ? reached[shared]
                    : map.ids[w].endpoints.reduce(ConnTable.none) { scratch.table.union($0, reached[classOf[$1]]) }
                if c != ConnTable.none { scratch.add(w, c) }
            }
        }

        private func workloadPairs(of s: Int, scratch: Scratch) {
            let table = scratch.table
            let classOf = map.classes.classOf
            let workloads = map.ids.count
            let sourceFocused = map.focused[s]
            let sourceClass = map.sharedClass[s]
            if !sourceFocused, let targets = focusedWorkloads {
                // Outside the focus: only the focused destinations, pair by pair, without a full row.
                for d in targets where d != s {
                    let c =
                        sourceClass >= 0 && map.sharedClass[d] >= 0
                        ? map.matrix.conns(sourceClass, map.sharedClass[d], table: table)
                        : unionOverEndpoints(s, d, table: table)
                    if c != ConnTable.none { scratch.add(d, c) }
                }
                return
            }
            // This source's external destinations, by name, each placed before the first workload it precedes.
            var external: [Int: Int32] = [:]
            for e in map.ids[s].endpoints {
                for (name, c) in outbound[classOf[e]] {
                    external[name] = table.union(external[name] ?? ConnTable.none, c)
                }
            }
            let externalDestinations = external.keys.sorted()
            if sourceClass >= 0 { scratch.selectRow(sourceClass, of: map.matrix) }
            var x = 0
            var d = 0
            while d < workloads {
                while x < externalDestinations.count && insertion[externalDestinations[x]] <= d {
                    scratch.add(workloads + externalDestinations[x], external[externalDestinations[x]]!)
                    x += 1
                }
                let stop =
                    x < externalDestinations.count ? min(workloads, insertion[externalDestinations[x]]) : workloads
                workloadRun(of: s, sourceClass: sourceClass, d..<stop, scratch: scratch)
                d = stop
            }
            for name in externalDestinations[x...] { scratch.add(workloads + name, external[name]!) }
        }

        /// Workload destinations between two external ones: the loop that runs once per pair of workloads.
        @inline(__always)
        private func workloadRun(of s: Int, sourceClass: Int, _ run: Range<Int>, scratch: Scratch) {
            // The source is focused (`workloadPairs`), so every destination is listed.
            guard sourceClass >= 0 else {
                for d in run where d != s {
                    let c = unionOverEndpoints(s, d, table: scratch.table)
                    if c != ConnTable.none { scratch.add(d, c) }
                }
                return
            }
            // The source and the workloads whose pods differ split the run into stretches of destinations read
            // from the source's row alone.
            var d = run.lowerBound
            var next = mixedWorkloads.partitioningIndex { $0 >= d }
            while d < run.upperBound {
                var stop = run.upperBound
                if next < mixedWorkloads.count { stop = min(stop, mixedWorkloads[next]) }
                if s >= d { stop = min(stop, s) }
                rowStretch(d..<stop, scratch: scratch)
                guard stop < run.upperBound else { break }
                if stop != s {
                    let c = unionOverEndpoints(s, stop, table: scratch.table)
                    if c != ConnTable.none { scratch.add(stop, c) }
                }
                if next < mixedWorkloads.count && mixedWorkloads[next] == stop { next += 1 }
                d = stop + 1
            }
        }

        /// Destinations that each share a class, from the source's row: one load, two stores and an add per pair.
        @inline(__always)
        private func rowStretch(_ stretch: Range<Int>, scratch: Scratch) {
            let (row, destinations, conns) = (scratch.row, scratch.destinations, scratch.conns)
            var n = scratch.count
            map.sharedClass.withUnsafeBufferPointer { shared in
                guard let classOf = shared.baseAddress, let values = row.baseAddress else { return }
                var d = stretch.lowerBound
                while d < stretch.upperBound {
                    let c = values[classOf[d]]
                    // Written always and kept when allowed, counted without a branch: which pairs are allowed is as
                    // good as random to a branch predictor. Indices are not negative, so c + (2^31 - 1) has its top
                    // bit set exactly when c is not `none` (0).
                    destinations[n] = Int32(truncatingIfNeeded: d)
                    conns[n] = c
                    n &+= Int((UInt32(bitPattern: c) &+ 0x7fff_ffff) >> 31)
                    d &+= 1
                }
            }
            scratch.count = n
        }
    }

    /// Calls `body` for every allowed pair, in the oracle's line order.
    public func forEachPair(readable: Bool = false, _ body: (Pair) -> Void) {
        let names = endpointNames(readable: readable)
        let table = matrix.table
        struct Named: PairIndexSink {
            let names: [String]
            let table: ConnTable
            let body: (Pair) -> Void
            mutating func pairs(
                from source: Int, to destinations: UnsafeBufferPointer<Int32>, conns: UnsafeBufferPointer<Int32>
            ) {
                for (d, c) in zip(destinations, conns) {
                    body(Pair(source: names[source], destination: names[Int(d)], conns: table[c]))
                }
            }
        }
        withoutActuallyEscaping(body) { body in
            var sink = Named(names: names, table: table, body: body)
            forEachPairIndex(readable: readable, into: &sink)
        }
    }

    /// How many pairs the map lists, counted on every core without holding them.
    public func pairCount(readable: Bool = false) -> Int {
        struct Counter: PairIndexSink {
            var count = 0
            mutating func pairs(
                from source: Int, to destinations: UnsafeBufferPointer<Int32>, conns: UnsafeBufferPointer<Int32>
            ) { count += destinations.count }
        }
        var total = 0
        forEachPairIndexInParallel(
            readable: readable, makeSink: { _ in Counter() },
            drain: {
                total += $0.count
                $0.count = 0
            })
        return total
    }

    /// The endpoints (indices into `endpointNames(readable:)`, sorted) that are the source of some pair, and those
    /// that are the destination of some pair, found on every core without holding the pairs.
    public func appearingEndpoints(readable: Bool = false) -> (sources: [Int], destinations: [Int]) {
        final class Seen: PairIndexSink {
            var isDestination: [Bool]
            /// Sources and destinations seen since the last drain; a source's pairs come in one call.
            var sources: [Int] = []
            var destinations: [Int] = []
            init(names: Int) { isDestination = [Bool](repeating: false, count: names) }
            func pairs(from source: Int, to destinations: UnsafeBufferPointer<Int32>, conns: UnsafeBufferPointer<Int32>)
            {
                sources.append(source)
                for d in destinations where !isDestination[Int(d)] {
                    isDestination[Int(d)] = true
                    self.destinations.append(Int(d))
                }
            }
        }
        let names = endpointNames(readable: readable).count
        var sources: [Int] = []
        var destinations = Set<Int>()
        forEachPairIndexInParallel(
            readable: readable, makeSink: { _ in Seen(names: names) },
            drain: { seen in
                sources += seen.sources
                destinations.formUnion(seen.destinations)
                seen.sources = []
                seen.destinations = []
            })
        return (sources.sorted(), destinations.sorted())
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

/// Receives a map's pairs as indices into `ConnectivityMap.endpointNames(readable:)` and `connTable`.
public protocol PairIndexSink {
    /// One source's pairs, in line order: each destination with its connections (`connTable` or the worker's copy).
    mutating func pairs(
        from source: Int, to destinations: UnsafeBufferPointer<Int32>, conns: UnsafeBufferPointer<Int32>)
}

extension RandomAccessCollection {
    /// The first index whose element satisfies `predicate`, for a collection partitioned by it (false, then true).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Index {
        var low = startIndex
        var n = count
        while n > 0 {
            let half = n / 2
            let mid = index(low, offsetBy: half)
            if predicate(self[mid]) {
                n = half
            } else {
                low = index(after: mid)
                n -= half + 1
            }
        }
        return low
    }
}

extension ConnectivityMap.Pair {
    /// The oracle's normalized line: `SRC => DST : CONN`.
    public var line: String { "\(source) => \(destination) : \(conns)" }
}

extension ConnectivityMap {
    /// What a map of the NetworkPolicy layer cannot account for in this input, one line each: policy objects of
    /// other languages it does not model, and admin policies whose order upstream leaves undefined.
    public static func caveats(_ evaluator: Evaluator) -> [String] {
        let model = evaluator.model
        var out: [String] = []
        if let why = PolicySet.undecidableReason(model, evaluator.policies) {
            out.append("\(why); this map leaves that out and may be wrong")
        }
        if let why = PolicySet.outsideAddressReason(model) {
            out.append("\(why); pairs with an external end may be wrong")
        }
        for group in evaluator.policies.adminPriorityTies {
            out.append(
                "AdminNetworkPolicies \(group.joined(separator: ", ")) share a priority; the map evaluates them by name, an order upstream leaves undefined (A-ANP-TIE); check and query answer UNKNOWN where it matters"
            )
        }
        let auto = AutoLayer(model: model)
        if auto.layer > .netpol {
            out.append(
                "this input exercises the \(auto.layer.rawValue) layer (\(auto.reason)); pairs are decided at the netpol layer, which the mesh can only narrow: check and query answer at the \(auto.layer.rawValue) layer"
            )
        }
        return out
    }
}
