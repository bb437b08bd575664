import Yams

/// A YAML node as the loader reads it: the text of scalars with their style and written tag, mappings as ordered
/// pairs, sequences, and the line each node starts on (1-based, in the text that was parsed). Aliases are already
/// expanded. Two parsers produce it: `BlockYAMLReader` for the block YAML that tools write, Yams for the rest.
public enum YAMLNode: Equatable, Sendable {
    case scalar(YAMLScalar)
    case mapping(YAMLMapping)
    case sequence(YAMLSequence)

    /// Whether the node is a scalar with exactly this text, as a mapping key is looked up.
    @inline(__always)
    func isScalar(_ text: String) -> Bool {
        if case .scalar(let s) = self { return s.string == text }
        return false
    }

    /// The line the node starts on; 0 when unknown.
    public var line: Int {
        switch self {
        case .scalar(let s): return s.line
        case .mapping(let m): return m.line
        case .sequence(let s): return s.line
        }
    }
}

public struct YAMLScalar: Equatable, Sendable {
    public enum Style: UInt8, Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }

    public var string: String
    public var style: Style
    /// The tag written on the scalar, in full (`!!str` is `tag:yaml.org,2002:str`); nil when none was written.
    public var tag: String?
    public var line: Int

    public init(_ string: String, style: Style = .plain, tag: String? = nil, line: Int) {
        self.string = string
        self.style = style
        self.tag = tag
        self.line = line
    }
}

public struct YAMLMapping: Equatable, Sendable {
    public struct Pair: Equatable, Sendable {
        public var key: YAMLNode
        public var value: YAMLNode
    }
    public var pairs: [Pair]
    public var line: Int
}

public struct YAMLSequence: Equatable, Sendable {
    public var items: [YAMLNode]
    public var line: Int
}

extension YAMLNode {
    /// The node Yams composed. Yams resolves the tags of mapping keys in place while it checks them for duplicates,
    /// so a key's resolved `str` tag is dropped: it was not written (and a key is a string either way).
    public init(_ node: Yams.Node, isKey: Bool = false) {
        switch node {
        case .scalar(let s):
            var tag: String? = s.tag.rawValue.isEmpty ? nil : s.tag.rawValue
            if isKey && tag == Self.stringTag { tag = nil }
            let style: YAMLScalar.Style
            switch s.style {
            case .singleQuoted: style = .singleQuoted
            case .doubleQuoted: style = .doubleQuoted
            case .literal: style = .literal
            case .folded: style = .folded
            case .any, .plain: style = .plain
            }
            self = .scalar(YAMLScalar(s.string, style: style, tag: tag, line: s.mark?.line ?? 0))
        case .mapping(let m):
            var pairs: [YAMLMapping.Pair] = []
            pairs.reserveCapacity(m.count)
            // Indices, not iteration: iterating a Yams mapping copies all of its pairs first.
            for i in m.indices {
                pairs.append(YAMLMapping.Pair(key: YAMLNode(m[i].key, isKey: true), value: YAMLNode(m[i].value)))
            }
            self = .mapping(YAMLMapping(pairs: pairs, line: m.mark?.line ?? 0))
        case .sequence(let s):
            self = .sequence(YAMLSequence(items: s.map { YAMLNode($0) }, line: s.mark?.line ?? 0))
        case .alias(let a):
            // Composing replaces every alias by its anchored node (an undefined one is a composer error), so this case
            // is never met; should it be, the alias reads as its own text.
            self = .scalar(YAMLScalar("*\(a.anchor.rawValue)", tag: nil, line: a.mark?.line ?? 0))
        }
    }

    static let stringTag = "tag:yaml.org,2002:str"

    /// Whether two trees hold the same content, lines aside. A written tag counts (`!!str 8080` is not `8080`).
    public static func sameContent(_ a: YAMLNode, _ b: YAMLNode) -> Bool {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)):
            return x.string == y.string && x.style == y.style && x.tag == y.tag
        case (.mapping(let x), .mapping(let y)):
            return x.pairs.count == y.pairs.count
                && zip(x.pairs, y.pairs).allSatisfy { sameContent($0.key, $1.key) && sameContent($0.value, $1.value) }
        case (.sequence(let x), .sequence(let y)):
            return x.items.count == y.items.count && zip(x.items, y.items).allSatisfy { sameContent($0, $1) }
        default:
            return false
        }
    }
}
