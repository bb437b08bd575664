import Foundation

/// Checks on raw text that give clearer errors than the YAML parser would.
enum TextChecks {
    /// The first line where an unrendered Helm template expression stands as YAML structure: `{{` where a value,
    /// a key or a sequence item begins. Template text inside quoted strings, block scalars (`|`, `>`) or in the
    /// middle of a plain scalar is data (Prometheus alert descriptions, Grafana legends) and is left alone; where
    /// such text reaches a field reachproof reads, `Field.string()` reports it.
    static func helmLeftover(_ text: String) -> Int? {
        guard containsDoubleBrace(text) else { return nil }
        var line = 0
        var blockScalarParent: Int?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            let leading = raw.prefix { $0 == " " }.count
            let content = raw.dropFirst(leading)
            if let parent = blockScalarParent {
                if content.allSatisfy({ $0 == " " || $0 == "\r" }) || leading > parent { continue }
                blockScalarParent = nil
            }
            // Value starts: the line's start (after "- " items), and after each ": ".
            var rest = content
            while rest.hasPrefix("- ") { rest = rest.dropFirst(2).drop { $0 == " " } }
            var starts = [rest]
            var search = rest
            while let r = search.range(of: ": ") {
                let after = search[r.upperBound...].drop { $0 == " " }
                starts.append(after)
                // A quoted value is data to its end.
                if after.hasPrefix("\"") || after.hasPrefix("'") { break }
                search = after
            }
            if starts.contains(where: { $0.hasPrefix("{{") }) { return line }
            let words = content.split(separator: " ")
            if let last = words.last,
                ["|", ">", "|-", ">-", "|+", ">+"].contains(last.trimmingCharacters(in: .whitespaces))
            {
                blockScalarParent = leading
            }
        }
        return nil
    }

    /// Whether `{{` occurs anywhere: a byte scan, since nearly every document is free of it.
    static func containsDoubleBrace(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard var p = bytes.baseAddress else { return false }
            var left = bytes.count
            // memchr finds each `{`; most texts hold none.
            while left >= 2, let hit = memchr(p, Int32(UInt8(ascii: "{")), left - 1) {
                let q = hit.assumingMemoryBound(to: UInt8.self)
                if q[1] == UInt8(ascii: "{") { return true }
                let skipped = UnsafePointer(q) - p + 1
                p += skipped
                left -= skipped
            }
            return false
        }
    }

    /// Follows JSON double-quoted strings (with `\"` escapes) one scalar at a time.
    private struct JSONStringTracker {
        private var inString = false
        private var escaped = false

        /// Whether `ch` belongs to a string (its opening and closing quotes included).
        mutating func isInString(_ ch: Unicode.Scalar) -> Bool {
            if inString {
                if escaped {
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    inString = false
                }
                return true
            }
            inString = ch == "\""
            return inString
        }
    }

    /// The line of a `,` directly followed (after blanks) by `]` or `}`, outside strings.
    static func jsonTrailingComma(_ text: String) -> Int? {
        var strings = JSONStringTracker()
        var line = 1
        var pendingCommaLine: Int?
        for ch in text.unicodeScalars {
            if ch == "\n" { line += 1 }
            if strings.isInString(ch) {
                pendingCommaLine = nil
                continue
            }
            switch ch {
            case ",": pendingCommaLine = line
            case "]", "}": if let l = pendingCommaLine { return l }
            case " ", "\t", "\n", "\r": break
            default: pendingCommaLine = nil
            }
        }
        return nil
    }

    /// JSON allows tabs between tokens; YAML's block rules do not, so they become spaces (outside strings).
    static func jsonTabsToSpaces(_ text: String) -> String {
        guard text.contains("\t") else { return text }
        var out = String.UnicodeScalarView()
        var strings = JSONStringTracker()
        for ch in text.unicodeScalars {
            let quoted = strings.isInString(ch)  // called for every scalar: the tracker must see them all
            out.append(ch == "\t" && !quoted ? " " : ch)
        }
        return String(out)
    }

    /// A conservative estimate of the nesting depth (block indentation levels plus flow brackets); returns (limit,
    /// line) at the first line where it exceeds the limit. Yams recurses per level, so this check runs before it.
    /// Text inside scalars does not nest: quoted strings (across lines, with `\"` escapes), block scalars (`|`, `>`)
    /// and brackets within a plain scalar in block context are skipped.
    static func nestingDepth(_ text: String, limit: Int) -> (Int, Int)? {
        // Every character that matters is ASCII, so the scan walks UTF-8 bytes: it runs on every document.
        var text = text
        return text.withUTF8 { bytes -> (Int, Int)? in
            let space = UInt8(ascii: " ")
            let dash = UInt8(ascii: "-")
            let hash = UInt8(ascii: "#")
            let colon = UInt8(ascii: ":")
            var indents: [Int] = []
            var flow = 0
            var inSingle = false
            var inDouble = false
            // Lines indented deeper than this belong to a block scalar.
            var blockScalarParent: Int?
            var line = 0
            var start = 0
            while start <= bytes.count {
                line += 1
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                defer { start = end + 1 }
                var leading = 0
                while start + leading < end && bytes[start + leading] == space { leading += 1 }
                let blank = start + leading >= end || bytes[start + leading] == UInt8(ascii: "\r")
                if let parent = blockScalarParent {
                    if blank || leading > parent { continue }
                    blockScalarParent = nil
                }
                var indent = 0
                var dashes = 0
                var j = start
                var first: UInt8?
                while j < end {
                    let c = bytes[j]
                    if c == space {
                        indent += 1
                        j += 1
                        continue
                    }
                    // "- - - x" nests sequences on one line
                    if c == dash, j + 1 < end, bytes[j + 1] == space {
                        dashes += 1
                        indent += 2
                        j += 2
                        continue
                    }
                    first = c
                    break
                }
                let continuesScalar = inSingle || inDouble
                if flow == 0, !continuesScalar, let f = first, f != hash {
                    while let last = indents.last, last >= indent { indents.removeLast() }
                    indents.append(indent)
                }
                // Whether the scan stands where a value may begin: a flow indicator there opens a collection, while
                // inside a plain scalar in block context a bracket is only a character.
                var valueStart = true
                var lastToken: UInt8?
                var k = j
                scan: while k < end {
                    let c = bytes[k]
                    defer { k += 1 }
                    if inDouble {
                        if c == UInt8(ascii: "\\") {
                            k += 1
                        } else if c == UInt8(ascii: "\"") {
                            inDouble = false
                        }
                        continue
                    }
                    if inSingle {
                        if c == UInt8(ascii: "'") {
                            if k + 1 < end && bytes[k + 1] == UInt8(ascii: "'") { k += 1 } else { inSingle = false }
                        }
                        continue
                    }
                    if c == space || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") { continue }
                    switch c {
                    // A quote opens a quoted scalar only where a value begins (inside a plain scalar it is a
                    // character, and skipping to the next one could hide real brackets).
                    case UInt8(ascii: "\""):
                        if valueStart { inDouble = true }
                    case UInt8(ascii: "'"):
                        if valueStart { inSingle = true }
                    case hash:
                        if k == start || bytes[k - 1] == space { break scan }
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        if valueStart || flow > 0 {
                            flow += 1
                            if indents.count + dashes + flow > limit { return (limit, line) }
                        }
                    case UInt8(ascii: "]"), UInt8(ascii: "}"):
                        if flow > 0 { flow -= 1 }
                    default: break
                    }
                    lastToken = c
                    // After ": ", "- ", "," or an opening bracket a new value may begin.
                    let next: UInt8 = k + 1 < end ? bytes[k + 1] : space
                    valueStart =
                        (c == colon && (flow > 0 || next == space || k + 1 == end))
                        || (c == dash && (next == space || k + 1 == end))
                        || (flow > 0 && (c == UInt8(ascii: ",") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{")))
                }
                // A line ending in a block scalar indicator (`|`, `>`, with chomping or indentation digits): what
                // follows, indented deeper, is text.
                if flow == 0, !inSingle, !inDouble, let last = lastToken, last != colon {
                    var e = end
                    while e > j, bytes[e - 1] == space || bytes[e - 1] == UInt8(ascii: "\r") { e -= 1 }
                    var b = e
                    while b > j,
                        bytes[b - 1] == UInt8(ascii: "-") || bytes[b - 1] == UInt8(ascii: "+")
                            || (bytes[b - 1] >= UInt8(ascii: "1") && bytes[b - 1] <= UInt8(ascii: "9"))
                    {
                        b -= 1
                    }
                    if b > j, bytes[b - 1] == UInt8(ascii: "|") || bytes[b - 1] == UInt8(ascii: ">"),
                        b - 1 == j || bytes[b - 2] == space
                    {
                        blockScalarParent = leading
                    }
                }
                if indents.count + dashes + flow > limit { return (limit, line) }
            }
            return nil
        }
    }

    /// Whether the text holds anything but blank lines, comments and document markers. Stops at the first
    /// line with content, so a large file costs one line.
    /// The first line where an alias stands as a mapping key for an anchor that is not a plain scalar on its line, and
    /// its name. Yams hashes every key of a mapping to find duplicates, following aliases, before reachproof can count
    /// what aliases add (`NodeBudget`): a key that names a nested collection of aliases takes time exponential in the
    /// text. Kubernetes keys are strings, so such a key never reads as a manifest anyway. Names are libyaml's
    /// (letters, digits, `_`, `-`); an alias is a key when `:` follows it or `?` precedes it.
    static func aliasedCollectionKey(_ text: String) -> (line: Int, name: String)? {
        var text = text
        return text.withUTF8 { aliasedCollectionKey(in: $0) }
    }

    private static func aliasedCollectionKey(in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, name: String)? {
        guard bytes.contains(UInt8(ascii: "*")) && bytes.contains(UInt8(ascii: "&")) else { return nil }
        func isNameByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
        }
        func name(at start: Int) -> (String, end: Int) {
            var end = start
            while end < bytes.count && isNameByte(bytes[end]) { end += 1 }
            return (String(decoding: bytes[start..<end], as: UTF8.self), end)
        }
        func skipBlanks(_ i: Int) -> Int {
            var i = i
            while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
            return i
        }
        // Anchors on a scalar written on their line (`&k name`, `&k "name"`, `&k |`) are harmless as keys.
        var scalarAnchors: Set<String> = []
        var aliasKeys: [(line: Int, name: String)] = []
        func previousNonBlank(_ i: Int) -> UInt8? {
            var j = i - 1
            while j >= 0 && (bytes[j] == 0x20 || bytes[j] == 0x09) { j -= 1 }
            return j >= 0 ? bytes[j] : nil
        }
        var line = 1
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A {
                line += 1
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'"),
                previousNonBlank(i).map({ [0x0A, 0x3A, 0x2D, 0x5B, 0x7B, 0x2C, 0x3F].contains($0) }) ?? true
            {
                // A quoted scalar is text to its closing quote (`\"` escapes in double quotes, `''` in single).
                i += 1
                while i < bytes.count {
                    if bytes[i] == 0x0A { line += 1 }
                    if b == UInt8(ascii: "\"") && bytes[i] == UInt8(ascii: "\\") {
                        i += 2
                        continue
                    }
                    if bytes[i] == b {
                        if b == UInt8(ascii: "'") && i + 1 < bytes.count && bytes[i + 1] == b {
                            i += 2
                            continue
                        }
                        break
                    }
                    i += 1
                }
            } else if b == UInt8(ascii: "#")
                && (i == 0 || bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09 || bytes[i - 1] == 0x0A)
            {
                while i + 1 < bytes.count && bytes[i + 1] != 0x0A { i += 1 }
            } else if b == UInt8(ascii: "&") || b == UInt8(ascii: "*"), i + 1 < bytes.count, isNameByte(bytes[i + 1]) {
                let (found, end) = name(at: i + 1)
                let next = skipBlanks(end)
                let follower = next < bytes.count ? bytes[next] : 0x0A
                if b == UInt8(ascii: "&") {
                    if ![0x0A, 0x0D, UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "#")].contains(follower) {
                        scalarAnchors.insert(found)
                    }
                } else if follower == UInt8(ascii: ":") || previousNonBlank(i) == UInt8(ascii: "?") {
                    aliasKeys.append((line, found))
                }
                i = end
                continue
            }
            i += 1
        }
        return aliasKeys.first { !scalarAnchors.contains($0.name) }
    }

    static func hasContent(_ text: String) -> Bool {
        // Line by line, stopping at the first line with content (splitting the whole text first would copy it).
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        var rest = Substring(text).utf8[...]
        while !rest.isEmpty {
            let end = rest.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
            let line = rest[..<end]
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            guard let first = line.firstIndex(where: { !blank($0) }) else { continue }
            let content = line[first...]
            if content.first == UInt8(ascii: "#") { continue }
            let last = content.lastIndex(where: { !blank($0) })!
            let trimmed = content[...last]
            if trimmed.elementsEqual("---".utf8) || trimmed.elementsEqual("...".utf8) { continue }
            return true
        }
        return false
    }
}
