import TestSupport
import XCTest

@testable import KubeModel

/// The loader tells resources apart by API group and kind: the same kind name in another group is another
/// resource, never parsed with the wrong reader.
final class KindRegistryTests: XCTestCase {
    func testSameKindInAnotherGroupIsAnotherResource() throws {
        let model = try loadModel(
            """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: istio-gw, namespace: edge}
            spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: istio-gw, namespace: edge}
            spec: {gatewayClassName: x, listeners: [{name: http, port: 80, protocol: HTTP}]}
            ---
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: calico, namespace: edge}
            spec: {selector: all()}
            """)
        // Both Gateways are read, each by its own reader, and the same name is no duplicate.
        XCTAssertEqual(model.istioGateways.map(\.name), ["istio-gw"])
        XCTAssertEqual(model.gateways.map(\.id), ["edge/istio-gw"])
        XCTAssertEqual(model.duplicates, [])
        XCTAssertEqual(model.unknownKinds.keys.sorted(), ["NetworkPolicy.projectcalico.org"])
        XCTAssertEqual(model.cniPolicies.map(\.description), ["NetworkPolicy.projectcalico.org edge/calico"])
        XCTAssertEqual(model.networkPolicies.count, 0)
    }

    /// Cilium's API group holds policies (read), traffic-steering objects (which make verdicts UNKNOWN) and state a dump
    /// carries (CiliumEndpoint, CiliumIdentity: reported and skipped, deciding nothing).
    func testCiliumStateIsSkippedAndTrafficSteeringIsNotModelled() throws {
        let model = try loadModel(
            """
            apiVersion: cilium.io/v2
            kind: CiliumEndpoint
            metadata: {name: web-1, namespace: shop}
            ---
            apiVersion: cilium.io/v2
            kind: CiliumIdentity
            metadata: {name: "12345"}
            ---
            apiVersion: cilium.io/v2
            kind: CiliumEgressGatewayPolicy
            metadata: {name: egress}
            spec: {selectors: [{podSelector: {}}], destinationCIDRs: [0.0.0.0/0]}
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: web, namespace: shop}
            spec: {endpointSelector: {}, ingress: [{fromEntities: [cluster]}]}
            """)
        XCTAssertEqual(model.ciliumPolicies.map(\.name), ["web"])
        XCTAssertEqual(model.cniPolicies.map(\.description), ["CiliumEgressGatewayPolicy egress"])
        XCTAssertEqual(
            model.unknownKinds.keys.sorted(), ["CiliumEgressGatewayPolicy", "CiliumEndpoint", "CiliumIdentity"])
    }

    func testEveryReaderIsKeyedByTheGroupsOfItsVersions() {
        for (groupKind, reader) in KindRegistry.readers {
            XCTAssertTrue(
                reader.versions.contains { GroupKind(apiVersion: $0, kind: groupKind.kind) == groupKind },
                "\(groupKind)")
        }
        XCTAssertNotNil(KindRegistry.readers[GroupKind("apps", "Deployment")])
        XCTAssertNotNil(KindRegistry.readers[GroupKind("extensions", "Deployment")])
        XCTAssertNotNil(KindRegistry.readers[GroupKind("gateway.networking.k8s.io", "Gateway")])
        XCTAssertNil(KindRegistry.readers[GroupKind("gateway.networking.k8s.io", "BackendTLSPolicy")])
    }

    func testWrongVersionOfAKnownGroupNamesTheAcceptedOnes() throws {
        let path = try temporaryFile("apiVersion: apps/v9\nkind: Deployment\nmetadata: {name: x}\nspec: {}\n")
        let (_, errors) = ModelLoader().load(paths: [path])
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(
            errors.first?.message.contains("unknown apiVersion 'apps/v9' for Deployment (expected apps/v1") ?? false,
            "\(errors)")
    }
}
