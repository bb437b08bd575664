import KubeModel
import SMT

/// Encodes the compiled policy tiers (admin, NetworkPolicy, baseline) as QF_BV constraints over symbolic
/// endpoints, following docs/SEMANTICS.md §9. An endpoint role is a declared workload, a
/// hypothetical pod (any labels, in a chosen namespace or a new one), or an external address. Label values
/// are encoded as codes over the constants selectors compare against, plus one code for "any other value",
/// which is exact because selectors only test equality with constants.
public final class Encoder {
    public let z: Z3Context
    public let evaluator: Evaluator
    var model: ClusterModel { evaluator.model }
    var assumptions: Assumptions { evaluator.assumptions }

    /// Constants per pod label key, and per namespace label key.
    let podValues: [String: [String]]
    let nsValues: [String: [String]]
    /// Declared namespaces; code `namespaces.count` is a new namespace.
    public let namespaces: [String]
    /// Named ports any policy refers to.
    let portNames: [String]
    public let kindWidth = 2, nsWidth: Int, workloadWidth: Int
    /// The cluster's IP families. A role has an address in each (a dual-stack pod has both); the flow's family
    /// (`Flow.isIPv6`) says which one its addresses are.
    let families: [IPFamily]

    public static let declared: UInt64 = 0, hypothetical: UInt64 = 1, external: UInt64 = 2

    /// - Parameter extraSelectors: selectors used by the question (claims, queries), whose constants must be
    ///   representable too.
    public init(
        evaluator: Evaluator, context: Z3Context = Z3Context(), extraPodSelectors: [LabelSelector] = [],
        extraNamespaceSelectors: [LabelSelector] = []
    ) {
        self.z = context
        self.evaluator = evaluator
        var pods: [String: Set<String>] = [:]
        var nss: [String: Set<String>] = [:]
        var names = Set<String>()
        func add(_ s: LabelSelector, _ into: inout [String: Set<String>]) {
            for r in s.requirements { into[r.key, default: []].formUnion(r.values) }
        }
        let model = evaluator.model
        let policies = evaluator.policies
        for m in policies.podMatches {
            if case .selector(let n) = m.namespaces { add(n, &nss) }
            add(m.pods, &pods)
        }
        names.formUnion(policies.namedPorts)
        for s in extraPodSelectors { add(s, &pods) }
        for s in extraNamespaceSelectors { add(s, &nss) }
        podValues = pods.mapValues { $0.sorted() }
        nsValues = nss.mapValues { $0.sorted() }
        portNames = names.sorted()
        namespaces = model.namespaces.keys.sorted()
        nsWidth = Encoder.bits(namespaces.count + 1)
        workloadWidth = Encoder.bits(max(1, model.workloads.count))
        families = evaluator.assumptions.ipFamilies
    }

    static func bits(_ n: Int) -> Int {
        var w = 1
        while (1 << w) < n { w += 1 }
        return w
    }

    /// Symbolic variables of one endpoint.
    public final class Role {
        public let name: String
        public let kind: Expr, workload: Expr, ns: Expr, hostNetwork: Expr
        /// The role's address in each family in use.
        public let ip: [IPFamily: Expr]
        var has: [String: Expr] = [:], val: [String: Expr] = [:]
        /// Labels of a new namespace (free).
        var freshHas: [String: Expr] = [:], freshVal: [String: Expr] = [:]
        var portHas: [String: Expr] = [:], portNum: [String: Expr] = [:]

