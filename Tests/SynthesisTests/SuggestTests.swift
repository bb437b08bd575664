import Claims
import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Synthesis

/// `reachproof suggest`: generated policies admit exactly the intended flows, proved on the manifests they apply to.
final class SuggestTests: XCTestCase {
    func load(_ paths: [String]) -> ClusterModel {
        let (model, errors) = ModelLoader().load(paths: paths)
        XCTAssertEqual(errors, [])
        return model
    }

    /// Synthesizes for an intent, writes the files, loads them back and verifies.
    func suggest(
        _ model: ClusterModel, intent path: String, kinds: Set<PolicySynthesizer.Kind>, layer: Layer = .netpol
    )
        throws -> (PolicySynthesizer.Output, ClusterModel, SuggestionVerifier.Report)
    {
        let checker = ClaimChecker(model: model, assumptions: Assumptions())
        let intent = try Intent.load(path, model: model, checker: checker)
        let output = PolicySynthesizer(evaluator: checker.evaluator, flows: intent.flows, kinds: kinds).generate()
        let files = try output.files.map { try temporaryFile($0.value, name: "\($0.key).yaml") }
        // The generated YAML parses back through the loader, with no error.
        let generated = load(files)
        let report = SuggestionVerifier.verify(
            original: model, generated: generated, output: output, kinds: kinds, intent: intent,
            assumptions: Assumptions(), layer: layer)
        return (output, generated, report)
    }

    func testOnlineBoutiqueCallGraph() throws {
        let model = load([Paths.package("examples/online-boutique/app")])
        let (output, generated, report) = try suggest(
            model, intent: Paths.package("policies/online-boutique-intent.yaml"), kinds: [.networkPolicy])
        XCTAssertTrue(report.passed, report.failures.joined(separator: "\n"))
        XCTAssertEqual(report.pairsAfter, 17)  // the 16 service calls and the internet to the frontend
        // default deny, DNS, 11 ingress and 5 egress policies
        XCTAssertEqual(generated.networkPolicies.count, 2 + 11 + 5)
        // Selectors use the stable `app` label, one label each; named ports where the pod names the port.
        XCTAssertTrue(output.selectors.values.allSatisfy { $0.count == 1 && $0["app"] != nil })
        XCTAssertTrue(output.files["onlineboutique"]!.contains("port: grpc"))
        // Every rule has a reason.
        XCTAssertTrue(output.reasons.allSatisfy { !$0.intents.isEmpty })
    }

    /// The same call graph written as CiliumNetworkPolicies (`--dialect cilium`): loaded back, proved, and the same
    /// pairs as the NetworkPolicy suggestion.
    func testOnlineBoutiqueAsCiliumNetworkPolicies() throws {
        let model = load([Paths.package("examples/online-boutique/app")])
        let (output, generated, report) = try suggest(
            model, intent: Paths.package("policies/online-boutique-intent.yaml"), kinds: [.ciliumNetworkPolicy])
        XCTAssertTrue(report.passed, report.failures.joined(separator: "\n"))
        XCTAssertEqual(report.pairsAfter, 17)
        XCTAssertEqual(generated.networkPolicies.count, 0)
        XCTAssertEqual(generated.ciliumPolicies.count, 2 + 11 + 5)
        XCTAssertEqual(generated.ciliumPolicies.flatMap(\.unmodelled), [])
        XCTAssertTrue(output.files["onlineboutique"]!.contains("toPorts: [{ports: [{port: \"grpc\", protocol: TCP}]}]"))
    }

    /// With the corpus's call graph as the intent: proved, and no more pairs than the upstream policies allow.
    func testCorpusIntentAgainstUpstreamPolicies() throws {
        let corpus = Paths.shared("corpora/online-boutique/netpol")
        guard FileManager.default.fileExists(atPath: corpus) else { throw XCTSkip("../shared/corpora is absent") }
        let model = load([Paths.package("examples/online-boutique/app")])
        let (_, _, report) = try suggest(model, intent: corpus + "/expected.yaml", kinds: [.networkPolicy])
        XCTAssertTrue(report.passed, report.failures.joined(separator: "\n"))
        let upstream = ConnectivityMap(evaluator: Evaluator(model: load([corpus]), assumptions: Assumptions()))
            .readablePairs.count
        XCTAssertLessThanOrEqual(report.pairsAfter, upstream)
    }

