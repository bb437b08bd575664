import Foundation

extension Workload {
    /// The pods of a controller as one workload: under the controller's kind and the given name, with the labels
    /// every pod of the group shares, and as many replicas as pods.
    func standingFor(kind newKind: String, name newName: String, labels newLabels: [String: String], replicas n: Int)
        -> Workload
    {
        Workload(
            kind: newKind, name: newName, namespace: namespace, labels: newLabels, annotations: annotations,
            serviceAccount: serviceAccount, ports: ports, hostNetwork: hostNetwork, replicas: n,
            containerNames: containerNames, location: location)
    }
}

enum WorkloadParser {
    /// Kinds whose objects carry a pod template (or are pods), with their accepted apiVersions.
    static let versions: [String: Set<String>] = [
        "Pod": ["v1"], "ReplicationController": ["v1"],
        "Deployment": ["apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"],
        "StatefulSet": ["apps/v1", "apps/v1beta1", "apps/v1beta2"],
        "DaemonSet": ["apps/v1", "apps/v1beta2", "extensions/v1beta1"],
        "ReplicaSet": ["apps/v1", "apps/v1beta2", "extensions/v1beta1"],
        "Job": ["batch/v1"], "CronJob": ["batch/v1", "batch/v1beta1"],
        // KubeVirt: a VMI runs in a virt-launcher pod it owns; a VM owns its VMI.
        "VirtualMachine": kubeVirt, "VirtualMachineInstance": kubeVirt,
    ]
    static let kubeVirt: Set<String> = ["kubevirt.io/v1", "kubevirt.io/v1alpha3"]

