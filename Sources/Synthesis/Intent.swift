import Claims
import Foundation
import KubeModel
import Reachability

/// One flow the application needs: a source workload or external range, a destination workload or external
/// range, one protocol and port range, and where the intent said so.
public struct IntendedFlow: Hashable, Sendable {
    public enum Party: Hashable, Sendable, Comparable {
        /// Index into the model's workloads.
        case workload(Int)
        case external(CIDR)

        public static func < (a: Party, b: Party) -> Bool {
            switch (a, b) {
            case (.workload(let x), .workload(let y)): return x < y
            case (.workload, .external): return true
            case (.external, .workload): return false
            case (.external(let x), .external(let y)): return x < y
            }
        }
    }
    public let source: Party
    public let destination: Party
    public let proto: L4Protocol
    public let ports: ClosedRange<Int>
    /// `file:line name` of the claim or flow that asked for it.
    public let origin: String
    /// The HTTP request the intent names (method, path), when it names one.
    public var request: HTTPRequest? = nil
}

/// What `suggest` works from: the flows to keep, and (from a claims file) the claims the result must still satisfy.
public struct Intent: Sendable {
    public let flows: [IntendedFlow]
    public let claims: [Claim]

    public init(flows: [IntendedFlow], claims: [Claim]) {
        self.flows = flows
        self.claims = claims
    }

    /// Reads a claims file (its `allowed` claims are the flows to keep) or an expectations file with a `flows:`
    /// list (`expect: allowed` entries at the netpol or mesh layer).
    public static func load(_ path: String, model: ClusterModel, checker: ClaimChecker) throws -> Intent {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if text.split(separator: "\n").contains(where: { $0.hasPrefix("flows:") }) {
            return try fromExpectations(path, model: model)
        }
        let (file, errors) = ClaimsParser.load(path)
        let all = errors + (file.map(checker.validate) ?? [])
        if !all.isEmpty { throw InputErrors(all) }
        var flows: [IntendedFlow] = []
        for claim in file!.claims where claim.kind == .allowed {
            let origin = "\(claim.location) \(claim.name)"
            if claim.ports.isEmpty {
                throw InputErrors([InputError(claim.location, "allowed.ports", "an intended flow names its ports")])
            }
            let sources: [IntendedFlow.Party] =
                claim.from[0].external.map { [.external($0)] }
                ?? checker.declaredWorkloads(claim.from[0]).map { .workload($0) }
            if checker.layer(of: claim).layer == .endToEnd {
                // A route through a proxy: each hop of a route that delivers it today is a flow to keep.
                for (destination, conns) in checker.destinationWorkloads(claim) {
                    for s in sources {
                        guard let start = s.endpoints(checker.evaluator).first else { continue }
                        for range in conns[.tcp].ranges {
                            guard
                                let hops = checker.deliveringHops(
                                    start, to: destination, port: range.lowerBound, request: claim.request)
                            else { continue }
                            for hop in hops {
                                let from: IntendedFlow.Party = hop.source.pod?.declaredIndex.map { .workload($0) } ?? s
                                flows.append(
                                    IntendedFlow(
                                        source: from, destination: .workload(hop.destination), proto: .tcp,
                                        ports: hop.port...hop.port, origin: origin))
                            }
                        }
                    }
                }
                continue
            }
            for (destination, conns) in checker.destinationWorkloads(claim) {
                for s in sources where s != .workload(destination) {
                    for proto in L4Protocol.allCases {
                        for r in conns[proto].ranges {
                            flows.append(
                                IntendedFlow(
                                    source: s, destination: .workload(destination), proto: proto, ports: r,
                                    origin: origin,
                                    request: claim.request))
                        }
                    }
                }
            }
            if let c = claim.to.external {
                for s in sources {
                    for spec in claim.ports {
                        flows.append(
                            IntendedFlow(
                                source: s, destination: .external(c), proto: spec.proto, ports: spec.range,
                                origin: origin))
                    }
                }
            }
        }
        return Intent(flows: flows, claims: file!.claims)
    }

    static func fromExpectations(_ path: String, model: ClusterModel) throws -> Intent {
        let (documents, errors, _, _) = ManifestReader().read(paths: [path])
        if !errors.isEmpty { throw InputErrors(errors) }
        guard let doc = documents.first else {
            throw InputErrors([InputError(SourceLocation(file: path, line: 1), "flows", "empty file")])
        }
        let root = Field(node: doc.root, path: "", file: doc.file, fallbackLine: doc.line, lineOffset: doc.lineOffset)
        func party(_ f: Field) throws -> IntendedFlow.Party {
            let text = try f.string()
            if text.hasPrefix("external:") {
                guard case .success(let c) = CIDR.parse(String(text.dropFirst(9))) else {
                    throw f.error("'\(text)' is not external:CIDR")
                }
                return .external(c)
            }
            guard let i = model.workloads.firstIndex(where: { $0.id == text }) else {
                throw f.error("no workload '\(text)' in the manifests")
            }
            return .workload(i)
        }
        var flows: [IntendedFlow] = []
        for item in try root["flows"]?.items() ?? [] {
            guard try item["expect"]?.string() == "allowed",
                [Layer.netpol, .mesh].contains(Layer(rawValue: try item["layer"]?.string() ?? Layer.netpol.rawValue))
            else { continue }
            guard let from = item["from"], let to = item["to"], let portField = item["port"] else {
                throw item.missing("from, to and port")
            }
            guard let port = PortSpec.parse(try portField.string()) else { throw portField.error("not PROTO/PORT") }
            flows.append(
                IntendedFlow(
                    source: try party(from), destination: try party(to), proto: port.proto, ports: port.range,
                    origin: "\(item.location) \(try from.string()) -> \(try to.string())"))
        }
        return Intent(
            flows: Array(Set(flows)).sorted {
                ($0.origin, $0.source, $0.destination) < ($1.origin, $1.source, $1.destination)
            }, claims: [])
    }
}
