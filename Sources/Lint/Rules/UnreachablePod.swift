import KubeModel
import Reachability

/// A pod that declares container ports (it serves something), that policies isolate for ingress, and that no pod
/// of the input nor any external address can reach on any port.
struct UnreachablePod: LintRule {
    let id = "unreachable-pod"
    let severity = LintFinding.Severity.warning
    let summary = "an ingress-isolated pod that nothing can reach"

    func check(_ c: LintContext) -> [LintFinding] {
        let sources = c.remotes
        var out: [LintFinding] = []
        for d in c.live {
            let w = c.model.workloads[d]
            // a pure client (a load generator, a job) receives nothing by design
            guard !w.ports.isEmpty else { continue }
            let isolating = c.policies.networkPolicies.filter { $0.isolatesIngress && $0.subject.matches(c.pod(d)) }
            guard !isolating.isEmpty else { continue }
            let target = Endpoint.pod(c.pod(d))
            let reached = sources.contains { s in
                s.pod?.declaredIndex != d && !c.evaluator.connections(from: s, to: target).isEmpty
            }
            if !reached {
                out.append(
                    absence(
                        "\(w.kind) \(w.id) is isolated for ingress by \(isolating.map(\.id).joined(separator: ", ")) and no pod or address of the input can reach it",
                        at: w.location, in: c))
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-f, labels: {app: api}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: lint-f}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-f, labels: {app: api}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: default-deny, namespace: lint-f}
        spec: {podSelector: {}, policyTypes: [Ingress]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: api-from-outside, namespace: lint-f}
        spec: {podSelector: {matchLabels: {app: api}}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 8080}]}]}
        """
}
