import Foundation
import KubeModel

/// Generates random but reproducible clusters as manifests, so that the cross-checks between the evaluator, the
/// encoder and the class map run on inputs nobody wrote by hand, without `../shared`. The same options and seed
/// always give the same text.
///
/// Namespaces carry `team` and `env` labels; deployments carry `app`, `tier` and sometimes `role`, and declare
/// named container ports. Policies mix every NetworkPolicy shape (selectors with `matchLabels` and each
/// `matchExpressions` operator, peers by pod, namespace or both, ipBlocks inside and outside the pod network
/// with `except`, numbered, ranged and named ports on each protocol, every `policyTypes` form), and optionally
/// the admin tiers (AdminNetworkPolicy with Allow, Deny and Pass; a BaselineAdminNetworkPolicy).
public struct ClusterGenerator {
    public struct Options {
        public var namespaces = 4
        public var deployments = 12
        public var policies = 10
        public var ipBlocks = true
        public var namedPorts = true
        public var services = false
        /// AdminNetworkPolicies (distinct priorities) and a BaselineAdminNetworkPolicy.
        public var adminPolicies = 0
        public var baseline = false
        /// ClusterNetworkPolicies (v1alpha2) of both tiers, with distinct priorities per tier.
        public var clusterNetworkPolicies = 0
        /// CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies (every third), with allow and deny sections,
        /// entities, CIDR sets in both families, port ranges and ICMP rules.
        public var ciliumPolicies = 0

        public init() {}
    }

    /// SplitMix64: small, fast and identical on every platform.
    public struct Random {
        var state: UInt64
        public init(state: UInt64) { self.state = state }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
    }

    let options: Options
    var random: Random

    public init(options: Options, seed: UInt64) {
        self.options = options
        random = Random(state: seed)
    }

    static let apps = ["web", "api", "db", "cache", "queue", "auth"]
    static let tiers = ["front", "back", "data"]
    static let teams = ["red", "blue", "green"]
    static let portNames = ["http", "metrics", "dns", "grpc"]

    func namespace(_ i: Int) -> String { "ns\(i)" }

    /// The manifests, documents separated by `---`.
    public mutating func manifests() -> String {
        var docs: [String] = []
        for i in 0..<options.namespaces {
            docs.append(
                """
                apiVersion: v1
                kind: Namespace
                metadata: {name: \(namespace(i)), labels: {team: \(Self.teams[i % 3]), env: \(i % 2 == 0 ? "prod" : "dev")}}
                """)
        }
        for d in 0..<options.deployments { docs.append(deployment(d)) }
        for p in 0..<options.policies { docs.append(networkPolicy(p)) }
        for a in 0..<options.adminPolicies { docs.append(adminPolicy(a)) }
        if options.baseline { docs.append(baselinePolicy()) }
        for c in 0..<options.clusterNetworkPolicies { docs.append(clusterNetworkPolicy(c)) }
        for c in 0..<options.ciliumPolicies { docs.append(ciliumPolicy(c)) }
        return docs.joined(separator: "\n---\n") + "\n"
    }

    mutating func deployment(_ d: Int) -> String {
        let ns = namespace(d % options.namespaces)
        let app = Self.apps[d % Self.apps.count]
        var labels = "app: \(app), tier: \(Self.tiers[random.int(3)])"
        if random.chance(30) { labels += ", role: \(random.pick(["edge", "core"]))" }
        var ports: [String] = []
        for (k, name) in Self.portNames.enumerated() where random.chance(45) {
            let proto = name == "dns" ? random.pick(["UDP", "TCP"]) : "TCP"
            let number = 8000 + 10 * k + random.int(3)
            ports.append(
                options.namedPorts
                    ? "{name: \(name), containerPort: \(number), protocol: \(proto)}"
                    : "{containerPort: \(number), protocol: \(proto)}")
        }
        var out = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: \(app)-\(d), namespace: \(ns)}
            spec:
              selector: {matchLabels: {app: \(app)}}
              template:
                metadata: {labels: {\(labels)}}
                spec: {containers: [{name: c, image: i, ports: [\(ports.joined(separator: ", "))]}]}
            """
        if options.services {
            out += """

