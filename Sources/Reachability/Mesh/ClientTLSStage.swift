import KubeModel

/// What a client puts on the wire towards a destination (docs/SEMANTICS.md §7.4, §7.9): Istio mutual TLS, plaintext,
/// TLS of its own, or nothing at all (its proxy blackholes the destination).
enum Sends: String {
    case plaintext = "plaintext"
    case istioMutualTLS = "Istio mTLS"
    case otherTLS = "non-Istio TLS"
    case blackhole = "blackholed"
}

/// How a client addresses a pod: through a Service port (the proxy then knows the destination), or its pod IP.
enum Addressing: Hashable {
    case service(Service, ServicePort)
    case podIP

    var description: String {
        switch self {
        case .service(let s, let p): return "Service \(s.namespace)/\(s.name) \(p.proto.rawValue)/\(p.port)"
        case .podIP: return "pod IP"
        }
    }
}

struct ClientTLSStage {
    let model: ClusterModel
    let rootNamespace: String
    let peerAuthentication: PeerAuthenticationStage

    /// The Sidecar resource scoping a client: a selecting one in its namespace, else its namespace's default, else the
    /// root's.
    func sidecarScope(namespace: String, labels: [String: String]) -> SidecarScope? {
        let own = model.sidecars.filter { $0.namespace == namespace }
        return own.first { $0.selector.map { s in s.allSatisfy { labels[$0.key] == $0.value } } ?? false }
            ?? own.first { $0.selector == nil }
            ?? model.sidecars.first { $0.namespace == rootNamespace && $0.selector == nil }
    }

