/// Where something was written: a file (or `<stdin>`) and a 1-based line.
public struct SourceLocation: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line) < (b.file, b.line)
    }
}

/// A problem with the input, reported as `file:line: field: message`.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    public let location: SourceLocation
    /// The field path inside the object (`spec.ingress[0].ports[1].port`), or a short subject (`yaml`).
    public let field: String
    public let message: String

    public init(_ location: SourceLocation, _ field: String, _ message: String) {
        self.location = location
        self.field = field
        self.message = Self.shortened(message)
    }

    /// Longest run of characters without a space that a message keeps: a value echoed from the input (a 5 MB
    /// string in a field that wants a number) is cut there, with its length said.
    static let longestWord = 200

    static func shortened(_ message: String) -> String {
        guard message.utf8.count > longestWord else { return message }
        var out = ""
        for (i, word) in message.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if i > 0 { out += " " }
            if word.count > longestWord {
                out += word.prefix(longestWord) + "... (\(word.count) characters)"
            } else {
                out += word
            }
        }
        return out
    }

    public var description: String { "\(location): \(Escaped(field)): \(Escaped(message))" }

    /// An error from reading the object at `location` as an input error: the error itself when it is one, else
    /// one that names it, so that no object is ever dropped without a diagnostic.
    static func wrapping(_ error: Error, at location: SourceLocation) -> InputError {
        error as? InputError ?? InputError(location, "object", "could not be read: \(error)")
    }
}

/// Several input errors at once: a loader reports every bad file and object, not only the first.
public struct InputErrors: Error, CustomStringConvertible {
    public let errors: [InputError]
    public init(_ errors: [InputError]) {
        self.errors = errors.sorted { ($0.location, $0.field) < ($1.location, $1.field) }
    }
    public var description: String { errors.map(\.description).joined(separator: "\n") }

    /// Most errors one object reports: enough to fix a hand-written manifest in one pass, few enough that a
    /// generated object with thousands of bad items does not flood the terminal.
    public static let perObject = 10

    /// The errors an object's reader threw, at most `perObject` of them, the rest counted in one last line.
    public static func of(_ error: Error, at location: SourceLocation) -> [InputError] {
        let all: [InputError]
        switch error {
        case let many as InputErrors: all = many.errors
        default: all = [InputError.wrapping(error, at: location)]
        }
        guard all.count > perObject else { return all }
        return Array(all.prefix(perObject)) + [
            InputError(
                all[perObject].location, "object",
                "\(all.count - perObject) more error(s) in this object are not shown")
        ]
    }
}

/// Reads the independent parts of one object (its rules, their peers, their ports) each in turn, going on past a
/// bad part, so that an object with several mistakes reports each of them rather than only the first.
public struct ErrorGatherer {
    public private(set) var errors: [InputError] = []

    public init() {}

    /// Runs `body` with a gatherer and throws everything gathered, including what `body` itself throws: a part
    /// that must stop the reading (a missing required field) does not hide the errors found before it. `body` may
    /// return nil only when one of its reads failed.
    public static func gathering<T>(_ body: (inout ErrorGatherer) throws -> T?) throws -> T {
        var gatherer = ErrorGatherer()
        var value: T?
        do { value = try body(&gatherer) } catch { try gatherer.keep(error) }
        try gatherer.finish()
        guard let value else { preconditionFailure("a reader returned nothing without an error") }
        return value
    }

    /// The part's value, or nil when it was bad; its errors are kept. Errors that are not input errors propagate.
    public mutating func read<T>(_ part: () throws -> T) throws -> T? {
        do { return try part() } catch {
            try keep(error)
            return nil
        }
    }

    public mutating func add(_ error: InputError) { errors.append(error) }

    private mutating func keep(_ error: Error) throws {
        switch error {
        case let e as InputError: errors.append(e)
        case let e as InputErrors: errors += e.errors
        default: throw error
        }
    }

    /// Every item read, the bad ones left out and their errors kept.
    public mutating func readEach<T>(_ items: [Field], _ read: (Field) throws -> T) throws -> [T] {
        try items.compactMap { item in try self.read { try read(item) } }
    }

    /// Throws what was gathered: nothing, the one error, or all of them.
    public func finish() throws {
        if errors.count == 1 { throw errors[0] }
        if !errors.isEmpty { throw InputErrors(errors) }
    }
}

extension Array where Element == Field {
    /// Reads every item, reporting each bad one rather than stopping at the first.
    public func readEach<T>(_ read: (Field) throws -> T) throws -> [T] {
        try ErrorGatherer.gathering { try $0.readEach(self, read) }
    }
}

/// Limits that protect the loader from hostile input. Every limit is reported by name when exceeded.
public struct LoadLimits: Sendable {
    /// Largest single input file or stdin stream, in bytes: a 100,000-object `kubectl get -A -o json` dump with
    /// managedFields runs to 300-500 MB. Loading costs about 20 bytes of memory per input byte (docs/ROBUSTNESS.md).
    public var maxInputBytes: Int = 512 << 20
    /// Deepest nesting of mappings and sequences in one document.
    public var maxDepth: Int = 300
    /// Most nodes a document may gain through aliases (guards against "billion laughs"): a document may hold as
    /// many nodes as its text has bytes, plus this many.
    public var maxNodesPerDocument: Int = 1_000_000
    /// Most YAML documents across all inputs: five times a 100,000-object dump written one object per document,
    /// while a million tiny documents would cost seconds and gigabytes before anything is analysed.
    public var maxDocuments: Int = 500_000

    public init() {}
}

/// Text from the input as it may be printed: control characters (terminal escapes, carriage returns, zero-width
/// and direction marks) are shown as `\u{...}`, so that a manifest cannot rewrite a terminal or a log.
public struct Escaped: CustomStringConvertible {
    public let text: String
    public init(_ text: String) { self.text = text }

    public var description: String {
        guard text.unicodeScalars.contains(where: Self.needsEscape) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            if Self.needsEscape(u) { out += "\\u{\(String(u.value, radix: 16))}" } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    public static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return u != "\n" && u != "\t" || u == "\u{0}"
        default: return false
        }
    }
}
