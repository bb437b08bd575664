import Foundation
import KubeModel

/// A NetworkPolicy behind one reference, so that lists of them are cheap to pass around.
final class PolicyBox: Sendable {
    let policy: NetworkPolicy
    /// The policy as a whole, as named when it isolates a pod.
    let ref: RuleRef
    init(_ p: NetworkPolicy) {
        policy = p
        ref = RuleRef(kind: "NetworkPolicy", namespace: p.namespace, name: p.name, path: "spec", location: p.location)
    }
}

/// A declared pod's NetworkPolicy rules of one direction, compiled once: each rule's peers and the connections it
/// admits, so that asking about another remote endpoint walks one flat list. Named ports resolve on the
/// destination: known for ingress, left to each flow (`ports`) for egress.
final class CompiledSide: Sendable {
    final class Rule: Sendable {
        /// Empty: every remote endpoint.
        let peers: [NetworkPolicy.Peer]
        let policyNamespace: String
        /// nil when the connections depend on the destination (egress with named ports).
        let conns: ConnSet?
        let ports: [NetworkPolicy.Port]
        init(peers: [NetworkPolicy.Peer], policyNamespace: String, conns: ConnSet?, ports: [NetworkPolicy.Port]) {
            self.peers = peers
            self.policyNamespace = policyNamespace
            self.conns = conns
            self.ports = ports
        }
    }
    let isolated: Bool
    let rules: [Rule]
    init(isolated: Bool, rules: [Rule]) {
        self.isolated = isolated
        self.rules = rules
    }
}

/// The concrete evaluator: computes, for declared endpoints and address ranges, exactly which connections the
/// NetworkPolicy layer (AdminNetworkPolicy, NetworkPolicy, BaselineAdminNetworkPolicy) admits, without a solver.
/// It is the reference the Z3 encoding is checked against, and it explains single flows rule by rule.
public final class Evaluator: @unchecked Sendable {
    public let model: ClusterModel
    public let assumptions: Assumptions
    let policiesByNamespace: [String: [NetworkPolicy]]
    /// The NetworkPolicies selecting each declared pod (pods of one workload may differ in a live dump): the map asks
    /// for the same
    /// destination thousands of times. Boxed so that reading them does not copy every field.
    private var selectingCache: [[PolicyBox]?]
    private var compiledCache: [Direction: [CompiledSide?]]
    private let cacheLock = NSLock()
    /// Ranges of the pod network that no ipBlock or ANP network can tell apart. A pod's IP may be in any of
    /// them (∃ placement, SEMANTICS.md §3.6); a single range when nothing looks inside the pod network.
    let podAddressRanges: [AddressRange?]
    public let endpoints: [PodEndpoint]
    /// Every IPv4 prefix a policy mentions, the boundaries of the address ranges policies tell apart.
    let policyCIDRs: [IPv4CIDR]
    /// External address ranges that every policy treats uniformly.
    public let externalRanges: [AddressRange]

    /// Evaluators for the other orders of AdminNetworkPolicies that share a priority (A-ANP-TIE): empty without ties;
    /// nil when there are too many orders to try (every flow an admin policy could decide is then undecided).
    public let tieAlternatives: [Evaluator]?
    public var hasAdminTies: Bool { tieAlternatives.map { !$0.isEmpty } ?? true }

    public convenience init(model: ClusterModel, assumptions: Assumptions) {
        // Every order of each group of equal-priority admin policies, the model's own (by name) first.
        var orders: [[String]] = [model.adminPolicies.map(\.name)]
        var tooMany = false
        for group in model.adminPriorityTies {
            var next: [[String]] = []
            for order in orders {
                for permutation in Evaluator.permutations(group) {
                    var o = order
                    let positions = o.indices.filter { group.contains(o[$0]) }
                    for (k, p) in positions.enumerated() { o[p] = permutation[k] }
                    next.append(o)
                }
            }
            orders = next
            if orders.count > 24 {
                tooMany = true
                break
            }
        }
        let alternatives =
            tooMany
            ? nil
            : orders.dropFirst().map {
                Evaluator(model: model.withAdminOrder($0), assumptions: assumptions, alternatives: [])
            }
        self.init(model: model, assumptions: assumptions, alternatives: alternatives)
    }

    static func permutations(_ items: [String]) -> [[String]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { i -> [[String]] in
            var rest = items
            let first = rest.remove(at: i)
            return permutations(rest).map { [first] + $0 }
        }
    }

