import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// Addresses of both families (docs/SEMANTICS.md §3.6, A-IP-FAMILIES): IPv6 ipBlocks and `except` boundaries, rules
/// that mix families, pod addresses of each family under A-IPBLOCK-PODIP, and a flow keeping one family end to end.
final class DualStackTests: XCTestCase {
    typealias V = NetworkPolicyVectorTests

    func evaluator(_ extra: String, _ assumptions: Assumptions = Assumptions()) throws -> Evaluator {
        Evaluator(model: try loadModel(V.fixture + extra), assumptions: assumptions)
    }

    func testIPv6ExceptBoundaries() throws {
        let e = try evaluator(
            V.np(
                "a", "v6",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: \"2001:db8::/32\", except: [\"2001:db8:1::/48\"]}}]}]}"
            ))
        XCTAssertTrue(e.allows(external: "2001:db8::", "a/x", .tcp, 8080), "first address of the cidr")
        XCTAssertTrue(e.allows(external: "2001:db8:0:ffff:ffff:ffff:ffff:ffff", "a/x", .tcp, 8080), "just below except")
        XCTAssertFalse(e.allows(external: "2001:db8:1::", "a/x", .tcp, 8080), "first address of except")
        XCTAssertFalse(e.allows(external: "2001:db8:1:ffff:ffff:ffff:ffff:ffff", "a/x", .tcp, 8080), "last of except")
        XCTAssertTrue(e.allows(external: "2001:db8:2::", "a/x", .tcp, 8080), "just above except")
        XCTAssertTrue(e.allows(external: "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "a/x", .tcp, 8080), "last address")
        XCTAssertFalse(e.allows(external: "2001:db9::", "a/x", .tcp, 8080), "outside the cidr")
        XCTAssertFalse(e.allows(external: "192.0.2.1", "a/x", .tcp, 8080), "an IPv6 block matches no IPv4 client")
    }

    func testAnIPv4BlockLeavesIPv6ClientsToOtherRules() throws {
        let e = try evaluator(
            V.np("a", "v4", "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}")
        )
        XCTAssertTrue(e.allows(external: "198.51.100.7", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows(external: "2001:db8::7", "a/x", .tcp, 8080), "0.0.0.0/0 is every IPv4 address only")
        // An unisolated pod admits both families.
        XCTAssertTrue(e.allows(external: "2001:db8::7", "a/y", .tcp, 8080))
    }

    func testMixedFamilyPeersOfOneRule() throws {
        let e = try evaluator(
            V.np(
                "a", "mixed",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: 192.0.2.0/24}}, {ipBlock: {cidr: \"2001:db8::/32\"}}], ports: [{port: 8080}]}]}"
            ))
        XCTAssertTrue(e.allows(external: "192.0.2.9", "a/x", .tcp, 8080))
        XCTAssertTrue(e.allows(external: "2001:db8::9", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows(external: "198.51.100.9", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows(external: "2001:db9::9", "a/x", .tcp, 8080))
        // An admin `networks` peer lists both families too.
        let admin = try evaluator(
            V.anp(
                "no-egress",
                "{priority: 1, subject: {namespaces: {}}, egress: [{action: Deny, to: [{networks: [0.0.0.0/0, \"::/0\"]}]}]}"
            ))
        for target in ["192.0.2.1", "2001:db8::1"] {
            XCTAssertTrue(
                admin.connections(from: admin.endpoint("a/x"), to: .external(AddressRange(cidr(target)))).isEmpty,
                target)
        }
    }

    /// A pod has an address in each family; an ipBlock over the IPv6 pod network matches it under A-IPBLOCK-PODIP.
    func testAnIPv6PodAddressInsideThePodNetwork() throws {
        let policy = V.np(
            "a", "only-v6-pods",
            "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: \"fd00:10:244::/56\"}}]}]}")
        let matches = try evaluator(policy)
        XCTAssertTrue(matches.allows("b/c", "a/x", .tcp, 8080), "the client's IPv6 pod address is in the block")
        var ignored = Assumptions()
        ignored.ipBlockMatchesPods = false
        XCTAssertFalse(try evaluator(policy, ignored).allows("b/c", "a/x", .tcp, 8080))
        XCTAssertFalse(
            try evaluator(policy, Assumptions(ipFamilies: [.ipv4])).allows("b/c", "a/x", .tcp, 8080),
            "an IPv4-only cluster has no IPv6 pod addresses")
        // An IPv6 client from outside is not a pod: fd00:10:244::/56 is the pod network, no external address in it.
        XCTAssertEqual(matches.externalSegments(of: cidr("fd00:10:244::/56")), [])
    }

    /// Egress that admits only IPv4 pod addresses and ingress that admits only IPv6 ones share no family: no flow.
    func testAFlowKeepsOneFamilyEndToEnd() throws {
        let e = try evaluator(
            V.np(
                "b", "egress-v4-pods",
                "{podSelector: {matchLabels: {app: c}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.244.0.0/16}}]}]}"
            )
                + V.np(
                    "a", "ingress-v6-pods",
                    "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: \"fd00:10:244::/56\"}}]}]}"
                ))
        XCTAssertTrue(e.splitsFamilies)
        XCTAssertTrue(e.egress(from: e.endpoint("b/c").pod!, to: e.endpoint("a/x")).contains(.tcp, 8080))
        XCTAssertTrue(e.ingress(to: e.endpoint("a/x").pod!, from: e.endpoint("b/c")).contains(.tcp, 8080))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 8080), "IPv4 egress and IPv6 ingress never meet")
        XCTAssertFalse(e.explain(from: e.endpoint("b/c"), to: e.endpoint("a/x"), proto: .tcp, port: 8080).allowed)
        // Where the families need not be told apart, they are not.
        XCTAssertFalse(try evaluator("").splitsFamilies)
    }

    func testExternalSpaceCoversEveryFamilyInUse() {
        let dual = Assumptions()
        XCTAssertEqual(Set(dual.externalSpace.map(\.family)), [.ipv4, .ipv6])
        XCTAssertFalse(dual.externalSpace.contains { $0.overlaps(cidr("fd00:10:244::/56")) })
        XCTAssertEqual(Set(Assumptions(ipFamilies: [.ipv4]).externalSpace.map(\.family)), [.ipv4])
        XCTAssertEqual(
            Assumptions(podCIDRs: [], ipFamilies: [.ipv6]).externalSpace, [AddressRange(cidr("::/0"))])
        XCTAssertTrue(dual.describedBindings.contains("A-IP-FAMILIES=IPv4,IPv6"))
        XCTAssertTrue(Assumptions(ipFamilies: [.ipv4]).describedBindings.contains("A-IP-FAMILIES=IPv4"))
    }

    func testReadableGroupsNameAFamilyTreatedAlike() {
        let ranges = Assumptions().externalSpace
        let groups = AddressSpace.readableGroups(ranges.map { ($0, $0.family == .ipv4) })
        XCTAssertEqual(groups.map(\.labels), [["any-ipv4"], ["any-ipv6"]])
        XCTAssertEqual(AddressSpace.readableGroups(ranges.map { ($0, 1) }).map(\.labels), [["any"]])
    }
}
