import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// ClusterNetworkPolicy (v1alpha2) compiles into the Admin or Baseline tier; Accept, Deny and Pass decide in written
/// order; domain-name peers and baseline ties make verdicts undecidable rather than silently wrong.
final class ClusterNetworkPolicyKindTests: XCTestCase {
    static let policies = """
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: guard}
        spec:
          tier: Admin
          priority: 3
          subject: {pods: {podSelector: {matchLabels: {app: db}}}}
          ingress:
          - {name: same-team, action: Pass, from: [{namespaces: {matchLabels: {team: a}}}]}
          - {name: others, action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {range: {start: 5000, end: 6000}}}}, {destinationNamedPort: pg}]}
        ---
        apiVersion: policy.networking.k8s.io/v1beta1
        kind: ClusterNetworkPolicy
        metadata: {name: floor}
        spec:
          tier: Baseline
          priority: 7
          subject: {namespaces: {}}
          egress:
          - {action: Pass, to: [{networks: [10.0.0.0/8, 192.0.2.0/24]}]}
          - {action: Deny, to: [{nodes: {}}], protocols: [{udp: {destinationPort: {number: 53}}}]}
        """

    func testTiersActionsAndProtocols() throws {
        let model = try loadModel(Self.policies)
        let set = PolicySet(model: model, options: CompileOptions())
        XCTAssertEqual(set.admin.map(\.name), ["guard"])
        XCTAssertEqual(set.baseline.map(\.name), ["floor"])
        let others = set.admin[0].ingress[1]
        XCTAssertEqual(set.admin[0].ingress.map(\.action), [.pass, .deny])
        XCTAssertEqual(others.ports, [.range(.tcp, 5000...6000), .named("pg", L4Protocol.allCases)])
        XCTAssertEqual(others.source.kind, "ClusterNetworkPolicy")
        // An absent namespaceSelector in a pods subject is every namespace.
        XCTAssertEqual(set.admin[0].subject.namespaces, .selector(.everything))
        let floor = set.baseline[0].egress
        XCTAssertEqual(floor[0].peers.count, 2, "one compiled peer per CIDR")
        XCTAssertNil(floor[0].ports, "no protocols: every connection")
        XCTAssertEqual(floor[1].ports, [.range(.udp, 53...53)])
        XCTAssertNil(PolicySet.undecidableReason(model, set))
    }

    /// A baseline Pass hands the flow to the default, which admits it.
    func testBaselinePassAdmits() throws {
        let model = try loadModel(
            Self.policies + """

                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: client, namespace: a, labels: {app: client}}
                spec: {containers: [{name: c}]}
                """)
        let evaluator = Evaluator(model: model, assumptions: Assumptions())
        let client = try XCTUnwrap(evaluator.endpoints.first)
        let toPass = AddressRange(cidr("10.1.2.3"))
        XCTAssertEqual(evaluator.connections(from: .pod(client), to: .external(toPass)), .all)
        let explained = evaluator.explain(from: .pod(client), to: .external(toPass), proto: .tcp, port: 80)
        XCTAssertEqual(explained.egress?.effect, .allow)
    }

    func testDomainNamesAndBaselineTiesAreUndecidable() throws {
        let domains = try loadModel(
            """
            apiVersion: policy.networking.k8s.io/v1alpha2
            kind: ClusterNetworkPolicy
            metadata: {name: saas}
            spec:
              tier: Admin
              priority: 1
              subject: {namespaces: {}}
              egress:
              - {action: Accept, to: [{domainNames: ["*.example.com", api.example.org.]}]}
            """)
        let why = try XCTUnwrap(
            PolicySet.undecidableReason(domains, PolicySet(model: domains, options: CompileOptions())))
        XCTAssertTrue(why.contains("ClusterNetworkPolicy saas spec.egress[0]"), why)
        var tie = Self.policies.replacingOccurrences(of: "name: floor", with: "name: floor-a")
        tie +=
            "\n---\n"
            + Self.policies.components(separatedBy: "---\n")[1].replacingOccurrences(
                of: "name: floor", with: "name: floor-b")
        let tied = try loadModel(tie)
        let tiedWhy = PolicySet.undecidableReason(tied, PolicySet(model: tied, options: CompileOptions()))
        XCTAssertEqual(
            tiedWhy,
            "Baseline-tier ClusterNetworkPolicies floor-a, floor-b share a priority: their order is left to the implementation"
        )
    }
}
