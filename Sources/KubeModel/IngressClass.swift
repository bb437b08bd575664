/// An IngressClass: which controller implements the Ingresses that name it.
public struct IngressClass: Hashable, Sendable {
    public let name: String
    public let controller: String
    public let isDefault: Bool

    static func parse(_ spec: Field, metadata: Field, name: String) throws -> IngressClass {
        guard let c = spec["controller"] else { throw spec.missing("controller") }
        let isDefault = try metadata["annotations"]?["ingressclass.kubernetes.io/is-default-class"]?.string() == "true"
        return IngressClass(name: name, controller: try c.string(), isDefault: isDefault)
    }
}
