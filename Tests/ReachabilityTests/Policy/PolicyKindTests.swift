import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// What each policy kind compiles into: the defaults it implies are resolved in the IR, so that no engine has to
/// know which kind a rule came from.
final class PolicyKindTests: XCTestCase {
    static let manifests = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: shop}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
          - from:
            - podSelector: {matchLabels: {app: client}}
            - namespaceSelector: {matchLabels: {team: ops}}
            - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
            ports:
            - {port: 8000, endPort: 8010}
            - {protocol: UDP}
            - {port: http}
          - {}
          egress:
          - to: [{podSelector: {}}]
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: second}
        spec:
          priority: 20
          subject: {namespaces: {}}
          egress:
          - name: nets
            action: Deny
            to: [{networks: [192.0.2.0/24, 198.51.100.0/24]}, {nodes: {matchLabels: {role: infra}}}]
            ports: [{namedPort: dns}, {portRange: {start: 1000, end: 2000, protocol: UDP}}]
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: first}
        spec:
          priority: 10
          subject: {pods: {namespaceSelector: {matchLabels: {team: ops}}, podSelector: {matchLabels: {app: x}}}}
          ingress: [{name: pass-all, action: Pass, from: [{namespaces: {}}]}]
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default}
        spec:
          subject: {namespaces: {}}
          ingress: [{name: deny, action: Deny, from: [{namespaces: {}}]}]
        """

    func compiled(endPortSupported: Bool = true) throws -> PolicySet {
        PolicySet(model: try loadModel(Self.manifests), options: CompileOptions(endPortSupported: endPortSupported))
    }

    func testNetworkPolicyDefaultsAreResolved() throws {
        let set = try compiled()
        XCTAssertEqual(set.networkPolicies.count, 1)
        let p = set.networkPolicies[0]
        XCTAssertEqual(p.tier, .networkPolicy)
        XCTAssertEqual(
            p.subject, PodMatch(namespaces: .named("shop"), pods: LabelSelector(matchLabels: ["app": "web"])))
        XCTAssertTrue(p.isolatesIngress)
        XCTAssertTrue(p.isolatesEgress)
        let rule = p.ingress[0]
        XCTAssertEqual(rule.action, .allow)
        // A peer without namespaceSelector means the policy's own namespace; one without podSelector, every pod.
        XCTAssertEqual(
            rule.peers.map(\.match),
            [
                .pods(PodMatch(namespaces: .named("shop"), pods: LabelSelector(matchLabels: ["app": "client"]))),
                .pods(PodMatch(namespaces: .selector(LabelSelector(matchLabels: ["team": "ops"])), pods: .everything)),
                .addresses(
                    AddressBlock(
                        cidr: try XCTUnwrap(try? CIDR.parse("10.0.0.0/8").get()),
                        except: [try XCTUnwrap(try? CIDR.parse("10.1.0.0/16").get())])),
            ])
        XCTAssertEqual(rule.ports, [.range(.tcp, 8000...8010), .allPorts(.udp), .named("http", [.tcp])])
        XCTAssertEqual(rule.portSources.map(\.path), (0..<3).map { "spec.ingress[0].ports[\($0)]" })
        XCTAssertEqual(rule.peers.map(\.source.path), (0..<3).map { "spec.ingress[0].from[\($0)]" })
        // An empty rule admits every peer on every port.
        XCTAssertEqual(p.ingress[1].peers, [])
        XCTAssertNil(p.ingress[1].ports)
        XCTAssertEqual(p.source.path, "spec")
    }

    func testEndPortFollowsTheAssumption() throws {
        let ports = try compiled(endPortSupported: false).networkPolicies[0].ingress[0].ports
        XCTAssertEqual(ports?.first, .range(.tcp, 8000...8000))
    }

    func testAdminTierIsOrderedAndNetworksSplitIntoPeers() throws {
        let set = try compiled()
        XCTAssertEqual(set.admin.map(\.name), ["first", "second"])
        XCTAssertEqual(set.admin.map(\.tier), [.admin, .admin])
        XCTAssertEqual(set.admin[0].ingress[0].action, .pass)
        let egress = set.admin[1].egress[0]
        XCTAssertEqual(egress.action, .deny)
        XCTAssertEqual(egress.peers.count, 3)
        XCTAssertEqual(egress.peers[0].source, egress.peers[1].source)
        XCTAssertEqual(egress.peers[2].match, .nodes(LabelSelector(matchLabels: ["role": "infra"])))
        // A named port of an admin policy matches the name on any protocol.
        XCTAssertEqual(egress.ports, [.named("dns", L4Protocol.allCases), .range(.udp, 1000...2000)])
        XCTAssertFalse(set.admin[1].isolatesIngress || set.admin[1].isolatesEgress)
        XCTAssertEqual(set.baseline.map(\.name), ["default"])
        XCTAssertEqual(set.baseline[0].tier, .baseline)
        XCTAssertTrue(set.hasOrderedTiers)
    }

    func testVocabulary() throws {
        let set = try compiled()
        XCTAssertEqual(set.namedPorts, ["dns", "http"])
        XCTAssertEqual(
            set.prefixes.map(\.description).sorted(),
            ["10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24", "198.51.100.0/24"])
        XCTAssertEqual(set.adminPriorityTies, [])
        XCTAssertEqual(set.withAdminOrder(["second", "first"]).admin.map(\.name), ["second", "first"])
    }

    func testPortListBecomesConnectionsOnce() {
        let pod = PodEndpoint(
            namespace: "shop", namespaceLabels: [:], labels: [:],
            ports: [ContainerPort(name: "http", number: 8080, proto: .tcp)], inNewNamespace: false)
        let ports: [PortMatch]? = [.named("http", [.tcp, .udp]), .range(.sctp, 7...9)]
        let towardsPod = ports.connections(destination: .pod(pod))
        XCTAssertTrue(towardsPod.contains(.tcp, 8080))
        XCTAssertFalse(towardsPod.contains(.udp, 8080))
        XCTAssertTrue(towardsPod.contains(.sctp, 8))
        // Towards an address a named port means nothing.
        let towardsAddress = ports.connections(destination: .external(AddressRange(cidr("0.0.0.1"))))
        XCTAssertFalse(towardsAddress.contains(.tcp, 8080))
        XCTAssertTrue(ports.dependsOnDestination)
        XCTAssertEqual(([PortMatch]?.none).connections(destination: .pod(pod)), .all)
    }
}
