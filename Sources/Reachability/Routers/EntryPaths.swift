import KubeModel

/// The published entry paths of the input, for maps and reports: each route table rule that sends requests to a
/// Service (`proxy entry: condition -> Service -> pods`), with whether the NetworkPolicies admit the proxy's pods to
/// each backend pod (the second hop of an end-to-end path; the first depends on the client).
public struct EntryPath: Sendable {
    public struct BackendPod: Sendable {
        public let workload: String
        public let port: Int
        /// From the proxy's pods: allowed when every one is admitted, denied when none is, unknown otherwise or when
        /// the proxy's pods are not known.
        public let verdict: FlowVerdict
    }

    /// `Gateway edge/public` or `ingress-nginx`.
    public let proxy: String
    public let entry: String
    public let condition: String
    /// The deciding rule, with file:line.
    public let rule: String
    public let backend: RouteTable.Backend
    public let pods: [BackendPod]
    /// Why the proxy's pods are unknown, when they are.
    public let note: String?

    /// Every entry path of the input: ingress-nginx's and each Gateway API Gateway's.
    public static func all(_ evaluator: Evaluator) -> [EntryPath] {
        let model = evaluator.model
        var out: [EntryPath] = []
        let nginx = IngressNginxRouter.controllers(model)
        if !IngressNginxRouter.nginxIngresses(model).isEmpty {
            let note =
                nginx.isEmpty
                ? "no ingress-nginx controller workload in the input (labels app.kubernetes.io/name=ingress-nginx)"
                : nil
            for t in IngressNginxRouter.tables(model) {
                out += paths(t, proxy: "ingress-nginx", proxies: nginx, note: note, evaluator)
            }
        }
        let routing = GatewayAPIRouting(model: model, gatewayPods: evaluator.assumptions.gatewayPods)
        for g in model.gateways {
            var (pods, note): ([Int], String?) = ([], nil)
            switch routing.implementation(of: g) {
            case .pods(let p): pods = p
            case .undecided(let why): note = why
            }
            for t in routing.tables(of: g) {
                out += paths(t, proxy: "Gateway \(g.id)", proxies: pods, note: note, evaluator)
            }
        }
        return out
    }

    static func paths(_ t: RouteTable, proxy: String, proxies: [Int], note: String?, _ evaluator: Evaluator)
        -> [EntryPath]
    {
        let model = evaluator.model
        return t.rules.flatMap { rule -> [EntryPath] in
            guard case .backends(let backends) = rule.outcome else { return [] }
            return backends.map { b in
                var pods: [BackendPod] = []
                let parts = b.service.split(separator: "/").map(String.init)
                if let svc = model.services.first(where: { $0.namespace == parts[0] && $0.name == parts[1] }),
                    let sp = svc.ports.first(where: { $0.port == b.port }),
                    case .backends(let found) = ServiceStage.resolve(svc, ports: [sp], evaluator: evaluator)
                {
                    for f in found {
                        let admitted = proxies.filter {
                            evaluator.explain(
                                from: .pod(evaluator.endpoints[$0]), to: .pod(evaluator.endpoints[f.endpoint]),
                                proto: FlowProtocol(f.proto), port: f.targetPort
                            ).allowed
                        }
                        let verdict: FlowVerdict =
                            proxies.isEmpty || (!admitted.isEmpty && admitted.count < proxies.count)
                            ? .unknown : admitted.isEmpty ? .denied : .allowed
                        pods.append(
                            BackendPod(workload: model.workloads[f.endpoint].id, port: f.targetPort, verdict: verdict))
                    }
                }
                return EntryPath(
                    proxy: proxy, entry: t.entry, condition: rule.condition.description, rule: rule.text, backend: b,
                    pods: pods, note: note)
            }
        }
    }
}
