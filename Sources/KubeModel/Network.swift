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
            guard prefix <= 128, pieces[0].allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
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
