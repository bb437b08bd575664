import Foundation

/// Everything the manifests declare that the engine reads, plus what the loader noticed and skipped.
public struct ClusterModel {
    public internal(set) var namespaces: [String: Namespace] = [:]
    public internal(set) var workloads: [Workload] = []
    public internal(set) var services: [Service] = []
    public internal(set) var ingresses: [Ingress] = []
    public internal(set) var ingressClasses: [IngressClass] = []
    /// Endpoints and EndpointSlices, for Services without a selector.
    public internal(set) var serviceEndpoints: [ServiceEndpoints] = []
    public internal(set) var networkPolicies: [NetworkPolicy] = []
    /// Admin-tier policies, in evaluation order (priority, then name).
    public internal(set) var adminPolicies: [AdminNetworkPolicy] = []
    public internal(set) var baselinePolicy: AdminNetworkPolicy?
    /// ClusterNetworkPolicies of both tiers, by name.
    public internal(set) var clusterNetworkPolicies: [ClusterNetworkPolicy] = []
    public internal(set) var peerAuthentications: [PeerAuthentication] = []
    public internal(set) var authorizationPolicies: [AuthorizationPolicy] = []
    public internal(set) var destinationRules: [DestinationRule] = []
    public internal(set) var istioGateways: [IstioGateway] = []
    public internal(set) var virtualServices: [VirtualService] = []
    public internal(set) var sidecars: [SidecarScope] = []
    /// Gateway API resources (gateway.networking.k8s.io).
    public internal(set) var gatewayClasses: [GatewayClass] = []
    public internal(set) var gateways: [Gateway] = []
    /// HTTPRoutes, GRPCRoutes, TLSRoutes, TCPRoutes and UDPRoutes.
    public internal(set) var gatewayRoutes: [GatewayRoute] = []
    public internal(set) var referenceGrants: [ReferenceGrant] = []
    /// Objects Istio's validation would have refused (they could never be applied): reported and left out.
    public internal(set) var rejected: [(id: ObjectID, location: SourceLocation, reason: String)] = []
    /// Every object read, by identity, with where it was defined.
    public internal(set) var objects: [ObjectID: SourceLocation] = [:]
    /// Objects of kinds the tool knows of but does not model yet (they belong to later layers).
    public internal(set) var unmodelled: [String: [ObjectID]] = [:]
    /// Objects of kinds the tool does not know.
    public internal(set) var unknownKinds: [String: [ObjectID]] = [:]
    /// CNI-specific policies (Calico, Cilium, Antrea) among the unknown kinds: while any is present, no verdict is
    /// sound.
    /// CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies.
    public internal(set) var ciliumPolicies: [CiliumNetworkPolicy] = []
    public internal(set) var ciliumCIDRGroups: [CiliumNetworkPolicy.CIDRGroup] = []
    public internal(set) var cniPolicies: [ObjectID] = []
    /// Documents with neither apiVersion nor kind (values files, expected results): not Kubernetes objects.
    public internal(set) var skippedDocuments: [SourceLocation] = []
    /// Skipped custom resources whose operators run pods, by `Kind.group`, with their counts: pods the input does
    /// not show may exist.
    public internal(set) var podCreatingResources: [String: Int] = [:]
    /// Identical objects defined more than once (kept once).
    public internal(set) var duplicates: [ObjectID] = []
    public internal(set) var documentCount = 0
    /// Namespaced objects written without `metadata.namespace`, and the namespace they were put in.
    public internal(set) var namespaceDefaulted = (count: 0, namespace: "default")
    /// Documents that began without a `---` (concatenated files), where a repeated top-level key showed the start.
    public internal(set) var inferredDocumentStarts: [SourceLocation] = []
    /// The workload name of each pod of the input (`ns/pod` -> name), where a workload stands for several pods or
    /// is named otherwise than its pod.
    public internal(set) var podWorkloads: [String: String] = [:]
    /// The controller of each workload that is one of several groups of a controller's pods (`ns/group` ->
    /// `ns/controller`), named after the controller's workload.
    public internal(set) var groupControllers: [String: String] = [:]
    /// Controllers whose pod template was left out because their running pods are in the input.
    public internal(set) var templatesReplacedByPods = 0
    /// Pods in phase Succeeded or Failed: they have no address and count as no replica.
    public internal(set) var finishedPods = 0

    public init() {}

