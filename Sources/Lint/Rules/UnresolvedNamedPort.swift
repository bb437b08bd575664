import KubeModel

/// A named port in a rule must be a container port name of some pod it applies to: the destination pods the
/// policy selects (ingress) or the pods its peers select (egress). Otherwise the rule admits nothing.
struct UnresolvedNamedPort: LintRule {
    let id = "unresolved-named-port"
    let severity = LintFinding.Severity.warning
    let summary = "a named port resolves on no pod the rule applies to"

    func check(_ c: LintContext) -> [LintFinding] {
        var out: [LintFinding] = []
        for p in c.model.networkPolicies {
            let selected = c.pods(in: p.namespace, p.podSelector)
            for (rules, ingress) in [(p.ingress, true), (p.egress, false)] {
                for rule in rules {
                    let destinations =
                        ingress
                        ? selected
                        : rule.peers.isEmpty
                            ? c.live
                            : Array(Set(rule.peers.flatMap { c.pods(matching: $0, policyNamespace: p.namespace) }))
                                .sorted()
                    for port in rule.ports {
                        guard case .name(let name)? = port.port else { continue }
                        if !destinations.contains(where: { c.pod($0).port(named: name, proto: port.proto) != nil }) {
                            out.append(
                                finding(
                                    "NetworkPolicy \(p.id) \(port.ref.path): port name '\(name)' (\(port.proto.rawValue)) is declared by no \(ingress ? "selected pod" : "destination pod"); the rule admits nothing there",
                                    at: port.ref.location))
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
