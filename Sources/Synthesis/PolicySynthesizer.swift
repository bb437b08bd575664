import Foundation
import KubeModel
import Reachability

/// Writes least-privilege policies for a set of intended flows: per namespace a default deny (both directions),
/// DNS egress to kube-dns, and per workload one NetworkPolicy admitting exactly its intended peers and ports
/// (ingress on the destination, egress on the source); for a mesh, one AuthorizationPolicy per destination keyed on
/// the sources' service-account principals and the STRICT PeerAuthentication those need.
public struct PolicySynthesizer {
    public enum Kind: String, CaseIterable, Sendable {
        case networkPolicy = "networkpolicy"
        /// The same least-privilege policies as CiliumNetworkPolicies (docs/SEMANTICS.md §4.2).
        case ciliumNetworkPolicy = "ciliumnetworkpolicy"
        case authorizationPolicy = "authorizationpolicy"

        /// The kinds of object a suggestion of this kind replaces in the namespaces it covers.
        public var replacedKinds: [String] {
            switch self {
            case .networkPolicy: return ["NetworkPolicy"]
            case .ciliumNetworkPolicy: return ["CiliumNetworkPolicy"]
            case .authorizationPolicy: return ["AuthorizationPolicy", "PeerAuthentication"]
            }
        }
    }

    /// One generated rule and the intended flows that need it (the minimality report).
    public struct RuleReason: Sendable {
        public let policy: String
        public let rule: String
        public let intents: [String]
    }

    public struct Output: Sendable {
        /// Namespace -> the YAML of its policies (several documents).
        public let files: [String: String]
        public let reasons: [RuleReason]
        public let notes: [String]
        /// The namespaces whose policies of the generated kinds the output replaces.
        public let namespaces: Set<String>
        /// Pod selector chosen for each workload involved, as labels.
        public let selectors: [Int: [String: String]]
    }

    let model: ClusterModel
    let evaluator: Evaluator
    let flows: [IntendedFlow]
    let kinds: Set<Kind>

    public init(evaluator: Evaluator, flows: [IntendedFlow], kinds: Set<Kind>) {
        self.evaluator = evaluator
        self.model = evaluator.model
        self.flows = flows
        self.kinds = kinds
    }

    /// Labels a controller adds per pod or per revision: never part of a selector.
    static let volatileKeys: Set<String> = [
        "pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index", "pod-template-generation", "job-name", "controller-uid",
        "batch.kubernetes.io/job-name", "batch.kubernetes.io/controller-uid", "security.istio.io/tlsMode",
        "service.istio.io/canonical-name", "service.istio.io/canonical-revision",
    ]
    /// Keys tried first, in this order, because they name what a workload is.
    static let preferredKeys = [
        "app.kubernetes.io/name", "app", "name", "k8s-app", "app.kubernetes.io/component", "component", "tier",
        "app.kubernetes.io/instance", "version",
    ]

    /// The fewest stable labels that select exactly this workload's pods in its namespace (nil when another
    /// workload carries all the same stable labels).
    func selector(_ i: Int) -> [String: String]? {
        let w = model.workloads[i]
        let stable = w.labels.filter { !Self.volatileKeys.contains($0.key) }
        let keys = stable.keys.sorted { a, b in
            let (x, y) = (Self.preferredKeys.firstIndex(of: a) ?? 99, Self.preferredKeys.firstIndex(of: b) ?? 99)
            return x != y ? x < y : a < b
        }
        let neighbours = model.workloads.indices.filter {
            $0 != i && model.workloads[$0].namespace == w.namespace && model.workloads[$0].replicas != 0
        }
        func exact(_ labels: [String: String]) -> Bool {
            !neighbours.contains { n in labels.allSatisfy { model.workloads[n].labels[$0.key] == $0.value } }
        }
        for size in 1...max(1, keys.count) {
            for combo in combinations(keys, size) {
                let labels = Dictionary(uniqueKeysWithValues: combo.map { ($0, stable[$0]!) })
                if exact(labels) { return labels }
            }
            if size >= 4 { break }
        }
        return nil
    }

    func combinations(_ items: [String], _ k: Int) -> [[String]] {
        if k == 0 { return [[]] }
        guard items.count >= k else { return [] }
        var out: [[String]] = []
        for (i, first) in items.enumerated() {
            for rest in combinations(Array(items[(i + 1)...]), k - 1) { out.append([first] + rest) }
        }
        return out
    }

