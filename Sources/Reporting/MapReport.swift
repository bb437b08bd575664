import KubeModel
import Reachability

public enum MapReport {
    /// One `SRC => DST : CONN` line per allowed pair, sorted, written in chunks as they are found (a large map is
    /// never held).
    public static func writePairs(_ map: ConnectivityMap, chunkSize: Int = 1 << 20, to write: (UnsafeRawBufferPointer) -> Void) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { buffer.deallocate() }
        withoutActuallyEscaping(write) { write in
            var writer = PairLineWriter(map: map, buffer: buffer, write: write)
            map.forEachPairIndex(into: &writer)
            writer.flush()
        }
    }

    public static func pairs(_ map: ConnectivityMap) -> String {
        var out: [UInt8] = []
        writePairs(map) { out += $0 }
        return String(decoding: out, as: UTF8.self)
    }

    public static func table(_ map: ConnectivityMap) -> String {
        let rows = map.readablePairs
        let w1 = max(6, rows.map(\.source.count).max() ?? 0)
        let w2 = max(11, rows.map(\.destination.count).max() ?? 0)
        var out = "SOURCE".padding(toLength: w1, withPad: " ", startingAt: 0) + "  " + "DESTINATION".padding(toLength: w2, withPad: " ", startingAt: 0) + "  CONNECTIONS\n"
        for p in rows {
            out += p.source.padding(toLength: w1, withPad: " ", startingAt: 0) + "  " + p.destination.padding(toLength: w2, withPad: " ", startingAt: 0) + "  \(p.conns)\n"
        }
        out += "\(rows.count) allowed pair(s) (layer netpol)"
        if rows.contains(where: { $0.source == "external:any" || $0.destination == "external:any" }) {
            out += "; external:any is every address outside the pod network"
        }
        out += "\n"
        return out
    }

    struct PairJSON: Encodable { let source: String; let destination: String; let connections: String }
    public static func json(_ map: ConnectivityMap) -> String {
        JSON.encode(map.readablePairs.map { PairJSON(source: $0.source, destination: $0.destination, connections: $0.conns.description) })
    }
}

/// Renders pairs as lines into a buffer written out in chunks. Each line is three copies of bytes rendered once:
/// `SRC => `, `DST : ` and `CONN\n`; tens of millions of lines leave no room for anything else per line.
struct PairLineWriter: PairIndexSink {
    private let sources: ByteTexts
    private let destinations: ByteTexts
    private var conns: ByteTexts
    private let table: ConnTable
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    private let write: (UnsafeRawBufferPointer) -> Void

    init(map: ConnectivityMap, buffer: UnsafeMutableRawBufferPointer, write: @escaping (UnsafeRawBufferPointer) -> Void) {
        let names = map.endpointNames()
        sources = ByteTexts(names.map { "\($0) => " })
        destinations = ByteTexts(names.map { "\($0) : " })
        table = map.connTable
        conns = ByteTexts(table.sets.map { "\($0)\n" })
        capacity = buffer.count
        self.buffer = buffer.baseAddress!
        self.write = write
    }

    mutating func pair(source s: Int, destination d: Int, conns c: Int32) {
        // Sets interned while listing (unions over a workload's differing pods) are rendered on first use.
        while conns.count <= Int(c) { conns.append("\(table[Int32(conns.count)])\n") }
        let length = sources.length(s) + destinations.length(d) + conns.length(Int(c))
        if used + length > capacity { flush() }
        if length > capacity {
            for (texts, i) in [(sources, s), (destinations, d), (conns, Int(c))] { texts.write(i, write) }
            return
        }
        used += sources.copy(s, to: buffer + used)
        used += destinations.copy(d, to: buffer + used)
        used += conns.copy(Int(c), to: buffer + used)
    }

    /// Writes what is buffered.
    mutating func flush() {
        if used > 0 { write(UnsafeRawBufferPointer(start: buffer, count: used)) }
        used = 0
    }
}

/// Texts as UTF-8 bytes in one array, each found by its range.
struct ByteTexts {
    private var bytes: [UInt8] = []
    private var ends: [Int] = [0]

    init(_ texts: [String]) { for t in texts { append(t) } }

    var count: Int { ends.count - 1 }
    mutating func append(_ text: String) {
        bytes += text.utf8
        ends.append(bytes.count)
    }
    func length(_ i: Int) -> Int { ends[i + 1] - ends[i] }
    /// Copies text `i` to `destination`; returns its length.
    func copy(_ i: Int, to destination: UnsafeMutableRawPointer) -> Int {
        let start = ends[i], n = ends[i + 1] - start
        bytes.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + start, byteCount: n) }
        return n
    }
    func write(_ i: Int, _ write: (UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[ends[i]..<ends[i + 1]])) }
    }
}
