import KubeModel

/// Workloads that no selector or named port in the input can tell apart: same namespace, same hostNetwork, the
/// same answer from every pod selector, and the same numbers for every port name a policy uses. Every policy stage
/// treats the members of a class alike, so connectivity is computed once per pair of classes and expanded.
public struct EndpointClasses: Sendable {
    /// Class of each endpoint of the evaluator (same order as `Evaluator.endpoints`).
    public let classOf: [Int]
    /// Endpoint indices of each class, in endpoint order.
    public let members: [[Int]]

    public var count: Int { members.count }
    /// The endpoint that stands for a class.
    public func representative(_ c: Int) -> Int { members[c][0] }

    struct Signature: Hashable {
        let namespace: String
        let hostNetwork: Bool
        let matches: [Bool]
        let namedPorts: [Int?]
    }

    public init(model: ClusterModel, endpoints: [PodEndpoint]) {
        var selectors: [LabelSelector] = []
        var portNames = Set<String>()
        for p in model.networkPolicies {
            selectors.append(p.podSelector)
            for rule in p.ingress + p.egress {
                for peer in rule.peers { if case .pods(_, let pods?) = peer.selection { selectors.append(pods) } }
                for port in rule.ports { if case .name(let n)? = port.port { portNames.insert(n) } }
            }
        }
        for p in model.adminPolicies + [model.baselinePolicy].compactMap({ $0 }) {
            selectors.append(p.subject.pods)
            for rule in p.ingress + p.egress {
                for peer in rule.peers { if case .pods(let set) = peer { selectors.append(set.pods) } }
                for port in rule.ports ?? [] { if case .named(let n) = port { portNames.insert(n) } }
            }
        }
        let uniqueSelectors = Array(Set(selectors))
        let names = portNames.sorted()
        var index: [Signature: Int] = [:]
        var classOf: [Int] = []
        var members: [[Int]] = []
        for (i, e) in endpoints.enumerated() {
            let signature = Signature(
                namespace: e.namespace, hostNetwork: e.hostNetwork,
                matches: uniqueSelectors.map { $0.matches(e.labels) },
                namedPorts: names.flatMap { n in L4Protocol.allCases.map { e.port(named: n, proto: $0) } })
            if let c = index[signature] {
                classOf.append(c)
                members[c].append(i)
            } else {
                index[signature] = members.count
                classOf.append(members.count)
                members.append([i])
            }
        }
        self.classOf = classOf
        self.members = members
    }
}