    public func generate() -> Output {
        var notes: [String] = []
        var selectors: [Int: [String: String]] = [:]
        var involved = Set<Int>()
        for f in flows {
            if case .workload(let i) = f.source { involved.insert(i) }
            if case .workload(let i) = f.destination { involved.insert(i) }
        }
        for i in involved.sorted() {
            if let s = selector(i) {
                selectors[i] = s
            } else {
                let w = model.workloads[i]
                selectors[i] = w.labels.filter { !Self.volatileKeys.contains($0.key) }
                notes.append(
                    "\(w.id): no set of stable labels tells it apart from another workload of \(w.namespace); its selector admits both"
                )
            }
        }
        // NetworkPolicies isolate both ends of every flow; AuthorizationPolicies guard the destinations only.
        let destinations = Set(flows.compactMap(\.destination.workloadIndex))
        let cilium = kinds.contains(.ciliumNetworkPolicy)
        let namespaces = Set(
            (kinds.contains(.networkPolicy) || cilium ? involved : destinations).map { model.workloads[$0].namespace })
        var files: [String: String] = [:]
        var reasons: [RuleReason] = []
        for ns in namespaces.sorted() {
            var docs: [String] = []
            if kinds.contains(.networkPolicy) || cilium {
                let (d, r) = networkPolicies(ns, selectors, cilium: cilium)
                docs += d
                reasons += r
            }
            if kinds.contains(.authorizationPolicy) {
                let (d, r, n) = authorizationPolicies(ns, selectors)
                docs += d
                reasons += r
                notes += n
            }
            if !docs.isEmpty {
                files[ns] =
                    "# Generated by reachproof suggest: least-privilege policies for namespace \(ns).\n"
                    + docs.joined(separator: "---\n")
            }
        }
        return Output(files: files, reasons: reasons, notes: notes, namespaces: namespaces, selectors: selectors)
    }

    // MARK: NetworkPolicy

    /// The policies of one namespace, as NetworkPolicies or (`cilium`) CiliumNetworkPolicies of the same meaning.
    func networkPolicies(_ ns: String, _ selectors: [Int: [String: String]], cilium: Bool) -> ([String], [RuleReason]) {
        var docs: [String] = []
        var reasons: [RuleReason] = []
        if cilium {
            // An empty section puts the endpoints into default deny and admits nothing (§4.2).
            docs.append(
                """
                # Deny every connection in and out of the namespace's pods unless a policy below admits it.
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: default-deny
                  namespace: \(ns)
                spec:
                  endpointSelector: {}
                  ingress: [{}]
                  egress: [{}]

                """)
            docs.append(
                """
                # Name resolution: every pod is egress-isolated, so each may ask kube-dns on port 53.
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  name: allow-dns
                  namespace: \(ns)
                spec:
                  endpointSelector: {}
                  egress:
                    - toEndpoints:
                        - matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s-app": kube-dns}
                      toPorts: [{ports: [{port: "53", protocol: ANY}]}]

                """)
        } else {
            docs.append(
                """
                # Deny every connection in and out of the namespace's pods unless a policy below admits it.
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: default-deny
                  namespace: \(ns)
                spec:
                  podSelector: {}
                  policyTypes: [Ingress, Egress]

                """)
            docs.append(
                """
                # Name resolution: every pod is egress-isolated, so each may ask kube-dns on port 53.
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: allow-dns
                  namespace: \(ns)
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                    - to:
                        - namespaceSelector: {matchLabels: {"kubernetes.io/metadata.name": kube-system}}
                          podSelector: {matchLabels: {"k8s-app": kube-dns}}
                      ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]

                """)
        }
        reasons.append(
            RuleReason(policy: "\(ns)/allow-dns", rule: "spec.egress[0]", intents: ["DNS for egress-isolated pods"]))
        for (direction, key) in [("ingress", \IntendedFlow.destination), ("egress", \IntendedFlow.source)] {
            // One policy per workload of this namespace on that side of some flow.
            let subjects = Set(
                flows.compactMap { f -> Int? in
                    if case .workload(let i) = f[keyPath: key], model.workloads[i].namespace == ns {
                        return i
                    } else {
                        return nil
                    }
                }
            ).sorted { model.workloads[$0].name < model.workloads[$1].name }
            for subject in subjects {
                let w = model.workloads[subject]
                let mine = flows.filter { $0[keyPath: key] == .workload(subject) }
                // One rule per remote party, with every port intended between them.
                let remotes = Array(Set(mine.map { direction == "ingress" ? $0.source : $0.destination })).sorted()
                let name = "\(w.name)-\(direction)"
                var rules: [String] = []
                for (k, remote) in remotes.enumerated() {
                    let toRemote = mine.filter { (direction == "ingress" ? $0.source : $0.destination) == remote }
                    let destination = direction == "ingress" ? subject : (remote.workloadIndex ?? -1)
                    let ports = toRemote.map { port($0, destination: destination, cilium: cilium) }
                    let origins = Set(toRemote.map(\.origin)).sorted().joined(separator: "; ")
                    let portList = Array(Set(ports)).sorted().joined(separator: ", ")
                    if cilium {
                        let side = direction == "ingress" ? "from" : "to"
                        rules.append(
                            """
                                # \(origins)
                                - \(ciliumPeer(remote, from: ns, side: side, selectors))
                                  toPorts: [{ports: [\(portList)]}]
                            """)
                    } else {
                        rules.append(
                            """
                                # \(origins)
                                - \(direction == "ingress" ? "from" : "to"):
                                    - \(peer(remote, from: ns, selectors))
                                  ports: [\(portList)]
                            """)
                    }
                    reasons.append(
                        RuleReason(
                            policy: "\(ns)/\(name)", rule: "spec.\(direction)[\(k)]",
                            intents: Set(toRemote.map(\.origin)).sorted()))
                }
                let header =
                    cilium
                    ? """
                    apiVersion: cilium.io/v2
                    kind: CiliumNetworkPolicy
                    metadata:
                      name: \(name)
                      namespace: \(ns)
                    spec:
                      endpointSelector: {matchLabels: \(flow(selectors[subject]!))}
                    """
                    : """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata:
                      name: \(name)
                      namespace: \(ns)
                    spec:
                      podSelector: {matchLabels: \(flow(selectors[subject]!))}
                      policyTypes: [\(direction == "ingress" ? "Ingress" : "Egress")]
                    """
                docs.append(header + "\n  \(direction):\n" + rules.joined(separator: "\n") + "\n")
            }
        }
        return (docs, reasons)
    }

