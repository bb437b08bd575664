import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// Null means absent, as the API server decodes a manifest: `null`, `~` and an empty value leave a pointer field
/// unset, while `{}` is the empty selector and `[]` the empty list. A peer's namespaceSelector left null is the
/// policy's own namespace, never every namespace.
final class NullFieldTests: XCTestCase {
    typealias V = NetworkPolicyVectorTests

    func allowed(_ spec: String, from source: String, to destination: String) throws -> Bool {
        let e = try V.evaluator(V.np("a", "p", spec))
        func pod(_ id: String) -> PodEndpoint { e.endpoints[e.model.workloads.firstIndex { $0.id == id }!] }
        return e.connections(from: .pod(pod(source)), to: .pod(pod(destination))).contains(.tcp, 80)
    }

    func testNullNamespaceSelectorIsThePolicysOwnNamespace() throws {
        for spelling in ["null", "~", ""] {
            let spec = """
                {podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: \(spelling), podSelector: {matchLabels: {app: c}}}]}]}
                """
            XCTAssertFalse(try allowed(spec, from: "b/c", to: "a/x"), "namespaceSelector: \(spelling)")
        }
        let empty = """
            {podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: c}}}]}]}
            """
        XCTAssertTrue(try allowed(empty, from: "b/c", to: "a/x"), "namespaceSelector: {} is every namespace")
    }

    func testNullPodSelectorInAPeerIsEveryPodOfTheSelectedNamespaces() throws {
        for spelling in ["null", "~", ""] {
            let spec = """
                {podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: b}}, podSelector: \(spelling)}]}]}
                """
            XCTAssertTrue(try allowed(spec, from: "b/d", to: "a/x"), "podSelector: \(spelling)")
            XCTAssertFalse(try allowed(spec, from: "c/e", to: "a/x"), "podSelector: \(spelling)")
        }
    }

    func testAPeerWhoseSelectorsAreAllNullIsRejected() {
        let text =
            NetworkPolicyVectorTests.fixture
            + V.np("a", "p", "{podSelector: {}, ingress: [{from: [{namespaceSelector: null, podSelector: ~}]}]}")
        XCTAssertThrowsError(try loadModel(text)) { error in
            XCTAssertTrue("\(error)".contains("a peer needs podSelector, namespaceSelector or ipBlock"), "\(error)")
        }
    }

    func testNullAndEmptyRuleListsIsolateWithoutAdmitting() throws {
        for spelling in ["null", "~", "[]"] {
            let spec = "{podSelector: {matchLabels: {app: x}}, ingress: \(spelling)}"
            XCTAssertFalse(try allowed(spec, from: "a/y", to: "a/x"), "ingress: \(spelling)")
        }
        // A rule whose peers are null or empty admits every peer.
        for spelling in ["null", "[]"] {
            let spec = "{podSelector: {matchLabels: {app: x}}, ingress: [{from: \(spelling)}]}"
            XCTAssertTrue(try allowed(spec, from: "c/e", to: "a/x"), "from: \(spelling)")
        }
    }

    func testNullIpBlockBesideASelectorIsAbsent() throws {
        let spec = """
            {podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: null, podSelector: {matchLabels: {app: "y"}}}]}]}
            """
        XCTAssertTrue(try allowed(spec, from: "a/y", to: "a/x"))
    }
}
