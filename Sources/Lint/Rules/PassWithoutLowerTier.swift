import KubeModel
import Reachability

/// A Pass rule hands its flows to the tiers below: NetworkPolicy, then the baseline, then the default, which admits.
/// When no pod the policy selects is isolated in that direction by a NetworkPolicy or governed by a baseline policy
/// (or the rule is itself in the Baseline tier, where Pass reaches the default at once), the Pass admits every flow it
/// matches, the same as Allow/Accept: usually a Deny or a missing NetworkPolicy was meant.
struct PassWithoutLowerTier: LintRule {
    let id = "pass-without-lower-tier"
    let severity = LintFinding.Severity.warning
    let summary = "a Pass rule whose flows no lower tier decides: they are admitted by default"

    func check(_ c: LintContext) -> [LintFinding] {
        var out: [LintFinding] = []
        for p in c.policies.admin + c.policies.baseline {
            let pods = c.pods(matching: p.subject)
            // A policy selecting nothing is reported elsewhere; Pass there does nothing at all.
            if pods.isEmpty { continue }
            for direction in [Direction.ingress, .egress] {
                for rule in p.rules(direction) where rule.action == .pass {
                    let decidedBelow =
                        p.tier == .admin
                        && pods.contains { i in
                            let pod = c.pod(i)
                            let isolated = c.policies.networkPolicies(governing: pod.namespace).contains {
                                $0.isolates(direction) && $0.subject.matches(pod)
                            }
                            return isolated
                                || c.policies.baseline.contains {
                                    !$0.rules(direction).isEmpty && $0.subject.matches(pod)
                                }
                        }
                    if decidedBelow { continue }
                    let below =
                        p.tier == .baseline
                        ? "in the Baseline tier, Pass reaches the default"
                        : "no NetworkPolicy isolates its \(pods.count) selected pod(s) for \(direction.rawValue) "
                            + "and no baseline policy selects them, so Pass reaches the default"
                    out.append(
                        finding(
                            "\(p.source.kind) \(p.id) \(rule.source.path) passes flows on, but \(below), which "
                                + "admits them: use Allow/Accept to say so, or Deny",
                            at: rule.source.location))
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-p}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-p, labels: {app: api}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: lint-p-delegate}
        spec:
          tier: Admin
          priority: 40
          subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-p}}}
          ingress:
            - name: tenants-decide
              action: Pass
              from: [{namespaces: {}}]
        """
    let goodExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-p}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-p, labels: {app: api}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha2
        kind: ClusterNetworkPolicy
        metadata: {name: lint-p-delegate}
        spec:
          tier: Admin
          priority: 40
          subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-p}}}
          ingress:
            - name: tenants-decide
              action: Pass
              from: [{namespaces: {}}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: api, namespace: lint-p}
        spec:
          podSelector: {matchLabels: {app: api}}
          ingress: [{from: [{podSelector: {}}]}]
        """
}