    /// The connections allowed under every order of tied admin policies (`lower`) and under some order (`upper`).
    public func connectionBounds(from s: Endpoint, to d: Endpoint) -> (lower: ConnSet, upper: ConnSet) {
        let c = connections(from: s, to: d)
        guard let alternatives = tieAlternatives else { return (.none, .all) }
        return alternatives.reduce((c, c)) { acc, e in
            let x = e.connections(from: s, to: d)
            return (acc.0.intersection(x), acc.1.union(x))
        }
    }

    init(model: ClusterModel, assumptions: Assumptions, alternatives: [Evaluator]?) {
        tieAlternatives = alternatives
        self.model = model
        self.assumptions = assumptions
        policiesByNamespace = Dictionary(grouping: model.networkPolicies, by: \.namespace)
        let cidrs = Evaluator.policyCIDRs(model)
        policyCIDRs = cidrs
        externalRanges = AddressSpace.segments(cidrs: cidrs, within: assumptions.externalSpace)
        if assumptions.ipBlockMatchesPods {
            let podSpace = assumptions.podCIDR.map { [AddressRange($0)] } ?? [AddressRange(first: 0, last: .max)]
            podAddressRanges = AddressSpace.segments(cidrs: cidrs, within: podSpace)
        } else {
            podAddressRanges = [nil]
        }
        endpoints = model.workloads.enumerated().map { i, w in
            let pod = PodEndpoint(w, namespace: model.namespaces[w.namespace])
            // Under H1 a hostNetwork pod is seen by policy like any other pod.
            var e = assumptions.hostNetworkSelectable ? pod.withoutHostNetwork : pod
            e.declaredIndex = i
            return e
        }
        selectingCache = Array(repeating: nil, count: model.workloads.count)
        compiledCache = [
            .ingress: Array(repeating: nil, count: model.workloads.count),
            .egress: Array(repeating: nil, count: model.workloads.count),
        ]
    }

    /// Every IPv4 prefix any policy mentions.
    public static func policyCIDRs(_ model: ClusterModel) -> [IPv4CIDR] {
        var out: [IPv4CIDR] = []
        for p in model.networkPolicies {
            for rule in p.ingress + p.egress {
                for peer in rule.peers {
                    if case .ipBlock(let c, let except) = peer.selection {
                        out.append(contentsOf: ([c] + except).compactMap(\.ipv4))
                    }
                }
            }
        }
        for p in model.adminPolicies + [model.baselinePolicy].compactMap({ $0 }) {
            for rule in p.egress {
                for peer in rule.peers {
                    if case .networks(let cs) = peer { out.append(contentsOf: cs.compactMap(\.ipv4)) }
                }
            }
        }
        // AuthorizationPolicy ipBlocks and source.ip conditions tell external clients apart too.
        for p in model.authorizationPolicies {
            for rule in p.rules {
                var texts = (rule.from ?? []).flatMap { s in
                    [s.ipBlocks, s.remoteIpBlocks].flatMap { ($0.values ?? []) + ($0.notValues ?? []) }
                }
                for c in rule.when where c.key == "source.ip" || c.key == "remote.ip" {
                    texts += (c.values.values ?? []) + (c.values.notValues ?? [])
                }
                for t in texts {
                    if case .success(.v4(let c)) = CIDR.parse(t.contains("/") ? t : t + "/32") { out.append(c) }
                }
            }
        }
        return out
    }

    /// The external addresses of a CIDR (its part outside the pod network), cut into ranges every policy treats
    /// alike. Empty when the CIDR lies inside the pod network.
    public func externalSegments(of c: IPv4CIDR) -> [AddressRange] {
        let clipped = assumptions.externalSpace.filter { $0.overlaps(c) }.map {
            AddressRange(first: max($0.first, c.first), last: min($0.last, c.last))
        }
        return AddressSpace.segments(cidrs: policyCIDRs, within: clipped)
    }

    // MARK: Matching

    func selects(_ p: NetworkPolicy, _ pod: PodEndpoint) -> Bool {
        // hostNetwork pods are not selected by policies (A-HOSTNET = H2 under conformance).
        p.namespace == pod.namespace && !pod.hostNetwork && p.podSelector.matches(pod.labels)
    }

    func matches(_ set: AdminNetworkPolicy.PodSet, _ pod: PodEndpoint) -> Bool {
        !pod.hostNetwork && set.namespaces.matches(pod.namespaceLabels) && set.pods.matches(pod.labels)
    }