        init(_ e: Encoder, _ name: String) {
            self.name = name
            let z = e.z
            kind = z.bvConst("\(name).kind", width: e.kindWidth)
            workload = z.bvConst("\(name).wl", width: e.workloadWidth)
            ns = z.bvConst("\(name).ns", width: e.nsWidth)
            ip = Dictionary(
                uniqueKeysWithValues: e.families.map { ($0, z.bvConst("\(name).ip[\($0.rawValue)]", width: $0.bits)) })
            hostNetwork = z.boolConst("\(name).hostNetwork")
            for (k, vs) in e.podValues.sorted(by: { $0.key < $1.key }) {
                has[k] = z.boolConst("\(name).has[\(k)]")
                val[k] = z.bvConst("\(name).val[\(k)]", width: Encoder.bits(vs.count + 1))
            }
            for (k, vs) in e.nsValues.sorted(by: { $0.key < $1.key }) {
                freshHas[k] = z.boolConst("\(name).nsHas[\(k)]")
                freshVal[k] = z.bvConst("\(name).nsVal[\(k)]", width: Encoder.bits(vs.count + 1))
            }
            for n in e.portNames {
                for p in L4Protocol.allCases {
                    portHas["\(n)/\(p.rawValue)"] = z.boolConst("\(name).port[\(n)/\(p.rawValue)]")
                    portNum["\(n)/\(p.rawValue)"] = z.bvConst("\(name).portNum[\(n)/\(p.rawValue)]", width: 16)
                }
            }
        }
    }

    /// The protocol, destination port and IP family of a flow.
    public struct Flow {
        public let proto: Expr
        public let port: Expr
        /// The flow's addresses are IPv6 (a constant in a single-stack cluster).
        public let isIPv6: Expr
    }

    public func makeRole(_ name: String) -> Role { Role(self, name) }
    public func makeFlow() -> Flow {
        let isIPv6 = families.count > 1 ? z.boolConst("flow.ipv6") : z.bool(families == [.ipv6])
        return Flow(proto: z.bvConst("proto", width: 2), port: z.bvConst("port", width: 16), isIPv6: isIPv6)
    }

    /// The flow is of the family.
    public func isFamily(_ f: Flow, _ family: IPFamily) -> Expr {
        guard families.contains(family) else { return z.falseExpr }
        return family == .ipv6 ? f.isIPv6 : !f.isIPv6
    }

    /// `e` holds in every family the cluster uses (the flow's family fixed to each in turn): a flow that must be
    /// denied is denied whichever family the client connects with.
    public func inEveryFamily(_ e: Expr, _ f: Flow) -> Expr {
        guard families.count > 1 else { return e }
        return z.and(families.map { z.substitute(e, f.isIPv6, z.bool($0 == .ipv6)) })
    }

    public static func code(_ p: FlowProtocol) -> UInt64 {
        switch p {
        case .tcp: return 0
        case .udp: return 1
        case .sctp: return 2
        case .other: return 3
        }
    }

    public func isKind(_ r: Role, _ k: UInt64) -> Expr { r.kind == z.bv(k, width: kindWidth) }
    func isPod(_ r: Role) -> Expr { z.or([isKind(r, Encoder.declared), isKind(r, Encoder.hypothetical)]) }
    /// The role's namespace is `name`: a declared one, or else the new namespace under that name.
    public func nsIs(_ r: Role, _ name: String) -> Expr {
        if let i = namespaces.firstIndex(of: name) { return r.ns == z.bv(UInt64(i), width: nsWidth) }
        var facts = [r.ns == z.bv(freshNamespaceCode, width: nsWidth)]
        if let names = nsValues[Self.nameLabel], let value = r.freshVal[Self.nameLabel] {
            facts.append(value == z.bv(code(name, in: names), width: Encoder.bits(names.count + 1)))
        }
        return z.and(facts)
    }
    static let nameLabel = "kubernetes.io/metadata.name"
    var freshNamespaceCode: UInt64 { UInt64(namespaces.count) }

    func code(_ value: String, in values: [String]) -> UInt64 { UInt64(values.firstIndex(of: value) ?? values.count) }

    /// The role's address of the flow's family lies in the range.
    public func hasAddress(_ r: Role, in range: AddressRange, _ f: Flow) -> Expr {
        guard let ip = r.ip[range.family] else { return z.falseExpr }
        let bits = range.family.bits
        return z.and([
            isFamily(f, range.family), z.ule(z.bv(wide: range.first.value, width: bits), ip),
            z.ule(ip, z.bv(wide: range.last.value, width: bits)),
        ])
    }

