import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// Service translation: which pods a Service reaches, on which port.
final class ServiceStageTests: XCTestCase {
    /// Pods shared by the Service tests (Tests/Fixtures/services/web-versions.yaml).
    static var pods: String {
        get throws {
            try String(contentsOfFile: Paths.package("Tests/Fixtures/services/web-versions.yaml"), encoding: .utf8)
                + "---\n"
        }
    }

    func resolve(_ service: String) throws -> ServiceStage.Resolution {
        let model = try loadModel(try Self.pods + service)
        let evaluator = Evaluator(model: model, assumptions: Assumptions())
        return ServiceStage.resolve(model.services[0], evaluator: evaluator)
    }

    func backends(_ service: String) throws -> [String] {
        let model = try loadModel(try Self.pods + service)
        let evaluator = Evaluator(model: model, assumptions: Assumptions())
        guard case .backends(let b) = ServiceStage.resolve(model.services[0], evaluator: evaluator) else {
            XCTFail("unresolvable")
            return []
        }
        return b.map { "\(model.workloads[$0.endpoint].id) \($0.proto.rawValue)/\($0.servicePort)->\($0.targetPort)" }
            .sorted()
    }

    func testNumberedTargetPortOnEveryBackendOfTheNamespace() throws {
        let svc =
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8000}]\n"
        XCTAssertEqual(
            try backends(svc), ["shop/web-v1 TCP/80->8000", "shop/web-v2 TCP/80->8000"],
            "zero replicas and other namespaces are not backends")
    }

    func testTargetPortDefaultsToPort() throws {
        let svc =
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {version: v2}\n  ports: [{port: 9090}]\n"
        XCTAssertEqual(try backends(svc), ["shop/web-v2 TCP/9090->9090"])
    }

    func testNamedTargetPortResolvesPerPod() throws {
        let svc =
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports: [{name: h, port: 80, targetPort: http}, {name: d, port: 53, protocol: UDP, targetPort: dns}]\n"
        // web-v2 has no UDP port named dns: it is no endpoint of that Service port.
        XCTAssertEqual(
            try backends(svc), ["shop/web-v1 TCP/80->8080", "shop/web-v1 UDP/53->53", "shop/web-v2 TCP/80->9090"])
    }

    func testEveryServiceTypeWithASelectorReachesItsPods() throws {
        for (type, extra) in [
            ("ClusterIP", "  clusterIP: None\n"), ("NodePort", ""),
            ("LoadBalancer", "  externalTrafficPolicy: Local\n"),
        ] {
            let svc =
                "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  type: \(type)\n\(extra)  selector: {version: v1}\n  ports: [{port: 80, targetPort: http}]\n"
            XCTAssertEqual(try backends(svc), ["shop/web-v1 TCP/80->8080"], type)
        }
    }

    func testExternalNameAndSelectorlessServicesAreUnresolvable() throws {
        guard
            case .unresolvable(let a) = try resolve(
                "apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: shop}\nspec:\n  type: ExternalName\n  externalName: db.example.com\n"
            )
        else { return XCTFail() }
        XCTAssertTrue(a.contains("ExternalName"))
        guard
            case .unresolvable(let b) = try resolve(
                "apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: shop}\nspec:\n  ports: [{port: 5432}]\n"
            )
        else { return XCTFail() }
        XCTAssertTrue(b.contains("no selector"))
    }

    /// A Service without a selector reaches the pods its Endpoints or EndpointSlices name.
    func testSelectorlessServiceFollowsItsEndpoints() throws {
        let svc =
            "apiVersion: v1\nkind: Service\nmetadata: {name: legacy, namespace: shop}\nspec:\n  ports: [{name: web, port: 80, targetPort: 8080}]\n"
        let endpoints = """
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: legacy, namespace: shop}
            subsets:
            - addresses: [{ip: 10.244.1.5, targetRef: {kind: Pod, name: web-v1-7d9c8b6f5-x2x4z, namespace: shop}}]
              notReadyAddresses: [{ip: 10.244.1.6, targetRef: {kind: Pod, name: web-v2-5f6d7c8b9-abcde, namespace: shop}}]
              ports: [{name: web, port: 8081}]
            """
        XCTAssertEqual(
            try backends(svc + endpoints), ["shop/web-v1 TCP/80->8081"], "the Endpoints' port, ready addresses only")
        let slice = """
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: legacy-x1, namespace: shop, labels: {kubernetes.io/service-name: legacy}}
            addressType: IPv4
            endpoints:
            - {addresses: [10.244.2.7], conditions: {ready: true}, targetRef: {kind: Pod, name: web-v2-5f6d7c8b9-abcde, namespace: shop}}
            - {addresses: [10.244.2.8], conditions: {ready: false}, targetRef: {kind: Pod, name: web-v1-7d9c8b6f5-x2x4z, namespace: shop}}
            ports: [{name: web, port: 9090, protocol: TCP}]
            """
        XCTAssertEqual(try backends(svc + slice), ["shop/web-v2 TCP/80->9090"])
        guard
            case .unresolvable(let why) = try resolve(
                svc
                    + "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: legacy, namespace: shop}\nsubsets: [{addresses: [{ip: 192.0.2.10}], ports: [{port: 5432}]}]\n"
            )
        else { return XCTFail() }
        XCTAssertTrue(why.contains("192.0.2.10"), why)
    }
}
