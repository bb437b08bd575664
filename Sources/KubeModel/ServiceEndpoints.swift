/// The endpoints of a Service as an Endpoints or EndpointSlice object lists them: what a Service without a
/// selector reaches (its endpoints are written by hand or by another controller).
public struct ServiceEndpoints: Hashable, Sendable {
    public struct Target: Hashable, Sendable {
        public let ip: String
        /// The pod behind the address, when the object names one.
        public let podName: String?
    }
    public struct Port: Hashable, Sendable {
        public let name: String?
        public let port: Int
        public let proto: L4Protocol
    }

    public let namespace: String
    public let service: String
    public let targets: [Target]
    public let ports: [Port]
    public let location: SourceLocation

    /// nil for a port without a number (an EndpointSlice's "every port"), which names no target port.
    static func port(_ p: Field) throws -> Port? {
        guard let n = p["port"] else { return nil }
        return Port(
            name: try p["name"]?.string(), port: try n.int(in: 1...65535),
            proto: try p["protocol"]?.l4Protocol() ?? .tcp)
    }

    static func target(ip: String, ref: Field?) throws -> Target {
        guard let ref, try ref["kind"]?.string() == "Pod" else { return Target(ip: ip, podName: nil) }
        return Target(ip: ip, podName: try ref["name"]?.string())
    }

    /// core/v1 Endpoints: named after the Service; ready addresses only (not-ready ones receive no traffic).
    static func parseEndpoints(_ root: Field, name: String, namespace: String, location: SourceLocation) throws
        -> ServiceEndpoints
    {
        var targets: [Target] = []
        var ports: [Port] = []
        for subset in try root["subsets"]?.items() ?? [] {
            for a in try subset["addresses"]?.items() ?? [] {
                guard let ip = a["ip"] else { throw a.missing("ip") }
                targets.append(try target(ip: try ip.string(), ref: a["targetRef"]))
            }
            ports += try (subset["ports"]?.items() ?? []).compactMap(port)
        }
        return ServiceEndpoints(namespace: namespace, service: name, targets: targets, ports: ports, location: location)
    }

    /// discovery.k8s.io/v1 EndpointSlice: its Service is named by the kubernetes.io/service-name label.
    static func parseSlice(_ root: Field, metadata: Field, namespace: String, location: SourceLocation) throws
        -> ServiceEndpoints
    {
        guard let service = metadata["labels"]?["kubernetes.io/service-name"] else {
            throw metadata.missing(
                "labels.kubernetes.io/service-name", hint: "an EndpointSlice names its Service by this label")
        }
        var targets: [Target] = []
        for e in try root["endpoints"]?.items() ?? [] {
            if try e["conditions"]?["ready"]?.bool() == false { continue }
            for ip in try e["addresses"]?.items() ?? [] {
                targets.append(try target(ip: try ip.string(), ref: e["targetRef"]))
            }
        }
        return ServiceEndpoints(
            namespace: namespace, service: try service.string(), targets: targets,
            ports: try (root["ports"]?.items() ?? []).compactMap(port), location: location)
    }
}

extension ClusterModel {
    /// The API server's addresses: those of the Endpoints (or EndpointSlices) of the Service default/kubernetes, which
    /// the API server keeps. Empty when the input lacks them.
    public var apiServerAddresses: [CIDR] {
        serviceEndpoints.filter { $0.namespace == "default" && $0.service == "kubernetes" }.flatMap(\.targets)
            .compactMap { target in
                guard case .success(let c) = CIDR.parse(addressOrCIDR: target.ip) else { return nil }
                return c
            }
    }
}
