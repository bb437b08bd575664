/// A YAML node together with where it came from and the field path that led to it. Every typed accessor
/// either returns a well-formed value or throws an `InputError` naming file, line and field.
public struct Field {
    public let node: YAMLNode
    public let path: String
    public let file: String
    /// Line of the enclosing node, used when a node carries no mark of its own.
    let fallbackLine: Int
    /// Lines before the chunk this node was parsed from (documents are parsed apart, in parallel).
    let lineOffset: Int

    public init(node: YAMLNode, path: String, file: String, fallbackLine: Int = 1, lineOffset: Int = 0) {
        self.node = node
        self.path = path
        self.file = file
        self.fallbackLine = fallbackLine
        self.lineOffset = lineOffset
    }

    public var location: SourceLocation {
        let line = node.line
        return SourceLocation(file: file, line: line > 0 ? line + lineOffset : fallbackLine)
    }

    public func error(_ message: String) -> InputError { InputError(location, path, message) }

    /// A required key that is absent, reported under its own path.
    public func missing(_ key: String, hint: String? = nil) -> InputError {
        InputError(
            location, childPath(key),
            "required field is missing" + (hint.map { " (\($0))" } ?? ""))
    }

    /// Plain `null`, `~` or an empty plain scalar, as YAML 1.1 and Kubernetes read them.
    public var isNull: Bool { Self.isNull(node) }

    static func isNull(_ node: YAMLNode) -> Bool {
        guard case .scalar(let s) = node, s.style == .plain else { return false }
        return s.string.isEmpty || s.string == "~" || s.string == "null" || s.string == "Null" || s.string == "NULL"
    }

    var isMapping: Bool { if case .mapping = node { return true } else { return false } }

