import ArgumentParser
import Claims
import Foundation
import KubeModel
import Lint
import MCP
import Reachability
import Reporting

/// `reachproof mcp`: a Model Context Protocol server over stdio, so that an assistant asked "can A reach B?" answers
/// with reachproof's proof instead of a guess. Each tool reads manifests (`paths`, or the `config` folder's
/// .reachproof.yaml), calls the library entry point its command calls, and returns the command's JSON report, both
/// as text and as structured content. Input errors and bad arguments come back as tool errors, never as a crash.
struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve reachproof's questions to AI assistants over the Model Context Protocol (stdio).")

    func run() throws {
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let server = Server(
                    name: "reachproof", version: ToolInfo.version,
                    instructions:
                        "Proves or refutes reachability between Kubernetes workloads from manifests. Give paths (files or folders) or config (a folder with .reachproof.yaml).",
                    capabilities: .init(tools: .init(listChanged: false)))
                await server.withMethodHandler(ListTools.self) { _ in .init(tools: MCPTools.all.map(\.tool)) }
                await server.withMethodHandler(CallTool.self) { params in
                    MCPTools.call(params.name, params.arguments ?? [:])
                }
                try await server.start(transport: StdioTransport())
                await server.waitUntilCompleted()
            } catch {
                FileHandle.standardError.write(Data("reachproof mcp: \(error)\n".utf8))
            }
            done.signal()
        }
        done.wait()
    }
}

/// The tools: each a name, a description, its argument schema and a handler.
enum MCPTools {
    struct Entry {
        let tool: Tool
        let handle: ([String: Value]) throws -> String
    }

    /// A tool's input that cannot be used: returned to the client as a tool error.
    struct Problem: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static let source: [String: Value] = [
        "paths": .object([
            "type": "array", "items": .object(["type": "string"]),
            "description": "Manifest files or folders (YAML or JSON).",
        ]),
        "config": .object([
            "type": "string", "description": "A folder with a .reachproof.yaml (paths, claims, assumptions).",
        ]),
        "assume": .object([
            "type": "array", "items": .object(["type": "string"]),
            "description": "Assumption bindings such as A-HOSTNET=H1.",
        ]),
        "profile": .object([
            "type": "string", "enum": .array(Profile.allCases.map { .string($0.rawValue) }),
        ]),
    ]

    static func schema(_ extra: [String: Value], required: [String] = []) -> Value {
        .object([
            "type": "object", "properties": .object(source.merging(extra) { _, b in b }),
            "required": .array(required.map { .string($0) }),
        ])
    }

    static func string(_ d: String) -> Value { .object(["type": "string", "description": .string(d)]) }

    static let endpoints: [String: Value] = [
        "from": string("Source: ns/workload, ns/*, external:CIDR, or ns/svc/name."),
        "to": string("Destination, in the same forms."),
        "port": string("PROTO/PORT or PROTO/LOW-HIGH, e.g. TCP/8080; without it, every port."),
        "layer": string("auto, netpol, mesh or end-to-end."),
        "method": string("HTTP method of the request (mesh and end-to-end layers)."),
        "host": string("HTTP host of the request."),
        "path": string("HTTP path of the request."),
        "via": string("End to end, only through ingress:NS/NAME, gateway:NS/NAME[:LISTENER] or route:NS/NAME."),
    ]

