import KubeModel
import Reachability

/// Methods, paths, hosts and request principals exist only on HTTP. On a port the mesh treats as TCP, Istio drops
/// an ALLOW rule that uses them (it never matches) and drops the field from a DENY rule (it denies more).
struct AuthorizationHTTPFieldOnTCP: LintRule {
    let id = "authz-http-field-on-tcp"
    let severity = LintFinding.Severity.warning
    let summary = "an AuthorizationPolicy uses HTTP-only fields on a port that carries TCP"

    func check(_ c: LintContext) -> [LintFinding] {
        var out: [LintFinding] = []
        var reported = Set<String>()
        for d in c.live where c.mesh.proxies[d].hasProxy {
            let w = c.model.workloads[d]
            for p in c.mesh.authorizationPolicies(of: d) {
                for rule in p.rules {
                    guard rule.usesHTTPOnlyFields else { continue }
                    // The ports the rule is about: those it names, or every declared port.
                    let named = (rule.to ?? []).flatMap { $0.ports.values ?? [] }.compactMap(Int.init)
                    for port in named.isEmpty ? w.ports.map(\.number) : named
                    where c.mesh.carriesHTTP(d, port: port) == false {
                        guard reported.insert("\(p.namespace)/\(p.name) \(rule.path) \(port)").inserted else {
                            continue
                        }
                        let effect =
                            p.action == .allow
                            ? "as ALLOW the rule never matches there"
                            : "as \(p.action.rawValue) the HTTP fields are ignored and the rule applies to every connection"
                        out.append(
                            finding(
                                "AuthorizationPolicy \(p.namespace)/\(p.name) \(rule.path) uses HTTP-only fields, but port \(port) of \(w.id) carries TCP (its Service port name or appProtocol): \(effect)",
                                at: p.location))
                    }
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-j, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: lint-j, labels: {app: db}}
        spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: lint-j}
        spec: {selector: {app: db}, ports: [{name: tcp-postgres, port: 5432}]}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: lint-j}
        spec: {mtls: {mode: STRICT}}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: db, namespace: lint-j}
        spec: {selector: {matchLabels: {app: db}}, rules: [{to: [{operation: {methods: [GET], ports: ["5432"]}}]}]}
        """
    let goodExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-j, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: db, namespace: lint-j, labels: {app: db}}
        spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: lint-j}
        spec: {selector: {app: db}, ports: [{name: tcp-postgres, port: 5432}]}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: lint-j}
        spec: {mtls: {mode: STRICT}}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: db, namespace: lint-j}
        spec: {selector: {matchLabels: {app: db}}, rules: [{to: [{operation: {ports: ["5432"]}}]}]}
        """
}
