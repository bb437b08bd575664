import KubeModel
import Reachability

/// An allow rule of the NetworkPolicy tier (a NetworkPolicy's, or a CiliumNetworkPolicy's) matters only for flows the
/// admin tier lets through. When deny rules before it (Cilium's deny policies, AdminNetworkPolicy or
/// ClusterNetworkPolicy Deny) decide every flow it admits, for the pods and addresses in the input, it admits nothing:
/// usually the deny is broader than meant, or the allow is left over.
struct AllowOverriddenByDeny: LintRule {
    let id = "allow-overridden-by-deny"
    let severity = LintFinding.Severity.warning
    let summary = "an allow rule whose every flow a deny rule decides first"

    func check(_ c: LintContext) -> [LintFinding] {
        guard !c.policies.admin.isEmpty else { return [] }
        var out: [LintFinding] = []
        for p in c.policies.networkPolicies {
            let pods = c.pods(matching: p.subject)
            for direction in [Direction.ingress, .egress] where p.isolates(direction) {
                for rule in p.rules(direction) {
                    var admitsSomething = false
                    var denier: RuleRef?
                    let overridden = c.everyFlow(of: rule, direction, pods: pods, admitsSomething: &admitsSomething) {
                        pod, remote, conns in
                        let tier = c.evaluator.reachingNetworkPolicyTier(direction, subject: pod, remote: remote)
                        denier = denier ?? tier.firstDeny
                        return conns.intersection(tier.conns).isEmpty
                    }
                    guard overridden, admitsSomething, let denier else { continue }
                    out.append(
                        finding(
                            "\(p.source.kind) \(p.id) \(rule.source.path) admits nothing: deny rules decide all its flows "
                                + "first, among them \(denier.kind) \(denier.qualifiedName) \(denier.path) (\(denier.location))",
                            at: rule.source.location))
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: lint-od, labels: {app: db}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-od, labels: {app: api}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: db, namespace: lint-od}
        spec:
          endpointSelector: {matchLabels: {app: db}}
          ingress:
            - fromEndpoints: [{matchLabels: {app: api}}]
              toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
          ingressDeny:
            - fromEndpoints: [{}]
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: lint-od, labels: {app: db}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-od, labels: {app: api}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata: {name: db, namespace: lint-od}
        spec:
          endpointSelector: {matchLabels: {app: db}}
          ingress:
            - fromEndpoints: [{matchLabels: {app: api}}]
              toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
          ingressDeny:
            - fromEndpoints: [{matchLabels: {app: api}}]
              toPorts: [{ports: [{port: "22", protocol: TCP}]}]
        """
}
