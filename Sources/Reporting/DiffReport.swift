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

    static func connection(_ w: ConnectivityDiff.Witness) -> String {
        w.proto == .other ? "OTHER" : "\(w.proto.rawValue)/\(w.port)"
    }

    /// The pair's opened and closed parts, each with its witness, in that order.
    static func parts(_ c: ConnectivityDiff.Change) -> [(
        label: String, conns: ConnSet, witness: ConnectivityDiff.Witness
    )] {
        [("OPENED", c.opened, c.openedWitness), ("CLOSED", c.closed, c.closedWitness)].compactMap { label, conns, w in
            w.map { (label, conns, $0) }
        }
    }

    public static func text(_ d: ConnectivityDiff, base: String, head: String) -> String {
        var out =
            "diff \(base) -> \(head): \(d.openedCount) pair(s) with flows opened, \(d.closedCount) with flows closed\n"
        for c in d.changes {
            for (label, set, w) in parts(c) {
                out += "\(label)  \(c.source) -> \(c.destination)  \(set)\n"
                out += "    before (\(connection(w))): \(reason(w.base))\n"
                out += "    after:  \(reason(w.head))\n"
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
            for (label, set, w) in parts(c) {
                out +=
                    "| \(label.lowercased()) | `\(c.source)` | `\(c.destination)` | \(set) | \(cell(reason(w.base))) | \(cell(reason(w.head))) |\n"
            }
        }
        return out
    }

    /// One direction of a change: the connections, one of them as witness, and its decision in each version.
    struct PartJSON: Encodable {
        let connections: String, witness: String, before: String, after: String
    }
    struct ChangeJSON: Encodable {
        let source: String, destination: String, opened: PartJSON?, closed: PartJSON?
    }
    struct DiffJSON: Encodable {
        let base: String, head: String, opened: Int, closed: Int, changes: [ChangeJSON]
    }

    public static func json(_ d: ConnectivityDiff, base: String, head: String) -> String {
        JSON.encode(
            DiffJSON(
                base: base, head: head, opened: d.openedCount, closed: d.closedCount,
                changes: d.changes.map { c in
                    func part(_ conns: ConnSet, _ w: ConnectivityDiff.Witness?) -> PartJSON? {
                        w.map {
                            PartJSON(
                                connections: conns.description, witness: connection($0), before: reason($0.base),
                                after: reason($0.head))
                        }
                    }
                    return ChangeJSON(
                        source: c.source, destination: c.destination, opened: part(c.opened, c.openedWitness),
                        closed: part(c.closed, c.closedWitness))
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
