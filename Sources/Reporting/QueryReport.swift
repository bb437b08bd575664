import Claims
import Foundation
import KubeModel
import Reachability

/// Renders a `query` answer: one block per port range (and external address group) with its deciding rules.
public enum QueryReport {
    static func endpointDetail(_ e: Endpoint) -> String {
        switch e {
        case .external(let r): return "address \(r.first)"
        case .pod(let p):
            let labels = p.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            if p.inNewNamespace { return p.displayName }
            return p.workload ?? "new pod in \(p.namespace) with labels {\(labels)}"
        }
    }

    static func cidrs(_ ranges: [AddressRange]) -> String {
        AddressSpace.mergeAdjacent(ranges.map { ($0, true) }).map(\.0.description).joined(separator: ",")
    }

    public static func text(_ a: QueryAnswer, explain: Bool) -> String {
        var out =
            "query: \(a.from) -> \(a.to)  [layers: \(a.layers.map(\.rawValue).joined(separator: ", "))\(a.layerReason.map { " (auto: \($0))" } ?? ""); profile \(a.profile.rawValue)]\n"
        if let reason = a.reason { out += "UNKNOWN  \(reason)\n" }
        for part in a.parts {
            var line = "\(part.verdict.rawValue.padded(to: 8)) \(part.conns)"
            if !part.sourceRanges.isEmpty { line += "  from \(cidrs(part.sourceRanges))" }
            if let via = part.via { line += "  via \(via) -> \(endpointDetail(part.destination))" }
            out += line + "\n"
            if part.verdict == .allowed || explain {
                let port = part.witnessProto == .other ? "" : "/\(part.witnessPort)"
                out +=
                    "    \(part.verdict == .allowed ? "witness" : "example"): \(endpointDetail(part.source)) -> \(endpointDetail(part.destination)) \(part.witnessProto.rawValue)\(port)\n"
            }
            if let path = part.path, path.hops.count > 1 || path.route != nil {
                out += PathReport.text(path, indent: "    ")
                continue
            }
            out += ClaimsReport.side("egress", part.explanation.egress)
            out += ClaimsReport.side("ingress", part.explanation.ingress)
            if let path = part.path, part.explanation.allowed { out += PathReport.text(path, indent: "    ") }
        }
        for note in a.notes { out += "note: \(note)\n" }
        if explain { out += "assumptions: \(a.assumptions.joined(separator: ", "))\n" }
        out += "answer: \(a.verdict.rawValue)\n"
        return out
    }

    struct PartJSON: Encodable {
        let verdict: String, connections: String, sourceAddresses: String?, source: String, destination: String,
            via: String?
        let witness: String, egress: ClaimsReport.SideJSON?, ingress: ClaimsReport.SideJSON?
        var path: PathReport.PathJSON? = nil
    }
    struct AnswerJSON: Encodable {
        let from: String, to: String, answer: String, reason: String?, layers: [String], profile: String,
            assumptions: [String]
        let notes: [String], parts: [PartJSON]
        /// Why the layer was chosen, when the query left it to the input.
        var layerChosenBecause: String? = nil
    }

    public static func json(_ a: QueryAnswer) -> String { JSON.encode(answerJSON(a)) }

    static func answerJSON(_ a: QueryAnswer) -> AnswerJSON {
        AnswerJSON(
            from: a.from, to: a.to, answer: a.verdict.rawValue, reason: a.reason, layers: a.layers.map(\.rawValue),
            profile: a.profile.rawValue,
            assumptions: a.assumptions, notes: a.notes,
            parts: a.parts.map { p in
                PartJSON(
                    verdict: p.verdict.rawValue, connections: p.conns.description,
                    sourceAddresses: p.sourceRanges.isEmpty ? nil : cidrs(p.sourceRanges),
                    source: endpointDetail(p.source), destination: endpointDetail(p.destination), via: p.via,
                    witness: p.witnessProto == .other ? "OTHER" : "\(p.witnessProto.rawValue)/\(p.witnessPort)",
                    egress: ClaimsReport.SideJSON(p.explanation.egress),
                    ingress: ClaimsReport.SideJSON(p.explanation.ingress),
                    path: p.path.map { PathReport.json($0) })
            }, layerChosenBecause: a.layerReason)
    }

    /// A request through the ingress controller: the route, then each hop as a query answer.
    public static func text(_ a: IngressPathAnswer, explain: Bool) -> String {
        var out = ""
        if let route = a.route { out += "route: \(route)\n" }
        if let reason = a.reason { out += "UNKNOWN  \(reason)\n" }
        for (i, hop) in a.hops.enumerated() {
            out += "\nhop \(i + 1), \(hop.title): " + text(hop.answer, explain: explain)
        }
        for note in a.notes { out += "note: \(note)\n" }
        out += "\nend to end: \(a.verdict.rawValue)\n"
        return out
    }

    struct IngressPathJSON: Encodable {
        struct Hop: Encodable {
            let title: String
            let answer: AnswerJSON
        }
        let route: String?, reason: String?, answer: String, notes: [String], hops: [Hop]
    }

    /// A request through the ingress controller as JSON: the route, each hop's answer, the end-to-end verdict.
    public static func json(_ a: IngressPathAnswer) -> String {
        JSON.encode(
            IngressPathJSON(
                route: a.route, reason: a.reason, answer: a.verdict.rawValue, notes: a.notes,
                hops: a.hops.map { IngressPathJSON.Hop(title: $0.title, answer: answerJSON($0.answer)) }))
    }
}

extension QueryReport: Reporter {
    /// A query's result, and whether denied ranges are explained too.
    public struct Subject {
        public let result: QueryResult
        public let explain: Bool
        public init(result: QueryResult, explain: Bool) {
            self.result = result
            self.explain = explain
        }
    }

    public static let formats: [ReportFormat] = [.text, .json]

    public static func render(_ s: Subject, as format: ReportFormat) -> String {
        switch (s.result, format) {
        case (.flows(let a), .text): return text(a, explain: s.explain)
        case (.flows(let a), .json): return json(a)
        case (.throughIngress(let a), .text): return text(a, explain: s.explain)
        case (.throughIngress(let a), .json): return json(a)
        default: return unsupported(format)
        }
    }
}
