import KubeModel

/// `policy.networking.k8s.io/v1alpha1` BaselineAdminNetworkPolicy (docs/SEMANTICS.md §4): the singleton
/// `default`, whose ordered Allow and Deny rules decide only flows that no NetworkPolicy isolates.
enum BaselineAdminNetworkPolicyKind: PolicyKind {
    static func compile(_ model: ClusterModel, options: CompileOptions) -> [CompiledPolicy] {
        model.baselinePolicy.map { [AdminNetworkPolicyKind.compileV1Alpha1($0, tier: .baseline)] } ?? []
    }
}
