import KubeModel
import SMT

/// The one solver loop behind `check`, `query` and `suggest`: a question about a flow from a source role to a
/// destination role is encoded once; each call to `next` asks Z3 for another flow, decodes it into concrete
/// endpoints, replays it through the evaluator (a model the evaluator does not confirm is an internal error, never
/// a verdict), and strips the labels a new pod does not need for it.
public final class WitnessSearch {
    public let encoder: Encoder
    public let source: Encoder.Role
    public let destination: Encoder.Role
    public let flow: Encoder.Flow
    let solver: Solver
    public var z: Z3Context { encoder.z }

    /// A flow the solver found and the evaluator confirmed, with the model it came from.
    public struct Witness {
        public let source: Endpoint
        public let destination: Endpoint
        public let proto: FlowProtocol
        public let port: Int
        public let model: Model
    }

    public enum Outcome {
        case witness(Witness)
        /// No flow satisfies the question: it is proved.
        case none
        /// The solver gave up (timeout, resource limit) or disagreed with the evaluator.
        case unknown(String)
    }

    /// Roles for both ends, well formed, with the selectors the question adds to the label vocabulary. A role given
    /// workloads may be only those of the declared pods (any when nil).
    public init(
        evaluator: Evaluator, extraPodSelectors: [LabelSelector] = [], extraNamespaceSelectors: [LabelSelector] = [],
        sourceWorkloads: [Int]? = nil, destinationWorkloads: [Int]? = nil
    ) {
        encoder = Encoder(
            evaluator: evaluator, context: Z3Context(), extraPodSelectors: extraPodSelectors,
            extraNamespaceSelectors: extraNamespaceSelectors)
        source = encoder.makeRole("src")
        destination = encoder.makeRole("dst")
        flow = encoder.makeFlow()
        solver = Solver(encoder.z)
        solver.assert(encoder.wellFormed(source, workloads: sourceWorkloads))
        solver.assert(encoder.wellFormed(destination, workloads: destinationWorkloads))
    }

    public func assert(_ e: Expr) { solver.assert(e) }

    /// The policy tiers admit the flow from the source to the destination.
    public var admitted: Expr { encoder.admitted(from: source, to: destination, flow) }

    /// The same, encoding only the NetworkPolicies of the namespaces each side is constrained to (nil: all).
    public func admitted(sourceNamespaces: Set<String>?, destinationNamespaces: Set<String>?) -> Expr {
        encoder.admitted(
            from: source, to: destination, flow, sourceNamespaces: sourceNamespaces,
            destinationNamespaces: destinationNamespaces)
    }

    /// The next flow within `scope` (kept only for this call) for which `holds` is true in the evaluator.
    public func next(
        within scope: Expr? = nil, timeout: Double, holds: (Endpoint, Endpoint, FlowProtocol, Int) -> Bool
    ) -> Outcome {
        if let scope {
            solver.push()
            solver.assert(scope)
        }
        defer { if scope != nil { solver.pop() } }
        let answer: CheckResult
        do { answer = try solver.check(timeout: timeout) } catch { return .unknown("solver error: \(error)") }
        switch answer {
        case .unknown(let why): return .unknown(Self.reason(why, timeout: timeout))
        case .unsat: return .none
        case .sat(let m):
            var s = encoder.decode(source, m, flow: flow)
            var d = encoder.decode(destination, m, flow: flow)
            let (p, port) = encoder.decodeFlow(flow, m)
            guard holds(s, d, p, port) else {
                return .unknown(
                    "internal error: the solver's flow \(s) -> \(d) \(p.rawValue)/\(port) replays differently in the evaluator"
                )
            }
            // The solver gives new pods arbitrary extra labels; keep only those the flow needs.
            s = Self.simplified(s) { holds($0, d, p, port) }
            d = Self.simplified(d) { holds(s, $0, p, port) }
            return .witness(Witness(source: s, destination: d, proto: p, port: port, model: m))
        }
    }

    /// Excludes the witness's endpoints from later answers: its source alone (`sourceOnly`), or the pair.
    public func exclude(_ w: Witness, sourceOnly: Bool) {
        func same(_ r: Encoder.Role) -> Expr {
            let k = w.model.uint(r.kind) ?? 0
            if k == Encoder.declared {
                return z.and([
                    encoder.isKind(r, k),
                    r.workload == z.bv(w.model.uint(r.workload) ?? 0, width: encoder.workloadWidth),
                ])
            }
            return encoder.isKind(r, k)
        }
        solver.assert(sourceOnly ? z.not(same(source)) : z.not(z.and([same(source), same(destination)])))
    }

    /// Why the solver gave up, in words: Z3 4.8 says "interrupted" for a timeout, later versions "timeout" or
    /// "canceled".
    static func reason(_ why: String, timeout: Double) -> String {
        ["timeout", "canceled", "interrupted"].contains(why) ? "solver timeout after \(timeout) s" : "solver: \(why)"
    }

    /// A new pod without the labels (and new-namespace labels) that `holds` does not need.
    public static func simplified(_ e: Endpoint, keeping holds: (Endpoint) -> Bool) -> Endpoint {
        guard case .pod(var pod) = e, pod.workload == nil else { return e }
        for key in pod.labels.keys.sorted() {
            var labels = pod.labels
            labels[key] = nil
            let candidate = pod.with(labels: labels, namespaceLabels: pod.namespaceLabels)
            if holds(.pod(candidate)) { pod = candidate }
        }
        if pod.inNewNamespace {
            for key in pod.namespaceLabels.keys.sorted() where key != "kubernetes.io/metadata.name" {
                var labels = pod.namespaceLabels
                labels[key] = nil
                let candidate = pod.with(labels: pod.labels, namespaceLabels: labels)
                if holds(.pod(candidate)) { pod = candidate }
            }
        }
        return .pod(pod)
    }
}
