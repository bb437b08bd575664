import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims

/// A-ANP-TIE: AdminNetworkPolicies of equal priority whose rules disagree on a flow. Upstream leaves their order
/// undefined: conformance answers UNKNOWN, conservative-security counts the flow as admitted if some order admits
/// it, conservative-availability only if every order does.
final class AdminTieTests: XCTestCase {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: a, labels: {team: a}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: b, labels: {team: b}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: x, namespace: a, labels: {app: x}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: c, namespace: b, labels: {app: c}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: allow-b}
        spec: {priority: 10, subject: {namespaces: {matchLabels: {team: a}}}, ingress: [{name: b, action: Allow, from: [{namespaces: {matchLabels: {team: b}}}]}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: deny-b}
        spec: {priority: 10, subject: {namespaces: {matchLabels: {team: a}}}, ingress: [{name: b, action: Deny, from: [{namespaces: {matchLabels: {team: b}}}]}]}
        """

    static let claims = """
        claims:
          - {name: open, allowed: {from: {workload: b/c}, to: {workload: a/x}, ports: [TCP/8080]}}
          - {name: closed, denied: {from: {workload: b/c}, to: {workload: a/x}, ports: [TCP/8080]}}
          - {name: closed-for-new-pods, denied: {from: {namespace: b, universe: any}, to: {workload: a/x}, ports: [TCP/8080]}}
        """

    func results(_ profile: Profile) throws -> [String: Verdict] {
        let model = try loadModel(Self.manifests)
        XCTAssertEqual(
            PolicySet(model: model, options: CompileOptions()).adminPriorityTies, [["allow-b", "deny-b"]])
        let checker = ClaimChecker(model: model, assumptions: Assumptions(profile: profile))
        let (file, errors) = ClaimsParser.load(try temporaryFile(Self.claims))
        XCTAssertEqual(errors, [])
        return Dictionary(uniqueKeysWithValues: file!.claims.map { ($0.name, checker.check($0).verdict) })
    }

    func testProfilesBindTheTie() throws {
        XCTAssertEqual(
            try results(.conformance), ["open": .unknown, "closed": .unknown, "closed-for-new-pods": .unknown])
        let security = try results(.conservativeSecurity)
        XCTAssertEqual(security["closed"], .refuted)
        XCTAssertEqual(security["open"], .proved)
        let availability = try results(.conservativeAvailability)
        XCTAssertEqual(availability["open"], .refuted)
        XCTAssertEqual(availability["closed"], .proved)
    }

    func testAQueryOnATiedFlowIsUnknown() throws {
        let model = try loadModel(Self.manifests)
        let engine = QueryEngine(checker: ClaimChecker(model: model, assumptions: Assumptions()))
        let answer = engine.answer(
            from: try QueryEndpoint.parse("b/c", labels: [:], model: model), fromText: "b/c",
            to: try QueryEndpoint.parse("a/x", labels: [:], model: model), toText: "a/x",
            ports: [PortSpec.parse("TCP/8080")!])
        XCTAssertEqual(answer.verdict, .unknown)
        XCTAssertTrue(answer.reason!.contains("A-ANP-TIE"))
    }
}
