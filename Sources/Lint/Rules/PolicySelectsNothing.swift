import KubeModel
import Reachability

/// A NetworkPolicy whose podSelector selects no pod of its namespace protects nothing (often a label typo).
struct PolicySelectsNothing: LintRule {
    let id = "policy-selects-nothing"
    let severity = LintFinding.Severity.warning
    let summary = "a NetworkPolicy's podSelector selects no pod of its namespace"

    func check(_ c: LintContext) -> [LintFinding] {
        c.policies.networkPolicies.filter { c.pods(matching: $0.subject).isEmpty }.map {
            let field = $0.source.isCilium ? "endpointSelector" : "podSelector"
            let scope = $0.namespace.map { "in namespace \($0)" } ?? "in any namespace"
            return absence(
                "\($0.source.kind) \($0.id): \(field) {\($0.subject.pods)} selects no pod \(scope); the policy has no effect",
                at: $0.source.location, in: c)
        }
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: lint-a, labels: {app: web}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web-only, namespace: lint-a}
        spec: {podSelector: {matchLabels: {app: wbe}}, ingress: [{from: [{podSelector: {}}]}]}
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: lint-a, labels: {app: web}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: browser, namespace: lint-a, labels: {app: browser}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web-only, namespace: lint-a}
        spec: {podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {}}]}]}
        """
}
