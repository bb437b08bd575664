/// CiliumNetworkPolicy (namespaced) and CiliumClusterwideNetworkPolicy (`cilium.io/v2`): one or more rules (`spec`,
/// `specs`), each selecting endpoints and listing ingress/egress allow sections and ingressDeny/egressDeny sections
/// (cilium `pkg/policy/api`: rule.go, ingress.go, egress.go, l4.go, entity.go), read into plain data: selectors,
/// entities, CIDRs and CIDR groups, Services, names, ports and L7 rules. What this version does not decide (host
/// policies, required labels, cloud groups, node selectors, mutual authentication, TLS interception) is kept as
/// `unmodelled` with its position, so that verdicts depending on the policy become UNKNOWN with the reason.
public struct CiliumNetworkPolicy: Hashable, Sendable {
    public static let namespacedKind = "CiliumNetworkPolicy"
    public static let clusterwideKind = "CiliumClusterwideNetworkPolicy"
    public static let versions: Set<String> = ["cilium.io/v2"]

    /// An endpoint selector in Cilium's label dialect, split by what each requirement reads: pod labels (keys with
    /// the `k8s:` or `any:` source, or none), the namespace's name (`io.kubernetes.pod.namespace`) and the
    /// namespace's labels (`io.cilium.k8s.namespace.labels.<key>`).
    public struct Selector: Hashable, Sendable {
        public let pods: LabelSelector
        /// Requirements on the namespace's labels, the name read as `kubernetes.io/metadata.name`.
        public let namespaces: LabelSelector
        /// Whether the selector names the namespace (`io.kubernetes.pod.namespace`): a namespaced policy's selectors
        /// that do not are confined to the policy's namespace.
        public let namesNamespace: Bool
        /// Keys the model cannot compare (reserved identities, service accounts, cluster names), as written.
        public let unmodelledKeys: [String]
    }

    public enum Entity: String, Hashable, Sendable, CaseIterable {
        case world
        case worldIPv4 = "world-ipv4"
        case worldIPv6 = "world-ipv6"
        case cluster, host
        case remoteNode = "remote-node"
        case kubeAPIServer = "kube-apiserver"
        case ingress, health
        case initializing = "init"
        case unmanaged, none, all
    }

    /// One port entry of `toPorts`: a number (0: every port), a range, or a container port name; `protocols` from
    /// `protocol` (ANY, or none: TCP, UDP and SCTP, as Cilium's `pkg/policy/rule.go` expands it).
    public struct Port: Hashable, Sendable {
        public let port: PortRef?
        public let endPort: Int?
        public let protocols: [L4Protocol]
    }

    /// One `rules.http` entry: regular expressions (RE2, matched against the whole field) on the request's method,
    /// path and host, and headers it must carry; an absent field matches anything.
    public struct HTTPRule: Hashable, Sendable {
        public let method: String?
        public let path: String?
        public let host: String?
        /// `headers` entries and `headerMatches` names, as written.
        public let headers: [String]
        public let ref: RuleRef
    }

    /// One `toPorts` entry: its ports and the L7 rules that filter requests on them.
    public struct PortRule: Hashable, Sendable {
        public let ports: [Port]
        /// nil: no HTTP rules. An empty list (`http: [{}]`) admits every request.
        public let http: [HTTPRule]?
        /// L7 rule kinds other than HTTP (`kafka`, `dns`, `l7proto`), which filter what this version does not decide.
        public let otherL7: [String]
        public let ref: RuleRef
    }

    /// A CiliumCIDRGroup: named CIDRs that CIDR rules refer to (`spec.externalCIDRs`).
    public struct CIDRGroup: Hashable, Sendable {
        public static let kind = "CiliumCIDRGroup"
        public static let versions: Set<String> = ["cilium.io/v2alpha1", "cilium.io/v2"]
        public let name: String
        public let labels: [String: String]
        public let cidrs: [CIDR]

        static func parse(_ spec: Field, name: String, labels: [String: String]) throws -> CIDRGroup {
            try spec.requireKnownKeys(["externalCIDRs"])
            return CIDRGroup(
                name: name, labels: labels, cidrs: try (spec["externalCIDRs"]?.items() ?? []).readEach { try $0.cidr() }
            )
        }
    }

    /// A CiliumCIDRGroup reference: by name, or by the group's labels.
    public enum GroupReference: Hashable, Sendable {
        case named(String)
        case selected(LabelSelector)
    }

