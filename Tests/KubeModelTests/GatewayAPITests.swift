import TestSupport
import XCTest

@testable import KubeModel

/// Reading Gateway API resources: defaults the CRDs apply, and what the API server would refuse.
final class GatewayAPITests: XCTestCase {
    func testDefaultsOfListenersAndRoutes() throws {
        let model = try loadModel(
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: edge}
            spec:
              gatewayClassName: example
              listeners:
              - {name: web, port: 80, protocol: http}
              - {name: tls, port: 443, protocol: TLS, hostname: "*.Example.com"}
              - {name: secure, port: 8443, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: r, namespace: app, creationTimestamp: "2026-01-01T00:00:00Z"}
            spec:
              parentRefs: [{name: gw, namespace: edge}]
              rules:
              - backendRefs: [{name: svc, port: 80}]
              - matches: [{headers: [{name: X-Env, value: canary}]}]
                backendRefs: [{name: svc, namespace: other, port: 80, weight: 0}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: g, namespace: app}
            spec:
              parentRefs: [{name: gw, namespace: edge}]
              rules:
              - matches: [{method: {service: shop.Cart, method: Add}}, {method: {service: shop.Cart}}]
                backendRefs: [{name: cart, port: 9000}]
            """)
        let g = try XCTUnwrap(model.gateways.first)
        XCTAssertEqual(g.listeners.map(\.proto), [.http, .tls, .https], "core protocols compare without case")
        XCTAssertEqual(g.listeners[1].hostname, "*.example.com")
        XCTAssertEqual(g.listeners.map(\.tlsMode), [nil, .passthrough, .terminate])
        XCTAssertEqual(g.listeners[0].allowedNamespaces, .same)
        XCTAssertEqual(g.listeners[0].acceptedKinds, ["HTTPRoute", "GRPCRoute"])
        XCTAssertEqual(g.listeners[1].acceptedKinds, ["TLSRoute"])
        let r = try XCTUnwrap(model.gatewayRoutes.first { $0.kind == .http })
        XCTAssertEqual(r.parentRefs.first?.isGateway, true)
        XCTAssertEqual(r.rules[0].matches.first?.path, .prefix("/"), "a rule without matches matches every request")
        XCTAssertEqual(r.rules[1].matches.first?.headers.first?.name, "x-env", "header names compare without case")
        XCTAssertEqual(r.rules[0].backends.first?.weight, 1)
        XCTAssertEqual(r.rules[1].backends.first?.weight, 0)
        let grpc = try XCTUnwrap(model.gatewayRoutes.first { $0.kind == .grpc })
        XCTAssertEqual(grpc.rules[0].matches.map(\.path), [.exact("/shop.Cart/Add"), .prefix("/shop.Cart")])
    }

    func testErrorsNameTheField() throws {
        let head =
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: app}\nspec:\n"
        let cases: [(String, String)] = [
            ("  rules: [{matches: [{method: FETCH}]}]\n", "unknown method 'FETCH'"),
            ("  rules: [{filters: [{type: Teleport}]}]\n", "unknown filter type 'Teleport'"),
            (
                "  rules: [{matches: [{headers: [{name: a, value: b, type: Prefix}]}]}]\n",
                "unknown header match type 'Prefix'"
            ),
            ("  parentRefs: [{namespace: edge}]\n", "spec.parentRefs[0].name: required field is missing"),
            ("  hostnames: [\"10.0.0.1\"]\n", "is an IP address"),
        ]
        for (body, message) in cases {
            XCTAssertThrowsError(try loadModel(head + body), message) {
                XCTAssertTrue("\($0)".contains(message), "\($0)")
            }
        }
        let gateway = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: edge}
            spec:
              gatewayClassName: x
              listeners: [{name: a, port: 80, protocol: HTTP}, {name: a, port: 81, protocol: HTTP}]
            """
        XCTAssertThrowsError(try loadModel(gateway)) {
            XCTAssertTrue("\($0)".contains("listener name 'a' is used twice"), "\($0)")
        }
    }
}
