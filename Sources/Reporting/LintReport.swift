import Foundation
import KubeModel
import Lint

/// Renders lint findings: `file:line: severity: [rule] message`, JSON, or SARIF with one rule per lint rule.
public enum LintReport {
    public static func text(_ findings: [LintFinding]) -> String {
        var out = findings.map { "\($0.location): \($0.severity.rawValue): [\($0.ruleID)] \($0.message)\n" }.joined()
        let counts = LintFinding.Severity.allCasesInOrder.map { s in
            "\(findings.filter { $0.severity == s }.count) \(s.rawValue)(s)"
        }
        out += "\(findings.count) finding(s): \(counts.joined(separator: ", "))\n"
        return out
    }

    struct FindingJSON: Encodable {
        let rule: String, severity: String, message: String, file: String, line: Int
    }

    public static func json(_ findings: [LintFinding]) -> String {
        JSON.encode(
            findings.map {
                FindingJSON(
                    rule: $0.ruleID, severity: $0.severity.rawValue, message: $0.message, file: $0.location.file,
                    line: $0.location.line)
            })
    }

    public static func sarif(_ findings: [LintFinding], toolVersion: String) -> String {
        SARIF.log(
            tool: "reachproof-lint", version: toolVersion,
            rules: Linter.rules.map { SARIF.Rule(id: $0.id, summary: $0.summary, level: level($0.severity)) },
            results: findings.map {
                SARIF.Result(ruleID: $0.ruleID, level: level($0.severity), message: $0.message, location: $0.location)
            })
    }

    static func level(_ s: LintFinding.Severity) -> String { s == .note ? "note" : s.rawValue }
}

extension LintFinding.Severity {
    static let allCasesInOrder: [LintFinding.Severity] = [.error, .warning, .note]
}

extension LintReport: Reporter {
    public static let formats: [ReportFormat] = [.text, .json, .sarif]

    public static func render(_ findings: [LintFinding], as format: ReportFormat) -> String {
        switch format {
        case .text: return text(findings)
        case .json: return json(findings)
        case .sarif: return sarif(findings, toolVersion: ToolInfo.version)
        default: return unsupported(format)
        }
    }
}
