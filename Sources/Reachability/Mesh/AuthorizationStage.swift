import KubeModel

/// Where the server's proxy sees a connection come from, for `ipBlocks` and `source.ip`.
enum PeerAddress {
    /// A pod: some address of the pod network, which one the input does not say.
    case pod
    /// An external client, inside one range every policy treats alike.
    case range(AddressRange)
}

/// What an AuthorizationPolicy can see of one connection or request.
struct AuthorizationInput {
    /// The client's namespace and service account, known only over Istio mutual TLS.
    let peer: (namespace: String, serviceAccount: String)?
    let address: PeerAddress
    /// The destination (container) port.
    let port: Int
    /// The port's protocol is HTTP: methods, paths and hosts exist; on TCP they follow §7.8.
    let isHTTP: Bool
    let request: HTTPRequest
}

/// AuthorizationPolicy on the server's proxy (docs/SEMANTICS.md §7.5–7.8): CUSTOM, then DENY, then ALLOW.
struct AuthorizationStage {
    let policies: [AuthorizationPolicy]
    let rootNamespace: String
    /// The families pods have addresses in, and the pod network of each where known.
    let ipFamilies: [IPFamily]
    let podCIDRs: [CIDR]
    /// How an external authorizer (CUSTOM) answers: nil (conformance) leaves the verdict UNKNOWN.
    let customAllows: Bool?
    /// The input holds RequestAuthentications: a request may carry a validated JWT, so request principals and
    /// `request.auth.*` are whatever its token says (UNKNOWN); without one they are empty.
    let tokensValidated: Bool
    let trustDomain = "cluster.local"
    /// Per policy (`namespace/name`), its rules indexed by the exact principals they require.
    private let rulesByPeer: [String: PeerRuleIndex]

    init(
        policies: [AuthorizationPolicy], rootNamespace: String, ipFamilies: [IPFamily], podCIDRs: [CIDR],
        customAllows: Bool?, tokensValidated: Bool
    ) {
        self.policies = policies
        self.rootNamespace = rootNamespace
        self.ipFamilies = ipFamilies
        self.podCIDRs = podCIDRs
        self.customAllows = customAllows
        self.tokensValidated = tokensValidated
        var index: [String: PeerRuleIndex] = [:]
        for p in policies { index["\(p.namespace)/\(p.name)"] = PeerRuleIndex(p.rules) }
        rulesByPeer = index
    }

    /// Policies in force for a workload: mesh-wide (root namespace, no selector), namespace-wide, or selecting its
    /// labels from its namespace or the root namespace. `targetRef` policies bind gateways, not sidecars.
    func applicable(namespace: String, labels: [String: String]) -> [AuthorizationPolicy] {
        policies.filter { p in
            guard !p.hasTargetRef, p.namespace == namespace || p.namespace == rootNamespace else { return false }
            guard let selector = p.selector else { return true }
            return selector.allSatisfy { labels[$0.key] == $0.value }
        }
    }

