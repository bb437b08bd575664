import Claims
import Foundation
import KubeModel
import Reachability

/// Renders claim results; every format reads the same `ClaimResult`s and computes nothing.
public enum ClaimsReport {
    static func side(_ label: String, _ d: SideDecision?) -> String {
        guard let d else { return "    \(label): SKIPPED (not a pod)\n" }
        return "    " + decision(d, stageWidth: 12) + "\n"
    }

    /// One side's decision: stage, effect, the deciding rule with its place, and the isolating policies.
    static func decision(_ d: SideDecision, stageWidth: Int = 0) -> String {
        var line =
            "\(d.stage.padded(to: stageWidth)) \(d.effect.rawValue)"
        if let r = d.rule { line += " \(r.kind) \(r.qualifiedName) \(r.path) (\(r.location))" }
        if !d.reason.isEmpty { line += " \(d.reason)" }
        if !d.isolatingPolicies.isEmpty {
            line +=
                "; isolated by "
                + d.isolatingPolicies.map { "\($0.qualifiedName) (\($0.location))" }.joined(separator: ", ")
        }
        return line
    }

    public static func flowText(_ c: Counterexample) -> String {
        "\(c.source) -> \(c.destination) \(c.proto.rawValue)\(c.proto == .other ? "" : "/\(c.port)")"
            + (c.via.map { " (via \($0))" } ?? "")
    }

    /// The layers chosen for claims that named none, each with why, in layer order.
    static func autoLayers(_ results: [ClaimResult]) -> [(Layer, String)] {
        var seen: [Layer: String] = [:]
        for r in results { if let why = r.layerReason { seen[r.layer] = why } }
        return seen.sorted { $0.key < $1.key }
    }

    public static func text(_ results: [ClaimResult]) -> String {
        var out = ""
        for r in results {
            out +=
                "\(r.verdict.rawValue)  \(r.claim.name)  [layer \(r.layer.rawValue), profile \(r.profile.rawValue)]  (\(r.claim.location))\n"
            if let d = r.claim.description { out += "  \(d)\n" }
            if let reason = r.reason { out += "  reason: \(reason)\n" }
            for c in r.counterexamples {
                out += "  counterexample: \(flowText(c))\n"
                if let note = c.note { out += "    \(note)\n" }
                if let path = c.path, path.hops.count > 1 || path.route != nil {
                    out += PathReport.text(path, indent: "    ")
                    continue
                }
                out += side("egress", c.explanation.egress)
                out += side("ingress", c.explanation.ingress)
                if let path = c.path, c.explanation.allowed { out += PathReport.text(path, indent: "    ") }
            }
            if r.claim.kind == .only && !r.admittedSources.isEmpty {
                out += "  admitted sources: \(r.admittedSources.joined(separator: ", "))\n"
            }
        }
        let proved = results.filter { $0.verdict == .proved }.count
        let refuted = results.filter { $0.verdict == .refuted }.count
        let unknown = results.filter { $0.verdict == .unknown }.count
        let assumptions = results.first?.assumptions.joined(separator: ", ") ?? ""
        out +=
            "\n\(results.count) claim(s): \(proved) proved, \(refuted) refuted, \(unknown) unknown (assumptions: \(assumptions))\n"
        for (layer, reason) in autoLayers(results) {
            out += "claims that name no layer: \(layer.rawValue), because \(reason) (--layer to choose)\n"
        }
        return out
    }

    struct SideJSON: Encodable {
        let stage: String, effect: String, rule: String?, file: String?, line: Int?, reason: String?,
            isolatedBy: [String]?
        init?(_ d: SideDecision?) {
            guard let d else { return nil }
            stage = d.stage
            effect = d.effect.rawValue
            rule = d.rule.map { "\($0.kind) \($0.qualifiedName) \($0.path)" }
            file = d.rule?.location.file
            line = d.rule?.location.line
            reason = d.reason.isEmpty ? nil : d.reason
            isolatedBy = d.isolatingPolicies.isEmpty ? nil : d.isolatingPolicies.map(\.qualifiedName)
        }
    }

    struct CounterexampleJSON: Encodable {
        let source: String, destination: String, proto: String, port: Int?, via: String?, egress: SideJSON?,
            ingress: SideJSON?
        var note: String? = nil
        var path: PathReport.PathJSON? = nil
    }

    struct ResultJSON: Encodable {
        let name: String, kind: String, verdict: String, layer: String, profile: String, assumptions: [String]
        let reason: String?, file: String, line: Int, counterexamples: [CounterexampleJSON], admittedSources: [String]?
        /// Why the layer was chosen, for a claim that named none.
        var layerChosenBecause: String? = nil
    }

