import Claims
import KubeModel
import Reachability

public enum Suggestion {
    /// `--from-current`: the intended flows the current policies already allow (nothing new is opened), and the
    /// flows allowed now between the same workloads that no intended flow needs.
    public static func restrictToCurrent(_ intent: Intent, checker: ClaimChecker, layer: Layer) -> (Intent, [String]) {
        let evaluator = checker.evaluator
        func endpoint(_ p: IntendedFlow.Party) -> Endpoint? { p.endpoints(evaluator).first }
        let kept = intent.flows.filter { f in
            guard let s = endpoint(f.source), let d = endpoint(f.destination) else { return false }
            let wanted = ConnSet(f.proto, PortRanges([f.ports]))
            return checker.reach(s, d, wanted, layer: d.pod == nil ? .netpol : layer, request: nil).open == wanted
        }
        // Allowed now into the destinations of the intent, beyond what it needs.
        var unneeded: [String] = []
        let destinations = Set(
            intent.flows.compactMap { f -> Int? in
                if case .workload(let i) = f.destination { return i } else { return nil }
            }
        ).sorted()
        for d in destinations {
            let target = Endpoint.pod(evaluator.endpoints[d])
            for (i, e) in evaluator.endpoints.enumerated() where i != d && evaluator.model.workloads[i].replicas != 0 {
                let source = Endpoint.pod(e)
                var open = checker.reach(source, target, .all, layer: layer, request: nil).open
                for f in intent.flows where f.source == .workload(i) && f.destination == .workload(d) {
                    open = open.subtracting(ConnSet(f.proto, PortRanges([f.ports])))
                }
                if !open.isEmpty {
                    unneeded.append("\(evaluator.model.workloads[i].id) -> \(evaluator.model.workloads[d].id) \(open)")
                }
            }
        }
        return (Intent(flows: kept, claims: intent.claims), unneeded)
    }
}
