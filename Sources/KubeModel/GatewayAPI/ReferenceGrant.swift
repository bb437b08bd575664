/// A ReferenceGrant: lets objects of the `from` kinds and namespaces refer to objects of the `to` kinds in the
/// grant's own namespace (a route's backendRef to a Service in another namespace needs one there).
public struct ReferenceGrant: Hashable, Sendable {
    public struct From: Hashable, Sendable {
        public let group: String
        public let kind: String
        public let namespace: String
    }
    public struct To: Hashable, Sendable {
        public let group: String
        public let kind: String
        /// nil: every object of the kind.
        public let name: String?
    }

    public let namespace: String
    public let name: String
    public let from: [From]
    public let to: [To]
    public let location: SourceLocation

    static let versions: Set<String> = GatewayAPI.standard.union(["gateway.networking.k8s.io/v1alpha2"])

    /// Whether this grant lets a `kind` object (of the Gateway API group) in `namespace` refer to a Service `name`.
    public func permits(routeKind kind: String, namespace ns: String, service: String) -> Bool {
        from.contains { $0.group == GatewayAPI.group && $0.kind == kind && $0.namespace == ns }
            && to.contains { $0.group.isEmpty && $0.kind == "Service" && ($0.name == nil || $0.name == service) }
    }

    static func parse(_ spec: Field, name: String, namespace: String, location: SourceLocation) throws
        -> ReferenceGrant
    {
        try spec.requireKnownKeys(["from", "to"])
        guard let fromItems = spec["from"] else { throw spec.missing("from") }
        guard let toItems = spec["to"] else { throw spec.missing("to") }
        let from = try fromItems.items().readEach { f -> From in
            try f.requireKnownKeys(["group", "kind", "namespace"])
            guard let g = f["group"] else { throw f.missing("group") }
            guard let k = f["kind"] else { throw f.missing("kind") }
            guard let n = f["namespace"] else { throw f.missing("namespace") }
            return From(group: try g.string(), kind: try k.string(), namespace: try n.string())
        }
        let to = try toItems.items().readEach { f -> To in
            try f.requireKnownKeys(["group", "kind", "name"])
            guard let g = f["group"] else { throw f.missing("group") }
            guard let k = f["kind"] else { throw f.missing("kind") }
            return To(group: try g.string(), kind: try k.string(), name: try f["name"]?.string())
        }
        return ReferenceGrant(namespace: namespace, name: name, from: from, to: to, location: location)
    }
}