    /// A CIDR peer: a CIDR, or the CIDRs of CiliumCIDRGroups, less the exceptions.
    public enum CIDRRule: Hashable, Sendable {
        case cidr(CIDR, except: [CIDR])
        case groups(GroupReference, except: [CIDR])
    }

    /// A `toFQDNs` entry: an exact name, or a pattern where `*` stands for any run of DNS characters but the dot (and
    /// `*` alone for every name).
    public enum FQDNSelector: Hashable, Sendable, CustomStringConvertible {
        case name(String)
        case pattern(String)

        public var description: String {
            switch self {
            case .name(let n): return n
            case .pattern(let p): return p
            }
        }

        /// Whether a name (lowercase, without the final dot) is selected.
        public func selects(_ name: String) -> Bool {
            switch self {
            case .name(let n): return Self.normal(n) == name
            case .pattern(let p):
                let pattern = Self.normal(p)
                if pattern == "*" { return true }
                return Self.wildcard(Array(pattern), Array(name))
            }
        }

        /// `*` takes any run of characters but the dot; everything else matches itself.
        static func wildcard(_ p: [Character], _ n: [Character]) -> Bool {
            // ends[i]: name positions the first i pattern characters can end at.
            var ends: Set<Int> = [0]
            for c in p {
                var next = Set<Int>()
                for e in ends {
                    if c == "*" {
                        var k = e
                        next.insert(k)
                        while k < n.count && n[k] != "." {
                            k += 1
                            next.insert(k)
                        }
                    } else if e < n.count && n[e] == c {
                        next.insert(e + 1)
                    }
                }
                ends = next
            }
            return ends.contains(n.count)
        }

        public static func normal(_ name: String) -> String {
            var n = name.lowercased()
            if n.hasSuffix(".") { n.removeLast() }
            return n
        }
    }

    /// A `toServices` entry: a Service by name, or the Services a label selector selects, in a namespace (absent: the
    /// policy's own, or any for a clusterwide policy).
    public enum ServiceReference: Hashable, Sendable {
        case named(namespace: String?, name: String)
        case selected(namespace: String?, LabelSelector)
    }

    /// One entry of an ingress, egress, ingressDeny or egressDeny list.
    public struct Section: Hashable, Sendable {
        public let ref: RuleRef
        public let endpoints: [Selector]
        public let entities: [Entity]
        /// CIDR peers (`fromCIDR`/`toCIDR` and the `*CIDRSet` lists with `except`).
        public let cidrs: [CIDRRule]
        /// nil: `toPorts` absent (every port).
        public let portRules: [PortRule]?
        /// Every port of every `toPorts` entry.
        public var ports: [Port]? { portRules.map { $0.flatMap(\.ports) } }
        /// The kinds of L7 rules the section holds (`http`, `kafka`, `dns`, `l7proto`).
        public var l7Kinds: Set<String> {
            Set((portRules ?? []).flatMap { ($0.http == nil ? [] : ["http"]) + $0.otherL7 })
        }
        /// The section has `icmps` rules (ICMP types, read as every protocol without ports: A-CILIUM-ICMP).
        public let icmp: Bool
        /// The names the section admits (`toFQDNs`), whose addresses Cilium learns from the DNS answers its proxy sees.
        public let fqdnSelectors: [FQDNSelector]
        public var fqdns: Bool { !fqdnSelectors.isEmpty }
        public let services: [ServiceReference]

        /// Whether the section names any L3 peer. Without one, a section with ports admits every peer on them (an
        /// L4-only rule) and a section without ports admits nothing.
        public var hasPeers: Bool {
            !endpoints.isEmpty || !entities.isEmpty || !cidrs.isEmpty || !services.isEmpty || !fqdnSelectors.isEmpty
        }

    }

    /// One rule (`spec`, or an item of `specs`).
    public struct Rule: Hashable, Sendable {
        public let ref: RuleRef
        /// nil: a host policy (`nodeSelector`).
        public let endpointSelector: Selector?
        public let ingress: [Section]
        public let egress: [Section]
        public let ingressDeny: [Section]
        public let egressDeny: [Section]
        /// `enableDefaultDeny.ingress` / `.egress` as written (nil: absent).
        public let defaultDenyIngress: Bool?
        public let defaultDenyEgress: Bool?

