import Foundation
import Yams

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
    public internal(set) var peerAuthentications: [PeerAuthentication] = []
    public internal(set) var authorizationPolicies: [AuthorizationPolicy] = []
    public internal(set) var destinationRules: [DestinationRule] = []
    public internal(set) var istioGateways: [IstioGateway] = []
    public internal(set) var virtualServices: [VirtualService] = []
    public internal(set) var sidecars: [SidecarScope] = []
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
    public internal(set) var cniPolicies: [ObjectID] = []
    /// Documents with neither apiVersion nor kind (values files, expected results): not Kubernetes objects.
    public internal(set) var skippedDocuments: [SourceLocation] = []
    /// Identical objects defined more than once (kept once).
    public internal(set) var duplicates: [ObjectID] = []
    public internal(set) var documentCount = 0
    /// Documents that began without a `---` (concatenated files), where a repeated top-level key showed the start.
    public internal(set) var inferredDocumentStarts: [SourceLocation] = []

    public init() {}

    public var sortedNamespaces: [Namespace] { namespaces.values.sorted { $0.name < $1.name } }
    public var inferredNamespaces: [String] { namespaces.values.filter(\.inferred).map(\.name).sorted() }

    public func workload(_ id: String) -> Workload? { workloads.first { $0.id == id } }
}

/// Kinds and the API versions accepted for them.
enum Kinds {
    static let workloadKinds: Set<String> = [
        "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController",
    ]
    static let versions: [String: Set<String>] = [
        "Namespace": ["v1"], "Pod": ["v1"], "Service": ["v1"], "ReplicationController": ["v1"],
        "Deployment": ["apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"],
        "StatefulSet": ["apps/v1", "apps/v1beta1", "apps/v1beta2"],
        "DaemonSet": ["apps/v1", "apps/v1beta2", "extensions/v1beta1"],
        "ReplicaSet": ["apps/v1", "apps/v1beta2", "extensions/v1beta1"],
        "Job": ["batch/v1"], "CronJob": ["batch/v1", "batch/v1beta1"],
        "NetworkPolicy": ["networking.k8s.io/v1", "extensions/v1beta1"],
        "AdminNetworkPolicy": ["policy.networking.k8s.io/v1alpha1"],
        "Ingress": ["networking.k8s.io/v1"], "IngressClass": ["networking.k8s.io/v1"],
        "Endpoints": ["v1"], "EndpointSlice": ["discovery.k8s.io/v1"],
        "BaselineAdminNetworkPolicy": ["policy.networking.k8s.io/v1alpha1"],
        "PeerAuthentication": ["security.istio.io/v1", "security.istio.io/v1beta1"],
        "AuthorizationPolicy": ["security.istio.io/v1", "security.istio.io/v1beta1"],
        "DestinationRule": ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"],
        "VirtualService": ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"],
        "Gateway": ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"],
        "Sidecar": ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"],
    ]
    /// Kinds that decide reachability at layers this version does not model yet; they are listed, never dropped
    /// silently.
    static let laterLayers: [String: String] = [
        "RequestAuthentication": "security.istio.io", "ServiceEntry": "networking.istio.io",
        "WorkloadEntry": "networking.istio.io", "EnvoyFilter": "networking.istio.io",
    ]
    /// API groups of CNI-specific policy (Calico, Cilium, Antrea): objects there change verdicts this version cannot
    /// compute.
    static let cniPolicyGroups: Set<String> = [
        "projectcalico.org", "crd.projectcalico.org", "cilium.io", "crd.antrea.io", "security.antrea.io",
    ]
    static let clusterScoped: Set<String> = [
        "GlobalNetworkPolicy.projectcalico.org", "GlobalNetworkPolicy.crd.projectcalico.org",
        "CiliumClusterwideNetworkPolicy", "ClusterNetworkPolicy", "Namespace", "AdminNetworkPolicy",
        "BaselineAdminNetworkPolicy", "IngressClass",
        "Node", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass",
        "PriorityClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
        "GlobalNetworkPolicy",
    ]

    static func apiGroup(_ apiVersion: String) -> String {
        apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
    }
}

/// Turns parsed documents into a `ClusterModel`, collecting every input error rather than stopping at the first.
public struct ModelLoader {
    public var limits: LoadLimits
    public init(limits: LoadLimits = LoadLimits()) { self.limits = limits }

