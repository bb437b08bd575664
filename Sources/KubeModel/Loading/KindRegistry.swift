import Foundation

/// An API group and a kind. Resources are told apart by both: Istio's `Gateway` (networking.istio.io) and a
/// Calico `NetworkPolicy` (projectcalico.org) are other resources than the same kind names elsewhere.
public struct GroupKind: Hashable, Sendable, CustomStringConvertible {
    /// "" for the core group (`v1`).
    public let group: String
    public let kind: String

    public init(_ group: String, _ kind: String) {
        self.group = group
        self.kind = kind
    }

    public init(apiVersion: String, kind: String) {
        // Once per object: the standard library's search, not Foundation's string search.
        self.init(apiVersion.firstIndex(of: "/").map { String(apiVersion[..<$0]) } ?? "", kind)
    }

    public var description: String { group.isEmpty ? kind : "\(kind).\(group)" }
}

/// One object as the readers see it.
struct ObjectInput {
    let id: ObjectID
    let kind: String
    let root: Field

    var metadata: Field { root["metadata"]! }
    var spec: Field? { root["spec"] }
    /// The namespace of a namespaced object (identities of namespaced kinds always have one).
    var namespace: String { id.namespace ?? "default" }
    var location: SourceLocation { root.location }

    func requireSpec() throws -> Field {
        guard let spec else { throw root.missing("spec") }
        return spec
    }

    /// `metadata.creationTimestamp`, which orders Istio objects of one scope.
    func created() throws -> String? { try metadata["creationTimestamp"]?.string() }
}

/// How a typed object joins the model; returned by a reader, applied in input order.
typealias ModelAddition = (inout ModelBuilder) -> Void

/// How one resource is read: the API versions accepted for it, its scope, and its parser. Readers run on any
/// thread; what they return is applied to the model in input order.
struct KindReader {
    /// Accepted `apiVersion` values (group/version).
    let versions: Set<String>
    let clusterScoped: Bool
    let read: (ObjectInput) throws -> ModelAddition

    init(_ versions: Set<String>, clusterScoped: Bool = false, read: @escaping (ObjectInput) throws -> ModelAddition) {
        self.versions = versions
        self.clusterScoped = clusterScoped
        self.read = read
    }
}

