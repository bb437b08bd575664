import KubeModel

/// The HTTP request a mesh verdict is about. A nil field means "any value": the engine then looks for a value
/// that some request could carry (the answer names the request it found).
public struct HTTPRequest: Hashable, Sendable, CustomStringConvertible {
    public var method: String?
    public var path: String?
    public var host: String?

    public init(method: String? = nil, path: String? = nil, host: String? = nil) {
        self.method = method
        self.path = path
        self.host = host
    }

    public var description: String {
        var parts = [method ?? "(any method)", path ?? "(any path)"]
        if let host { parts.append("host \(host)") }
        return parts.joined(separator: " ")
    }
}

/// One stage of a mesh decision (docs/SEMANTICS.md §8.1 ids: SRC-MESH-EGRESS, MTLS, AUTHZ-DENY, AUTHZ-ALLOW, ROUTE,
/// ...).
public struct MeshStep: Hashable, Sendable, CustomStringConvertible {
    public let stage: String
    public let effect: StageEffect
    /// What decided, with the object and rule (`AuthorizationPolicy default/details-viewer spec.rules[0] (file:line)`).
    public let detail: String
    /// The object and field that decided, for reports that point at it (SARIF); nil for a default.
    public let evidence: RuleRef?

    public init(_ stage: String, _ effect: StageEffect, _ detail: String, evidence: RuleRef? = nil) {
        self.stage = stage
        self.effect = effect
        self.detail = detail
        self.evidence = evidence
    }

    public var description: String { "\(stage) \(effect.rawValue): \(detail)" }
}

/// The mesh stages' verdict on one connection (or request) into a pod, after the NetworkPolicy layer admitted it.
public struct MeshDecision: Hashable, Sendable {
    public let verdict: FlowVerdict
    public let steps: [MeshStep]
    /// How the client addressed the destination (`Service default/details TCP/9080`, `pod IP`).
    public let addressing: String
    /// The request decided on an HTTP port (a witness when the query left fields open); nil for TCP.
    public let request: HTTPRequest?
    /// The connection is Istio mutual TLS (the server knows the client's identity).
    public let mutualTLS: Bool

    public var reason: String? { steps.first { $0.effect == .unknown }?.detail }
}

/// Three-valued truth for matches that the input may not settle (a pod IP against a CIDR, a header condition).
enum Tri: Equatable {
    case yes, no
    case unknown(String)

    init(_ b: Bool) { self = b ? .yes : .no }

    static func any(_ items: [Tri]) -> Tri {
        if items.contains(.yes) { return .yes }
        return items.first { if case .unknown = $0 { return true } else { return false } } ?? .no
    }

    static func all(_ items: [Tri]) -> Tri {
        if items.contains(.no) { return .no }
        return items.first { if case .unknown = $0 { return true } else { return false } } ?? .yes
    }

    var negated: Tri {
        switch self {
        case .yes: return .no
        case .no: return .yes
        case .unknown: return self
        }
    }
}

/// Istio's string forms: exact, `prefix*`, `*suffix`, and `*` (any non-empty value). An absent value matches no
/// pattern.
func istioStringMatches(_ pattern: String, _ value: String?, caseInsensitive: Bool = false) -> Bool {
    guard var value, !value.isEmpty else { return false }
    var pattern = pattern
    if caseInsensitive { (pattern, value) = (pattern.lowercased(), value.lowercased()) }
    if pattern == "*" { return true }
    if pattern.hasSuffix("*") { return value.hasPrefix(pattern.dropLast()) }
    if pattern.hasPrefix("*") { return value.hasSuffix(pattern.dropFirst()) }
    return value == pattern
}

/// DNS host patterns of Gateways and VirtualServices: `*` is every host, `*.example.com` every host under it.
func dnsHostMatches(_ pattern: String, _ host: String) -> Bool {
    let (p, h) = (pattern.lowercased(), host.lowercased())
    if p == "*" { return true }
    if p.hasPrefix("*.") { return h.hasSuffix(p.dropFirst()) }
    return p == h
}

extension Service {
    /// The Service's name inside the mesh.
    var meshHost: String { "\(name).\(namespace).svc.cluster.local" }
}

/// A host name as written in an Istio object, made a fully qualified Service name: short names resolve in the object's
/// namespace.
func qualifiedHost(_ host: String, namespace: String) -> String {
    if host.contains("*") || host.hasSuffix(".cluster.local") { return host }
    let labels = host.split(separator: ".").count
    if labels == 1 { return "\(host).\(namespace).svc.cluster.local" }
    if labels == 2 { return "\(host).svc.cluster.local" }
    if host.hasSuffix(".svc") { return "\(host).cluster.local" }
    return host
}

func ref(_ kind: String, _ namespace: String, _ name: String, _ path: String, _ location: SourceLocation) -> String {
    "\(kind) \(namespace)/\(name)\(path.isEmpty ? "" : " " + path) (\(location))"
}

/// The same object and field as a structured reference.
func ruleRef(_ kind: String, _ namespace: String, _ name: String, _ path: String, _ location: SourceLocation)
    -> RuleRef
{
    RuleRef(kind: kind, namespace: namespace, name: name, path: path, location: location)
}
