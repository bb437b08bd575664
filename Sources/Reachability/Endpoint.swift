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

/// A contiguous range of IPv4 addresses outside the pod network, inside which every policy answers alike.
public struct AddressRange: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let first: UInt32
    public let last: UInt32

    public init(first: UInt32, last: UInt32) {
        self.first = first
        self.last = last
    }

    public init(_ c: IPv4CIDR) { self.init(first: c.first, last: c.last) }

    public var cidrs: [IPv4CIDR] { IPv4CIDR.covering(first, last) }
    public var description: String { cidrs.map(\.description).joined(separator: ",") }
    public static func < (a: AddressRange, b: AddressRange) -> Bool { a.first < b.first }

    public func isInside(_ c: IPv4CIDR) -> Bool { c.contains(first) && c.contains(last) }
    public func overlaps(_ c: IPv4CIDR) -> Bool { first <= c.last && c.first <= last }
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
    /// The ranges of `space` (default: all of IPv4 minus the pod CIDR) split at every CIDR boundary in `cidrs`.
    public static func segments(cidrs: [IPv4CIDR], within space: [AddressRange]) -> [AddressRange] {
        var cuts = Set<UInt64>()
        for c in cidrs {
            cuts.insert(UInt64(c.first))
            cuts.insert(UInt64(c.last) + 1)
        }
        var out: [AddressRange] = []
        for r in space {
            var start = UInt64(r.first)
            let inner = cuts.filter { $0 > UInt64(r.first) && $0 <= UInt64(r.last) }.sorted()
            for cut in inner {
                out.append(AddressRange(first: UInt32(start), last: UInt32(cut - 1)))
                start = cut
            }
            out.append(AddressRange(first: UInt32(start), last: r.last))
        }
        return out
    }

    /// Joins ranges that touch and carry equal values; the input is in address order.
    public static func mergeAdjacent<Value: Equatable>(_ items: [(AddressRange, Value)]) -> [(AddressRange, Value)] {
        var out: [(AddressRange, Value)] = []
        for (r, v) in items {
            if let (last, lastValue) = out.last, lastValue == v, UInt64(last.last) + 1 == UInt64(r.first) {
                out[out.count - 1] = (AddressRange(first: last.first, last: r.last), v)
            } else {
                out.append((r, v))
            }
        }
        return out
    }

    /// All IPv4 addresses minus `excluded`.
    public static func complement(of excluded: [IPv4CIDR]) -> [AddressRange] {
        var out: [AddressRange] = []
        var next: UInt64 = 0
        for c in excluded.sorted() {
            if UInt64(c.first) > next { out.append(AddressRange(first: UInt32(next), last: c.first - 1)) }
            next = max(next, UInt64(c.last) + 1)
        }
        if next <= UInt64(UInt32.max) { out.append(AddressRange(first: UInt32(next), last: UInt32.max)) }
        return out
    }
}