    /// Whether a Sidecar's egress hosts (`ns/dnsName`, `./x`, `*/x`, `~/x`) include a Service.
    func egressIncludes(_ scope: SidecarScope, _ svc: Service, clientNamespace: String) -> Bool {
        guard let hosts = scope.egressHosts else { return true }
        return hosts.contains { entry in
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return false }
            let nsOK =
                parts[0] == "*" || (parts[0] == "." && svc.namespace == clientNamespace) || parts[0] == svc.namespace
            return nsOK && dnsHostMatches(parts[1], svc.meshHost)
        }
    }

    /// The DestinationRule for a Service as a client in `clientNamespace` sees it: its own namespace first, then the
    /// Service's, then the root namespace; the most specific host wins within one.
    func destinationRule(for svc: Service, clientNamespace: String, clientLabels: [String: String]) -> DestinationRule?
    {
        for ns in [clientNamespace, svc.namespace, rootNamespace] {
            let visible = model.destinationRules.filter { dr in
                guard dr.namespace == ns, dnsHostMatches(qualifiedHost(dr.host, namespace: dr.namespace), svc.meshHost)
                else { return false }
                // A workload-scoped rule binds only the selected clients of its own namespace.
                if let selector = dr.workloadSelector {
                    guard dr.namespace == clientNamespace, selector.allSatisfy({ clientLabels[$0.key] == $0.value })
                    else { return false }
                }
                guard let exportTo = dr.exportTo, !exportTo.isEmpty else { return true }
                return exportTo.contains("*") || (exportTo.contains(".") && clientNamespace == dr.namespace)
                    || exportTo.contains(clientNamespace)
            }
            // Exact names beat wildcards; a longer wildcard suffix beats a shorter one.
            if let best = visible.max(by: { specificity($0) < specificity($1) }) { return best }
        }
        return nil
    }

    private func specificity(_ dr: DestinationRule) -> Int {
        let host = qualifiedHost(dr.host, namespace: dr.namespace)
        return host.contains("*") ? host.count : 10_000
    }

    /// What the client sends, with the steps that decided it.
    func sends(
        client: Endpoint, clientProxy: MeshProxy?, addressing: Addressing, subset: DestinationRule.Subset? = nil,
        destination: PodEndpoint, destinationProxy: MeshProxy, targetPort: Int
    ) -> (Sends, MeshStep) {
        guard case .pod(let c) = client else {
            return (.plaintext, MeshStep("SRC-MESH-EGRESS", .skip, "the client is outside the mesh: plaintext"))
        }
        guard let proxy = clientProxy, proxy.hasProxy else {
            return (
                .plaintext,
                MeshStep(
                    "SRC-MESH-EGRESS", .skip,
                    "the client has no sidecar (\(clientProxy?.reason ?? "a new pod")): plaintext")
            )
        }
        let dialled: Int
        switch addressing {
        case .service(_, let sp): dialled = sp.port
        case .podIP: dialled = targetPort
        }
        if !proxy.capturesOutbound(dialled) {
            if proxy.applicationMutualTLS {
                return (
                    .istioMutualTLS,
                    MeshStep(
                        "SRC-MESH-EGRESS", .allow,
                        "outbound traffic bypasses the sidecar, but the application presents the workload certificate the proxy writes for it (proxy.istio.io/config OUTPUT_CERTS): Istio mTLS"
                    )
                )
            }
            return (
                .plaintext,
                MeshStep(
                    "SRC-MESH-EGRESS", .skip,
                    "the client's outbound port \(dialled) is not captured by its sidecar (traffic.sidecar.istio.io annotations): plaintext"
                )
            )
        }
        let scope = proxy.kind == .sidecar ? sidecarScope(namespace: c.namespace, labels: c.labels) : nil
        let registryOnly = scope?.outboundPolicy == "REGISTRY_ONLY"
        let scopeRef = scope.map { ref("Sidecar", $0.namespace, $0.name, "", $0.location) } ?? ""
        guard case .service(let svc, let sp) = addressing else {
            if registryOnly {
                return (
                    .blackhole,
                    MeshStep(
                        "SRC-MESH-EGRESS", .deny,
                        "a pod IP is no registry host and \(scopeRef) sets outboundTrafficPolicy REGISTRY_ONLY: blackholed"
                    )
                )
            }
            return (
                .plaintext,
                MeshStep(
                    "SRC-MESH-EGRESS", .allow, "a pod IP is no registry host: passthrough, plaintext (A-POD-IP-DIRECT)")
            )
        }
        if let scope, !egressIncludes(scope, svc, clientNamespace: c.namespace) {
            if registryOnly {
                return (
                    .blackhole,
                    MeshStep(
                        "SRC-MESH-EGRESS", .deny,
                        "\(svc.meshHost) is outside the egress hosts of \(scopeRef), which sets REGISTRY_ONLY: blackholed"
                    )
                )
            }
            return (
                .plaintext,
                MeshStep(
                    "SRC-MESH-EGRESS", .allow,
                    "\(svc.meshHost) is outside the egress hosts of \(scopeRef): passthrough as plaintext under ALLOW_ANY (a Sidecar is not a security boundary)"
                )
            )
        }
        if let dr = destinationRule(for: svc, clientNamespace: c.namespace, clientLabels: c.labels) {
            // A port entry replaces its level's policy; a subset's policy overrides the host's field by field.
            let entry = dr.policy.portLevel[sp.port]
            var tls: DestinationRule.TLSMode? = entry != nil ? entry! : dr.policy.tls
            var field =
                entry != nil ? "spec.trafficPolicy.portLevelSettings[port \(sp.port)].tls" : "spec.trafficPolicy.tls"
            if let own = subset?.policy {
                if let subsetEntry = own.portLevel[sp.port] {
                    (tls, field) = (subsetEntry, "subset \(subset!.name) portLevelSettings[port \(sp.port)].tls")
                } else if let subsetTLS = own.tls {
                    (tls, field) = (subsetTLS, "subset \(subset!.name) trafficPolicy.tls")
                }
            }
            let deciding = ref("DestinationRule", dr.namespace, dr.name, field, dr.location)
            let evidence = ruleRef("DestinationRule", dr.namespace, dr.name, field, dr.location)
            switch tls {
            case .istioMutual?:
                return (
                    .istioMutualTLS,
                    MeshStep("SRC-MESH-EGRESS", .allow, "\(deciding) ISTIO_MUTUAL: Istio mTLS", evidence: evidence)
                )
            case .disable?:
                return (
                    .plaintext,
                    MeshStep("SRC-MESH-EGRESS", .allow, "\(deciding) DISABLE: plaintext", evidence: evidence)
                )
            case .simple?, .mutual?:
                return (
                    .otherTLS,
                    MeshStep(
                        "SRC-MESH-EGRESS", .allow,
                        "\(deciding) \(tls!.rawValue): TLS that is not Istio mTLS (A-DR-MUTUAL-CERTS)",
                        evidence: evidence)
                )
            case nil: break
            }
        }
        // Auto mTLS: mutual TLS when the endpoint has a proxy and its own mode there is not DISABLE.
        let serverMode = peerAuthentication.mode(
            namespace: destination.namespace, labels: destination.labels, port: targetPort)
        if destinationProxy.hasProxy && serverMode.mode != .disable {
            return (
                .istioMutualTLS,
                MeshStep(
                    "SRC-MESH-EGRESS", .allow,
                    "auto mTLS (no DestinationRule sets tls; the endpoint has a proxy): Istio mTLS")
            )
        }
        return (
            .plaintext,
            MeshStep(
                "SRC-MESH-EGRESS", .allow,
                "auto mTLS sends plaintext: "
                    + (destinationProxy.hasProxy ? "the endpoint's mode is DISABLE" : "the endpoint has no sidecar"))
        )
    }
}

extension ClientTLSStage {
    /// A named subset of a Service, from the DestinationRules of its host.
    static func subset(_ name: String, of svc: Service, model: ClusterModel) -> DestinationRule.Subset? {
        model.destinationRules.filter { dnsHostMatches(qualifiedHost($0.host, namespace: $0.namespace), svc.meshHost) }
            .flatMap(\.subsets).first { $0.name == name }
    }
}
