import KubeModel
import Reachability

/// In an ordered tier (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) the first matching rule
/// decides. A rule every one of whose flows an earlier rule already matches (a rule before it in the policy, or in a
/// policy of strictly lower priority of the same tier that selects the same pods) never decides anything, for the pods
/// and addresses in the input. Policies of equal priority have no defined order and shadow nothing of each other.
struct ShadowedOrderedRule: LintRule {
    let id = "shadowed-tier-rule"
    let severity = LintFinding.Severity.warning
    let summary = "an admin or baseline rule that earlier rules of its tier always decide first"

    func check(_ c: LintContext) -> [LintFinding] {
        var out: [LintFinding] = []
        for tier in [c.policies.admin, c.policies.baseline] {
            for (k, p) in tier.enumerated() {
                let pods = c.pods(matching: p.subject)
                if pods.isEmpty { continue }
                for direction in [Direction.ingress, .egress] {
                    let rules = p.rules(direction)
                    for (i, rule) in rules.enumerated() {
                        // Earlier rules: those before it in its policy, then those of higher-priority policies.
                        let earlier: [(CompiledPolicy, CompiledRule)] =
                            rules[..<i].map { (p, $0) }
                            + tier[..<k].filter { $0.priority < p.priority }.flatMap { q in
                                q.rules(direction).map { (q, $0) }
                            }
                        if earlier.isEmpty { continue }
                        var matchesSomething = false
                        var lastDecider: CompiledRule?
                        let shadowed = c.everyFlow(of: rule, direction, pods: pods, admitsSomething: &matchesSomething)
                        {
                            pod, remote, conns in
                            let destination = direction == .ingress ? Endpoint.pod(pod) : remote
                            var left = conns
                            for (q, other) in earlier
                            where q.subject.matches(pod) && c.evaluator.ruleAdmits(other, remote: remote) {
                                let before = left
                                left = left.subtracting(other.ports.connections(destination: destination))
                                if left != before { lastDecider = other }
                                if left.isEmpty { return true }
                            }
                            return false
                        }
                        guard shadowed, matchesSomething, let decider = lastDecider else { continue }
                        out.append(
                            finding(
                                "\(p.source.kind) \(p.id) \(rule.source.path) never decides: earlier rules match all its "
                                    + "flows first, last of them \(decider.source.qualifiedName) \(decider.source.path) "
                                    + "(\(decider.source.location))",
                                at: rule.source.location))
                    }
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-s}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: lint-s, labels: {app: db}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: lint-s2, labels: {app: client}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: lint-s-guard}
        spec:
          tier: Admin
          priority: 5
          subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-s}}}
          ingress:
            - name: deny-all
              action: Deny
              from: [{namespaces: {}}]
            - name: allow-monitoring
              action: Accept
              from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-s}}}]
        """
    let goodExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-s}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: lint-s, labels: {app: db}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client, namespace: lint-s2, labels: {app: client}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: lint-s-guard}
        spec:
          tier: Admin
          priority: 5
          subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-s}}}
          ingress:
            - name: allow-monitoring
              action: Accept
              from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-s}}}]
            - name: deny-all
              action: Deny
              from: [{namespaces: {}}]
        """
}
