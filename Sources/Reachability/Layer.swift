/// How deep a question is answered. Each layer includes the ones before it.
public enum Layer: String, CaseIterable, Sendable, Comparable {
    /// The policy tiers (AdminNetworkPolicy, NetworkPolicy, BaselineAdminNetworkPolicy) over Services.
    case netpol
    /// Also Istio in sidecar mode: mutual TLS and authorization.
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
