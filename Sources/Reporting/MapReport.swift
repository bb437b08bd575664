import KubeModel
import Reachability

public enum MapReport {
    /// One `SRC => DST : CONN` line per allowed pair, sorted, written batch by batch as the cores list them (a large
    /// map is never held).
    public static func writePairs(_ map: ConnectivityMap, to write: (UnsafeRawBufferPointer) -> Void) {
        let names = map.endpointNames()
        let sources = ByteTexts(names.map { "\($0) => " })
        let destinations = ByteTexts(names.map { "\($0) : " })
        map.forEachPairIndexInParallel(
            makeSink: { PairLineWriter(sources: sources, destinations: destinations, table: $0) },
            drain: { writer in
                write(writer.buffer.bytes)
                writer.buffer.removeAll()
            })
    }

    public static func pairs(_ map: ConnectivityMap) -> String {
        var out: [UInt8] = []
        writePairs(map) { out += $0 }
        return String(decoding: out, as: UTF8.self)
    }

    /// The published entry paths, after the pairs: what each proxy sends where, and whether the proxy's pods may
    /// open the second hop.
    static func entryPaths(_ paths: [EntryPath]) -> String {
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

    public static func table(_ map: ConnectivityMap) -> String {
        let rows = map.readablePairs
        let w1 = max(6, rows.map(\.source.count).max() ?? 0)
        let w2 = max(11, rows.map(\.destination.count).max() ?? 0)
        var out = "SOURCE".padded(to: w1) + "  " + "DESTINATION".padded(to: w2) + "  CONNECTIONS\n"
        for p in rows {
            out += p.source.padded(to: w1) + "  " + p.destination.padded(to: w2) + "  \(p.conns)\n"
        }
        out += "\(rows.count) allowed pair(s) (layer netpol)"
        if rows.contains(where: { $0.source == "external:any" || $0.destination == "external:any" }) {
            out += "; external:any is every address outside the pod network"
        }
        out += "\n"
        return out
    }

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

    struct PairJSON: Encodable {
        let source: String
        let destination: String
        let connections: String
    }
    public static func json(_ map: ConnectivityMap) -> String {
        JSON.encode(
            map.readablePairs.map {
                PairJSON(source: $0.source, destination: $0.destination, connections: $0.conns.description)
            })
    }
}

/// Renders pairs as lines. Each line is three copies of bytes rendered once: `SRC => `, `DST : ` and `CONN\n`;
/// tens of millions of lines leave no room for anything else per line.
struct PairLineWriter: PairIndexSink {
    private let sources: ByteTexts
    private let destinations: ByteTexts
    private var conns: ByteTexts
    private let table: ConnTable
    let buffer = ByteBuffer()

    init(sources: ByteTexts, destinations: ByteTexts, table: ConnTable) {
        self.sources = sources
        self.destinations = destinations
        self.table = table
        conns = ByteTexts(table.sets.map { "\($0)\n" })
    }

    mutating func pairs(
        from s: Int, to targets: UnsafeBufferPointer<Int32>, conns values: UnsafeBufferPointer<Int32>
    ) {
        // Sets interned while listing (unions over a workload's differing pods) are rendered on first use.
        for c in values where Int(c) >= conns.count {
            while conns.count <= Int(c) { conns.append("\(table[Int32(conns.count)])\n") }
        }
        buffer.reserve(targets.count * (sources.length(s) + destinations.longest + conns.longest) + ByteTexts.overrun)
        sources.withPointers { source in
            destinations.withPointers { destination in
                conns.withPointers { conn in
                    var out = buffer.end
                    for (d, c) in zip(targets, values) {
                        out = source.copy(s, to: out)
                        out = destination.copy(Int(d), to: out)
                        out = conn.copy(Int(c), to: out)
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
