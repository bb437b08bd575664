/// What a set of manifests contains: counts by kind and namespace, pods per workload, and what was skipped.
public struct Inventory: Codable, Equatable {
    public struct WorkloadEntry: Codable, Equatable {
        public let workload: String
        public let kind: String
        /// nil for DaemonSets and CronJobs (not a fixed count).
        public let replicas: Int?
    }

    public let documents: Int
    public let objects: Int
    public let kinds: [String: Int]
    public let namespaces: [String: Int]
    public let workloads: [WorkloadEntry]
    public let unknownKinds: [String: Int]
    public let notYetModelled: [String: Int]
    public let inferredNamespaces: [String]
    public let skippedDocuments: [String]
    public let inferredDocumentStarts: [String]
    public let duplicates: [String]
    /// Objects Istio's validation refuses (`file:line: Kind ns/name: why`), left out of every verdict.
    public let rejected: [String]
    /// Namespaced objects without `metadata.namespace`, and where they went.
    public let namespaceDefaulted: Int
    public let defaultNamespace: String
    /// Controllers whose running pods in the input stood for their pod template.
    public let templatesReplacedByPods: Int
    /// Pods in phase Succeeded or Failed (no address, no replica).
    public let finishedPods: Int

    public init(_ model: ClusterModel) {
        documents = model.documentCount
        objects = model.objects.count
        // Each count hashes a name per object: kinds on one core, namespaces and the workload list on the other.
        var kinds: [String: Int] = [:]
        var namespaces: [String: Int] = [:]
        var workloads: [WorkloadEntry] = []
        concurrently(
            { for id in model.objects.keys { kinds[id.kind, default: 0] += 1 } },
            {
                for id in model.objects.keys { if let ns = id.namespace { namespaces[ns, default: 0] += 1 } }
                workloads = model.workloads.map {
                    WorkloadEntry(workload: $0.id, kind: $0.kind, replicas: $0.replicas)
                }
            })
        self.kinds = kinds
        self.namespaces = namespaces
        self.workloads = workloads
        unknownKinds = model.unknownKinds.mapValues(\.count)
        notYetModelled = model.unmodelled.mapValues(\.count)
        inferredNamespaces = model.inferredNamespaces
        skippedDocuments = model.skippedDocuments.sorted().map(\.description)
        inferredDocumentStarts = model.inferredDocumentStarts.map(\.description)
        duplicates = model.duplicates.map(\.description)
        rejected = model.rejected.map { "\($0.location): \($0.id): \($0.reason)" }
        namespaceDefaulted = model.namespaceDefaulted.count
        defaultNamespace = model.namespaceDefaulted.namespace
        templatesReplacedByPods = model.templatesReplacedByPods
        finishedPods = model.finishedPods
    }
}
