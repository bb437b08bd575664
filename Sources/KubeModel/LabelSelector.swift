/// One `matchExpressions` requirement.
public struct LabelRequirement: Hashable, Sendable {
    public enum Operator: String, Sendable {
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"
    }
    public let key: String
    public let op: Operator
    public let values: [String]

    public init(key: String, op: Operator, values: [String] = []) {
        self.key = key
        self.op = op
        self.values = values
    }

    public func matches(_ labels: [String: String]) -> Bool {
        switch op {
        case .in:
            // Most requirements are one `matchLabels` pair: a single comparison.
            guard let value = labels[key] else { return false }
            return values.count == 1 ? value == values[0] : values.contains(value)
        case .notIn: return labels[key].map { !values.contains($0) } ?? true
        case .exists: return labels[key] != nil
        case .doesNotExist: return labels[key] == nil
        }
    }
}

/// A Kubernetes label selector: the conjunction of `matchLabels` equalities and `matchExpressions`. The empty selector
/// matches everything; whether an absent selector means "all" or "none" is decided where it is used.
public struct LabelSelector: Hashable, Sendable, CustomStringConvertible {
    public let requirements: [LabelRequirement]

    public init(requirements: [LabelRequirement]) { self.requirements = requirements }
    public init(matchLabels: [String: String]) {
        requirements = matchLabels.sorted { $0.key < $1.key }.map {
            LabelRequirement(key: $0.key, op: .in, values: [$0.value])
        }
    }

    public static let everything = LabelSelector(requirements: [])
    public var isEmpty: Bool { requirements.isEmpty }

    /// Requirements are read in place: selectors are matched millions of times at scale, and iterating would copy
    /// each requirement (retaining its key and values) first.
    public func matches(_ labels: [String: String]) -> Bool {
        for i in requirements.indices where !requirements[i].matches(labels) { return false }
        return true
    }

    public var description: String {
        if requirements.isEmpty { return "{}" }
        return requirements.map { r in
            switch r.op {
            case .in where r.values.count == 1: return "\(r.key)=\(r.values[0])"
            case .in: return "\(r.key) in (\(r.values.joined(separator: ",")))"
            case .notIn: return "\(r.key) notin (\(r.values.joined(separator: ",")))"
            case .exists: return r.key
            case .doesNotExist: return "!\(r.key)"
            }
        }.joined(separator: ",")
    }

    /// Parses a `metav1.LabelSelector` (`matchLabels`, `matchExpressions`), validating keys, values and operators.
    /// `key` checks a key and gives the key the selector compares (label syntax by default; a dialect such as
    /// Cilium's source-prefixed keys brings its own).
    public static func parse(_ field: Field) throws -> LabelSelector {
        try parse(field) { key, field in
            try LabelSyntax.checkKey(key, field())
            return key
        }
    }

    static let selectorKeys: Set<String> = ["matchLabels", "matchExpressions"]
    static let expressionKeys: Set<String> = ["key", "operator", "values"]

    /// A selector whose keys `checkedKey` checks (and may rewrite), given the key's field to report a problem with.
    public static func parse(_ field: Field, key checkedKey: (String, () -> Field) throws -> String) throws
        -> LabelSelector
    {
        try field.requireKnownKeys(selectorKeys)
        var requirements: [LabelRequirement] = []
        if let ml = field["matchLabels"] {
            // Values are read in place; a field is made for one only to report it.
            for (written, node) in try ml.entryNodes() {
                let key = try checkedKey(written) { ml.child(node, at: written) }
                guard case .scalar(let s) = node else {
                    let value = ml.child(node, at: written)
                    throw value.error("expected a string value, found \(value.kindName)")
                }
                let text = Field.isNull(node) ? "" : s.string
                try LabelSyntax.checkValue(text, ml.child(node, at: written))
                requirements.append(LabelRequirement(key: key, op: .in, values: [text]))
            }
        }
        if let me = field["matchExpressions"] {
            for item in try me.items() {
                try item.requireKnownKeys(expressionKeys)
                guard let keyField = item["key"] else { throw item.missing("key") }
                let key = try checkedKey(try keyField.string()) { keyField }
                guard let opField = item["operator"] else { throw item.missing("operator") }
                let opText = try opField.string()
                guard let op = LabelRequirement.Operator(rawValue: opText) else {
                    throw opField.error("unknown operator '\(opText)' (expected In, NotIn, Exists or DoesNotExist)")
                }
                let values = try item["values"].map { try $0.stringList() } ?? []
                if let vf = item["values"] { for v in values { try LabelSyntax.checkValue(v, vf) } }
                switch op {
                case .in, .notIn:
                    if values.isEmpty { throw item.error("operator \(opText) needs a non-empty values list") }
                case .exists, .doesNotExist:
                    if !values.isEmpty { throw item.error("operator \(opText) must not have values") }
                }
                requirements.append(LabelRequirement(key: key, op: op, values: values))
            }
        }
        return LabelSelector(requirements: requirements)
    }
}