    /// Reads and models the given paths (`-` for stdin).
    public func load(paths: [String], stdin: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() })
        -> (model: ClusterModel, errors: [InputError])
    {
        let (documents, readErrors, emptyFiles, inferredStarts) = ManifestReader(limits: limits).read(
            paths: paths, stdin: stdin)
        var (model, errors) = build(documents)
        model.inferredDocumentStarts = inferredStarts
        errors.append(contentsOf: readErrors)
        // An empty file beside others is listed (a policies file may well be empty); alone, there is nothing to verify:
        // an empty render (a failed `helm template > file`) must not pass as "no policies".
        if documents.isEmpty && readErrors.isEmpty {
            errors += emptyFiles.map {
                InputError(
                    SourceLocation(file: $0, line: 1), "file",
                    "contains no YAML document (empty, or only comments): nothing to analyse")
            }
        } else {
            model.skippedDocuments += emptyFiles.map { SourceLocation(file: $0, line: 1) }
        }
        model.documentCount = documents.count
        return (model, errors.sorted { ($0.location, $0.field) < ($1.location, $1.field) })
    }

    /// An object as found in a document, before typing.
    struct RawObject {
        let apiVersion: String
        let kind: String
        let root: Field
    }

    public func build(_ documents: [Document]) -> (ClusterModel, [InputError]) {
        var model = ClusterModel()
        var errors: [InputError] = []
        var raw: [RawObject] = []
        for doc in documents {
            let root = Field(
                node: doc.root, path: "", file: doc.file, fallbackLine: doc.line, lineOffset: doc.lineOffset)
            if root.isNull { continue }
            do { try collect(root, into: &raw, model: &model) } catch let e as InputError { errors.append(e) } catch {}
        }
        // Deduplicate by identity: identical repeats are kept once, different content is an error naming both places.
        var seen: [ObjectID: (Node, SourceLocation)] = [:]
        var unique: [(ObjectID, RawObject)] = []
        for object in raw {
            do {
                let id = try identity(object)
                if let (node, location) = seen[id] {
                    if node == object.root.node {
                        model.duplicates.append(id)
                    } else {
                        errors.append(
                            InputError(
                                object.root.location, "metadata.name",
                                "\(id) is defined twice with different content (first at \(location))"))
                    }
                    continue
                }
                seen[id] = (object.root.node, object.root.location)
                model.objects[id] = object.root.location
                unique.append((id, object))
            } catch let e as InputError { errors.append(e) } catch {}
        }
        // Typing reads every field of every object: done on every core, then added to the model in input order.
        var typedObjects = [Result<TypedObject, InputError>?](repeating: nil, count: unique.count)
        let chunk = max(64, unique.count / 32)
        typedObjects.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: (unique.count + chunk - 1) / chunk) { c in
                for k in (c * chunk)..<min(unique.count, (c + 1) * chunk) {
                    do { out[k] = .success(try typed(unique[k].0, unique[k].1)) } catch let e as InputError {
                        out[k] = .failure(e)
                    } catch {}
                }
            }
        }
        var declaredNamespaces: [String: Namespace] = [:]
        var admin: [AdminNetworkPolicy] = []
        var podsByOwner: [String: Int] = [:]
        for (k, (id, object)) in unique.enumerated() {
            switch typedObjects[k] {
            case .success(let t)?:
                add(
                    t, id: id, location: object.root.location, model: &model, namespaces: &declaredNamespaces,
                    admin: &admin, podsByOwner: &podsByOwner)
            case .failure(let e)?: errors.append(e)
            case nil: break
            }
        }
        model.adminPolicies = admin.sorted { ($0.priority, $0.name) < ($1.priority, $1.name) }
        // Namespaces referenced but not declared are created with their name label.
        var referenced = Set<String>()
        for id in model.objects.keys { if let ns = id.namespace { referenced.insert(ns) } }
        model.namespaces = declaredNamespaces
        for ns in referenced where declaredNamespaces[ns] == nil {
            model.namespaces[ns] = Namespace(name: ns, labels: [:], inferred: true, location: nil)
        }
        model.workloads.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        model.networkPolicies.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        model.services.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        model.ingresses.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        model.sortIstioObjects()
        return (model, errors)
    }

    /// Expands `List` kinds and separates Kubernetes objects from other YAML.
    func collect(
        _ root: Field, into raw: inout [RawObject], model: inout ClusterModel, inheritedKind: String? = nil,
        inheritedVersion: String? = nil
    ) throws {
        guard case .mapping = root.node else {
            model.skippedDocuments.append(root.location)
            return
        }
        let kindField = root["kind"]
        let versionField = root["apiVersion"]
        if kindField == nil && versionField == nil && inheritedKind == nil {
            model.skippedDocuments.append(root.location)
            return
        }
        let kind = try kindField?.string() ?? inheritedKind ?? ""
        if kind.isEmpty { throw root.missing("kind") }
        guard let apiVersion = try versionField?.string() ?? inheritedVersion else { throw root.missing("apiVersion") }
        if kind == "List" || (kind.hasSuffix("List") && root.has("items")) {
            // kubectl writes items of typed lists (PodList, ...) without their own kind.
            let itemKind = kind == "List" ? nil : String(kind.dropLast(4))
            let itemVersion = kind == "List" ? nil : apiVersion
            for item in try root["items"]?.items() ?? [] {
                try collect(item, into: &raw, model: &model, inheritedKind: itemKind, inheritedVersion: itemVersion)
            }
            return
        }
        // A kind of another API group (Calico's NetworkPolicy) is another resource: name it by its group.
        let group = Kinds.apiGroup(apiVersion)
        if let versions = Kinds.versions[kind], !versions.contains(where: { Kinds.apiGroup($0) == group }) {
            raw.append(RawObject(apiVersion: apiVersion, kind: "\(kind).\(group)", root: root))
        } else {
            raw.append(RawObject(apiVersion: apiVersion, kind: kind, root: root))
        }
    }

    func identity(_ object: RawObject) throws -> ObjectID {
        guard let metadata = object.root["metadata"] else { throw object.root.missing("metadata") }
        guard let name = try metadata["name"]?.string() ?? metadata["generateName"]?.string(), !name.isEmpty else {
            throw metadata.missing("name")
        }
        let scoped = Kinds.clusterScoped.contains(object.kind)
        let namespace = scoped ? nil : (try metadata["namespace"]?.string() ?? "default")
        return ObjectID(kind: object.kind, namespace: namespace, name: name)
    }

    /// One object in typed form, parsed on any thread; `add` puts it into the model.
    enum TypedObject {
        case namespace(Namespace)
        case networkPolicy(NetworkPolicy)
        case adminPolicy(AdminNetworkPolicy)
        case ingress(Ingress)
        case serviceEndpoints(ServiceEndpoints)
        case ingressClass(IngressClass)
        case peerAuthentication(PeerAuthentication)
        case authorizationPolicy(AuthorizationPolicy)
        case destinationRule(DestinationRule)
        case istioGateway(IstioGateway)
        case virtualService(VirtualService)
        case sidecar(SidecarScope)
        case service(Service)
        /// A pod with a controlling owner is grouped with the owner's other pods.
        case workload(Workload, podOwner: (kind: String, name: String)?)
        case unmodelled
        case unknown(cniPolicy: Bool)
        case nothing
    }

    func typed(_ id: ObjectID, _ object: RawObject) throws -> TypedObject {
        let root = object.root
        if let versions = Kinds.versions[object.kind] {
            guard versions.contains(object.apiVersion) else {
                throw root["apiVersion"]!.error(
                    "unknown apiVersion '\(object.apiVersion)' for \(object.kind) (expected \(versions.sorted().joined(separator: " or ")))"
                )
            }
        } else if let group = Kinds.laterLayers[object.kind], Kinds.apiGroup(object.apiVersion) == group {
            return .unmodelled
        } else {
            return .unknown(cniPolicy: Kinds.cniPolicyGroups.contains(Kinds.apiGroup(object.apiVersion)))
        }
        let metadata = root["metadata"]!
        let spec = root["spec"]
        let created = try metadata["creationTimestamp"]?.string()
        if let spec, case .mapping = spec.node {
        } else if let spec {
            throw spec.error("expected a mapping, found \(spec.kindName)")
        }
        func requireSpec() throws -> Field {
            guard let spec else { throw root.missing("spec") }
            return spec
        }
        switch object.kind {
        case "Namespace":
            let labels = try metadata["labels"].map(LabelSyntax.checkLabels) ?? [:]
            return .namespace(Namespace(name: id.name, labels: labels, inferred: false, location: root.location))
        case "NetworkPolicy":
            return .networkPolicy(
                try NetworkPolicy.parse(
                    try requireSpec(), name: id.name, namespace: id.namespace!, location: root.location))
        case "AdminNetworkPolicy", "BaselineAdminNetworkPolicy":
            let tier: AdminNetworkPolicy.Tier = object.kind == "AdminNetworkPolicy" ? .admin : .baseline
            return .adminPolicy(
                try AdminNetworkPolicy.parse(try requireSpec(), tier: tier, name: id.name, location: root.location))
        case "Ingress":
            return .ingress(
                try Ingress.parse(
                    try requireSpec(), metadata: metadata, name: id.name, namespace: id.namespace!,
                    location: root.location))
        case "Endpoints":
            return .serviceEndpoints(
                try ServiceEndpoints.parseEndpoints(
                    root, name: id.name, namespace: id.namespace!, location: root.location))
        case "EndpointSlice":
            return .serviceEndpoints(
                try ServiceEndpoints.parseSlice(
                    root, metadata: metadata, namespace: id.namespace!, location: root.location))
        case "IngressClass":
            return .ingressClass(try IngressClass.parse(try requireSpec(), metadata: metadata, name: id.name))
        case "PeerAuthentication":
            return .peerAuthentication(
                try PeerAuthentication.parse(
                    spec ?? root, name: id.name, namespace: id.namespace!, created: created, location: root.location))
        case "AuthorizationPolicy":
            return .authorizationPolicy(
                try AuthorizationPolicy.parse(spec, name: id.name, namespace: id.namespace!, location: root.location))
        case "DestinationRule":
            return .destinationRule(
                try DestinationRule.parse(
                    try requireSpec(), name: id.name, namespace: id.namespace!, created: created,
                    location: root.location))
        case "Gateway":
            return .istioGateway(
                try IstioGateway.parse(
                    try requireSpec(), name: id.name, namespace: id.namespace!, location: root.location))
        case "VirtualService":
            return .virtualService(
                try VirtualService.parse(
                    try requireSpec(), name: id.name, namespace: id.namespace!, created: created,
                    location: root.location))
        case "Sidecar":
            return .sidecar(
                try SidecarScope.parse(
                    try requireSpec(), name: id.name, namespace: id.namespace!, created: created,
                    location: root.location))
        case "Service":
            return .service(
                try ServiceParser.parse(
                    try requireSpec(), name: id.name, namespace: id.namespace!, location: root.location))
        default:
            guard let w = try WorkloadParser.parse(kind: object.kind, root: root, id: id) else { return .nothing }
            return .workload(w, podOwner: object.kind == "Pod" ? try WorkloadParser.controllerOwner(metadata) : nil)
        }
    }

    func add(
        _ object: TypedObject, id: ObjectID, location: SourceLocation, model: inout ClusterModel,
        namespaces: inout [String: Namespace],
        admin: inout [AdminNetworkPolicy], podsByOwner: inout [String: Int]
    ) {
        switch object {
        case .namespace(let ns): namespaces[id.name] = ns
        case .networkPolicy(let p): model.networkPolicies.append(p)
        case .adminPolicy(let p): if p.tier == .admin { admin.append(p) } else { model.baselinePolicy = p }
        case .ingress(let i): model.ingresses.append(i)
        case .serviceEndpoints(let e): model.serviceEndpoints.append(e)
        case .ingressClass(let c): model.ingressClasses.append(c)
        case .peerAuthentication(let pa):
            if let why = pa.rejection {
                model.rejected.append((id, location, why))
            } else {
                model.peerAuthentications.append(pa)
            }
        case .authorizationPolicy(let ap):
            if let why = ap.rejection {
                model.rejected.append((id, location, why))
            } else {
                model.authorizationPolicies.append(ap)
            }
        case .destinationRule(let d): model.destinationRules.append(d)
        case .istioGateway(let g): model.istioGateways.append(g)
        case .virtualService(let v): model.virtualServices.append(v)
        case .sidecar(let s): model.sidecars.append(s)
        case .service(let s): model.services.append(s)
        case .workload(let w, let owner?):
            // Pods from a live dump: one workload per owner, named after it.
            let key = "\(w.namespace)/\(owner.name)"
            if let i = podsByOwner[key] {
                let prev = model.workloads[i]
                if prev.labels == w.labels && prev.ports == w.ports {
                    model.workloads[i] = prev.withReplicas((prev.replicas ?? 1) + 1)
                    return
                }
            }
            podsByOwner[key] = model.workloads.count
            model.workloads.append(w.renamed(owner.name, kind: owner.kind))
        case .workload(let w, nil): model.workloads.append(w)
        case .unmodelled: model.unmodelled[id.kind, default: []].append(id)
        case .unknown(let cniPolicy):
            model.unknownKinds[id.kind, default: []].append(id)
            if cniPolicy { model.cniPolicies.append(id) }
        case .nothing: break
        }
    }
}

