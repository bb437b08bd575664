import KubeModel
import Reachability

/// Which endpoints one side of a claim means.
public struct EndpointSelector: Hashable, Sendable, CustomStringConvertible {
    public enum Universe: String, Sendable { case existing, any }
    public var namespace: String?
    public var namespaceSelector: LabelSelector?
    public var podSelector: LabelSelector?
    public var workload: String?
    public var external: CIDR?
    /// `ns/name` of a Service: its backend pods, on the target ports its listed ports translate to.
    public var service: String?
    public var universe: Universe = .existing
    public let location: SourceLocation
    /// Where the selector is in its claims file (`claims[2].only.from[0]`), for error messages.
    public var path: String = ""

    public init(location: SourceLocation, path: String = "") {
        self.location = location
        self.path = path
    }

    public var description: String {
        if let workload { return workload }
        if let external { return "external:\(external)" }
        if let service { return "service \(service)" }
        var parts: [String] = []
        if let namespace { parts.append("namespace \(namespace)") }
        if let namespaceSelector { parts.append("namespaces {\(namespaceSelector)}") }
        if let podSelector { parts.append("pods {\(podSelector)}") }
        if parts.isEmpty { parts.append("every pod") }
        if universe == .any { parts.append("(any pod that could be created)") }
        return parts.joined(separator: " ")
    }

    /// Whether a declared endpoint is selected.
    func selects(_ e: PodEndpoint) -> Bool {
        if external != nil || service != nil { return false }
        if let workload { return e.workload == workload }
        if let namespace, e.namespace != namespace { return false }
        if let namespaceSelector, !namespaceSelector.matches(e.namespaceLabels) { return false }
        return podSelector?.matches(e.labels) ?? true
    }
}

/// A port range of one protocol, as `TCP/8775` or `TCP/8000-8100`.
public struct PortSpec: Hashable, Sendable, CustomStringConvertible {
    public let proto: L4Protocol
    public let range: ClosedRange<Int>
    public init(proto: L4Protocol, range: ClosedRange<Int>) {
        self.proto = proto
        self.range = range
    }
    public var description: String {
        range.count == 1
            ? "\(proto.rawValue)/\(range.lowerBound)" : "\(proto.rawValue)/\(range.lowerBound)-\(range.upperBound)"
    }

    /// The connections a list of specs names; every protocol and port for an empty list.
    public static func conns(_ specs: [PortSpec]) -> ConnSet {
        specs.isEmpty ? .all : specs.reduce(ConnSet.none) { $0.union(ConnSet($1.proto, PortRanges([$1.range]))) }
    }

    public static func parse(_ text: String) -> PortSpec? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let proto = L4Protocol(rawValue: parts[0].uppercased()) else { return nil }
        let bounds = parts[1].split(separator: "-")
        guard (1...2).contains(bounds.count), let lo = Int(bounds[0]), let hi = Int(bounds.last!), 1 <= lo, lo <= hi,
            hi <= 65535
        else { return nil }
        return PortSpec(proto: proto, range: lo...hi)
    }
}

public struct Claim: Sendable {
    public enum Kind: String, Sendable { case allowed, denied, only }
    public let name: String
    public let description: String?
    public let kind: Kind
    public let from: [EndpointSelector]
    public let to: EndpointSelector
    /// Empty: every port of every protocol. For a Service destination: the Service's ports, before translation.
    public let ports: [PortSpec]
    /// `netpol`: NetworkPolicy tiers only; `mesh`: also Istio mTLS and authorization; `end-to-end`: also routes
    /// through an ingress proxy (Istio gateway, ingress-nginx). nil: the deepest layer the input exercises
    /// (`AutoLayer`), end to end for a claim that pins a route.
    public let layer: Layer?
    /// The HTTP request the claim is about (mesh and end-to-end layers); nil: any request on the port.
    public var request: HTTPRequest? = nil
    /// `mtls: required`: every admitted flow into the destination must be Istio mutual TLS.
    public var mtlsRequired = false
    /// `entry: {service: ns/name, port: N | nodePort: N}`: end to end, only paths entering by that Service port count.
    public var entry: ClaimEntry? = nil
    /// `via: {ingress: ns/name}`, `{gateway: ns/name, listener: name}` or `{route: ns/name}`: end to end, only
    /// routes that this Ingress, Gateway (listener) or Gateway API route decides count.
    public var via: RouteVia? = nil
    public let allowEmpty: Bool
    /// For `only`: also count pods anyone could create as outside sources.
    public let outsideUniverse: EndpointSelector.Universe
    public let location: SourceLocation

    public init(
        name: String, description: String?, kind: Kind, from: [EndpointSelector], to: EndpointSelector,
        ports: [PortSpec],
        layer: Layer?, allowEmpty: Bool, outsideUniverse: EndpointSelector.Universe, location: SourceLocation
    ) {
        self.name = name
        self.description = description
        self.kind = kind
        self.from = from
        self.to = to
        self.ports = ports
        self.layer = layer
        self.allowEmpty = allowEmpty
        self.outsideUniverse = outsideUniverse
        self.location = location
    }
}

public struct ClaimEntry: Sendable {
    public let service: String
    public let port: Int?
    public let nodePort: Int?
    public let location: SourceLocation
    public let path: String
}

public struct ClaimsFile: Sendable {
    public let path: String
    public let claims: [Claim]
}

extension Service {
    /// The Service ports a list of port specs names (all of them for an empty list).
    func ports(in specs: [PortSpec]) -> [ServicePort] {
        specs.isEmpty
            ? ports : ports.filter { sp in specs.contains { $0.proto == sp.proto && $0.range.contains(sp.port) } }
    }
}
