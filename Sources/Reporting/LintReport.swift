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
        let rules: [[String: Any]] = Linter.rules.map { r in
            ["id": r.id, "shortDescription": ["text": r.summary], "defaultConfiguration": ["level": level(r.severity)]]
        }
        let results: [[String: Any]] = findings.map { f in
            [
                "ruleId": f.ruleID, "level": level(f.severity), "message": ["text": f.message],
                "locations": [
                    [
                        "physicalLocation": [
                            "artifactLocation": ["uri": f.location.file],
                            "region": ["startLine": max(1, f.location.line)],
                        ]
                    ]
                ],
            ]
        }
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": [
                [
                    "tool": [
                        "driver": [
                            "name": "reachproof-lint", "version": toolVersion,
                            "informationUri": "https://example.invalid/reachproof", "rules": rules,
                        ]
                    ],
                    "results": results,
                ]
            ],
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func level(_ s: LintFinding.Severity) -> String { s == .note ? "note" : s.rawValue }
}

extension LintFinding.Severity {
    static let allCasesInOrder: [LintFinding.Severity] = [.error, .warning, .note]
}
