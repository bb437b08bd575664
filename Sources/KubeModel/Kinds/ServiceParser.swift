enum ServiceParser {
    static func parse(
        _ spec: Field, name: String, namespace: String, labels: [String: String], location: SourceLocation
    ) throws -> Service {
        let type = try spec["type"]?.string() ?? "ClusterIP"
        guard ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(type) else {
            throw spec["type"]!.error("unknown Service type '\(type)'")
        }
        let selector = try spec["selector"]?.stringMap()
        let portFields = try spec["ports"]?.items() ?? []
        let ports = try portFields.readEach { p -> ServicePort in
            guard let portField = p["port"] else { throw p.missing("port") }
            let port = try portField.int(in: 1...65535)
            let target = try p["targetPort"]?.portRef() ?? .number(port)
            let nodePort = try p["nodePort"]?.int(in: 1...65535)
            return ServicePort(
                name: try p["name"]?.string(), proto: try p["protocol"]?.l4Protocol() ?? .tcp, port: port,
                targetPort: target, nodePort: nodePort, appProtocol: try p["appProtocol"]?.string(),
                location: p.location)
        }
        // The API server requires a name on every port of a Service with several.
        if ports.count > 1, let unnamed = portFields.first(where: { $0["name"] == nil }) {
            throw unnamed.missing("name", hint: "a Service with several ports names each of them")
        }
        let ranges = try (spec["loadBalancerSourceRanges"]?.items() ?? []).map { try $0.cidr() }
        return Service(
            name: name, namespace: namespace, labels: labels, type: type, clusterIP: try spec["clusterIP"]?.string(),
            selector: selector, ports: ports,
            externalTrafficPolicy: try spec["externalTrafficPolicy"]?.string() ?? "Cluster",
            loadBalancerSourceRanges: ranges, location: location)
    }
}
