/// An Istio PeerAuthentication (security.istio.io): the mutual TLS mode a workload's proxy accepts, per port or
/// for all of them.
public struct PeerAuthentication: Hashable, Sendable {
    public enum Mode: String, Sendable {
        case unset = "UNSET"
        case disable = "DISABLE"
        case permissive = "PERMISSIVE"
        case strict = "STRICT"
    }
    public let name: String
    public let namespace: String
    public let selector: IstioSelector?
    /// nil when `mtls` is absent (UNSET).
    public let mode: Mode
    /// Keyed by the container (target) port.
    public let portLevel: [Int: Mode]
    public let created: CreationTime
    public let location: SourceLocation

    static func parse(_ spec: Field, name: String, namespace: String, created: CreationTime, location: SourceLocation)
        throws -> PeerAuthentication
    {
        func mode(_ f: Field?) throws -> Mode {
            guard let f else { return .unset }
            // `mtls: STRICT` (a string for a mapping) must not read as UNSET: the verdict would change silently.
            try f.requireKnownKeys(["mode"])
            guard let m = f["mode"] else { return .unset }
            let text = try m.string()
            guard let mode = Mode(rawValue: text) else {
                throw m.error("unknown mTLS mode '\(text)' (UNSET, DISABLE, PERMISSIVE or STRICT)")
            }
            return mode
        }
        var portLevel: [Int: Mode] = [:]
        for (key, value) in try spec["portLevelMtls"]?.entries() ?? [] {
            guard let port = Int(key), (1...65535).contains(port) else {
                throw value.error("portLevelMtls key '\(key)' is not a port number")
            }
            portLevel[port] = try mode(value)
        }
        try spec.requireKnownKeys(["selector", "mtls", "portLevelMtls"])
        let selector = try istioSelector(spec["selector"])
        return PeerAuthentication(
            name: name, namespace: namespace, selector: selector?.isEmpty == false ? selector : nil,
            mode: try mode(spec["mtls"]), portLevel: portLevel, created: created, location: location)
    }

    /// Why Istio's validation would refuse the object (it could never have been applied), or nil.
    public var rejection: String? {
        selector == nil && !portLevel.isEmpty
            ? "mesh/namespace PeerAuthentication cannot have portLevelMtls (Istio validation rejects it); ignored" : nil
    }
}
