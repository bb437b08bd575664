/// Identity of an object: kind, namespace (nil when cluster-scoped) and name.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let kind: String
    public let namespace: String?
    public let name: String

    public init(kind: String, namespace: String?, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    public var description: String { namespace.map { "\(kind) \($0)/\(name)" } ?? "\(kind) \(name)" }
    public static func < (a: ObjectID, b: ObjectID) -> Bool {
        (a.kind, a.namespace ?? "", a.name) < (b.kind, b.namespace ?? "", b.name)
    }
}

/// A namespace with its labels. `inferred` namespaces were referenced by objects but not declared.
public struct Namespace: Hashable, Sendable {
    public let name: String
    public let labels: [String: String]
    public let inferred: Bool
    public let location: SourceLocation?

    public init(name: String, labels: [String: String], inferred: Bool, location: SourceLocation?) {
        var all = labels
        // The API server sets this immutable label on every namespace since Kubernetes 1.22.
        all["kubernetes.io/metadata.name"] = name
        self.name = name
        self.labels = all
        self.inferred = inferred
        self.location = location
    }
}

/// The pods one controller (or one bare Pod) creates: they share labels, ports and identity, so the engine
/// treats them as one endpoint; `replicas` is kept for reports.
public struct Workload: Hashable, Sendable {
    private let fields: SharedValue<Fields>
    private struct Fields: Hashable, Sendable {
        let kind: String
        let name: String
        let namespace: String
        let labels: [String: String]
        let annotations: [String: String]
        let serviceAccount: String
        let ports: [ContainerPort]
        let hostNetwork: Bool
        let replicas: Int?
        let containerNames: [String]
        let location: SourceLocation
    }

    public var kind: String { fields.value.kind }
    public var name: String { fields.value.name }
    public var namespace: String { fields.value.namespace }
    public var labels: [String: String] { fields.value.labels }
    public var annotations: [String: String] { fields.value.annotations }
    public var serviceAccount: String { fields.value.serviceAccount }
    public var ports: [ContainerPort] { fields.value.ports }
    public var hostNetwork: Bool { fields.value.hostNetwork }
    /// nil for DaemonSets (one per node) and CronJobs.
    public var replicas: Int? { fields.value.replicas }
    public var containerNames: [String] { fields.value.containerNames }
    public var location: SourceLocation { fields.value.location }

    public var id: String { "\(namespace)/\(name)" }

    public init(
        kind: String, name: String, namespace: String, labels: [String: String], annotations: [String: String],
        serviceAccount: String, ports: [ContainerPort], hostNetwork: Bool, replicas: Int?,
        containerNames: [String], location: SourceLocation
    ) {
        fields = SharedValue(
            Fields(
                kind: kind, name: name, namespace: namespace, labels: labels, annotations: annotations,
                serviceAccount: serviceAccount, ports: ports, hostNetwork: hostNetwork, replicas: replicas,
                containerNames: containerNames, location: location))
    }
}

public struct ServicePort: Hashable, Sendable {
    public let name: String?
    public let proto: L4Protocol
    public let port: Int
    public let targetPort: PortRef
    public let nodePort: Int?
    public let appProtocol: String?
    public let location: SourceLocation
}

public struct Service: Hashable, Sendable {
    private let fields: SharedValue<Fields>
    private struct Fields: Hashable, Sendable {
        let name: String
        let namespace: String
        let labels: [String: String]
        let type: String
        let clusterIP: String?
        let selector: [String: String]?
        let ports: [ServicePort]
        let externalTrafficPolicy: String
        let loadBalancerSourceRanges: [CIDR]
        let location: SourceLocation
    }

    public var name: String { fields.value.name }
    public var namespace: String { fields.value.namespace }
    /// The Service object's own labels (what a Cilium `k8sServiceSelector` selects).
    public var labels: [String: String] { fields.value.labels }
    public var type: String { fields.value.type }
    public var clusterIP: String? { fields.value.clusterIP }
    /// nil when the Service has no selector (its endpoints are managed by hand).
    public var selector: [String: String]? { fields.value.selector }
    public var ports: [ServicePort] { fields.value.ports }
    public var externalTrafficPolicy: String { fields.value.externalTrafficPolicy }
    public var loadBalancerSourceRanges: [CIDR] { fields.value.loadBalancerSourceRanges }
    public var location: SourceLocation { fields.value.location }

    init(
        name: String, namespace: String, labels: [String: String], type: String, clusterIP: String?,
        selector: [String: String]?, ports: [ServicePort], externalTrafficPolicy: String,
        loadBalancerSourceRanges: [CIDR], location: SourceLocation
    ) {
        fields = SharedValue(
            Fields(
                name: name, namespace: namespace, labels: labels, type: type, clusterIP: clusterIP,
                selector: selector, ports: ports, externalTrafficPolicy: externalTrafficPolicy,
                loadBalancerSourceRanges: loadBalancerSourceRanges, location: location))
    }

    /// Whether the workload's pods are endpoints of this Service (a Service without a selector has none here).
    public func selects(_ w: Workload) -> Bool {
        guard let selector, !selector.isEmpty, w.namespace == namespace else { return false }
        return selector.allSatisfy { w.labels[$0.key] == $0.value }
    }
}
