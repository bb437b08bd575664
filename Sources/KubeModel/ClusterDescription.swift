import Foundation

/// The address plan of a cluster (`--cluster cluster.yaml`): its IP families and pod, Service and node CIDRs, one
/// per family (a comma-separated string, as `kube-controller-manager --cluster-cidr` takes them, or a list).
///
/// The families are `ipFamilies` when given, else those of `podCIDR` when given, else both (dual-stack). A family in
/// use without a pod or Service CIDR takes kind's defaults (10.244.0.0/16 and fd00:10:244::/56 for pods,
/// 10.96.0.0/12 and fd00:10:96::/112 for Services); node addresses stay unknown.
public struct ClusterDescription: Sendable {
    public static let defaultPodCIDRs = ["10.244.0.0/16", "fd00:10:244::/56"].map { try! CIDR.parse($0).get() }
    public static let defaultServiceCIDRs = ["10.96.0.0/12", "fd00:10:96::/112"].map { try! CIDR.parse($0).get() }

    public var ipFamilies = IPFamily.allCases
    public var podCIDRs = defaultPodCIDRs
    /// Without a default where it would overlap a given pod CIDR.
    public var serviceCIDRs = defaultServiceCIDRs
    public var nodeCIDRs: [CIDR] = []
    /// Which values came from the file.
    var given: Set<String> = []

    public static let keys: Set<String> = ["ipFamilies", "podCIDR", "serviceCIDR", "nodeCIDR"]

    public var summary: String {
        func text(_ key: String, _ cidrs: [CIDR]) -> String {
            let list = cidrs.isEmpty ? "unknown" : cidrs.map(\.description).joined(separator: ",")
            return "\(key) \(list)\(given.contains(key) ? "" : " (default)")"
        }
        let families = "ipFamilies \(ipFamilies.map(\.rawValue).joined(separator: ","))"
        return [
            families
                + (given.contains("ipFamilies") ? "" : given.contains("podCIDR") ? " (from podCIDR)" : " (default)"),
            text("podCIDR", podCIDRs), text("serviceCIDR", serviceCIDRs), text("nodeCIDR", nodeCIDRs),
        ].joined(separator: ", ")
    }

    public static func load(_ path: String) throws -> ClusterDescription {
        let (documents, errors, _, _) = ManifestReader().read(paths: [path])
        if !errors.isEmpty { throw InputErrors(errors) }
        guard documents.count == 1, let doc = documents.first else {
            throw InputErrors([
                InputError(
                    SourceLocation(file: path, line: 1), "cluster",
                    "expected one YAML document with ipFamilies, podCIDR, serviceCIDR and nodeCIDR")
            ])
        }
        let root = Field(node: doc.root, path: "", file: doc.file, fallbackLine: doc.line, lineOffset: doc.lineOffset)
        do { return try read(root) } catch let e as InputError { throw InputErrors([e]) }
    }

    static func read(_ root: Field) throws -> ClusterDescription {
        var out = ClusterDescription()
        try root.requireKnownKeys(keys)
        /// One CIDR per family, from `a,b` or a list.
        func cidrs(_ key: String) throws -> [CIDR]? {
            guard let f = root[key] else { return nil }
            let items: [(Field, String)]
            if case .sequence = f.node {
                items = try f.items().map { ($0, try $0.string()) }
            } else {
                items = try f.string().split(separator: ",").map { (f, $0.trimmingCharacters(in: .whitespaces)) }
            }
            var found: [CIDR] = []
            for (field, text) in items {
                let c: CIDR
                switch CIDR.parse(text) {
                case .success(let parsed): c = parsed
                case .failure(let p): throw field.error(p.message)
                }
                if found.contains(where: { $0.family == c.family }) {
                    throw field.error("two \(c.family.rawValue) CIDRs; give one per IP family")
                }
                found.append(c)
            }
            guard !found.isEmpty else { throw f.error("expected one CIDR per IP family") }
            out.given.insert(key)
            return found
        }
        let pods = try cidrs("podCIDR")
        let services = try cidrs("serviceCIDR")
        let nodes = try cidrs("nodeCIDR")
        if let f = root["ipFamilies"] {
            var families: [IPFamily] = []
            for item in try f.items() {
                guard let family = IPFamily(name: try item.string()) else {
                    throw item.error("'\(try item.string())' is not an IP family (IPv4 or IPv6)")
                }
                if !families.contains(family) { families.append(family) }
            }
            guard !families.isEmpty else { throw f.error("expected IPv4, IPv6 or both") }
            out.ipFamilies = families.sorted()
            out.given.insert("ipFamilies")
        } else if let pods {
            out.ipFamilies = pods.map(\.family).sorted()
        }
        for (key, list) in [("podCIDR", pods), ("serviceCIDR", services), ("nodeCIDR", nodes)] {
            for c in list ?? [] where !out.ipFamilies.contains(c.family) {
                throw (root[key] ?? root).error("\(c) is \(c.family.rawValue), which ipFamilies does not list")
            }
        }
        func withDefaults(_ given: [CIDR]?, _ defaults: [CIDR]) -> [CIDR] {
            out.ipFamilies.compactMap { family in
                given?.first { $0.family == family } ?? defaults.first { $0.family == family }
            }
        }
        out.podCIDRs = withDefaults(pods, defaultPodCIDRs)
        // A default Service network that would overlap the given pod network is left out.
        out.serviceCIDRs = withDefaults(services, defaultServiceCIDRs).filter { s in
            services?.contains(s) == true || !out.podCIDRs.contains { $0.contains(s) || s.contains($0) }
        }
        out.nodeCIDRs = nodes ?? []
        let values = [("podCIDR", out.podCIDRs), ("serviceCIDR", out.serviceCIDRs), ("nodeCIDR", out.nodeCIDRs)]
        for (i, (a, xs)) in values.enumerated() {
            for (b, ys) in values[(i + 1)...] where out.given.contains(a) || out.given.contains(b) {
                for x in xs {
                    for y in ys where x.contains(y) || y.contains(x) {
                        throw (root[b] ?? root[a] ?? root).error("\(b) \(y) overlaps \(a) \(x)")
                    }
                }
            }
        }
        return out
    }
}
