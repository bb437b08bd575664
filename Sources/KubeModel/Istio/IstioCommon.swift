// What the Istio kinds (one file each beside this one) share.

/// A workload selector of an Istio object: `selector.matchLabels` (an empty one selects like none).
public typealias IstioSelector = [String: String]

/// `selector.matchLabels` (or `workloadSelector.matchLabels`) of an Istio object. A selector of the wrong type is an
/// error, never read as "no selector": that would widen the object to every workload of its namespace.
func istioSelector(_ field: Field?) throws -> IstioSelector? {
    guard let field else { return nil }
    try field.requireKnownKeys(["matchLabels"])
    return try field["matchLabels"]?.stringMap()
}

/// The `creationTimestamp` of an object, when the input carries one (live dumps do; rendered charts do not).
public typealias CreationTime = String?

extension ClusterModel {
    /// Istio resolves ties between objects of one scope by age; without timestamps, by name (stated where it matters).
    mutating func sortIstioObjects() {
        func key(_ created: CreationTime, _ ns: String, _ name: String) -> (String, String, String) {
            (created ?? "~", ns, name)
        }
        peerAuthentications.sort { key($0.created, $0.namespace, $0.name) < key($1.created, $1.namespace, $1.name) }
        authorizationPolicies.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        destinationRules.sort { key($0.created, $0.namespace, $0.name) < key($1.created, $1.namespace, $1.name) }
        istioGateways.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        virtualServices.sort { key($0.created, $0.namespace, $0.name) < key($1.created, $1.namespace, $1.name) }
        sidecars.sort { key($0.created, $0.namespace, $0.name) < key($1.created, $1.namespace, $1.name) }
        rejected.sort { $0.location < $1.location }
    }
}
