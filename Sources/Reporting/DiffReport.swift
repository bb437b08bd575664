import Foundation
import Reachability

/// Renders a semantic diff: the flows a change opens and closes, with the deciding rules before and after.
public enum DiffReport {
    /// One line per side of one version: the stage that decided and its rule.
    static func reason(_ e: FlowExplanation?) -> String {
        guard let e else { return "(the workload does not exist in this version)" }
        let parts = [e.egress, e.ingress].compactMap { $0 }
        let deciding = parts.first { $0.effect == .deny } ?? parts.last
        guard let d = deciding else { return "(no pod on either side)" }
        return ClaimsReport.decision(d)
    }

    static func witness(_ c: ConnectivityDiff.Change) -> String {
        c.witnessProto == .other ? "OTHER" : "\(c.witnessProto.rawValue)/\(c.witnessPort)"
    }

    public static func text(_ d: ConnectivityDiff, base: String, head: String) -> String {
        var out =
            "diff \(base) -> \(head): \(d.openedCount) pair(s) with flows opened, \(d.closedCount) with flows closed\n"
        for c in d.changes {
            for (label, set) in [("OPENED", c.opened), ("CLOSED", c.closed)] where !set.isEmpty {
                out += "\(label)  \(c.source) -> \(c.destination)  \(set)\n"
                out += "    before (\(witness(c))): \(reason(c.base))\n"
                out += "    after:  \(reason(c.head))\n"
            }
        }
        return out
    }

    /// A table for a pull-request comment.
    public static func markdown(_ d: ConnectivityDiff, base: String, head: String) -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = "### reachproof: connectivity changes\n\n"
        out +=
            "`\(base)` → `\(head)`: **\(d.openedCount)** pair(s) with flows opened, **\(d.closedCount)** with flows closed.\n\n"
        if d.changes.isEmpty { return out + "No flow changes.\n" }
        out += "| change | source | destination | connections | before | after |\n|---|---|---|---|---|---|\n"
        for c in d.changes {
            for (label, set) in [("opened", c.opened), ("closed", c.closed)] where !set.isEmpty {
                out +=
                    "| \(label) | `\(c.source)` | `\(c.destination)` | \(set) | \(cell(reason(c.base))) | \(cell(reason(c.head))) |\n"
            }
        }
        return out
    }

    struct ChangeJSON: Encodable {
        let source: String, destination: String, opened: String?, closed: String?, witness: String, before: String,
            after: String
    }
    struct DiffJSON: Encodable {
        let base: String, head: String, opened: Int, closed: Int, changes: [ChangeJSON]
    }

    public static func json(_ d: ConnectivityDiff, base: String, head: String) -> String {
        JSON.encode(
            DiffJSON(
                base: base, head: head, opened: d.openedCount, closed: d.closedCount,
                changes: d.changes.map { c in
                    ChangeJSON(
                        source: c.source, destination: c.destination,
                        opened: c.opened.isEmpty ? nil : c.opened.description,
                        closed: c.closed.isEmpty ? nil : c.closed.description, witness: witness(c),
                        before: reason(c.base), after: reason(c.head))
                }))
    }
}

extension DiffReport: Reporter {
    /// A diff and the names of its two sides.
    public struct Subject {
        public let diff: ConnectivityDiff
        public let base: String
        public let head: String
        public init(diff: ConnectivityDiff, base: String, head: String) {
            self.diff = diff
            self.base = base
            self.head = head
        }
    }

    public static let formats: [ReportFormat] = [.text, .json, .markdown]

    public static func render(_ s: Subject, as format: ReportFormat) -> String {
        switch format {
        case .text: return text(s.diff, base: s.base, head: s.head)
        case .json: return json(s.diff, base: s.base, head: s.head)
        case .markdown: return markdown(s.diff, base: s.base, head: s.head)
        default: return unsupported(format)
        }
    }
}
