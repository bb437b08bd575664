import KubeModel
import Reachability

/// A backendRef to a Service in another namespace needs a ReferenceGrant in that namespace; without one the
/// reference is invalid and the requests it would get are answered 500.
struct GatewayBackendWithoutGrant: LintRule {
    let id = "gateway-backend-without-grant"
    let severity = LintFinding.Severity.error
    let summary = "a cross-namespace backendRef has no ReferenceGrant"

    func check(_ c: LintContext) -> [LintFinding] {
        let routing = GatewayAPIRouting(model: c.model)
        return c.model.gatewayRoutes.flatMap { r in
            r.rules.flatMap { rule in
                let mirrors = rule.filters.compactMap { f -> GatewayRoute.BackendRef? in
                    if case .requestMirror(let b) = f { return b }
                    return nil
                }
                return (rule.backends + mirrors).filter { ref in
                    ref.isService && (ref.namespace ?? r.namespace) != r.namespace
                        && routing.backend(ref, of: r).grant == nil && routing.backend(ref, of: r).backend == nil
                }.map { ref in
                    finding(
                        "\(r.kind.rawValue) \(r.id): backendRef to Service \(ref.namespace!)/\(ref.name) needs a ReferenceGrant in \(ref.namespace!) from \(r.kind.rawValue)s of \(r.namespace)",
                        at: ref.location)
                }
            }
        }
    }

    let badExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw3}
        spec:
          gatewayClassName: example
          listeners: [{name: web, port: 80, protocol: HTTP}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: billing, namespace: lint-gw3-billing, labels: {app: billing}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: billing, namespace: lint-gw3-billing}
        spec: {selector: {app: billing}, ports: [{port: 8080}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: lint-gw3}
        spec:
          parentRefs: [{name: gw}]
          rules: [{backendRefs: [{name: billing, namespace: lint-gw3-billing, port: 8080}]}]
        """
    let goodExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw3}
        spec:
          gatewayClassName: example
          listeners: [{name: web, port: 80, protocol: HTTP}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: billing, namespace: lint-gw3-billing, labels: {app: billing}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: billing, namespace: lint-gw3-billing}
        spec: {selector: {app: billing}, ports: [{port: 8080}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: lint-gw3}
        spec:
          parentRefs: [{name: gw}]
          rules: [{backendRefs: [{name: billing, namespace: lint-gw3-billing, port: 8080}]}]
        ---
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: from-shop, namespace: lint-gw3-billing}
        spec:
          from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: lint-gw3}]
          to: [{group: "", kind: Service}]
        """
}
