/// The output formats reachproof writes.
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json, sarif, junit, markdown, pairs, table, dot, summary
}

/// Renders one kind of result in the formats it supports; each result kind has one reporter, and a command offers
/// exactly its reporter's `formats`. Adding a format to a result kind is a case in its reporter's `render`.
public protocol Reporter {
    associatedtype Subject
    static var formats: [ReportFormat] { get }
    static func render(_ subject: Subject, as format: ReportFormat) -> String
}

extension Reporter {
    /// Whether the format is one this reporter writes; the commands check before rendering.
    public static func supports(_ format: ReportFormat) -> Bool { formats.contains(format) }

    /// The accepted values, for an error message.
    public static var acceptedFormats: String { formats.map(\.rawValue).joined(separator: ", ") }

    static func unsupported(_ format: ReportFormat) -> String {
        preconditionFailure("\(Self.self) does not write \(format.rawValue); commands check supports(_:) first")
    }
}

extension String {
    /// The text followed by spaces up to `width` characters, never cut: text columns of every report.
    func padded(to width: Int) -> String {
        let count = self.count
        return count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// The version reports name as their tool's.
public enum ToolInfo {
    public static let version = "0.1.0"
}
