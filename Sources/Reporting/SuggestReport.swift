import Synthesis

/// Renders `suggest`: what was written, why each rule exists, the before/after table and the verification.
public enum SuggestReport {
    public static func text(_ r: Suggestion.Result) -> String {
        var out = ""
        for line in r.unneeded { out += "allowed now, needed by no claim: \(line)\n" }
        for name in r.notKept { out += "not kept as a constraint (not proved today): \(name)\n" }
        out += "wrote \(r.written.joined(separator: ", "))\n"
        for note in r.output.notes { out += "note: \(note)\n" }
        out += "\nrules and the intended flows that need them:\n"
        for reason in r.output.reasons {
            out += "  \(reason.policy) \(reason.rule): \(reason.intents.joined(separator: "; "))\n"
        }
        let report = r.report
        out += "\n|  | allowed workload pairs | allowed connection ranges |\n|---|---:|---:|\n"
        out += "| before | \(report.pairsBefore) | \(report.connectionsBefore) |\n"
        out += "| after | \(report.pairsAfter) | \(report.connectionsAfter) |\n"
        out += "\nverification (\(report.checks) checks): \(report.passed ? "PASSED" : "FAILED")\n"
        for f in report.failures.prefix(50) { out += "  \(f)\n" }
        return out
    }

    struct ResultJSON: Encodable {
        struct Reason: Encodable {
            let policy: String, rule: String, intents: [String]
        }
        struct Counts: Encodable {
            let pairs: Int, connectionRanges: Int
        }
        let written: [String], notes: [String], reasons: [Reason], before: Counts, after: Counts, checks: Int
        let verification: String, failures: [String], unneeded: [String], notKept: [String]
    }

    public static func json(_ r: Suggestion.Result) -> String {
        JSON.encode(
            ResultJSON(
                written: r.written, notes: r.output.notes,
                reasons: r.output.reasons.map {
                    ResultJSON.Reason(policy: $0.policy, rule: $0.rule, intents: $0.intents)
                },
                before: ResultJSON.Counts(pairs: r.report.pairsBefore, connectionRanges: r.report.connectionsBefore),
                after: ResultJSON.Counts(pairs: r.report.pairsAfter, connectionRanges: r.report.connectionsAfter),
                checks: r.report.checks, verification: r.report.passed ? "PASSED" : "FAILED",
                failures: r.report.failures, unneeded: r.unneeded, notKept: r.notKept))
    }
}

extension SuggestReport: Reporter {
    public static let formats: [ReportFormat] = [.text, .json]

    public static func render(_ result: Suggestion.Result, as format: ReportFormat) -> String {
        switch format {
        case .text: return text(result)
        case .json: return json(result)
        default: return unsupported(format)
        }
    }
}
