import KubeModel
import Reachability

/// A Gateway API route that attaches to no listener carries no traffic: its kind, namespace or hostnames do not fit
/// any listener it names (a parent that does not exist is `gateway-parent-missing`).
struct GatewayRouteNotAttached: LintRule {
    let id = "gateway-route-not-attached"
    let severity = LintFinding.Severity.warning
    let summary = "a Gateway API route attaches to no listener"

    func check(_ c: LintContext) -> [LintFinding] {
        let routing = GatewayAPIRouting(model: c.model)
        return c.model.gatewayRoutes.compactMap { r in
            let (attached, refused) = routing.attachments(of: r)
            guard attached.isEmpty else { return nil }
            if r.parentRefs.isEmpty {
                return finding("\(r.kind.rawValue) \(r.id) names no parent Gateway", at: r.location)
            }
            // Service parents (mesh routing, GAMMA) are no listener's business; missing Gateways are another rule's.
            let reasons = refused.filter { $0.0.isGateway }.map(\.1).filter {
                !$0.hasSuffix("does not exist in the input")
            }
            guard !reasons.isEmpty else { return nil }
            return finding(
                "\(r.kind.rawValue) \(r.id) attaches to no listener: \(reasons.joined(separator: "; "))", at: r.location
            )
        }
    }

    let badExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw1}
        spec:
          gatewayClassName: example
          listeners: [{name: web, port: 80, protocol: HTTP, hostname: shop.example.com}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: blog, namespace: lint-gw1}
        spec:
          parentRefs: [{name: gw}]
          hostnames: [blog.example.com]
          rules: [{backendRefs: [{name: blog, port: 80}]}]
        """
    let goodExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw1}
        spec:
          gatewayClassName: example
          listeners: [{name: web, port: 80, protocol: HTTP, hostname: shop.example.com}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: lint-gw1}
        spec:
          parentRefs: [{name: gw}]
          hostnames: [shop.example.com]
          rules: [{backendRefs: [{name: shop, port: 80}]}]
        """
}
