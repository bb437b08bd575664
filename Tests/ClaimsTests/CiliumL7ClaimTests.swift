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
}
