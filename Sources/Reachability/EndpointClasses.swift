import Foundation
import KubeModel

/// Workloads that no selector or named port in the input can tell apart: same namespace, same hostNetwork, the same
/// answer from every pod selector that can apply to them, and the same numbers for every port name a policy uses. Every
/// policy stage treats the members of a class alike, so connectivity is computed once per pair of classes and expanded.
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
        /// The selectors of the namespace's list that match, in order.
        let matches: [Int32]
        let namedPorts: [Int?]
    }

    /// Classes of the evaluator's endpoints under its compiled policies.
    public init(evaluator: Evaluator) {
        self.init(policies: evaluator.policies, endpoints: evaluator.endpoints)
    }

    init(policies: PolicySet, endpoints: [PodEndpoint]) {
        // A selector only tells apart pods it can be applied to: one scoped to a namespace by name (a
        // NetworkPolicy's podSelector, its peers without a namespaceSelector) applies there; one with a namespace
        // selector, in the namespaces that selector matches. Classes never mix namespaces, so each namespace's
        // pods are asked only the selectors that apply there. Selectors without requirements split nothing.
        var local: [String: Set<LabelSelector>] = [:]
        var global: [LabelSelector: Set<LabelSelector>] = [:]
        for m in policies.podMatches where !m.pods.isEmpty {
            switch m.namespaces {
            case .named(let name): local[name, default: []].insert(m.pods)
            case .selector(let s): global[s, default: []].insert(m.pods)
            }
        }
        let localSelectors = local.mapValues(Array.init)
        // Selectors scoped by a namespace selector, each with its scope's number. A scope applies in many
        // namespaces, and its selectors mostly name one app each: a namespace asks only those requiring a label value
        // one of its pods carries (by their first `In`), and those requiring none.
        let scopes = Array(global.keys)
        let scoped = scopes.enumerated().flatMap { scope, namespaces in global[namespaces]!.map { (scope, $0) } }
        var requiring: [String: [String: [Int32]]] = [:]
        var requiringNone: [Int32] = []
        for (id, selector) in scoped.map(\.1).enumerated() {
            if let named = selector.requirements.first(where: { $0.op == .in }) {
                for value in named.values { requiring[named.key, default: [:]][value, default: []].append(Int32(id)) }
            } else {
                requiringNone.append(Int32(id))
            }
        }
        let names = policies.namedPorts
        let byNamespace = Dictionary(grouping: endpoints.indices, by: { endpoints[$0].namespace })
        let namespaces = Array(byNamespace.keys)
        // Signatures per namespace on every core (selector matching is the cost), then classes in endpoint order.
        var signatures = [Signature?](repeating: nil, count: endpoints.count)
        signatures.withUnsafeMutableBufferPointer { out in
            let buffer = out
            DispatchQueue.concurrentPerform(iterations: namespaces.count) { k in
                let namespace = namespaces[k]
                let local = byNamespace[namespace]!
                let namespaceLabels = endpoints[local[0]].namespaceLabels
                let index = LabelIndex(local.map { endpoints[$0].labels })
                var applicable = localSelectors[namespace] ?? []
                let inScope = scopes.map { $0.matches(namespaceLabels) }
                var candidates = requiringNone
                for (key, values) in index.positions {
                    guard let byValue = requiring[key] else { continue }
                    for value in values.keys { candidates += byValue[value] ?? [] }
                }
                // In one order for every pod of the namespace: signatures compare the lists of selectors matched.
                for id in Set(candidates).sorted() where inScope[scoped[Int(id)].0] {
                    applicable.append(scoped[Int(id)].1)
                }
                var matches = [[Int32]](repeating: [], count: local.count)
                for (id, selector) in applicable.enumerated() {
                    for position in index.matching(selector) { matches[position].append(Int32(id)) }
                }
                for (position, i) in local.enumerated() {
                    let e = endpoints[i]
                    buffer[i] = Signature(
                        namespace: namespace, hostNetwork: e.hostNetwork, matches: matches[position],
                        namedPorts: names.flatMap { n in L4Protocol.allCases.map { e.port(named: n, proto: $0) } })
                }
            }
        }
        var index: [Signature: Int] = [:]
        var classOf: [Int] = []
        var members: [[Int]] = []
        for (i, signature) in signatures.enumerated() {
            if let c = index[signature!] {
                classOf.append(c)
                members[c].append(i)
            } else {
                index[signature!] = members.count
                classOf.append(members.count)
                members.append([i])
            }
        }
        self.classOf = classOf
        self.members = members
    }
}

/// The label sets of some pods, indexed by key and value, to find those a selector matches without trying it on
/// every one: a selector naming label values (`matchLabels`, `In`) is only tried on the pods carrying one of them,
/// and most selectors name one app among thousands.
struct LabelIndex {
    let labels: [[String: String]]
    /// Positions of the label sets carrying each key and value.
    private(set) var positions: [String: [String: [Int]]] = [:]

    init(_ labels: [[String: String]]) {
        self.labels = labels
        for (p, set) in labels.enumerated() {
            for (key, value) in set { positions[key, default: [:]][value, default: []].append(p) }
        }
    }

    /// Positions of the label sets `selector` matches, in order. The candidates are the sets carrying a value that
    /// the selector's most selective `In` requirement names (the fewest sets), and the other requirements are tried
    /// on them alone.
    func matching(_ selector: LabelSelector) -> [Int] {
        let requirements = selector.requirements
        var fewest: (requirement: Int, positions: [Int])?
        for (r, requirement) in requirements.enumerated() where requirement.op == .in {
            let byValue = positions[requirement.key]
            // Each value's positions are ascending, and a set carries one value per key: the lists of distinct values
            // are disjoint.
            let carrying =
                requirement.values.count == 1
                ? byValue?[requirement.values[0]] ?? []
                : Set(requirement.values).flatMap { byValue?[$0] ?? [] }.sorted()
            if carrying.isEmpty { return [] }
            if carrying.count < fewest?.positions.count ?? Int.max { fewest = (r, carrying) }
        }
        guard let fewest else { return labels.indices.filter { selector.matches(labels[$0]) } }
        if requirements.count == 1 { return fewest.positions }
        return fewest.positions.filter { p in
            requirements.indices.allSatisfy { $0 == fewest.requirement || requirements[$0].matches(labels[p]) }
        }
    }
}