    /// network-config-analyzer (installed by ../shared/oracle/install.sh into .venv-nca) gives the same pair list for
    /// the suggested policies.
    func testNCAAgreesOnTheSuggestedPolicies() throws {
        let corpus = Paths.shared("corpora/online-boutique/netpol")
        guard FileManager.default.fileExists(atPath: corpus) else { throw XCTSkip("../shared/corpora is absent") }
        guard let cli = Paths.cli, FileManager.default.isExecutableFile(atPath: Paths.package(".venv-nca/bin/nca"))
        else {
            throw XCTSkip(
                "NCA is not installed (../shared/oracle/install.sh .venv-nca): the oracle comparison is skipped")
        }
        let model = load([Paths.package("examples/online-boutique/app")])
        let (output, _, report) = try suggest(model, intent: corpus + "/expected.yaml", kinds: [.networkPolicy])
        XCTAssertTrue(report.passed)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nca-suggest-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for f in try FileManager.default.contentsOfDirectory(atPath: Paths.package("examples/online-boutique/app")) {
            try FileManager.default.copyItem(
                atPath: Paths.package("examples/online-boutique/app/\(f)"), toPath: dir + "/" + f)
        }
        try output.files["onlineboutique"]!.write(toFile: dir + "/30-suggested.yaml", atomically: true, encoding: .utf8)
        let nca = try runProcess(
            "/usr/bin/env",
            [
                "python3", Paths.shared("oracle/nca_pairs.py"), "--drop-livesim", "--nca",
                Paths.package(".venv-nca/bin/nca"), dir,
            ])
        XCTAssertEqual(nca.status, 0, nca.output)
        let ours = try runProcess(cli, ["map", dir, "--format", "pairs"])
        let a = try temporaryFile(nca.output, name: "nca.txt")
        let b = try temporaryFile(ours.output, name: "rp.txt")
        let compared = try runProcess("/usr/bin/env", ["python3", Paths.shared("oracle/compare.py"), a, b])
        XCTAssertEqual(compared.status, 0, compared.output)
        XCTAssertTrue(compared.output.contains(" 0 failed"), compared.output)
    }

    /// The book shop without its own security policies: the generated AuthorizationPolicies and STRICT mTLS admit
    /// the gateway to the product page, the product page to details and reviews, and reviews to ratings, only.
    func testBookinfoAuthorizationPolicies() throws {
        let dir = Paths.package("examples/bookinfo")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
            $0.hasSuffix(".yaml") && !$0.hasPrefix("30-")
        }.map { dir + "/" + $0 }
        let model = load(files)
        let (_, generated, report) = try suggest(
            model, intent: Paths.package("policies/bookinfo-intent.yaml"), kinds: [.authorizationPolicy], layer: .mesh)
        XCTAssertTrue(report.passed, report.failures.joined(separator: "\n"))
        XCTAssertGreaterThan(report.pairsBefore, report.pairsAfter)
        XCTAssertEqual(generated.peerAuthentications.map(\.mode), [.strict])
        XCTAssertEqual(
            Set(generated.authorizationPolicies.map(\.name)),
            [
                "details-v1-allow", "productpage-v1-allow", "ratings-v1-allow", "reviews-v1-allow", "reviews-v2-allow",
                "reviews-v3-allow",
            ])
        // The intent names GET for details: the rule carries it.
        let details = try XCTUnwrap(generated.authorizationPolicies.first { $0.name == "details-v1-allow" })
        XCTAssertEqual(details.rules.first?.to?.first?.methods.values, ["GET"])
    }

    func testFromCurrentOnVerrazzanoKeepsEveryProvedClaim() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("suggest-vz-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, output) = try runProcess(
            cli,
            ["suggest", "examples/verrazzano", "--intent", "policies/verrazzano.yaml", "--from-current", "--out", out],
            in: Paths.packageRoot.path)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(
            output.contains(
                "allowed now, needed by no claim: verrazzano-ingress-nginx/default-backend -> verrazzano-system/verrazzano-authproxy TCP/8775"
            ), output)
        XCTAssertTrue(
            output.contains("not kept as a constraint (not proved today): only-nginx-reaches-authproxy"), output)
        XCTAssertTrue(output.contains("PASSED"), output)
    }

    func testAContradictoryIntentFailsVerification() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let intent = try temporaryFile(
            """
            claims:
              - {name: cart, allowed: {from: {workload: onlineboutique/frontend}, to: {workload: onlineboutique/cartservice}, ports: [TCP/7070]}}
              - {name: no-cart, denied: {from: {workload: onlineboutique/frontend}, to: {workload: onlineboutique/cartservice}}}
            """)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("suggest-bad-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, output) = try runProcess(
            cli, ["suggest", "examples/online-boutique/app", "--intent", intent, "--out", out],
            in: Paths.packageRoot.path)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("claim no-cart"), output)
        XCTAssertTrue(output.contains("FAILED"), output)
    }
}
