import KubeModel
import Reachability

/// A named port in a rule must be a container port name of some pod it applies to: the destination pods the
/// policy selects (ingress) or the pods its peers select (egress). Otherwise the rule admits nothing.
struct UnresolvedNamedPort: LintRule {
    let id = "unresolved-named-port"
    let severity = LintFinding.Severity.warning
    let summary = "a named port resolves on no pod the rule applies to"

    func check(_ c: LintContext) -> [LintFinding] {
        var out: [LintFinding] = []
        for p in c.policies.networkPolicies {
            let selected = c.pods(matching: p.subject)
            for direction in [Direction.ingress, .egress] {
                for rule in p.rules(direction) {
                    let destinations =
                        direction == .ingress
                        ? selected
                        : rule.peers.isEmpty
                            ? c.live : Array(Set(rule.peers.flatMap { c.pods(matching: $0.match) })).sorted()
                    for (port, source) in zip(rule.ports ?? [], rule.portSources) {
                        guard case .named(let name, let protocols) = port else { continue }
                        let declared = destinations.contains { d in
                            protocols.contains { c.pod(d).port(named: name, proto: $0) != nil }
                        }
                        if !declared {
                            out.append(
                                finding(
                                    "\(p.source.kind) \(p.id) \(source.path): port name '\(name)' (\(protocols.map(\.rawValue).joined(separator: ", "))) is declared by no \(direction == .ingress ? "selected pod" : "destination pod"); the rule admits nothing there",
                                    at: source.location))
                        }
                    }
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-d, labels: {app: api}}
        spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: api, namespace: lint-d}
        spec: {podSelector: {matchLabels: {app: api}}, ingress: [{ports: [{port: https}]}]}
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-d, labels: {app: api}}
        spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: api, namespace: lint-d}
        spec: {podSelector: {matchLabels: {app: api}}, ingress: [{ports: [{port: http}]}]}
        """
}