                ---
                apiVersion: v1
                kind: Service
                metadata: {name: \(app)-\(d), namespace: \(ns)}
                spec: {selector: {app: \(app)}, ports: [{port: 80, targetPort: \(options.namedPorts ? "http" : "8000")}]}
                """
        }
        return out
    }

    mutating func podSelector() -> String {
        switch random.int(6) {
        case 0: return "{}"
        case 1: return "{matchLabels: {app: \(random.pick(Self.apps))}}"
        case 2: return "{matchLabels: {tier: \(random.pick(Self.tiers))}}"
        case 3:
            return
                "{matchExpressions: [{key: app, operator: In, values: [\(random.pick(Self.apps)), \(random.pick(Self.apps))]}]}"
        case 4: return "{matchExpressions: [{key: tier, operator: NotIn, values: [\(random.pick(Self.tiers))]}]}"
        default: return "{matchExpressions: [{key: role, operator: \(random.pick(["Exists", "DoesNotExist"]))}]}"
        }
    }

    mutating func namespaceSelector() -> String {
        switch random.int(4) {
        case 0: return "{}"
        case 1: return "{matchLabels: {team: \(random.pick(Self.teams))}}"
        case 2: return "{matchLabels: {kubernetes.io/metadata.name: \(namespace(random.int(options.namespaces)))}}"
        default: return "{matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}"
        }
    }

    /// An ipBlock outside the pod network (10.244.0.0/16), or rarely inside it, sometimes with an except.
    mutating func ipBlock() -> String {
        if random.chance(20) {
            let half = random.int(2) * 128
            return "{ipBlock: {cidr: 10.244.\(half).0/17, except: [10.244.\(half + random.int(4) * 32).0/19]}}"
        }
        let base = random.pick(["0.0.0.0/0", "192.0.2.0/24", "198.51.100.0/24", "172.16.0.0/12"])
        let except =
            base == "0.0.0.0/0"
            ? ", except: [192.0.2.0/25]" : base == "172.16.0.0/12" ? ", except: [172.16.0.0/16]" : ""
        return "{ipBlock: {cidr: \(base)\(except)}}"
    }

    mutating func peer() -> String {
        switch random.int(options.ipBlocks ? 4 : 3) {
        case 0: return "{podSelector: \(podSelector())}"
        case 1: return "{namespaceSelector: \(namespaceSelector())}"
        case 2: return "{namespaceSelector: \(namespaceSelector()), podSelector: \(podSelector())}"
        default: return ipBlock()
        }
    }

    mutating func port() -> String {
        switch random.int(options.namedPorts ? 5 : 4) {
        case 0: return "{port: \(8000 + 10 * random.int(4) + random.int(3))}"
        case 1: return "{protocol: UDP, port: \(8000 + random.int(40))}"
        case 2: return "{port: \(8000 + random.int(20)), endPort: \(8020 + random.int(20))}"
        case 3: return "{protocol: \(random.pick(["TCP", "UDP", "SCTP"]))}"
        default: return "{port: \(random.pick(Self.portNames))}"
        }
    }

    mutating func rules(_ peersKey: String) -> String {
        let count = random.int(3)
        return (0..<count).map { _ in
            var fields: [String] = []
            if random.chance(80) {
                fields.append("\(peersKey): [\((0..<1 + random.int(2)).map { _ in peer() }.joined(separator: ", "))]")
            }
            if random.chance(60) {
                fields.append("ports: [\((0..<1 + random.int(2)).map { _ in port() }.joined(separator: ", "))]")
            }
            return "{\(fields.joined(separator: ", "))}"
        }.joined(separator: ", ")
    }

    mutating func networkPolicy(_ p: Int) -> String {
        let ns = namespace(random.int(options.namespaces))
        var spec = ["podSelector: \(podSelector())"]
        switch random.int(4) {
        case 0: break
        case 1: spec.append("policyTypes: [Ingress]")
        case 2: spec.append("policyTypes: [Egress]")
        default: spec.append("policyTypes: [Ingress, Egress]")
        }
        if random.chance(75) { spec.append("ingress: [\(rules("from"))]") }
        if random.chance(55) { spec.append("egress: [\(rules("to"))]") }
        return """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np\(p), namespace: \(ns)}
            spec: {\(spec.joined(separator: ", "))}
            """
    }

    mutating func adminPeer(egress: Bool) -> String {
        switch random.int(egress ? 3 : 2) {
        case 0: return "{namespaces: \(namespaceSelector())}"
        case 1: return "{pods: {namespaceSelector: \(namespaceSelector()), podSelector: \(podSelector())}}"
        default:
            return "{networks: [\(random.pick(["192.0.2.0/24", "0.0.0.0/0", "10.244.0.0/17", "198.51.100.0/25"]))]}"
        }
    }

    mutating func adminPorts() -> String {
        switch random.int(4) {
        case 0: return ""
        case 1: return ", ports: [{portNumber: {port: \(8000 + 10 * random.int(4)), protocol: TCP}}]"
        case 2:
            return
                ", ports: [{portRange: {start: 8000, end: \(8005 + random.int(30)), protocol: \(random.pick(["TCP", "UDP"]))}}]"
        default: return options.namedPorts ? ", ports: [{namedPort: \(random.pick(Self.portNames))}]" : ""
        }
    }

    mutating func adminRules(_ peersKey: String, actions: [String]) -> String {
        (0..<random.int(3)).map { r in
            "{name: r\(r), action: \(random.pick(actions)), \(peersKey): [\(adminPeer(egress: peersKey == "to"))]\(adminPorts())}"
        }.joined(separator: ", ")
    }

    mutating func adminSubject() -> String {
        random.chance(50)
            ? "{namespaces: \(namespaceSelector())}"
            : "{pods: {namespaceSelector: \(namespaceSelector()), podSelector: \(podSelector())}}"
    }

    mutating func adminPolicy(_ a: Int) -> String {
        let actions = ["Allow", "Deny", "Pass"]
        return """
            apiVersion: policy.networking.k8s.io/v1alpha1
            kind: AdminNetworkPolicy
            metadata: {name: anp\(a)}
            spec: {priority: \(10 * a + random.int(10)), subject: \(adminSubject()), ingress: [\(adminRules("from", actions: actions))], egress: [\(adminRules("to", actions: actions))]}
            """
    }

    /// A ClusterNetworkPolicy: the admin shapes with the v1alpha2 spelling (Accept, `protocols`).
    mutating func clusterNetworkPolicy(_ c: Int) -> String {
        func rules(_ peersKey: String) -> String {
            (0..<random.int(3)).map { r in
                let protocols: String
                switch random.int(4) {
                case 0: protocols = ""
                case 1: protocols = ", protocols: [{tcp: {destinationPort: {number: \(8000 + 10 * random.int(4))}}}]"
                case 2:
                    protocols =
                        ", protocols: [{\(random.pick(["tcp", "udp"])): {destinationPort: {range: {start: 8000, end: \(8005 + random.int(30))}}}}]"
                default:
                    protocols =
                        options.namedPorts && peersKey == "from"
                        ? ", protocols: [{destinationNamedPort: \(random.pick(Self.portNames))}]" : ""
                }
                return
                    "{name: r\(r), action: \(random.pick(["Accept", "Deny", "Pass"])), \(peersKey): [\(adminPeer(egress: peersKey == "to"))]\(protocols)}"
            }.joined(separator: ", ")
        }
        return """
            apiVersion: policy.networking.k8s.io/v1alpha2
            kind: ClusterNetworkPolicy
            metadata: {name: cnp\(c)}
            spec: {tier: \(c % 2 == 0 ? "Admin" : "Baseline"), priority: \(200 + 10 * c + random.int(10)), subject: \(adminSubject()), ingress: [\(rules("from"))], egress: [\(rules("to"))]}
            """
    }

    /// A Cilium selector: pod labels, sometimes with the `k8s:` source, a namespace name or namespace labels.
    mutating func ciliumSelector() -> String {
        switch random.int(6) {
        case 0: return "{}"
        case 1: return "{matchLabels: {app: \(random.pick(Self.apps))}}"
        case 2: return "{matchLabels: {\"k8s:tier\": \(random.pick(Self.tiers))}}"
        case 3:
            return
                "{matchLabels: {app: \(random.pick(Self.apps)), k8s:io.kubernetes.pod.namespace: \(namespace(random.int(options.namespaces)))}}"
        case 4:
            return
                "{matchLabels: {io.cilium.k8s.namespace.labels.team: \(random.pick(Self.teams))}, matchExpressions: [{key: io.kubernetes.pod.namespace, operator: Exists}]}"
        default: return "{matchExpressions: [{key: role, operator: \(random.pick(["Exists", "DoesNotExist"]))}]}"
        }
    }

    /// A section of a Cilium rule: peers (endpoints, entities or CIDRs), ports, both or (rarely) neither.
    mutating func ciliumSection(_ direction: String) -> String {
        var fields: [String] = []
        switch random.int(5) {
        case 0: fields.append("\(direction)Endpoints: [\(ciliumSelector())]")
        case 1: fields.append("\(direction)Entities: [\(random.pick(["world", "cluster", "world-ipv6", "all"]))]")
        case 2:
            fields.append(
                "\(direction)CIDRSet: [{cidr: \(random.pick(["0.0.0.0/0", "192.0.2.0/24", "\"2001:db8::/32\""]))}]")
        case 3: fields.append("\(direction)CIDR: [\(random.pick(["198.51.100.0/25", "10.244.0.0/17", "\"::/0\""]))]")
        default: break
        }
        if random.chance(fields.isEmpty ? 90 : 50) {
            let port: String
            switch random.int(3) {
            case 0: port = "{port: \"\(8000 + 10 * random.int(4))\", protocol: \(random.pick(["TCP", "UDP", "ANY"]))}"
            case 1: port = "{port: \"8000\", endPort: \(8005 + random.int(30)), protocol: TCP}"
            default:
                port = options.namedPorts ? "{port: \(random.pick(Self.portNames))}" : "{port: \"0\", protocol: UDP}"
            }
            fields.append("toPorts: [{ports: [\(port)]}]")
        }
        if random.chance(10) { fields.append("icmps: [{fields: [{type: 8}]}]") }
        return "{\(fields.joined(separator: ", "))}"
    }

    mutating func ciliumPolicy(_ c: Int) -> String {
        let clusterwide = c % 3 == 2
        var spec = ["endpointSelector: \(ciliumSelector())"]
        for (key, direction, chance) in [
            ("ingress", "from", 70), ("egress", "to", 45), ("ingressDeny", "from", 25), ("egressDeny", "to", 20),
        ] where random.chance(chance) {
            let sections = (0..<(1 + random.int(2))).map { _ in ciliumSection(direction) }
            spec.append("\(key): [\(sections.joined(separator: ", "))]")
        }
        if spec.count == 1 { spec.append("ingress: [\(ciliumSection("from"))]") }
        if random.chance(15) { spec.append("enableDefaultDeny: {ingress: false}") }
        let kind = clusterwide ? "CiliumClusterwideNetworkPolicy" : "CiliumNetworkPolicy"
        let namespace = clusterwide ? "" : ", namespace: \(namespace(random.int(options.namespaces)))"
        return "apiVersion: cilium.io/v2\nkind: \(kind)\nmetadata: {name: cilium\(c)\(namespace)}\n"
            + "spec: {\(spec.joined(separator: ", "))}"
    }

    mutating func baselinePolicy() -> String {
        """
        apiVersion: policy.networking.k8s.io/v1alpha1
        kind: BaselineAdminNetworkPolicy
        metadata: {name: default}
        spec: {subject: \(adminSubject()), ingress: [\(adminRules("from", actions: ["Allow", "Deny"]))], egress: [\(adminRules("to", actions: ["Allow", "Deny"]))]}
        """
    }
}

/// A model of a cluster made by the project's own generator.
public func generatedModel(seed: UInt64, _ configure: (inout ClusterGenerator.Options) -> Void = { _ in }) throws
    -> ClusterModel
{
    var options = ClusterGenerator.Options()
    configure(&options)
    var generator = ClusterGenerator(options: options, seed: seed)
    return try loadModel(generator.manifests(), file: "generated-\(seed).yaml")
}

/// A cluster of `deployments` workloads in 4 namespaces and no policy, so that every pair connects, written by the
/// project's generator to a file of a fresh folder (the caller removes the folder).
public func openClusterFile(deployments: Int) throws -> String {
    var options = ClusterGenerator.Options()
    options.deployments = deployments
    options.policies = 0
    var generator = ClusterGenerator(options: options, seed: 3)
    return try temporaryFile(generator.manifests(), name: "open.yaml")
}