        /// Every section, allow and deny, both directions.
        public var sections: [Section] { ingress + egress + ingressDeny + egressDeny }

        /// Whether the rule puts its endpoints into default deny in a direction: as written, else when the rule has
        /// allow or deny sections there (cilium `Rule.EnableDefaultDeny`).
        public func defaultDeny(ingress: Bool) -> Bool {
            ingress
                ? defaultDenyIngress ?? !(self.ingress.isEmpty && ingressDeny.isEmpty)
                : defaultDenyEgress ?? !(egress.isEmpty && egressDeny.isEmpty)
        }
    }

    /// A part of the policy whose effect this version does not model, and why.
    public struct Unmodelled: Hashable, Sendable {
        public let ref: RuleRef
        public let what: String
    }

    public let kind: String
    public let name: String
    /// nil for a CiliumClusterwideNetworkPolicy.
    public let namespace: String?
    public let rules: [Rule]
    public let unmodelled: [Unmodelled]
    public let location: SourceLocation

    static let ruleKeys: Set<String> = [
        "endpointSelector", "nodeSelector", "ingress", "ingressDeny", "egress", "egressDeny", "labels", "description",
        "enableDefaultDeny", "log",
    ]
    static let ingressKeys: Set<String> = [
        "fromEndpoints", "fromRequires", "fromCIDR", "fromCIDRSet", "fromEntities", "fromGroups", "fromNodes",
        "toPorts", "icmps", "authentication",
    ]
    static let egressKeys: Set<String> = [
        "toEndpoints", "toRequires", "toCIDR", "toCIDRSet", "toEntities", "toServices", "toFQDNs", "toGroups",
        "toNodes", "toPorts", "icmps", "authentication",
    ]
    /// Peer and port fields whose effect is not modelled, with the reason shown in UNKNOWN verdicts.
    static let unmodelledFields: [String: String] = [
        "fromRequires": "fromRequires constrains every rule of the endpoint (deprecated upstream)",
        "toRequires": "toRequires constrains every rule of the endpoint (deprecated upstream)",
        "fromGroups": "fromGroups names cloud-provider groups whose addresses the input does not hold",
        "toGroups": "toGroups names cloud-provider groups whose addresses the input does not hold",
        "fromNodes": "fromNodes selects nodes, which this model has no endpoints for",
        "toNodes": "toNodes selects nodes, which this model has no endpoints for",
        "authentication": "mutual authentication is not modelled",
    ]

    static func parse(
        _ root: Field, spec: Field?, specs: Field?, kind: String, name: String, namespace: String?,
        location: SourceLocation
    ) throws -> CiliumNetworkPolicy {
        try ErrorGatherer.gathering { gatherer in
            var unmodelled: [Unmodelled] = []
            var fields: [Field] = spec.map { [$0] } ?? []
            if let specs { fields += try specs.items() }
            guard !fields.isEmpty else { throw root.missing("spec", hint: "or specs") }
            let rules = try gatherer.readEach(fields) { f in
                try rule(f, kind: kind, name: name, namespace: namespace, unmodelled: &unmodelled)
            }
            return CiliumNetworkPolicy(
                kind: kind, name: name, namespace: namespace, rules: rules, unmodelled: unmodelled,
                location: location)
        }
    }

