/// Checks on raw text that give clearer errors than the YAML parser would.
enum TextChecks {
    /// The 1-based line of the first `{{` outside a comment, which only an unrendered Helm template has.
    static func helmLeftover(_ text: String) -> Int? {
        guard containsDoubleBrace(text) else { return nil }
        var line = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            let content = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if content.contains("{{") && content.contains("}}") { return line }
        }
        return nil
    }

    /// Whether `{{` occurs anywhere: a byte scan, since nearly every document is free of it.
    static func containsDoubleBrace(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for b in text.utf8 {
            if b == UInt8(ascii: "{") && previous == b { return true }
            previous = b
        }
        return false
    }

    /// The line of a `,` directly followed (after blanks) by `]` or `}`, outside strings.
    static func jsonTrailingComma(_ text: String) -> Int? {
        var inString = false
        var escaped = false
        var line = 1
        var pendingCommaLine: Int?
        for ch in text.unicodeScalars {
            if ch == "\n" { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    inString = false
                }
                continue
            }
            switch ch {
            case "\"":
                inString = true
                pendingCommaLine = nil
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
        var inString = false
        var escaped = false
        for ch in text.unicodeScalars {
            if inString {
                if escaped {
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    inString = false
                }
                out.append(ch)
            } else {
                if ch == "\"" { inString = true }
                out.append(ch == "\t" ? " " : ch)
            }
        }
        return String(out)
    }

    /// A conservative estimate of the nesting depth (block indentation levels plus flow brackets); returns (limit,
    /// line) at the first line where it exceeds the limit. The parser recurses per level, so this check runs first.
    static func nestingDepth(_ text: String, limit: Int) -> (Int, Int)? {
        // Every character that matters is ASCII, so the scan walks UTF-8 bytes: it runs on every document.
        var text = text
        return text.withUTF8 { bytes -> (Int, Int)? in
            let space = UInt8(ascii: " ")
            let dash = UInt8(ascii: "-")
            let hash = UInt8(ascii: "#")
            var indents: [Int] = []
            var flow = 0
            var line = 0
            var start = 0
            while start <= bytes.count {
                line += 1
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                defer { start = end + 1 }
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
                if flow == 0, let f = first, f != hash {
                    while let last = indents.last, last >= indent { indents.removeLast() }
                    indents.append(indent)
                }
                var inSingle = false
                var inDouble = false
                scan: for k in start..<end {
                    let c = bytes[k]
                    if inDouble {
                        if c == UInt8(ascii: "\"") { inDouble = false }
                        continue
                    }
                    if inSingle {
                        if c == UInt8(ascii: "'") { inSingle = false }
                        continue
                    }
                    switch c {
                    case UInt8(ascii: "\""): inDouble = true
                    case UInt8(ascii: "'"): inSingle = true
                    case hash: break scan
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        flow += 1
                        if indents.count + dashes + flow > limit { return (limit, line) }
                    case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = max(0, flow - 1)
                    default: break
                    }
                }
                if indents.count + dashes + flow > limit { return (limit, line) }
            }
            return nil
        }
    }

    /// Whether the text holds anything but blank lines, comments and document markers. Stops at the first
    /// line with content, so a large file costs one line.
    static func hasContent(_ text: String) -> Bool {
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard
                let first = line.firstIndex(where: {
                    $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r")
                })
            else { continue }
            let rest = line[first...]
            if rest.first == UInt8(ascii: "#") { continue }
            let trimmed = Array(
                rest.reversed().drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
                    .reversed())
            if trimmed == Array("---".utf8) || trimmed == Array("...".utf8) { continue }
            return true
        }
        return false
    }
}