    var kindName: String {
        switch node {
        case .scalar: return isNull ? "null" : "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    private func child(_ node: YAMLNode, _ path: String) -> Field {
        // The line as `location` gives it, without building a location (and retaining the file name) per field.
        let line = self.node.line
        return Field(
            node: node, path: path, file: file, fallbackLine: line > 0 ? line + lineOffset : fallbackLine,
            lineOffset: lineOffset)
    }

    /// The entries of a mapping, keys as strings; `null` reads as an empty mapping. Merge keys (`<<`) are
    /// expanded as the API server's YAML decoder expands them: keys written in the mapping win over merged ones.
    public func entries() throws -> [(key: String, value: Field)] {
        try entryNodes().map { ($0.key, child($0.node, at: $0.key)) }
    }

    /// `entries()` without a field per value: labels and annotations are read by the million, and a value's field
    /// (its path joined) is needed only to report it.
    func entryNodes() throws -> [(key: String, node: YAMLNode)] {
        if isNull { return [] }
        guard case .mapping(let m) = node else { throw error("expected a mapping, found \(kindName)") }
        var out: [(key: String, node: YAMLNode)] = []
        out.reserveCapacity(m.pairs.count)
        for pair in m.pairs {
            guard case .scalar(let k) = pair.key else { throw error("mapping keys must be scalars") }
            if k.string == Self.mergeKey { continue }
            out.append((k.string, pair.value))
        }
        let sources = try mergeSources(m)
        if sources.isEmpty { return out }
        var seen = Set(out.map(\.key))
        for source in sources {
            for pair in source.pairs {
                guard case .scalar(let k) = pair.key, k.string != Self.mergeKey, seen.insert(k.string).inserted else {
                    continue
                }
                out.append((k.string, pair.value))
            }
        }
        return out
    }

    /// The field of `node`, found at `key` of this mapping.
    func child(_ node: YAMLNode, at key: String) -> Field { child(node, childPath(key)) }

    /// The path of a child at `key`: joined by appending, which costs less than interpolating, field by field.
    private func childPath(_ key: String) -> String {
        if path.isEmpty { return key }
        var out = path
        out.reserveCapacity(path.utf8.count + 1 + key.utf8.count)
        out.append(".")
        out.append(key)
        return out
    }

    static let mergeKey = "<<"

    /// The mappings a `<<` key merges in, first one first (earlier sources win over later ones).
    private func mergeSources(_ m: YAMLMapping) throws -> [YAMLMapping] {
        guard let i = Self.index(of: Self.mergeKey, in: m) else { return [] }
        switch m.pairs[i].value {
        case .mapping(let source): return [source]
        case .sequence(let items):
            return try items.items.map { item in
                guard case .mapping(let source) = item else {
                    throw error("'<<' merges mappings, found a list item that is not")
                }
                return source
            }
        default: throw error("'<<' merges a mapping or a list of mappings")
        }
    }

    /// Position of `key` in a mapping.
    private static func index(of key: String, in m: YAMLMapping) -> Int? {
        m.pairs.indices.first { m.pairs[$0].key.isScalar(key) }
    }

    /// The value at `key` (written, or merged in with `<<`), or nil when it is absent or null.
    public subscript(key: String) -> Field? {
        guard case .mapping(let m) = node, let value = Self.value(of: key, in: m) else { return nil }
        if Self.isNull(value) { return nil }
        return child(value, at: key)
    }

    /// The node at `key`, or nil when it is absent or null: what `self[key]` holds, without a field for it.
    func node(at key: String) -> YAMLNode? {
        guard case .mapping(let m) = node, let value = Self.value(of: key, in: m), !Self.isNull(value) else {
            return nil
        }
        return value
    }

    // Values read in place: `string(at:)` is `self[key]?.string()`, and so on. The loader reads millions of them, and
    // a field (its path joined, its file retained) is made only for a value that does not read, to report it.

    public func string(at key: String) throws -> String? {
        guard let value = node(at: key) else { return nil }
        if case .scalar(let s) = value, !TextChecks.containsDoubleBrace(s.string) { return s.string }
        return try child(value, at: key).string()
    }

    public func int(at key: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let value = node(at: key) else { return nil }
        if case .scalar(let s) = value, s.style == .plain, s.tag == nil, let n = Int(s.string),
            range?.contains(n) ?? true
        {
            return n
        }
        return try child(value, at: key).int(in: range)
    }

    public func bool(at key: String) throws -> Bool? {
        guard let value = node(at: key) else { return nil }
        if case .scalar(let s) = value, s.style == .plain, s.tag == nil {
            if s.string == "true" { return true }
            if s.string == "false" { return false }
        }
        return try child(value, at: key).bool()
    }

    public func l4Protocol(at key: String) throws -> L4Protocol? {
        guard let value = node(at: key) else { return nil }
        if case .scalar(let s) = value, let p = L4Protocol(rawValue: s.string) { return p }
        return try child(value, at: key).l4Protocol()
    }

    public func portRef(at key: String, allowName: Bool = true) throws -> PortRef? {
        guard let value = node(at: key) else { return nil }
        if case .scalar(let s) = value, s.tag == nil {
            if s.style == .plain, let n = Int(s.string) {
                if (1...65535).contains(n) { return .number(n) }
            } else if allowName && PortName.validate(s.string) == nil {
                return .name(s.string)
            }
        }
        return try child(value, at: key).portRef(allowName: allowName)
    }

    /// Whether `key` is present at all (even as null or empty).
    public func has(_ key: String) -> Bool {
        guard case .mapping(let m) = node else { return false }
        return Self.value(of: key, in: m) != nil
    }

    /// The value of `key` in a mapping, looking through merge keys when it is not written there. One pass over the
    /// keys: absent optional fields are the most common lookup.
    private static func value(of key: String, in m: YAMLMapping) -> YAMLNode? {
        // By index: a loop over the pairs would copy (and retain) every key and value it passes.
        var mergeIndex: Int?
        for i in m.pairs.indices {
            if m.pairs[i].key.isScalar(key) { return m.pairs[i].value }
            if m.pairs[i].key.isScalar(mergeKey) { mergeIndex = i }
        }
        guard let mergeIndex else { return nil }
        let merge = m.pairs[mergeIndex].value
        switch merge {
        case .mapping(let source): return value(of: key, in: source)
        case .sequence(let items):
            for case .mapping(let source) in items.items { if let v = value(of: key, in: source) { return v } }
            return nil
        default: return nil
        }
    }

    /// Rejects keys outside `allowed`: a misspelt policy field would otherwise change a verdict silently.
    public func requireKnownKeys(_ allowed: Set<String>) throws {
        if isNull { return }
        guard case .mapping(let m) = node else { throw error("expected a mapping, found \(kindName)") }
        var gatherer = ErrorGatherer()
        for source in try mergeSources(m) {
            _ = try gatherer.read { try child(.mapping(source), path).requireKnownKeys(allowed) }
        }
        for pair in m.pairs {
            let (key, value) = (pair.key, pair.value)
            guard case .scalar(let k) = key else { throw error("mapping keys must be scalars") }
            if k.string != Self.mergeKey && !allowed.contains(k.string) {
                gatherer.add(
                    child(value, at: k.string)
                        .error("unknown field (expected one of: \(allowed.sorted().joined(separator: ", ")))"))
            }
        }
        try gatherer.finish()
    }

    /// The items of a sequence; `null` reads as an empty list.
    public func items() throws -> [Field] {
        if isNull { return [] }
        // Some kubectl-era dumps write an empty list as `{}`; it carries nothing either way.
        if case .mapping(let m) = node, m.pairs.isEmpty { return [] }
        guard case .sequence(let s) = node else { throw error("expected a list, found \(kindName)") }
        return s.items.enumerated().map { item in
            var itemPath = path
            itemPath.append("[")
            itemPath.append(String(item.offset))
            itemPath.append("]")
            return child(item.element, itemPath)
        }
    }

    public func string() throws -> String {
        guard case .scalar(let s) = node, !isNull else { throw error("expected a string, found \(kindName)") }
        // A field reachproof reads must not hold template text: its value would only be known after rendering.
        if TextChecks.containsDoubleBrace(s.string) && s.string.contains("}}") {
            throw error("unrendered Helm template expression '{{ ... }}'; render the chart first (helm template)")
        }
        return s.string
    }

    var isQuoted: Bool {
        guard case .scalar(let s) = node else { return false }
        return s.style == .singleQuoted || s.style == .doubleQuoted
    }

    /// The YAML core tag written on the scalar (`!!str` gives "str"), nil when none was written.
    var explicitTag: String? {
        guard case .scalar(let s) = node, let name = s.tag else { return nil }
        let prefix = "tag:yaml.org,2002:"
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
    }

    /// The type a YAML 1.1 decoder gives this scalar when it is not a string: the API server converts manifests
    /// with one (sigs.k8s.io/yaml over go-yaml), so an unquoted `yes`, `NO`, `2` or `1.10` arrives as a boolean or a
    /// number. nil for strings, quoted or tagged ones, and nulls.
    var yaml11NonStringType: String? {
        guard case .scalar(let s) = node, !isNull, !isQuoted else { return nil }
        let t = s.string
        guard Self.mayReadAsYAML11NonString(t) else { return nil }
        guard explicitTag == nil else { return nil }
        if Self.yaml11Booleans.contains(t) { return "a boolean" }
        return Self.isYAML11Number(t) ? "a number" : nil
    }

    static let yaml11Booleans: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]
    static let yaml11Starts = Set("0123456789+-.".utf8)

