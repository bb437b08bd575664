/// Reads the YAML that kubectl, Helm and manifest generators write, without libyaml: block mappings and sequences
/// indented by spaces, one-line plain and quoted scalars, literal block scalars (`|`, `|-`) and one-line flow
/// collections of scalars. Anything else (anchors, tags, folded or multi-line scalars, tabs, CRLF, directives, empty
/// documents, duplicate keys, text libyaml would reject) makes it give up, and the caller parses the text with Yams.
/// So the subset has to be read exactly as libyaml reads it, never completely: the tests compare both parsers'
/// trees, lines included, on every input they accept.
///
/// libyaml reports every quoted and block scalar as tagged `!!str`, and so does this reader; keys carry no tag (see
/// `YAMLNode.init(_:isKey:)`).
///
/// Lines and columns are byte offsets; indentation is spaces only, so the columns compared are always ASCII.
struct BlockYAMLReader {
    /// Raised for anything outside the subset.
    struct OutsideSubset: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    /// Per line: offset of its first byte, of its end (its newline or the end of the text), and of its first
    /// byte that is not a space.
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var firsts: [Int] = []
    /// Index of the first line not yet consumed.
    private var next = 0
    /// Block collections open around the node being read, and how deep the reader may go (`document`).
    private var depth = 0
    private let depthLimit: Int

    private init(_ bytes: UnsafeBufferPointer<UInt8>, depthLimit: Int) {
        self.bytes = bytes
        self.depthLimit = depthLimit
    }

    /// The document in `text` (nil for none), or `OutsideSubset`. `text` holds at most one document: the reader's
    /// caller splits streams at `---` lines.
    ///
    /// The reader also gives up where `TextChecks.nestingDepth` could find the text deeper than `depthLimit`: that
    /// estimate counts at most two levels per block collection (its indentation, and a `- ` on the line) plus one,
    /// and one per open flow bracket. So the caller runs the estimate only on texts the reader gave up on, and the
    /// reader never recurses deeper than the limit.
    static func document(_ text: String, depthLimit: Int = LoadLimits().maxDepth) throws -> YAMLNode? {
        var text = text
        return try text.withUTF8 { buffer in
            var reader = BlockYAMLReader(buffer, depthLimit: depthLimit)
            return try reader.readDocument()
        }
    }

    /// Enters a block collection, or gives up when the estimate could pass the limit; `leave` when it is read.
    private mutating func enter() throws {
        depth += 1
        if 2 * depth + 1 > depthLimit { throw OutsideSubset() }
    }
    private mutating func leave() { depth -= 1 }

    // MARK: Lines

    private static let space = UInt8(ascii: " ")
    private static let newline = UInt8(ascii: "\n")
    private static let hash = UInt8(ascii: "#")
    private static let colon = UInt8(ascii: ":")
    private static let dash = UInt8(ascii: "-")

