import KubeModel
import Reachability

public enum MapReport {
    /// One `SRC => DST : CONN` line per allowed pair, sorted, written as they are found (a large map is never held).
    public static func writePairs(_ map: ConnectivityMap, to write: (String) -> Void) {
        var buffer = ""
        buffer.reserveCapacity(1 << 16)
        map.forEachPair { pair in
            buffer += pair.line
            buffer += "\n"
            if buffer.utf8.count >= 1 << 16 { write(buffer); buffer.removeAll(keepingCapacity: true) }
        }
        write(buffer)
    }

    public static func pairs(_ map: ConnectivityMap) -> String {
        var out = ""
        writePairs(map) { out += $0 }
        return out
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