    /// Whether plain text might be a YAML 1.1 boolean or number. Most values start with a letter that none of
    /// them starts with: decided on one byte.
    static func mayReadAsYAML11NonString(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        return yaml11Starts.contains(first) || yaml11Booleans.contains(text)
    }

    /// YAML 1.1 integers (decimal, 0x, 0b, 0o and sexagesimal-free forms, `_` separators) and floats (with
    /// exponents, `.inf`, `.nan`).
    static func isYAML11Number(_ t: String) -> Bool {
        var body = Substring(t)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        if body.isEmpty { return false }
        if [".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"].contains(body) { return true }
        if body.hasPrefix("0x") || body.hasPrefix("0b") || body.hasPrefix("0o") {
            return body.count > 2 && body.dropFirst(2).allSatisfy { $0.isHexDigit || $0 == "_" }
        }
        var digits = 0
        var dots = 0
        var exponent = false
        var previous: Character = " "
        for c in body {
            if c.isASCII && c.isNumber {
                digits += 1
            } else if c == "_" {
                continue
            } else if c == "." && !exponent {
                dots += 1
            } else if (c == "e" || c == "E") && digits > 0 && !exponent {
                exponent = true
            } else if (c == "+" || c == "-") && (previous == "e" || previous == "E") {
            } else {
                return false
            }
            previous = c
        }
        return digits > 0 && dots <= 1
    }

