import Foundation
import KubeModel

/// A declared pod's NetworkPolicy-tier rules of one direction, gathered once: each rule's peers and the
/// connections it admits, so that asking about another remote endpoint walks one flat list. Named ports resolve
/// on the destination: known for ingress, left to each flow (`ports`) for egress.
final class CompiledSide: Sendable {
    final class Rule: Sendable {
        /// Empty: every remote endpoint.
        let peers: [PeerMatch]
        /// nil when the connections depend on the destination (egress with named ports).
        let conns: ConnSet?
        let ports: [PortMatch]?
        init(peers: [PeerMatch], conns: ConnSet?, ports: [PortMatch]?) {
            self.peers = peers
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
/// compiled policy tiers (admin, NetworkPolicy, baseline) admit, without a solver. It is the reference the Z3
/// encoding is checked against, and it explains single flows rule by rule.
public final class Evaluator: @unchecked Sendable {
    public let model: ClusterModel
    public let assumptions: Assumptions
    /// The assumptions every verdict of this evaluator rests on, as reports print them: the bindings, then what the
    /// input brings (`ClusterModel.inputAssumptions`).
    /// Computed once: every claim's result carries them, and the input's look at every workload.
    public let describedAssumptions: [String]
    /// The model's policies, compiled: the only policy input of this evaluator.
    public let policies: PolicySet
    /// The NetworkPolicy-tier policies selecting each declared pod (pods of one workload may differ in a live
    /// dump): the map asks for the same destination thousands of times.
    private var selectingCache: [[CompiledPolicy]?]
    private var compiledCache: [Direction: [CompiledSide?]]
    /// Pods that the same policies select have equal sides, unless an ingress rule's named ports resolve on their
    /// container ports (the key then holds them): they share one object, so that the class matrix keys each side once.
    private struct SideShape: Hashable {
        let direction: Direction
        let policies: [ObjectIdentifier]
        let ports: [ContainerPort]
    }
    private var sharedSides: [SideShape: CompiledSide] = [:]
    private let cacheLock = NSLock()
    /// Ranges of the pod network that no ipBlock or ANP network can tell apart. A pod's IP may be in any of
    /// them (∃ placement, docs/SEMANTICS.md §3.6); a single range when nothing looks inside the pod network.
    let podAddressRanges: [AddressRange?]
    public let endpoints: [PodEndpoint]
    /// The declared endpoints that exist (A-ZERO-REPLICAS: a workload with zero replicas has no pods).
    public let liveEndpoints: [Int]
    /// Every prefix a policy mentions (both families), the boundaries of the address ranges policies tell apart.
    let policyCIDRs: [CIDR]
    /// Whether a pod-to-pod answer must be computed per IP family: a flow's two addresses share a family, and when
    /// address rules can tell pod addresses of both families apart (or an ordered tier may deny by address), "some
    /// source address and some destination address" would pair an IPv4 source with an IPv6 destination. Otherwise the
    /// per-family answers nest and the families need not be told apart.
    public let splitsFamilies: Bool
    /// External address ranges that every policy treats uniformly.
    public let externalRanges: [AddressRange]

    /// Evaluators for the other orders of admin-tier policies that share a priority (A-ANP-TIE): empty without
    /// ties; nil when there are too many orders to try (every flow an admin policy could decide is then undecided).
    public let tieAlternatives: [Evaluator]?
    public var hasAdminTies: Bool { tieAlternatives.map { !$0.isEmpty } ?? true }

    public convenience init(model: ClusterModel, assumptions: Assumptions) {
        let policies = PolicySet(
            model: model,
            options: CompileOptions(
                endPortSupported: assumptions.endPortSupported, dnsAnswers: assumptions.dnsAnswers,
                nodeCIDRs: assumptions.nodeCIDRs, ciliumEnforcement: assumptions.ciliumEnforcement))
        // Every order of each group of equal-priority admin policies, the set's own (by name) first.
        var orders: [[String]] = [policies.admin.map(\.name)]
        var tooMany = false
        for group in policies.adminPriorityTies {
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
                Evaluator(
                    model: model, policies: policies.withAdminOrder($0), assumptions: assumptions, alternatives: [])
            }
        self.init(model: model, policies: policies, assumptions: assumptions, alternatives: alternatives)
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

    init(model: ClusterModel, policies: PolicySet, assumptions: Assumptions, alternatives: [Evaluator]?) {
        tieAlternatives = alternatives
        self.model = model
        self.policies = policies
        self.assumptions = assumptions
        // AuthorizationPolicy ipBlocks and source.ip conditions tell external clients apart too.
        let cidrs = policies.prefixes + AuthorizationStage.prefixes(model)
        policyCIDRs = cidrs
        externalRanges = AddressSpace.segments(cidrs: cidrs, within: assumptions.externalSpace)
        if assumptions.ipBlockMatchesPods {
            podAddressRanges = AddressSpace.segments(cidrs: cidrs, within: assumptions.podSpace)
            let seen = Set(policies.prefixes.filter(assumptions.podSpaceOverlaps).map(\.family))
            splitsFamilies = assumptions.dualStack && (seen.count > 1 || (policies.hasOrderedTiers && !seen.isEmpty))
        } else {
            podAddressRanges = [nil]
            splitsFamilies = false
        }
        let serviceAccountLabel = model.ciliumSelectsServiceAccounts
        endpoints = model.workloads.enumerated().map { i, w in
            var pod = PodEndpoint(w, namespace: model.namespaces[w.namespace])
            if serviceAccountLabel {
                // Cilium's identities carry the service account as a label its selectors read (§4.2).
                var labels = pod.labels
                labels[CiliumNetworkPolicy.serviceAccountKey] = w.serviceAccount
                pod = pod.with(labels: labels, namespaceLabels: pod.namespaceLabels)
            }
            // Under H1 a hostNetwork pod is seen by policy like any other pod.
            var e = assumptions.hostNetworkSelectable ? pod.withoutHostNetwork : pod
            e.declaredIndex = i
            return e
        }
        liveEndpoints = model.workloads.indices.filter { model.workloads[$0].replicas != 0 }
        // A bound enforcement mode replaces the default the input implies.
        describedAssumptions =
            assumptions.describedBindings
            + model.inputAssumptions.filter {
                assumptions.ciliumEnforcement == .default || !$0.hasPrefix("A-CILIUM-ENFORCEMENT=")
            }
        selectingCache = Array(repeating: nil, count: model.workloads.count)
        compiledCache = [
            .ingress: Array(repeating: nil, count: model.workloads.count),
            .egress: Array(repeating: nil, count: model.workloads.count),
        ]
    }

    /// The external addresses of a CIDR (its part outside the pod network), cut into ranges every policy treats
    /// alike. Empty when the CIDR lies inside the pod network.
    public func externalSegments(of c: CIDR) -> [AddressRange] {
        let clipped = assumptions.externalSpace.compactMap { $0.clipped(to: c) }
        return AddressSpace.segments(cidrs: policyCIDRs, within: clipped)
    }

    // MARK: Matching

    /// Whether an address of the remote lies in an IP block. External ranges are uniform by construction; a
    /// pod's address is one of the pod-network ranges, or unknown when ipBlocks do not apply to pods. A block matches
    /// addresses of its own family only.
    func addressIn(_ block: AddressBlock, remote: Endpoint, remoteAddress: AddressRange?) -> Bool {
        let range: AddressRange
        switch remote {
        case .external(let r): range = r
        case .pod(let p):
            guard assumptions.ipBlockMatchesPods, !block.externalOnly, !p.hostNetwork, let r = remoteAddress else {
                return false
            }
            range = r
        }
        return range.isInside(block.cidr) && !block.except.contains { range.overlaps($0) }
    }

    /// Whether a compiled peer matches the remote endpoint at one address it may have.
    func peerMatches(_ peer: PeerMatch, remote: Endpoint, remoteAddress: AddressRange?) -> Bool {
        switch peer {
        case .pods(let m):
            guard case .pod(let r) = remote else { return false }
            return m.matches(r)
        case .addresses(let block):
            return addressIn(block, remote: remote, remoteAddress: remoteAddress)
        case .nodes:
            return false
        }
    }

    func ruleMatches(_ rule: CompiledRule, remote: Endpoint, remoteAddress: AddressRange?) -> Bool {
        rule.peers.isEmpty
            || rule.peers.contains { peerMatches($0.match, remote: remote, remoteAddress: remoteAddress) }
    }

    // MARK: Sides

    /// The rules of `subject`'s side that match `remote`, in evaluation order.
    func program(_ direction: Direction, subject: PodEndpoint, remote: Endpoint, remoteAddress: AddressRange?)
        -> SideProgram
    {
        var program = SideProgram()
        let destination: Endpoint = direction == .ingress ? .pod(subject) : remote
        func entries(_ tier: [CompiledPolicy]) -> [SideProgram.Entry] {
            tier.filter { $0.subject.matches(subject) }.flatMap { policy in
                policy.rules(direction).filter { ruleMatches($0, remote: remote, remoteAddress: remoteAddress) }.map {
                    SideProgram.Entry(
                        action: $0.action, conns: $0.ports.connections(destination: destination), ref: $0.source)
                }
            }
        }
        program.admin = entries(policies.admin)
        // A policy that does not isolate may still add rules (Cilium's enableDefaultDeny: false): every selecting
        // policy's rules count once any of them isolates.
        for policy in selecting(subject) {
            if policy.isolates(direction) { program.isolating.append(policy.source) }
            for rule in policy.rules(direction) where ruleMatches(rule, remote: remote, remoteAddress: remoteAddress) {
                program.npRules.append((rule.ports.connections(destination: destination), rule.source))
            }
        }
        if program.isolating.isEmpty { program.baseline = entries(policies.baseline) }
        return program
    }

    /// The NetworkPolicy-tier policies that select a pod.
    func selecting(_ subject: PodEndpoint) -> [CompiledPolicy] {
        guard let i = subject.declaredIndex else { return selection(of: subject) }
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let cached = selectingCache[i] { return cached }
        let found = selection(of: subject)
        selectingCache[i] = found
        return found
    }

    private func selection(of subject: PodEndpoint) -> [CompiledPolicy] {
        policies.networkPolicies(governing: subject.namespace).filter { $0.subject.matches(subject) }
    }

    /// Whether the NetworkPolicy tier isolates a declared pod in a direction (some policy selects it there).
    public func isIsolated(_ direction: Direction, workload i: Int) -> Bool {
        compiled(direction, endpoints[i], index: i).isolated
    }

    /// The NetworkPolicy-tier rules of one side of a declared pod.
    func compiled(_ direction: Direction, _ subject: PodEndpoint, index i: Int) -> CompiledSide {
        // Claims ask per pair: a side found before is read without building arrays.
        cacheLock.lock()
        let cached = compiledCache[direction]![i]
        cacheLock.unlock()
        return cached ?? compiled(direction, [(subject, i)], onEveryCore: false)[0]
    }

    /// The same for many declared pods (`index`: the pod's). The class matrix asks for every class at once: the rules
    /// are found on every core, and the caches are read and written under the lock once for all rather than per pod.
    /// Pods that the same policies select have equal sides, unless named ports resolve on their container ports: they
    /// share one side object, so that the matrix keys each side once.
    func compiled(
        _ direction: Direction, _ subjects: [(endpoint: PodEndpoint, index: Int)], onEveryCore: Bool = true
    ) -> [CompiledSide] {
        cacheLock.lock()
        let cached = subjects.map { compiledCache[direction]![$0.index] }
        let known = subjects.map { selectingCache[$0.index] }
        cacheLock.unlock()
        func build(_ k: Int) -> (selected: [CompiledPolicy], shape: SideShape, side: CompiledSide)? {
            guard cached[k] == nil else { return nil }
            let subject = subjects[k].endpoint
            let selected = known[k] ?? selection(of: subject)
            var isolated = false
            var named = false
            var rules: [CompiledSide.Rule] = []
            for policy in selected {
                isolated = isolated || policy.isolates(direction)
                for rule in policy.rules(direction) {
                    named = named || rule.ports.dependsOnDestination
                    let fixed: ConnSet? =
                        direction == .ingress || !rule.ports.dependsOnDestination
                        ? rule.ports.connections(destination: .pod(subject)) : nil
                    rules.append(.init(peers: rule.peers.map(\.match), conns: fixed, ports: rule.ports))
                }
            }
            // Only an ingress rule's named ports resolve on the pod itself (egress ones resolve on the destination).
            let shape = SideShape(
                direction: direction, policies: selected.map(ObjectIdentifier.init),
                ports: direction == .ingress && named ? subject.ports : [])
            return (selected, shape, CompiledSide(isolated: isolated, rules: rules))
        }
        let built = onEveryCore ? Array(subjects.indices).concurrentMap(build) : subjects.indices.map(build)
        cacheLock.lock()
        defer { cacheLock.unlock() }
        return subjects.indices.map { k in
            guard let found = built[k] else { return cached[k]! }
            let i = subjects[k].index
            selectingCache[i] = selectingCache[i] ?? found.selected
            // Another thread may have stored the pod's side or an equal one meanwhile: the first one stored is kept.
            let side = compiledCache[direction]![i] ?? sharedSides[found.shape] ?? found.side
            sharedSides[found.shape] = sharedSides[found.shape] ?? side
            compiledCache[direction]![i] = side
            return side
        }
    }

    /// Addresses a remote endpoint may have, as seen by ipBlocks; `family` keeps a pod's addresses of one family.
    func addresses(of e: Endpoint, family: IPFamily? = nil) -> [AddressRange?] {
        switch e {
        case .external(let r): return [r]
        case .pod(let p):
            guard !p.hostNetwork else { return [nil] }
            guard let family else { return podAddressRanges }
            return podAddressRanges.filter { $0?.family ?? family == family }
        }
    }

    /// The families a pod-to-pod answer is computed in apart (`splitsFamilies`); `[nil]`: all at once.
    var pairFamilies: [IPFamily?] { splitsFamilies ? assumptions.ipFamilies : [nil] }

    /// Connections `dst` admits from `src` (ingress side alone), over every address `src` may have (of `family`).
    public func ingress(to dst: PodEndpoint, from src: Endpoint, family: IPFamily? = nil) -> ConnSet {
        addresses(of: src, family: family).reduce(ConnSet.none) {
            $0.union(allowed(.ingress, subject: dst, remote: src, remoteAddress: $1))
        }
    }

    /// Connections `src` may open to `dst` (egress side alone), over every address `dst` may have (of `family`).
    public func egress(from src: PodEndpoint, to dst: Endpoint, family: IPFamily? = nil) -> ConnSet {
        addresses(of: dst, family: family).reduce(ConnSet.none) {
            $0.union(allowed(.egress, subject: src, remote: dst, remoteAddress: $1))
        }
    }

    /// What one side admits. Without ordered tiers this is the union of the matching NetworkPolicy-tier rules
    /// (everything when no policy isolates the side), computed without building the rule-by-rule program that
    /// explanations need: `map` and `check` ask it millions of times.
    func allowed(_ direction: Direction, subject: PodEndpoint, remote: Endpoint, remoteAddress: AddressRange?)
        -> ConnSet
    {
        guard !policies.hasOrderedTiers else {
            return program(direction, subject: subject, remote: remote, remoteAddress: remoteAddress).allowed
        }
        if let i = subject.declaredIndex {
            let side = compiled(direction, subject, index: i)
            guard side.isolated else { return .all }
            var out = ConnSet.none
            for rule in side.rules
            where rule.peers.isEmpty
                || rule.peers.contains(where: { peerMatches($0, remote: remote, remoteAddress: remoteAddress) })
            {
                out = out.union(rule.conns ?? rule.ports.connections(destination: remote))
                if out.isAll { return out }
            }
            return out
        }
        let destination: Endpoint = direction == .ingress ? .pod(subject) : remote
        var isolated = false
        var out = ConnSet.none
        for policy in selecting(subject) {
            isolated = isolated || policy.isolates(direction)
            for rule in policy.rules(direction) where ruleMatches(rule, remote: remote, remoteAddress: remoteAddress) {
                out = out.union(rule.ports.connections(destination: destination))
                // Everything admitted: the answer whether or not a policy isolates.
                if out.isAll { return out }
            }
        }
        return isolated ? out : .all
    }

    /// What the admin tier lets through to the NetworkPolicy tier on `subject`'s side towards `remote` (for some
    /// address it may have), and the first admin Deny rule that decided some of the rest.
    public func reachingNetworkPolicyTier(_ direction: Direction, subject: PodEndpoint, remote: Endpoint)
        -> (conns: ConnSet, firstDeny: RuleRef?)
    {
        addresses(of: remote).reduce((ConnSet.none, nil)) { out, address in
            let tier = program(direction, subject: subject, remote: remote, remoteAddress: address).toNetworkPolicyTier
            return (out.0.union(tier.conns), out.1 ?? tier.firstDeny)
        }
    }

    /// Whether a rule's peers admit a remote endpoint (for some address it may have).
    public func ruleAdmits(_ rule: CompiledRule, remote: Endpoint) -> Bool {
        rule.peers.isEmpty
            || addresses(of: remote).contains { ruleMatches(rule, remote: remote, remoteAddress: $0) }
    }

    /// The namespaces whose pods a pod's ingress side can admit at all; nil when that is not limited (not isolated,
    /// an ordered tier, an address peer or a rule without peers). Lets `check` skip whole namespaces of sources.
    public func ingressNamespaces(of d: PodEndpoint) -> Set<String>? {
        guard !policies.hasOrderedTiers else { return nil }
        var out = Set<String>()
        var isolated = false
        for policy in selecting(d) {
            isolated = isolated || policy.isolatesIngress
            for rule in policy.ingress {
                if rule.peers.isEmpty { return nil }
                for peer in rule.peers {
                    switch peer.match {
                    case .addresses: return nil
                    case .nodes: continue
                    case .pods(let m):
                        switch m.namespaces {
                        case .named(let name): out.insert(name)
                        case .selector(let s):
                            for ns in model.namespaces.values where s.matches(ns.labels) { out.insert(ns.name) }
                        }
                    }
                }
            }
        }
        return isolated ? out : nil
    }

    /// Connections from `src` to `dst` admitted by both sides. Egress depends only on the destination's address
    /// and ingress only on the source's, so "some placement admits" is the intersection of the two unions (in each
    /// family, when the families are told apart).
    public func connections(from src: Endpoint, to dst: Endpoint) -> ConnSet {
        switch (src, dst) {
        case (.pod(let s), .pod(let d)):
            return pairFamilies.reduce(ConnSet.none) { out, family in
                // Ingress first: destinations are isolated more often than sources, and an empty side settles it.
                let i = ingress(to: d, from: src, family: family)
                return i.isEmpty ? out : out.union(i.intersection(egress(from: s, to: dst, family: family)))
            }
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
        // Per family when the families are told apart: the first family both sides allow explains the flow.
        let explanations = pairFamilies.map { family -> FlowExplanation in
            var egressDecision: SideDecision?
            var ingressDecision: SideDecision?
            if case .pod(let s) = src {
                egressDecision = best(
                    addresses(of: dst, family: family).map {
                        program(.egress, subject: s, remote: dst, remoteAddress: $0).decide(
                            proto, port, direction: .egress)
                    })
            }
            if case .pod(let d) = dst {
                ingressDecision = best(
                    addresses(of: src, family: family).map {
                        program(.ingress, subject: d, remote: src, remoteAddress: $0).decide(
                            proto, port, direction: .ingress)
                    })
            }
            let allowed =
                (egressDecision?.effect ?? .allow) == .allow && (ingressDecision?.effect ?? .allow) == .allow
                && (src.pod != nil || dst.pod != nil)
            return FlowExplanation(allowed: allowed, egress: egressDecision, ingress: ingressDecision, note: nil)
        }
        return explanations.first(where: \.allowed) ?? explanations[0]
    }
}
