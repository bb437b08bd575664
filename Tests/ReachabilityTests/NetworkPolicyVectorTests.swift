import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// The NetworkPolicy and AdminNetworkPolicy test vectors of the project brief (../shared/SEMANTICS.md §12, fixture
/// F), checked on the concrete evaluator; `EncoderCrossCheckTests` checks the Z3 encoding against the same evaluator.
final class NetworkPolicyVectorTests: XCTestCase {
    static let fixture = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: a, labels: {team: a}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: b, labels: {team: b}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: c, labels: {team: c}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: x, namespace: a, labels: {app: x}}
        spec: {containers: [{name: m, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: y, namespace: a, labels: {app: "y"}}
        spec: {containers: [{name: m}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: c, namespace: b, labels: {app: c}}
        spec: {containers: [{name: m}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: d, namespace: b, labels: {app: d}}
        spec: {containers: [{name: m}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: e, namespace: c, labels: {app: e}}
        spec: {containers: [{name: m}]}

        """

    static func np(_ ns: String, _ name: String, _ spec: String) -> String {
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: \(name), namespace: \(ns)}\nspec: \(spec)\n"
    }

    static func evaluator(_ extra: String, profile: Profile = .conformance) throws -> Evaluator {
        Evaluator(model: try loadModel(fixture + extra), assumptions: Assumptions(profile: profile))
    }

    func testTV01DefaultAllow() throws {
        XCTAssertTrue(try Self.evaluator("").allows("b/c", "a/x", .tcp, 8080))
    }

    func testTV02DefaultDenyIngress() throws {
        XCTAssertFalse(try Self.evaluator(Self.np("a", "deny", "{podSelector: {}}")).allows("a/y", "a/x", .tcp, 8080))
    }

    func testTV03UnionOfPolicies() throws {
        let e = try Self.evaluator(
            Self.np("a", "deny", "{podSelector: {}}")
                + Self.np("a", "allow", "{podSelector: {matchLabels: {app: x}}, ingress: [{}]}"))
        XCTAssertTrue(e.allows("b/c", "a/x", .tcp, 8080))
    }

    func testTV04PodSelectorPeerIsNamespaceLocal() throws {
        let e = try Self.evaluator(
            Self.np(
                "a", "p",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{podSelector: {matchLabels: {app: c}}}]}]}"))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 8080))
    }

    func testTV05NamespaceAndPodSelectorInOnePeer() throws {
        let e = try Self.evaluator(
            Self.np(
                "a", "p",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: c}}}]}]}"
            ))
        XCTAssertTrue(e.allows("b/c", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows("b/d", "a/x", .tcp, 8080))
    }

    func testTV06SeparatePeersAreORed() throws {
        let e = try Self.evaluator(
            Self.np(
                "a", "p",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: b}}}, {podSelector: {matchLabels: {app: c}}}]}]}"
            ))
        XCTAssertTrue(e.allows("b/d", "a/x", .tcp, 8080))
    }

    func testTV07EmptyPodSelectorInsideNamespacePeer() throws {
        let e = try Self.evaluator(
            Self.np(
                "a", "p",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: b}}, podSelector: {}}]}]}"
            ))
        XCTAssertTrue(e.allows("b/d", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows("c/e", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows("a/y", "a/x", .tcp, 8080))
    }

    func testTV08EmptyNamespaceSelectorExcludesExternal() throws {
        let e = try Self.evaluator(
            Self.np("a", "p", "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: {}}]}]}"))
        XCTAssertTrue(e.allows("c/e", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows(external: "203.0.113.5", "a/x", .tcp, 8080))
    }

    func testTV09RuleWithPortsOnlyAdmitsEveryone() throws {
        let e = try Self.evaluator(
            Self.np("a", "p", "{podSelector: {matchLabels: {app: x}}, ingress: [{ports: [{port: 8080}]}]}"))
        XCTAssertTrue(e.allows(external: "203.0.113.5", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows(external: "203.0.113.5", "a/x", .tcp, 9090))
    }

    func testTV10IpBlockWithExcept() throws {
        let e = try Self.evaluator(
            Self.np(
                "a", "p",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.0/28]}}]}]}"
            ))
        XCTAssertFalse(e.allows(external: "203.0.113.5", "a/x", .tcp, 8080))
        XCTAssertTrue(e.allows(external: "203.0.113.77", "a/x", .tcp, 8080))
    }

    func testTV11ExceptOverriddenByAnotherPolicy() throws {
        let e = try Self.evaluator(
            Self.np(
                "a", "p1",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.5/32]}}]}]}"
            )
                + Self.np(
                    "a", "p2",
                    "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: 203.0.113.5/32}}]}]}"))
        XCTAssertTrue(e.allows(external: "203.0.113.5", "a/x", .tcp, 8080))
    }

    func testTV12IpBlockCoveringPodIPsDependsOnProfile() throws {
        let policy = Self.np(
            "a", "p", "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/16}}]}]}")
        XCTAssertTrue(try Self.evaluator(policy).allows("c/e", "a/x", .tcp, 8080))
        XCTAssertFalse(try Self.evaluator(policy, profile: .conservativeAvailability).allows("c/e", "a/x", .tcp, 8080))
    }

    func testTV13NamedPortResolvesPerDestinationPod() throws {
        let x2 =
            "---\napiVersion: v1\nkind: Pod\nmetadata: {name: x2, namespace: a, labels: {app: x}}\nspec: {containers: [{name: m, ports: [{name: http, containerPort: 9090}]}]}\n"
        let e = try Self.evaluator(
            x2 + Self.np("a", "p", "{podSelector: {matchLabels: {app: x}}, ingress: [{ports: [{port: http}]}]}"))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 9090))
        XCTAssertTrue(e.allows("b/c", "a/x2", .tcp, 9090))
        XCTAssertTrue(e.allows("b/c", "a/x", .tcp, 8080))
    }

    func testTV14NamedPortWithWrongProtocol() throws {
        let fixture = Self.fixture.replacingOccurrences(
            of: "[{name: http, containerPort: 8080}]",
            with: "[{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]")
        let model = try loadModel(
            fixture + Self.np("a", "p", "{podSelector: {matchLabels: {app: x}}, ingress: [{ports: [{port: dns}]}]}"))
        let e = Evaluator(model: model, assumptions: Assumptions())
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 53))
        XCTAssertFalse(e.allows("b/c", "a/x", .udp, 53))
    }

    func testTV15EndPortRangeIsUnsigned() throws {
        let policy = Self.np(
            "a", "p",
            "{podSelector: {matchLabels: {app: x}}, ingress: [{ports: [{protocol: TCP, port: 32000, endPort: 40000}]}]}"
        )
        let e = try Self.evaluator(policy)
        XCTAssertTrue(e.allows("b/c", "a/x", .tcp, 35000))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 40001))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 31999))
        XCTAssertFalse(try Self.evaluator(policy, profile: .conservativeAvailability).allows("b/c", "a/x", .tcp, 35000))
    }

    func testTV16EgressOnlyIsolation() throws {
        let e = try Self.evaluator(Self.np("a", "p", "{podSelector: {matchLabels: {app: x}}, policyTypes: [Egress]}"))
        XCTAssertFalse(e.allows("a/x", "b/c", .tcp, 80))
        XCTAssertTrue(e.allows("b/c", "a/x", .tcp, 8080))
    }

    func testTV17EgressRulesImplyIngressIsolation() throws {
        let e = try Self.evaluator(
            Self.np(
                "a", "p",
                "{podSelector: {matchLabels: {app: x}}, egress: [{to: [{podSelector: {matchLabels: {app: \"y\"}}}]}]}"))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 8080))
        XCTAssertTrue(e.allows("a/x", "a/y", .tcp, 80))
    }

    func testTV18BothEndsMustAllow() throws {
        let e = try Self.evaluator(
            Self.np(
                "b", "p1",
                "{podSelector: {matchLabels: {app: c}}, policyTypes: [Egress], egress: [{to: [{podSelector: {matchLabels: {app: d}}}]}]}"
            )
                + Self.np("a", "p2", "{podSelector: {matchLabels: {app: x}}, ingress: [{}]}"))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 8080))
        let why = e.explain(from: e.endpoint("b/c"), to: e.endpoint("a/x"), proto: .tcp, port: 8080)
        XCTAssertEqual(why.egress?.stage, "NP-EGRESS")
        XCTAssertEqual(why.egress?.effect, .deny)
        XCTAssertEqual(why.ingress?.effect, .allow)
    }

    func testTV19RepliesAreImplicit() throws {
        let e = try Self.evaluator(
            Self.np("a", "p", "{podSelector: {matchLabels: {app: x}}, policyTypes: [Ingress, Egress], ingress: [{}]}"))
        XCTAssertTrue(e.allows("b/c", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows("a/x", "b/c", .tcp, 8080))
    }

    func testTV20ProtocolMismatchAndSCTP() throws {
        let e = try Self.evaluator(
            Self.np(
                "a", "p",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{ports: [{protocol: UDP, port: 5000}, {protocol: TCP, port: 6000}]}]}"
            ))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 5000))
        XCTAssertTrue(e.allows("b/c", "a/x", .udp, 5000))
        XCTAssertFalse(e.allows("b/c", "a/x", .sctp, 6000))
        XCTAssertFalse(e.allows("b/c", "a/x", .other, 0), "a rule with ports never admits port-less protocols")
    }

    func testTV22HostNetworkSourceIsNotMatchedBySelectorsUnderH2() throws {
        let agent =
            "---\napiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: b, labels: {app: agent}}\nspec: {hostNetwork: true, containers: [{name: m}]}\n"
        let policy = Self.np(
            "a", "p",
            "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: agent}}}]}]}"
        )
        XCTAssertFalse(try Self.evaluator(agent + policy).allows("b/agent", "a/x", .tcp, 8080))
        var h1 = Assumptions()
        h1.hostNetworkSelectable = true
        XCTAssertTrue(
            Evaluator(model: try loadModel(Self.fixture + agent + policy), assumptions: h1).allows(
                "b/agent", "a/x", .tcp, 8080))
    }

    static func anp(_ name: String, _ spec: String) -> String {
        "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: \(name)}\nspec: \(spec)\n"
    }

    func testTV33AdminDenyOverridesNetworkPolicyAllow() throws {
        let e = try Self.evaluator(
            Self.anp(
                "no-b",
                "{priority: 10, subject: {namespaces: {matchLabels: {team: a}}}, ingress: [{name: no-b, action: Deny, from: [{namespaces: {matchLabels: {team: b}}}]}]}"
            )
                + Self.np("a", "p", "{podSelector: {matchLabels: {app: x}}, ingress: [{}]}"))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 8080))
        XCTAssertEqual(
            e.explain(from: e.endpoint("b/c"), to: e.endpoint("a/x"), proto: .tcp, port: 8080).ingress?.stage,
            "ANP-INGRESS")
    }

    func testTV34AdminAllowOnOneSideDoesNotFixTheOther() throws {
        let e = try Self.evaluator(
            Self.anp(
                "allow",
                "{priority: 5, subject: {namespaces: {matchLabels: {team: a}}}, ingress: [{action: Allow, from: [{namespaces: {}}]}]}"
            )
                + Self.np("b", "p", "{podSelector: {matchLabels: {app: c}}, policyTypes: [Egress]}"))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 8080))
    }

    func testTV35PassThenNetworkPolicyOrBaseline() throws {
        let pass = Self.anp(
            "pass",
            "{priority: 1, subject: {namespaces: {}}, ingress: [{action: Pass, from: [{namespaces: {matchLabels: {team: b}}}]}]}"
        )
        let banp =
            "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec: {subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {}}]}]}\n"
        XCTAssertFalse(try Self.evaluator(pass + banp).allows("b/c", "a/x", .tcp, 8080))
        XCTAssertTrue(
            try Self.evaluator(pass + banp + Self.np("a", "p", "{podSelector: {matchLabels: {app: x}}, ingress: [{}]}"))
                .allows("b/c", "a/x", .tcp, 8080))
        XCTAssertFalse(
            try Self.evaluator(pass + banp + Self.np("a", "p", "{podSelector: {matchLabels: {app: x}}, ingress: []}"))
                .allows("b/c", "a/x", .tcp, 8080))
    }

    func testTV36PriorityAndRuleOrder() throws {
        let e = try Self.evaluator(
            Self.anp(
                "p5",
                "{priority: 5, subject: {namespaces: {matchLabels: {team: a}}}, ingress: [{action: Allow, from: [{pods: {namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: c}}}}]}]}"
            )
                + Self.anp(
                    "p10",
                    "{priority: 10, subject: {namespaces: {matchLabels: {team: a}}}, ingress: [{action: Deny, from: [{namespaces: {matchLabels: {team: b}}}]}]}"
                ))
        XCTAssertTrue(e.allows("b/c", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows("b/d", "a/x", .tcp, 8080))
    }

    func testExplanationNamesTheAdmittingRuleWithItsLine() throws {
        let e = try Self.evaluator(
            Self.np(
                "a", "web",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{podSelector: {matchLabels: {app: \"y\"}}}], ports: [{port: 8080}]}]}"
            ))
        let why = e.explain(from: e.endpoint("a/y"), to: e.endpoint("a/x"), proto: .tcp, port: 8080)
        XCTAssertTrue(why.allowed)
        XCTAssertEqual(why.ingress?.rule?.name, "web")
        XCTAssertEqual(why.ingress?.rule?.path, "spec.ingress[0]")
        XCTAssertEqual(why.ingress?.rule?.location.line, 41)
        XCTAssertEqual(why.egress?.reason, "(default: not isolated)")
        let denied = e.explain(from: e.endpoint("b/c"), to: e.endpoint("a/x"), proto: .tcp, port: 8080)
        XCTAssertFalse(denied.allowed)
        XCTAssertEqual(denied.ingress?.isolatingPolicies.map(\.name), ["web"])
    }
}
