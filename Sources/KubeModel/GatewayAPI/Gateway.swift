/// Gateway API (gateway.networking.k8s.io) resources that say who listens: GatewayClass (which controller implements
/// a class) and Gateway (its listeners). Routes are in `GatewayRoute.swift`, grants in `ReferenceGrant.swift`.
public enum GatewayAPI {
    public static let group = "gateway.networking.k8s.io"
    static let standard: Set<String> = ["gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"]
    static let experimental: Set<String> = ["gateway.networking.k8s.io/v1alpha2", "gateway.networking.k8s.io/v1alpha3"]

    /// A hostname of a listener or route: a DNS name, or `*.` followed by one (RFC 1123, no IP addresses).
    static func hostname(_ f: Field) throws -> String {
        let h = try f.string().lowercased()
        let name = h.hasPrefix("*.") ? String(h.dropFirst(2)) : h
        if name.isEmpty || name.contains("*")
            || name.split(separator: ".", omittingEmptySubsequences: false).contains(
                where: { $0.isEmpty || LabelSyntax.dnsLabelProblem(String($0)) != nil })
        {
            throw f.error("'\(h)' is not a hostname: DNS labels, optionally after a leading '*.'")
        }
        if h.split(separator: ".").allSatisfy({ $0.allSatisfy(\.isNumber) }) {
            throw f.error("'\(h)' is an IP address; Gateway API hostnames are DNS names")
        }
        return h
    }
}

/// A GatewayClass: the controller that implements the Gateways of this class.
public struct GatewayClass: Hashable, Sendable {
    public let name: String
    public let controllerName: String
    public let location: SourceLocation

    static let versions = GatewayAPI.standard.union(["gateway.networking.k8s.io/v1alpha2"])

    static func parse(_ spec: Field, name: String, location: SourceLocation) throws -> GatewayClass {
        try spec.requireKnownKeys(["controllerName", "parametersRef", "description"])
        guard let controller = spec["controllerName"] else { throw spec.missing("controllerName") }
        return GatewayClass(name: name, controllerName: try controller.string(), location: location)
    }
}

/// A Gateway: listeners (port, protocol, hostname, TLS mode) and which routes may attach to each.
public struct Gateway: Hashable, Sendable {
    public enum ListenerProtocol: String, Sendable {
        case http = "HTTP"
        case https = "HTTPS"
        case tls = "TLS"
        case tcp = "TCP"
        case udp = "UDP"
    }

    public enum TLSMode: String, Sendable {
        case terminate = "Terminate"
        case passthrough = "Passthrough"
    }

    /// `allowedRoutes.namespaces.from`: which namespaces' routes may attach.
    public enum AllowedNamespaces: Hashable, Sendable {
        case same, all
        case selector(LabelSelector)
    }

    public struct Listener: Hashable, Sendable {
        public let name: String
        public let port: Int
        /// nil: a protocol of an implementation's own domain (`example.com/proto`), routed by nothing here.
        public let proto: ListenerProtocol?
        public let protocolName: String
        /// nil: every hostname.
        public let hostname: String?
        /// For HTTPS and TLS listeners (default Terminate).
        public let tlsMode: TLSMode?
        public let allowedNamespaces: AllowedNamespaces
        /// Route kinds allowed to attach (`allowedRoutes.kinds`); nil: the kinds the protocol carries.
        public let allowedKinds: [String]?
        public let path: String
        public let location: SourceLocation

        /// The route kinds this listener accepts.
        public var acceptedKinds: [String] {
            let carried: [String]
            switch proto {
            case .http?, .https?: carried = ["HTTPRoute", "GRPCRoute"]
            case .tls?: carried = tlsMode == .terminate ? ["TLSRoute", "TCPRoute"] : ["TLSRoute"]
            case .tcp?: carried = ["TCPRoute"]
            case .udp?: carried = ["UDPRoute"]
            case nil: carried = []
            }
            return allowedKinds.map { $0.filter(carried.contains) } ?? carried
        }
    }

    public let name: String
    public let namespace: String
    public let className: String
    public let listeners: [Listener]
    /// `spec.addresses` of type Hostname: with Istio, a Gateway that names the address of an existing gateway
    /// Service is served by that Service's pods (manual deployment).
    public let hostnameAddresses: [String]
    public let location: SourceLocation