    /// Whether an address of the remote lies in an IP set. External ranges are uniform by construction; a pod's
    /// address is one of the pod-network ranges, or unknown when ipBlocks do not apply to pods.
    func addressIn(_ cidr: IPv4CIDR, except: [IPv4CIDR], remote: Endpoint, remoteAddress: AddressRange?) -> Bool {
        let range: AddressRange
        switch remote {
        case .external(let r): range = r
        case .pod(let p):
            guard assumptions.ipBlockMatchesPods, !p.hostNetwork, let r = remoteAddress else { return false }
            range = r
        }
        return range.isInside(cidr) && !except.contains { range.overlaps($0) }
    }

    func peerMatches(
        _ peer: NetworkPolicy.Peer, policyNamespace: String, remote: Endpoint, remoteAddress: AddressRange?
    ) -> Bool {
        switch peer.selection {
        case .pods(let nsSel, let podSel):
            guard case .pod(let r) = remote, !r.hostNetwork else { return false }
            if let nsSel {
                guard nsSel.matches(r.namespaceLabels) else { return false }
            } else if r.namespace != policyNamespace {
                return false
            }
            return podSel?.matches(r.labels) ?? true
        case .ipBlock(let cidr, let except):
            guard case .v4(let c) = cidr else { return false }
            return addressIn(c, except: except.compactMap(\.ipv4), remote: remote, remoteAddress: remoteAddress)
        }
    }

    func anpPeerMatches(_ peer: AdminNetworkPolicy.Peer, remote: Endpoint, remoteAddress: AddressRange?) -> Bool {
        switch peer {
        case .pods(let set):
            guard case .pod(let r) = remote else { return false }
            return matches(set, r)
        case .nodes:
            return false  // nodes are not endpoints of this model
        case .networks(let cidrs):
            return cidrs.compactMap(\.ipv4).contains {
                addressIn($0, except: [], remote: remote, remoteAddress: remoteAddress)
            }
        }
    }

    /// The connections a NetworkPolicy port list admits; named ports resolve on the flow's destination pod.
    func conns(_ ports: [NetworkPolicy.Port], destination: Endpoint) -> ConnSet {
        if ports.isEmpty { return .all }
        var out = ConnSet.none
        for p in ports {
            switch p.port {
            case nil: out[p.proto] = .all
            case .number(let n)?:
                let end = assumptions.endPortSupported ? (p.endPort ?? n) : n
                out[p.proto] = out[p.proto].union(PortRanges([n...end]))
            case .name(let name)?:
                if case .pod(let d) = destination, let n = d.port(named: name, proto: p.proto) {
                    out[p.proto] = out[p.proto].union(PortRanges([n...n]))
                }
            }
        }
        return out
    }

    func conns(_ ports: [AdminNetworkPolicy.Port]?, destination: Endpoint) -> ConnSet {
        guard let ports else { return .all }
        var out = ConnSet.none
        for p in ports {
            switch p {
            case .number(let proto, let n): out[proto] = out[proto].union(PortRanges([n...n]))
            case .range(let proto, let a, let b): out[proto] = out[proto].union(PortRanges([a...b]))
            case .named(let name):
                if case .pod(let d) = destination {
                    for proto in L4Protocol.allCases {
                        if let n = d.port(named: name, proto: proto) {
                            out[proto] = out[proto].union(PortRanges([n...n]))
                        }
                    }
                }
            }
        }
        return out
    }

    // MARK: Sides

    /// The rules of `subject`'s side that match `remote`, in evaluation order.
    func program(_ direction: Direction, subject: PodEndpoint, remote: Endpoint, remoteAddress: AddressRange?)
        -> SideProgram
    {
        var program = SideProgram()
        let destination: Endpoint = direction == .ingress ? .pod(subject) : remote
        for anp in model.adminPolicies where matches(anp.subject, subject) {
            for rule in direction == .ingress ? anp.ingress : anp.egress
            where rule.peers.contains(where: { anpPeerMatches($0, remote: remote, remoteAddress: remoteAddress) }) {
                program.admin.append(
                    .init(action: rule.action, conns: conns(rule.ports, destination: destination), ref: rule.ref))
            }
        }
        for box in selecting(subject) {
            // Fields are read through the box: binding the policy to a local would copy all of it, per flow.
            guard direction == .ingress ? box.policy.isolatesIngress : box.policy.isolatesEgress else { continue }
            program.isolating.append(box.ref)
            for rule in direction == .ingress ? box.policy.ingress : box.policy.egress {
                let peerOK =
                    rule.peers.isEmpty
                    || rule.peers.contains {
                        peerMatches(
                            $0, policyNamespace: box.policy.namespace, remote: remote, remoteAddress: remoteAddress)
                    }
                if peerOK { program.npRules.append((conns(rule.ports, destination: destination), rule.ref)) }
            }
        }
        if program.isolating.isEmpty, let banp = model.baselinePolicy, matches(banp.subject, subject) {
            for rule in direction == .ingress ? banp.ingress : banp.egress
            where rule.peers.contains(where: { anpPeerMatches($0, remote: remote, remoteAddress: remoteAddress) }) {
                program.baseline.append(
                    .init(action: rule.action, conns: conns(rule.ports, destination: destination), ref: rule.ref))
            }
        }
        return program
    }

