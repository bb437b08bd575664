import KubeModel
import Reachability

/// An AuthorizationPolicy that decides by principals or namespaces only sees them on Istio mutual TLS: where the
/// workload also accepts plaintext (PERMISSIVE or DISABLE), an ALLOW by identity silently rejects plaintext
/// clients, and a DENY by identity lets them through.
struct AuthorizationWithoutStrictMTLS: LintRule {
    let id = "authz-identity-without-strict-mtls"
    let severity = LintFinding.Severity.warning
    let summary = "an AuthorizationPolicy relies on peer identity on a workload that accepts plaintext"

    static func usesIdentity(_ p: AuthorizationPolicy) -> Bool {
        p.rules.contains { rule in
            (rule.from ?? []).contains { $0.principals.isPresent || $0.namespaces.isPresent }
                || rule.when.contains { ["source.principal", "source.namespace"].contains($0.key) }
        }
    }

    func check(_ c: LintContext) -> [LintFinding] {
        var out: [LintFinding] = []
        var reported = Set<String>()
        for d in c.live where c.mesh.proxies[d].kind == .sidecar {
            let w = c.model.workloads[d]
            for p in c.mesh.authorizationPolicies(of: d) where Self.usesIdentity(p) {
                let ports = w.ports.map(\.number).filter { c.mesh.proxies[d].capturesInbound($0) }
                for port in ports {
                    let (mode, source) = c.mesh.mtlsMode(of: d, port: port)
                    guard mode != .strict, reported.insert("\(p.namespace)/\(p.name) \(w.id)").inserted else {
                        continue
                    }
                    out.append(
                        finding(
                            "AuthorizationPolicy \(p.namespace)/\(p.name) decides by principals or namespaces, but \(w.id) accepts plaintext on port \(port) (\(mode.rawValue) from \(source)): plaintext clients carry no identity",
                            at: p.location))
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-i, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-i, labels: {app: api, sidecar.istio.io/inject: "true"}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: api, namespace: lint-i}
        spec: {selector: {matchLabels: {app: api}}, rules: [{from: [{source: {namespaces: [lint-i]}}]}]}
        """
    let goodExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-i, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-i, labels: {app: api, sidecar.istio.io/inject: "true"}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: lint-i}
        spec: {mtls: {mode: STRICT}}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: api, namespace: lint-i}
        spec: {selector: {matchLabels: {app: api}}, rules: [{from: [{source: {namespaces: [lint-i]}}]}]}
        """
}
