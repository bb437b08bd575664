import KubeModel
import Reachability

/// A namespaceSelector asking for a label key that no namespace carries is most likely misspelled; the nearest existing
/// key is suggested.
struct UnknownNamespaceLabel: LintRule {
    let id = "unknown-namespace-label"
    let severity = LintFinding.Severity.warning
    let summary = "a namespaceSelector uses a label key that no namespace has"

    func check(_ c: LintContext) -> [LintFinding] {
        let keys = Set(c.model.namespaces.values.flatMap { $0.labels.keys })
        var out: [LintFinding] = []
        func inspect(_ selector: LabelSelector, _ what: String, _ location: SourceLocation) {
            for r in selector.requirements where !keys.contains(r.key) {
                let hint = nearest(r.key, in: keys).map { " (did you mean '\($0)'?)" } ?? ""
                out.append(finding("\(what): namespaceSelector key '\(r.key)' is on no namespace\(hint)", at: location))
            }
        }
        for p in c.policies.networkPolicies {
            for rule in p.ingress + p.egress {
                for peer in rule.peers {
                    if case .pods(let m) = peer.match, case .selector(let s) = m.namespaces {
                        inspect(s, "\(p.source.kind) \(p.id) \(peer.source.path)", peer.source.location)
                    }
                }
            }
        }
        for p in c.policies.admin + c.policies.baseline {
            if case .selector(let s) = p.subject.namespaces {
                inspect(s, "\(p.source.kind) \(p.name) subject", p.source.location)
            }
        }
        return out
    }

    /// The closest key by edit distance, when it is close enough to be a typo.
    func nearest(_ key: String, in keys: Set<String>) -> String? {
        let best = keys.map { ($0, distance(key, $0)) }.min { ($0.1, $0.0) < ($1.1, $1.0) }
        guard let (k, d) = best, d <= max(2, key.count / 4) else { return nil }
        return k
    }

    func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var diagonal = row[0]
            row[0] = i
            for j in 1...b.count {
                let above = row[j]
                row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                diagonal = above
            }
        }
        return row[b.count]
    }

    let badExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-c, labels: {team: payments}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: ledger, namespace: lint-c, labels: {app: ledger}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: ledger, namespace: lint-c}
        spec: {podSelector: {matchLabels: {app: ledger}}, ingress: [{from: [{namespaceSelector: {matchLabels: {teem: payments}}}]}]}
        """
    let goodExample = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: lint-c, labels: {team: payments}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: ledger, namespace: lint-c, labels: {app: ledger}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: teller, namespace: lint-c, labels: {app: teller}}
        spec: {containers: [{name: c}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: ledger, namespace: lint-c}
        spec: {podSelector: {matchLabels: {app: ledger}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: payments}}}]}]}
        """
}
