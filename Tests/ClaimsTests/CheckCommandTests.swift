import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims
@testable import Reporting

/// The shipped Verrazzano example and its claims, through the library and through the built CLI.
final class CheckCommandTests: XCTestCase {
    func results() throws -> [ClaimResult] {
        let (model, errors) = ModelLoader().load(paths: [
            Paths.packageRoot.appendingPathComponent("examples/verrazzano").path
        ])
        XCTAssertEqual(errors, [])
        let (file, claimErrors) = ClaimsParser.load(
            Paths.packageRoot.appendingPathComponent("policies/verrazzano.yaml").path)
        XCTAssertEqual(claimErrors, [])
        let checker = ClaimChecker(model: model, assumptions: Assumptions())
        XCTAssertEqual(checker.validate(file!), [])
        return file!.claims.map(checker.check)
    }

    /// Documented claims that the manifests refute stay in the claims file; their verdicts are recorded here.
    func testVerrazzanoVerdicts() throws {
        let verdicts = Dictionary(uniqueKeysWithValues: try results().map { ($0.claim.name, $0) })
        XCTAssertEqual(verdicts["only-nginx-reaches-authproxy"]?.verdict, .refuted)
        XCTAssertEqual(
            Set(verdicts["only-nginx-reaches-authproxy"]!.counterexamples.map { $0.source.description }),
            ["verrazzano-ingress-nginx/default-backend", "verrazzano-system/fluentd"])
        XCTAssertEqual(verdicts["opensearch-only-from-proxy-collector-dashboards"]?.verdict, .refuted)
        XCTAssertEqual(
            verdicts["opensearch-only-from-proxy-collector-dashboards"]?.counterexamples.map { $0.source.description },
            ["verrazzano-monitoring/prometheus"])
        XCTAssertEqual(verdicts["keycloak-only-from-nginx-controller"]?.verdict, .refuted)
        // Namespace labels are not an identity: a new namespace may carry the monitoring namespace's label.
        let tenant = try XCTUnwrap(verdicts["tenant-pods-cannot-reach-opensearch"])
        XCTAssertEqual(tenant.verdict, .refuted)
        guard case .pod(let spoofed)? = tenant.counterexamples.first?.source else {
            return XCTFail("expected a new pod")
        }
        XCTAssertNil(spoofed.workload)
        XCTAssertEqual(spoofed.namespaceLabels["verrazzano.io/namespace"], "verrazzano-monitoring")
        XCTAssertEqual(spoofed.labels["app.kubernetes.io/name"], "prometheus")
        for proved in [
            "nginx-and-fluentd-are-the-authproxy-clients", "nginx-reaches-authproxy", "mysql-only-from-keycloak",
            "keycloak-reaches-mysql",
            "internet-cannot-reach-mysql", "api-server-reaches-webhooks", "prometheus-scrapes-authproxy-sidecar",
            "authproxy-clients-with-mutual-tls", "opensearch-clients-with-mutual-tls",
            "keycloak-reaches-mysql-by-identity",
            "mysql-only-from-keycloak-by-identity", "internet-reaches-console-through-nginx",
            "internet-cannot-bypass-nginx",
        ] {
            XCTAssertEqual(verdicts[proved]?.verdict, .proved, proved)
        }
        let cex = verdicts["only-nginx-reaches-authproxy"]!.counterexamples.first {
            $0.source.description == "verrazzano-system/fluentd"
        }!
        XCTAssertEqual(cex.explanation.ingress?.rule?.path, "spec.ingress[1]")
        XCTAssertEqual(cex.explanation.ingress?.rule?.location.line, 15)
    }

