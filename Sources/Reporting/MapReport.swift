import KubeModel
import Reachability

public enum MapReport {
    /// One `SRC => DST : CONN` line per allowed pair, sorted, written batch by batch as the cores list them (a large
    /// map is never held). A write that throws stops the listing (so do those of the other streamed formats).
    public static func writePairs(_ map: ConnectivityMap, to write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let names = map.endpointNames()
        let pieces = PairPieces(
            sources: names.map { "\($0) => " }, destinations: names.map { "\($0) : " }, conns: { "\($0)\n" })
        try stream(map, pieces, readable: false) { try write($0.bytes) }
    }

    public static func pairs(_ map: ConnectivityMap) -> String { collected { writePairs(map, to: $0) } }

    /// Every pair through `pieces`, in line order, to `drain` batch by batch: each writer's bytes and pair count.
    private static func stream(
        _ map: ConnectivityMap, _ pieces: PairPieces, readable: Bool, drain: (PairLineWriter) throws -> Void
    ) rethrows {
        try map.forEachPairIndexInParallel(
            readable: readable, makeSink: { PairLineWriter(pieces, table: $0) },
            drain: { writer in
                try drain(writer)
                writer.removeAll()
            })
    }

    /// What a streaming writer writes, as one string (for the tests and small maps).
    private static func collected(_ body: ((UnsafeRawBufferPointer) -> Void) -> Void) -> String {
        var out: [UInt8] = []
        body { out += $0 }
        return String(decoding: out, as: UTF8.self)
    }

    /// The published entry paths, after the pairs: what each proxy sends where, and whether the proxy's pods may
    /// open the second hop.
    public static func entryPaths(_ paths: [EntryPath]) -> String {
        guard !paths.isEmpty else { return "" }
        var out = "\nentry paths (proxy entry: request -> Service -> pods, NetworkPolicy from the proxy's pods):\n"
        for p in paths {
            let pods = p.pods.map { "\($0.workload):\($0.port) \($0.verdict.rawValue.uppercased())" }
            out += "  \(p.proxy) \(p.entry): \(p.condition) -> \(p.backend) -> "
            out += pods.isEmpty ? "no pods\n" : pods.joined(separator: ", ") + "\n"
            out += "      by \(p.rule)\n"
            if let note = p.note { out += "      \(note)\n" }
        }
        return out
    }

    /// The pairs as a table with readable names, streamed: a first pass over the pairs finds the names that appear,
    /// which set the column widths, and a second writes the lines.
    public static func writeTable(_ map: ConnectivityMap, to write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let names = map.endpointNames(readable: true)
        let appearing = map.appearingEndpoints(readable: true)
        let w1 = max(6, appearing.sources.map { names[$0].count }.max() ?? 0)
        let w2 = max(11, appearing.destinations.map { names[$0].count }.max() ?? 0)
        try Array(("SOURCE".padded(to: w1) + "  " + "DESTINATION".padded(to: w2) + "  CONNECTIONS\n").utf8)
            .withUnsafeBytes(write)
        let pieces = PairPieces(
            sources: names.map { $0.padded(to: w1) + "  " }, destinations: names.map { $0.padded(to: w2) + "  " },
            conns: { "\($0)\n" })
        var count = 0
        try stream(map, pieces, readable: true) {
            try write($0.bytes)
            count += $0.pairs
        }
        var footer = "\(count) allowed pair(s) (layer netpol)"
        let outside = names.firstIndex(of: NamespaceSummary.Peer.outsideName)
        if let outside, appearing.sources.contains(outside) || appearing.destinations.contains(outside) {
            footer += "; external:any is every address outside the pod network"
        }
        try Array((footer + "\n").utf8).withUnsafeBytes(write)
    }

    public static func table(_ map: ConnectivityMap) -> String { collected { writeTable(map, to: $0) } }

