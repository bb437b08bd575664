import Foundation
import KubeModel

/// What a layer admits from one endpoint to another among the wanted connections: open, undecided (with the first
/// reason), and open without Istio mutual TLS.
public struct LayerReach: Sendable {
    public var open = ConnSet.none
    public var undecided = ConnSet.none
    public var reason: String?
    public var plaintext = ConnSet.none

    public init(open: ConnSet = .none, undecided: ConnSet = .none, reason: String? = nil, plaintext: ConnSet = .none) {
        self.open = open
        self.undecided = undecided
        self.reason = reason
        self.plaintext = plaintext
    }
}

/// The layered reach engine: what the netpol, mesh and end-to-end layers admit between two endpoints, and the path
/// with each stage's deciding evidence. Claims, queries and suggestions all ask it. It keeps memos per pair of
/// endpoint classes, so one instance serves one thread; `init(sharing:)` makes another over the same evaluator.
public final class LayeredReach {
    public let evaluator: Evaluator
    var model: ClusterModel { evaluator.model }
    var profile: Profile { evaluator.assumptions.profile }

    /// The Istio stages; A-CUSTOM-AUTHZ follows the profile (∃ allows, ∀ denies, conformance leaves it open).
    public private(set) lazy var mesh = MeshEvaluator(
        evaluator: evaluator, customAllows: [.conservativeSecurity: true, .conservativeAvailability: false][profile])
    public private(set) lazy var endToEnd = EndToEndStage(mesh: mesh)

    /// Endpoint classes (pods no selector tells apart) and connections already computed between them: the claims
    /// of one file ask about the same pods again and again.
    public private(set) lazy var classes = EndpointClasses(evaluator: evaluator)
    /// The class of each declared endpoint, read on every call: kept apart from `classes`, since reading the lazy
    /// struct copies all of it.
    private lazy var classOf = classes.classOf
    private lazy var classCount = classes.count
    private var podPairs: [Int: ConnSet] = [:]
    private var addressPairs: [AddressRange: [Int: ConnSet]] = [:]
    /// The class matrix towards some destination classes (its focus), with this engine's own copy of its table (the
    /// table memoizes unions and intersections as it is read).
    private var matrix: ClassMatrix?
    private var matrixTable = ConnTable()

    public init(evaluator: Evaluator) { self.evaluator = evaluator }

    /// Another engine over the same evaluator, classes and class matrix, with memos of its own (for another thread).
    public init(sharing other: LayeredReach) {
        evaluator = other.evaluator
        classes = other.classes
        // A copy of its own: each call retains the array, and a reference count that both threads change on every
        // call would bounce between the cores.
        classOf = other.classOf.map { $0 }
        matrix = other.matrix
        matrixTable = other.matrixTable.copy()
    }

    /// Computes the class matrix towards the classes of `destinations` (declared endpoint indices): connections from
    /// any pod to them are then read from it rather than evaluated pair by pair. A claim about who may reach a
    /// workload asks about every class of the cluster, where the matrix computes each side once over all classes.
    /// Not done with admin tiers, where the matrix would evaluate every pair anyway.
    public func prepareMatrix(towards destinations: [Int]) {
        guard !destinations.isEmpty, !evaluator.policies.hasOrderedTiers else { return }
        let focus = Set(destinations.map { classes.classOf[$0] })
        let computed = ClassMatrix(evaluator: evaluator, classes: classes, focus: focus, towardsFocusOnly: true)
        matrix = computed
        matrixTable = computed.table
    }

    /// `Evaluator.connections`, memoized per pair of classes for declared pods and per class for external ranges.
    public func connections(_ s: Endpoint, _ d: Endpoint) -> ConnSet {
        guard let di = d.pod?.declaredIndex else { return evaluator.connections(from: s, to: d) }
        let classOf = self.classOf
        let dc = classOf[di]
        switch s {
        case .pod(let pod):
            guard let si = pod.declaredIndex else { return evaluator.connections(from: s, to: d) }
            if let matrix, matrix.isFocused(dc) {
                return matrixTable[matrix.conns(classOf[si], dc, table: matrixTable)]
            }
            let key = classOf[si] * classCount + dc
            if let c = podPairs[key] { return c }
            let c = evaluator.connections(from: s, to: d)
            podPairs[key] = c
            return c
        case .external(let r):
            if let c = addressPairs[r]?[dc] { return c }
            let c = evaluator.connections(from: s, to: d)
            addressPairs[r, default: [:]][dc] = c
            return c
        }
    }

