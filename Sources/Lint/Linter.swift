import KubeModel
import Reachability

/// A problem a rule found: where, how serious, and what to do about it.
public struct LintFinding: Hashable, Sendable {
    public enum Severity: String, Sendable, Comparable {
        case error, warning, note
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
    }
    public let ruleID: String
    public let severity: Severity
    public let message: String
    public let location: SourceLocation
}

/// One lint rule: a stable id, a one-line summary, and the manifests that show it firing and not firing (the tests run
/// both).
public protocol LintRule: Sendable {
    var id: String { get }
    var severity: LintFinding.Severity { get }
    var summary: String { get }
    var badExample: String { get }
    var goodExample: String { get }
    func check(_ context: LintContext) -> [LintFinding]
}

extension LintRule {
    func finding(_ message: String, at location: SourceLocation, severity: LintFinding.Severity? = nil) -> LintFinding {
        LintFinding(ruleID: id, severity: severity ?? self.severity, message: message, location: location)
    }

    /// A finding that rests on some pod not existing. While resources whose operators run pods were skipped, it
    /// names them and is only a note: the pods it misses may be theirs.
    func absence(
        _ message: String, at location: SourceLocation, in c: LintContext, severity: LintFinding.Severity? = nil
    ) -> LintFinding {
        guard let unseen = c.unseenPods else { return finding(message, at: location, severity: severity) }
        return finding("\(message); \(unseen)", at: location, severity: .note)
    }
}

/// What rules share: the model, the evaluators and the pods that exist.
public final class LintContext {
    public let model: ClusterModel
    public let evaluator: Evaluator
    /// The compiled policies: rules read these, never the model's policy objects.
    public var policies: PolicySet { evaluator.policies }
    public private(set) lazy var mesh = MeshEvaluator(evaluator: evaluator)
    /// Indices of declared workloads that have pods.
    public let live: [Int]
    /// The skipped resources whose operators run pods the input does not show, said in findings about absent pods.
    public let unseenPods: String?

    public init(model: ClusterModel, assumptions: Assumptions = Assumptions()) {
        self.model = model
        evaluator = Evaluator(model: model, assumptions: assumptions)
        live = model.workloads.indices.filter { model.workloads[$0].replicas != 0 }
        let creators = model.podCreatingResources.sorted { $0.key < $1.key }
        unseenPods =
            creators.isEmpty
            ? nil
            : "pods may also come from resources whose operators run them, which reachproof skips: "
                + creators.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
    }

    func pod(_ i: Int) -> PodEndpoint { evaluator.endpoints[i] }

    /// Live pods a pod selection selects.
    func pods(matching m: PodMatch) -> [Int] {
        live.filter { m.matches(evaluator.endpoints[$0]) }
    }

    /// Every remote endpoint of the input: live pods, then the outside address ranges policies tell apart.
    public private(set) lazy var remotes: [Endpoint] =
        live.map { Endpoint.pod(pod($0)) } + evaluator.externalRanges.map { Endpoint.external($0) }

    /// Whether `holds` is true of every flow a rule admits on one side of the given pods: each pod, each remote the
    /// rule's peers admit, and the (non-empty) connections its ports admit towards the flow's destination.
    /// `admitsSomething` tells whether there was any such flow.
    func everyFlow(
        of rule: CompiledRule, _ direction: Direction, pods: [Int], admitsSomething: inout Bool,
        _ holds: (PodEndpoint, Endpoint, ConnSet) -> Bool
    ) -> Bool {
        var any = false
        let result = pods.allSatisfy { i in
            remotes.allSatisfy { remote in
                guard evaluator.ruleAdmits(rule, remote: remote) else { return true }
                let conns = rule.ports.connections(destination: direction == .ingress ? .pod(pod(i)) : remote)
                if conns.isEmpty { return true }
                any = true
                return holds(pod(i), remote, conns)
            }
        }
        admitsSomething = any
        return result
    }

    /// Live pods a peer selects (none for an address or node peer).
    func pods(matching peer: PeerMatch) -> [Int] {
        guard case .pods(let m) = peer else { return [] }
        return pods(matching: m)
    }
}

public enum Linter {
    /// Every rule, in the order reports list them.
    public static let rules: [any LintRule] = [
        PolicySelectsNothing(), PeerSelectsNothing(), UnknownNamespaceLabel(), UnresolvedNamedPort(), ShadowedRule(),
        UnreachablePod(), ServiceSelectsNothing(), ServiceTargetPortUnresolved(), IngressBackendMissing(),
        AuthorizationWithoutStrictMTLS(),
        AuthorizationHTTPFieldOnTCP(), AdminPolicyPriorityTie(), PassWithoutLowerTier(), ShadowedOrderedRule(),
        AllowOverriddenByDeny(), CiliumEntityAbsent(), CiliumFQDNWithoutDNSProxy(), GatewayParentMissing(),
        GatewayRouteNotAttached(), GatewayBackendWithoutGrant(), GatewayListenerUnused(), GatewayHostnameShadowed(),
    ]

    public static func run(_ model: ClusterModel, assumptions: Assumptions = Assumptions()) -> [LintFinding] {
        let context = LintContext(model: model, assumptions: assumptions)
        return rules.flatMap { $0.check(context) }.sorted {
            ($0.location, $0.ruleID, $0.message) < ($1.location, $1.ruleID, $1.message)
        }
    }
}
