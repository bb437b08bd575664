import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims

/// Bad claims, mixed good and bad inputs, solver limits and policies the tool cannot model.
final class RobustnessTests: XCTestCase {
    /// Tests/Fixtures/bad-claims: each claims file against the Verrazzano example, with its exact first error.
    func testBadClaimsCatalogue() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let dir = Paths.package("Tests/Fixtures/bad-claims")
        let lines = try String(contentsOfFile: dir + "/EXPECTED.tsv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(
            Set(lines.map { String($0.split(separator: "\t")[0]) }),
            Set(try FileManager.default.contentsOfDirectory(atPath: dir)).subtracting(["EXPECTED.tsv"]))
        for line in lines {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            let (status, output) = try runProcess(
                cli, ["check", "../../../examples/verrazzano", "--claims", parts[0]], in: dir)
            XCTAssertEqual(status, 2, parts[0])
            XCTAssertEqual(output.split(separator: "\n").first.map(String.init), parts[1], parts[0])
        }
    }

    /// A folder mixing good and bad files: exit 2 and every bad file named, the good ones still read.
    func testMixedDirectoryListsEveryBadFile() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in try FileManager.default.contentsOfDirectory(atPath: Paths.package("examples/verrazzano"))
        where name.hasSuffix(".yaml") {
            try FileManager.default.copyItem(
                atPath: Paths.package("examples/verrazzano/" + name), toPath: dir + "/" + name)
        }
        let bad = [
            "np-port-zero.yaml", "yaml-tab-indent.yaml", "binary.yaml", "helm-template-leftover.yaml",
            "json-trailing-comma.json",
        ]
        for name in bad {
            try FileManager.default.copyItem(
                atPath: Paths.package("Tests/Fixtures/bad/" + name), toPath: dir + "/zz-" + name)
        }
        let (status, output) = try runProcess(
            cli, ["check", dir, "--claims", Paths.package("policies/verrazzano.yaml")])
        XCTAssertEqual(status, 2)
        for name in bad {
            XCTAssertTrue(output.contains(dir + "/zz-" + name + ":"), "\(name) not reported:\n\(output)")
        }
        XCTAssertTrue(output.contains("\(bad.count) input error(s)"), output)
    }

    /// A claim the solver cannot finish within the timeout is UNKNOWN with the reason, and exit code 1.
    func testTimeoutIsUnknownNeverProved() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        guard
            let out = try generateCluster(
                namespaces: 20, deployments: 1000, policies: 300, seed: 3, flags: ["--ipblocks", "--named-ports"])
        else {
            throw XCTSkip("../shared/oracle is absent")
        }
        defer { try? FileManager.default.removeItem(atPath: out) }
        let claims = try temporaryFile(
            """
            claims:
              - name: no-new-pod-elsewhere-reaches-anything
                universe: any
                only:
                  from: [{namespace: ns-000}]
                  to: {namespaceSelector: {}}
            """)
        let (status, output) = try runProcess(cli, ["check", out, "--claims", claims, "--timeout", "0.001"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("UNKNOWN  no-new-pod-elsewhere-reaches-anything"), output)
        XCTAssertTrue(output.contains("reason: solver timeout after 0.001 s"), output)
        XCTAssertEqual(
            try runProcess(cli, ["check", out, "--claims", claims, "--timeout", "0.001", "--allow-unknown"]).status, 0)
    }

    /// Claims decided by enumerating sources (mesh and existing pods) honour the time budget too: out of time, a
    /// claim is UNKNOWN with the reason, never PROVED on a partial enumeration (a budget already spent makes this
    /// deterministic). On the command line a budget of zero is a usage error.
    func testEnumerationHonoursTimeout() throws {
        let (model, errors) = ModelLoader().load(paths: [Paths.package("examples/bookinfo")])
        XCTAssertEqual(errors, [])
        let checker = ClaimChecker(model: model, assumptions: Assumptions(), timeout: -1)
        let (file, _) = ClaimsParser.load(Paths.package("policies/bookinfo.yaml"))
        for claim in file!.claims {
            let result = checker.check(claim)
            XCTAssertEqual(result.verdict, .unknown, claim.name)
            XCTAssertTrue(result.reason?.contains("(--timeout): the sources were not all enumerated") ?? false)
        }
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let zero = try runProcess(
            cli,
            [
                "check", Paths.package("examples/bookinfo"), "--claims", Paths.package("policies/bookinfo.yaml"),
                "--timeout", "0",
            ])
        XCTAssertEqual(zero.status, 2, zero.output)
        XCTAssertTrue(zero.output.contains("--timeout: '0.0' is not a positive number of seconds"), zero.output)
    }

    /// Calico policy changes what Kubernetes policy decides; with one in the input no verdict is given.
    func testCNIPolicyMakesVerdictsUnknown() throws {
        let model = try loadModel(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: a, namespace: shop, labels: {app: a}}
            spec: {containers: [{name: c}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: deny, namespace: shop}
            spec: {selector: all(), types: [Ingress]}
            """)
        XCTAssertEqual(model.cniPolicies.map(\.description), ["NetworkPolicy.projectcalico.org shop/deny"])
        XCTAssertEqual(model.networkPolicies.count, 0)
        let checker = ClaimChecker(model: model, assumptions: Assumptions())
        let file = ClaimsParser.load(
            "-",
            stdin: {
                Data("claims:\n  - name: c\n    denied: {from: {external: 0.0.0.0/0}, to: {namespace: shop}}\n".utf8)
            }
        ).0!
        let result = checker.check(file.claims[0])
        XCTAssertEqual(result.verdict, .unknown)
        XCTAssertTrue(result.reason!.contains("CNI-specific policy"), result.reason!)
    }
}