    /// Whether the scalar is a string whatever it looks like: quoted, or tagged `!!str`; `!!int` and `!!bool` make
    /// a quoted scalar a number or a boolean instead, as a YAML decoder reads them.
    var isStringTyped: Bool {
        switch explicitTag {
        case "str"?: return true
        case "int"?, "bool"?, "float"?: return false
        default: return isQuoted
        }
    }

    public func int(in range: ClosedRange<Int>? = nil) throws -> Int {
        guard case .scalar(let s) = node, !isNull, !isStringTyped, let value = Int(s.string) else {
            throw error("expected an integer, found \(describeScalar)")
        }
        if let range, !range.contains(value) {
            throw error("\(value) is out of range \(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }

    public func bool() throws -> Bool {
        if case .scalar(let s) = node, !isStringTyped {
            switch s.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        throw error("expected true or false, found \(describeScalar)")
    }

    var describeScalar: String {
        guard case .scalar(let s) = node, !isNull else { return kindName }
        // A value is quoted in a message, cut short and with control characters (newlines too) escaped.
        var text = s.string.count > 60 ? String(s.string.prefix(60)) + "..." : s.string
        text = text.replacingOccurrences(of: "\n", with: "\\n")
        return isStringTyped ? "the string \"\(Escaped(text))\"" : "'\(Escaped(text))'"
    }

    /// An int-or-string port: plain digits are a number, anything else a name.
    public func portRef(allowName: Bool = true) throws -> PortRef {
        guard case .scalar(let s) = node, !isNull else {
            throw error("expected a port number or name, found \(kindName)")
        }
        if !isStringTyped, let n = Int(s.string) {
            guard (1...65535).contains(n) else { throw error("port \(n) is out of range 1-65535") }
            return .number(n)
        }
        guard allowName else { throw error("expected a port number, found \(describeScalar)") }
        if let problem = PortName.validate(s.string) { throw error(problem) }
        return .name(s.string)
    }

    /// A map of strings to strings (labels, annotations, selectors). Scalars of any style read as strings.
    public func stringMap() throws -> [String: String] {
        let entries = try entryNodes()
        var out: [String: String] = [:]
        out.reserveCapacity(entries.count)
        for (k, v) in entries {
            guard case .scalar(let s) = v else {
                let value = child(v, at: k)
                throw value.error("expected a string value, found \(value.kindName)")
            }
            out[k] = Self.isNull(v) ? "" : s.string
        }
        return out
    }

    public func stringList() throws -> [String] { try items().map { try $0.string() } }

    public func l4Protocol() throws -> L4Protocol {
        let s = try string()
        guard let p = L4Protocol(rawValue: s) else {
            throw error("unsupported protocol '\(s)' (expected TCP, UDP or SCTP)")
        }
        return p
    }

    public func cidr() throws -> CIDR {
        switch CIDR.parse(try string()) {
        case .success(let c): return c
        case .failure(let problem): throw error(problem.message)
        }
    }
}
