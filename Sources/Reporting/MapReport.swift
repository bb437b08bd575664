import KubeModel
import Reachability

public enum MapReport {
    /// One `SRC => DST : CONN` line per allowed pair, sorted.
    public static func pairs(_ map: ConnectivityMap) -> String {
        map.pairs.map { $0.line + "\n" }.joined()
    }

    public static func table(_ map: ConnectivityMap) -> String {
        let w1 = max(6, map.pairs.map(\.source.count).max() ?? 0)
        let w2 = max(11, map.pairs.map(\.destination.count).max() ?? 0)
        var out = "SOURCE".padding(toLength: w1, withPad: " ", startingAt: 0) + "  " + "DESTINATION".padding(toLength: w2, withPad: " ", startingAt: 0) + "  CONNECTIONS\n"
        for p in map.pairs {
            out += p.source.padding(toLength: w1, withPad: " ", startingAt: 0) + "  " + p.destination.padding(toLength: w2, withPad: " ", startingAt: 0) + "  \(p.conns)\n"
        }
        out += "\(map.pairs.count) allowed pair(s) (layer netpol)\n"
        return out
    }

    struct PairJSON: Encodable { let source: String; let destination: String; let connections: String }
    public static func json(_ map: ConnectivityMap) -> String {
        JSON.encode(map.pairs.map { PairJSON(source: $0.source, destination: $0.destination, connections: $0.conns.description) })
    }
}