    private static func rule(
        _ f: Field, kind: String, name: String, namespace: String?, unmodelled: inout [Unmodelled]
    ) throws -> Rule {
        func ref(_ field: Field) -> RuleRef {
            RuleRef(kind: kind, namespace: namespace, name: name, path: field.path, location: field.location)
        }
        return try ErrorGatherer.gathering { gatherer in
            _ = try gatherer.read { try f.requireKnownKeys(ruleKeys) }
            let endpointField = f["endpointSelector"]
            let nodeField = f["nodeSelector"]
            guard (endpointField == nil) != (nodeField == nil) else {
                throw f.error("a rule needs exactly one of endpointSelector and nodeSelector")
            }
            if nodeField != nil {
                unmodelled.append(
                    Unmodelled(ref: ref(nodeField!), what: "a host policy (nodeSelector) filters node traffic"))
            }
            let endpointSelector = try endpointField.map { try selector($0) }
            if let s = endpointSelector, !s.unmodelledKeys.isEmpty {
                unmodelled.append(
                    Unmodelled(
                        ref: ref(endpointField!),
                        what: "endpointSelector reads \(s.unmodelledKeys.joined(separator: ", "))"))
            }
            func sections(_ key: String, allowed: Set<String>, deny: Bool) throws -> [Section] {
                try gatherer.read {
                    try (f[key]?.items() ?? []).readEach {
                        try section($0, allowed: allowed, deny: deny, ref: ref, unmodelled: &unmodelled)
                    }
                } ?? []
            }
            let ingress = try sections("ingress", allowed: ingressKeys, deny: false)
            let egress = try sections("egress", allowed: egressKeys, deny: false)
            let ingressDeny = try sections("ingressDeny", allowed: ingressKeys, deny: true)
            let egressDeny = try sections("egressDeny", allowed: egressKeys, deny: true)
            var defaults: (ingress: Bool?, egress: Bool?) = (nil, nil)
            if let d = f["enableDefaultDeny"] {
                _ = try gatherer.read {
                    try d.requireKnownKeys(["ingress", "egress"])
                    defaults = (try d["ingress"]?.bool(), try d["egress"]?.bool())
                }
            }
            if ingress.isEmpty && egress.isEmpty && ingressDeny.isEmpty && egressDeny.isEmpty
                && f["ingress"] == nil && f["egress"] == nil && f["ingressDeny"] == nil && f["egressDeny"] == nil
            {
                gatherer.add(f.error("a rule needs at least one of ingress, ingressDeny, egress and egressDeny"))
            }
            return Rule(
                ref: ref(f), endpointSelector: endpointSelector, ingress: ingress, egress: egress,
                ingressDeny: ingressDeny, egressDeny: egressDeny, defaultDenyIngress: defaults.ingress,
                defaultDenyEgress: defaults.egress)
        }
    }

    private static func section(
        _ f: Field, allowed: Set<String>, deny: Bool, ref: (Field) -> RuleRef, unmodelled: inout [Unmodelled]
    ) throws -> Section {
        try ErrorGatherer.gathering { gatherer in
            _ = try gatherer.read { try f.requireKnownKeys(allowed) }
            for key in allowed.sorted() where f[key] != nil && !(f[key]!.isNull) {
                if let why = unmodelledFields[key] { unmodelled.append(Unmodelled(ref: ref(f[key]!), what: why)) }
            }
            let ingress = allowed.contains("fromEndpoints")
            let endpointsField = f[ingress ? "fromEndpoints" : "toEndpoints"]
            let endpoints = try gatherer.read { try (endpointsField?.items() ?? []).readEach(selector) } ?? []
            for (i, s) in endpoints.enumerated() where !s.unmodelledKeys.isEmpty {
                let item = try endpointsField!.items()[i]
                unmodelled.append(
                    Unmodelled(ref: ref(item), what: "a selector reads \(s.unmodelledKeys.joined(separator: ", "))"))
            }
            let entities =
                try gatherer.read {
                    try (f[ingress ? "fromEntities" : "toEntities"]?.items() ?? []).readEach { e -> Entity in
                        let text = try e.string()
                        guard let entity = Entity(rawValue: text) else {
                            throw e.error(
                                "unknown entity '\(text)' (expected one of: \(Entity.allCases.map(\.rawValue).joined(separator: ", ")))"
                            )
                        }
                        return entity
                    }
                } ?? []
            var cidrs: [CIDRRule] = []
            if let list = f[ingress ? "fromCIDR" : "toCIDR"] {
                cidrs +=
                    try gatherer.read { try list.items().readEach { CIDRRule.cidr(try $0.cidr(), except: []) } } ?? []
            }
            if let list = f[ingress ? "fromCIDRSet" : "toCIDRSet"] {
                cidrs += try gatherer.read { try list.items().readEach(cidrRule) } ?? []
            }
            let portRules =
                try gatherer.read {
                    try f["toPorts"].map { field -> [PortRule] in
                        try field.items().readEach { entry -> PortRule in
                            try entry.requireKnownKeys(
                                ["ports", "rules", "terminatingTLS", "originatingTLS", "serverNames", "listener"])
                            for key in ["terminatingTLS", "originatingTLS", "serverNames", "listener"]
                            where entry[key] != nil {
                                unmodelled.append(
                                    Unmodelled(
                                        ref: ref(entry[key]!), what: "\(key) sends the traffic through Cilium's proxy"))
                            }
                            var http: [HTTPRule]?
                            var otherL7: [String] = []
                            if let rules = entry["rules"], !rules.isNull {
                                if deny { throw rules.error("deny rules take no L7 rules") }
                                try rules.requireKnownKeys(["http", "kafka", "dns", "l7proto", "l7"])
                                for (key, value) in try rules.entries() where !value.isNull {
                                    if key == "http" {
                                        http = try value.items().readEach { try httpRule($0, ref: ref) }
                                    } else {
                                        otherL7.append(key)
                                    }
                                }
                            }
                            let ports = try (entry["ports"]?.items() ?? []).readEach(port)
                            try checkAgentAccepts(entry, ports: ports, ingress: ingress)
                            return PortRule(ports: ports, http: http, otherL7: otherL7, ref: ref(entry))
                        }
                    }
                } ?? nil
            let services =
                try gatherer.read { try (f["toServices"]?.items() ?? []).readEach(serviceReference) } ?? []
            return Section(
                ref: ref(f), endpoints: endpoints, entities: entities, cidrs: cidrs, portRules: portRules,
                icmp: !(try f["icmps"]?.items() ?? []).isEmpty,
                fqdnSelectors: try gatherer.read { try (f["toFQDNs"]?.items() ?? []).readEach(fqdnSelector) } ?? [],
                services: services)
        }
    }

