import KubeModel
import Reachability

/// A Service port whose named targetPort no selected pod declares sends its traffic nowhere on those pods: kube-proxy
/// has no endpoint port for it.
struct ServiceTargetPortUnresolved: LintRule {
    let id = "service-target-port-unresolved"
    let severity = LintFinding.Severity.warning
    let summary = "a Service's named targetPort is declared by none of its pods"

    func check(_ c: LintContext) -> [LintFinding] {
        var out: [LintFinding] = []
        for svc in c.model.services {
            guard let selector = svc.selector, !selector.isEmpty else { continue }
            let pods = c.live.filter { svc.selects(c.model.workloads[$0]) }
            if pods.isEmpty { continue }  // service-selects-nothing reports that
            for port in svc.ports {
                guard case .name(let name) = port.targetPort else { continue }
                if !pods.contains(where: { c.pod($0).port(named: name, proto: port.proto) != nil }) {
                    out.append(
                        finding(
                            "Service \(svc.namespace)/\(svc.name) port \(port.port): targetPort '\(name)' (\(port.proto.rawValue)) is declared by none of the \(pods.count) selected pod(s)",
                            at: port.location))
                }
            }
        }
        return out
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-l, labels: {app: api}}
        spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: lint-l}
        spec: {selector: {app: api}, ports: [{port: 80, targetPort: web}]}
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: api, namespace: lint-l, labels: {app: api}}
        spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: lint-l}
        spec: {selector: {app: api}, ports: [{port: 80, targetPort: http}]}
        """
}
