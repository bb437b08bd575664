import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims

/// End-to-end claims through Gateway API Gateways (examples/gateway-api, policies/gateway-api.yaml).
final class GatewayAPIClaimTests: XCTestCase {
    func checker(_ paths: [String] = [Paths.package("examples/gateway-api")], assumptions: Assumptions = Assumptions())
        throws -> ClaimChecker
    {
        let (model, errors) = ModelLoader().load(paths: paths)
        XCTAssertEqual(errors, [])
        return ClaimChecker(model: model, assumptions: assumptions)
    }

    func check(_ checker: ClaimChecker, _ yaml: String) throws -> [String: ClaimResult] {
        let (file, errors) = ClaimsParser.load(try temporaryFile(yaml))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(checker.validate(file!), [])
        return Dictionary(uniqueKeysWithValues: file!.claims.map { ($0.name, checker.check($0)) })
    }

    func testExampleClaimsAreDecided() throws {
        let c = try checker()
        let (file, errors) = ClaimsParser.load(Paths.package("policies/gateway-api.yaml"))
        XCTAssertEqual(errors, [])
        for claim in file!.claims { XCTAssertEqual(c.check(claim).verdict, .proved, claim.name) }
    }

    /// An end-to-end path through an HTTPRoute names the listener, the route rule and the backend pod, each with
    /// file:line.
    func testPathNamesListenerRuleAndBackendPod() throws {
        let results = try check(
            try checker(),
            """
            claims:
              - name: checkout-is-closed
                layer: end-to-end
                http: {method: POST, path: /checkout, host: www.shop.example.com}
                denied: {from: {external: 203.0.113.0/24}, to: {workload: payments/checkout}, ports: [TCP/8443]}
            """)
        let r = try XCTUnwrap(results["checkout-is-closed"])
        XCTAssertEqual(r.verdict, .refuted)
        let path = try XCTUnwrap(r.counterexamples.first?.path)
        let route = try XCTUnwrap(path.route?.detail)
        XCTAssertTrue(route.contains("listener https (") && route.contains("10-gateway.yaml:17"), route)
        XCTAssertTrue(
            route.contains("HTTPRoute shop/storefront spec.rules[0].matches[0]") && route.contains("30-routes.yaml:"),
            route)
        XCTAssertTrue(route.contains("ReferenceGrant payments/shop-to-checkout"), route)
        XCTAssertEqual(path.hops.map(\.destinationName), ["edge/public-istio", "payments/checkout"])
        let admitted = path.hops.last?.network.ingress?.rule?.location.description ?? ""
        XCTAssertTrue(admitted.hasSuffix("40-networkpolicies.yaml:31"), admitted)
    }

    /// Only a cross-namespace backendRef without a ReferenceGrant leads to reports: that path is denied, and the
    /// reason names the missing grant.
    func testBackendWithoutReferenceGrantIsDeniedWithTheReason() throws {
        let results = try check(
            try checker(),
            """
            claims:
              - name: reports-published
                layer: end-to-end
                http: {method: GET, path: /reports/q3, host: www.shop.example.com}
                via: {route: shop/storefront}
                allowed: {from: {external: 203.0.113.0/24}, to: {workload: reports/reporting}, ports: [TCP/7000]}
            """)
        let r = try XCTUnwrap(results["reports-published"])
        XCTAssertEqual(r.verdict, .refuted)
        let detail = r.counterexamples.first?.path?.route?.detail ?? ""
        XCTAssertTrue(detail.contains("no ReferenceGrant in reports permits HTTPRoutes of shop"), detail)
    }

    /// A Gateway whose pods are not in the input: paths its routes could take are UNKNOWN, not absent; naming the
    /// pods decides them.
    func testGatewayWithoutPodsIsUndecidedUntilNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gwapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let example = Paths.package("examples/gateway-api")
        for f in try FileManager.default.contentsOfDirectory(atPath: example) where f.hasSuffix(".yaml") {
            var text = try String(contentsOfFile: example + "/" + f, encoding: .utf8)
            // The gateway's Deployment relabelled: nothing marks it as the Gateway's pods any more.
            text = text.replacingOccurrences(
                of: "labels: {gateway.networking.k8s.io/gateway-name: public, istio.io/gateway-name: public}",
                with:
                    "labels: {gateway.networking.k8s.io/gateway-name: public, istio.io/gateway-name: public, edge: proxy}"
            )
            text = text.replacingOccurrences(
                of:
                    "metadata: {name: public-istio, namespace: edge}\nspec:\n  selector: {matchLabels: {gateway.networking.k8s.io/gateway-name: public}}\n  template:\n    metadata:\n      labels: {gateway.networking.k8s.io/gateway-name: public, istio.io/gateway-name: public, edge: proxy}",
                with:
                    "metadata: {name: public-istio, namespace: edge}\nspec:\n  selector: {matchLabels: {edge: proxy}}\n  template:\n    metadata:\n      labels: {edge: proxy}"
            )
            try text.write(to: dir.appendingPathComponent(f), atomically: true, encoding: .utf8)
        }
        let claim = """
            claims:
              - name: storefront-reached
                layer: end-to-end
                allowed: {from: {external: 0.0.0.0/0}, to: {workload: shop/storefront}, ports: [TCP/8080]}
            """
        let undecided = try XCTUnwrap(try check(try checker([dir.path]), claim)["storefront-reached"])
        XCTAssertEqual(undecided.verdict, .unknown)
        XCTAssertTrue(undecided.reason?.contains("--gateway-pods edge/public") ?? false, undecided.reason ?? "")
        var a = Assumptions()
        a.gatewayPods = ["edge/public": ["edge/public-istio"]]
        // Decided now: the relabelled pods are not the ones the NetworkPolicies of shop admit.
        let decided = try XCTUnwrap(try check(try checker([dir.path], assumptions: a), claim)["storefront-reached"])
        XCTAssertEqual(decided.verdict, .refuted)
        XCTAssertEqual(decided.counterexamples.first?.path?.hops.last?.network.ingress?.effect, .deny)
    }
}