    /// What `layer` admits from `s` to `d` among `wanted`. End to end, `entry` pins the Service a path enters by and
    /// `via` the route it must take.
    public func reach(
        _ s: Endpoint, _ d: Endpoint, _ wanted: ConnSet, layer: Layer, request: HTTPRequest?,
        entry: EndToEndStage.Entry? = nil,
        via: RouteVia? = nil
    ) -> LayerReach {
        var network = connections(s, d).intersection(wanted)
        var tied = ConnSet.none
        if evaluator.hasAdminTies {
            // Equal-priority AdminNetworkPolicies (A-ANP-TIE): what some order admits and another does not is
            // undecided under conformance; the conservative profiles take the union or the intersection.
            let (lower, upper) = evaluator.connectionBounds(from: s, to: d)
            switch profile {
            case .conservativeSecurity: network = upper.intersection(wanted)
            case .conservativeAvailability: network = lower.intersection(wanted)
            case .conformance:
                network = lower.intersection(wanted)
                tied = upper.subtracting(lower).intersection(wanted)
            }
        }
        if !tied.isEmpty {
            var out = reach(
                s, d, wanted.subtracting(tied), layer: layer, request: request, entry: entry, via: via)
            out.undecided = out.undecided.union(tied)
            out.reason =
                out.reason
                ?? "AdminNetworkPolicies \(evaluator.policies.adminPriorityTies.map { $0.joined(separator: ", ") }.joined(separator: "; ")) share a priority and disagree on this flow: their order is undefined (A-ANP-TIE)"
            return out
        }
        if layer != .netpol, case .external = d, let si = s.pod?.declaredIndex,
            let (step, uncaptured) = mesh.externalEgress(from: si)
        {
            // The client's sidecar decides whether TCP leaves the mesh at all (§7.9); excluded ports bypass it.
            var open = network
            open.tcp = network.tcp.intersection(uncaptured)
            var blocked = network
            blocked.tcp = network.tcp.subtracting(uncaptured)
            blocked.udp = .none
            blocked.sctp = .none
            blocked.other = false
            if step.effect == .unknown {
                return LayerReach(open: open, undecided: blocked, reason: step.detail, plaintext: open)
            }
            return LayerReach(open: open, plaintext: open)
        }
        guard layer != .netpol, let di = d.pod?.declaredIndex else {
            return LayerReach(open: network, plaintext: network)
        }
        var out = LayerReach()
        // Only TCP meets the mesh; other protocols are decided by the NetworkPolicy layer on the direct route.
        out.open = network
        out.open.tcp = .none
        out.plaintext = out.open
        if layer == .mesh {
            let admission = mesh.admitted(from: s, to: di, l4: network, request: request)
            out.open = out.open.union(admission.allowed)
            out.undecided = admission.unknown
            out.reason = admission.unknownReason
            for (range, decision) in admission.decisions where decision.verdict == .allowed && !decision.mutualTLS {
                out.plaintext = out.plaintext.union(ConnSet(.tcp, PortRanges([range])))
            }
            return out
        }
        // End to end: a proxy may deliver what the direct route does not, so every wanted TCP port is tried.
        if entry != nil || via != nil { out = LayerReach() }  // a pinned route carries TCP only
        for range in wanted[.tcp].ranges {
            let pieces = mesh.pieces(of: range, at: di)
            for piece in pieces {
                let path = endToEnd.reach(
                    from: s, to: di, port: piece.lowerBound, request: request, entry: entry, via: via)
                let set = ConnSet(.tcp, PortRanges([piece]))
                switch path.verdict {
                case .allowed:
                    out.open = out.open.union(set)
                    if !(path.hops.last?.mesh.mutualTLS ?? false) { out.plaintext = out.plaintext.union(set) }
                case .unknown:
                    out.undecided = out.undecided.union(set)
                    out.reason = out.reason ?? path.reason
                case .denied: break
                }
            }
        }
        return out
    }

    /// The hops and mesh stages of one flow, for a counterexample at the mesh and end-to-end layers.
    public func path(
        _ s: Endpoint, _ d: Endpoint, _ p: FlowProtocol, _ port: Int, layer: Layer, request: HTTPRequest?,
        entry: EndToEndStage.Entry? = nil,
        via: RouteVia? = nil
    ) -> PathAnswer? {
        guard layer != .netpol, p == .tcp, let di = d.pod?.declaredIndex else { return nil }
        if layer == .mesh {
            return PathAnswer(endToEnd.hop(from: s, to: di, port: port, request: request))
        }
        return endToEnd.reach(from: s, to: di, port: port, request: request, entry: entry, via: via)
    }
}
