import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// Cilium's L7 HTTP rules at the mesh layer: the RE2 subset decided exactly, requests against the rules of the side
/// that admits the connection, the upstream merge of an L4-only rule with L7 rules on the same port (every request
/// passes), and the L7 kinds this version does not decide.
final class CiliumL7StageTests: XCTestCase {
    func testRegexSubsetMatchesWholeFields() throws {
        func m(_ pattern: String, _ text: String) -> Bool? { RegexSubset(pattern)?.matchesWhole(text) }
        XCTAssertEqual(m("GET", "GET"), true)
        XCTAssertEqual(m("GET", "GETX"), false, "the whole field, as Envoy's safe_regex")
        XCTAssertEqual(m("/v1/.*", "/v1/exhaust-port"), true)
        XCTAssertEqual(m("/v1/.*", "/v2/x"), false)
        XCTAssertEqual(m("^/public/[a-z0-9-]+$", "/public/a-1"), true)
        XCTAssertEqual(m("/public/[a-z0-9-]+", "/public/"), false, "+ needs one")
        XCTAssertEqual(m("/items/\\d+", "/items/42"), true)
        XCTAssertEqual(m("/items/\\d+", "/items/4x"), false)
        XCTAssertEqual(m("/a\\.b", "/a.b"), true)
        XCTAssertEqual(m("/a\\.b", "/axb"), false)
        XCTAssertEqual(m("/[^/]*", "/abc"), true)
        XCTAssertEqual(m("/[^/]*", "/a/c"), false)
        XCTAssertEqual(m("colou?r", "color"), true)
        XCTAssertEqual(m("colou?r", "colouur"), false)
        for beyond in ["GET|POST", "/(a|b)", "/a{2}", "*x", "/\\bword"] {
            XCTAssertNil(RegexSubset(beyond), beyond)
        }
    }

    static let fixture = NetworkPolicyVectorTests.fixture

    func decide(_ policies: String, _ from: String, _ request: HTTPRequest?) throws -> MeshDecision {
        let model = try loadModel(Self.fixture + policies)
        let mesh = MeshEvaluator(evaluator: Evaluator(model: model, assumptions: Assumptions()))
        let e = mesh.evaluator
        let di = model.workloads.firstIndex { $0.id == "a/x" }!
        return mesh.decide(from: e.endpoint(from), to: di, port: 8080, request: request)
    }

    static let l7 = CiliumNetworkPolicyKindTests.cnp(
        "a", "api",
        "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {app: \"y\"}}], toPorts: [{ports: [{port: \"8080\", protocol: TCP}], rules: {http: [{method: GET, path: \"/api/.*\"}]}}]}]}"
    )

    func testRequestsAgainstTheRulesOfTheAdmittingSide() throws {
        let allowed = try decide(Self.l7, "a/y", HTTPRequest(method: "GET", path: "/api/v1"))
        XCTAssertEqual(allowed.verdict, .allowed)
        XCTAssertEqual(allowed.steps.last?.stage, "CILIUM-L7")
        XCTAssertEqual(allowed.steps.last?.evidence?.path, "spec.ingress[0].toPorts[0].rules.http[0]")
        XCTAssertEqual(try decide(Self.l7, "a/y", HTTPRequest(method: "POST", path: "/api/v1")).verdict, .denied)
        XCTAssertEqual(try decide(Self.l7, "a/y", HTTPRequest(method: "GET", path: "/admin")).verdict, .denied)
        // A field the question leaves open can match; with no request at all the connection is what is asked.
        XCTAssertEqual(try decide(Self.l7, "a/y", HTTPRequest(path: "/api/x")).verdict, .allowed)
        XCTAssertEqual(try decide(Self.l7, "a/y", nil).verdict, .allowed)
    }

    func testAnL4OnlyRuleForTheSamePeerAndPortAdmitsEveryRequest() throws {
        let l4 = CiliumNetworkPolicyKindTests.cnp(
            "a", "l4",
            "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {app: \"y\"}}], toPorts: [{ports: [{port: \"8080\"}]}]}]}"
        )
        XCTAssertEqual(try decide(Self.l7 + l4, "a/y", HTTPRequest(method: "DELETE", path: "/admin")).verdict, .allowed)
        // A Kubernetes NetworkPolicy admitting the same peer has no L7 rules either.
        let np = NetworkPolicyVectorTests.np(
            "a", "np",
            "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{podSelector: {matchLabels: {app: \"y\"}}}]}]}")
        XCTAssertEqual(try decide(Self.l7 + np, "a/y", HTTPRequest(method: "DELETE", path: "/admin")).verdict, .allowed)
    }

    func testUndecidedL7() throws {
        let kafka = CiliumNetworkPolicyKindTests.cnp(
            "a", "kafka",
            "{endpointSelector: {matchLabels: {app: x}}, ingress: [{toPorts: [{ports: [{port: \"8080\", protocol: TCP}], rules: {kafka: [{topic: orders}]}}]}]}"
        )
        let k = try decide(kafka, "a/y", HTTPRequest(method: "GET", path: "/"))
        XCTAssertEqual(k.verdict, .unknown)
        XCTAssertTrue(k.reason?.contains("kafka") == true, k.reason ?? "")
        let headers = CiliumNetworkPolicyKindTests.cnp(
            "a", "headers",
            "{endpointSelector: {matchLabels: {app: x}}, ingress: [{toPorts: [{ports: [{port: \"8080\", protocol: TCP}], rules: {http: [{method: GET, headers: [\"X-Token: 1\"]}]}}]}]}"
        )
        XCTAssertEqual(try decide(headers, "a/y", HTTPRequest(method: "GET", path: "/")).verdict, .unknown)
        let alternation = CiliumNetworkPolicyKindTests.cnp(
            "a", "alt",
            "{endpointSelector: {matchLabels: {app: x}}, ingress: [{toPorts: [{ports: [{port: \"8080\", protocol: TCP}], rules: {http: [{method: \"GET|HEAD\"}]}}]}]}"
        )
        let alt = try decide(alternation, "a/y", HTTPRequest(method: "GET", path: "/"))
        XCTAssertEqual(alt.verdict, .unknown)
        XCTAssertTrue(alt.reason?.contains("A-REGEX") == true, alt.reason ?? "")
    }
}