    /// A peer entry for a remote party, seen from a policy in `ns`.
    func peer(_ p: IntendedFlow.Party, from ns: String, _ selectors: [Int: [String: String]]) -> String {
        switch p {
        case .workload(let i):
            let w = model.workloads[i]
            let pods = "podSelector: {matchLabels: \(flow(selectors[i]!))}"
            return w.namespace == ns
                ? pods
                : "namespaceSelector: {matchLabels: {\"kubernetes.io/metadata.name\": \(w.namespace)}}\n          \(pods)"
        case .external(let c):
            // An ipBlock also matches pod addresses: the pod network is cut out so that only outside clients match.
            // An IPv6 prefix may begin with ':', which YAML reads as syntax unless quoted.
            func text(_ c: CIDR) -> String { c.family == .ipv6 ? "\"\(c)\"" : c.description }
            if let pods = evaluator.assumptions.podCIDR(c.family), c.contains(pods) {
                return "ipBlock: {cidr: \(text(c)), except: [\(text(pods))]}"
            }
            return "ipBlock: {cidr: \(text(c))}"
        }
    }

    /// A Cilium peer field for a remote party: endpoints (naming the namespace when it is another one), or a CIDR
    /// set, which never matches pods in Cilium (§4.2), so the pod network needs no `except`.
    func ciliumPeer(_ p: IntendedFlow.Party, from ns: String, side: String, _ selectors: [Int: [String: String]])
        -> String
    {
        switch p {
        case .workload(let i):
            var labels = selectors[i]!
            let w = model.workloads[i]
            if w.namespace != ns { labels["k8s:io.kubernetes.pod.namespace"] = w.namespace }
            return "\(side)Endpoints: [{matchLabels: \(flow(labels))}]"
        case .external(let c):
            return "\(side)CIDRSet: [{cidr: \"\(c)\"}]"
        }
    }

    /// A port entry: the destination's port name when it declares one for the number, else the number (and endPort),
    /// written as NetworkPolicy or (`cilium`) CiliumNetworkPolicy spell it.
    func port(_ f: IntendedFlow, destination: Int, cilium: Bool) -> String {
        let p = f.proto.rawValue
        var value = "\(f.ports.lowerBound)"
        if f.ports.count == 1, destination >= 0,
            let name = model.workloads[destination].ports.first(where: {
                $0.number == f.ports.lowerBound && $0.proto == f.proto
            })?.name
        {
            value = name
        }
        let end = f.ports.count > 1 ? ", endPort: \(f.ports.upperBound)" : ""
        return cilium ? "{port: \"\(value)\", protocol: \(p)\(end)}" : "{protocol: \(p), port: \(value)\(end)}"
    }

