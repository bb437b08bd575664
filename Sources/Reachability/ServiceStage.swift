import KubeModel

/// Service translation (SEMANTICS.md, Services): a connection to a Service port reaches the pods its selector
/// matches, on the target port, which a named targetPort resolves per pod. Policies see the pod and the
/// translated port, never the Service.
public struct ServiceStage {
    public struct Backend: Hashable, Sendable {
        /// Index into `Evaluator.endpoints`.
        public let endpoint: Int
        public let proto: L4Protocol
        public let servicePort: Int
        public let targetPort: Int
    }

    public enum Resolution: Sendable {
        case backends([Backend])
        /// The Service cannot be followed to pods: ExternalName, or no selector (endpoints managed by hand).
        case unresolvable(String)
    }

    /// The backends of the Service on the given ports (all of its ports when `ports` is nil).
    public static func resolve(_ svc: Service, ports: [ServicePort]? = nil, evaluator: Evaluator) -> Resolution {
        if svc.type == "ExternalName" {
            return .unresolvable("Service \(svc.namespace)/\(svc.name) is of type ExternalName: it names a host outside the cluster, not pods")
        }
        guard let selector = svc.selector, !selector.isEmpty else {
            return .unresolvable("Service \(svc.namespace)/\(svc.name) has no selector: its endpoints are managed by hand and not in the input")
        }
        var out: [Backend] = []
        for (i, w) in evaluator.model.workloads.enumerated() where w.replicas != 0 && svc.selects(w) {
            for sp in ports ?? svc.ports {
                switch sp.targetPort {
                case .number(let n):
                    out.append(Backend(endpoint: i, proto: sp.proto, servicePort: sp.port, targetPort: n))
                case .name(let name):
                    // A pod without a container port of that name is not an endpoint of this Service port.
                    if let n = evaluator.endpoints[i].port(named: name, proto: sp.proto) {
                        out.append(Backend(endpoint: i, proto: sp.proto, servicePort: sp.port, targetPort: n))
                    }
                }
            }
        }
        return .backends(out)
    }
}