    /// The decision of the policies in force (`applicable`) for one connection or request.
    func decide(_ inForce: [AuthorizationPolicy], _ input: AuthorizationInput) -> MeshStep {
        var undecided: [String] = []
        let principal = input.peer.map { "\(trustDomain)/ns/\($0.namespace)/sa/\($0.serviceAccount)" }
        func firstMatch(_ action: AuthorizationPolicy.Action) -> (text: String, rule: RuleRef)? {
            for p in inForce where p.action == action {
                let candidates =
                    rulesByPeer["\(p.namespace)/\(p.name)"]?.candidates(
                        principal: principal, namespace: input.peer?.namespace)
                    ?? Array(p.rules.indices)
                for rule in candidates.lazy.map({ p.rules[$0] }) {
                    switch matches(rule, action: action, input, principal: principal) {
                    case .yes:
                        return (
                            ref("AuthorizationPolicy", p.namespace, p.name, rule.path, p.location),
                            ruleRef("AuthorizationPolicy", p.namespace, p.name, rule.path, rule.location)
                        )
                    case .no: continue
                    case .unknown(let why):
                        undecided.append(
                            "\(ref("AuthorizationPolicy", p.namespace, p.name, rule.path, p.location)): \(why)")
                    }
                }
            }
            return nil
        }
        if let hit = firstMatch(.custom) {
            switch customAllows {
            case true?: break
            case false?:
                return MeshStep(
                    "AUTHZ-CUSTOM", .deny,
                    "\(hit.text) sends the request to an external authorizer, bound to deny (A-CUSTOM-AUTHZ)",
                    evidence: hit.rule)
            case nil:
                return MeshStep(
                    "AUTHZ-CUSTOM", .unknown,
                    "\(hit.text) sends the request to an external authorizer whose answer is outside the manifests (A-CUSTOM-AUTHZ)",
                    evidence: hit.rule)
            }
        }
        if let hit = firstMatch(.deny) { return MeshStep("AUTHZ-DENY", .deny, hit.text, evidence: hit.rule) }
        // A DENY rule the input cannot settle matters only if the ALLOW policies would admit the request.
        let denyUndecided = undecided.first
        undecided = []
        let allowStep: MeshStep
        let allows = inForce.filter { $0.action == .allow }
        if allows.isEmpty {
            allowStep = MeshStep(
                "AUTHZ-ALLOW", .allow,
                inForce.isEmpty ? "(default: no AuthorizationPolicy applies)" : "(default: no ALLOW policy applies)")
        } else if let hit = firstMatch(.allow) {
            allowStep = MeshStep("AUTHZ-ALLOW", .allow, hit.text, evidence: hit.rule)
        } else if let why = undecided.first {
            allowStep = MeshStep("AUTHZ-ALLOW", .unknown, why)
        } else {
            let considered = allows.map { ref("AuthorizationPolicy", $0.namespace, $0.name, "", $0.location) }.joined(
                separator: ", ")
            allowStep = MeshStep("AUTHZ-ALLOW", .deny, "no ALLOW policy matched (considered: \(considered))")
        }
        if let why = denyUndecided, allowStep.effect != .deny { return MeshStep("AUTHZ-DENY", .unknown, why) }
        return allowStep
    }

    /// Whether a rule matches. On a TCP port an ALLOW rule with an HTTP-only field never matches, while other
    /// actions ignore those fields (Istio's rule generator, §7.8).
    /// `principal` is the client's, `trustDomain/ns/NS/sa/SA`, when mutual TLS names it.
    func matches(
        _ rule: AuthorizationPolicy.Rule, action: AuthorizationPolicy.Action, _ input: AuthorizationInput,
        principal: String?
    ) -> Tri {
        if !input.isHTTP && action == .allow && rule.usesHTTPOnlyFields { return .no }
        let http = input.isHTTP
        let from: Tri =
            rule.from.map { sources in
                .any(
                    sources.map { s in
                        .all([
                            values(s.principals) { .init(istioStringMatches($0, principal)) },
                            values(s.namespaces) { .init(istioStringMatches($0, input.peer?.namespace)) },
                            addresses(s.ipBlocks, input.address),
                            addresses(s.remoteIpBlocks, input.address),
                            http ? values(s.requestPrincipals) { _ in tokenAttribute } : .yes,
                        ])
                    })
            } ?? .yes
        let to: Tri =
            rule.to.map { operations in
                .any(
                    operations.map { o in
                        .all([
                            values(o.ports) { .init($0 == String(input.port)) },
                            http
                                ? values(o.hosts) {
                                    .init(istioStringMatches($0, input.request.host, caseInsensitive: true))
                                } : .yes,
                            http ? values(o.methods) { .init(istioStringMatches($0, input.request.method)) } : .yes,
                            http ? values(o.paths) { .init(istioStringMatches($0, input.request.path)) } : .yes,
                        ])
                    })
            } ?? .yes
        let when = Tri.all(rule.when.map { condition(($0), input, principal: principal) })
        return .all([from, to, when])
    }

