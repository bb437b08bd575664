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
    public let kind: String
    public let name: String
    public let namespace: String
    public let labels: [String: String]
    public let annotations: [String: String]
    public let serviceAccount: String
    public let ports: [ContainerPort]
    public let hostNetwork: Bool
    /// nil for DaemonSets (one per node) and CronJobs.
    public let replicas: Int?
    public let containerNames: [String]
    public let location: SourceLocation

    public var id: String { "\(namespace)/\(name)" }

    public init(
        kind: String, name: String, namespace: String, labels: [String: String], annotations: [String: String],
        serviceAccount: String, ports: [ContainerPort], hostNetwork: Bool, replicas: Int?,
        containerNames: [String], location: SourceLocation
    ) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.serviceAccount = serviceAccount
        self.ports = ports
        self.hostNetwork = hostNetwork
        self.replicas = replicas
        self.containerNames = containerNames
        self.location = location
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
    public let name: String
    public let namespace: String
    /// The Service object's own labels (what a Cilium `k8sServiceSelector` selects).
    public let labels: [String: String]
    public let type: String
    public let clusterIP: String?
    /// nil when the Service has no selector (its endpoints are managed by hand).
    public let selector: [String: String]?
    public let ports: [ServicePort]
    public let externalTrafficPolicy: String
    public let loadBalancerSourceRanges: [CIDR]
    public let location: SourceLocation

    /// Whether the workload's pods are endpoints of this Service (a Service without a selector has none here).
    public func selects(_ w: Workload) -> Bool {
        guard let selector, !selector.isEmpty, w.namespace == namespace else { return false }
        return selector.allSatisfy { w.labels[$0.key] == $0.value }
    }
}
