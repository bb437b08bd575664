import TestSupport
import XCTest

/// The reports users and CI read, compared byte for byte with reviewed golden files that live beside the
/// example they come from (`examples/NAME/golden/`). Run with REACHPROOF_UPDATE_GOLDEN=1 to rewrite them after
/// an intended change, then review the diff before committing.
final class GoldenOutputTests: XCTestCase {
    func compare(_ args: [String], golden: String, expectStatus: Int32) throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        // Relative paths, so the outputs name files as a user in the repository would see them.
        let (status, output) = try runProcess(cli, args, in: Paths.packageRoot.path)
        XCTAssertEqual(status, expectStatus, output)
        let path = Paths.package(golden)
        if ProcessInfo.processInfo.environment["REACHPROOF_UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try output.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        if output != expected {
            let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let b = output.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            XCTFail(
                "\(golden) differs at line \(first + 1):\n expected: \(first < a.count ? a[first] : "<end>")\n   actual: \(first < b.count ? b[first] : "<end>")"
            )
        }
    }

    /// A live-cluster dump mid-rollout: its inventory (pods standing for templates, one finished pod), its map (the
    /// rollout's ReplicaSets and the StatefulSet's pods told apart) and its claims.
    func testClusterDumpInventoryMapAndCheck() throws {
        try compare(
            ["inventory", "examples/cluster-dump"], golden: "examples/cluster-dump/golden/inventory.text.golden",
            expectStatus: 0)
        try compare(
            ["map", "examples/cluster-dump"], golden: "examples/cluster-dump/golden/map.text.golden", expectStatus: 0)
        try compare(
            ["check", "examples/cluster-dump", "--claims", "policies/cluster-dump.yaml"],
            golden: "examples/cluster-dump/golden/check.text.golden", expectStatus: 1)
    }

    /// ClusterNetworkPolicy in both tiers beside a tenant's NetworkPolicy: counterexamples name the admitting rule.
    func testClusterNetworkPolicyCheck() throws {
        try compare(
            ["check", "examples/cluster-network-policy", "--claims", "policies/cluster-network-policy.yaml"],
            golden: "examples/cluster-network-policy/golden/check.text.golden", expectStatus: 1)
        try compare(
            ["map", "examples/cluster-network-policy"],
            golden: "examples/cluster-network-policy/golden/map.text.golden", expectStatus: 0)
    }

    /// Gateway API: the shop's claims, the entry paths of its map, its lint findings, and a request through the
    /// storefront's route to a Service of another namespace that no ReferenceGrant permits.
    func testGatewayAPICheckMapLintAndQuery() throws {
        try compare(
            ["check", "examples/gateway-api", "--claims", "policies/gateway-api.yaml"],
            golden: "examples/gateway-api/golden/check.text.golden", expectStatus: 0)
        try compare(
            ["map", "examples/gateway-api"], golden: "examples/gateway-api/golden/map.text.golden", expectStatus: 0)
        try compare(
            ["lint", "examples/gateway-api"], golden: "examples/gateway-api/golden/lint.text.golden", expectStatus: 1)
        try compare(
            [
                "query", "examples/gateway-api", "--from", "external:203.0.113.0/24", "--to", "reports/reporting",
                "--port", "TCP/7000", "--host", "www.shop.example.com", "--path", "/reports/q3", "--via",
                "route:shop/storefront",
            ], golden: "examples/gateway-api/golden/query-reports.text.golden", expectStatus: 1)
    }

    /// The Ingress -> Gateway API migration: the translation that lost the catalog's route is refuted by a
    /// concrete request, and proved equivalent once the route is added.
    func testIngressMigrationEquivalence() throws {
        let base = "examples/ingress-migration"
        try compare(
            ["equiv-routes", "\(base)/ingress", "\(base)/gateway", "--with", "\(base)/app"],
            golden: "\(base)/golden/equiv-refuted.text.golden", expectStatus: 1)
        try compare(
            ["equiv-routes", "\(base)/ingress", "\(base)/gateway,\(base)/fix", "--with", "\(base)/app"],
            golden: "\(base)/golden/equiv-proved.text.golden", expectStatus: 0)
    }

    /// CiliumNetworkPolicies and a CiliumClusterwideNetworkPolicy: L3/L4 allows confined to a namespace, a selector
    /// that names another namespace, a clusterwide deny, an L7 rule decided at the connection; counterexamples and
    /// queries name the Cilium rule with file:line.
    func testCiliumStarshipCheckMapAndQuery() throws {
        try compare(
            ["check", "examples/cilium-starship", "--claims", "policies/cilium-starship.yaml"],
            golden: "examples/cilium-starship/golden/check.text.golden", expectStatus: 1)
        try compare(
            ["map", "examples/cilium-starship"], golden: "examples/cilium-starship/golden/map.text.golden",
            expectStatus: 0)
        try compare(
            [
                "query", "examples/cilium-starship", "--from", "starship/xwing", "--to", "starship/deathstar", "--port",
                "TCP/80", "--explain",
            ], golden: "examples/cilium-starship/golden/query-xwing.text.golden", expectStatus: 1)
    }

    /// Clusterwide Cilium baselines, namespaced CiliumNetworkPolicies and a Kubernetes NetworkPolicy on the same pods:
    /// allows of all three ORed, a deny policy that also puts egress into default deny, IPv6 outside addresses.
    func testCiliumClusterwideCheckAndMap() throws {
        try compare(
            ["check", "examples/cilium-clusterwide", "--claims", "policies/cilium-clusterwide.yaml"],
            golden: "examples/cilium-clusterwide/golden/check.text.golden", expectStatus: 1)
        try compare(
            ["map", "examples/cilium-clusterwide"], golden: "examples/cilium-clusterwide/golden/map.text.golden",
            expectStatus: 0)
    }

    /// An operator-managed monitoring stack: the Prometheus and Alertmanager pods exist through the operator's
    /// resources, and template text in rules and dashboards is data.
    func testMonitoringStackMapAndLint() throws {
        try compare(
            ["map", "examples/monitoring-stack"], golden: "examples/monitoring-stack/golden/map.text.golden",
            expectStatus: 0)
        try compare(
            ["lint", "examples/monitoring-stack"], golden: "examples/monitoring-stack/golden/lint.text.golden",
            expectStatus: 0)
    }

    func testVerrazzanoCheckText() throws {
        try compare(
            ["check", "examples/verrazzano", "--claims", "policies/verrazzano.yaml"],
            golden: "examples/verrazzano/golden/check.text.golden", expectStatus: 1)
    }

    func testVerrazzanoCheckJSON() throws {
        try compare(
            ["check", "examples/verrazzano", "--claims", "policies/verrazzano.yaml", "--format", "json"],
            golden: "examples/verrazzano/golden/check.json.golden", expectStatus: 1)
    }

    func testVerrazzanoCheckSARIF() throws {
        try compare(
            ["check", "examples/verrazzano", "--claims", "policies/verrazzano.yaml", "--format", "sarif"],
            golden: "examples/verrazzano/golden/check.sarif.golden", expectStatus: 1)
    }

    func testVerrazzanoCheckJUnit() throws {
        try compare(
            ["check", "examples/verrazzano", "--claims", "policies/verrazzano.yaml", "--format", "junit"],
            golden: "examples/verrazzano/golden/check.junit.golden", expectStatus: 1)
    }

    func testVerrazzanoQueryExplain() throws {
        try compare(
            [
                "query", "examples/verrazzano", "--from", "verrazzano-ingress-nginx/ingress-controller", "--to",
                "verrazzano-system/verrazzano-authproxy",
                "--port", "TCP/8775", "--explain",
            ], golden: "examples/verrazzano/golden/query-authproxy.text.golden", expectStatus: 0)
    }

    func testVerrazzanoRequestThroughTheIngressController() throws {
        try compare(
            [
                "query", "examples/verrazzano", "--from", "external:203.0.113.7", "--to",
                "verrazzano-system/svc/verrazzano-authproxy",
                "--host", "verrazzano.default.example.com", "--path", "/console", "--port", "TCP/443",
            ],
            golden: "examples/verrazzano/golden/query-through-ingress.text.golden", expectStatus: 0)
    }

    func testGuestbookCheckAndIngressQuery() throws {
        try compare(
            ["check", "examples/guestbook", "--claims", "policies/guestbook.yaml"],
            golden: "examples/guestbook/golden/check.text.golden", expectStatus: 0)
        try compare(
            [
                "query", "examples/guestbook", "--from", "external:198.51.100.7", "--to", "blog/svc/wordpress",
                "--host", "apps.example.com", "--path", "/blog/wp-admin",
            ], golden: "examples/guestbook/golden/query-blog.text.golden", expectStatus: 0)
    }

    func testOnlineBoutiqueCheckAndMap() throws {
        try compare(
            ["check", "examples/online-boutique", "--claims", "policies/online-boutique.yaml"],
            golden: "examples/online-boutique/golden/check.text.golden", expectStatus: 0)
        try compare(
            ["map", "examples/online-boutique"], golden: "examples/online-boutique/golden/map.text.golden",
            expectStatus: 0)
    }

    func testBookinfoCheckAndMeshQueries() throws {
        try compare(
            ["check", "examples/bookinfo", "--claims", "policies/bookinfo.yaml"],
            golden: "examples/bookinfo/golden/check.text.golden", expectStatus: 0)
        try compare(
            [
                "query", "examples/bookinfo", "--from", "tools/curl", "--to", "bookinfo/svc/details", "--port",
                "TCP/9080", "--layer", "mesh",
            ],
            golden: "examples/bookinfo/golden/query-curl-details.text.golden", expectStatus: 1)
        try compare(
            [
                "query", "examples/bookinfo", "--from", "external:203.0.113.7", "--to",
                "istio-system/istio-ingressgateway", "--port", "TCP/8080",
                "--layer", "end-to-end", "--host", "shop.example.com", "--path", "/productpage", "--method", "GET",
            ],
            golden: "examples/bookinfo/golden/query-through-gateway.text.golden", expectStatus: 0)
    }

    func testIstioIngressCheck() throws {
        try compare(
            ["check", "examples/istio-ingress", "--claims", "policies/istio-ingress.yaml"],
            golden: "examples/istio-ingress/golden/check.text.golden", expectStatus: 1)
    }

    func testOnlineBoutiqueDiff() throws {
        try compare(
            ["diff", "examples/online-boutique/app", "examples/online-boutique"],
            golden: "examples/online-boutique/golden/diff.text.golden", expectStatus: 0)
        try compare(
            ["diff", "examples/online-boutique/app", "examples/online-boutique", "--format", "markdown"],
            golden: "examples/online-boutique/golden/diff.md.golden", expectStatus: 0)
    }

    func testLintOnTheExamples() throws {
        try compare(
            ["lint", "examples/verrazzano"], golden: "examples/verrazzano/golden/lint.text.golden", expectStatus: 1)
        try compare(
            ["lint", "examples/bookinfo"], golden: "examples/bookinfo/golden/lint.text.golden", expectStatus: 0)
    }

    /// The generated policies for the online boutique and the command's report (rules with their reasons, counts).
    func testOnlineBoutiqueSuggestion() throws {
        let out = ".build/golden-suggest"
        try? FileManager.default.removeItem(atPath: Paths.package(out))
        try compare(
            [
                "suggest", "examples/online-boutique/app", "--intent", "policies/online-boutique-intent.yaml", "--out",
                out,
            ],
            golden: "examples/online-boutique/golden/suggest.text.golden", expectStatus: 0)
        let yaml = try String(contentsOfFile: Paths.package(out + "/onlineboutique.yaml"), encoding: .utf8)
        let golden = Paths.package("examples/online-boutique/golden/suggested-onlineboutique.yaml.golden")
        if ProcessInfo.processInfo.environment["REACHPROOF_UPDATE_GOLDEN"] != nil {
            try yaml.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(yaml, try String(contentsOfFile: golden, encoding: .utf8))
        // The same report as JSON.
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let (status, json) = try runProcess(
            cli,
            [
                "suggest", "examples/online-boutique/app", "--intent", "policies/online-boutique-intent.yaml", "--out",
                out, "--format", "json",
            ], in: Paths.packageRoot.path)
        XCTAssertEqual(status, 0, json)
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual(report?["verification"] as? String, "PASSED")
        XCTAssertEqual((report?["before"] as? [String: Any])?["pairs"] as? Int, 156)
        XCTAssertEqual((report?["after"] as? [String: Any])?["pairs"] as? Int, 17)
        // Its own output lints without a warning: the DNS rule aims at kube-system, which the input does not hold.
        let (lintStatus, lint) = try runProcess(
            cli, ["lint", "examples/online-boutique/app", out], in: Paths.packageRoot.path)
        XCTAssertEqual(lintStatus, 0, lint)
        XCTAssertTrue(lint.contains("0 warning(s)") && lint.contains("whose pods are not in the input"), lint)
    }
}
