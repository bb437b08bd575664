import Foundation
import TestSupport
import XCTest

/// `.reachproof.yaml` and `reachproof init`: the command line without arguments, flags over the file, and errors
/// that name the file's line.
final class ProjectConfigTests: XCTestCase {
    func cli() throws -> String {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        return cli
    }

    func testCheckWithoutArgumentsUsesTheExampleConfig() throws {
        let (status, output) = try runProcess(try cli(), ["check"], in: Paths.package("examples/verrazzano"))
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("17 claim(s): 13 proved, 4 refuted, 0 unknown"), output)
        // A flag overrides the file: JSON instead of text, the same verdicts.
        let (jsonStatus, json) = try runProcess(
            try cli(), ["check", "--format", "json"], in: Paths.package("examples/verrazzano"))
        XCTAssertEqual(jsonStatus, 1)
        XCTAssertTrue(json.hasPrefix("["), String(json.prefix(80)))
    }

    func testUnknownKeyNamesFileAndLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "paths: [.]\nclaims: [c.yaml]\nprofiel: conformance\n".write(
            to: dir.appendingPathComponent(".reachproof.yaml"), atomically: true, encoding: .utf8)
        let (status, output) = try runProcess(try cli(), ["check"], in: dir.path)
        XCTAssertEqual(status, 2, output)
        XCTAssertTrue(output.contains(".reachproof.yaml:3: profiel: unknown field"), output)
    }

    func testInitWritesAConfigWhoseClaimsAreProved() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(
            atPath: Paths.package("examples/online-boutique/app"), toPath: dir.appendingPathComponent("app").path)
        try FileManager.default.copyItem(
            atPath: Paths.package("examples/online-boutique/netpol"), toPath: dir.appendingPathComponent("netpol").path)
        let (initStatus, initOutput) = try runProcess(try cli(), ["init", "app", "netpol"], in: dir.path)
        XCTAssertEqual(initStatus, 0, initOutput)
        XCTAssertTrue(
            initOutput.contains("wrote .reachproof.yaml and policies/reachproof-claims.yaml (11 claims"), initOutput)
        let (again, refused) = try runProcess(try cli(), ["init", "app", "netpol"], in: dir.path)
        XCTAssertEqual(again, 2, "existing files are kept")
        XCTAssertTrue(refused.contains("--force"), refused)
        let (status, output) = try runProcess(try cli(), ["check"], in: dir.path)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("11 claim(s): 11 proved"), output)
    }
}
