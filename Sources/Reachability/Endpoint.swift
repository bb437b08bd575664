import KubeModel

/// A pod as the policy stages see it: a declared workload, or a hypothetical pod a query invents.
public struct PodEndpoint: Hashable, Sendable {
    /// The fields live in one shared box: endpoints are copied at every step of an evaluation, and one reference costs
    /// less to copy than five.
    private final class Fields: Sendable {
        let namespace: String
        let namespaceLabels: [String: String]
        let labels: [String: String]
        let ports: [ContainerPort]
        let hostNetwork: Bool
        let serviceAccount: String
        let workload: String?
        let inNewNamespace: Bool

        init(
            namespace: String, namespaceLabels: [String: String], labels: [String: String], ports: [ContainerPort],
            hostNetwork: Bool,
            serviceAccount: String, workload: String?, inNewNamespace: Bool
        ) {
            self.namespace = namespace
            self.namespaceLabels = namespaceLabels
            self.labels = labels
            self.ports = ports
            self.hostNetwork = hostNetwork
            self.serviceAccount = serviceAccount
            self.workload = workload
            self.inNewNamespace = inNewNamespace
        }
    }
    private let fields: Fields

    public var namespace: String { fields.namespace }
    public var namespaceLabels: [String: String] { fields.namespaceLabels }
    public var labels: [String: String] { fields.labels }
    public var ports: [ContainerPort] { fields.ports }
    public var hostNetwork: Bool { fields.hostNetwork }
    public var serviceAccount: String { fields.serviceAccount }
    /// `ns/name` of the declared workload, nil for a hypothetical pod.
    public var workload: String? { fields.workload }
    /// A hypothetical pod's namespace does not exist yet (its labels are then part of the witness).
    public var inNewNamespace: Bool { fields.inNewNamespace }
    /// Position in `Evaluator.endpoints` of a declared pod, for the evaluator's caches.
    public internal(set) var declaredIndex: Int? = nil

    public init(
        namespace: String, namespaceLabels: [String: String], labels: [String: String], ports: [ContainerPort] = [],
        hostNetwork: Bool = false, serviceAccount: String = "default", workload: String? = nil,
        inNewNamespace: Bool = false
    ) {
        fields = Fields(
            namespace: namespace, namespaceLabels: namespaceLabels, labels: labels, ports: ports,
            hostNetwork: hostNetwork,
            serviceAccount: serviceAccount, workload: workload, inNewNamespace: inNewNamespace)
    }

    public static func == (a: PodEndpoint, b: PodEndpoint) -> Bool {
        guard a.declaredIndex == b.declaredIndex else { return false }
        if a.fields === b.fields { return true }
        return a.namespace == b.namespace && a.namespaceLabels == b.namespaceLabels && a.labels == b.labels
            && a.ports == b.ports
            && a.hostNetwork == b.hostNetwork && a.serviceAccount == b.serviceAccount && a.workload == b.workload
            && a.inNewNamespace == b.inNewNamespace
    }

    public func hash(into h: inout Hasher) {
        h.combine(namespace)
        h.combine(labels)
        h.combine(workload)
        h.combine(declaredIndex)
    }

    public init(_ w: Workload, namespace ns: Namespace?) {
        self.init(
            namespace: w.namespace, namespaceLabels: ns?.labels ?? ["kubernetes.io/metadata.name": w.namespace],
            labels: w.labels, ports: w.ports, hostNetwork: w.hostNetwork, serviceAccount: w.serviceAccount,
            workload: w.id)
    }

    /// The same pod with other labels (witness simplification).
    public func with(labels: [String: String], namespaceLabels: [String: String]) -> PodEndpoint {
        PodEndpoint(
            namespace: namespace, namespaceLabels: namespaceLabels, labels: labels, ports: ports,
            hostNetwork: hostNetwork,
            serviceAccount: serviceAccount, workload: workload, inNewNamespace: inNewNamespace)
    }

    var withoutHostNetwork: PodEndpoint {
        PodEndpoint(
            namespace: namespace, namespaceLabels: namespaceLabels, labels: labels, ports: ports, hostNetwork: false,
            serviceAccount: serviceAccount, workload: workload)
    }

    public func port(named name: String, proto: L4Protocol) -> Int? {
        ports.first { $0.name == name && $0.proto == proto }?.number
    }

    /// The container port a Service's targetPort means on this pod (nil: a name the pod does not declare).
    public func resolve(_ target: PortRef, proto: L4Protocol) -> Int? {
        switch target {
        case .number(let n): return n
        case .name(let name): return port(named: name, proto: proto)
        }
    }

    public var displayName: String {
        if let workload { return workload }
        func text(_ l: [String: String]) -> String {
            l.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        let place =
            inNewNamespace
            ? "a new namespace \(namespace) labelled {\(text(namespaceLabels.filter { $0.key != "kubernetes.io/metadata.name" }))}"
            : namespace
        return "<pod in \(place) with labels {\(text(labels))}>"
    }
}

/// A contiguous range of addresses of one family outside the pod network, inside which every policy answers alike.
public struct AddressRange: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let first: IPAddress
    public let last: IPAddress

