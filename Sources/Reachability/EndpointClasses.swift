import Foundation
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
        // A selector only tells apart pods it can be applied to: a NetworkPolicy's podSelector and its peers
        // without a namespaceSelector see the policy's own namespace; peers with one, and admin-tier selectors,
        // see every namespace. Classes never mix namespaces, so each pod is asked only the selectors of its own.
        var global: [LabelSelector] = []
        var local: [String: [LabelSelector]] = [:]
        var portNames = Set<String>()
        for p in model.networkPolicies {
            local[p.namespace, default: []].append(p.podSelector)
            for rule in p.ingress + p.egress {
                for peer in rule.peers {
                    if case .pods(let nsSel, let pods?) = peer.selection {
                        if nsSel == nil { local[p.namespace, default: []].append(pods) } else { global.append(pods) }
                    }
                }
                for port in rule.ports { if case .name(let n)? = port.port { portNames.insert(n) } }
            }
        }
        for p in model.adminPolicies + [model.baselinePolicy].compactMap({ $0 }) {
            global.append(p.subject.pods)
            for rule in p.ingress + p.egress {
                for peer in rule.peers { if case .pods(let set) = peer { global.append(set.pods) } }
                for port in rule.ports ?? [] { if case .named(let n) = port { portNames.insert(n) } }
            }
        }
        let globalSelectors = Array(Set(global))
        let localSelectors = local.mapValues { Array(Set($0)) }
        let names = portNames.sorted()
        // Signatures on every core (selector matching is the cost), then classes in endpoint order.
        var signatures = [Signature?](repeating: nil, count: endpoints.count)
        let chunk = max(256, endpoints.count / 16)
        signatures.withUnsafeMutableBufferPointer { out in
            let buffer = out
            DispatchQueue.concurrentPerform(iterations: (endpoints.count + chunk - 1) / chunk) { c in
                for i in (c * chunk)..<min(endpoints.count, (c + 1) * chunk) {
                    let e = endpoints[i]
                    buffer[i] = Signature(
                        namespace: e.namespace, hostNetwork: e.hostNetwork,
                        matches: (globalSelectors + (localSelectors[e.namespace] ?? [])).map { $0.matches(e.labels) },
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
