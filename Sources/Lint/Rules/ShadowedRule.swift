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
        let remotes = c.remotes
        var out: [LintFinding] = []
        for p in c.policies.networkPolicies {
            let selected = Set(c.pods(matching: p.subject))
            if selected.isEmpty { continue }
            for direction in [Direction.ingress, .egress] where p.isolates(direction) {
                // Candidate shadowing rules: the policy's own and those of policies covering the same pods.
                var candidates: [(policy: CompiledPolicy, rule: CompiledRule)] = []
                for q in c.policies.networkPolicies(governing: p.namespace ?? "") where q.isolates(direction) {
                    guard q.id == p.id || selected.isSubset(of: Set(c.pods(matching: q.subject))) else { continue }
                    candidates += q.rules(direction).map { (q, $0) }
                }
                let rules = p.rules(direction)
                // What each rule admits, per remote, for every selected pod.
                func admitted(_ rule: CompiledRule) -> [ConnSet] {
                    remotes.flatMap { remote -> [ConnSet] in
                        guard c.evaluator.ruleAdmits(rule, remote: remote) else { return selected.map { _ in .none } }
                        return selected.sorted().map { s in
                            rule.ports.connections(destination: direction == .ingress ? .pod(c.pod(s)) : remote)
                        }
                    }
                }
                for (i, rule) in rules.enumerated() {
                    let mine = admitted(rule)
                    // admits nothing at all: other rules report that
                    if mine.allSatisfy(\.isEmpty) { continue }
                    for (q, other) in candidates where other.source != rule.source {
                        let theirs = admitted(other)
                        guard zip(mine, theirs).allSatisfy({ $0.subtracting($1).isEmpty }) else { continue }
                        // Two equal rules: only the later one (in policy order) is reported.
                        let equal = zip(mine, theirs).allSatisfy { $0 == $1 }
                        let otherFirst = q.id == p.id ? (rules.firstIndex(of: other) ?? 0) < i : q.id < p.id
                        if equal && !otherFirst { continue }
                        let otherPolicy = q.id == p.id ? "" : "\(q.source.kind) \(q.id) "
                        out.append(
                            finding(
                                "\(p.source.kind) \(p.id) \(rule.source.path) admits nothing beyond \(otherPolicy)\(other.source.path) (\(other.source.location))",
                                at: rule.source.location))
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
