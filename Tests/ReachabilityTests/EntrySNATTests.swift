import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// Entry through a LoadBalancer with externalTrafficPolicy Cluster: the proxy's policies see a node address.
final class EntrySNATTests: XCTestCase {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: ingress-nginx}
        ---
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
        spec: {type: LoadBalancer, selector: {app.kubernetes.io/name: ingress-nginx}, ports: [{name: http, port: 80, targetPort: http}]}
        ---
        \(fromNodes)
        """

    func entry(nodeCIDR: CIDR?, policies: String? = nil) throws -> FlowVerdict {
        let model = try loadModel(
            policies.map { Self.manifests.replacingOccurrences(of: Self.fromNodes, with: $0) }
                ?? Self.manifests)
        var assumptions = Assumptions()
        assumptions.nodeCIDRs = nodeCIDR.map { [$0] } ?? []
        let stage = EndToEndStage(mesh: MeshEvaluator(evaluator: Evaluator(model: model, assumptions: assumptions)))
        let client = AddressRange(cidr("203.0.113.7"))  // 203.0.113.7, outside the ipBlock
        return stage.entryHop(from: .external(client), to: 0, port: 80, request: nil).verdict
    }

    func testNodeAddressesDecideEntryWhenPoliciesLookAtAddresses() throws {
        XCTAssertEqual(try entry(nodeCIDR: nil), .unknown)
        XCTAssertEqual(try entry(nodeCIDR: cidr("192.168.10.0/24")), .allowed)  // 192.168.10.0/24
        XCTAssertEqual(try entry(nodeCIDR: cidr("172.16.0.0/24")), .denied)  // 172.16.0.0/24
        // 192.160.0.0/12 straddles the block
        XCTAssertEqual(try entry(nodeCIDR: cidr("192.160.0.0/12")), .unknown)
    }

    static let fromNodes = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: from-nodes, namespace: ingress-nginx}
        spec:
          podSelector: {}
          ingress: [{from: [{ipBlock: {cidr: 192.168.0.0/16}}]}]
        """

    /// Under Cilium the entry's identity (the client's world, or a node's) depends on the routing mode: where the
    /// proxy's policies tell the two apart, the verdict is UNKNOWN.
    func testUnderCiliumTheEntryIdentityDependsOnTheRoutingMode() throws {
        let fromWorld = """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: from-world, namespace: ingress-nginx}
            spec:
              endpointSelector: {}
              ingress: [{fromEntities: [world]}]
            """
        XCTAssertEqual(try entry(nodeCIDR: cidr("192.168.10.0/24"), policies: fromWorld), .unknown)
        let fromBoth = fromWorld.replacingOccurrences(of: "[world]", with: "[world, host, remote-node]")
        XCTAssertEqual(try entry(nodeCIDR: cidr("192.168.10.0/24"), policies: fromBoth), .allowed)
    }

    func testClusterDescription() throws {
        let good = try ClusterDescription.load(try temporaryFile("podCIDR: 10.42.0.0/16\nnodeCIDR: 192.168.1.0/24\n"))
        XCTAssertEqual(
            good.summary,
            "ipFamilies IPv4 (from podCIDR), podCIDR 10.42.0.0/16, serviceCIDR 10.96.0.0/12 (default), "
                + "nodeCIDR 192.168.1.0/24")
        XCTAssertThrowsError(
            try ClusterDescription.load(try temporaryFile("podCIDR: 10.0.0.0/8\nnodeCIDR: 10.1.0.0/16\n"))
        ) { error in
            XCTAssertTrue("\(error)".contains("nodeCIDR: nodeCIDR 10.1.0.0/16 overlaps podCIDR 10.0.0.0/8"), "\(error)")
        }
        XCTAssertThrowsError(try ClusterDescription.load(try temporaryFile("podCidr: 10.0.0.0/8\n"))) { error in
            XCTAssertTrue("\(error)".contains(":1:"), "\(error)")
        }
    }
}