    /// The pod template of a workload object (the object itself for a Pod).
    static func parse(kind: String, root: Field, id: ObjectID) throws -> Workload? {
        guard versions[kind] != nil else { return nil }
        guard let spec = root["spec"] else { throw root.missing("spec") }
        if kind == "VirtualMachine" || kind == "VirtualMachineInstance" {
            return try virtualMachine(kind: kind, root: root, spec: spec, id: id)
        }
        var replicas: Int? = 1
        var podMeta: Field?
        var podSpec: Field
        var selector: (field: Field, parsed: LabelSelector)?
        switch kind {
        case "Pod":
            podMeta = root["metadata"]
            podSpec = spec
            // A pod that ran to completion (or failed) has no IP any more: present but empty.
            if let phase = try root["status"]?["phase"]?.string(), phase == "Succeeded" || phase == "Failed" {
                replicas = 0
            }
        case "CronJob":
            guard let jt = spec["jobTemplate"], let js = jt["spec"], let t = js["template"], let ps = t["spec"] else {
                throw spec.missing("jobTemplate.spec.template.spec")
            }
            podMeta = t["metadata"]
            podSpec = ps
            replicas = nil
        default:
            guard let t = spec["template"], let ps = t["spec"] else { throw spec.missing("template.spec") }
            podMeta = t["metadata"]
            podSpec = ps
            if kind == "DaemonSet" { replicas = nil }
            if kind == "Job" { replicas = try spec.int(at: "parallelism", in: 0...1_000_000) ?? 1 }
            if ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"].contains(kind) {
                replicas = try spec.int(at: "replicas", in: 0...1_000_000) ?? 1
            }
            if let field = spec["selector"], kind != "ReplicationController", kind != "Job" {
                selector = (field, try LabelSelector.parse(field))
            }
        }
        let labels = try podMeta?["labels"].map(LabelSyntax.checkLabels) ?? [:]
        // The selector must select the template's own labels, or the API server rejects the object.
        if let selector, !selector.parsed.matches(labels) {
            throw selector.field.error("selector \(selector.parsed) does not match the template labels")
        }
        let annotations = try podMeta?["annotations"]?.stringMap() ?? [:]
        let sa = try podSpec.string(at: "serviceAccountName") ?? podSpec.string(at: "serviceAccount") ?? "default"
        let hostNetwork = try podSpec.bool(at: "hostNetwork") ?? false
        var ports: [ContainerPort] = []
        var names: [String] = []
        for key in ["initContainers", "containers"] {
            for c in try podSpec[key]?.items() ?? [] {
                if let n = try c.string(at: "name") { names.append(n) }
                // native sidecars serve ports too
                guard key == "containers" || c.node(at: "restartPolicy") != nil else { continue }
                ports += try (c["ports"]?.items() ?? []).readEach { p -> ContainerPort? in
                    if case .mapping(let m) = p.node, m.pairs.isEmpty { return nil }
                    return try port(p, numberKey: "containerPort")
                }.compactMap { $0 }
            }
        }
        return Workload(
            kind: kind, name: id.name, namespace: id.namespace ?? "default", labels: labels, annotations: annotations,
            serviceAccount: sa, ports: ports, hostNetwork: hostNetwork, replicas: replicas,
            containerNames: names, location: root.location)
    }

    /// The virt-launcher pod of a KubeVirt VirtualMachine (its `spec.template`) or VirtualMachineInstance: the
    /// instance's labels plus the two KubeVirt sets on every launcher pod (`kubevirt.io: virt-launcher` and
    /// `vm.kubevirt.io/name`, kubevirt/kubevirt#7102), the `default` service account unless a serviceAccount volume
    /// names one, and the ports the interfaces declare. A stopped VM (`running: false`, `runStrategy: Halted`) runs
    /// no pod.
    static func virtualMachine(kind: String, root: Field, spec: Field, id: ObjectID) throws -> Workload {
        var replicas = 1
        let instance: Field
        let instanceMeta: Field?
        if kind == "VirtualMachine" {
            guard let template = spec["template"], let templateSpec = template["spec"] else {
                throw spec.missing("template.spec")
            }
            (instance, instanceMeta) = (templateSpec, template["metadata"])
            if try spec["running"]?.bool() == false || spec["runStrategy"]?.string() == "Halted" { replicas = 0 }
        } else {
            (instance, instanceMeta) = (spec, root["metadata"])
        }
        var labels = try instanceMeta?["labels"].map(LabelSyntax.checkLabels) ?? [:]
        labels["kubevirt.io"] = "virt-launcher"
        labels["vm.kubevirt.io/name"] = id.name
        var serviceAccount = "default"
        for volume in try instance["volumes"]?.items() ?? [] {
            if let name = try volume["serviceAccount"]?["serviceAccountName"]?.string() { serviceAccount = name }
        }
        var ports: [ContainerPort] = []
        for interface in try instance["domain"]?["devices"]?["interfaces"]?.items() ?? [] {
            for p in try interface["ports"]?.items() ?? [] { ports.append(try port(p, numberKey: "port")) }
        }
        return Workload(
            kind: kind, name: id.name, namespace: id.namespace ?? "default", labels: labels,
            annotations: try instanceMeta?["annotations"]?.stringMap() ?? [:], serviceAccount: serviceAccount,
            ports: ports, hostNetwork: false, replicas: replicas, containerNames: ["compute"], location: root.location)
    }

    /// A declared port: its number under `numberKey` (`containerPort` in a container, `port` in a KubeVirt
    /// interface), its protocol (TCP when absent) and its optional IANA-style name.
    static func port(_ p: Field, numberKey: String) throws -> ContainerPort {
        // Checked in this order, so the first error reported stays the number's, then the protocol's.
        guard let number = try p.int(at: numberKey, in: 1...65535) else { throw p.missing(numberKey) }
        let proto = try p.l4Protocol(at: "protocol") ?? .tcp
        let name = try p.string(at: "name")
        if let name, let problem = PortName.validate(name) { throw p["name"]!.error(problem) }
        return ContainerPort(name: name, number: number, proto: proto)
    }

    static func controllerOwner(_ metadata: Field) throws -> (kind: String, name: String)? {
        for owner in try metadata["ownerReferences"]?.items() ?? [] {
            let isController = try owner["controller"]?.bool() ?? false
            if isController, let kind = try owner["kind"]?.string(), let name = try owner["name"]?.string() {
                return (kind, name)
            }
        }
        return nil
    }
}
