/// The two IP families. A flow belongs to one: its source and destination addresses are of the same family.
public enum IPFamily: String, CaseIterable, Hashable, Sendable, Comparable {
    case ipv4 = "IPv4"
    case ipv6 = "IPv6"

    public var bits: Int { self == .ipv4 ? 32 : 128 }
    /// The highest address of the family, as a number.
    public var maxValue: UInt128 { self == .ipv4 ? UInt128(UInt32.max) : .max }

    public static func < (a: IPFamily, b: IPFamily) -> Bool { a == .ipv4 && b == .ipv6 }

    /// Reads `IPv4`/`IPv6` in any case, as Service `ipFamilies` and kind's `ipFamily` spell them.
    public init?(name: String) {
        switch name.lowercased() {
        case "ipv4": self = .ipv4
        case "ipv6": self = .ipv6
        default: return nil
        }
    }
}

/// One address of either family. IPv4 addresses sort before IPv6 ones; within a family, by value.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let family: IPFamily
    public let value: UInt128

    public init(family: IPFamily, value: UInt128) {
        self.family = family
        self.value = value & family.maxValue
    }

    public init(v4 value: UInt32) { self.init(family: .ipv4, value: UInt128(value)) }

    public static func < (a: IPAddress, b: IPAddress) -> Bool { (a.family, a.value) < (b.family, b.value) }

    /// The next address of the family; nil after the last one.
    public var next: IPAddress? { value == family.maxValue ? nil : IPAddress(family: family, value: value + 1) }

    /// Dotted quad for IPv4; for IPv6 the canonical text of RFC 5952 §4 (lowercase, no leading zeros, the longest run
    /// of two or more zero groups shortened to `::`, the first such run on a tie).
    public var description: String {
        if family == .ipv4 {
            let v = UInt32(value)
            return "\(v >> 24).\((v >> 16) & 255).\((v >> 8) & 255).\(v & 255)"
        }
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> UInt128(112 - 16 * $0)) }
        var best: Range<Int>?
        var i = 0
        while i < 8 {
            guard groups[i] == 0 else {
                i += 1
                continue
            }
            var j = i
            while j < 8 && groups[j] == 0 { j += 1 }
            if j - i >= 2 && j - i > (best?.count ?? 0) { best = i..<j }
            i = j
        }
        func text(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        guard let best else { return text(0..<8) }
        return text(0..<best.lowerBound) + "::" + text(best.upperBound..<8)
    }

    /// Reads an address of either family: `a.b.c.d`, or the IPv6 forms of RFC 4291 §2.2 (eight groups, `::`
    /// compression, a trailing dotted IPv4).
    public static func parse(_ text: Substring) -> IPAddress? {
        if text.contains(":") { return parseV6(text) }
        return parseV4(text).map { IPAddress(v4: $0) }
    }

    static func parseV4(_ text: Substring) -> UInt32? {
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

    static func parseV6(_ text: Substring) -> IPAddress? {
        func groups(_ part: Substring, allowIPv4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, item) in items.enumerated() {
                if allowIPv4 && i == items.count - 1 && item.contains(".") {
                    guard let v4 = parseV4(item) else { return nil }
                    out += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                } else {
                    guard (1...4).contains(item.count), let g = UInt16(item, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        let halves = text.components(separatedBy: "::")
        let all: [UInt16]
        switch halves.count {
        case 1:
            guard let g = groups(Substring(halves[0]), allowIPv4: true), g.count == 8 else { return nil }
            all = g
        case 2:
            guard let head = groups(Substring(halves[0]), allowIPv4: false),
                let tail = groups(Substring(halves[1]), allowIPv4: true), head.count + tail.count <= 7
            else { return nil }
            all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        default: return nil
        }
        return IPAddress(family: .ipv6, value: all.reduce(UInt128(0)) { $0 << 16 | UInt128($1) })
    }
}

/// A prefix of either family. Host bits are cleared on construction.
public struct CIDR: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let family: IPFamily
    public let base: UInt128
    public let prefix: Int

    public init(family: IPFamily, base: UInt128, prefix: Int) {
        self.family = family
        self.prefix = prefix
        self.base = base & CIDR.mask(family, prefix)
    }

    public init(_ address: IPAddress, prefix: Int) {
        self.init(family: address.family, base: address.value, prefix: prefix)
    }

    /// Every address of a family: `0.0.0.0/0` or `::/0`.
    public static func whole(_ family: IPFamily) -> CIDR { CIDR(family: family, base: 0, prefix: 0) }

    /// The single address `a` (`/32` or `/128`).
    public static func host(_ a: IPAddress) -> CIDR { CIDR(a, prefix: a.family.bits) }

    static func mask(_ family: IPFamily, _ prefix: Int) -> UInt128 {
        prefix <= 0 ? 0 : family.maxValue & (UInt128.max << UInt128(family.bits - prefix))
    }

    public var first: IPAddress { IPAddress(family: family, value: base) }
    public var last: IPAddress {
        IPAddress(family: family, value: base | (family.maxValue & ~CIDR.mask(family, prefix)))
    }

    public func contains(_ a: IPAddress) -> Bool { a.family == family && a.value & CIDR.mask(family, prefix) == base }
    public func contains(_ other: CIDR) -> Bool { other.prefix >= prefix && contains(other.first) }
    /// Whether `inner` lies inside this CIDR and is smaller (what ipBlock `except` must be).
    public func strictlyContains(_ inner: CIDR) -> Bool { inner.prefix > prefix && contains(inner.first) }

    public var description: String { "\(first)/\(prefix)" }

    public static func < (a: CIDR, b: CIDR) -> Bool { (a.first, a.prefix) < (b.first, b.prefix) }

    /// The smallest list of prefixes covering exactly `first...last` (one family).
    public static func covering(_ first: IPAddress, _ last: IPAddress) -> [CIDR] {
        precondition(first.family == last.family && first.value <= last.value)
        let family = first.family
        var out: [CIDR] = []
        var start = first.value
        while true {
            // The largest aligned block at `start` that ends by `last`.
            func end(_ hostBits: Int) -> UInt128 { start | (family.maxValue >> UInt128(family.bits - hostBits)) }
            var size = min(family.bits, start.trailingZeroBitCount)
            while size > 0 && end(size) > last.value { size -= 1 }
            out.append(CIDR(family: family, base: start, prefix: family.bits - size))
            if end(size) >= last.value { return out }
            start = end(size) + 1
        }
    }

    /// Parses a CIDR of either family. Host bits are masked (`10.0.0.1/24` means `10.0.0.0/24`), as API servers
    /// have long accepted.
    public static func parse(_ text: String) -> Result<CIDR, ParseProblem> {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            return .failure(ParseProblem("'\(text)' is not a CIDR (expected address/prefix)"))
        }
        guard (1...3).contains(pieces[1].count), pieces[1].allSatisfy(\.isASCIIDigit), let prefix = Int(pieces[1])
        else {
            return .failure(ParseProblem("'\(text)' has an invalid prefix length"))
        }
        guard let address = IPAddress.parse(pieces[0]) else {
            let family = pieces[0].contains(":") ? "IPv6" : "IPv4"
            return .failure(ParseProblem("'\(text)' has an invalid \(family) address"))
        }
        guard prefix <= address.family.bits else {
            return .failure(ParseProblem("'\(text)' has prefix length \(prefix) > \(address.family.bits)"))
        }
        return .success(CIDR(address, prefix: prefix))
    }

    /// Parses a CIDR, or a single address as its host prefix (`external:192.0.2.1`, `external:2001:db8::1`).
    public static func parse(addressOrCIDR text: String) -> Result<CIDR, ParseProblem> {
        if text.contains("/") { return parse(text) }
        guard let a = IPAddress.parse(Substring(text)) else {
            return .failure(ParseProblem("'\(text)' is not an IP address or CIDR"))
        }
        return .success(host(a))
    }
}
