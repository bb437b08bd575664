import KubeModel
import Reachability

/// A route attached to a listener serves a hostname that a more specific listener on the same port also accepts:
/// requests for that hostname go to the more specific listener (Gateway API: exact hostnames before wildcards
/// before none), so this route never sees them.
struct GatewayHostnameShadowed: LintRule {
    let id = "gateway-hostname-shadowed"
    let severity = LintFinding.Severity.warning
    let summary = "a route's hostname is taken by a more specific listener"

    func check(_ c: LintContext) -> [LintFinding] {
        let routing = GatewayAPIRouting(model: c.model)
        var out: [LintFinding] = []
        for a in c.model.gatewayRoutes.flatMap({ routing.attachments(of: $0).attached }) {
            for case let host? in a.hostnames {
                let taker = a.gateway.listeners.first { l in
                    l.name != a.listener.name && l.port == a.listener.port
                        && GatewayAPIRouting.specificity(l.hostname, a.listener.hostname)
                        && l.hostname.map { GatewayAPIRouting.hostCovers($0, host) } ?? false
                }
                guard let taker else { continue }
                out.append(
                    finding(
                        "\(a.route.kind.rawValue) \(a.route.id): hostname \(host) on listener \(a.listener.name) of Gateway \(a.gateway.id) is taken by the more specific listener \(taker.name) (\(taker.hostname!))",
                        at: a.route.location))
            }
        }
        return out
    }

    let badExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw5}
        spec:
          gatewayClassName: example
          listeners:
          - {name: any, port: 80, protocol: HTTP}
          - {name: shop, port: 80, protocol: HTTP, hostname: shop.example.com}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: lint-gw5}
        spec:
          parentRefs: [{name: gw}]
          hostnames: [shop.example.com]
          rules: [{backendRefs: [{name: shop, port: 80}]}]
        """
    let goodExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw5}
        spec:
          gatewayClassName: example
          listeners:
          - {name: any, port: 80, protocol: HTTP}
          - {name: shop, port: 80, protocol: HTTP, hostname: shop.example.com}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: lint-gw5}
        spec:
          parentRefs: [{name: gw, sectionName: shop}]
          hostnames: [shop.example.com]
          rules: [{backendRefs: [{name: shop, port: 80}]}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: blog, namespace: lint-gw5}
        spec:
          parentRefs: [{name: gw, sectionName: any}]
          hostnames: [blog.example.com]
          rules: [{backendRefs: [{name: blog, port: 80}]}]
        """
}
