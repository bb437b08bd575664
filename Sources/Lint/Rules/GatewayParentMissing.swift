import KubeModel
import Reachability

/// A route's parentRef names a Gateway the input does not hold: a typo, or a Gateway in another namespace than the
/// reference's (a parentRef without `namespace` looks in the route's own).
struct GatewayParentMissing: LintRule {
    let id = "gateway-parent-missing"
    let severity = LintFinding.Severity.error
    let summary = "a Gateway API route names a Gateway that does not exist"

    func check(_ c: LintContext) -> [LintFinding] {
        c.model.gatewayRoutes.flatMap { r in
            r.parentRefs.filter { p in p.isGateway && !c.model.gateways.contains { $0.id == p.id } }.map { p in
                let elsewhere = c.model.gateways.filter { $0.name == p.name }.map(\.id)
                let hint =
                    elsewhere.isEmpty ? "" : " (a Gateway of that name is in \(elsewhere.joined(separator: ", ")))"
                return finding(
                    "\(r.kind.rawValue) \(r.id): parent Gateway \(p.id) does not exist\(hint)", at: p.location)
            }
        }
    }

    let badExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw2-edge}
        spec:
          gatewayClassName: example
          listeners: [{name: web, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: lint-gw2}
        spec:
          parentRefs: [{name: gw}]
          rules: [{backendRefs: [{name: shop, port: 80}]}]
        """
    let goodExample = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: lint-gw2-edge}
        spec:
          gatewayClassName: example
          listeners: [{name: web, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: lint-gw2}
        spec:
          parentRefs: [{name: gw, namespace: lint-gw2-edge}]
          rules: [{backendRefs: [{name: shop, port: 80}]}]
        """
}