    /// Splits the text into lines, refusing bytes that libyaml treats otherwise than as plain text here: tabs,
    /// carriage returns, other control characters, and the Unicode line breaks and byte-order mark of YAML 1.1.
    private mutating func splitLines() throws {
        let count = bytes.count
        var start = 0
        var first = -1
        var i = 0
        starts.reserveCapacity(count / 16)
        while i < count {
            let b = bytes[i]
            if b == Self.newline {
                starts.append(start)
                ends.append(i)
                firsts.append(first < 0 ? i : first)
                start = i + 1
                first = -1
            } else if b < 0x20 || b == 0x7F {
                throw OutsideSubset()
            } else {
                if b >= 0x80 {
                    // C1 controls and NEL (C2 80-9F), LS and PS (E2 80 A8/A9), BOM and non-characters (EF BB BF,
                    // EF BF BE/BF).
                    let b1 = i + 1 < count ? bytes[i + 1] : 0
                    let b2 = i + 2 < count ? bytes[i + 2] : 0
                    if (b == 0xC2 && b1 < 0xA0) || (b == 0xE2 && b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9))
                        || (b == 0xEF && ((b1 == 0xBB && b2 == 0xBF) || (b1 == 0xBF && b2 >= 0xBE)))
                    {
                        throw OutsideSubset()
                    }
                }
                if first < 0 && b != Self.space { first = i }
            }
            i += 1
        }
        if start < count {
            starts.append(start)
            ends.append(count)
            firsts.append(first < 0 ? count : first)
        }
    }

    private func indent(_ line: Int) -> Int { firsts[line] - starts[line] }
    private func isBlank(_ line: Int) -> Bool { firsts[line] == ends[line] }
    private func isContent(_ line: Int) -> Bool { firsts[line] != ends[line] && bytes[firsts[line]] != Self.hash }

    /// The first line from `line` on that holds more than spaces and a comment.
    private func contentLine(from line: Int) -> Int? {
        var l = line
        while l < starts.count {
            if isContent(l) { return l }
            l += 1
        }
        return nil
    }

    /// Whether the byte at `offset` ends a token: a space or the end of its line.
    private func isBlankOrEnd(_ offset: Int, line: Int) -> Bool {
        offset >= ends[line] || bytes[offset] == Self.space
    }

    /// Whether the line starts with `---` or `...` followed by a blank: a document marker.
    private func isDocumentMarker(_ line: Int) -> Bool {
        let s = starts[line]
        guard ends[line] - s >= 3 else { return false }
        let b = bytes[s]
        guard (b == Self.dash || b == UInt8(ascii: ".")) && bytes[s + 1] == b && bytes[s + 2] == b else { return false }
        return isBlankOrEnd(s + 3, line: line)
    }

    /// Whether the rest of the line from `offset` is spaces and at most a comment (after a space, as YAML requires).
    private func restIsEmpty(_ offset: Int, line: Int) -> Bool {
        var i = offset
        while i < ends[line] && bytes[i] == Self.space { i += 1 }
        if i == ends[line] { return true }
        return bytes[i] == Self.hash && i > starts[line] && bytes[i - 1] == Self.space
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
    }

    // MARK: Document

    private mutating func readDocument() throws -> YAMLNode? {
        try splitLines()
        guard var first = contentLine(from: 0) else { return nil }
        if bytes[firsts[first]] == UInt8(ascii: "%") { throw OutsideSubset() }
        if firsts[first] == starts[first] && isDocumentMarker(first) {
            // `---` alone on its line (a comment may follow); content after the marker, or `...`, is left to Yams.
            guard bytes[firsts[first]] == Self.dash, restIsEmpty(starts[first] + 3, line: first),
                let content = contentLine(from: first + 1)
            else { throw OutsideSubset() }
            first = content
        }
        for l in first..<starts.count where isDocumentMarker(l) { throw OutsideSubset() }
        let root = try node(line: first, column: indent(first), parent: -1)
        if contentLine(from: next) != nil { throw OutsideSubset() }
        return root
    }

    // MARK: Block nodes

    /// The node whose text starts at `column` of `line`, inside a construct indented by `parent` (-1 for the root).
    private mutating func node(line: Int, column: Int, parent: Int) throws -> YAMLNode {
        let offset = starts[line] + column
        let b = bytes[offset]
        if b == Self.dash && isBlankOrEnd(offset + 1, line: line) {
            return try sequence(line: line, column: column)
        }
        if let key = try key(line: line, offset: offset) {
            return try mapping(line: line, column: column, firstKey: key)
        }
        return try value(line: line, offset: offset, parent: parent)
    }

    /// A node that ends on the line it starts: a scalar, a flow collection, or a literal block scalar.
    private mutating func value(line: Int, offset: Int, parent: Int) throws -> YAMLNode {
        let b = bytes[offset]
        let result: YAMLNode
        switch b {
        case UInt8(ascii: "|"):
            return try literal(line: line, offset: offset, parent: parent)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            var i = offset
            result = try flow(line: line, offset: &i)
            guard restIsEmpty(i, line: line) else { throw OutsideSubset() }
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            var i = offset
            result = .scalar(try quoted(line: line, offset: &i))
            guard restIsEmpty(i, line: line) else { throw OutsideSubset() }
        default:
            result = .scalar(try plainValue(line: line, offset: offset))
        }
        next = line + 1
        // A more indented line after the value continues it (a multi-line scalar) or is an error: Yams decides.
        if let l = contentLine(from: next), indent(l) > parent { throw OutsideSubset() }
        return result
    }

    private mutating func mapping(line: Int, column: Int, firstKey: (YAMLScalar, Int)) throws -> YAMLNode {
        try enter()
        defer { leave() }
        var pairs: [YAMLMapping.Pair] = []
        var line = line
        var key = firstKey
        // Yams rejects a key written twice and gives the error. Short mappings are searched, long ones hashed.
        var keys: Set<String> = []
        while true {
            let name = key.0.string
            if pairs.count < 16 {
                for pair in pairs {
                    if case .scalar(let k) = pair.key, k.string == name { throw OutsideSubset() }
                }
            } else {
                if keys.isEmpty { for case .scalar(let k) in pairs.map(\.key) { keys.insert(k.string) } }
                guard keys.insert(name).inserted else { throw OutsideSubset() }
            }
            let value: YAMLNode
            var i = key.1
            while i < ends[line] && bytes[i] == Self.space { i += 1 }
            if i == ends[line] || bytes[i] == Self.hash {
                let l = contentLine(from: line + 1)
                if let l, indent(l) > column {
                    value = try node(line: l, column: indent(l), parent: column)
                } else if let l, indent(l) == column, isSequenceEntry(l, column: column) {
                    value = try sequence(line: l, column: column)
                } else {
                    // libyaml places an empty value at the end of its `:`.
                    value = .scalar(YAMLScalar("", line: line + 1))
                    next = line + 1
                }
            } else {
                // A sequence entry cannot start on a key's line; a value holding `: ` makes the plain or quoted
                // scalar reader give up.
                if bytes[i] == Self.dash && isBlankOrEnd(i + 1, line: line) { throw OutsideSubset() }
                value = try self.value(line: line, offset: i, parent: column)
            }
            pairs.append(YAMLMapping.Pair(key: .scalar(key.0), value: value))
            guard let l = contentLine(from: next), indent(l) >= column else { break }
            guard indent(l) == column, !isSequenceEntry(l, column: column),
                let nextKey = try self.key(line: l, offset: starts[l] + column)
            else { throw OutsideSubset() }
            line = l
            key = nextKey
        }
        return .mapping(YAMLMapping(pairs: pairs, line: firstKey.0.line))
    }

    private func isSequenceEntry(_ line: Int, column: Int) -> Bool {
        let offset = starts[line] + column
        return bytes[offset] == Self.dash && isBlankOrEnd(offset + 1, line: line)
    }

    /// A block sequence whose entries' dashes stand at `column`. It ends before a line at that column that is not an
    /// entry: the next key of the mapping a sequence without indentation belongs to.
    private mutating func sequence(line: Int, column: Int) throws -> YAMLNode {
        try enter()
        defer { leave() }
        var items: [YAMLNode] = []
        let firstLine = line + 1
        var line = line
        while true {
            var i = starts[line] + column + 1
            while i < ends[line] && bytes[i] == Self.space { i += 1 }
            if i == ends[line] || bytes[i] == Self.hash {
                if let l = contentLine(from: line + 1), indent(l) > column {
                    items.append(try node(line: l, column: indent(l), parent: column))
                } else {
                    // libyaml places an empty entry at the end of its dash.
                    items.append(.scalar(YAMLScalar("", line: line + 1)))
                    next = line + 1
                }
            } else {
                items.append(try node(line: line, column: i - starts[line], parent: column))
            }
            guard let l = contentLine(from: next), indent(l) >= column else { break }
            if indent(l) > column { throw OutsideSubset() }
            guard isSequenceEntry(l, column: column) else { break }
            line = l
        }
        return .sequence(YAMLSequence(items: items, line: firstLine))
    }

    // MARK: Scalars

    /// Whether a plain scalar may start with the byte at `offset` (libyaml's rule for block context).
    private func startsPlain(_ offset: Int, line: Int) -> Bool {
        switch bytes[offset] {
        case UInt8(ascii: "-"):
            return !isBlankOrEnd(offset + 1, line: line)
        // libyaml reads `?x` as a key indicator before `x`: plain scalars starting with `?` or `:` are left to Yams.
        case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "{"), UInt8(ascii: "}"),
            UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
            UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
            UInt8(ascii: "`"):
            return false
        default:
            return true
        }
    }

    /// The key at `offset` with the offset after its `:`, or nil when the text there is not a key.
    private func key(line: Int, offset: Int) throws -> (YAMLScalar, Int)? {
        let b = bytes[offset]
        if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
            var i = offset
            var scalar = try quoted(line: line, offset: &i)
            scalar.tag = nil
            while i < ends[line] && bytes[i] == Self.space { i += 1 }
            guard i < ends[line], bytes[i] == Self.colon, isBlankOrEnd(i + 1, line: line) else { return nil }
            if i - offset > 1000 { throw OutsideSubset() }
            return (scalar, i + 1)
        }
        guard startsPlain(offset, line: line) else { return nil }
        var i = offset
        let end = ends[line]
        while i < end {
            let c = bytes[i]
            if c == Self.colon && isBlankOrEnd(i + 1, line: line) { break }
            if c == Self.hash && bytes[i - 1] == Self.space { return nil }
            i += 1
        }
        guard i < end else { return nil }
        var last = i
        while bytes[last - 1] == Self.space { last -= 1 }
        // libyaml gives up on a simple key longer than 1,024 characters.
        if i - offset > 1000 { throw OutsideSubset() }
        return (YAMLScalar(text(offset, last), line: line + 1), i + 1)
    }

    /// A plain scalar that fills the rest of its line, up to a comment.
    private func plainValue(line: Int, offset: Int) throws -> YAMLScalar {
        guard startsPlain(offset, line: line) else { throw OutsideSubset() }
        var i = offset
        var last = offset
        let end = ends[line]
        while i < end {
            let c = bytes[i]
            if c == Self.colon && isBlankOrEnd(i + 1, line: line) { throw OutsideSubset() }
            if c == Self.hash && bytes[i - 1] == Self.space { break }
            if c != Self.space { last = i + 1 }
            i += 1
        }
        return YAMLScalar(text(offset, last), line: line + 1)
    }

    /// A single- or double-quoted scalar closed on its line; `offset` moves past its closing quote.
    private func quoted(line: Int, offset: inout Int) throws -> YAMLScalar {
        let quote = bytes[offset]
        let end = ends[line]
        let contentStart = offset + 1
        var i = contentStart
        var escaped: [UInt8]?
        while true {
            guard i < end else { throw OutsideSubset() }
            let c = bytes[i]
            if c == quote {
                if quote == UInt8(ascii: "'") && i + 1 < end && bytes[i + 1] == quote {
                    if escaped == nil { escaped = Array(bytes[contentStart..<i]) }
                    escaped!.append(quote)
                    i += 2
                    continue
                }
                break
            }
            if c == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                if escaped == nil { escaped = Array(bytes[contentStart..<i]) }
                i = try unescape(at: i, end: end, into: &escaped!)
                continue
            }
            escaped?.append(c)
            i += 1
        }
        offset = i + 1
        let string = escaped.map { String(decoding: $0, as: UTF8.self) } ?? text(contentStart, i)
        return YAMLScalar(
            string, style: quote == UInt8(ascii: "'") ? .singleQuoted : .doubleQuoted, tag: YAMLNode.stringTag,
            line: line + 1)
    }

    /// Decodes the escape at `offset` (a backslash) into `out`; the offset after it. Escapes other than the
    /// common ones are left to Yams.
    private func unescape(at offset: Int, end: Int, into out: inout [UInt8]) throws -> Int {
        guard offset + 1 < end else { throw OutsideSubset() }
        switch bytes[offset + 1] {
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
        case UInt8(ascii: "n"): out.append(Self.newline)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "u"):
            guard offset + 6 <= end else { throw OutsideSubset() }
            var value: UInt32 = 0
            for j in offset + 2..<offset + 6 {
                guard let digit = hexValue(bytes[j]) else { throw OutsideSubset() }
                value = value * 16 + digit
            }
            guard let scalar = Unicode.Scalar(value) else { throw OutsideSubset() }
            out.append(contentsOf: String(Character(scalar)).utf8)
            return offset + 6
        default:
            throw OutsideSubset()
        }
        return offset + 2
    }

    private func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// A literal block scalar (`|` or `|-`) whose lines are indented deeper than `parent`.
    private mutating func literal(line: Int, offset: Int, parent: Int) throws -> YAMLNode {
        var i = offset + 1
        var strip = false
        if i < ends[line] && bytes[i] == Self.dash {
            strip = true
            i += 1
        }
        // Explicit indentation, `|+` and text after the header are left to Yams.
        guard isBlankOrEnd(i, line: line), restIsEmpty(i, line: line) else { throw OutsideSubset() }
        // The first line with more than spaces sets the indentation; blank lines before it must not be longer.
        var l = line + 1
        var longestBlank = 0
        var pendingBreaks = 0
        while l < starts.count && isBlank(l) {
            longestBlank = max(longestBlank, ends[l] - starts[l])
            pendingBreaks += 1
            l += 1
        }
        guard l < starts.count, indent(l) > parent, indent(l) >= 1, longestBlank <= indent(l) else {
            throw OutsideSubset()
        }
        let width = indent(l)
        var out: [UInt8] = []
        var lastContent = l
        while l < starts.count {
            if isBlank(l) {
                if ends[l] - starts[l] > width { throw OutsideSubset() }
                pendingBreaks += 1
            } else {
                if indent(l) < width { break }
                // Each blank line is a line break, and so is the end of the previous content line.
                out.append(
                    contentsOf: repeatElement(Self.newline, count: out.isEmpty ? pendingBreaks : pendingBreaks + 1))
                pendingBreaks = 0
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(starts[l] + width)..<ends[l]]))
                lastContent = l
            }
            l += 1
        }
        // Clipping keeps the line break of the last line, when it has one; `|-` strips it.
        if !strip && ends[lastContent] < bytes.count { out.append(Self.newline) }
        next = lastContent + 1
        if let c = contentLine(from: next), indent(c) > parent { throw OutsideSubset() }
        return .scalar(
            YAMLScalar(String(decoding: out, as: UTF8.self), style: .literal, tag: YAMLNode.stringTag, line: line + 1))
    }

    // MARK: Flow collections

    /// A flow sequence or mapping closed on its line; `offset` moves past its closing bracket.
    private func flow(line: Int, offset: inout Int, depth: Int = 0) throws -> YAMLNode {
        guard depth < 64, 2 * self.depth + 1 + depth + 1 <= depthLimit else { throw OutsideSubset() }
        let isMapping = bytes[offset] == UInt8(ascii: "{")
        let close = isMapping ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var i = offset + 1
        var items: [YAMLNode] = []
        var pairs: [YAMLMapping.Pair] = []
        func skipSpaces() { while i < ends[line] && bytes[i] == Self.space { i += 1 } }
        skipSpaces()
        guard i < ends[line] else { throw OutsideSubset() }
        if bytes[i] != close {
            while true {
                if isMapping {
                    var key = try flowScalar(line: line, offset: &i)
                    key.tag = nil
                    skipSpaces()
                    guard i + 1 < ends[line], bytes[i] == Self.colon, bytes[i + 1] == Self.space else {
                        throw OutsideSubset()
                    }
                    i += 1
                    skipSpaces()
                    let value = try flowNode(line: line, offset: &i, depth: depth)
                    for case .scalar(let k) in pairs.map(\.key) where k.string == key.string { throw OutsideSubset() }
                    pairs.append(YAMLMapping.Pair(key: .scalar(key), value: value))
                } else {
                    items.append(try flowNode(line: line, offset: &i, depth: depth))
                }
                skipSpaces()
                guard i < ends[line] else { throw OutsideSubset() }
                if bytes[i] == close { break }
                guard bytes[i] == UInt8(ascii: ",") else { throw OutsideSubset() }
                i += 1
                skipSpaces()
                // A trailing comma is left to Yams.
                guard i < ends[line], bytes[i] != close else { throw OutsideSubset() }
            }
        }
        offset = i + 1
        return isMapping
            ? .mapping(YAMLMapping(pairs: pairs, line: line + 1))
            : .sequence(YAMLSequence(items: items, line: line + 1))
    }

    private func flowNode(line: Int, offset: inout Int, depth: Int) throws -> YAMLNode {
        guard offset < ends[line] else { throw OutsideSubset() }
        let b = bytes[offset]
        if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
            return try flow(line: line, offset: &offset, depth: depth + 1)
        }
        return .scalar(try flowScalar(line: line, offset: &offset))
    }

    /// A quoted scalar, or a plain one made of bytes that cannot mean anything else in a flow collection.
    private func flowScalar(line: Int, offset: inout Int) throws -> YAMLScalar {
        guard offset < ends[line] else { throw OutsideSubset() }
        let b = bytes[offset]
        if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") { return try quoted(line: line, offset: &offset) }
        guard startsPlain(offset, line: line) else { throw OutsideSubset() }
        let start = offset
        var last = offset
        var i = offset
        scan: while i < ends[line] {
            switch bytes[i] {
            case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
                // A lone `-` before a flow indicator is left to Yams.
                if i == start + 1 && bytes[start] == Self.dash { throw OutsideSubset() }
                break scan
            case Self.colon:
                // `:` and a blank end a key (`{a: b}`); before a flow indicator it is an error; otherwise it is text
                // (`{k8s:app: web}`), as libyaml reads it.
                if isBlankOrEnd(i + 1, line: line) { break scan }
                if [
                    UInt8(ascii: ","), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
                    UInt8(ascii: "}"),
                ].contains(bytes[i + 1]) {
                    throw OutsideSubset()
                }
                last = i + 1
            case Self.hash where bytes[i - 1] == Self.space:
                // A comment inside a flow collection continues it on the next line.
                throw OutsideSubset()
            case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "'"), UInt8(ascii: "\""):
                throw OutsideSubset()
            case Self.space: break
            default: last = i + 1
            }
            i += 1
        }
        offset = last
        guard last > start else { throw OutsideSubset() }
        return YAMLScalar(text(start, last), line: line + 1)
    }
}