    func flow(_ labels: [String: String]) -> String {
        "{" + labels.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }.joined(separator: ", ") + "}"
    }

    // MARK: AuthorizationPolicy

    func authorizationPolicies(_ ns: String, _ selectors: [Int: [String: String]]) -> ([String], [RuleReason], [String])
    {
        var docs: [String] = []
        var reasons: [RuleReason] = []
        var notes: [String] = []
        let mesh = MeshEvaluator(evaluator: evaluator)
        docs.append(
            """
            # Principals are only known over Istio mutual TLS: require it for the namespace.
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: default
              namespace: \(ns)
            spec:
              mtls: {mode: STRICT}

            """)
        let destinations = Set(
            flows.compactMap { f -> Int? in
                if case .workload(let i) = f.destination, model.workloads[i].namespace == ns {
                    return i
                } else {
                    return nil
                }
            }
        ).sorted { model.workloads[$0].name < model.workloads[$1].name }
        for d in destinations {
            let w = model.workloads[d]
            if !mesh.proxies[d].hasProxy {
                notes.append("\(w.id) has no sidecar: an AuthorizationPolicy would not apply to it")
            }
            let incoming = flows.filter { $0.destination == .workload(d) }
            // One rule per source service account (the identity the policy can see).
            var bySA: [String: [IntendedFlow]] = [:]
            for f in incoming {
                switch f.source {
                case .workload(let s):
                    let sw = model.workloads[s]
                    if !mesh.proxies[s].hasProxy {
                        notes.append("\(sw.id) has no sidecar: it sends plaintext, which STRICT mTLS rejects")
                    }
                    bySA["cluster.local/ns/\(sw.namespace)/sa/\(sw.serviceAccount)", default: []].append(f)
                case .external:
                    notes.append(
                        "\(f.origin): an external client has no mesh identity; admit it through a gateway instead")
                }
            }
            var rules: [String] = []
            for (k, principal) in bySA.keys.sorted().enumerated() {
                let fs = bySA[principal]!
                if fs.contains(where: { $0.ports.count > 64 }) {
                    notes.append(
                        "\(w.id): port ranges wider than 64 ports are cut to their first 64 in the AuthorizationPolicy")
                }
                let ports = Set(
                    fs.flatMap { f in
                        (f.ports.lowerBound...min(f.ports.upperBound, f.ports.lowerBound + 63)).map { "\"\($0)\"" }
                    }
                ).sorted()
                // Methods and paths only when every flow of the rule names them (otherwise any request is intended).
                var operation = "ports: [\(ports.joined(separator: ", "))]"
                let methods = fs.map { $0.request?.method }
                let paths = fs.map { $0.request?.path }
                if !methods.contains(where: { $0 == nil }) {
                    operation +=
                        ", methods: [\(Set(methods.compactMap { $0 }).sorted().map { "\"\($0)\"" }.joined(separator: ", "))]"
                }
                if !paths.contains(where: { $0 == nil }) {
                    operation +=
                        ", paths: [\(Set(paths.compactMap { $0 }).sorted().map { "\"\($0)\"" }.joined(separator: ", "))]"
                }
                rules.append(
                    """
                        # \(Set(fs.map(\.origin)).sorted().joined(separator: "; "))
                        - from: [{source: {principals: ["\(principal)"]}}]
                          to: [{operation: {\(operation)}}]
                    """)
                reasons.append(
                    RuleReason(
                        policy: "\(ns)/\(w.name)-allow", rule: "spec.rules[\(k)]",
                        intents: Set(fs.map(\.origin)).sorted()))
            }
            docs.append(
                """
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata:
                  name: \(w.name)-allow
                  namespace: \(ns)
                spec:
                  selector: {matchLabels: \(flow(selectors[d]!))}
                  action: ALLOW
                  rules:
                \(rules.isEmpty ? "    []" : rules.joined(separator: "\n"))

                """)
        }
        return (docs, reasons, notes)
    }
}

extension IntendedFlow.Party {
    var workloadIndex: Int? { if case .workload(let i) = self { return i } else { return nil } }

    /// What the party stands for: the workload's pod, or the external ranges of the CIDR that policies tell apart.
    func endpoints(_ evaluator: Evaluator) -> [Endpoint] {
        switch self {
        case .workload(let i): return [.pod(evaluator.endpoints[i])]
        case .external(let c): return evaluator.externalSegments(of: c).map { .external($0) }
        }
    }
}
