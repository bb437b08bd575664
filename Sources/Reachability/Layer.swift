import KubeModel

/// How deep a question is answered. Each layer includes the ones before it.
public enum Layer: String, CaseIterable, Sendable, Comparable {
    /// The policy tiers (AdminNetworkPolicy, NetworkPolicy, BaselineAdminNetworkPolicy) over Services.
    case netpol
    /// Also Istio in sidecar mode (mutual TLS and authorization) and Cilium's L7 rules on requests.
    case mesh
    /// Also the routes through ingress proxies, hop by hop.
    case endToEnd = "end-to-end"

    public static func < (a: Layer, b: Layer) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The layers a question at this layer goes through, in order.
    public var included: [Layer] { Layer.allCases.filter { $0 <= self } }

    /// The words parsers accept, for error messages.
    public static let accepted = "netpol, mesh or end-to-end"
}

/// The layer a question is answered at when none is asked for (`--layer auto`, the default): the deepest the input
/// exercises, so that a mesh's denials are never left out of an answer because the user did not know to ask.
public struct AutoLayer: Sendable {
    /// `mesh` when a pod of the input has an Istio sidecar or an Istio security object exists, else `netpol`.
    public let layer: Layer
    /// Why, as reports print it next to the layer.
    public let reason: String

    public init(model: ClusterModel) {
        let security = model.peerAuthentications.count + model.authorizationPolicies.count
        let revisions = SidecarInjection.revisions(model)
        let gateways = model.istioGateways
        let sidecars = model.workloads.count { w in
            SidecarInjection.proxy(
                for: w, namespace: model.namespaces[w.namespace], gateways: gateways, revisions: revisions
            ).kind == .sidecar
        }
        if sidecars > 0 || security > 0 {
            layer = .mesh
            var why: [String] = []
            if sidecars > 0 { why.append("\(sidecars) workload(s) run an Istio sidecar") }
            if security > 0 { why.append("\(security) Istio security object(s)") }
            reason = why.joined(separator: ", ")
        } else {
            layer = .netpol
            reason = "no Istio sidecar or security object in the input"
        }
    }

    /// The layer for a question that may go through a proxy (a pinned entry route) or carry an HTTP request, and
    /// why when it is deeper than the NetworkPolicy layer (answers say so; at the netpol layer nothing changed).
    public func layer(throughProxy: Bool, httpRequest: Bool) -> (layer: Layer, reason: String?) {
        if throughProxy { return (.endToEnd, "the question goes through a proxy") }
        if httpRequest && layer == .netpol { return (.mesh, "the question carries an HTTP request") }
        return (layer, layer > .netpol ? reason : nil)
    }
}
