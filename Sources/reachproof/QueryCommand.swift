import ArgumentParser
import Claims
import Foundation
import KubeModel
import Reachability
import Reporting

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Can A reach B? Each port range's verdict with the deciding rules.",
        discussion: """
            A and B are ns/workload, ns/pod (a pod name generated from its workload), ns/* (a new pod in the namespace, \
            with any labels, or at least --from-labels/--to-labels) or external:CIDR.
            Exit code: 0 ALLOWED, 1 DENIED or UNKNOWN, 2 input errors.
            """)

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(help: "Source endpoint.") var from: String
    @Option(help: "Destination endpoint.") var to: String
    @Option(help: "Labels a new source pod carries (k=v,...), with --from ns/*.") var fromLabels: String?
    @Option(help: "Labels a new destination pod carries (k=v,...), with --to ns/*.") var toLabels: String?
    @Option(help: "PROTO/PORT or PROTO/LOW-HIGH; repeatable. Default: every protocol and port.") var port: [String] = []
    @Option(
        help:
            "Layer to evaluate: auto (the default: the deepest the input exercises), netpol, mesh (also Istio mTLS and authorization) or end-to-end (also routes through ingress proxies)."
    ) var layer: LayerOption = .auto
    @Option(help: "HTTP method of the request (mesh and end-to-end layers); without it, any method.") var method:
        String?
    @Flag(help: "Also show the endpoints decided for denied ranges and the assumptions used.") var explain = false
    @Option(help: formatHelp(QueryReport.self)) var format: ReportFormat = .text
    @Option(help: "Seconds the solver may spend on a new-pod query.") var timeout: Double = 30
    @Option(
        help:
            "HTTP host of the request: at the netpol layer, a request through the ingress-nginx controller (with --to ns/svc/name)."
    ) var host: String?
    @Option(help: "HTTP path of the request (at the netpol layer through the ingress-nginx controller, default /).")
    var path: String?
    @Option(help: "The ingress controller workload (ns/name), when its labels are not the chart's.")
    var ingressController: String?
    @Option(
        help:
            "End to end, only paths through this route: ingress:NS/NAME, gateway:NS/NAME[:LISTENER] or route:NS/NAME (Gateway API)."
    ) var via: String?

    static func labels(_ text: String?, option: String) throws -> [String: String] {
        guard let text else { return [:] }
        var out: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, LabelSyntax.keyProblem(kv[0]) == nil, LabelSyntax.valueProblem(kv[1]) == nil else {
                throw ValidationError("\(option): '\(pair)' is not a valid key=value label")
            }
            out[kv[0]] = kv[1]
        }
        return out
    }

    func validate() throws {
        try checkFormat(format, QueryReport.self)
        try checkTimeout(timeout)
    }

    func run() throws {
        var query = QueryRequest(from: from, to: to)
        query.fromLabels = try Self.labels(fromLabels, option: "--from-labels")
        query.toLabels = try Self.labels(toLabels, option: "--to-labels")
        query.ports = try port.map { text -> PortSpec in
            guard let p = PortSpec.parse(text) else {
                throw ValidationError("--port: '\(text)' is not PROTO/PORT or PROTO/LOW-HIGH (TCP, UDP or SCTP)")
            }
            return p
        }
        query.layer = layer.fixed
        if method != nil || path != nil || host != nil {
            query.request = HTTPRequest(method: method, path: path, host: host)
        }
        query.ingressController = ingressController
        if let via {
            guard let parsed = RouteVia(parsing: via) else {
                throw ValidationError(
                    "--via: '\(via)' is not ingress:NS/NAME, gateway:NS/NAME[:LISTENER] or route:NS/NAME")
            }
            query.via = parsed
        }
        let model = try input.load()
        let checker = ClaimChecker(model: model, assumptions: try analysis.assumptions(), timeout: timeout)
        let result: QueryResult
        do {
            result = try QueryEngine(checker: checker).ask(query)
        } catch let e as QueryError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8))
            throw ExitCode(2)
        }
        try Output.write(QueryReport.render(.init(result: result, explain: explain), as: format))
        if result.verdict != .allowed { throw ExitCode(1) }
    }
}