    static let all: [Entry] = [
        Entry(
            tool: Tool(
                name: "check",
                description:
                    "Prove or refute claims (allowed, denied, only) about the manifests. Returns each claim's verdict (PROVED, REFUTED, UNKNOWN), counterexamples with the deciding rules (file:line) and the assumptions.",
                inputSchema: schema([
                    "claims": .object([
                        "type": "array", "items": .object(["type": "string"]), "description": "Claims files.",
                    ]),
                    "claimsYAML": string("Claims written inline, in the claims file format (claims: [...])."),
                ]), annotations: .init(readOnlyHint: true)),
            handle: check),
        Entry(
            tool: Tool(
                name: "query",
                description:
                    "Can A reach B? Per port range: ALLOWED, DENIED or UNKNOWN, a witness, and the deciding rule of each side with file:line.",
                inputSchema: schema(endpoints, required: ["from", "to"]), annotations: .init(readOnlyHint: true)),
            handle: { try query($0, explain: false) }),
        Entry(
            tool: Tool(
                name: "explain",
                description:
                    "Why A can or cannot reach B: every stage of the decision (policy tiers, mesh, routes), as text.",
                inputSchema: schema(endpoints, required: ["from", "to"]), annotations: .init(readOnlyHint: true)),
            handle: { try query($0, explain: true) }),
        Entry(
            tool: Tool(
                name: "map",
                description:
                    "The connections of one workload or one namespace (in and out), as workload pairs with their ports.",
                inputSchema: schema([
                    "workload": string("ns/name: the pairs touching this workload."),
                    "namespace": string("The pairs touching this namespace."),
                ]), annotations: .init(readOnlyHint: true)),
            handle: map),
        Entry(
            tool: Tool(
                name: "lint",
                description: "Policy mistakes visible without claims, each with its rule id, severity and file:line.",
                inputSchema: schema([:]), annotations: .init(readOnlyHint: true)),
            handle: lint),
        Entry(
            tool: Tool(
                name: "diff",
                description:
                    "What a change opens and closes: workload pairs whose connections differ between base and head, with the deciding rule before and after.",
                inputSchema: .object([
                    "type": "object",
                    "properties": .object([
                        "base": .object(["type": "array", "items": .object(["type": "string"])]),
                        "head": .object(["type": "array", "items": .object(["type": "string"])]),
                    ]),
                    "required": ["base", "head"],
                ]), annotations: .init(readOnlyHint: true)),
            handle: diff),
    ]

    /// Runs a tool; problems become tool errors with the reason.
    static func call(_ name: String, _ arguments: [String: Value]) -> CallTool.Result {
        guard let entry = all.first(where: { $0.tool.name == name }) else {
            return error("unknown tool '\(name)' (\(all.map(\.tool.name).joined(separator: ", ")))")
        }
        do {
            let json = try entry.handle(arguments)
            let structured = try? JSONDecoder().decode(Value.self, from: Data(json.utf8))
            return .init(
                content: [.text(text: json, annotations: nil, _meta: nil)],
                structuredContent: structured.map { v in
                    if case .object = v { return v }
                    return .object(["result": v])
                })
        } catch let e as InputErrors {
            return error(e.errors.map(\.description).joined(separator: "\n"))
        } catch let e as InputError {
            return error(e.description)
        } catch {
            return MCPTools.error("\(error)")
        }
    }

    static func error(_ message: String) -> CallTool.Result {
        .init(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true)
    }

    // MARK: Arguments

    static func strings(_ a: [String: Value], _ key: String) throws -> [String] {
        guard let v = a[key] else { return [] }
        if let s = v.stringValue { return [s] }
        guard let items = v.arrayValue else { throw Problem("\(key): expected a string or a list of strings") }
        return try items.map {
            guard let s = $0.stringValue else { throw Problem("\(key): expected strings") }
            return s
        }
    }

    static func text(_ a: [String: Value], _ key: String) throws -> String? {
        guard let v = a[key] else { return nil }
        guard let s = v.stringValue else { throw Problem("\(key): expected a string") }
        return s
    }

    /// The configuration a `config` folder holds, if one is named.
    static func config(_ a: [String: Value]) throws -> ProjectConfig? {
        guard let dir = try text(a, "config") else { return nil }
        let file = URL(fileURLWithPath: dir).appendingPathComponent(ProjectConfig.fileName).path
        guard FileManager.default.fileExists(atPath: file) else { throw Problem("config: no \(file)") }
        return try ProjectConfig.load(file)
    }

    static func load(_ paths: [String]) throws -> ClusterModel {
        guard !paths.isEmpty else { throw Problem("give paths (manifest files or folders) or config") }
        let (model, errors) = ModelLoader().load(paths: paths)
        if !errors.isEmpty { throw InputErrors(errors) }
        return model
    }

    /// The manifests and the assumptions of a call.
    static func input(_ a: [String: Value]) throws -> (ClusterModel, Assumptions, ProjectConfig?) {
        let config = try config(a)
        let paths = try strings(a, "paths")
        var args: [String] = []
        if let p = try text(a, "profile") ?? config?.profile { args += ["--profile", p] }
        for binding in (config?.assume ?? []) + (try strings(a, "assume")) { args += ["--assume", binding] }
        if let c = config?.cluster { args += ["--cluster", c] }
        if let c = config?.podCIDR { args += ["--pod-cidr", c] }
        if let f = config?.ipFamilies { args += ["--ip-families", f] }
        for g in config?.gatewayPods ?? [] { args += ["--gateway-pods", g] }
        let options: AnalysisOptions
        do { options = try AnalysisOptions.parse(args) } catch { throw Problem(AnalysisOptions.message(for: error)) }
        let assumptions: Assumptions
        do { assumptions = try options.assumptions() } catch { throw Problem(AnalysisOptions.message(for: error)) }
        return (try load(paths.isEmpty ? config?.paths ?? [] : paths), assumptions, config)
    }