    public var id: String { "\(namespace)/\(name)" }

    static let versions = GatewayAPI.standard.union(["gateway.networking.k8s.io/v1alpha2"])

    static func parse(_ spec: Field, name: String, namespace: String, location: SourceLocation) throws -> Gateway {
        try spec.requireKnownKeys([
            "gatewayClassName", "listeners", "addresses", "infrastructure", "backendTLS", "allowedListeners", "tls",
            "defaultScope",
        ])
        guard let className = spec["gatewayClassName"] else { throw spec.missing("gatewayClassName") }
        guard let listenerItems = spec["listeners"] else { throw spec.missing("listeners") }
        let listeners = try listenerItems.items().readEach(listener)
        var seen = Set<String>()
        for (l, f) in zip(listeners, try listenerItems.items()) where !seen.insert(l.name).inserted {
            throw f.error("listener name '\(l.name)' is used twice; names are unique within a Gateway")
        }
        let hostnames = try (spec["addresses"]?.items() ?? []).compactMap { a -> String? in
            try a.requireKnownKeys(["type", "value"])
            guard try a["type"]?.string() == "Hostname" else { return nil }
            return try a["value"]?.string()
        }
        return Gateway(
            name: name, namespace: namespace, className: try className.string(), listeners: listeners,
            hostnameAddresses: hostnames, location: location)
    }

    private static func listener(_ f: Field) throws -> Listener {
        try f.requireKnownKeys(["name", "hostname", "port", "protocol", "tls", "allowedRoutes"])
        guard let name = f["name"] else { throw f.missing("name") }
        guard let port = f["port"] else { throw f.missing("port") }
        guard let protoField = f["protocol"] else { throw f.missing("protocol") }
        let protocolName = try protoField.string()
        // Core protocol names compare without case (spec: ProtocolType).
        let proto = ListenerProtocol(rawValue: protocolName.uppercased())
        if proto == nil && !protocolName.contains("/") {
            throw protoField.error(
                "unknown protocol '\(protocolName)' (HTTP, HTTPS, TLS, TCP, UDP, or a domain-prefixed custom protocol)")
        }
        let hostname = try f["hostname"].map(GatewayAPI.hostname)
        var tlsMode: TLSMode?
        if let tls = f["tls"] {
            try tls.requireKnownKeys(["mode", "certificateRefs", "options", "frontendValidation"])
            let text = try tls["mode"]?.string() ?? "Terminate"
            guard let mode = TLSMode(rawValue: text) else {
                throw tls["mode"]!.error("unknown TLS mode '\(text)' (Terminate or Passthrough)")
            }
            tlsMode = mode
        } else if proto == .https || proto == .tls {
            tlsMode = proto == .https ? .terminate : .passthrough
        }
        if proto == .https && tlsMode == .passthrough {
            throw f["tls"]!["mode"]!.error("an HTTPS listener terminates TLS; Passthrough needs protocol TLS")
        }
        var allowed = AllowedNamespaces.same
        var kinds: [String]?
        if let routes = f["allowedRoutes"] {
            try routes.requireKnownKeys(["namespaces", "kinds"])
            if let ns = routes["namespaces"] {
                try ns.requireKnownKeys(["from", "selector"])
                switch try ns["from"]?.string() ?? "Same" {
                case "Same": allowed = .same
                case "All": allowed = .all
                case "Selector":
                    guard let sel = ns["selector"] else {
                        throw ns.missing("selector", hint: "from: Selector needs one")
                    }
                    allowed = .selector(try LabelSelector.parse(sel))
                case let other:
                    throw ns["from"]!.error("unknown value '\(other)' (Same, All or Selector)")
                }
            }
            if let k = routes["kinds"] {
                kinds = try k.items().map { item in
                    try item.requireKnownKeys(["group", "kind"])
                    guard let kind = item["kind"] else { throw item.missing("kind") }
                    let group = try item["group"]?.string() ?? GatewayAPI.group
                    return group == GatewayAPI.group ? try kind.string() : "\(try kind.string()).\(group)"
                }
            }
        }
        return Listener(
            name: try name.string(), port: try port.int(in: 1...65535), proto: proto, protocolName: protocolName,
            hostname: hostname, tlsMode: tlsMode, allowedNamespaces: allowed, allowedKinds: kinds, path: f.path,
            location: f.location)
    }
}
