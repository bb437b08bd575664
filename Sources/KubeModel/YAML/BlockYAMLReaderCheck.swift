import Yams

/// The block YAML reader against Yams on one text, for the tests and the fuzzer. The reader may give up on any text;
/// where it reads one, Yams must compose the same tree, lines and scalar styles included.
@_spi(Testing) public enum BlockYAMLReaderCheck {
    /// Whether the block reader read the text, and where it disagrees with Yams (nil when it does not).
    public static func compare(_ text: String) -> (read: Bool, disagreement: String?) {
        let fast: YAMLNode?
        do { fast = try BlockYAMLReader.document(text) } catch { return (false, nil) }
        do {
            let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
            let expected = try parser.nextRoot().map { YAMLNode($0) }
            if try parser.nextRoot() != nil { return (true, "Yams reads a second document") }
            return (true, difference(fast, expected).map { "the trees differ at \($0)" })
        } catch {
            return (true, "Yams rejects a text the block reader read: \(error)")
        }
    }

    /// Where two trees first differ, as a path with both sides.
    static func difference(_ a: YAMLNode?, _ b: YAMLNode?, path: String = "") -> String? {
        switch (a, b) {
        case (nil, nil): return nil
        case (.mapping(let x)?, .mapping(let y)?):
            if x.line != y.line { return "\(path): mapping on line \(x.line), not \(y.line)" }
            for (p, q) in zip(x.pairs, y.pairs) {
                if let d = difference(p.key, q.key, path: path + "/<key>") { return d }
                let name = if case .scalar(let k) = p.key { k.string } else { "?" }
                if let d = difference(p.value, q.value, path: path + "/" + name) { return d }
            }
            return x.pairs.count == y.pairs.count ? nil : "\(path): \(x.pairs.count) pairs, not \(y.pairs.count)"
        case (.sequence(let x)?, .sequence(let y)?):
            if x.line != y.line { return "\(path): sequence on line \(x.line), not \(y.line)" }
            for (i, (p, q)) in zip(x.items, y.items).enumerated() {
                if let d = difference(p, q, path: path + "[\(i)]") { return d }
            }
            return x.items.count == y.items.count ? nil : "\(path): \(x.items.count) items, not \(y.items.count)"
        default:
            return a == b ? nil : "\(path): \(String(describing: a)), not \(String(describing: b))"
        }
    }
}
