import KubeModel
import TestSupport
import XCTest

@testable import Reachability
@testable import Reporting

final class NamespaceSummaryTests: XCTestCase {
    /// Two namespaces, one of them named `external`. Its only workload admits ingress from `shop` on TCP/8080;
    /// nothing limits egress.
    private let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: external}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: external}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: c, image: x}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: from-shop, namespace: external}
        spec:
          podSelector: {}
          policyTypes: [Ingress]
          ingress:
            - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
              ports: [{port: 8080}]
        """

    private func rows(_ map: ConnectivityMap) -> [String] {
        NamespaceSummary(map).rows.map { "\($0.source) -> \($0.destination) \($0.connected)/\($0.pairs) \($0.conns)" }
    }

    /// A namespace called `external` is a namespace: the outside world never merges with it, in the whole map or in a
    /// map focused on either namespace (the two are computed differently), and the text tells them apart.
    func testANamespaceNamedExternalIsNotTheOutside() throws {
        let evaluator = Evaluator(model: try loadModel(manifests), assumptions: Assumptions())
        let full = [
            "external -> external:any 1/1 ALL",
            "external -> shop 1/1 ALL",
            "external:any -> shop 1/1 ALL",
            "shop -> external 1/1 TCP/8080",
            "shop -> external:any 1/1 ALL",
        ]
        XCTAssertEqual(rows(ConnectivityMap(evaluator: evaluator)), full)
        XCTAssertEqual(rows(ConnectivityMap(evaluator: evaluator, forSummary: true)), full)
        XCTAssertEqual(
            rows(ConnectivityMap(evaluator: evaluator, namespace: "shop")),
            full.filter { $0.contains("shop") })
        XCTAssertEqual(
            rows(ConnectivityMap(evaluator: evaluator, namespace: "external")),
            full.filter { $0.hasPrefix("external ") || $0.contains("-> external ") })
        let row = NamespaceSummary(ConnectivityMap(evaluator: evaluator)).rows[0]
        XCTAssertEqual([row.source, row.destination], [.namespace("external"), .outside])

        let text = MapReport.summary(NamespaceSummary(ConnectivityMap(evaluator: evaluator)))
        XCTAssertTrue(text.contains("\nexternal:any      "), text)
        XCTAssertTrue(text.contains("\nexternal          "), text)
        XCTAssertTrue(
            text.hasSuffix(
                "; external:any is every address outside the pod network, counted as one peer per workload\n"), text)
    }
}