extension Workload {
    func withReplicas(_ n: Int) -> Workload {
        Workload(
            kind: kind, name: name, namespace: namespace, labels: labels, annotations: annotations,
            serviceAccount: serviceAccount,
            ports: ports, hostNetwork: hostNetwork, replicas: n, containerNames: containerNames, location: location)
    }

    func renamed(_ newName: String, kind newKind: String) -> Workload {
        Workload(
            kind: newKind, name: newName, namespace: namespace, labels: labels, annotations: annotations,
            serviceAccount: serviceAccount,
            ports: ports, hostNetwork: hostNetwork, replicas: replicas, containerNames: containerNames,
            location: location)
    }
}

enum WorkloadParser {
    /// The pod template of a workload object (the object itself for a Pod).
    static func parse(kind: String, root: Field, id: ObjectID) throws -> Workload? {
        guard Kinds.workloadKinds.contains(kind) else { return nil }
        guard let spec = root["spec"] else { throw root.missing("spec") }
        var replicas: Int? = 1
        var podMeta: Field?
        var podSpec: Field
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
            if kind == "Job" { replicas = try spec["parallelism"]?.int(in: 0...1_000_000) ?? 1 }
            if ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"].contains(kind) {
                replicas = try spec["replicas"]?.int(in: 0...1_000_000) ?? 1
            }
            if let selector = spec["selector"], kind != "ReplicationController", kind != "Job" {
                // The selector must select the template's own labels, or the API server rejects the object.
                let sel = try LabelSelector.parse(selector)
                let labels = try podMeta?["labels"].map(LabelSyntax.checkLabels) ?? [:]
                if !sel.matches(labels) { throw selector.error("selector \(sel) does not match the template labels") }
            }
        }
        let labels = try podMeta?["labels"].map(LabelSyntax.checkLabels) ?? [:]
        let annotations = try podMeta?["annotations"]?.stringMap() ?? [:]
        let sa = try podSpec["serviceAccountName"]?.string() ?? podSpec["serviceAccount"]?.string() ?? "default"
        let hostNetwork = try podSpec["hostNetwork"]?.bool() ?? false
        var ports: [ContainerPort] = []
        var names: [String] = []
        for key in ["initContainers", "containers"] {
            for c in try podSpec[key]?.items() ?? [] {
                if let n = c["name"] { names.append(try n.string()) }
                // native sidecars serve ports too
                guard key == "containers" || c["restartPolicy"] != nil else { continue }
                for p in try c["ports"]?.items() ?? [] {
                    if case .mapping(let m) = p.node, m.count == 0 { continue }
                    guard let numberField = p["containerPort"] else { throw p.missing("containerPort") }
                    let number = try numberField.int(in: 1...65535)
                    let proto = try p["protocol"]?.l4Protocol() ?? .tcp
                    var name: String?
                    if let nf = p["name"] {
                        let n = try nf.string()
                        if let problem = PortName.validate(n) { throw nf.error(problem) }
                        name = n
                    }
                    ports.append(ContainerPort(name: name, number: number, proto: proto))
                }
            }
        }
        return Workload(
            kind: kind, name: id.name, namespace: id.namespace ?? "default", labels: labels, annotations: annotations,
            serviceAccount: sa, ports: ports, hostNetwork: hostNetwork, replicas: replicas,
            containerNames: names, location: root.location)
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

