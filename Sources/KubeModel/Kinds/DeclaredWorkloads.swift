/// A workloads file (`--workloads FILE`): pods an operator creates that neither manifests nor reachproof's own
/// operator models show, declared by the user so that policies are checked against them.
///
///     workloads:
///       - namespace: data          # required
///         name: events-kafka       # required: the workload's name in every answer
///         labels: {strimzi.io/cluster: events}
///         serviceAccount: events-kafka   # default: default
///         ports: [{name: tcp-clients, port: 9092, protocol: TCP}]
///         replicas: 3              # default: 1
enum DeclaredWorkloads {
    static let kind = "Declared"

    static func parse(_ root: Field) throws -> [Workload] {
        try root.requireKnownKeys(["workloads"])
        guard let list = root["workloads"] else { throw root.missing("workloads") }
        let items = try list.items()
        if items.isEmpty { throw list.error("the workloads list is empty") }
        return try items.readEach { item in try ErrorGatherer.gathering { try workload(item, &$0) } }
    }

    static func workload(_ item: Field, _ gatherer: inout ErrorGatherer) throws -> Workload {
        _ = try gatherer.read {
            try item.requireKnownKeys(["namespace", "name", "labels", "serviceAccount", "ports", "replicas"])
        }
        guard let nameField = item["name"] else { throw item.missing("name") }
        guard let namespaceField = item["namespace"] else { throw item.missing("namespace") }
        let name = try nameField.string()
        if let problem = LabelSyntax.subdomainProblem(name) { throw nameField.error("name \(problem)") }
        let namespace = try namespaceField.string()
        if let problem = LabelSyntax.dnsLabelProblem(namespace) { throw namespaceField.error("namespace \(problem)") }
        return Workload(
            kind: kind, name: name, namespace: namespace,
            labels: try item["labels"].map(LabelSyntax.checkLabels) ?? [:], annotations: [:],
            serviceAccount: try item["serviceAccount"]?.string() ?? "default",
            ports: try (item["ports"]?.items() ?? []).readEach { try WorkloadParser.port($0, numberKey: "port") },
            hostNetwork: false, replicas: try item["replicas"]?.int(in: 0...1_000_000) ?? 1,
            containerNames: [], location: item.location)
    }
}