    /// One line per ordered pair of namespaces (and the outside world) with some connection: how many of their
    /// workload pairs connect, out of how many, and over which connections.
    public static func summary(_ s: NamespaceSummary) -> String {
        let w1 = max(16, s.rows.map(\.source.description.count).max() ?? 0)
        let w2 = max(21, s.rows.map(\.destination.description.count).max() ?? 0)
        // A million lines at 100,000 workloads, between a thousand namespaces sharing a few connection sets: each
        // name and set is rendered once, and the lines are assembled as bytes, in a buffer sized once.
        var lines: [UInt8] = []
        lines.reserveCapacity((s.rows.count + 2) * (w1 + w2 + 40))
        lines += ("SOURCE NAMESPACE".padded(to: w1) + "  " + "DESTINATION NAMESPACE".padded(to: w2)).utf8
        lines += "  WORKLOAD PAIRS  CONNECTIONS\n".utf8
        var sources: [NamespaceSummary.Peer: [UInt8]] = [:]
        var destinations: [NamespaceSummary.Peer: [UInt8]] = [:]
        var described: [ConnSet: [UInt8]] = [:]
        func rendered<Key: Hashable>(_ key: Key, _ cache: inout [Key: [UInt8]], _ text: () -> String) -> [UInt8] {
            if let bytes = cache[key] { return bytes }
            let bytes = Array(text().utf8)
            cache[key] = bytes
            return bytes
        }
        let gap = Array("  ".utf8)
        for r in s.rows {
            lines += rendered(r.source, &sources) { r.source.description.padded(to: w1) }
            lines += gap
            lines += rendered(r.destination, &destinations) { r.destination.description.padded(to: w2) }
            lines += gap
            let start = lines.count
            lines += "\(r.connected)/\(r.pairs)".utf8
            lines += repeatElement(UInt8(ascii: " "), count: max(0, 14 - (lines.count - start)))
            lines += gap
            lines += rendered(r.conns, &described) { r.conns.description }
            lines.append(UInt8(ascii: "\n"))
        }
        lines +=
            "\(s.rows.count) namespace pair(s) with connections (layer netpol); \(NamespaceSummary.Peer.outsideName) is every address outside the pod network, counted as one peer per workload\n"
            .utf8
        return String(decoding: lines, as: UTF8.self)
    }

    /// The pairs as a JSON list of objects with readable names, streamed: the text `JSON.encode` gives for the list
    /// (pretty-printed, keys sorted), without holding it.
    public static func writeJSON(_ map: ConnectivityMap, to write: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let names = map.endpointNames(readable: true).map(JSON.quoted)
        // Keys sorted: connections, destination, source. Each object but the first follows a comma, which the first
        // object's bytes drop.
        let pieces = PairPieces(
            sources: names.map { "    \"source\" : \($0)\n  }" },
            destinations: names.map { "    \"destination\" : \($0),\n" },
            conns: { ",\n  {\n    \"connections\" : \(JSON.quoted($0.description)),\n" }, connectionsFirst: true)
        try Array("[".utf8).withUnsafeBytes(write)
        var empty = true
        try stream(map, pieces, readable: true) { writer in
            let chunk = writer.bytes
            guard !chunk.isEmpty else { return }
            try write(empty ? UnsafeRawBufferPointer(rebasing: chunk.dropFirst()) : chunk)
            empty = false
        }
        try Array((empty ? "\n\n]\n" : "\n]\n").utf8).withUnsafeBytes(write)
    }

    public static func json(_ map: ConnectivityMap) -> String { collected { writeJSON(map, to: $0) } }
}

/// The three texts a pair is written as, each rendered once: one per source name, one per destination name, and one
/// per connection set (rendered as the sets are met). In that order, or with the connections first.
struct PairPieces {
    let sources: ByteTexts
    let destinations: ByteTexts
    let conns: (ConnSet) -> String
    let connectionsFirst: Bool

    init(
        sources: [String], destinations: [String], conns: @escaping (ConnSet) -> String, connectionsFirst: Bool = false
    ) {
        self.sources = ByteTexts(sources)
        self.destinations = ByteTexts(destinations)
        self.conns = conns
        self.connectionsFirst = connectionsFirst
    }
}

/// Writes pairs as three copies of rendered bytes apiece; tens of millions of pairs leave no room for anything else
/// per pair.
final class PairLineWriter: PairIndexSink {
    private let pieces: PairPieces
    private var conns: ByteTexts
    private let table: ConnTable
    private let buffer = ByteBuffer()
    /// Pairs written since the last `removeAll`.
    private(set) var pairs = 0

    init(_ pieces: PairPieces, table: ConnTable) {
        self.pieces = pieces
        self.table = table
        conns = ByteTexts(table.sets.map(pieces.conns))
    }

    var bytes: UnsafeRawBufferPointer { buffer.bytes }

    func removeAll() {
        buffer.removeAll()
        pairs = 0
    }

