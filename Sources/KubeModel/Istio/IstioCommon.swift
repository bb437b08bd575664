// What the Istio kinds (one file each beside this one) share.

/// A workload selector of an Istio object: `selector.matchLabels` (an empty one selects like none).
public typealias IstioSelector = [String: String]

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