/// Every resource the loader reads, by API group and kind. Adding a resource is its parser (one file) plus one entry
/// here.
enum KindRegistry {
    static let readers: [GroupKind: KindReader] = {
        var r: [GroupKind: KindReader] = [:]
        func add(_ kind: String, _ versions: Set<String>, _ reader: KindReader) {
            for group in Set(versions.map { GroupKind(apiVersion: $0, kind: kind).group }) {
                r[GroupKind(group, kind)] = reader
            }
        }
        func register(
            _ kind: String, _ versions: Set<String>, clusterScoped: Bool = false,
            _ read: @escaping (ObjectInput) throws -> ModelAddition
        ) {
            add(kind, versions, KindReader(versions, clusterScoped: clusterScoped, read: read))
        }
        let istioNetworking: Set<String> = [
            "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3",
        ]
        let istioSecurity: Set<String> = ["security.istio.io/v1", "security.istio.io/v1beta1"]

        register("Namespace", ["v1"], clusterScoped: true) { o in
            let ns = Namespace(
                name: o.id.name, labels: try o.metadata["labels"].map(LabelSyntax.checkLabels) ?? [:],
                inferred: false, location: o.location)
            return { $0.namespaces[o.id.name] = ns }
        }
        for (kind, versions) in WorkloadParser.versions {
            register(kind, versions) { o in
                guard let w = try WorkloadParser.parse(kind: o.kind, root: o.root, id: o.id) else { return { _ in } }
                let owner = try WorkloadParser.controllerOwner(o.metadata)
                return { $0.addWorkload(w, owner: owner) }
            }
        }
        for kind in OperatorWorkloads.shapes.keys {
            register(kind, OperatorWorkloads.versions) { o in
                let workloads = try OperatorWorkloads.parse(kind: o.kind, root: o.root, id: o.id)
                return { builder in
                    for w in workloads { builder.addWorkload(w, owner: nil, objectName: o.id.name) }
                }
            }
        }
        register("Service", ["v1"]) { o in
            let s = try ServiceParser.parse(
                o.requireSpec(), name: o.id.name, namespace: o.namespace,
                labels: try o.metadata["labels"]?.stringMap() ?? [:], location: o.location)
            return { $0.model.services.append(s) }
        }
        register("Endpoints", ["v1"]) { o in
            let e = try ServiceEndpoints.parseEndpoints(
                o.root, name: o.id.name, namespace: o.namespace, location: o.location)
            return { $0.model.serviceEndpoints.append(e) }
        }
        register("EndpointSlice", ["discovery.k8s.io/v1"]) { o in
            let e = try ServiceEndpoints.parseSlice(
                o.root, metadata: o.metadata, namespace: o.namespace, location: o.location)
            return { $0.model.serviceEndpoints.append(e) }
        }
        register("NetworkPolicy", ["networking.k8s.io/v1", "extensions/v1beta1"]) { o in
            let p = try NetworkPolicy.parse(
                o.requireSpec(), name: o.id.name, namespace: o.namespace, location: o.location)
            return { $0.model.networkPolicies.append(p) }
        }
        register("AdminNetworkPolicy", ["policy.networking.k8s.io/v1alpha1"], clusterScoped: true) { o in
            let p = try AdminNetworkPolicy.parse(o.requireSpec(), tier: .admin, name: o.id.name, location: o.location)
            return { $0.model.adminPolicies.append(p) }
        }
        register("BaselineAdminNetworkPolicy", ["policy.networking.k8s.io/v1alpha1"], clusterScoped: true) { o in
            let p = try AdminNetworkPolicy.parse(
                o.requireSpec(), tier: .baseline, name: o.id.name, location: o.location)
            return { $0.model.baselinePolicy = p }
        }
        register(ClusterNetworkPolicy.kind, ClusterNetworkPolicy.versions, clusterScoped: true) { o in
            let p = try ClusterNetworkPolicy.parse(o.requireSpec(), name: o.id.name, location: o.location)
            return { $0.model.clusterNetworkPolicies.append(p) }
        }
        register(CiliumNetworkPolicy.namespacedKind, CiliumNetworkPolicy.versions) { o in
            let p = try CiliumNetworkPolicy.parse(
                o.root, spec: o.root["spec"], specs: o.root["specs"], kind: CiliumNetworkPolicy.namespacedKind,
                name: o.id.name, namespace: o.namespace, location: o.location)
            return { $0.model.ciliumPolicies.append(p) }
        }
        register(CiliumNetworkPolicy.clusterwideKind, CiliumNetworkPolicy.versions, clusterScoped: true) { o in
            let p = try CiliumNetworkPolicy.parse(
                o.root, spec: o.root["spec"], specs: o.root["specs"], kind: CiliumNetworkPolicy.clusterwideKind,
                name: o.id.name, namespace: nil, location: o.location)
            return { $0.model.ciliumPolicies.append(p) }
        }
        register(
            CiliumNetworkPolicy.CIDRGroup.kind, CiliumNetworkPolicy.CIDRGroup.versions, clusterScoped: true
        ) { o in
            let g = try CiliumNetworkPolicy.CIDRGroup.parse(
                o.requireSpec(), name: o.id.name, labels: try o.metadata["labels"]?.stringMap() ?? [:])
            return { $0.model.ciliumCIDRGroups.append(g) }
        }
        register("Ingress", ["networking.k8s.io/v1"]) { o in
            let i = try Ingress.parse(
                o.requireSpec(), metadata: o.metadata, name: o.id.name, namespace: o.namespace, location: o.location)
            return { $0.model.ingresses.append(i) }
        }
        register("IngressClass", ["networking.k8s.io/v1"], clusterScoped: true) { o in
            let c = try IngressClass.parse(o.requireSpec(), metadata: o.metadata, name: o.id.name)
            return { $0.model.ingressClasses.append(c) }
        }
        register("GatewayClass", GatewayClass.versions, clusterScoped: true) { o in
            let c = try GatewayClass.parse(o.requireSpec(), name: o.id.name, location: o.location)
            return { $0.model.gatewayClasses.append(c) }
        }
        register("Gateway", Gateway.versions) { o in
            let g = try Gateway.parse(o.requireSpec(), name: o.id.name, namespace: o.namespace, location: o.location)
            return { $0.model.gateways.append(g) }
        }
        for kind in GatewayRoute.Kind.allCases {
            register(kind.rawValue, kind.versions) { o in
                let r = try GatewayRoute.parse(
                    o.requireSpec(), kind: kind, name: o.id.name, namespace: o.namespace, created: o.created(),
                    location: o.location)
                return { $0.model.gatewayRoutes.append(r) }
            }
        }
        register("ReferenceGrant", ReferenceGrant.versions) { o in
            let g = try ReferenceGrant.parse(
                o.requireSpec(), name: o.id.name, namespace: o.namespace, location: o.location)
            return { $0.model.referenceGrants.append(g) }
        }
        register("PeerAuthentication", istioSecurity) { o in
            let pa = try PeerAuthentication.parse(
                o.spec ?? o.root, name: o.id.name, namespace: o.namespace, created: o.created(), location: o.location)
            if let why = pa.rejection { return { $0.model.rejected.append((o.id, o.location, why)) } }
            return { $0.model.peerAuthentications.append(pa) }
        }
        register("AuthorizationPolicy", istioSecurity) { o in
            let ap = try AuthorizationPolicy.parse(
                o.spec, name: o.id.name, namespace: o.namespace, location: o.location)
            if let why = ap.rejection { return { $0.model.rejected.append((o.id, o.location, why)) } }
            return { $0.model.authorizationPolicies.append(ap) }
        }
        register("DestinationRule", istioNetworking) { o in
            let d = try DestinationRule.parse(
                o.requireSpec(), name: o.id.name, namespace: o.namespace, created: o.created(), location: o.location)
            return { $0.model.destinationRules.append(d) }
        }
        register("Gateway", istioNetworking) { o in
            let g = try IstioGateway.parse(
                o.requireSpec(), name: o.id.name, namespace: o.namespace, location: o.location)
            return { $0.model.istioGateways.append(g) }
        }
        register("VirtualService", istioNetworking) { o in
            let v = try VirtualService.parse(
                o.requireSpec(), name: o.id.name, namespace: o.namespace, created: o.created(), location: o.location)
            return { $0.model.virtualServices.append(v) }
        }
        register("Sidecar", istioNetworking) { o in
            let s = try SidecarScope.parse(
                o.requireSpec(), name: o.id.name, namespace: o.namespace, created: o.created(), location: o.location)
            return { $0.model.sidecars.append(s) }
        }
        return r
    }()