    /// The NetworkPolicies of the subject's namespace that select it.
    func selecting(_ subject: PodEndpoint) -> [PolicyBox] {
        func compute() -> [PolicyBox] {
            (policiesByNamespace[subject.namespace] ?? []).filter { selects($0, subject) }.map(PolicyBox.init)
        }
        guard let i = subject.declaredIndex else { return compute() }
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let cached = selectingCache[i] { return cached }
        let found = compute()
        selectingCache[i] = found
        return found
    }

    /// The compiled rules of one side of a declared pod.
    func compiled(_ direction: Direction, _ subject: PodEndpoint, index i: Int) -> CompiledSide {
        cacheLock.lock()
        if let cached = compiledCache[direction]![i] {
            cacheLock.unlock()
            return cached
        }
        cacheLock.unlock()
        var isolated = false
        var rules: [CompiledSide.Rule] = []
        for box in selecting(subject)
        where direction == .ingress ? box.policy.isolatesIngress : box.policy.isolatesEgress {
            isolated = true
            for rule in direction == .ingress ? box.policy.ingress : box.policy.egress {
                let named = rule.ports.contains { if case .name? = $0.port { return true } else { return false } }
                let fixed: ConnSet? =
                    direction == .ingress || !named ? conns(rule.ports, destination: .pod(subject)) : nil
                rules.append(
                    .init(peers: rule.peers, policyNamespace: box.policy.namespace, conns: fixed, ports: rule.ports))
            }
        }
        let side = CompiledSide(isolated: isolated, rules: rules)
        cacheLock.lock()
        compiledCache[direction]![i] = side
        cacheLock.unlock()
        return side
    }

    /// Addresses a remote endpoint may have, as seen by ipBlocks.
    func addresses(of e: Endpoint) -> [AddressRange?] {
        switch e {
        case .external(let r): return [r]
        case .pod(let p): return p.hostNetwork ? [nil] : podAddressRanges
        }
    }

    /// Connections `dst` admits from `src` (ingress side alone), over every address `src` may have.
    public func ingress(to dst: PodEndpoint, from src: Endpoint) -> ConnSet {
        addresses(of: src).reduce(ConnSet.none) {
            $0.union(allowed(.ingress, subject: dst, remote: src, remoteAddress: $1))
        }
    }

    /// Connections `src` may open to `dst` (egress side alone), over every address `dst` may have.
    public func egress(from src: PodEndpoint, to dst: Endpoint) -> ConnSet {
        addresses(of: dst).reduce(ConnSet.none) {
            $0.union(allowed(.egress, subject: src, remote: dst, remoteAddress: $1))
        }
    }

    /// What one side admits. Without admin-tier policies this is the union of the matching NetworkPolicy rules
    /// (everything when no policy isolates the side), computed without building the rule-by-rule program that
    /// explanations need: `map` and `check` ask it millions of times.
    func allowed(_ direction: Direction, subject: PodEndpoint, remote: Endpoint, remoteAddress: AddressRange?)
        -> ConnSet
    {
        guard model.adminPolicies.isEmpty, model.baselinePolicy == nil else {
            return program(direction, subject: subject, remote: remote, remoteAddress: remoteAddress).allowed
        }
        if let i = subject.declaredIndex {
            let side = compiled(direction, subject, index: i)
            guard side.isolated else { return .all }
            var out = ConnSet.none
            for rule in side.rules
            where rule.peers.isEmpty
                || rule.peers.contains(where: {
                    peerMatches($0, policyNamespace: rule.policyNamespace, remote: remote, remoteAddress: remoteAddress)
                })
            {
                out = out.union(rule.conns ?? conns(rule.ports, destination: remote))
                if out.isAll { return out }
            }
            return out
        }
        let destination: Endpoint = direction == .ingress ? .pod(subject) : remote
        var isolated = false
        var out = ConnSet.none
        for box in selecting(subject)
        where direction == .ingress ? box.policy.isolatesIngress : box.policy.isolatesEgress {
            isolated = true
            for rule in direction == .ingress ? box.policy.ingress : box.policy.egress
            where rule.peers.isEmpty
                || rule.peers.contains(where: {
                    peerMatches($0, policyNamespace: box.policy.namespace, remote: remote, remoteAddress: remoteAddress)
                })
            {
                out = out.union(conns(rule.ports, destination: destination))
                if out.isAll { return out }
            }
        }
        return isolated ? out : .all
    }

