import Claims
import Reachability

/// Renders a route equivalence result: the verdict, then each request whose backends differ, with the deciding rule
/// on both sides, and the requests that reach a rule this version cannot decide.
public enum RouteEquivalenceReport: Reporter {
    public struct Subject {
        public let result: RouteEquivalence.Result
        public let old: String
        public let new: String
        public init(result: RouteEquivalence.Result, old: String, new: String) {
            self.result = result
            self.old = old
            self.new = new
        }
    }

    public static let formats: [ReportFormat] = [.text, .json]

    public static func render(_ s: Subject, as format: ReportFormat) -> String {
        switch format {
        case .text: return text(s)
        case .json: return json(s)
        default: return unsupported(format)
        }
    }

    static func text(_ s: Subject) -> String {
        let r = s.result
        var out = "\(r.verdict.rawValue)  entry routing of \(s.new) "
        switch r.verdict {
        case .proved: out += "sends every request to the same backends as \(s.old)\n"
        case .refuted: out += "differs from \(s.old) (\(r.differences.count) difference(s))\n"
        case .unknown: out += "could not be compared with \(s.old) in full\n"
        }
        out += "  OLD: \(r.oldSource)\n  NEW: \(r.newSource)\n"
        out += "  entry points: \(r.entries.joined(separator: ", "))\n"
        for d in r.differences {
            out += "  DIFFERENCE on \(d.entry): \(d.request)\n"
            out += "    OLD: \(d.old.outcome)\n      by \(d.old.rule)\n"
            out += "    NEW: \(d.new.outcome)\n      by \(d.new.rule)\n"
        }
        for u in r.undecided { out += "  UNDECIDED on \(u.entry): \(u.request)\n    \(u.reason)\n" }
        for n in r.notes { out += "  note: \(n)\n" }
        if !r.assumptions.isEmpty { out += "  assumptions: \(r.assumptions.joined(separator: ", "))\n" }
        return out
    }

    struct SideJSON: Encodable { let outcome: String, rule: String }
    struct DifferenceJSON: Encodable {
        let entry: String, request: String, host: String, path: String, method: String, old: SideJSON, new: SideJSON
    }
    struct UndecidedJSON: Encodable { let entry: String, request: String, reason: String }
    struct ResultJSON: Encodable {
        let verdict: String, old: String, new: String, oldSource: String, newSource: String, entries: [String]
        let differences: [DifferenceJSON]
        let undecided: [UndecidedJSON]
        let notes: [String], assumptions: [String]
    }

    static func json(_ s: Subject) -> String {
        let r = s.result
        return JSON.encode(
            ResultJSON(
                verdict: r.verdict.rawValue, old: s.old, new: s.new, oldSource: r.oldSource, newSource: r.newSource,
                entries: r.entries,
                differences: r.differences.map {
                    DifferenceJSON(
                        entry: $0.entry, request: $0.request.description, host: $0.request.host,
                        path: $0.request.path, method: $0.request.method,
                        old: SideJSON(outcome: $0.old.outcome.description, rule: $0.old.rule),
                        new: SideJSON(outcome: $0.new.outcome.description, rule: $0.new.rule))
                },
                undecided: r.undecided.map {
                    UndecidedJSON(entry: $0.entry, request: $0.request.description, reason: $0.reason)
                }, notes: r.notes, assumptions: r.assumptions))
    }
}
