import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Reporting

/// `reachproof diff`: the semantic difference between two versions of the manifests.
final class DiffTests: XCTestCase {
    func evaluator(_ path: String) -> Evaluator {
        let (model, errors) = ModelLoader().load(paths: [Paths.package(path)])
        XCTAssertEqual(errors, [])
        return Evaluator(model: model, assumptions: Assumptions())
    }

    /// Adding the online boutique's policies only closes flows, and exactly those the two maps differ by.
    func testOnlineBoutiquePoliciesCloseExactlyTheMapDifference() {
        let base = evaluator("examples/online-boutique/app")
        let head = evaluator("examples/online-boutique")
        let diff = ConnectivityDiff(base: base, head: head)
        XCTAssertEqual(diff.openedCount, 0)
        func pairs(_ e: Evaluator) -> [String: ConnSet] {
            Dictionary(
                uniqueKeysWithValues: ConnectivityMap(evaluator: e).readablePairs.map {
                    ("\($0.source) -> \($0.destination)", $0.conns)
                })
        }
        let before = pairs(base)
        let after = pairs(head)
        var expected: [String: ConnSet] = [:]
        for (key, conns) in before {
            let closed = conns.subtracting(after[key] ?? .none)
            if !closed.isEmpty { expected[key] = closed }
        }
        let actual = Dictionary(
            uniqueKeysWithValues: diff.changes.map { ("\($0.source) -> \($0.destination)", $0.closed) })
        XCTAssertEqual(actual, expected)
        XCTAssertGreaterThan(actual.count, 100)
    }