    /// The role's address of the CIDR's family lies in it (whatever the flow's family).
    func inCIDR(_ r: Role, _ c: CIDR) -> Expr {
        guard let ip = r.ip[c.family] else { return z.falseExpr }
        guard c.prefix > 0 else { return z.trueExpr }
        let hostBits = c.family.bits - c.prefix
        return z.extract(ip, high: c.family.bits - 1, low: hostBits)
            == z.bv(wide: c.base >> UInt128(hostBits), width: c.prefix)
    }

    /// The flow is of the CIDR's family and the role's address lies in it.
    func hasAddress(_ r: Role, in c: CIDR, _ f: Flow) -> Expr { z.and([isFamily(f, c.family), inCIDR(r, c)]) }

    // MARK: Domains

    /// Constraints that hold for every role: well-formed codes, and what a declared workload's variables are.
    /// `workloads` limits the declared workloads the role may be (all when nil).
    public func wellFormed(_ r: Role, workloads: [Int]? = nil) -> Expr {
        var out: [Expr] = [z.ule(r.kind, z.bv(Encoder.external, width: kindWidth))]
        for (k, vs) in podValues.sorted(by: { $0.key < $1.key }) {
            out.append(z.ule(r.val[k]!, z.bv(UInt64(vs.count), width: Encoder.bits(vs.count + 1))))
        }
        for (k, vs) in nsValues.sorted(by: { $0.key < $1.key }) {
            out.append(z.ule(r.freshVal[k]!, z.bv(UInt64(vs.count), width: Encoder.bits(vs.count + 1))))
        }
        // A new namespace still has its name label, with a name no declared namespace has: a name a selector
        // mentions (a policy may trust a namespace nobody has created yet) or any other.
        if let names = nsValues[Self.nameLabel] {
            out.append(r.freshHas[Self.nameLabel]!)
            for (i, name) in names.enumerated() where model.namespaces[name] != nil {
                out.append(!(r.freshVal[Self.nameLabel]! == z.bv(UInt64(i), width: Encoder.bits(names.count + 1))))
            }
        }
        out.append(z.ule(r.ns, z.bv(freshNamespaceCode, width: nsWidth)))
        // Addresses: a pod's lie in the pod network of each family, an external endpoint's outside the pod and Service
        // networks.
        for pods in assumptions.podCIDRs { out.append(z.implies(isPod(r), inCIDR(r, pods))) }
        for inside in assumptions.podCIDRs + assumptions.serviceCIDRs where families.contains(inside.family) {
            out.append(z.implies(isKind(r, Encoder.external), !inCIDR(r, inside)))
        }
        out.append(z.implies(!isKind(r, Encoder.declared), !r.hostNetwork))
        let indices = workloads ?? Array(evaluator.endpoints.indices)
        var alternatives: [Expr] = []
        for i in indices {
            let e = evaluator.endpoints[i]
            var facts: [Expr] = [nsIs(r, e.namespace), z.bool(e.hostNetwork) == r.hostNetwork]
            for (k, vs) in podValues.sorted(by: { $0.key < $1.key }) {
                if let v = e.labels[k] {
                    facts.append(r.has[k]!)
                    facts.append(r.val[k]! == z.bv(code(v, in: vs), width: Encoder.bits(vs.count + 1)))
                } else {
                    facts.append(!r.has[k]!)
                    facts.append(r.val[k]! == z.bv(0, width: Encoder.bits(vs.count + 1)))
                }
            }
            for n in portNames {
                for p in L4Protocol.allCases {
                    let key = "\(n)/\(p.rawValue)"
                    if let number = e.port(named: n, proto: p) {
                        facts.append(r.portHas[key]!)
                        facts.append(r.portNum[key]! == z.bv(UInt64(number), width: 16))
                    } else {
                        facts.append(!r.portHas[key]!)
                    }
                }
            }
            alternatives.append(z.and([r.workload == z.bv(UInt64(i), width: workloadWidth)] + facts))
        }
        out.append(z.implies(isKind(r, Encoder.declared), z.or(alternatives)))
        return z.and(out)
    }

    /// The role is one of the given declared workloads.
    public func isWorkload(_ r: Role, _ indices: [Int]) -> Expr {
        z.and([isKind(r, Encoder.declared), z.or(indices.map { r.workload == z.bv(UInt64($0), width: workloadWidth) })])
    }

