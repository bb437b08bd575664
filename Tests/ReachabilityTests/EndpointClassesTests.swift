import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// Which workloads share an endpoint class: exactly those no applicable selector or named port tells apart.
final class EndpointClassesTests: XCTestCase {
    static let cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {env: prod}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: lab, labels: {env: dev}}
        """
        + ["shop", "lab"].flatMap { ns in
            ["web", "api", "db"].map { app in
                """

                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: \(app), namespace: \(ns)}
                spec:
                  selector: {matchLabels: {app: \(app)}}
                  template:
                    metadata: {labels: {app: \(app)}}
                    spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: \(app == "db" ? 5432 : 8080)}]}]}
                """
            }
        }.joined() + "\n"

    func classes(_ extra: String) throws -> (EndpointClasses, ClusterModel) {
        let model = try loadModel(Self.cluster + extra)
        return (
            EndpointClasses(evaluator: Evaluator(model: model, assumptions: Assumptions())),
            model
        )
    }

    func sameClass(_ c: EndpointClasses, _ model: ClusterModel, _ a: String, _ b: String) -> Bool {
        let i = model.workloads.firstIndex { $0.id == a }!
        let j = model.workloads.firstIndex { $0.id == b }!
        return c.classOf[i] == c.classOf[j]
    }

    func testWithoutSelectorsAllPodsOfANamespaceShareAClass() throws {
        let (c, model) = try classes("")
        XCTAssertEqual(c.count, 2)
        XCTAssertTrue(sameClass(c, model, "shop/web", "shop/db"))
        XCTAssertFalse(sameClass(c, model, "shop/web", "lab/web"), "classes never mix namespaces")
    }

    func testAPeerSelectorSplitsOnlyTheNamespacesItsNamespaceSelectorMatches() throws {
        let policy = NetworkPolicyVectorTests.np(
            "shop", "p",
            "{podSelector: {}, ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}, podSelector: {matchLabels: {app: web}}}]}]}"
        )
        let (c, model) = try classes(policy)
        XCTAssertFalse(sameClass(c, model, "lab/web", "lab/api"), "the peer applies in lab (env=dev)")
        XCTAssertTrue(sameClass(c, model, "lab/api", "lab/db"))
        XCTAssertTrue(sameClass(c, model, "shop/web", "shop/api"), "the peer cannot select shop's pods: no split there")
    }

    func testAPeerWithoutNamespaceSelectorSplitsThePolicysNamespace() throws {
        let policy = NetworkPolicyVectorTests.np(
            "shop", "p",
            "{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]}")
        let (c, model) = try classes(policy)
        XCTAssertFalse(sameClass(c, model, "shop/db", "shop/web"))
        XCTAssertFalse(sameClass(c, model, "shop/api", "shop/web"))
        XCTAssertTrue(sameClass(c, model, "lab/db", "lab/api"), "lab's pods are out of the policy's reach")
    }

    func testNamedPortsSplitWhenAPolicyUsesTheName() throws {
        let policy = NetworkPolicyVectorTests.np("lab", "p", "{podSelector: {}, egress: [{ports: [{port: http}]}]}")
        let (c, model) = try classes(policy)
        XCTAssertFalse(sameClass(c, model, "shop/db", "shop/web"), "http is 5432 on db, 8080 on web")
        XCTAssertTrue(sameClass(c, model, "shop/api", "shop/web"))
    }

    /// The label index finds exactly the label sets a selector matches, whichever requirement it starts from: random
    /// label sets against selectors of every operator, with repeated values and values no set carries.
    func testLabelIndexMatchesWhatTheSelectorMatches() {
        // A fixed linear congruential sequence: the same sets and selectors on every run.
        var state: UInt64 = 20_261_207
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let keys = ["app", "tier", "team", "env"]
        let values = ["a", "b", "c", "d", "e"]
        let sets: [[String: String]] = (0..<300).map { _ in
            var set: [String: String] = [:]
            for key in keys where next(3) > 0 { set[key] = values[next(4)] }  // "e" is never carried
            return set
        }
        let index = LabelIndex(sets)
        let operators: [LabelRequirement.Operator] = [.in, .in, .notIn, .exists, .doesNotExist]
        for _ in 0..<2_000 {
            let requirements = (0..<(1 + next(3))).map { _ in
                let op = operators[next(operators.count)]
                let named = (0..<(1 + next(3))).map { _ in values[next(values.count)] }
                return LabelRequirement(
                    key: keys[next(keys.count)], op: op, values: op == .in || op == .notIn ? named : [])
            }
            let selector = LabelSelector(requirements: requirements)
            XCTAssertEqual(index.matching(selector), sets.indices.filter { selector.matches(sets[$0]) }, "\(selector)")
        }
    }
}
