import Foundation
import KubeModel

/// Helpers every test target shares: paths beside the package, inline manifests, running the built CLI.
public enum Paths {
    /// An executable on PATH, or nil.
    public static func onPath(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// `../shared` holds the oracle, corpora and schemas (absent on a user's machine: tests that need it skip).
    public static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    public static var sharedAvailable: Bool { FileManager.default.fileExists(atPath: shared.path) }
    public static func shared(_ p: String) -> String { shared.appendingPathComponent(p).path }
    public static func package(_ p: String) -> String { packageRoot.appendingPathComponent(p).path }
    /// The debug CLI that `swift build` leaves behind (tests that run it skip when it is missing).
    public static var cli: String? {
        let p = package(".build/debug/reachproof")
        return FileManager.default.isExecutableFile(atPath: p) ? p : nil
    }
}

/// Writes text to a fresh temporary file and returns its path.
public func temporaryFile(_ text: String, name: String = "test.yaml") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reachproof-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Loads manifests written inline in a test; input errors are thrown.
public func loadModel(_ yaml: String, file: String = "test.yaml") throws -> ClusterModel {
    let path = try temporaryFile(yaml, name: file)
    defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
    let (model, errors) = ModelLoader().load(paths: [path])
    if !errors.isEmpty { throw InputErrors(errors) }
    return model
}

/// Runs a program; returns its exit status and its stdout and stderr together. `environment` adds to (or replaces
/// entries of) the test's own.
public func runProcess(
    _ executable: String, _ args: [String], stdin: Data? = nil, in directory: String? = nil,
    environment: [String: String] = [:]
) throws -> (status: Int32, output: String) {
    let p = Process()
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if !environment.isEmpty {
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    let input = Pipe()
    if stdin != nil { p.standardInput = input }
    try p.run()
    if let stdin {
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

public struct GeneratorFailed: Error, CustomStringConvertible {
    public let description: String
}

/// Writes a cluster from `../shared/oracle/gen_cluster.py` into a fresh folder and returns its path (the caller
/// removes it); nil when ../shared is absent.
public func generateCluster(namespaces: Int, deployments: Int, policies: Int, seed: Int, flags: [String]) throws
    -> String?
{
    guard Paths.sharedAvailable else { return nil }
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(seed)-\(UUID().uuidString)").path
    let (status, output) = try runProcess(
        "/usr/bin/env",
        [
            "python3", Paths.shared("oracle/gen_cluster.py"), "--namespaces", "\(namespaces)",
            "--deployments", "\(deployments)", "--policies", "\(policies)", "--seed", "\(seed)",
            "--out", out,
        ] + flags)
    guard status == 0 else { throw GeneratorFailed(description: "gen_cluster.py failed (PyYAML missing?): \(output)") }
    return out
}

/// Thrown by `sarifSchemaProblem` when python3 or its jsonschema module is absent (tests skip then).
public struct SARIFValidatorMissing: Error {}

/// Validates a SARIF log against the vendored SARIF 2.1.0 schema (Tests/Fixtures/sarif) with python3's
/// jsonschema: nil when valid, the validator's complaint otherwise.
public func sarifSchemaProblem(_ sarif: String) throws -> String? {
    let schema = Paths.package("Tests/Fixtures/sarif/sarif-schema-2.1.0.json")
    let file = try temporaryFile(sarif, name: "log.sarif")
    let script =
        "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1]))); print('valid')"
    let (status, output) = try runProcess("/usr/bin/env", ["python3", "-c", script, schema, file])
    if output.contains("No module named 'jsonschema'") || status == 127 { throw SARIFValidatorMissing() }
    return status == 0 ? nil : output
}

/// A CIDR or single address (as its host prefix) written in a test; a typo stops the test.
public func cidr(_ text: String) -> CIDR {
    switch CIDR.parse(addressOrCIDR: text) {
    case .success(let c): return c
    case .failure(let problem): fatalError(problem.message)
    }
}
