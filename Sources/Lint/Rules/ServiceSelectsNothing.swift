import KubeModel
import Reachability

/// A Service whose selector matches no pod sends its traffic nowhere.
struct ServiceSelectsNothing: LintRule {
    let id = "service-selects-nothing"
    let severity = LintFinding.Severity.warning
    let summary = "a Service's selector matches no pod"

    func check(_ c: LintContext) -> [LintFinding] {
        c.model.services.filter { svc in
            guard let selector = svc.selector, !selector.isEmpty else { return false }
            return !c.live.contains { svc.selects(c.model.workloads[$0]) }
        }.map { svc in
            absence(
                "Service \(svc.namespace)/\(svc.name): selector {\(svc.selector!.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))} matches no pod",
                at: svc.location, in: c)
        }
    }

    let badExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: cart, namespace: lint-g, labels: {app: cart}}
        spec: {containers: [{name: c, ports: [{containerPort: 7070}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: cart, namespace: lint-g}
        spec: {selector: {app: carts}, ports: [{port: 7070}]}
        """
    let goodExample = """
        apiVersion: v1
        kind: Pod
        metadata: {name: cart, namespace: lint-g, labels: {app: cart}}
        spec: {containers: [{name: c, ports: [{containerPort: 7070}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: cart, namespace: lint-g}
        spec: {selector: {app: cart}, ports: [{port: 7070}]}
        """
}