    /// The role is a pod anyone could create: in one of `namespaces` (declared names), or also in a new namespace.
    public func isHypothetical(_ r: Role, namespaces names: [String], orNew: Bool) -> Expr {
        var options = names.map { nsIs(r, $0) }
        if orNew { options.append(r.ns == z.bv(freshNamespaceCode, width: nsWidth)) }
        return z.and([isKind(r, Encoder.hypothetical), z.or(options)])
    }

    /// The role is an external address inside one of the CIDRs (the flow then of that CIDR's family).
    public func isExternal(_ r: Role, in cidrs: [CIDR], _ f: Flow) -> Expr {
        z.and([isKind(r, Encoder.external), z.or(cidrs.map { hasAddress(r, in: $0, f) })])
    }

    // MARK: Selectors

    func podLabel(_ r: Role, _ req: LabelRequirement) -> Expr {
        guard let has = r.has[req.key], let val = r.val[req.key], let vs = podValues[req.key] else {
            // A key no vocabulary knows: only declared constants could matter, and there are none.
            return z.bool(req.op == .notIn || req.op == .doesNotExist)
        }
        let w = Encoder.bits(vs.count + 1)
        let anyOf = z.or(req.values.map { val == z.bv(code($0, in: vs), width: w) })
        switch req.op {
        case .in: return z.and([has, anyOf])
        case .notIn: return z.or([!has, !anyOf])
        case .exists: return has
        case .doesNotExist: return !has
        }
    }

    public func podSelector(_ s: LabelSelector, _ r: Role) -> Expr { z.and(s.requirements.map { podLabel(r, $0) }) }

    func nsLabel(_ r: Role, _ req: LabelRequirement) -> Expr {
        // Declared namespaces: a table over the namespace code; a new namespace: free variables.
        var declaredCases: [Expr] = []
        for (i, name) in namespaces.enumerated() {
            if req.matches(model.namespaces[name]!.labels) {
                declaredCases.append(r.ns == z.bv(UInt64(i), width: nsWidth))
            }
        }
        var fresh: Expr
        if let has = r.freshHas[req.key], let val = r.freshVal[req.key], let vs = nsValues[req.key] {
            let w = Encoder.bits(vs.count + 1)
            let anyOf = z.or(req.values.map { val == z.bv(code($0, in: vs), width: w) })
            switch req.op {
            case .in: fresh = z.and([has, anyOf])
            case .notIn: fresh = z.or([!has, !anyOf])
            case .exists: fresh = has
            case .doesNotExist: fresh = !has
            }
        } else {
            fresh = z.bool(req.op == .notIn || req.op == .doesNotExist)
        }
        declaredCases.append(z.and([r.ns == z.bv(freshNamespaceCode, width: nsWidth), fresh]))
        return z.or(declaredCases)
    }

    public func namespaceSelector(_ s: LabelSelector, _ r: Role) -> Expr {
        z.and(s.requirements.map { nsLabel(r, $0) })
    }

    // MARK: Policy semantics

    func selectable(_ r: Role) -> Expr { z.and([isPod(r), !r.hostNetwork]) }

    func addresses(_ block: AddressBlock, _ r: Role, _ f: Flow) -> Expr {
        let inside = z.and([hasAddress(r, in: block.cidr, f)] + block.except.map { !inCIDR(r, $0) })
        let who =
            assumptions.ipBlockMatchesPods && !block.externalOnly
            ? z.or([isKind(r, Encoder.external), selectable(r)]) : isKind(r, Encoder.external)
        return z.and([who, inside])
    }

    func podMatch(_ m: PodMatch, _ r: Role) -> Expr {
        let namespaces: Expr
        switch m.namespaces {
        case .named(let name): namespaces = nsIs(r, name)
        case .selector(let s): namespaces = namespaceSelector(s, r)
        }
        return z.and([selectable(r), namespaces, podSelector(m.pods, r)])
    }

    func peer(_ p: PeerMatch, _ r: Role, _ f: Flow) -> Expr {
        switch p {
        case .pods(let m): return podMatch(m, r)
        case .addresses(let block): return addresses(block, r, f)
        case .nodes: return z.falseExpr
        }
    }

