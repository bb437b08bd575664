import Foundation

/// The address plan of a cluster (`--cluster cluster.yaml`): pod, Service and node CIDRs. Fields left out take
/// the usual kubeadm/kind defaults for pods and Services; node addresses stay unknown.
public struct ClusterDescription: Sendable {
    public static let defaultPodCIDR = IPv4CIDR(base: 0x0AF4_0000, prefix: 16)  // 10.244.0.0/16
    public static let defaultServiceCIDR = IPv4CIDR(base: 0x0A60_0000, prefix: 12)  // 10.96.0.0/12

    public var podCIDR = defaultPodCIDR
    /// nil when the default would overlap the given pod CIDR.
    public var serviceCIDR: IPv4CIDR? = defaultServiceCIDR
    public var nodeCIDR: IPv4CIDR?
    /// Which values came from the file.
    var given: Set<String> = []

    public var summary: String {
        func text(_ key: String, _ c: IPv4CIDR?) -> String {
            "\(key) \(c?.description ?? "unknown")\(given.contains(key) ? "" : " (default)")"
        }
        return [text("podCIDR", podCIDR), text("serviceCIDR", serviceCIDR), text("nodeCIDR", nodeCIDR)].joined(
            separator: ", ")
    }

    public static func load(_ path: String) throws -> ClusterDescription {
        let (documents, errors, _, _) = ManifestReader().read(paths: [path])
        if !errors.isEmpty { throw InputErrors(errors) }
        guard documents.count == 1, let doc = documents.first else {
            throw InputErrors([
                InputError(
                    SourceLocation(file: path, line: 1), "cluster",
                    "expected one YAML document with podCIDR, serviceCIDR and nodeCIDR")
            ])
        }
        let root = Field(node: doc.root, path: "", file: doc.file, fallbackLine: doc.line, lineOffset: doc.lineOffset)
        var out = ClusterDescription()
        do {
            try root.requireKnownKeys(["podCIDR", "serviceCIDR", "nodeCIDR"])
            func cidr(_ key: String) throws -> IPv4CIDR? {
                guard let f = root[key] else { return nil }
                guard case .v4(let c) = try f.cidr() else { throw f.error("only IPv4 CIDRs are modelled") }
                out.given.insert(key)
                return c
            }
            if let c = try cidr("podCIDR") { out.podCIDR = c }
            if let c = try cidr("serviceCIDR") { out.serviceCIDR = c }
            out.nodeCIDR = try cidr("nodeCIDR")
            if !out.given.contains("serviceCIDR"), let s = out.serviceCIDR,
                s.contains(out.podCIDR) || out.podCIDR.contains(s)
            {
                out.serviceCIDR = nil
            }
            let values: [(String, IPv4CIDR?)] = [
                ("podCIDR", out.podCIDR), ("serviceCIDR", out.serviceCIDR), ("nodeCIDR", out.nodeCIDR),
            ]
            for (i, (a, x)) in values.enumerated() {
                for (b, y) in values[(i + 1)...] {
                    guard let x, let y, out.given.contains(b) || out.given.contains(a) else { continue }
                    if x.contains(y) || y.contains(x) {
                        throw (root[b] ?? root[a] ?? root).error("\(b) \(y) overlaps \(a) \(x)")
                    }
                }
            }
        } catch let e as InputError { throw InputErrors([e]) }
        return out
    }
}
