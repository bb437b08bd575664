enum ServiceParser {
    static func parse(
        _ spec: Field, name: String, namespace: String, labels: [String: String], location: SourceLocation
    ) throws -> Service {
        let type = try spec.string(at: "type") ?? "ClusterIP"
        guard ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(type) else {
            throw spec["type"]!.error("unknown Service type '\(type)'")
        }
        let selector = try spec["selector"]?.stringMap()
        let portFields = try spec["ports"]?.items() ?? []
        let ports = try portFields.readEach { p -> ServicePort in
            guard let port = try p.int(at: "port", in: 1...65535) else { throw p.missing("port") }
            let target = try p.portRef(at: "targetPort") ?? .number(port)
            let nodePort = try p.int(at: "nodePort", in: 1...65535)
            return ServicePort(
                name: try p.string(at: "name"), proto: try p.l4Protocol(at: "protocol") ?? .tcp, port: port,
                targetPort: target, nodePort: nodePort, appProtocol: try p.string(at: "appProtocol"),
                location: p.location)
        }
        // The API server requires a name on every port of a Service with several.
        if ports.count > 1, let unnamed = portFields.first(where: { $0.node(at: "name") == nil }) {
            throw unnamed.missing("name", hint: "a Service with several ports names each of them")
        }
        let ranges = try (spec["loadBalancerSourceRanges"]?.items() ?? []).map { try $0.cidr() }
        return Service(
            name: name, namespace: namespace, labels: labels, type: type, clusterIP: try spec.string(at: "clusterIP"),
            selector: selector, ports: ports,
            externalTrafficPolicy: try spec.string(at: "externalTrafficPolicy") ?? "Cluster",
            loadBalancerSourceRanges: ranges, location: location)
    }
}
