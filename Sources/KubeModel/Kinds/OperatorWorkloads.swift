/// Pods the Prometheus Operator runs for its custom resources. Each Prometheus, Alertmanager and ThanosRuler becomes
/// the StatefulSet the operator would create, named as the operator names it (`prometheus-<name>`, shards
/// `prometheus-<name>-shard-<n>`, `alertmanager-<name>`, `thanos-ruler-<name>`), so that a manifest and a live dump
/// of the same cluster name the same workloads. Its pods carry the operator's identity labels, overriding
/// `spec.podMetadata.labels`, and the ports of the operator's containers plus those of `spec.containers`
/// (prometheus-operator `pkg/prometheus/server/statefulset.go`, `pkg/alertmanager/statefulset.go`,
/// `pkg/thanos/statefulset.go`).
enum OperatorWorkloads {
    static let versions: Set<String> = ["monitoring.coreos.com/v1"]

    /// What the operator builds for one kind: the StatefulSet's name prefix, the identity labels beside
    /// `app.kubernetes.io/instance` and the kind's own `<label>: <name>`, and the ports of its containers.
    struct Shape {
        let prefix: String
        let nameLabel: String
        /// The port named by `spec.portName` (default `web`), absent under `spec.listenLocal`.
        let webPort: Int
        let otherPorts: [ContainerPort]
    }

    static let shapes: [String: Shape] = [
        "Prometheus": Shape(prefix: "prometheus", nameLabel: "prometheus", webPort: 9090, otherPorts: []),
        "Alertmanager": Shape(
            prefix: "alertmanager", nameLabel: "alertmanager", webPort: 9093,
            otherPorts: [
                ContainerPort(name: "mesh-tcp", number: 9094, proto: .tcp),
                ContainerPort(name: "mesh-udp", number: 9094, proto: .udp),
            ]),
        "ThanosRuler": Shape(
            prefix: "thanos-ruler", nameLabel: "thanos-ruler", webPort: 10902,
            otherPorts: [ContainerPort(name: "grpc", number: 10901, proto: .tcp)]),
    ]

    /// The StatefulSets one resource stands for (one per Prometheus shard).
    static func parse(kind: String, root: Field, id: ObjectID) throws -> [Workload] {
        guard let shape = shapes[kind] else { return [] }
        guard let spec = root["spec"] else { throw root.missing("spec") }
        let name = id.name
        let podMetadata = spec["podMetadata"]
        var labels = try podMetadata?["labels"].map(LabelSyntax.checkLabels) ?? [:]
        labels["app.kubernetes.io/name"] = shape.nameLabel
        labels["app.kubernetes.io/managed-by"] = "prometheus-operator"
        labels["app.kubernetes.io/instance"] = name
        labels[shape.nameLabel] = name
        var ports: [ContainerPort] = []
        if try spec["listenLocal"]?.bool() != true {
            ports.append(
                ContainerPort(name: try spec["portName"]?.string() ?? "web", number: shape.webPort, proto: .tcp))
        }
        ports += shape.otherPorts
        // A Prometheus with a Thanos sidecar serves its gRPC store API and HTTP on the sidecar's ports.
        if kind == "Prometheus", spec["thanos"] != nil {
            ports += [
                ContainerPort(name: "grpc", number: 10901, proto: .tcp),
                ContainerPort(name: "http", number: 10902, proto: .tcp),
            ]
        }
        for container in try spec["containers"]?.items() ?? [] {
            ports += try (container["ports"]?.items() ?? []).readEach {
                try WorkloadParser.port($0, numberKey: "containerPort")
            }
        }
        // A negative replica count is taken as zero by the operator.
        let replicas = max(0, try spec["replicas"]?.int(in: Int(Int32.min)...Int(Int32.max)) ?? 1)
        let shards = kind == "Prometheus" ? max(1, try spec["shards"]?.int(in: Int(Int32.min)...1000) ?? 1) : 1
        let annotations = try podMetadata?["annotations"]?.stringMap() ?? [:]
        let serviceAccount = try spec["serviceAccountName"]?.string() ?? "default"
        let hostNetwork = try spec["hostNetwork"]?.bool() ?? false
        return (0..<shards).map { shard in
            var shardLabels = labels
            if kind == "Prometheus" {
                shardLabels["operator.prometheus.io/name"] = name
                shardLabels["operator.prometheus.io/shard"] = String(shard)
            }
            return Workload(
                kind: kind, name: shard == 0 ? "\(shape.prefix)-\(name)" : "\(shape.prefix)-\(name)-shard-\(shard)",
                namespace: id.namespace ?? "default", labels: shardLabels,
                annotations: annotations, serviceAccount: serviceAccount, ports: ports, hostNetwork: hostNetwork,
                replicas: replicas,
                containerNames: [shape.prefix], location: root.location)
        }
    }
}
