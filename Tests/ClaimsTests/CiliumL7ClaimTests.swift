import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims

/// The starship example's L7 claim: refuted by a concrete method and path while the deathstar's PUT rule admits
/// /v1/.*, proved once that rule is deleted.
final class CiliumL7ClaimTests: XCTestCase {
    func verdict(_ policies: String) throws -> ClaimResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starship-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let example = Paths.package("examples/cilium-starship")
        try FileManager.default.copyItem(
            atPath: example + "/00-app.yaml", toPath: dir.appendingPathComponent("00-app.yaml").path)
        try policies.write(to: dir.appendingPathComponent("10-cilium-policies.yaml"), atomically: true, encoding: .utf8)
        let (model, errors) = ModelLoader().load(paths: [dir.path])
        XCTAssertEqual(errors, [])
        let (file, claimErrors) = ClaimsParser.load(Paths.package("policies/cilium-starship.yaml"))
        XCTAssertEqual(claimErrors, [])
        let claim = file!.claims.first { $0.name == "exhaust-port-is-closed" }!
        return ClaimChecker(model: model, assumptions: Assumptions()).check(claim)
    }

    func testRefutedByAConcreteRequestThenProvedAfterTheFix() throws {
        let policies = try String(
            contentsOfFile: Paths.package("examples/cilium-starship/10-cilium-policies.yaml"), encoding: .utf8)
        let flawed = try verdict(policies)
        XCTAssertEqual(flawed.verdict, .refuted)
        let example = try XCTUnwrap(flawed.counterexamples.first)
        XCTAssertEqual(example.source.pod?.workload, "starship/tiefighter")
        XCTAssertEqual(example.port, 80)
        XCTAssertTrue(
            example.path?.hops.contains { hop in
                hop.mesh.steps.contains { $0.stage == "CILIUM-L7" && $0.detail.contains("PUT /v1/exhaust-port") }
            } == true, "\(example)")
        let fixed = policies.replacingOccurrences(of: "              - {method: PUT, path: \"/v1/.*\"}\n", with: "")
        XCTAssertNotEqual(fixed, policies)
        XCTAssertEqual(try verdict(fixed).verdict, .proved)
    }

    /// `--dns-answers` is input like any other: a bad address is named with its file, line and field, exit 2.
    func testDNSAnswersFileErrors() throws {
        let binary = Paths.packageRoot.appendingPathComponent(".build/debug/reachproof").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("build the CLI first (swift build)")
        }
        let answers = try temporaryFile("api.example.com: [203.0.113.10]\nbad.example.com: [not-an-ip]\n")
        let run = try runProcess(
            binary,
            [
                "check", Paths.package("examples/cilium-starship"), "--claims",
                Paths.package("policies/cilium-starship.yaml"),
                "--dns-answers", answers,
            ])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.output.contains(":2: bad.example.com[0]: 'not-an-ip' is not an IP address"), run.output)
    }
}