    func peers(_ rule: CompiledRule, _ r: Role, _ f: Flow) -> Expr {
        rule.peers.isEmpty ? z.trueExpr : z.or(rule.peers.map { peer($0.match, r, f) })
    }

    /// The flow is in a rule's port list (nil: every connection); named ports resolve on the destination.
    func ports(_ ports: [PortMatch]?, destination d: Role, _ f: Flow) -> Expr {
        guard let ports else { return z.trueExpr }
        func proto(_ p: L4Protocol) -> Expr { f.proto == z.bv(Encoder.code(FlowProtocol(p)), width: 2) }
        return z.or(
            ports.map { p in
                switch p {
                case .allPorts(let p): return proto(p)
                case .portlessProtocols: return f.proto == z.bv(Encoder.code(.other), width: 2)
                case .range(let p, let r):
                    return z.and([proto(p), z.inRange(f.port, UInt64(r.lowerBound), UInt64(r.upperBound), width: 16)])
                case .named(let name, let protocols):
                    return z.or(
                        protocols.map { p in
                            let key = "\(name)/\(p.rawValue)"
                            return z.and([proto(p), isPod(d), d.portHas[key]!, f.port == d.portNum[key]!])
                        })
                }
            })
    }

    /// Whether `subject`'s side (its ingress from `remote`, or its egress to `remote`) admits the flow: the admin
    /// tier's rules in order, then the NetworkPolicy tier if it isolates the subject, else the baseline's rules.
    /// `namespaces` slices the NetworkPolicy tier: only policies of those namespaces are encoded, which is sound when
    /// the subject is constrained to them or to a new namespace (which holds no policy); nil encodes every policy.
    public func side(
        _ direction: Direction, subject x: Role, remote: Role, _ f: Flow, namespaces: Set<String>? = nil
    ) -> Expr {
        let destination = direction == .ingress ? x : remote
        func matches(_ policy: CompiledPolicy, _ rule: CompiledRule) -> Expr {
            z.and([podMatch(policy.subject, x), peers(rule, remote, f), ports(rule.ports, destination: destination, f)])
        }
        /// Ordered rules in front of `next`: the first match decides, Pass hands the flow to `passTo`.
        func ordered(_ tier: [CompiledPolicy], then next: Expr, passTo: Expr) -> Expr {
            var chain = next
            for policy in tier.reversed() {
                for rule in policy.rules(direction).reversed() {
                    let outcome: Expr
                    switch rule.action {
                    case .allow: outcome = z.trueExpr
                    case .deny: outcome = z.falseExpr
                    case .pass: outcome = passTo
                    }
                    chain = z.ite(matches(policy, rule), outcome, chain)
                }
            }
            return chain
        }
        var isolating: [Expr] = []
        var admitted: [Expr] = []
        for policy in evaluator.policies.networkPolicies {
            if let namespaces, case .named(let ns) = policy.subject.namespaces, !namespaces.contains(ns) { continue }
            // Every selecting policy's rules count once one of them isolates (Cilium's enableDefaultDeny: false).
            if policy.isolates(direction) { isolating.append(podMatch(policy.subject, x)) }
            admitted += policy.rules(direction).map { matches(policy, $0) }
        }
        let baseline = ordered(evaluator.policies.baseline, then: z.trueExpr, passTo: z.trueExpr)
        let networkPolicyTier = z.ite(z.or(isolating), z.or(admitted), baseline)
        return ordered(evaluator.policies.admin, then: networkPolicyTier, passTo: networkPolicyTier)
    }

    /// The flow from `src` to `dst` is admitted by the source's egress (if a pod) and the destination's ingress (if a
    /// pod). The namespace sets slice each side's NetworkPolicies (`side`).
    public func admitted(
        from src: Role, to dst: Role, _ f: Flow, sourceNamespaces: Set<String>? = nil,
        destinationNamespaces: Set<String>? = nil
    ) -> Expr {
        z.and([
            z.or([isPod(src), isPod(dst)]),
            z.implies(isPod(src), side(.egress, subject: src, remote: dst, f, namespaces: sourceNamespaces)),
            z.implies(isPod(dst), side(.ingress, subject: dst, remote: src, f, namespaces: destinationNamespaces)),
            // A real flow has a protocol and, for port protocols, a port.
            z.or([f.proto == z.bv(3, width: 2), z.ugt(f.port, z.bv(0, width: 16))]),
        ])
    }

