import KubeModel
import Reachability

/// A rule is shadowed when another rule (of the same policy, or of a policy of the same namespace that selects at
/// least the same pods) admits every peer it admits on every port it admits, for the pods and addresses in the
/// input: deleting it changes nothing today.
struct ShadowedRule: LintRule {
    let id = "shadowed-rule"
    let severity = LintFinding.Severity.note
    let summary = "a rule admits nothing that another rule does not already admit"

    func check(_ c: LintContext) -> [LintFinding] {
        let remotes = c.live.map { Endpoint.pod(c.pod($0)) } + c.evaluator.externalRanges.map { Endpoint.external($0) }
        var out: [LintFinding] = []
        let byNamespace = Dictionary(grouping: c.model.networkPolicies, by: \.namespace)
        for p in c.model.networkPolicies {
            let selected = Set(c.pods(in: p.namespace, p.podSelector))
            if selected.isEmpty { continue }
            for ingress in [true, false] {
                guard ingress ? p.isolatesIngress : p.isolatesEgress else { continue }
                // Candidate shadowing rules: the policy's own and those of policies covering the same pods.
                var candidates: [(policy: NetworkPolicy, rule: NetworkPolicy.Rule)] = []
                for q in byNamespace[p.namespace] ?? [] where ingress ? q.isolatesIngress : q.isolatesEgress {
                    guard q.id == p.id || selected.isSubset(of: Set(c.pods(in: q.namespace, q.podSelector))) else {
                        continue
                    }
                    candidates += (ingress ? q.ingress : q.egress).map { (q, $0) }
                }
                let rules = ingress ? p.ingress : p.egress
                // What each rule admits, per remote, for every selected pod.
                func admitted(_ rule: NetworkPolicy.Rule, _ namespace: String) -> [ConnSet] {
                    remotes.flatMap { remote -> [ConnSet] in
                        guard c.evaluator.ruleAdmits(rule, policyNamespace: namespace, remote: remote) else {
                            return selected.map { _ in .none }
                        }
                        return selected.sorted().map { s in
                            c.evaluator.ruleConnections(rule, destination: ingress ? .pod(c.pod(s)) : remote)
                        }
                    }
                }
                for (i, rule) in rules.enumerated() {
                    let mine = admitted(rule, p.namespace)
                    if mine.allSatisfy(\.isEmpty) { continue }  // admits nothing at all: other rules report that
                    for (q, other) in candidates where other.ref != rule.ref {
                        let theirs = admitted(other, q.namespace)
                        guard zip(mine, theirs).allSatisfy({ $0.subtracting($1).isEmpty }) else { continue }
                        // Two equal rules: only the later one (in policy order) is reported.
                        let equal = zip(mine, theirs).allSatisfy { $0 == $1 }
                        let otherFirst = q.id == p.id ? (rules.firstIndex(of: other) ?? 0) < i : q.id < p.id
                        if equal && !otherFirst { continue }
                        out.append(
                            finding(
                                "NetworkPolicy \(p.id) \(rule.ref.path) admits nothing beyond \(q.id == p.id ? "" : "NetworkPolicy \(q.id) ")\(other.ref.path) (\(other.ref.location))",
                                at: rule.ref.location))
                        break
                    }
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: lint-e, labels: {app: web}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: lint-e, labels: {app: client}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: lint-e}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
          - from: [{podSelector: {}}]
            ports: [{port: 80}, {port: 443}]
          - from: [{podSelector: {matchLabels: {app: client}}}]
            ports: [{port: 443}]
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: lint-e, labels: {app: web}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: lint-e, labels: {app: client}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web, namespace: lint-e}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
          - from: [{podSelector: {}}]
            ports: [{port: 80}]
          - from: [{podSelector: {matchLabels: {app: client}}}]
            ports: [{port: 443}]
        """
}
