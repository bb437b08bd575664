import KubeModel
import Reachability

/// Two policies of one ordered tier with the same priority (AdminNetworkPolicies, ClusterNetworkPolicies of the Admin
/// or Baseline tier): which one decides a flow both match is undefined upstream (A-ANP-TIE).
struct AdminPolicyPriorityTie: LintRule {
    let id = "anp-equal-priority"
    let severity = LintFinding.Severity.warning
    let summary = "two AdminNetworkPolicies share a priority"

    func check(_ c: LintContext) -> [LintFinding] {
        var out: [LintFinding] = []
        let tiers = [c.policies.admin, c.policies.baseline]
        for (priority, group) in tiers.flatMap({ Dictionary(grouping: $0, by: \.priority) }) where group.count > 1 {
            let names = group.map(\.name).sorted()
            for p in group.sorted(by: { $0.name < $1.name }).dropFirst() {
                out.append(
                    finding(
                        "\(p.source.kind) \(p.name) has priority \(priority), as do \(names.filter { $0 != p.name }.joined(separator: ", ")): their order is undefined (A-ANP-TIE)",
                        at: p.source.location))
            }
        }
        return out
    }

    let badExample = """
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: lint-k-allow-monitoring}
        spec: {priority: 10, subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-k}}}, ingress: [{name: mon, action: Allow, from: [{namespaces: {}}]}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: lint-k-deny-all}
        spec: {priority: 10, subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-k}}}, ingress: [{name: all, action: Deny, from: [{namespaces: {}}]}]}
        """
    let goodExample = """
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: lint-k-allow-monitoring}
        spec: {priority: 10, subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-k}}}, ingress: [{name: mon, action: Allow, from: [{namespaces: {}}]}]}
        ---
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: AdminNetworkPolicy
        metadata: {name: lint-k-deny-all}
        spec: {priority: 20, subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: lint-k}}}, ingress: [{name: all, action: Deny, from: [{namespaces: {}}]}]}
        """
}