    /// The flow lies in a connection set.
    public func inConns(_ c: ConnSet, _ f: Flow) -> Expr {
        var options: [Expr] = []
        for p in L4Protocol.allCases {
            let protoIs = f.proto == z.bv(Encoder.code(FlowProtocol(p)), width: 2)
            options.append(
                z.and([
                    protoIs,
                    z.or(
                        c[p].ranges.map { z.inRange(f.port, UInt64($0.lowerBound), UInt64($0.upperBound), width: 16) }),
                ]))
        }
        if c.other { options.append(f.proto == z.bv(3, width: 2)) }
        return z.or(options)
    }

    // MARK: Decoding

    /// The concrete endpoint a model assigns to a role.
    public func decode(_ r: Role, _ m: Model, flow: Flow) -> Endpoint {
        let kind = m.uint(r.kind) ?? Encoder.external
        if kind == Encoder.declared, let i = m.uint(r.workload), Int(i) < evaluator.endpoints.count {
            return .pod(evaluator.endpoints[Int(i)])
        }
        if kind == Encoder.external {
            let family = families.first { m.bool(isFamily(flow, $0)) == true } ?? families[0]
            return .external(
                AddressRange(IPAddress(family: family, value: r.ip[family].flatMap { m.uint128($0) } ?? 0)))
        }
        let nsCode = Int(m.uint(r.ns) ?? 0)
        let namespace: String
        var nsLabels: [String: String]
        if nsCode < namespaces.count {
            namespace = namespaces[nsCode]
            nsLabels = model.namespaces[namespace]!.labels
        } else {
            let names = nsValues[Self.nameLabel] ?? []
            let nameCode = r.freshVal[Self.nameLabel].flatMap { m.uint($0) }.map(Int.init) ?? names.count
            namespace =
                nameCode < names.count
                ? names[nameCode] : Encoder.unusedValue(avoiding: names + namespaces, base: "new-namespace")
            nsLabels = [Self.nameLabel: namespace]
            for (k, vs) in nsValues.sorted(by: { $0.key < $1.key }) where k != Self.nameLabel {
                if m.bool(r.freshHas[k]!) == true {
                    let c = Int(m.uint(r.freshVal[k]!) ?? 0)
                    nsLabels[k] = c < vs.count ? vs[c] : Encoder.unusedValue(avoiding: vs, base: "other")
                }
            }
        }
        var labels: [String: String] = [:]
        for (k, vs) in podValues.sorted(by: { $0.key < $1.key }) where m.bool(r.has[k]!) == true {
            let c = Int(m.uint(r.val[k]!) ?? 0)
            labels[k] = c < vs.count ? vs[c] : Encoder.unusedValue(avoiding: vs, base: "other")
        }
        var ports: [ContainerPort] = []
        for n in portNames {
            for p in L4Protocol.allCases where m.bool(r.portHas["\(n)/\(p.rawValue)"]!) == true {
                ports.append(
                    ContainerPort(name: n, number: Int(m.uint(r.portNum["\(n)/\(p.rawValue)"]!) ?? 0), proto: p))
            }
        }
        return .pod(
            PodEndpoint(
                namespace: namespace, namespaceLabels: nsLabels, labels: labels, ports: ports,
                inNewNamespace: nsCode >= namespaces.count))
    }

    static func unusedValue(avoiding values: [String], base: String) -> String {
        var candidate = base
        var i = 1
        while values.contains(candidate) {
            i += 1
            candidate = "\(base)-\(i)"
        }
        return candidate
    }

    public func decodeFlow(_ f: Flow, _ m: Model) -> (FlowProtocol, Int) {
        let p: FlowProtocol
        switch m.uint(f.proto) ?? 0 {
        case 0: p = .tcp
        case 1: p = .udp
        case 2: p = .sctp
        default: p = .other
        }
        return (p, Int(m.uint(f.port) ?? 0))
    }
}