    // MARK: Tools

    static func check(_ a: [String: Value]) throws -> String {
        let (model, assumptions, config) = try input(a)
        var files = try strings(a, "claims")
        if files.isEmpty { files = config?.claims ?? [] }
        var inline: String?
        if let yaml = try text(a, "claimsYAML") {
            inline = try temporaryClaims(yaml)
            files.append(inline!)
        }
        defer { if let inline { try? FileManager.default.removeItem(atPath: inline) } }
        guard !files.isEmpty else { throw Problem("give claims (files), claimsYAML, or a config with claims") }
        let checker = ClaimChecker(model: model, assumptions: assumptions)
        return ClaimsReport.render(try checker.check(files: files), as: .json)
    }

    static func temporaryClaims(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "reachproof-mcp-\(UUID().uuidString).yaml")
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    static func query(_ a: [String: Value], explain: Bool) throws -> String {
        let (model, assumptions, _) = try input(a)
        guard let from = try text(a, "from"), let to = try text(a, "to") else { throw Problem("give from and to") }
        var q = QueryRequest(from: from, to: to)
        if let port = try text(a, "port") {
            guard let p = PortSpec.parse(port) else {
                throw Problem("port: '\(port)' is not PROTO/PORT or PROTO/LOW-HIGH")
            }
            q.ports = [p]
        }
        if let layer = try text(a, "layer"), layer != "auto" {
            guard let l = Layer(rawValue: layer) else {
                throw Problem("layer: '\(layer)' is not auto, \(Layer.accepted)")
            }
            q.layer = l
        }
        let (method, host, path) = (try text(a, "method"), try text(a, "host"), try text(a, "path"))
        if method != nil || host != nil || path != nil {
            q.request = HTTPRequest(method: method, path: path, host: host)
        }
        if let via = try text(a, "via") {
            guard let v = RouteVia(parsing: via) else {
                throw Problem("via: '\(via)' is not ingress:, gateway: or route:")
            }
            q.via = v
        }
        let checker = ClaimChecker(model: model, assumptions: assumptions)
        do {
            let result = try QueryEngine(checker: checker).ask(q)
            return QueryReport.render(.init(result: result, explain: explain), as: explain ? .text : .json)
        } catch let e as QueryError {
            throw Problem("\(e)")
        }
    }

    static func map(_ a: [String: Value]) throws -> String {
        let (model, assumptions, _) = try input(a)
        let (namespace, workload) = (try text(a, "namespace"), try text(a, "workload"))
        guard namespace != nil || workload != nil else {
            throw Problem("give workload or namespace: the map of a whole cluster is the map command's")
        }
        if let namespace, model.namespaces[namespace] == nil { throw Problem("namespace: no namespace '\(namespace)'") }
        if let workload, !model.workloads.contains(where: { $0.id == workload }) {
            throw Problem("workload: no workload '\(workload)' (ns/name)")
        }
        let evaluator = Evaluator(model: model, assumptions: assumptions)
        let map = ConnectivityMap(evaluator: evaluator, namespace: namespace, workload: workload)
        // A reply is read whole by the client (and often by a model): a focus that still lists a large share of a big
        // cluster is refused with its size, before it is listed.
        let count = map.pairCount(readable: true)
        guard count <= mapPairLimit else {
            throw Problem(
                "the map has \(count) pairs, more than the \(mapPairLimit) a reply carries: focus on a workload, or run `reachproof map` with --format pairs or summary"
            )
        }
        return MapReport.render(.init(map: map), as: .json)
    }

    /// The most pairs the map tool replies with.
    static let mapPairLimit = 20_000

    static func lint(_ a: [String: Value]) throws -> String {
        let (model, assumptions, _) = try input(a)
        return LintReport.render(Linter.run(model, assumptions: assumptions), as: .json)
    }

    static func diff(_ a: [String: Value]) throws -> String {
        let (base, head) = (try load(try strings(a, "base")), try load(try strings(a, "head")))
        let assumptions = Assumptions()
        let d = ConnectivityDiff(
            base: Evaluator(model: base, assumptions: assumptions),
            head: Evaluator(model: head, assumptions: assumptions))
        return DiffReport.render(
            .init(
                diff: d, base: try strings(a, "base").joined(separator: ","),
                head: try strings(a, "head").joined(separator: ",")),
            as: .json)
    }
}