/// Label key and value syntax as Kubernetes validates it.
public enum LabelSyntax {
    // Byte tests: label syntax is ASCII, and Character's Unicode properties are slow on large inputs.
    static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
    static func isNameChar(_ b: UInt8) -> Bool {
        isAlnum(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
    }
    static func isAlnum(_ c: Character) -> Bool { c.asciiValue.map(isAlnum) ?? false }

    /// 1-63 name characters, beginning and ending with an alphanumeric (label names and values).
    static func isName(_ s: Substring.UTF8View) -> Bool {
        guard let f = s.first, let e = s.last else { return false }
        return isAlnum(f) && isAlnum(e) && s.allSatisfy(isNameChar)
    }

    /// nil when valid, else the reason.
    public static func keyProblem(_ key: String) -> String? {
        // Most keys have no prefix: checked on their bytes, once per label of every object.
        if key.utf8.count <= 63 && !key.utf8.contains(UInt8(ascii: "/")) && isName(Substring(key).utf8) { return nil }
        var name = Substring(key)
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > 2 { return "label key '\(key)' has more than one '/'" }
        if parts.count == 2 {
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty || prefix.count > 253 { return "label key prefix '\(prefix)' must be 1-253 characters" }
            let labels = prefix.split(separator: ".", omittingEmptySubsequences: false)
            for l in labels {
                guard let f = l.first, let e = l.last, l.count <= 63,
                    l.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }),
                    isAlnum(f), isAlnum(e)
                else {
                    return "label key prefix '\(prefix)' must be a lowercase DNS subdomain"
                }
            }
        }
        if name.isEmpty || (name.utf8.count > 63 && name.count > 63) {
            return "label key name '\(name)' must be 1-63 characters"
        }
        guard isName(name.utf8) else {
            return
                "label key name '\(name)' must be alphanumeric, '-', '_' or '.', beginning and ending with an alphanumeric"
        }
        return nil
    }

    public static func valueProblem(_ value: String) -> String? {
        if value.isEmpty { return nil }
        if value.utf8.count > 63 && value.count > 63 { return "label value '\(value)' is longer than 63 characters" }
        guard isName(Substring(value).utf8) else {
            return
                "label value '\(value)' must be alphanumeric, '-', '_' or '.', beginning and ending with an alphanumeric"
        }
        return nil
    }

    /// Problems with an object name that must be a DNS-1123 subdomain (most kinds): at most 253 characters of
    /// lowercase letters, digits, '-' and '.', beginning and ending with a letter or digit.
    public static func subdomainProblem(_ name: String) -> String? {
        if name.utf8.count > 253 && name.count > 253 { return "'\(Escaped(name))' is longer than 253 characters" }
        // Label by label, without a list of them: every object's name is checked.
        let bytes = Substring(name).utf8
        var start = bytes.startIndex
        var valid = true
        while valid, let dot = bytes[start...].firstIndex(of: UInt8(ascii: ".")) {
            valid = dns1123(bytes[start..<dot])
            start = bytes.index(after: dot)
        }
        guard valid && dns1123(bytes[start...]) else {
            return
                "'\(Escaped(name))' is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', beginning and ending with a letter or digit)"
        }
        return nil
    }

    /// Problems with a name that must be a DNS-1123 label (namespaces, Services): at most 63 characters of lowercase
    /// letters, digits and '-', beginning and ending with a letter or digit.
    public static func dnsLabelProblem(_ name: String) -> String? {
        // Every allowed character is one byte: a longer name fails either on its length or on its characters.
        guard name.utf8.count <= 63, dns1123(Substring(name).utf8) else {
            return
                "'\(Escaped(name))' is not a DNS-1123 label (at most 63 lowercase letters, digits and '-', beginning and ending with a letter or digit)"
        }
        return nil
    }

    static func dns1123(_ bytes: Substring.UTF8View) -> Bool {
        // Bytes, not Characters: every allowed character is ASCII, and names are checked for every object.
        guard let f = bytes.first, let l = bytes.last else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) }
        return alnum(f) && alnum(l) && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// Checks a key; its field is made only to report a problem.
    static func checkKey(_ key: String, _ field: @autoclosure () -> Field) throws {
        if let p = keyProblem(key) { throw field().error(p) }
    }

    /// Checks a value; its field is made only for a value that may not pass, which is rare.
    static func checkValue(_ value: String, _ field: @autoclosure () -> Field) throws {
        if !Field.mayReadAsYAML11NonString(value) && valueProblem(value) == nil { return }
        let field = field()
        if let type = field.yaml11NonStringType {
            throw field.error(
                "label value \(value) is read as \(type) by the API server's YAML decoder, which rejects it; quote it")
        }
        if let p = valueProblem(value) { throw field.error(p) }
    }

    /// Validates a labels map of an object's metadata.
    static func checkLabels(_ field: Field) throws -> [String: String] {
        let entries = try field.entryNodes()
        var out: [String: String] = [:]
        out.reserveCapacity(entries.count)
        for (k, node) in entries {
            try checkKey(k, field.child(node, at: k))
            guard case .scalar(let s) = node else {
                let value = field.child(node, at: k)
                throw value.error("expected a string value, found \(value.kindName)")
            }
            let text = Field.isNull(node) ? "" : s.string
            try checkValue(text, field.child(node, at: k))
            out[k] = text
        }
        return out
    }
}
