import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims

/// The example: a NetworkPolicy admits `::/0` on TCP 5432, so in a dual-stack cluster every IPv6 client can
/// connect. "Only nobody reaches db/pg" is refuted by an IPv6 address under the default (dual-stack) cluster, and
/// proved where the cluster description says IPv4 only.
final class DualStackClaimTests: XCTestCase {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: db}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: pg, namespace: db, labels: {app: pg}}
        spec: {containers: [{name: pg, ports: [{containerPort: 5432}]}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: pg-from-anywhere-v6, namespace: db}
        spec:
          podSelector: {matchLabels: {app: pg}}
          ingress:
            - from: [{ipBlock: {cidr: "::/0"}}]
              ports: [{protocol: TCP, port: 5432}]
        """
    static let claims = """
        claims:
          - name: nobody-reaches-pg
            only:
              from: []
              to: {workload: db/pg}
              ports: [TCP/5432]
        """

    func check(_ assumptions: Assumptions) throws -> ClaimResult {
        let model = try loadModel(Self.manifests)
        let (file, errors) = ClaimsParser.load("-", stdin: { Data(Self.claims.utf8) })
        XCTAssertEqual(errors, [])
        return ClaimChecker(model: model, assumptions: assumptions).check(file!.claims[0])
    }

    func testRefutedByAnIPv6ClientUnderTheDefaultCluster() throws {
        let result = try check(Assumptions())
        XCTAssertEqual(result.verdict, .refuted)
        guard case .external(let client)? = result.counterexamples.first?.source else {
            return XCTFail("expected an external client, got \(result.counterexamples)")
        }
        XCTAssertEqual(client.family, .ipv6)
        XCTAssertTrue(result.counterexamples.allSatisfy { $0.source.pod == nil })
        XCTAssertEqual(result.admittedSources, ["external:::/0"])
    }

    func testProvedForAnIPv4OnlyClusterDescription() throws {
        let description = try ClusterDescription.load(try temporaryFile("ipFamilies: [IPv4]\n"))
        let assumptions = Assumptions(podCIDRs: description.podCIDRs, ipFamilies: description.ipFamilies)
        let result = try check(assumptions)
        XCTAssertEqual(result.verdict, .proved)
        XCTAssertEqual(result.admittedSources, [])
    }

    /// An external selector of a family the cluster does not use holds no client: the claim is an input error, not a
    /// vacuous proof.
    func testAnExternalRangeOfAFamilyNotInUseSelectsNothing() throws {
        let model = try loadModel(Self.manifests)
        let text = "claims:\n  - {name: c, denied: {from: {external: \"2001:db8::/32\"}, to: {workload: db/pg}}}\n"
        let (file, _) = ClaimsParser.load("-", stdin: { Data(text.utf8) })
        let ipv4 = ClaimChecker(model: model, assumptions: Assumptions(ipFamilies: [.ipv4])).validate(file!)
        XCTAssertEqual(ipv4.count, 1)
        XCTAssertTrue(ipv4.first?.message.contains("the cluster uses IPv4 only (A-IP-FAMILIES)") == true, "\(ipv4)")
        XCTAssertEqual(ClaimChecker(model: model, assumptions: Assumptions()).validate(file!), [])
    }

    /// The same claim as an anyone-could-create question: the solver path considers IPv6 clients too.
    func testTheSolverFindsTheIPv6Client() throws {
        let model = try loadModel(Self.manifests)
        let checker = ClaimChecker(model: model, assumptions: Assumptions())
        checker.solverOnly = true
        let (file, _) = ClaimsParser.load("-", stdin: { Data(Self.claims.utf8) })
        let result = checker.check(file!.claims[0])
        XCTAssertEqual(result.verdict, .refuted)
        XCTAssertEqual(result.counterexamples.first?.source.description.contains(":"), true)
    }

    func testQueriesFromIPv6Addresses() throws {
        let model = try loadModel(Self.manifests)
        func ask(_ assumptions: Assumptions, _ from: String) throws -> QueryAnswer {
            QueryEngine(checker: ClaimChecker(model: model, assumptions: assumptions)).answer(
                from: try QueryEndpoint.parse(from, labels: [:], model: model), fromText: from,
                to: try QueryEndpoint.parse("db/pg", labels: [:], model: model), toText: "db/pg",
                ports: [PortSpec.parse("TCP/5432")!])
        }
        XCTAssertEqual(try ask(Assumptions(), "external:2001:db8::1/128").verdict, .allowed)
        XCTAssertEqual(try ask(Assumptions(), "external:2001:db8::1").verdict, .allowed)
        XCTAssertEqual(try ask(Assumptions(), "external:192.0.2.1").verdict, .denied)
        let ipv4Only = try ask(Assumptions(ipFamilies: [.ipv4]), "external:2001:db8::1")
        XCTAssertEqual(ipv4Only.verdict, .unknown)
        XCTAssertTrue(ipv4Only.reason?.contains("A-IP-FAMILIES") == true, ipv4Only.reason ?? "")
        // The IPv6 pod network holds no external client.
        XCTAssertNotNil(try ask(Assumptions(), "external:fd00:10:244::5").reason)
    }

    func testTheCommandLineTakesTheClusterFamilies() throws {
        let binary = Paths.packageRoot.appendingPathComponent(".build/debug/reachproof").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("build the CLI first (swift build)")
        }
        let manifests = try temporaryFile(Self.manifests, name: "pg.yaml")
        let claims = try temporaryFile(Self.claims, name: "claims.yaml")
        let dual = try runProcess(binary, ["check", manifests, "--claims", claims])
        XCTAssertEqual(dual.status, 1, dual.output)
        XCTAssertTrue(dual.output.contains("A-IP-FAMILIES=IPv4,IPv6"), dual.output)
        let cluster = try temporaryFile("ipFamilies: [IPv4]\npodCIDR: 10.42.0.0/16\n", name: "cluster.yaml")
        let ipv4 = try runProcess(binary, ["check", manifests, "--claims", claims, "--cluster", cluster])
        XCTAssertEqual(ipv4.status, 0, ipv4.output)
        XCTAssertTrue(ipv4.output.contains("A-IP-FAMILIES=IPv4,") || ipv4.output.contains("A-IP-FAMILIES=IPv4)"))
        XCTAssertEqual(
            try runProcess(binary, ["check", manifests, "--claims", claims, "--ip-families", "ipv4"]).status, 0)
        XCTAssertEqual(
            try runProcess(binary, ["check", manifests, "--claims", claims, "--ip-families", "ip7"]).status, 2)
    }
}
