import KubeModel

/// `policy.networking.k8s.io/v1alpha2` ClusterNetworkPolicy (docs/SEMANTICS.md §4.1): a policy of the Admin tier
/// (before NetworkPolicy) or the Baseline tier (after it), ordered by priority, in the admin shape: the first
/// matching rule decides with Accept (compiled as Allow), Deny or Pass. Domain-name peers are not compiled:
/// `PolicySet.undecidableReason` makes every verdict UNKNOWN while one exists.
enum ClusterNetworkPolicyKind: PolicyKind {
    static func compile(_ model: ClusterModel, options: CompileOptions) -> [CompiledPolicy] {
        model.clusterNetworkPolicies.map { p in
            AdminNetworkPolicyKind.compileOrdered(
                tier: p.tier == .admin ? .admin : .baseline, priority: p.priority, subject: p.subject,
                ingress: p.ingress, egress: p.egress,
                source: RuleRef(
                    kind: ClusterNetworkPolicy.kind, namespace: nil, name: p.name, path: "spec", location: p.location))
        }
    }
}
