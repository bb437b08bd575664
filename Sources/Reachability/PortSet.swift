import KubeModel

/// A set of ports, 1-65535, as sorted disjoint ranges.
public struct PortRanges: Hashable, Sendable, CustomStringConvertible {
    public private(set) var ranges: [ClosedRange<Int>]

    public init(_ ranges: [ClosedRange<Int>] = []) {
        self.ranges = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            let r = max(1, r.lowerBound)...min(65535, r.upperBound)
            if let last = self.ranges.last, r.lowerBound <= last.upperBound + 1 {
                self.ranges[self.ranges.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                self.ranges.append(r)
            }
        }
    }

    public static let all = PortRanges([1...65535])
    public static let none = PortRanges()

    public var isEmpty: Bool { ranges.isEmpty }
    public var isFull: Bool { ranges == [1...65535] }
    public func contains(_ p: Int) -> Bool { ranges.contains { $0.contains(p) } }

    public func union(_ o: PortRanges) -> PortRanges {
        if o.isEmpty { return self }
        if isEmpty { return o }
        return PortRanges(ranges + o.ranges)
    }

    public func intersection(_ o: PortRanges) -> PortRanges {
        if isEmpty || o.isEmpty { return .none }
        if o.isFull { return self }
        if isFull { return o }
        var out: [ClosedRange<Int>] = []
        var i = 0
        var j = 0
        while i < ranges.count && j < o.ranges.count {
            let a = ranges[i]
            let b = o.ranges[j]
            let lo = max(a.lowerBound, b.lowerBound)
            let hi = min(a.upperBound, b.upperBound)
            if lo <= hi { out.append(lo...hi) }
            if a.upperBound < b.upperBound { i += 1 } else { j += 1 }
        }
        return PortRanges(out)
    }

    public func subtracting(_ o: PortRanges) -> PortRanges {
        if isEmpty || o.isEmpty { return self }
        if o.isFull { return .none }
        return intersection(o.complement)
    }

    public var complement: PortRanges {
        var out: [ClosedRange<Int>] = []
        var next = 1
        for r in ranges {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound + 1
        }
        if next <= 65535 { out.append(next...65535) }
        return PortRanges(out)
    }

    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(
            separator: ",")
    }
}

/// Protocols a flow may use. `other` stands for every protocol without ports (ICMP, ...), which only rules without a
/// `ports` list admit.
public enum FlowProtocol: String, CaseIterable, Hashable, Sendable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"
    case other = "OTHER"

    public init(_ p: L4Protocol) {
        switch p {
        case .tcp: self = .tcp
        case .udp: self = .udp
        case .sctp: self = .sctp
        }
    }
}

/// A set of connections: ports per transport protocol, plus port-less protocols as one flag.
public struct ConnSet: Hashable, Sendable, CustomStringConvertible {
    public var tcp: PortRanges
    public var udp: PortRanges
    public var sctp: PortRanges
    public var other: Bool

    public init(tcp: PortRanges = .none, udp: PortRanges = .none, sctp: PortRanges = .none, other: Bool = false) {
        self.tcp = tcp
        self.udp = udp
        self.sctp = sctp
        self.other = other
    }

    public static let all = ConnSet(tcp: .all, udp: .all, sctp: .all, other: true)
    public static let none = ConnSet()

    public init(_ proto: L4Protocol, _ ports: PortRanges) {
        self.init()
        self[proto] = ports
    }

    public subscript(p: L4Protocol) -> PortRanges {
        get {
            switch p {
            case .tcp: return tcp
            case .udp: return udp
            case .sctp: return sctp
            }
        }
        set {
            switch p {
            case .tcp: tcp = newValue
            case .udp: udp = newValue
            case .sctp: sctp = newValue
            }
        }
    }

    public var isEmpty: Bool { tcp.isEmpty && udp.isEmpty && sctp.isEmpty && !other }

    /// The lowest connection of the set (TCP, UDP, SCTP, then other), as a witness flow.
    public var first: (FlowProtocol, Int)? {
        if let r = tcp.ranges.first { return (.tcp, r.lowerBound) }
        if let r = udp.ranges.first { return (.udp, r.lowerBound) }
        if let r = sctp.ranges.first { return (.sctp, r.lowerBound) }
        return other ? (.other, 0) : nil
    }
    public var isAll: Bool { self == .all }

    public func contains(_ p: FlowProtocol, _ port: Int) -> Bool {
        switch p {
        case .tcp: return tcp.contains(port)
        case .udp: return udp.contains(port)
        case .sctp: return sctp.contains(port)
        case .other: return other
        }
    }

    public func union(_ o: ConnSet) -> ConnSet {
        ConnSet(tcp: tcp.union(o.tcp), udp: udp.union(o.udp), sctp: sctp.union(o.sctp), other: other || o.other)
    }

    public func intersection(_ o: ConnSet) -> ConnSet {
        ConnSet(
            tcp: tcp.intersection(o.tcp), udp: udp.intersection(o.udp), sctp: sctp.intersection(o.sctp),
            other: other && o.other)
    }

    public func subtracting(_ o: ConnSet) -> ConnSet {
        ConnSet(
            tcp: tcp.subtracting(o.tcp), udp: udp.subtracting(o.udp), sctp: sctp.subtracting(o.sctp),
            other: other && !o.other)
    }

    /// The normalized connection text of the oracle's pair format: `ALL`, or `PROTO/ranges` joined by `;`.
    public var description: String {
        if isAll { return "ALL" }
        var parts: [String] = []
        if other { parts.append("OTHER/*") }
        if !sctp.isEmpty { parts.append("SCTP/\(sctp)") }
        if !tcp.isEmpty { parts.append("TCP/\(tcp)") }
        if !udp.isEmpty { parts.append("UDP/\(udp)") }
        return parts.joined(separator: ";")
    }
}