    /// Cilium's agent refuses to import a policy whose port rule breaks `PortRule.Validate` (`pkg/policy/api/
    /// rule_validation.go`), though the API server stores it: such a policy would enforce nothing, so it is an input
    /// error here, named where it breaks. L7 rules other than DNS need TCP ports (ANY too is refused) and no port 0;
    /// DNS rules need ports, no port ranges, and egress; a port rule holds one kind of L7 rules and at most 40 ports.
    private static func checkAgentAccepts(_ entry: Field, ports: [Port], ingress: Bool) throws {
        let portFields = try entry["ports"]?.items() ?? []
        if portFields.count > maxPorts {
            throw entry["ports"]!.error(
                "\(portFields.count) ports, more than Cilium accepts in one port rule (\(maxPorts))")
        }
        guard let rules = entry["rules"], !rules.isNull else { return }
        let kinds = try rules.entries().filter { !$0.value.isNull }.map(\.key)
        guard !kinds.isEmpty else { return }
        if kinds.contains("l7") && !kinds.contains("l7proto") {
            throw rules["l7"]!.error("l7 rules need l7proto, the protocol they parse")
        }
        if Set(kinds).subtracting(["l7"]).count > 1 {
            throw rules.error(
                "one kind of L7 rules per port rule: Cilium refuses \(kinds.sorted().joined(separator: " and "))")
        }
        let dns = try kinds == ["dns"] && !(rules["dns"]!.items().isEmpty)
        if dns && ingress {
            throw rules["dns"]!.error("DNS rules apply to egress only: Cilium refuses them on ingress")
        }
        if dns && ports.isEmpty { throw rules["dns"]!.error("DNS rules need their port (53) among the ports") }
        for (port, field) in zip(ports, portFields) {
            if dns {
                if case .number(let start)? = port.port, let end = port.endPort, end > start {
                    throw field.error("DNS rules take single ports, not a range")
                }
                continue
            }
            if port.protocols != [.tcp] {
                let given = try field["protocol"]?.string() ?? "ANY"
                throw field.error("L7 rules apply to TCP only: Cilium refuses this port's protocol \(given) (set TCP)")
            }
            if port.port == nil { throw field.error("L7 rules need a port: Cilium refuses port 0 with them") }
        }
    }

    /// The most ports one port rule may list (`maxPorts` in Cilium's rule validation).
    static let maxPorts = 40

    private static func fqdnSelector(_ f: Field) throws -> FQDNSelector {
        try f.requireKnownKeys(["matchName", "matchPattern"])
        if let name = f["matchName"] { return .name(try name.string()) }
        guard let pattern = f["matchPattern"] else { throw f.missing("matchName", hint: "or matchPattern") }
        return .pattern(try pattern.string())
    }

