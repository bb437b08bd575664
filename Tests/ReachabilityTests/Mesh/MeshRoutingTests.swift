import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// VirtualServices bound to the mesh: a sidecar client's request for a Service host goes where the first matching
/// route sends it (another subset, another Service), with that subset's TLS settings (docs/SEMANTICS.md §7.4, §7.10).
final class MeshRoutingTests: XCTestCase {
    static let base = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {istio-injection: enabled}}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {serviceAccountName: web, containers: [{name: c}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reviews-v1, namespace: shop}
        spec:
          selector: {matchLabels: {app: reviews, version: v1}}
          template:
            metadata: {labels: {app: reviews, version: v1}}
            spec: {containers: [{name: c, ports: [{containerPort: 9080}]}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: reviews-v2, namespace: shop}
        spec:
          selector: {matchLabels: {app: reviews, version: v2}}
          template:
            metadata: {labels: {app: reviews, version: v2}}
            spec: {containers: [{name: c, ports: [{containerPort: 9080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: reviews, namespace: shop}
        spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews, namespace: shop}
        spec:
          host: reviews
          trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: shop}
        spec: {mtls: {mode: STRICT}}
        """

    func decide(_ extra: String, to target: String, request: HTTPRequest? = nil) throws -> MeshDecision {
        let model = try loadModel(Self.base + "\n---\n" + extra)
        let mesh = MeshEvaluator(evaluator: Evaluator(model: model, assumptions: Assumptions()))
        let web = model.workloads.firstIndex { $0.id == "shop/web" }!
        let d = model.workloads.firstIndex { $0.id == target }!
        return mesh.decide(from: .pod(mesh.evaluator.endpoints[web]), to: d, port: 9080, request: request)
    }

    static let toV2 = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: shop}
        spec:
          hosts: [reviews]
          http:
          - match: [{uri: {prefix: /beta}}]
            route: [{destination: {host: reviews, subset: v2}}]
          - route: [{destination: {host: reviews, subset: v1}}]
        """

    func testRequestsGoWhereTheFirstMatchingRouteSendsThem() throws {
        // Without a path, some request reaches each version; with one, only the routed version.
        XCTAssertEqual(try decide(Self.toV2, to: "shop/reviews-v1").verdict, .allowed)
        XCTAssertEqual(try decide(Self.toV2, to: "shop/reviews-v2").verdict, .allowed)
        let beta = try decide(Self.toV2, to: "shop/reviews-v1", request: HTTPRequest(method: "GET", path: "/beta/x"))
        XCTAssertEqual(beta.verdict, .denied)
        XCTAssertTrue(
            beta.steps.last!.detail.contains("sends the request to shop/reviews subset v2, not to this pod"),
            beta.steps.last!.detail)
        let routed = try decide(Self.toV2, to: "shop/reviews-v2", request: HTTPRequest(method: "GET", path: "/beta/x"))
        XCTAssertEqual(routed.verdict, .allowed)
        XCTAssertTrue(routed.steps.contains { $0.stage == "ROUTE" && $0.detail.contains("spec.http[0]") })
    }

    func testTheSubsetsTrafficPolicyDecidesWhatTheClientSends() throws {
        // Subset v1 turns TLS off: the STRICT server rejects the plaintext the sidecar then sends.
        let disabled = Self.base.replacingOccurrences(
            of: "- {name: v1, labels: {version: v1}}",
            with: "- {name: v1, labels: {version: v1}, trafficPolicy: {tls: {mode: DISABLE}}}")
        let model = try loadModel(disabled + "\n---\n" + Self.toV2)
        let mesh = MeshEvaluator(evaluator: Evaluator(model: model, assumptions: Assumptions()))
        let web = model.workloads.firstIndex { $0.id == "shop/web" }!
        let v1 = model.workloads.firstIndex { $0.id == "shop/reviews-v1" }!
        let d = mesh.decide(
            from: .pod(mesh.evaluator.endpoints[web]), to: v1, port: 9080,
            request: HTTPRequest(method: "GET", path: "/"))
        XCTAssertEqual(d.verdict, .denied)
        XCTAssertEqual(d.steps.last?.stage, "MTLS")
        XCTAssertTrue(d.steps[0].detail.contains("subset v1 trafficPolicy.tls"), d.steps[0].detail)
    }

    func testAHeaderMatchIsUndecided() throws {
        let headers = Self.toV2.replacingOccurrences(
            of: "match: [{uri: {prefix: /beta}}]", with: "match: [{headers: {end-user: {exact: jason}}}]")
        XCTAssertEqual(
            try decide(headers, to: "shop/reviews-v1", request: HTTPRequest(method: "GET", path: "/")).verdict, .unknown
        )
    }

    func testAFaultAbortingSomeRequestsIsUndecidedAndOneAbortingAllDenies() throws {
        func abort(_ fault: String) -> String {
            Self.toV2.replacingOccurrences(
                of: "- route: [{destination: {host: reviews, subset: v1}}]",
                with: "- route: [{destination: {host: reviews, subset: v1}}]\n    fault: \(fault)")
        }
        let request = HTTPRequest(method: "GET", path: "/")
        XCTAssertEqual(
            try decide(
                abort("{abort: {httpStatus: 503, percentage: {value: 50}}}"), to: "shop/reviews-v1", request: request
            ).verdict, .unknown)
        XCTAssertEqual(
            try decide(abort("{abort: {httpStatus: 503}}"), to: "shop/reviews-v1", request: request).verdict, .denied)
    }
}
