import KubeModel

/// Service translation (docs/SEMANTICS.md §5): a connection to a Service port reaches the pods its selector
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
            return .unresolvable(
                "Service \(svc.namespace)/\(svc.name) is of type ExternalName: it names a host outside the cluster, not pods"
            )
        }
        guard let selector = svc.selector, !selector.isEmpty else {
            return fromEndpoints(svc, ports: ports ?? svc.ports, evaluator: evaluator)
        }
        var out: [Backend] = []
        for i in evaluator.liveEndpoints where svc.selects(evaluator.model.workloads[i]) {
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

    /// A Service without a selector reaches what its Endpoints/EndpointSlices list: pods named by their
    /// targetRef, on the endpoint port named like the Service port (or the only one).
    static func fromEndpoints(_ svc: Service, ports: [ServicePort], evaluator: Evaluator) -> Resolution {
        let records = evaluator.model.serviceEndpoints.filter {
            $0.namespace == svc.namespace && $0.service == svc.name
        }
        let id = "\(svc.namespace)/\(svc.name)"
        if records.isEmpty {
            return .unresolvable(
                "Service \(id) has no selector and no Endpoints or EndpointSlice in the input: its backends are unknown"
            )
        }
        if let outside = records.flatMap(\.targets).first(where: { $0.podName == nil }) {
            return .unresolvable(
                "Service \(id) sends traffic to \(outside.ip), an address that is not a pod of the input")
        }
        var out = Set<Backend>()
        for record in records {
            for t in record.targets {
                guard let i = workload(ofPod: t.podName!, namespace: svc.namespace, evaluator.model) else {
                    return .unresolvable("Service \(id) lists pod \(t.podName!), which is not in the input")
                }
                for sp in ports {
                    let candidates = record.ports.filter { $0.proto == sp.proto }
                    guard
                        let ep = candidates.first(where: { $0.name == sp.name })
                            ?? (candidates.count == 1 ? candidates[0] : nil)
                    else { continue }
                    out.insert(Backend(endpoint: i, proto: sp.proto, servicePort: sp.port, targetPort: ep.port))
                }
            }
        }
        return .backends(
            out.sorted { ($0.endpoint, $0.servicePort, $0.targetPort) < ($1.endpoint, $1.servicePort, $1.targetPort) })
    }

    /// The workload a pod name belongs to: a Pod workload of that name, or the workload whose name prefixes it
    /// the way controllers name their pods (`web-7d9c8b6f5-x2x4z`).
    public static func workload(ofPod name: String, namespace: String, _ model: ClusterModel) -> Int? {
        if let i = model.workloads.firstIndex(where: { $0.namespace == namespace && $0.name == name }) { return i }
        // A pod of the input: the workload its group was named.
        if let group = model.podWorkloads["\(namespace)/\(name)"] {
            return model.workloads.firstIndex { $0.namespace == namespace && $0.name == group }
        }
        let owners = model.workloads.indices.filter {
            model.workloads[$0].namespace == namespace && name.hasPrefix(model.workloads[$0].name + "-")
        }
        return owners.max { model.workloads[$0].name.count < model.workloads[$1].name.count }
    }
}