    /// Every accepted apiVersion of a kind, over all groups that serve it (for error messages).
    static func versions(ofKind kind: String) -> Set<String> {
        readers.filter { $0.key.kind == kind }.values.reduce(into: Set<String>()) { $0.formUnion($1.versions) }
    }

    /// Kind names read under more than one group, and the group whose objects keep the bare name in identities;
    /// the others are named `Kind.group` (a Gateway API Gateway beside an Istio Gateway of the same name).
    static let bareKindGroups = ["Gateway": "networking.istio.io"]

    /// The kind as object identities name it.
    static func identityName(of gk: GroupKind) -> String {
        if knows(kind: gk.kind) && readers[gk] == nil { return gk.description }
        if let bare = bareKindGroups[gk.kind], bare != gk.group { return gk.description }
        return gk.kind
    }

    /// Whether some group serves this kind.
    static func knows(kind: String) -> Bool { kindNames.contains(kind) }

    /// The kinds some group serves, asked once per object.
    private static let kindNames = Set(readers.keys.map(\.kind))

    /// Resources that decide reachability at layers this version does not model yet: listed, never dropped silently.
    static let laterLayers: Set<GroupKind> = [
        GroupKind("security.istio.io", "RequestAuthentication"), GroupKind("networking.istio.io", "ServiceEntry"),
        GroupKind("networking.istio.io", "WorkloadEntry"), GroupKind("networking.istio.io", "EnvoyFilter"),
    ]

