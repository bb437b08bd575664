/// Transport protocols addressable by Kubernetes policy.
public enum L4Protocol: String, CaseIterable, Hashable, Sendable, Comparable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"

    public static func < (a: L4Protocol, b: L4Protocol) -> Bool { a.rawValue < b.rawValue }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
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
        if s.isEmpty || (s.utf8.count > 15 && s.count > 15) { return "port name '\(s)' must be 1-15 characters" }
        // One pass over the bytes, not Characters: every allowed character is ASCII, and a dump names ports by the
        // hundred thousand. The problems are still reported in the order they are checked.
        var (onlyAllowed, hasLetter, doubleDash) = (true, false, false)
        var previous: UInt8 = 0
        let dash = UInt8(ascii: "-")
        for b in s.utf8 {
            let letter = b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")
            hasLetter = hasLetter || letter
            onlyAllowed = onlyAllowed && (letter || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == dash)
            doubleDash = doubleDash || (b == dash && previous == dash)
            previous = b
        }
        if !onlyAllowed { return "port name '\(s)' may contain only lowercase letters, digits and '-'" }
        if !hasLetter { return "port name '\(s)' must contain a letter" }
        if s.utf8.first == dash || previous == dash || doubleDash {
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
