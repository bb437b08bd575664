import Foundation
import KubeModel

/// The one SARIF 2.1.0 writer (the static-analysis interchange format code-scanning services read): the log
/// envelope, locations and serialization. Reports describe their rules and results; this renders them.
enum SARIF {
    struct Rule {
        let id: String
        let summary: String
        /// The default level, when the rule has one.
        var level: String? = nil
    }

    struct Result {
        let ruleID: String
        let level: String
        let message: String
        let location: SourceLocation
        /// Other places that explain the result (the deciding rules), each with a message.
        var related: [(message: String, location: SourceLocation)] = []
        var properties: [String: String]? = nil
    }

    static func physicalLocation(_ l: SourceLocation) -> [String: Any] {
        ["artifactLocation": ["uri": l.file], "region": ["startLine": max(1, l.line)]]
    }

    static func log(tool: String, version: String, rules: [Rule], results: [Result]) -> String {
        let ruleObjects: [[String: Any]] = rules.map { r in
            var o: [String: Any] = ["id": r.id, "shortDescription": ["text": r.summary]]
            if let level = r.level { o["defaultConfiguration"] = ["level": level] }
            return o
        }
        let resultObjects: [[String: Any]] = results.map { r in
            var o: [String: Any] = [
                "ruleId": r.ruleID, "level": r.level, "message": ["text": r.message],
                "locations": [["physicalLocation": physicalLocation(r.location)]],
            ]
            if let properties = r.properties { o["properties"] = properties }
            if !r.related.isEmpty {
                o["relatedLocations"] = r.related.enumerated().map { i, related in
                    [
                        "id": i, "message": ["text": related.message],
                        "physicalLocation": physicalLocation(related.location),
                    ] as [String: Any]
                }
            }
            return o
        }
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                [
                    "tool": [
                        "driver": [
                            "name": tool, "version": version,
                            "informationUri": "https://example.invalid/reachproof", "rules": ruleObjects,
                        ]
                    ],
                    "results": resultObjects,
                ]
            ],
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
