import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// TV-47: the gateway hop's identity and VirtualService binding, end to end.
final class GatewayPathTests: XCTestCase {
    static let base = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: m, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: istio-system}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: istio-ingressgateway, namespace: istio-system}
        spec:
          selector: {matchLabels: {istio: ingressgateway}}
          template:
            metadata: {labels: {istio: ingressgateway}}
            spec: {serviceAccountName: istio-ingressgateway-service-account, containers: [{name: istio-proxy, ports: [{containerPort: 8443}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: istio-ingressgateway, namespace: istio-system}
        spec: {type: LoadBalancer, selector: {istio: ingressgateway}, ports: [{name: https, port: 443, targetPort: 8443}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: s, namespace: m}
        spec:
          selector: {matchLabels: {app: s}}
          template:
            metadata: {labels: {app: s}}
            spec: {containers: [{name: app, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ss, namespace: m}
        spec: {selector: {app: s}, ports: [{name: http, port: 80, targetPort: 8080}]}
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: m}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [s.example.com], tls: {mode: SIMPLE}}]
        """

    static let virtualService = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: m}
        spec:
          hosts: [s.example.com]
          gateways: [gw]
          http: [{match: [{uri: {prefix: /greet}}], route: [{destination: {host: ss}}]}]
        """

    static func authz(_ source: String) -> String {
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: s, namespace: m}
        spec: {selector: {matchLabels: {app: s}}, rules: [{from: [{source: {\(source)}}]}]}
        """
    }

    func path(_ docs: [String], _ requestPath: String) throws -> PathAnswer {
        let model = try loadModel(([Self.base] + docs).joined(separator: "\n---\n"))
        let stage = EndToEndStage(mesh: MeshEvaluator(evaluator: Evaluator(model: model, assumptions: Assumptions())))
        let gateway = model.workloads.firstIndex { $0.id == "istio-system/istio-ingressgateway" }!
        let client = AddressRange(cidr("203.0.113.7"))  // 203.0.113.7
        return stage.reach(
            from: .external(client), to: gateway, port: 8443,
            request: HTTPRequest(method: "GET", path: requestPath, host: "s.example.com"))
    }

    func testTV47GatewayHopIdentityAndBinding() throws {
        let principal = Self.authz(
            "principals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]")
        let greet = try path([Self.virtualService, principal], "/greet")
        XCTAssertEqual(greet.verdict, .allowed)
        XCTAssertEqual(greet.hops.count, 2)
        XCTAssertTrue(greet.hops[1].mesh.mutualTLS)
        XCTAssertEqual(try path([Self.virtualService, principal], "/other").verdict, .denied)
        XCTAssertEqual(try path([Self.virtualService, principal], "/other").route?.stage, "ROUTE")
        // Without `gateways` the VirtualService binds the mesh only.
        let meshOnly = Self.virtualService.replacingOccurrences(of: "  gateways: [gw]\n", with: "")
        XCTAssertEqual(try path([meshOnly, principal], "/greet").verdict, .denied)
        // The backend's peer is the gateway pod, never the client's address.
        XCTAssertEqual(
            try path([Self.virtualService, Self.authz("ipBlocks: [203.0.113.0/24]")], "/greet").verdict, .denied)
        XCTAssertEqual(
            try path([Self.virtualService, Self.authz("remoteIpBlocks: [203.0.113.0/24]")], "/greet").verdict, .denied)
    }

    /// A-GATEWAY-PORT as istiod resolves it: a server's port names a gateway Service port when one has it (the pod
    /// listens on its target), and otherwise the pod's own port. Service 443 -> pod 8443: servers on 443 and on 8443
    /// both listen on pod port 8443; a server on 9443 listens on 9443, which no Service port leads to.
    func testGatewayServerPortResolution() throws {
        let viaPodPort = Self.base.replacingOccurrences(
            of: "servers: [{port: {number: 443,", with: "servers: [{port: {number: 8443,")
        let allow = Self.authz("principals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]")
        let model = try loadModel([viaPodPort, Self.virtualService, allow].joined(separator: "\n---\n"))
        let stage = EndToEndStage(mesh: MeshEvaluator(evaluator: Evaluator(model: model, assumptions: Assumptions())))
        let gateway = model.workloads.firstIndex { $0.id == "istio-system/istio-ingressgateway" }!
        let request = HTTPRequest(method: "GET", path: "/greet", host: "s.example.com")
        let client = AddressRange(cidr("203.0.113.7"))
        XCTAssertEqual(
            stage.reach(from: .external(client), to: gateway, port: 8443, request: request).verdict, .allowed)
        XCTAssertEqual(
            try path([Self.virtualService, allow], "/greet").verdict, .allowed, "server on the Service port")
        let elsewhere = Self.base.replacingOccurrences(
            of: "servers: [{port: {number: 443,", with: "servers: [{port: {number: 9443,")
        let other = try loadModel([elsewhere, Self.virtualService, allow].joined(separator: "\n---\n"))
        let otherStage = EndToEndStage(
            mesh: MeshEvaluator(evaluator: Evaluator(model: other, assumptions: Assumptions())))
        let answer = otherStage.reach(from: .external(client), to: gateway, port: 8443, request: request)
        XCTAssertEqual(answer.verdict, .denied)
        XCTAssertTrue(answer.route?.detail.contains("no Gateway server listens on pod port 8443") ?? false)
    }
}
