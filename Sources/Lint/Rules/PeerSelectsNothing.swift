import KubeModel
import Reachability

/// A from/to peer that selects no existing pod admits nothing today: a typo, or a rule for pods not deployed yet.
struct PeerSelectsNothing: LintRule {
    let id = "peer-selects-nothing"
    let severity = LintFinding.Severity.warning
    let summary = "a NetworkPolicy peer selects no existing pod"

    func check(_ c: LintContext) -> [LintFinding] {
        // Namespaces with pods in the input: a peer aimed only elsewhere (kube-system's DNS, in a chart that does
        // not ship kube-system) says nothing about a typo, only that the input is partial.
        let populated = Set(c.live.map { c.model.workloads[$0].namespace })
        var out: [LintFinding] = []
        for p in c.policies.networkPolicies {
            for rule in p.ingress + p.egress {
                for peer in rule.peers where c.pods(matching: peer.match).isEmpty {
                    guard case .pods(let m) = peer.match else { continue }
                    let inScope = c.model.namespaces.values.filter {
                        m.namespaces.matches(namespace: $0.name, labels: $0.labels) && populated.contains($0.name)
                    }
                    if inScope.isEmpty {
                        out.append(
                            finding(
                                "\(p.source.kind) \(p.id) \(peer.source.path): the peer selects pods of namespaces whose pods are not in the input",
                                at: peer.source.location, severity: .note))
                    } else {
                        out.append(
                            absence(
                                "\(p.source.kind) \(p.id) \(peer.source.path): the peer selects no existing pod",
                                at: peer.source.location, in: c))
                    }
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: lint-b, labels: {app: db}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db-clients, namespace: lint-b}
        spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]}
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: lint-b, labels: {app: db}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-b, labels: {app: api}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: db-clients, namespace: lint-b}
        spec: {podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]}
        """
}