    var tokenAttribute: Tri {
        tokensValidated ? .unknown("depends on the JWT a request carries (RequestAuthentication in the input)") : .no
    }

    /// A field with its `not` form: some listed value matches, and no `not` value does.
    func values(_ v: AuthorizationPolicy.Values, _ match: (String) -> Tri) -> Tri {
        var parts: [Tri] = []
        if let positive = v.values { parts.append(.any(positive.map(match))) }
        if let negative = v.notValues { parts.append(Tri.any(negative.map(match)).negated) }
        return .all(parts)
    }

    func condition(_ c: AuthorizationPolicy.Condition, _ input: AuthorizationInput, principal: String?) -> Tri {
        switch c.key {
        case "source.ip", "remote.ip": return addresses(c.values, input.address)
        case "source.namespace": return values(c.values) { .init(istioStringMatches($0, input.peer?.namespace)) }
        case "source.principal": return values(c.values) { .init(istioStringMatches($0, principal)) }
        case "destination.port": return values(c.values) { .init($0 == String(input.port)) }
        case "connection.sni":
            return input.peer == nil
                ? values(c.values) { _ in .no } : .unknown("condition connection.sni depends on the TLS handshake")
        default:
            if AuthorizationPolicy.isHTTPOnlyKey(c.key) {
                if !input.isHTTP { return .yes }
                // Without a RequestAuthentication-validated token the request.auth attributes are empty.
                if c.key.hasPrefix("request.auth.") { return values(c.values) { _ in tokenAttribute } }
            }
            return .unknown("condition \(c.key) is not decided by the manifests")
        }
    }

    /// Whether the client's address is in a list of addresses and CIDRs. A pod client has an address in each family
    /// and connects with one: the list must answer alike in every family for the verdict not to depend on it.
    func addresses(_ list: AuthorizationPolicy.Values, _ peer: PeerAddress) -> Tri {
        switch peer {
        case .range(let r): return values(list) { address($0, r) }
        case .pod:
            let answers = ipFamilies.map { family in values(list) { podAddress($0, family) } }
            if answers.allSatisfy({ $0 == .yes }) { return .yes }
            if answers.allSatisfy({ $0 == .no }) { return .no }
            if let unknown = answers.first(where: { if case .unknown = $0 { return true } else { return false } }) {
                return unknown
            }
            return .unknown(
                "the client pod's IPv4 and IPv6 addresses answer differently; which IP family the connection uses is "
                    + "not in the input (A-IP-FAMILIES)")
        }
    }

    func address(_ text: String, _ r: AddressRange) -> Tri {
        guard case .success(let block) = CIDR.parse(addressOrCIDR: text) else {
            return .unknown("'\(text)' is not an IP address or CIDR")
        }
        if r.isInside(block) { return .yes }
        return r.overlaps(block) ? .unknown("\(block) covers part of the client range \(r)") : .no
    }

    /// Whether a pod's address of `family` is in the block.
    func podAddress(_ text: String, _ family: IPFamily) -> Tri {
        guard case .success(let block) = CIDR.parse(addressOrCIDR: text) else {
            return .unknown("'\(text)' is not an IP address or CIDR")
        }
        guard block.family == family else { return .no }
        guard let pod = podCIDRs.first(where: { $0.family == family }) else {
            return block.prefix == 0
                ? .yes : .unknown("pod \(family.rawValue) addresses are unknown (no pod CIDR of that family)")
        }
        if block.contains(pod) { return .yes }
        if !pod.contains(block) { return .no }
        return .unknown(
            "\(block) covers part of the pod network \(pod); which pod address the client has is not in the input")
    }
}