enum ServiceParser {
    static func parse(_ spec: Field, name: String, namespace: String, location: SourceLocation) throws -> Service {
        let type = try spec["type"]?.string() ?? "ClusterIP"
        guard ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(type) else {
            throw spec["type"]!.error("unknown Service type '\(type)'")
        }
        let selector = try spec["selector"]?.stringMap()
        let ports = try (spec["ports"]?.items() ?? []).map { p -> ServicePort in
            guard let portField = p["port"] else { throw p.missing("port") }
            let port = try portField.int(in: 1...65535)
            let target = try p["targetPort"]?.portRef() ?? .number(port)
            let nodePort = try p["nodePort"]?.int(in: 1...65535)
            return ServicePort(
                name: try p["name"]?.string(), proto: try p["protocol"]?.l4Protocol() ?? .tcp, port: port,
                targetPort: target, nodePort: nodePort, appProtocol: try p["appProtocol"]?.string(),
                location: p.location)
        }
        let ranges = try (spec["loadBalancerSourceRanges"]?.items() ?? []).map { try $0.cidr() }
        return Service(
            name: name, namespace: namespace, type: type, clusterIP: try spec["clusterIP"]?.string(),
            selector: selector, ports: ports,
            externalTrafficPolicy: try spec["externalTrafficPolicy"]?.string() ?? "Cluster",
            loadBalancerSourceRanges: ranges, location: location)
    }
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