    /// Named assumptions the input itself brings: operator resources stand for pods whose labels vary with the
    /// operator's release.
    public var inputAssumptions: [String] {
        var out: [String] = []
        if workloads.indices.contains(where: { OperatorWorkloads.shapes[workloads[$0].kind] != nil }) {
            out.append("A-OPERATOR-PODS")
        }
        if !gatewayRoutes.isEmpty {
            // A request goes to the most specific route hostname its listener serves, and a 404 there does not fall
            // back to less specific ones (Envoy's virtual hosts, nginx's server blocks).
            out.append("A-GATEWAY-HOSTNAME=most-specific")
        }
        if !ciliumPolicies.isEmpty {
            // Cilium's policy enforcement mode (docs/SEMANTICS.md §4.2), unless another is bound (`--assume`).
            out.append("A-CILIUM-ENFORCEMENT=default")
            let sections = ciliumPolicies.flatMap { $0.rules.flatMap(\.sections) }
            if sections.contains(where: \.icmp) {
                // ICMP rules name ICMP types; the model has one class for every protocol without ports.
                out.append("A-CILIUM-ICMP=portless-protocols")
            }
            if sections.contains(where: { !$0.cidrs.isEmpty || $0.fqdns || !$0.services.isEmpty }) {
                // CIDR rules match outside addresses only, not node addresses (the agent's policy-cidr-match-mode).
                out.append("A-CILIUM-CIDR-MATCH=default")
            }
            if sections.contains(where: { !$0.l7Kinds.isEmpty }) {
                // L7 rules filter requests inside connections the L4 part admits.
                out.append("A-CILIUM-L7=connections")
            }
        }
        return out
    }

    /// Whether a Cilium selector reads pods' service accounts (`io.cilium.k8s.policy.serviceaccount`), a label of every
    /// Cilium identity: pods then carry it as a label.
    public var ciliumSelectsServiceAccounts: Bool {
        ciliumPolicies.contains { p in
            p.rules.contains { r in
                let selectors =
                    [r.endpointSelector].compactMap { $0 }
                    + r.sections.flatMap(\.endpoints)
                return selectors.contains { s in
                    s.pods.requirements.contains { $0.key == CiliumNetworkPolicy.serviceAccountKey }
                }
            }
        }
    }

    /// Every label key a pod selector of the input reads: NetworkPolicies, admin policies, Services and Istio's
    /// workload selectors.
    var selectorKeys: Set<String> {
        var keys = Set<String>()
        func add(_ s: LabelSelector?) { for r in s?.requirements ?? [] { keys.insert(r.key) } }
        func add(_ labels: [String: String]?) { if let labels { for key in labels.keys { keys.insert(key) } } }
        // Rule lists are walked where they lie: joining them would copy them, for every policy of a large cluster.
        for p in networkPolicies {
            add(p.podSelector)
            for rules in [p.ingress, p.egress] {
                for rule in rules {
                    for peer in rule.peers { if case .pods(_, let pods) = peer.selection { add(pods) } }
                }
            }
        }
        for p in adminPolicies + [baselinePolicy].compactMap({ $0 }) {
            add(p.subject.pods)
            for rules in [p.ingress, p.egress] {
                for rule in rules { for case .pods(let set) in rule.peers { add(set.pods) } }
            }
        }
        for p in ciliumPolicies {
            for r in p.rules {
                add(r.endpointSelector?.pods)
                for sections in [r.ingress, r.egress, r.ingressDeny, r.egressDeny] {
                    for s in sections { for e in s.endpoints { add(e.pods) } }
                }
            }
        }
        for s in services { add(s.selector) }
        for g in istioGateways { add(g.selector) }
        for s in sidecars { add(s.selector) }
        for p in authorizationPolicies { add(p.selector) }
        for p in peerAuthentications { add(p.selector) }
        return keys
    }

    public var sortedNamespaces: [Namespace] { namespaces.values.sorted { $0.name < $1.name } }
    public var inferredNamespaces: [String] { namespaces.values.filter(\.inferred).map(\.name).sorted() }

    public func workload(_ id: String) -> Workload? { workloads.first { $0.id == id } }
}

extension ClusterModel {
    /// This model with the policies of `other` in place of its own of the same kinds in the given namespaces (what
    /// applying generated policies that replace the current ones would give). Kinds: NetworkPolicy,
    /// AuthorizationPolicy, PeerAuthentication.
    public func replacingPolicies(in namespaces: Set<String>, kinds: Set<String>, with other: ClusterModel)
        -> ClusterModel
    {
        var out = self
        if kinds.contains("NetworkPolicy") {
            out.networkPolicies = networkPolicies.filter { !namespaces.contains($0.namespace) } + other.networkPolicies
            out.networkPolicies.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        }
        if kinds.contains(CiliumNetworkPolicy.namespacedKind) {
            out.ciliumPolicies =
                ciliumPolicies.filter { $0.namespace.map { !namespaces.contains($0) } ?? true } + other.ciliumPolicies
        }
        if kinds.contains("AuthorizationPolicy") {
            out.authorizationPolicies =
                authorizationPolicies.filter { !namespaces.contains($0.namespace) } + other.authorizationPolicies
        }
        if kinds.contains("PeerAuthentication") {
            out.peerAuthentications =
                peerAuthentications.filter { !namespaces.contains($0.namespace) || $0.selector != nil }
                + other.peerAuthentications
        }
        out.sortIstioObjects()
        return out
    }
}
