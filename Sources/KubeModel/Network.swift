/// Transport protocols addressable by Kubernetes policy.
public enum L4Protocol: String, CaseIterable, Hashable, Sendable, Comparable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"

    public static func < (a: L4Protocol, b: L4Protocol) -> Bool { a.rawValue < b.rawValue }
}

/// An IPv4 prefix. IPv6 prefixes are parsed and kept apart (`CIDR.v6`), since the engine models IPv4 only.
public struct IPv4CIDR: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let base: UInt32
    public let prefix: Int

    public init(base: UInt32, prefix: Int) {
        self.prefix = prefix
        self.base = base & IPv4CIDR.mask(prefix)
    }

    public static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix) }

    public var first: UInt32 { base }
    public var last: UInt32 { base | ~IPv4CIDR.mask(prefix) }
    public func contains(_ ip: UInt32) -> Bool { ip & IPv4CIDR.mask(prefix) == base }
    public func contains(_ other: IPv4CIDR) -> Bool { other.prefix >= prefix && contains(other.base) }

    public var description: String { "\(IPv4CIDR.format(base))/\(prefix)" }

    public static func format(_ ip: UInt32) -> String {
        "\(ip >> 24).\((ip >> 16) & 255).\((ip >> 8) & 255).\(ip & 255)"
    }

    public static func < (a: IPv4CIDR, b: IPv4CIDR) -> Bool { (a.base, a.prefix) < (b.base, b.prefix) }

    /// Parses `a.b.c.d` into an address.
    public static func parseAddress(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit), let octet = UInt32(part),
                octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// The smallest list of prefixes covering exactly `first...last`.
    public static func covering(_ first: UInt32, _ last: UInt32) -> [IPv4CIDR] {
        var result: [IPv4CIDR] = []
        var start = UInt64(first)
        let end = UInt64(last)
        while start <= end {
            var size = 32
            while size > 0 {
                let blockSize = UInt64(1) << UInt64(32 - size + 1)
                if start % blockSize != 0 || start + blockSize - 1 > end { break }
                size -= 1
            }
            result.append(IPv4CIDR(base: UInt32(start), prefix: size))
            start += UInt64(1) << UInt64(32 - size)
        }
        return result
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// A prefix as written in a manifest: IPv4 (modelled) or IPv6 (kept, matches no IPv4 flow).
/// An IPv6 address as 128 bits (two halves, most significant first).
public struct IPv6Address: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    /// Parses the textual forms of RFC 4291 §2.2: eight groups, `::` compression, and a trailing dotted IPv4.
    public static func parse(_ text: Substring) -> IPv6Address? {
        var groups: [UInt16] = []
        var tail: [UInt16] = []
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ part: String, allowIPv4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, item) in items.enumerated() {
                if allowIPv4 && i == items.count - 1 && item.contains(".") {
                    guard let v4 = IPv4CIDR.parseAddress(item) else { return nil }
                    out += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                } else {
                    guard (1...4).contains(item.count), let g = UInt16(item, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        if halves.count == 2 {
            guard let head = parseGroups(halves[0], allowIPv4: false),
                let rest = parseGroups(halves[1], allowIPv4: true), head.count + rest.count <= 7
            else { return nil }
            groups = head
            tail = rest
            groups += [UInt16](repeating: 0, count: 8 - head.count - rest.count) + tail
        } else {
            guard let all = parseGroups(halves[0], allowIPv4: true), all.count == 8 else { return nil }
            groups = all
        }
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        return IPv6Address(high: high, low: low)
    }

    /// The address with every bit after the first `prefix` cleared.
    public func masked(_ prefix: Int) -> IPv6Address {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : UInt64.max << UInt64(64 - bits) }
        return IPv6Address(high: high & mask(prefix), low: low & mask(prefix - 64))
    }
}

public enum CIDR: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4CIDR)
    case v6(String)

    public var description: String {
        switch self {
        case .v4(let c): return c.description
        case .v6(let s): return s
        }
    }

    public var ipv4: IPv4CIDR? { if case .v4(let c) = self { return c } else { return nil } }

    /// An IPv6 CIDR's network address and prefix length.
    public var ipv6: (network: IPv6Address, prefix: Int)? {
        guard case .v6(let text) = self else { return nil }
        let pieces = text.split(separator: "/")
        guard pieces.count == 2, let prefix = Int(pieces[1]), let address = IPv6Address.parse(pieces[0]) else {
            return nil
        }
        return (address.masked(prefix), prefix)
    }

    /// Whether `inner` lies strictly inside this CIDR (same family, longer prefix, same network bits).
    public func strictlyContains(_ inner: CIDR) -> Bool {
        switch (self, inner) {
        case (.v4(let outer), .v4(let i)): return outer.contains(i) && i.prefix > outer.prefix
        case (.v6, .v6):
            guard let o = ipv6, let i = inner.ipv6, i.prefix > o.prefix else { return false }
            return i.network.masked(o.prefix) == o.network
        default: return false
        }
    }

    /// Parses a CIDR. Host bits are masked (`10.0.0.1/24` means `10.0.0.0/24`), as API servers have long accepted.
    public static func parse(_ text: String) -> Result<CIDR, ParseProblem> {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            return .failure(ParseProblem("'\(text)' is not a CIDR (expected address/prefix)"))
        }
        guard pieces[1].count <= 3, pieces[1].allSatisfy(\.isASCIIDigit), let prefix = Int(pieces[1]) else {
            return .failure(ParseProblem("'\(text)' has an invalid prefix length"))
        }
        if pieces[0].contains(":") {
            guard prefix <= 128, IPv6Address.parse(pieces[0]) != nil else {
                return .failure(ParseProblem("'\(text)' is not a valid IPv6 CIDR"))
            }
            return .success(.v6(text))
        }
        guard let address = IPv4CIDR.parseAddress(pieces[0]) else {
            return .failure(ParseProblem("'\(text)' has an invalid IPv4 address"))
        }
        guard prefix <= 32 else { return .failure(ParseProblem("'\(text)' has prefix length \(prefix) > 32")) }
        return .success(.v4(IPv4CIDR(base: address, prefix: prefix)))
    }
}

/// A port as written: a number or an IANA service name (resolved per destination pod).
public enum PortRef: Hashable, Sendable, CustomStringConvertible {
    case number(Int)
    case name(String)

    public var description: String {
        switch self {
        case .number(let n): return String(n)
        case .name(let s): return s
        }
    }
}

/// A container port declared by a pod.
public struct ContainerPort: Hashable, Sendable {
    public let name: String?
    public let number: Int
    public let proto: L4Protocol

    public init(name: String?, number: Int, proto: L4Protocol) {
        self.name = name
        self.number = number
        self.proto = proto
    }
}

enum PortName {
    /// IANA_SVC_NAME as Kubernetes validates it: 1-15 characters, lowercase letters, digits and '-',
    /// at least one letter, no leading/trailing '-' and no '--'.
    static func validate(_ s: String) -> String? {
        if s.isEmpty || s.count > 15 { return "port name '\(s)' must be 1-15 characters" }
        let allowed = s.allSatisfy { ("a"..."z").contains($0) || $0.isASCIIDigit || $0 == "-" }
        if !allowed { return "port name '\(s)' may contain only lowercase letters, digits and '-'" }
        if !s.contains(where: { ("a"..."z").contains($0) }) { return "port name '\(s)' must contain a letter" }
        if s.hasPrefix("-") || s.hasSuffix("-") || s.contains("--") {
            return "port name '\(s)' must not begin or end with '-' or contain '--'"
        }
        return nil
    }
}

/// A reason a value could not be parsed.
public struct ParseProblem: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