    private static func serviceReference(_ f: Field) throws -> ServiceReference {
        try f.requireKnownKeys(["k8sService", "k8sServiceSelector"])
        if let named = f["k8sService"] {
            try named.requireKnownKeys(["serviceName", "namespace"])
            guard let name = named["serviceName"] else { throw named.missing("serviceName") }
            return .named(namespace: try named["namespace"]?.string(), name: try name.string())
        }
        guard let selected = f["k8sServiceSelector"] else {
            throw f.missing("k8sService", hint: "or k8sServiceSelector")
        }
        try selected.requireKnownKeys(["selector", "namespace"])
        guard let selector = selected["selector"] else { throw selected.missing("selector") }
        return .selected(namespace: try selected["namespace"]?.string(), try LabelSelector.parse(selector))
    }

    /// The CIDRs of the CiliumCIDRGroups a reference names (none when no such group exists).
    public static func cidrs(_ ref: GroupReference, in model: ClusterModel) -> [CIDR] {
        model.ciliumCIDRGroups.filter { g in
            switch ref {
            case .named(let name): return g.name == name
            case .selected(let selector): return selector.matches(g.labels)
            }
        }.flatMap(\.cidrs)
    }

    /// The Services a `toServices` entry of this policy names.
    public func services(_ ref: ServiceReference, in model: ClusterModel) -> [Service] {
        func inScope(_ svc: Service, _ ns: String?) -> Bool { (ns ?? namespace).map { $0 == svc.namespace } ?? true }
        switch ref {
        case .named(let ns, let name): return model.services.filter { $0.name == name && inScope($0, ns) }
        case .selected(let ns, let selector):
            return model.services.filter { inScope($0, ns) && selector.matches($0.labels) }
        }
    }

    private static func httpRule(_ f: Field, ref: (Field) -> RuleRef) throws -> HTTPRule {
        try f.requireKnownKeys(["method", "path", "host", "headers", "headerMatches"])
        var headers = try f["headers"]?.stringList() ?? []
        headers += try (f["headerMatches"]?.items() ?? []).map { m in
            try m.requireKnownKeys(["name", "value", "secret", "mismatch"])
            guard let name = m["name"] else { throw m.missing("name") }
            return try name.string()
        }
        return HTTPRule(
            method: try f["method"]?.string(), path: try f["path"]?.string(), host: try f["host"]?.string(),
            headers: headers, ref: ref(f))
    }

    /// A `*CIDRSet` entry: a CIDR with exceptions inside it, or CiliumCIDRGroups by name or labels (their
    /// exceptions apply to each group CIDR that holds them).
    private static func cidrRule(_ f: Field) throws -> CIDRRule {
        try f.requireKnownKeys(["cidr", "except", "cidrGroupRef", "cidrGroupSelector"])
        let except = try (f["except"]?.items() ?? []).readEach { try $0.cidr() }
        if let group = f["cidrGroupRef"] { return .groups(.named(try group.string()), except: except) }
        if let selector = f["cidrGroupSelector"] {
            return .groups(.selected(try LabelSelector.parse(selector)), except: except)
        }
        guard let cidrField = f["cidr"] else { throw f.missing("cidr", hint: "or cidrGroupRef") }
        let cidr = try cidrField.cidr()
        for (x, field) in zip(except, try f["except"]?.items() ?? []) where !cidr.strictlyContains(x) {
            throw field.error("except \(x) must lie inside cidr \(cidr)")
        }
        return .cidr(cidr, except: except)
    }

    private static func port(_ f: Field) throws -> Port {
        try f.requireKnownKeys(["port", "endPort", "protocol"])
        let protoText = try f["protocol"]?.string() ?? "ANY"
        let protocols: [L4Protocol]
        switch protoText {
        case "ANY": protocols = [.tcp, .udp, .sctp]
        case "TCP", "UDP", "SCTP": protocols = [L4Protocol(rawValue: protoText)!]
        default: throw f["protocol"]!.error("unknown protocol '\(protoText)' (expected TCP, UDP, SCTP or ANY)")
        }
        // The agent refuses an entry without a port (`PortProtocol.Validate`); "0" is the way to name every port.
        guard let p = f["port"], !p.isNull else {
            throw f.missing("port", hint: "Cilium refuses a port entry without one; \"0\" is every port")
        }
        let port: PortRef?
        let text = try p.string()
        if let n = Int(text) {
            guard (0...65535).contains(n) else { throw p.error("port \(n) is not in 0-65535") }
            port = n == 0 ? nil : .number(n)
        } else {
            if let problem = PortName.validate(text) { throw p.error(problem) }
            port = .name(text)
        }
        let endPort = try f["endPort"]?.int(in: 0...65535)
        if let endPort, case .number(let start)? = port, endPort < start {
            throw f["endPort"]!.error("endPort \(endPort) is below port \(start)")
        }
        return Port(port: port, endPort: endPort, protocols: protocols)
    }