    func pairs(from s: Int, to targets: UnsafeBufferPointer<Int32>, conns values: UnsafeBufferPointer<Int32>) {
        // Sets interned while listing (unions over a workload's differing pods) are rendered on first use.
        for c in values where Int(c) >= conns.count {
            while conns.count <= Int(c) { conns.append(pieces.conns(table[Int32(conns.count)])) }
        }
        pairs += targets.count
        let (sources, destinations) = (pieces.sources, pieces.destinations)
        buffer.reserve(targets.count * (sources.length(s) + destinations.longest + conns.longest) + ByteTexts.overrun)
        sources.withPointers { source in
            destinations.withPointers { destination in
                conns.withPointers { conn in
                    var out = buffer.end
                    if pieces.connectionsFirst {
                        for (d, c) in zip(targets, values) {
                            out = conn.copy(Int(c), to: out)
                            out = destination.copy(Int(d), to: out)
                            out = source.copy(s, to: out)
                        }
                    } else {
                        for (d, c) in zip(targets, values) {
                            out = source.copy(s, to: out)
                            out = destination.copy(Int(d), to: out)
                            out = conn.copy(Int(c), to: out)
                        }
                    }
                    buffer.count = out - buffer.start
                }
            }
        }
    }
}

/// Texts as UTF-8 bytes in one array, each found by its range. A short text is copied as one 32-byte vector, so
/// the bytes end with that much padding, and a destination needs that much room past its last text.
struct ByteTexts {
    static let overrun = 32
    private var bytes = [UInt8](repeating: 0, count: ByteTexts.overrun)
    private var ends: [Int] = [0]
    private(set) var longest = 0

    init(_ texts: [String]) { for t in texts { append(t) } }

    var count: Int { ends.count - 1 }
    func length(_ i: Int) -> Int { ends[i + 1] - ends[i] }

    mutating func append(_ text: String) {
        bytes.removeLast(ByteTexts.overrun)
        bytes += text.utf8
        ends.append(bytes.count)
        longest = max(longest, text.utf8.count)
        bytes += repeatElement(0, count: ByteTexts.overrun)
    }

    func withPointers<R>(_ body: (Pointers) -> R) -> R {
        bytes.withUnsafeBytes { bytes in ends.withUnsafeBufferPointer { body(Pointers(bytes: bytes, ends: $0)) } }
    }

    struct Pointers {
        let bytes: UnsafeRawBufferPointer
        let ends: UnsafeBufferPointer<Int>
        /// Writes text `i` at `out`, and returns where it ends.
        @inline(__always)
        func copy(_ i: Int, to out: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
            let start = ends[i]
            let n = ends[i + 1] - start
            let from = bytes.baseAddress! + start
            if n <= ByteTexts.overrun {
                out.storeBytes(of: from.loadUnaligned(as: SIMD32<UInt8>.self), as: SIMD32<UInt8>.self)
            } else {
                out.copyMemory(from: from, byteCount: n)
            }
            return out + n
        }
    }
}

/// Bytes in one growing allocation: writers reserve room, then copy into it and move `count`.
final class ByteBuffer {
    private(set) var start = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 1)
    private var capacity = 1 << 16
    var count = 0

    deinit { start.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: count) }
    var end: UnsafeMutableRawPointer { start + count }

    /// Makes room for `n` more bytes.
    func reserve(_ n: Int) {
        guard count + n > capacity else { return }
        let grown = max(2 * capacity, count + n)
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 1)
        bigger.copyMemory(from: start, byteCount: count)
        start.deallocate()
        start = bigger
        capacity = grown
    }

    func removeAll() { count = 0 }
}

extension MapReport: Reporter {
    /// A map, and for DOT the workload pairs to draw in red (`DotReport.refutedPairs`).
    public struct Subject {
        public let map: ConnectivityMap
        public let highlighted: Set<String>
        /// Shown after the table (text format).
        public let entryPaths: [EntryPath]
        public init(map: ConnectivityMap, highlighted: Set<String> = [], entryPaths: [EntryPath] = []) {
            self.map = map
            self.highlighted = highlighted
            self.entryPaths = entryPaths
        }
    }

    public static let formats: [ReportFormat] = [.pairs, .table, .json, .dot, .summary]

    /// `pairs` as one string; the command streams it with `writePairs` instead, since it can be gigabytes.
    public static func render(_ s: Subject, as format: ReportFormat) -> String {
        switch format {
        case .pairs: return pairs(s.map)
        case .table: return table(s.map) + entryPaths(s.entryPaths)
        case .json: return json(s.map)
        case .dot: return DotReport.dot(s.map.readablePairs, highlighted: s.highlighted)
        case .summary: return summary(NamespaceSummary(s.map))
        default: return unsupported(format)
        }
    }
}
