import KubeModel
import Reachability

/// A listener no route attaches to answers every request itself (404, or a closed connection): usually a route
/// whose parentRef, namespace or hostnames do not fit it.
struct GatewayListenerUnused: LintRule {
    let id = "gateway-listener-unused"
    let severity = LintFinding.Severity.warning
    let summary = "no route attaches to a Gateway listener"

    func check(_ c: LintContext) -> [LintFinding] {
        let routing = GatewayAPIRouting(model: c.model)
        let attached = c.model.gatewayRoutes.flatMap { routing.attachments(of: $0).attached }
        return c.model.gateways.flatMap { g in
            g.listeners.filter { l in !attached.contains { $0.gateway.id == g.id && $0.listener.name == l.name } }
                .map { l in
                    finding("Gateway \(g.id): no route attaches to listener \(l.name) (port \(l.port))", at: l.location)
                }
        }
    }

    let badExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw4}
        spec:
          gatewayClassName: example
          listeners: [{name: web, port: 80, protocol: HTTP}, {name: admin, port: 8080, protocol: HTTP}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: lint-gw4}
        spec:
          parentRefs: [{name: gw, sectionName: web}]
          rules: [{backendRefs: [{name: shop, port: 80}]}]
        """
    let goodExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw4}
        spec:
          gatewayClassName: example
          listeners: [{name: web, port: 80, protocol: HTTP}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: lint-gw4}
        spec:
          parentRefs: [{name: gw, sectionName: web}]
          rules: [{backendRefs: [{name: shop, port: 80}]}]
        """
}