    static let namespaceNameKey = "io.kubernetes.pod.namespace"
    /// The label Cilium gives every endpoint's identity: its pod's service account.
    public static let serviceAccountKey = "io.cilium.k8s.policy.serviceaccount"
    static let namespaceLabelPrefix = "io.cilium.k8s.namespace.labels."
    /// Label sources a pod's Kubernetes labels carry (`k8s`), or match (`any`, and no source).
    static let podSources: Set<String> = ["k8s", "any"]

    /// Whether Cilium's default label filter (`pkg/labelsfilter/filter.go`, `defaultLabelPrefixCfg`) leaves a pod label
    /// out of the identity that selectors match: the longest matching inclusion must outrun the shortest matching
    /// exclusion, each a pattern matched at the start of the key.
    public static func leftOutOfIdentities(_ key: String) -> Bool {
        func matched(_ prefixes: [String]) -> [Int] { prefixes.filter { key.hasPrefix($0) }.map(\.count) }
        var ignored = matched([
            "io.kubernetes", "kubernetes.io", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
            "batch.kubernetes.io/job-completion-index", "k8s.io", "pod-template-generation", "pod-template-hash",
            "controller-revision-hash", "annotation", "etcd_node",
        ])
        // `.*beta\.kubernetes\.io`: anywhere in the key, matched up to its last occurrence.
        let (text, beta) = (Array(key.utf8), Array("beta.kubernetes.io".utf8))
        if let end = stride(from: text.count, through: beta.count, by: -1).first(where: {
            text[($0 - beta.count)..<$0].elementsEqual(beta)
        }) {
            ignored.append(end)
        }
        guard let shortestIgnored = ignored.min() else { return false }
        let included = matched(["io.kubernetes.pod.namespace", "io.cilium.k8s.namespace.labels", "app.kubernetes.io"])
        return (included.max() ?? 0) <= shortestIgnored
    }

    /// Reads a selector, sorting each requirement by what it reads.
    static func selector(_ f: Field) throws -> Selector {
        var unmodelled: [String] = []
        // Keys the model cannot compare are kept apart under a marker no label key can carry.
        let marker = "#"
        let written = try LabelSelector.parse(f) { key, field in
            // A key may carry a source: `k8s:app`, `any:app`, `reserved:host`. Kubernetes pods carry `k8s` labels.
            var bare = key
            if let colon = key.firstIndex(of: ":") {
                let source = String(key[..<colon])
                bare = String(key[key.index(after: colon)...])
                if !podSources.contains(source) {
                    unmodelled.append(key)
                    return marker + key
                }
            }
            if bare.hasPrefix("io.cilium.k8s.policy.") && bare != serviceAccountKey {
                unmodelled.append(key)
                return marker + key
            }
            if !bare.hasPrefix(namespaceLabelPrefix) && bare != namespaceNameKey && bare != serviceAccountKey {
                try LabelSyntax.checkKey(bare, field())
                if leftOutOfIdentities(bare) {
                    unmodelled.append(
                        "\(key) (a label Cilium leaves out of identities unless its --labels says otherwise)")
                    return marker + key
                }
            }
            return bare
        }
        var pods: [LabelRequirement] = []
        var namespaces: [LabelRequirement] = []
        var namesNamespace = false
        for r in written.requirements where !r.key.hasPrefix(marker) {
            if r.key == namespaceNameKey {
                namesNamespace = true
                namespaces.append(LabelRequirement(key: "kubernetes.io/metadata.name", op: r.op, values: r.values))
            } else if r.key.hasPrefix(namespaceLabelPrefix) {
                let key = String(r.key.dropFirst(namespaceLabelPrefix.count))
                namespaces.append(LabelRequirement(key: key, op: r.op, values: r.values))
            } else {
                pods.append(r)
            }
        }
        return Selector(
            pods: LabelSelector(requirements: pods), namespaces: LabelSelector(requirements: namespaces),
            namesNamespace: namesNamespace, unmodelledKeys: unmodelled)
    }
}