    public static func json(_ results: [ClaimResult]) -> String {
        JSON.encode(
            results.map { r in
                ResultJSON(
                    name: r.claim.name, kind: r.claim.kind.rawValue, verdict: r.verdict.rawValue,
                    layer: r.layer.rawValue,
                    profile: r.profile.rawValue,
                    assumptions: r.assumptions, reason: r.reason, file: r.claim.location.file,
                    line: r.claim.location.line,
                    counterexamples: r.counterexamples.map {
                        CounterexampleJSON(
                            source: $0.source.description, destination: $0.destination.description,
                            proto: $0.proto.rawValue,
                            port: $0.proto == .other ? nil : $0.port, via: $0.via,
                            egress: SideJSON($0.explanation.egress), ingress: SideJSON($0.explanation.ingress),
                            note: $0.note, path: $0.path.map { PathReport.json($0) })
                    },
                    admittedSources: r.claim.kind == .only ? r.admittedSources : nil,
                    layerChosenBecause: r.layerReason)
            })
    }

    static func message(_ r: ClaimResult) -> String {
        switch r.verdict {
        case .proved: return "Claim '\(r.claim.name)' is proved."
        case .unknown: return "Claim '\(r.claim.name)' could not be decided: \(r.reason ?? "unknown")."
        case .refuted:
            let flows = r.counterexamples.prefix(5).map(flowText).joined(separator: "; ")
            return "Claim '\(r.claim.name)' is refuted: \(flows)\(r.counterexamples.count > 5 ? "; ..." : "")."
        }
    }

    /// SARIF 2.1.0: one result per refuted or unknown claim, at the claim's line, related locations at the deciding
    /// rules of every stage (NetworkPolicy sides, and along a counterexample's path the mesh and routing objects).
    public static func sarif(_ results: [ClaimResult], toolVersion: String) -> String {
        let rules = [
            SARIF.Rule(id: "claim-refuted", summary: "A reachability claim is refuted by the manifests."),
            SARIF.Rule(id: "claim-unknown", summary: "A reachability claim could not be decided."),
        ]
        let sarifResults = results.filter { $0.verdict != .proved }.map { r in
            var related: [(message: String, location: SourceLocation)] = []
            var seen = Set<RuleRef>()
            func add(_ stage: String, _ effect: String, _ ref: RuleRef) {
                guard seen.insert(ref).inserted else { return }
                related.append(("\(stage) \(effect): \(ref.kind) \(ref.qualifiedName) \(ref.path)", ref.location))
            }
            for c in r.counterexamples {
                for d in [c.explanation.egress, c.explanation.ingress].compactMap({ $0 }) {
                    for ref in [d.rule].compactMap({ $0 }) + d.isolatingPolicies {
                        add(d.stage, d.effect.rawValue, ref)
                    }
                }
                let steps = (c.path?.hops ?? []).flatMap(\.mesh.steps) + [c.path?.route].compactMap { $0 }
                for step in steps { if let ref = step.evidence { add(step.stage, step.effect.rawValue, ref) } }
            }
            return SARIF.Result(
                ruleID: r.verdict == .refuted ? "claim-refuted" : "claim-unknown",
                level: r.verdict == .refuted ? "error" : "warning", message: message(r), location: r.claim.location,
                related: related,
                properties: ["claim": r.claim.name, "layer": r.layer.rawValue, "profile": r.profile.rawValue])
        }
        return SARIF.log(tool: "reachproof", version: toolVersion, rules: rules, results: sarifResults)
    }

    static func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// JUnit XML: one testcase per claim; refuted claims fail with their counterexamples, unknown ones are errors.
    public static func junit(_ results: [ClaimResult]) -> String {
        let failures = results.filter { $0.verdict == .refuted }.count
        let errors = results.filter { $0.verdict == .unknown }.count
        let file = results.first?.claim.location.file ?? "claims"
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
        out +=
            "  <testsuite name=\"\(xml(file))\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
        for r in results {
            out +=
                "    <testcase classname=\"reachproof.\(r.claim.kind.rawValue)\" name=\"\(xml(r.claim.name))\" file=\"\(xml(r.claim.location.file))\" line=\"\(r.claim.location.line)\">\n"
            switch r.verdict {
            case .proved: break
            case .refuted:
                let body = text([r]).split(separator: "\n").dropLast(2).joined(separator: "\n")
                out += "      <failure message=\"\(xml(message(r)))\">\(xml(body))</failure>\n"
            case .unknown:
                out += "      <error message=\"\(xml(message(r)))\"/>\n"
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }
}

extension ClaimsReport: Reporter {
    public static let formats: [ReportFormat] = [.text, .json, .sarif, .junit]

    public static func render(_ results: [ClaimResult], as format: ReportFormat) -> String {
        switch format {
        case .text: return text(results)
        case .json: return json(results)
        case .sarif: return sarif(results, toolVersion: ToolInfo.version)
        case .junit: return junit(results)
        default: return unsupported(format)
        }
    }
}