    /// The same claims against the upstream manifests in place. The corpus refutes more documented claims than the
    /// example: MySQL also admits the MySQL operator (the router is selected as a destination by `tier: mysql`), and
    /// the router has no Service there, so keycloak's sidecar dials its pod address in plaintext, which STRICT
    /// rejects; Prometheus scrapes OpenSearch with its workload certificate; and the Ingresses name the class
    /// verrazzano-nginx, which no IngressClass of the corpus links to the controller (A-INGRESS-CLASS: unserved).
    func testVerrazzanoClaimsOnTheCorpus() throws {
        let corpus = Paths.shared("corpora/verrazzano")
        guard FileManager.default.fileExists(atPath: corpus) else {
            throw XCTSkip("../shared/corpora is absent; corpus check skipped")
        }
        let (model, errors) = ModelLoader().load(paths: [corpus])
        XCTAssertEqual(errors, [])
        let (file, _) = ClaimsParser.load(Paths.package("policies/verrazzano.yaml"))
        let checker = ClaimChecker(model: model, assumptions: Assumptions())
        XCTAssertEqual(checker.validate(file!), [])
        let results = Dictionary(uniqueKeysWithValues: file!.claims.map { ($0.name, checker.check($0)) })
        let refuted = Set(results.filter { $0.value.verdict == .refuted }.keys)
        XCTAssertEqual(
            refuted,
            [
                "only-nginx-reaches-authproxy", "opensearch-only-from-proxy-collector-dashboards",
                "mysql-only-from-keycloak",
                "tenant-pods-cannot-reach-opensearch", "keycloak-only-from-nginx-controller",
                "opensearch-clients-with-mutual-tls",
                "keycloak-reaches-mysql-by-identity", "mysql-only-from-keycloak-by-identity",
                "internet-reaches-console-through-nginx",
            ])
        let console = try XCTUnwrap(results["internet-reaches-console-through-nginx"]?.counterexamples.first?.path)
        XCTAssertTrue(console.route?.detail.contains("A-INGRESS-CLASS") ?? false, console.route?.detail ?? "no route")
        XCTAssertEqual(
            results["mysql-only-from-keycloak"]?.admittedSources,
            ["keycloak/keycloak", "mysql-operator/mysql-operator"])
        XCTAssertTrue(results.values.allSatisfy { $0.verdict != .unknown })
    }

    /// The online boutique's claims: all proved with the policies, the isolation claims refuted without them.
    func testOnlineBoutiqueWithAndWithoutPolicies() throws {
        let (file, claimErrors) = ClaimsParser.load(Paths.package("policies/online-boutique.yaml"))
        XCTAssertEqual(claimErrors, [])
        for (paths, expectRefuted) in [
            ([Paths.package("examples/online-boutique")], Set<String>()),
            (
                [Paths.package("examples/online-boutique/app")],
                [
                    "only-checkout-reaches-payment", "only-cart-reaches-redis", "catalog-clients",
                    "internet-reaches-only-the-storefront",
                    "loadgenerator-stays-on-the-storefront", "redis-opens-no-connections",
                    "redis-calls-nothing-outside", "no-new-pod-reaches-payment",
                ]
            ),
        ] {
            let (model, errors) = ModelLoader().load(paths: paths)
            XCTAssertEqual(errors, [])
            let checker = ClaimChecker(model: model, assumptions: Assumptions())
            XCTAssertEqual(checker.validate(file!), [])
            let results = file!.claims.map(checker.check)
            XCTAssertEqual(Set(results.filter { $0.verdict == .refuted }.map(\.claim.name)), expectRefuted, "\(paths)")
            XCTAssertEqual(results.filter { $0.verdict == .unknown }.count, 0)
        }
    }

    /// A hypothetical pod with spoofed labels: the claim over existing pods holds, over any pod it does not.
    func testHypotheticalPodRefutesWhatExistingPodsProve() throws {
        let (model, _) = ModelLoader().load(paths: [
            Paths.packageRoot.appendingPathComponent("examples/verrazzano").path
        ])
        let yaml = """
            claims:
              - name: existing
                only: {from: [{namespace: keycloak, pods: {app.kubernetes.io/name: keycloak}}], to: {workload: keycloak/mysql}, ports: [TCP/3306]}
              - name: any-pod
                universe: any
                only: {from: [{workload: keycloak/keycloak}], to: {workload: keycloak/mysql}, ports: [TCP/3306]}
            """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hyp-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        let (file, errors) = ClaimsParser.load(url.path)
        XCTAssertEqual(errors, [])
        let checker = ClaimChecker(model: model, assumptions: Assumptions())
        XCTAssertEqual(checker.check(file!.claims[0]).verdict, .proved)
        let any = checker.check(file!.claims[1])
        XCTAssertEqual(any.verdict, .refuted)
        guard case .pod(let p)? = any.counterexamples.first?.source else {
            return XCTFail("expected a hypothetical pod")
        }
        XCTAssertNil(p.workload)
        XCTAssertEqual(p.namespace, "keycloak")
        XCTAssertEqual(p.labels["app.kubernetes.io/name"], "keycloak")
    }

