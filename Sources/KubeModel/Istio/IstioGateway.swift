/// An Istio Gateway (networking.istio.io): the servers (port, protocol, hosts, TLS) its selected proxies listen with.
public struct IstioGateway: Hashable, Sendable {
    public struct Server: Hashable, Sendable {
        public let port: Int
        /// HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP or TLS.
        public let proto: String
        /// `[ns/]dnsName`, wildcards allowed.
        public let hosts: [String]
        public let tlsMode: String?
        public let path: String
    }
    public let name: String
    public let namespace: String
    public let selector: [String: String]
    public let servers: [Server]
    public let location: SourceLocation

    static func parse(_ spec: Field, name: String, namespace: String, location: SourceLocation) throws -> IstioGateway {
        let servers = try (spec["servers"]?.items() ?? []).map { s -> Server in
            guard let port = s["port"], let number = port["number"] else { throw s.missing("port.number") }
            guard let hosts = s["hosts"] else { throw s.missing("hosts") }
            return Server(
                port: try number.int(in: 1...65535), proto: (try port["protocol"]?.string() ?? "TCP").uppercased(),
                hosts: try hosts.stringList(), tlsMode: try s["tls"]?["mode"]?.string(), path: s.path)
        }
        return IstioGateway(
            name: name, namespace: namespace, selector: try spec["selector"]?.stringMap() ?? [:], servers: servers,
            location: location)
    }
}
