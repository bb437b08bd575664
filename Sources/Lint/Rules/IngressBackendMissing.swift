import KubeModel
import Reachability

/// An Ingress backend must name a Service of its namespace and one of that Service's ports.
struct IngressBackendMissing: LintRule {
    let id = "ingress-backend-missing"
    let severity = LintFinding.Severity.error
    let summary = "an Ingress backend names a Service or port that does not exist"

    func check(_ c: LintContext) -> [LintFinding] {
        var out: [LintFinding] = []
        for ingress in c.model.ingresses {
            let backends =
                ingress.rules.flatMap { $0.paths.map(\.backend) } + [ingress.defaultBackend].compactMap { $0 }
            for b in backends {
                guard let name = b.service else { continue }
                let what = "Ingress \(ingress.namespace)/\(ingress.name)"
                guard let svc = c.model.services.first(where: { $0.namespace == ingress.namespace && $0.name == name })
                else {
                    out.append(
                        finding(
                            "\(what): backend Service '\(name)' does not exist in namespace \(ingress.namespace)",
                            at: b.location))
                    continue
                }
                if b.port != nil && b.servicePort(of: svc) == nil {
                    out.append(
                        finding(
                            "\(what): Service \(svc.namespace)/\(svc.name) has no port \(b.port!) (its ports: \(svc.ports.map { $0.name ?? String($0.port) }.joined(separator: ", ")))",
                            at: b.location))
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: shop, namespace: lint-h, labels: {app: shop}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: shop, namespace: lint-h}
        spec: {selector: {app: shop}, ports: [{name: http, port: 80, targetPort: 8080}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: shop, namespace: lint-h}
        spec:
          rules:
          - host: shop.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 8080}}}}
              - {path: /api, pathType: Prefix, backend: {service: {name: shop-api, port: {name: http}}}}
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: shop, namespace: lint-h, labels: {app: shop}}
        spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: shop, namespace: lint-h}
        spec: {selector: {app: shop}, ports: [{name: http, port: 80, targetPort: 8080}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: shop, namespace: lint-h}
        spec:
          rules:
          - host: shop.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}
        """
}