    func testClaimsFileErrorsNameFileAndLine() throws {
        let yaml = """
            claims:
              - name: bad
                denied:
                  from: {workload: nowhere/nothing}
                  to: {namespace: keycloak, pods: {tier: mysql}}
                  ports: [TCP/70000]
            """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        let (_, errors) = ClaimsParser.load(url.path)
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.location.line, 6)
        XCTAssertTrue(errors.first!.message.contains("TCP/70000"))
    }

    func testSarifValidatesAgainstTheSchema() throws {
        let sarif = ClaimsReport.sarif(try results(), toolVersion: "test")
        let problem: String?
        do { problem = try sarifSchemaProblem(sarif) } catch is SARIFValidatorMissing {
            throw XCTSkip("python3 jsonschema is not installed")
        }
        XCTAssertNil(problem)
        let log = try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as! [String: Any]
        let run = (log["runs"] as! [[String: Any]])[0]
        XCTAssertEqual((run["results"] as! [Any]).count, 4, "one result per refuted claim")
    }

    func testJUnitHasOneTestcasePerClaimAndFailuresForRefuted() throws {
        let xml = ClaimsReport.junit(try results())
        XCTAssertEqual(xml.components(separatedBy: "<testcase ").count - 1, 17)
        XCTAssertEqual(xml.components(separatedBy: "<failure ").count - 1, 4)
        XCTAssertTrue(xml.contains("tests=\"17\" failures=\"4\" errors=\"0\""))
    }

    func testExitCodes() throws {
        let binary = Paths.packageRoot.appendingPathComponent(".build/debug/reachproof").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("build the CLI first (swift build)")
        }
        let examples = Paths.packageRoot.appendingPathComponent("examples/verrazzano").path
        let refuted = try runProcess(
            binary,
            ["check", examples, "--claims", Paths.packageRoot.appendingPathComponent("policies/verrazzano.yaml").path])
        XCTAssertEqual(refuted.status, 1)
        XCTAssertTrue(refuted.output.contains("17 claim(s): 13 proved, 4 refuted, 0 unknown"))
        let proved = FileManager.default.temporaryDirectory.appendingPathComponent("ok-\(UUID().uuidString).yaml")
        try
            "claims:\n  - name: db\n    denied:\n      from: {external: 0.0.0.0/0}\n      to: {workload: keycloak/mysql}\n      ports: [TCP/3306]\n"
            .write(to: proved, atomically: true, encoding: .utf8)
        XCTAssertEqual(try runProcess(binary, ["check", examples, "--claims", proved.path]).status, 0)
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).yaml")
        try
            "claims:\n  - name: db\n    denied:\n      from: {external: 10.0.0.0/33}\n      to: {workload: keycloak/mysql}\n"
            .write(to: broken, atomically: true, encoding: .utf8)
        let bad = try runProcess(binary, ["check", examples, "--claims", broken.path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.output.contains("\(broken.path):4:"), bad.output)
    }

    /// A graph of more pairs than Graphviz can lay out is refused with exit 2 and what to do instead; the HTML report
    /// leaves out more pairs than it can carry and says so; the lists are streamed at any size.
    func testLargeMapsAreRefusedByDotLeftOutOfTheReportAndStreamedAsLists() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        // 460 workloads and no policy: every pair connects, 211,140 pairs between workloads alone.
        let file = try openClusterFile(deployments: 460)
        defer { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
        let dot = try runProcess(cli, ["map", file, "--format", "dot"])
        XCTAssertEqual(dot.status, 2, String(dot.output.prefix(300)))
        XCTAssertTrue(
            dot.output.contains("more than the \(DotReport.pairLimit) a graph can show; focus it with --namespace"),
            String(dot.output.prefix(300)))
        // A focused map is small enough to draw.
        let focused = try runProcess(cli, ["map", file, "--format", "dot", "--namespace", "ns0"])
        XCTAssertEqual(focused.status, 0, String(focused.output.prefix(300)))
        // The table and JSON are streamed whatever the size, with their counts.
        let table = try runProcess(cli, ["map", file, "--format", "table"])
        XCTAssertEqual(table.status, 0)
        let rows = table.output.split(separator: "\n")
        XCTAssertEqual(
            rows.last.map(String.init),
            "\(rows.count - 2) allowed pair(s) (layer netpol); external:any is every address outside the pod network")
        XCTAssertGreaterThan(rows.count, DotReport.pairLimit)
        // A full disk stops the list with exit 2 and the reason.
        let full = try runProcess("/bin/sh", ["-c", "\"$0\" map \"$1\" --format pairs > /dev/full", cli, file])
        XCTAssertEqual(full.status, 2, full.output)
        XCTAssertTrue(full.output.contains("error: cannot write standard output: No space left on device"), full.output)
        let json = try runProcess(cli, ["map", file, "--format", "json"])
        XCTAssertEqual(json.status, 0)
        let objects = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: String]]
        XCTAssertEqual(objects?.count, rows.count - 2)
        let claims = try temporaryFile(
            "claims:\n  - name: c\n    denied:\n      from: {namespace: ns0}\n      to: {namespace: ns1}\n      ports: [TCP/1]\n",
            name: "claims.yaml")
        let page = (file as NSString).deletingLastPathComponent + "/report.html"
        let report = try runProcess(cli, ["report", file, "--claims", claims, "--out", page])
        XCTAssertEqual(report.status, 0, report.output)
        XCTAssertTrue(report.output.contains("\(rows.count - 2) pairs, not carried: more than 200000"), report.output)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertTrue(html.contains("\(rows.count - 2) allowed workload pair(s)"))
        XCTAssertTrue(html.contains("This page carries none of the \(rows.count - 2) pairs"))
        XCTAssertLessThan(html.utf8.count, 1_000_000, "the page holds the namespace matrix, not the pairs")
    }

    /// Usage errors exit 2 like other input errors, naming the option and the values it accepts; no argument at all
    /// is one too.
    func testUsageErrorsExitTwo() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let examples = Paths.package("examples/verrazzano")
        XCTAssertEqual(try runProcess(cli, []).status, 2)
        let format = try runProcess(cli, ["lint", examples, "--format", "junit"])
        XCTAssertEqual(format.status, 2, format.output)
        XCTAssertTrue(format.output.contains("--format: 'junit' is not one of text, json, sarif"), format.output)
        let unknown = try runProcess(cli, ["check", examples, "--claims", "x.yaml", "--format", "xml"])
        XCTAssertEqual(unknown.status, 2, unknown.output)
        XCTAssertTrue(unknown.output.contains("text, json, sarif, junit"), unknown.output)
        let claims = try runProcess(
            cli, ["map", examples, "--claims", Paths.package("policies/verrazzano.yaml"), "--format", "table"])
        XCTAssertEqual(claims.status, 2, claims.output)
        XCTAssertTrue(claims.output.contains("--claims draws refuted flows in the graph"), claims.output)
        XCTAssertEqual(try runProcess(cli, ["map", examples, "--nonsense"]).status, 2)
        // A focus that names nothing is an error, not an empty map.
        for (option, value) in [("--workload", "keycloak/nothing"), ("--namespace", "nowhere")] {
            let focus = try runProcess(cli, ["map", examples, option, value])
            XCTAssertEqual(focus.status, 2, focus.output)
            XCTAssertTrue(focus.output.contains("\(option): no "), focus.output)
        }
        // map offers only the layer it decides.
        let layer = try runProcess(cli, ["map", examples, "--layer", "mesh"])
        XCTAssertEqual(layer.status, 2, layer.output)
        XCTAssertTrue(layer.output.contains("Please provide one of 'auto' and 'netpol'"), layer.output)
        XCTAssertFalse(try runProcess(cli, ["map", "--help"]).output.contains("netpol, mesh"))
    }

    /// `--layer` evaluates every claim at one layer, whatever its own; a mesh claim about a pod that could be
    /// created is UNKNOWN with the reason.
    func testLayerOverride() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let claims = try temporaryFile(
            "claims:\n  - name: m\n    layer: mesh\n    denied: {from: {external: 0.0.0.0/0}, to: {workload: keycloak/mysql}}\n"
        )
        let mesh = try runProcess(cli, ["check", Paths.package("examples/verrazzano"), "--claims", claims])
        XCTAssertEqual(mesh.status, 0, mesh.output)
        XCTAssertTrue(mesh.output.contains("PROVED  m  [layer mesh"), mesh.output)
        let netpol = try runProcess(
            cli, ["check", Paths.package("examples/verrazzano"), "--claims", claims, "--layer", "netpol"])
        XCTAssertEqual(netpol.status, 0, netpol.output)
        XCTAssertTrue(netpol.output.contains("PROVED  m  [layer netpol"), netpol.output)
        // End to end, a new pod could also go through a proxy: claims about pods that could be created stay UNKNOWN.
        let anyPod = try temporaryFile(
            "claims:\n  - name: n\n    layer: end-to-end\n    denied: {from: {namespace: keycloak, universe: any}, to: {workload: keycloak/mysql}}\n"
        )
        let unknown = try runProcess(cli, ["check", Paths.package("examples/verrazzano"), "--claims", anyPod])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(
            unknown.output.contains("reason: the end-to-end layer is decided for declared workloads"), unknown.output)
    }
}