    /// Custom resources whose operators run pods (databases, brokers, search, CI runs, progressive delivery): their
    /// pods are absent from manifests, so what selects "nothing" may select them once the operator acts. Kept as a
    /// list of widely used operators; a kind missing here is still reported among the skipped kinds.
    static let podCreatingKinds: Set<GroupKind> = {
        let byGroup: [String: [String]] = [
            "monitoring.coreos.com": ["PrometheusAgent"],
            "postgresql.cnpg.io": ["Cluster", "Pooler"], "acid.zalan.do": ["postgresql"],
            "kafka.strimzi.io": ["Kafka", "KafkaConnect", "KafkaMirrorMaker2", "KafkaBridge", "KafkaNodePool"],
            "elasticsearch.k8s.elastic.co": ["Elasticsearch"], "kibana.k8s.elastic.co": ["Kibana"],
            "apm.k8s.elastic.co": ["ApmServer"], "beat.k8s.elastic.co": ["Beat"], "agent.k8s.elastic.co": ["Agent"],
            "logstash.k8s.elastic.co": ["Logstash"], "opensearch.opster.io": ["OpenSearchCluster"],
            "rabbitmq.com": ["RabbitmqCluster"], "mongodbcommunity.mongodb.com": ["MongoDBCommunity"],
            "mysql.oracle.com": ["InnoDBCluster"], "pxc.percona.com": ["PerconaXtraDBCluster"],
            "psmdb.percona.com": ["PerconaServerMongoDB"], "redis.redis.opstreelabs.in": ["Redis", "RedisCluster"],
            "cassandra.datastax.com": ["CassandraDatacenter"], "clickhouse.altinity.com": ["ClickHouseInstallation"],
            "minio.min.io": ["Tenant"], "argoproj.io": ["Rollout", "Workflow", "CronWorkflow"],
            "tekton.dev": ["TaskRun", "PipelineRun"], "serving.knative.dev": ["Service"],
            "sparkoperator.k8s.io": ["SparkApplication", "ScheduledSparkApplication"],
            "flink.apache.org": ["FlinkDeployment"], "ray.io": ["RayCluster", "RayJob", "RayService"],
            "kubeflow.org": ["TFJob", "PyTorchJob", "MPIJob", "Notebook"], "batch.volcano.sh": ["Job"],
            "keda.sh": ["ScaledJob"], "grafana.integreatly.org": ["Grafana"], "jaegertracing.io": ["Jaeger"],
            "opentelemetry.io": ["OpenTelemetryCollector"],
        ]
        return Set(byGroup.flatMap { group, kinds in kinds.map { GroupKind(group, $0) } })
    }()

    /// API groups of CNI-specific policy (Calico, Cilium, Antrea): objects there change verdicts this version cannot
    /// compute. Cilium's group also holds state (CiliumEndpoint, CiliumNode, CiliumIdentity, ...) that a dump carries
    /// and that decides nothing: there only the kinds that change where traffic goes count.
    static let cniPolicyGroups: Set<String> = [
        "projectcalico.org", "crd.projectcalico.org", "cilium.io", "crd.antrea.io", "security.antrea.io",
    ]
    static let ciliumTrafficKinds: Set<String> = [
        "CiliumEgressGatewayPolicy", "CiliumLocalRedirectPolicy", "CiliumEnvoyConfig", "CiliumClusterwideEnvoyConfig",
    ]

    static func isCNIPolicy(_ gk: GroupKind) -> Bool {
        cniPolicyGroups.contains(gk.group) && (gk.group != "cilium.io" || ciliumTrafficKinds.contains(gk.kind))
    }

    /// Object identities (kind, or kind.group for a kind name taken elsewhere) of cluster-scoped resources that
    /// are not read, so that their identities carry no namespace.
    static let unreadClusterScoped: Set<String> = [
        "GlobalNetworkPolicy.projectcalico.org", "GlobalNetworkPolicy.crd.projectcalico.org",
        "ClusterNetworkPolicy.crd.antrea.io", "CiliumEgressGatewayPolicy", "CiliumClusterwideEnvoyConfig",
        "CiliumIdentity", "CiliumNode", "CiliumLoadBalancerIPPool", "CiliumExternalWorkload", "Node",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition", "PersistentVolume", "StorageClass", "PriorityClass",
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "GlobalNetworkPolicy",
    ]
}