/// One policy's rules by the principals they require, so that a client is checked against the rules that can name
/// it rather than against all of them: with one rule per service account, deciding every client would otherwise
/// take time quadratic in the rules.
private struct PeerRuleIndex {
    /// What a source requires of the client's peer identity (its principal or namespace): an exact value, or Istio's
    /// prefix (`value*`) or suffix (`*value`) pattern.
    private enum Key: Hashable {
        case exact(Identity, String)
        case prefix(Identity, String)
        case suffix(Identity, String)
    }
    private enum Identity: Hashable { case principal, namespace }
    /// Rules whose every source names the client's identity by values or patterns: by each.
    private let byKey: [Key: [Int]]
    /// Rules that may match whatever the client's identity (no `from`, a source that names no identity, or the
    /// presence pattern `*`).
    private let anyPeer: [Int]
    /// Whether any rule is indexed by a pattern (otherwise lookups skip the prefixes and suffixes of a name).
    private let patterns: Bool

    init(_ rules: [AuthorizationPolicy.Rule]) {
        // Positive values only: a client whose identity matches none of them cannot satisfy the source, and none
        // without an identity can.
        func keys(_ v: AuthorizationPolicy.Values, _ identity: Identity) -> [Key]? {
            guard let values = v.values, !values.isEmpty else { return nil }
            var out: [Key] = []
            for value in values {
                if value == "*" { return nil }
                if value.hasSuffix("*") {
                    out.append(.prefix(identity, String(value.dropLast())))
                } else if value.hasPrefix("*") {
                    out.append(.suffix(identity, String(value.dropFirst())))
                } else {
                    out.append(.exact(identity, value))
                }
            }
            return out
        }
        var byKey: [Key: [Int]] = [:]
        var anyPeer: [Int] = []
        var patterns = false
        for (i, rule) in rules.enumerated() {
            let sourceKeys = rule.from?.map { keys($0.principals, .principal) ?? keys($0.namespaces, .namespace) }
            guard let sourceKeys, !sourceKeys.isEmpty, sourceKeys.allSatisfy({ $0 != nil }) else {
                anyPeer.append(i)
                continue
            }
            for key in Set(sourceKeys.flatMap { $0! }) {
                byKey[key, default: []].append(i)
                if case .exact = key {} else { patterns = true }
            }
        }
        self.byKey = byKey
        self.anyPeer = anyPeer
        self.patterns = patterns
    }

    /// The rules that can match a client with this identity, in their written order (the first match is the one
    /// reported). A name is looked up whole, and by each of its prefixes and suffixes where patterns are indexed.
    func candidates(principal: String?, namespace: String?) -> [Int] {
        var named: [Int] = []
        for (identity, name) in [(Identity.principal, principal), (.namespace, namespace)] {
            guard let name else { continue }
            named += byKey[.exact(identity, name)] ?? []
            guard patterns else { continue }
            for cut in 0...name.count {
                named += byKey[.prefix(identity, String(name.prefix(cut)))] ?? []
                named += byKey[.suffix(identity, String(name.suffix(cut)))] ?? []
            }
        }
        if named.isEmpty { return anyPeer }
        return Array(Set(named + anyPeer)).sorted()
    }
}

extension AuthorizationStage {
    /// The prefixes AuthorizationPolicies compare client addresses with (ipBlocks, remoteIpBlocks and
    /// source.ip/remote.ip conditions): they tell external clients apart as NetworkPolicy ipBlocks do.
    static func prefixes(_ model: ClusterModel) -> [CIDR] {
        var out: [CIDR] = []
        for p in model.authorizationPolicies {
            for rule in p.rules {
                var texts = (rule.from ?? []).flatMap { s in
                    [s.ipBlocks, s.remoteIpBlocks].flatMap { ($0.values ?? []) + ($0.notValues ?? []) }
                }
                for c in rule.when where c.key == "source.ip" || c.key == "remote.ip" {
                    texts += (c.values.values ?? []) + (c.values.notValues ?? [])
                }
                for t in texts {
                    if case .success(let c) = CIDR.parse(addressOrCIDR: t) { out.append(c) }
                }
            }
        }
        return out
    }
}
