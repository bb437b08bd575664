/// The Sidecar resource: which services a client's proxy knows (egress) and what it does with the rest.
public struct SidecarScope: Hashable, Sendable {
    public let name: String
    public let namespace: String
    public let selector: [String: String]?
    /// `ns/dnsName` entries of every egress listener; nil when the resource sets no egress.
    public let egressHosts: [String]?
    /// `ALLOW_ANY` or `REGISTRY_ONLY`; nil: the mesh default.
    public let outboundPolicy: String?
    public let hasIngressListeners: Bool
    public let created: CreationTime
    public let location: SourceLocation

    static func parse(_ spec: Field, name: String, namespace: String, created: CreationTime, location: SourceLocation)
        throws -> SidecarScope
    {
        let egress = try spec["egress"].map { e in try e.items().flatMap { try $0["hosts"]?.stringList() ?? [] } }
        let selector = try spec["workloadSelector"]?["labels"]?.stringMap()
        return SidecarScope(
            name: name, namespace: namespace, selector: selector?.isEmpty == false ? selector : nil,
            egressHosts: egress,
            outboundPolicy: try spec["outboundTrafficPolicy"]?["mode"]?.string(),
            hasIngressListeners: !(try spec["ingress"]?.items() ?? []).isEmpty, created: created, location: location)
    }
}
