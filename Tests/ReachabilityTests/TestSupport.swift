import Foundation
import KubeModel
@testable import Reachability

/// Paths beside the package: `../shared` holds the oracle and corpora (absent on a user's machine).
enum Shared {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }
    static func path(_ p: String) -> String { root.appendingPathComponent(p).path }
}

/// Loads manifests written inline in a test.
func loadModel(_ yaml: String, file: String = "test.yaml") throws -> ClusterModel {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reachproof-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent(file)
    try yaml.write(to: url, atomically: true, encoding: .utf8)
    let (model, errors) = ModelLoader().load(paths: [url.path])
    if !errors.isEmpty { throw InputErrors(errors) }
    return model
}

func runProcess(_ executable: String, _ args: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

extension Evaluator {
    func endpoint(_ id: String) -> Endpoint {
        guard let i = model.workloads.firstIndex(where: { $0.id == id }) else { fatalError("no workload \(id)") }
        return .pod(endpoints[i])
    }

    func allows(_ from: String, _ to: String, _ proto: FlowProtocol, _ port: Int) -> Bool {
        connections(from: endpoint(from), to: endpoint(to)).contains(proto, port)
    }

    func allows(external ip: String, _ to: String, _ proto: FlowProtocol, _ port: Int) -> Bool {
        let a = IPv4CIDR.parseAddress(Substring(ip))!
        return connections(from: .external(AddressRange(first: a, last: a)), to: endpoint(to)).contains(proto, port)
    }
}