    /// Whether a NetworkPolicy rule's peers admit a remote endpoint (for some address it may have).
    public func ruleAdmits(_ rule: NetworkPolicy.Rule, policyNamespace: String, remote: Endpoint) -> Bool {
        rule.peers.isEmpty
            || addresses(of: remote).contains { address in
                rule.peers.contains {
                    peerMatches($0, policyNamespace: policyNamespace, remote: remote, remoteAddress: address)
                }
            }
    }

    /// The connections a NetworkPolicy rule's ports admit towards a destination (named ports resolve on it).
    public func ruleConnections(_ rule: NetworkPolicy.Rule, destination: Endpoint) -> ConnSet {
        conns(rule.ports, destination: destination)
    }

    /// The namespaces whose pods a pod's ingress side can admit at all; nil when that is not limited (not isolated,
    /// an admin-tier policy, an ipBlock or a rule without peers). Lets `check` skip whole namespaces of sources.
    public func ingressNamespaces(of d: PodEndpoint) -> Set<String>? {
        guard model.adminPolicies.isEmpty, model.baselinePolicy == nil else { return nil }
        var out = Set<String>()
        var isolated = false
        for box in selecting(d) where box.policy.isolatesIngress {
            isolated = true
            for rule in box.policy.ingress {
                if rule.peers.isEmpty { return nil }
                for peer in rule.peers {
                    switch peer.selection {
                    case .ipBlock: return nil
                    case .pods(let nsSel, _):
                        if let nsSel {
                            for ns in model.namespaces.values where nsSel.matches(ns.labels) { out.insert(ns.name) }
                        } else {
                            out.insert(box.policy.namespace)
                        }
                    }
                }
            }
        }
        return isolated ? out : nil
    }

    /// Connections from `src` to `dst` admitted by both sides. Egress depends only on the destination's address
    /// and ingress only on the source's, so "some placement admits" is the intersection of the two unions.
    public func connections(from src: Endpoint, to dst: Endpoint) -> ConnSet {
        switch (src, dst) {
        case (.pod(let s), .pod(let d)):
            // Ingress first: destinations are isolated more often than sources, and an empty side settles the pair.
            let i = ingress(to: d, from: src)
            return i.isEmpty ? .none : i.intersection(egress(from: s, to: dst))
        case (.pod(let s), .external):
            return egress(from: s, to: dst)
        case (.external, .pod(let d)):
            return ingress(to: d, from: src)
        case (.external, .external):
            return .none
        }
    }

    /// Connections between two pods when their addresses are fixed to given pod-network ranges (nil: unknown).
    func connections(
        from s: PodEndpoint, at sourceAddress: AddressRange?, to d: PodEndpoint, at destinationAddress: AddressRange?
    ) -> ConnSet {
        program(.egress, subject: s, remote: .pod(d), remoteAddress: destinationAddress).allowed
            .intersection(program(.ingress, subject: d, remote: .pod(s), remoteAddress: sourceAddress).allowed)
    }

    /// Why one flow is allowed or denied: the deciding rule of each side.
    public func explain(from src: Endpoint, to dst: Endpoint, proto: FlowProtocol, port: Int) -> FlowExplanation {
        func best(_ decisions: [SideDecision]) -> SideDecision? {
            decisions.first { $0.effect == .allow } ?? decisions.first
        }
        var egressDecision: SideDecision?
        var ingressDecision: SideDecision?
        if case .pod(let s) = src {
            egressDecision = best(
                addresses(of: dst).map {
                    program(.egress, subject: s, remote: dst, remoteAddress: $0).decide(proto, port, direction: .egress)
                })
        }
        if case .pod(let d) = dst {
            ingressDecision = best(
                addresses(of: src).map {
                    program(.ingress, subject: d, remote: src, remoteAddress: $0).decide(
                        proto, port, direction: .ingress)
                })
        }
        let allowed =
            (egressDecision?.effect ?? .allow) == .allow && (ingressDecision?.effect ?? .allow) == .allow
            && (src.pod != nil || dst.pod != nil)
        return FlowExplanation(allowed: allowed, egress: egressDecision, ingress: ingressDecision, note: nil)
    }
}
