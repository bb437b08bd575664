import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims

/// Requests from outside through the ingress-nginx controller, hop by hop.
final class IngressPathTests: XCTestCase {
    /// A controller published by a LoadBalancer, an app behind an Ingress, and policies given per test.
    func model(trafficPolicy: String, controllerPolicy: String, appPolicy: String) throws -> ClusterModel {
        try loadModel(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: controller, namespace: ingress-nginx}
            spec:
              selector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
              template:
                metadata: {labels: {app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller}}
                spec: {containers: [{name: c, ports: [{name: http, containerPort: 80}]}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: controller, namespace: ingress-nginx}
            spec:
              type: LoadBalancer
              externalTrafficPolicy: \(trafficPolicy)
              selector: {app.kubernetes.io/name: ingress-nginx}
              ports: [{port: 80, targetPort: http}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: app, namespace: shop}
            spec:
              selector: {matchLabels: {app: shop}}
              template:
                metadata: {labels: {app: shop}}
                spec: {containers: [{name: c, ports: [{name: web, containerPort: 8080}]}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: app, namespace: shop}
            spec: {selector: {app: shop}, ports: [{name: http, port: 80, targetPort: web}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: shop, namespace: shop}
            spec:
              ingressClassName: nginx
              rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: app, port: {name: http}}}}]}}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: controller, namespace: ingress-nginx}
            spec:
              podSelector: {}
              ingress: [\(controllerPolicy)]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: app, namespace: shop}
            spec:
              podSelector: {}
              ingress: [\(appPolicy)]
            """)
    }

    func ask(_ model: ClusterModel, from: String = "external:198.51.100.7") throws -> IngressPathAnswer {
        let engine = QueryEngine(checker: ClaimChecker(model: model, assumptions: Assumptions()))
        guard case .service(let svc) = try QueryEndpoint.parse("shop/svc/app", labels: [:], model: model) else {
            throw XCTSkip()
        }
        return engine.throughIngress(
            from: try QueryEndpoint.parse(from, labels: [:], model: model), fromText: from, to: svc,
            host: "shop.example.com", path: "/cart", clientPort: PortSpec(proto: .tcp, range: 80...80), controller: nil)
    }

    static let fromNginx =
        "{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}}], ports: [{port: 8080}]}"
    static let fromClient = "{from: [{ipBlock: {cidr: 198.51.100.0/24}}], ports: [{port: 8080}]}"
    static let anyoneOn80 = "{ports: [{port: 80}]}"

    func testBothHopsAllowed() throws {
        let a = try ask(try model(trafficPolicy: "Local", controllerPolicy: Self.anyoneOn80, appPolicy: Self.fromNginx))
        XCTAssertEqual(a.verdict, .allowed)
        XCTAssertEqual(
            a.hops.map { $0.answer.parts.first?.conns.description }, ["TCP/80", "TCP/8080"],
            "each hop on its translated port")
        XCTAssertTrue(a.route!.contains("path / (Prefix) -> Service shop/app"), a.route!)
    }

    /// The upstream connection starts at the controller pod: a policy that admits only the client's address does not
    /// admit it.
    func testControllerIsTheSourceOfTheSecondHop() throws {
        let a = try ask(
            try model(trafficPolicy: "Local", controllerPolicy: Self.anyoneOn80, appPolicy: Self.fromClient))
        XCTAssertEqual(a.verdict, .denied)
        XCTAssertEqual(a.hops.map(\.answer.verdict), [.allowed, .denied])
        guard case .pod(let source) = a.hops[1].answer.parts[0].source else { return XCTFail() }
        XCTAssertEqual(source.workload, "ingress-nginx/controller")
    }

    /// externalTrafficPolicy Local keeps the client's address, so an ipBlock on the controller decides;
    /// Cluster replaces it by a node address the input does not describe: UNKNOWN.
    func testExternalTrafficPolicy() throws {
        let controllerFromClients = "{from: [{ipBlock: {cidr: 198.51.100.0/24}}], ports: [{port: 80}]}"
        let local = try ask(
            try model(trafficPolicy: "Local", controllerPolicy: controllerFromClients, appPolicy: Self.fromNginx))
        XCTAssertEqual(local.verdict, .allowed)
        let outsider = try ask(
            try model(trafficPolicy: "Local", controllerPolicy: controllerFromClients, appPolicy: Self.fromNginx),
            from: "external:203.0.113.9")
        XCTAssertEqual(outsider.verdict, .denied)
        let cluster = try ask(
            try model(trafficPolicy: "Cluster", controllerPolicy: controllerFromClients, appPolicy: Self.fromNginx))
        XCTAssertEqual(cluster.verdict, .unknown)
        XCTAssertTrue(cluster.reason!.contains("externalTrafficPolicy Cluster"), cluster.reason!)
        let clusterNoIPBlock = try ask(
            try model(trafficPolicy: "Cluster", controllerPolicy: Self.anyoneOn80, appPolicy: Self.fromNginx))
        XCTAssertEqual(clusterNoIPBlock.verdict, .allowed)
        XCTAssertEqual(clusterNoIPBlock.notes.count, 1)
    }

    func testUnroutedRequestGoesNowhere() throws {
        let m = try model(trafficPolicy: "Local", controllerPolicy: Self.anyoneOn80, appPolicy: Self.fromNginx)
        let engine = QueryEngine(checker: ClaimChecker(model: m, assumptions: Assumptions()))
        guard case .service(let svc) = try QueryEndpoint.parse("shop/svc/app", labels: [:], model: m) else {
            return XCTFail()
        }
        let a = engine.throughIngress(
            from: try QueryEndpoint.parse("external:198.51.100.7", labels: [:], model: m), fromText: "x", to: svc,
            host: "other.example.com", path: "/", clientPort: PortSpec(proto: .tcp, range: 80...80), controller: nil)
        XCTAssertEqual(a.verdict, .denied)
        XCTAssertTrue(a.hops.isEmpty)
        XCTAssertTrue(a.route!.contains("404"), a.route!)
    }
}
