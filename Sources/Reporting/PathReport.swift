import Foundation
import Reachability

/// The mesh stages and hops of a flow, as `check` and `query` print them.
enum PathReport {
    static func stepLine(_ s: MeshStep, indent: String) -> String {
        "\(indent)\(s.stage.padding(toLength: 15, withPad: " ", startingAt: 0)) \(s.effect.rawValue) \(s.detail)\n"
    }

    /// One hop's mesh stages (the NetworkPolicy sides are printed by the caller for a single hop).
    static func meshLines(_ d: MeshDecision, indent: String) -> String {
        var out = ""
        var heading = "\(indent)mesh"
        if !d.addressing.isEmpty {
            heading += " (addressed to \(d.addressing)" + (d.request.map { ", request \($0)" } ?? "") + ")"
        }
        out += heading + ": \(d.verdict.rawValue)\(d.mutualTLS ? ", mutual TLS" : "")\n"
        for s in d.steps { out += stepLine(s, indent: indent + "  ") }
        return out
    }

    /// A whole path: the only hop's mesh stages, or each hop of a route through a proxy with its NetworkPolicy sides.
    static func text(_ p: PathAnswer, indent: String) -> String {
        if p.hops.count == 1 && p.route == nil { return meshLines(p.hops[0].mesh, indent: indent) }
        var out = ""
        for (i, hop) in p.hops.enumerated() {
            if i == 1, let route = p.route { out += stepLine(route, indent: indent) }
            out +=
                "\(indent)hop \(i + 1): \(hop.source) -> \(hop.destinationName) TCP/\(hop.port): \(hop.verdict.rawValue)\n"
            out += ClaimsReport.side("egress", hop.network.egress).replacingOccurrences(
                of: "    ", with: indent + "  ", options: .anchored)
            out += ClaimsReport.side("ingress", hop.network.ingress).replacingOccurrences(
                of: "    ", with: indent + "  ", options: .anchored)
            if hop.network.allowed { out += meshLines(hop.mesh, indent: indent + "  ") }
        }
        if p.hops.count == 1, let route = p.route { out += stepLine(route, indent: indent) }
        return out
    }

    struct StepJSON: Encodable {
        let stage: String, effect: String, detail: String
        init(_ s: MeshStep) { (stage, effect, detail) = (s.stage, s.effect.rawValue, s.detail) }
    }
    struct HopJSON: Encodable {
        let source: String, destination: String, port: Int, verdict: String, addressing: String?, request: String?,
            mutualTLS: Bool
        let egress: ClaimsReport.SideJSON?, ingress: ClaimsReport.SideJSON?, mesh: [StepJSON]
    }
    struct PathJSON: Encodable {
        let verdict: String, route: StepJSON?, hops: [HopJSON]
    }

    static func json(_ p: PathAnswer) -> PathJSON {
        PathJSON(
            verdict: p.verdict.rawValue, route: p.route.map(StepJSON.init),
            hops: p.hops.map { h in
                HopJSON(
                    source: h.source.description, destination: h.destinationName, port: h.port,
                    verdict: h.verdict.rawValue,
                    addressing: h.mesh.addressing.isEmpty ? nil : h.mesh.addressing,
                    request: h.mesh.request?.description,
                    mutualTLS: h.mesh.mutualTLS, egress: ClaimsReport.SideJSON(h.network.egress),
                    ingress: ClaimsReport.SideJSON(h.network.ingress),
                    mesh: h.mesh.steps.map(StepJSON.init))
            })
    }
}