    /// A pair whose change both opens and closes connections explains each with its own witness: the rule that
    /// admitted the closed port before is not the one that admits the opened port after.
    func testOpenedAndClosedPartsHaveTheirOwnWitness() throws {
        func version(_ port: Int) throws -> Evaluator {
            let yaml = """
                apiVersion: v1
                kind: Pod
                metadata: {name: web, namespace: shop, labels: {app: web}}
                spec: {containers: [{name: c, ports: [{containerPort: 80}, {containerPort: 443}]}]}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: client, namespace: shop, labels: {app: client}}
                spec: {containers: [{name: c}]}
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web-\(port), namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: web}}
                  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: \(port)}]}]
                """
            return Evaluator(model: try loadModel(yaml, file: "v\(port).yaml"), assumptions: Assumptions())
        }
        let diff = ConnectivityDiff(base: try version(80), head: try version(443))
        let change = try XCTUnwrap(diff.changes.first { $0.source == "shop/client" && $0.destination == "shop/web" })
        XCTAssertEqual(change.openedWitness?.port, 443)
        XCTAssertEqual(change.closedWitness?.port, 80)
        // Locations without the temporary folders the versions were written to.
        let text = DiffReport.text(diff, base: "v80", head: "v443").replacingOccurrences(
            of: #"\(/[^ ]*/(v[0-9]+\.yaml)"#, with: "($1", options: .regularExpression)
        XCTAssertTrue(
            text.contains(
                """
                OPENED  shop/client -> shop/web  TCP/443
                    before (TCP/443): NP-INGRESS DENY (default: isolated, no rule matched); isolated by shop/web-80 (v80.yaml:11)
                    after:  NP-INGRESS ALLOW NetworkPolicy shop/web-443 spec.ingress[0] (v443.yaml:16)
                CLOSED  shop/client -> shop/web  TCP/80
                    before (TCP/80): NP-INGRESS ALLOW NetworkPolicy shop/web-80 spec.ingress[0] (v80.yaml:16)
                    after:  NP-INGRESS DENY (default: isolated, no rule matched); isolated by shop/web-443 (v443.yaml:11)
                """), text)
        let json = DiffReport.json(diff, base: "v80", head: "v443")
        XCTAssertTrue(json.contains("\"witness\" : \"TCP\\/443\"") || json.contains("\"witness\" : \"TCP/443\""), json)
        XCTAssertTrue(json.contains("\"witness\" : \"TCP\\/80\"") || json.contains("\"witness\" : \"TCP/80\""), json)
    }

    /// Cilium policies diff like the others: the starship without its landing rule closes the tie fighter's landing,
    /// with the CiliumNetworkPolicy rule that admitted it before.
    func testCiliumRuleRemovedClosesItsFlows() throws {
        let example = Paths.package("examples/cilium-starship")
        let (base, baseErrors) = ModelLoader().load(paths: [example])
        XCTAssertEqual(baseErrors, [])
        let policies = try String(contentsOfFile: example + "/10-cilium-policies.yaml", encoding: .utf8)
        let start = policies.range(of: "# The maintenance port is open")!.lowerBound
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starship-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(
            atPath: example + "/00-app.yaml", toPath: dir.appendingPathComponent("00-app.yaml").path)
        try String(policies[start...]).write(
            to: dir.appendingPathComponent("10-cilium-policies.yaml"), atomically: true, encoding: .utf8)
        let (head, headErrors) = ModelLoader().load(paths: [dir.path])
        XCTAssertEqual(headErrors, [])
        let diff = ConnectivityDiff(
            base: Evaluator(model: base, assumptions: Assumptions()),
            head: Evaluator(model: head, assumptions: Assumptions()))
        XCTAssertEqual(diff.openedCount, 0)
        let closed = diff.changes.filter { !$0.closed.isEmpty }
        XCTAssertEqual(
            closed.map { "\($0.source) -> \($0.destination) \($0.closed)" },
            [
                "starship/tiefighter -> starship/deathstar TCP/80"
            ])
        XCTAssertEqual(closed.first?.closedWitness?.base?.ingress?.rule?.name, "rule1")
        XCTAssertEqual(closed.first?.closedWitness?.base?.ingress?.stage, "CILIUM-INGRESS")
    }

    func testGitRevisionAndFailOnOpen() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let repo = FileManager.default.temporaryDirectory.appendingPathComponent("diff-git-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: repo + "/k8s", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: repo) }
        let app = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: shop, labels: {app: web}}
            spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: client, namespace: shop, labels: {app: client}}
            spec: {containers: [{name: c}]}
            """
        let denyAll =
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n"
        try (app + "\n---\n" + denyAll).write(toFile: repo + "/k8s/all.yaml", atomically: true, encoding: .utf8)
        for args in [
            ["init", "-q"], ["add", "."],
            ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "v1"],
        ] {
            XCTAssertEqual(try runProcess("/usr/bin/env", ["git"] + args, in: repo).status, 0)
        }
        // The working tree drops the deny-all policy: every flow into the shop opens.
        try app.write(toFile: repo + "/k8s/all.yaml", atomically: true, encoding: .utf8)
        let (status, output) = try runProcess(cli, ["diff", "--git", "HEAD", "k8s", "--fail-on-open"], in: repo)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("OPENED  shop/client -> shop/web  ALL"), output)
        XCTAssertTrue(
            output.contains(
                "before (TCP/1): NP-INGRESS DENY (default: isolated, no rule matched); isolated by shop/deny"), output)
        // The revision's objects are located as REV:path, never by the temporary folder they were exported to.
        XCTAssertTrue(output.contains("isolated by shop/deny (HEAD:k8s/all.yaml:11)"), output)
        XCTAssertFalse(output.contains("reachproof-git-"), output)
        let unchanged = try runProcess(cli, ["diff", "k8s", "k8s", "--fail-on-open"], in: repo)
        XCTAssertEqual(unchanged.status, 0)
        XCTAssertTrue(unchanged.output.contains("0 pair(s) with flows opened, 0 with flows closed"))
    }

    /// diff decides the netpol layer; on an input that exercises the mesh it says so.
    func testDiffWarnsWhenTheInputExercisesTheMesh() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let bookinfo = Paths.package("examples/bookinfo")
        let (status, output) = try runProcess(cli, ["diff", bookinfo, bookinfo])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("warning: this input exercises the mesh layer"), output)
        let plain = Paths.package("examples/guestbook")
        XCTAssertFalse(try runProcess(cli, ["diff", plain, plain]).output.contains("exercises the mesh"))
    }
}
