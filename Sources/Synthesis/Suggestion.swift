import Claims
import Foundation
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
            return checker.layered.reach(s, d, wanted, layer: d.pod == nil ? .netpol : layer, request: nil).open
                == wanted
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
                var open = checker.layered.reach(source, target, .all, layer: layer, request: nil).open
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

    /// What `suggest` produced: the files written, the synthesizer's output and the proofs on the result.
    public struct Result {
        public let written: [String]
        public let output: PolicySynthesizer.Output
        public let report: SuggestionVerifier.Report
        /// `--from-current`: flows allowed today that no intended flow needs, and claims not kept as constraints.
        public let unneeded: [String]
        public let notKept: [String]
    }

    public enum Failure: Error, CustomStringConvertible {
        /// The intent file has input errors.
        case intent([InputError])
        /// The generated YAML did not load: a bug of the synthesizer, never the user's input.
        case generatedDoesNotLoad([InputError])

        public var description: String {
            switch self {
            case .intent(let errors): return errors.map(\.description).joined(separator: "\n")
            case .generatedDoesNotLoad(let errors):
                return errors.map { "internal error: generated YAML does not load: \($0)" }.joined(separator: "\n")
            }
        }
    }

    /// The whole of `suggest`: read the intent, optionally keep only what the current policies allow, synthesize,
    /// write one file per namespace into `folder`, load them back like any manifest, and prove them.
    public static func run(
        model: ClusterModel, intentPath: String, kinds: Set<PolicySynthesizer.Kind>, fromCurrent: Bool,
        assumptions: Assumptions, folder: String
    ) throws -> Result {
        let checker = ClaimChecker(model: model, assumptions: assumptions)
        var intent: Intent
        do { intent = try Intent.load(intentPath, model: model, checker: checker) } catch let e as InputErrors {
            throw Failure.intent(e.errors)
        }
        let layer: Layer = kinds.contains(.authorizationPolicy) ? .mesh : .netpol
        var unneeded: [String] = []
        var notKept: [String] = []
        if fromCurrent {
            // Tightening: the intended flows the current policies allow; report what is allowed and not intended.
            let (kept, extra) = restrictToCurrent(intent, checker: checker, layer: layer)
            unneeded = extra
            // Claims the current manifests refute are not promises the tightened policies must keep.
            let proved = kept.claims.filter { checker.check($0).verdict == .proved }
            notKept = kept.claims.map(\.name).filter { name in !proved.contains { $0.name == name } }
            intent = Intent(flows: kept.flows, claims: proved)
        }
        let output = PolicySynthesizer(evaluator: checker.evaluator, flows: intent.flows, kinds: kinds).generate()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var written: [String] = []
        for (ns, yaml) in output.files.sorted(by: { $0.key < $1.key }) {
            let path = (folder as NSString).appendingPathComponent("\(ns).yaml")
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        let (generated, errors) = ModelLoader().load(paths: written)
        if !errors.isEmpty { throw Failure.generatedDoesNotLoad(errors) }
        let report = SuggestionVerifier.verify(
            original: model, generated: generated, output: output, kinds: kinds, intent: intent,
            assumptions: assumptions, layer: layer)
        return Result(written: written, output: output, report: report, unneeded: unneeded, notKept: notKept)
    }
}
