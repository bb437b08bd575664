import Foundation
import KubeModel
import Reachability

/// The claims `reachproof init` writes: what holds today, as a baseline a team tightens. For each Service whose pods
/// a NetworkPolicy isolates, "only these sources reach it" with the sources admitted today; for each namespace whose
/// pods are all isolated, "no pod of a namespace that does not exist yet reaches it". Each is checked before it is
/// written, and only PROVED ones are kept, so the first `reachproof check` passes.
public enum StarterClaims {
    public static func yaml(_ checker: ClaimChecker) throws -> (text: String, count: Int) {
        let model = checker.evaluator.model
        let evaluator = checker.evaluator
        var entries: [String] = []
        for svc in model.services.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) {
            let backends = model.workloads.indices.filter { svc.selects(model.workloads[$0]) }
            guard !backends.isEmpty, backends.allSatisfy({ evaluator.isIsolated(.ingress, workload: $0) }) else {
                continue
            }
            let probe = """
                  - name: only-current-sources-reach-\(svc.namespace)-\(svc.name)
                    description: The sources that reach Service \(svc.namespace)/\(svc.name) today (reachproof init).
                    only:
                      from: [{workload: \(svc.namespace)/\(svc.name)}]
                      to: {service: \(svc.namespace)/\(svc.name)}
                    allowEmpty: true
                """
            guard let result = try check(probe, checker).first else { continue }
            let sources = result.admittedSources.map { s in
                s.hasPrefix("external:") ? "{external: \"\(s.dropFirst("external:".count))\"}" : "{workload: \(s)}"
            }
            let claim = probe.replacingOccurrences(
                of: "from: [{workload: \(svc.namespace)/\(svc.name)}]",
                with: "from: [\(sources.joined(separator: ", "))]")
            if sources.isEmpty { continue }
            if try check(claim, checker).first?.verdict == .proved { entries.append(claim) }
        }
        for ns in model.namespaces.keys.sorted() {
            let pods = model.workloads.indices.filter { model.workloads[$0].namespace == ns }
            guard !pods.isEmpty, pods.allSatisfy({ evaluator.isIsolated(.ingress, workload: $0) }) else { continue }
            let claim = """
                  - name: no-new-namespace-reaches-\(ns)
                    description: A pod of a namespace that does not exist yet, with any labels, cannot reach \(ns).
                    denied:
                      from: {namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [\(model.namespaces.keys.sorted().joined(separator: ", "))]}]}, universe: any}
                      to: {namespace: \(ns)}
                """
            if try check(claim, checker).first?.verdict == .proved { entries.append(claim) }
        }
        let header = """
            # Claims reachproof init found true of the manifests: a baseline. Tighten them (fewer sources, more denials)
            # and add your own; `reachproof check` proves or refutes each. Format: README, "Claims files".
            claims:

            """
        return (header + entries.joined(separator: "\n") + (entries.isEmpty ? "  []\n" : "\n"), entries.count)
    }

    static func check(_ claimsYAML: String, _ checker: ClaimChecker) throws -> [ClaimResult] {
        let (file, errors) = ClaimsParser.load("-") { Data(("claims:\n" + claimsYAML + "\n").utf8) }
        guard let file, errors.isEmpty, checker.validate(file).isEmpty else { return [] }
        return file.claims.map { checker.check($0) }
    }
}
