import KubeModel

/// The server side of mutual TLS: the PeerAuthentication mode in force for a pod's port (docs/SEMANTICS.md §7.3).
struct PeerAuthenticationStage {
    let policies: [PeerAuthentication]
    let rootNamespace: String

    struct Effective {
        let mode: PeerAuthentication.Mode
        /// The object and field that set it, or the built-in default.
        let source: String
        /// The same as a structured reference; nil for the default.
        let evidence: RuleRef?
        /// Set when several policies of one scope disagree and the input has no timestamps to order them (A-PA-TIE).
        let ambiguity: String?
    }

    /// The effective mode for a pod on a container port: port level, workload, namespace, mesh, then PERMISSIVE.
    func mode(namespace: String, labels: [String: String], port: Int) -> Effective {
        func oldest(_ candidates: [PeerAuthentication], _ scope: String) -> (PeerAuthentication, String?)? {
            guard let first = candidates.first else { return nil }
            var tie: String?
            if candidates.count > 1 && candidates.contains(where: { $0.created == nil })
                && Set(candidates.map(\.mode)).count > 1
            {
                tie =
                    "\(candidates.count) \(scope) PeerAuthentications (\(candidates.map { "\($0.namespace)/\($0.name)" }.joined(separator: ", "))) disagree and the input has no creationTimestamp to tell which is oldest (A-PA-TIE)"
            }
            return (first, tie)
        }
        let workload = oldest(
            policies.filter {
                $0.namespace == namespace
                    && $0.selector.map { s in s.allSatisfy { labels[$0.key] == $0.value } } ?? false
            }, "workload")
        let namespaceWide = oldest(policies.filter { $0.namespace == namespace && $0.selector == nil }, "namespace")
        let meshWide = oldest(policies.filter { $0.namespace == rootNamespace && $0.selector == nil }, "mesh")
        var ambiguity: String?
        func at(
            _ p: (PeerAuthentication, String?)?, _ mode: (PeerAuthentication) -> PeerAuthentication.Mode?,
            _ field: String
        ) -> Effective? {
            guard let (pa, tie) = p, let m = mode(pa), m != .unset else { return nil }
            return Effective(
                mode: m, source: ref("PeerAuthentication", pa.namespace, pa.name, field, pa.location),
                evidence: ruleRef("PeerAuthentication", pa.namespace, pa.name, field, pa.location),
                ambiguity: tie ?? ambiguity)
        }
        ambiguity = workload?.1
        if let e = at(workload, { $0.portLevel[port] }, "spec.portLevelMtls.\(port)") { return e }
        if let e = at(workload, { $0.mode }, "spec.mtls") { return e }
        ambiguity = ambiguity ?? namespaceWide?.1
        if let e = at(namespaceWide, { $0.mode }, "spec.mtls") { return e }
        ambiguity = ambiguity ?? meshWide?.1
        if let e = at(meshWide, { $0.mode }, "spec.mtls") { return e }
        return Effective(
            mode: .permissive, source: "(default: PERMISSIVE, no PeerAuthentication sets a mode)", evidence: nil,
            ambiguity: ambiguity)
    }
}