    public init(first: IPAddress, last: IPAddress) {
        precondition(first.family == last.family)
        self.first = first
        self.last = last
    }

    public init(_ c: CIDR) { self.init(first: c.first, last: c.last) }

    /// The single address `a`.
    public init(_ a: IPAddress) { self.init(first: a, last: a) }

    public var family: IPFamily { first.family }
    public var cidrs: [CIDR] { CIDR.covering(first, last) }
    /// Its CIDRs, or `first-last` when they would be many (a complement of a pod network in IPv6 takes dozens).
    public var description: String {
        let list = cidrs
        return list.count <= 12 ? list.map(\.description).joined(separator: ",") : "\(first)-\(last)"
    }
    public static func < (a: AddressRange, b: AddressRange) -> Bool { a.first < b.first }

    public func isInside(_ c: CIDR) -> Bool { c.contains(first) && c.contains(last) }
    public func overlaps(_ c: CIDR) -> Bool { c.family == family && first <= c.last && c.first <= last }
    /// The part of this range inside `c`, if any.
    public func clipped(to c: CIDR) -> AddressRange? {
        overlaps(c) ? AddressRange(first: max(first, c.first), last: min(last, c.last)) : nil
    }
}

/// Either end of a flow.
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    case pod(PodEndpoint)
    case external(AddressRange)

    public var pod: PodEndpoint? { if case .pod(let p) = self { return p } else { return nil } }

    public var description: String {
        switch self {
        case .pod(let p): return p.displayName
        case .external(let r): return "external:\(r)"
        }
    }
}

/// Cuts the address space outside the pod network into ranges no policy can tell apart.
public enum AddressSpace {
    /// The ranges of `space` split at every CIDR boundary in `cidrs` (each family apart).
    public static func segments(cidrs: [CIDR], within space: [AddressRange]) -> [AddressRange] {
        var cuts = Set<IPAddress>()
        for c in cidrs {
            cuts.insert(c.first)
            if let after = c.last.next { cuts.insert(after) }
        }
        let sortedCuts = cuts.sorted()
        var out: [AddressRange] = []
        for r in space {
            var start = r.first
            for cut in sortedCuts where cut > r.first && cut <= r.last {
                out.append(AddressRange(first: start, last: IPAddress(family: cut.family, value: cut.value - 1)))
                start = cut
            }
            out.append(AddressRange(first: start, last: r.last))
        }
        return out
    }

    /// Joins ranges that touch and carry equal values; the input is in address order.
    public static func mergeAdjacent<Value: Equatable>(_ items: [(AddressRange, Value)]) -> [(AddressRange, Value)] {
        var out: [(AddressRange, Value)] = []
        for (r, v) in items {
            if let (last, lastValue) = out.last, lastValue == v, last.last.next == r.first {
                out[out.count - 1] = (AddressRange(first: last.first, last: r.last), v)
            } else {
                out.append((r, v))
            }
        }
        return out
    }

    /// Per-range values grouped as reports name them: `any` when every range carries the same value, `any-ipv4` or
    /// `any-ipv6` for a family whose ranges all do, otherwise the CIDRs of the merged ranges. Each group keeps its
    /// first range, a representative for explanations. The input is in address order.
    public static func readableGroups<Value: Equatable>(_ items: [(AddressRange, Value)])
        -> [(labels: [String], first: AddressRange, value: Value)]
    {
        guard let (firstRange, firstValue) = items.first else { return [] }
        if items.allSatisfy({ $0.1 == firstValue }) { return [(["any"], firstRange, firstValue)] }
        var out: [(labels: [String], first: AddressRange, value: Value)] = []
        for family in IPFamily.allCases {
            let ofFamily = items.filter { $0.0.family == family }
            guard let (r, v) = ofFamily.first else { continue }
            if ofFamily.allSatisfy({ $0.1 == v }) {
                out.append((["any-\(family.rawValue.lowercased())"], r, v))
            } else {
                out += mergeAdjacent(ofFamily).map { (r, v) in (r.cidrs.map(\.description), r, v) }
            }
        }
        return out
    }

    /// The addresses of the given families minus `excluded`, in address order.
    public static func complement(of excluded: [CIDR], families: [IPFamily]) -> [AddressRange] {
        var out: [AddressRange] = []
        for family in families.sorted() {
            var next: IPAddress? = CIDR.whole(family).first
            for c in excluded.filter({ $0.family == family }).sorted() {
                guard let from = next else { break }
                if c.first > from {
                    out.append(AddressRange(first: from, last: IPAddress(family: family, value: c.first.value - 1)))
                }
                if c.last >= from { next = c.last.next }
            }
            if let from = next { out.append(AddressRange(first: from, last: CIDR.whole(family).last)) }
        }
        return out
    }
}
