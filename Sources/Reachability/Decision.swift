import KubeModel

public enum Direction: String, Sendable {
    case ingress = "INGRESS"
    case egress = "EGRESS"
}

/// What one stage did with a flow. Policy sides only allow or deny; mesh and routing stages may also be skipped
/// (the stage does not apply) or undecided.
public enum StageEffect: String, Sendable, Codable {
    case allow = "ALLOW"
    case deny = "DENY"
    case skip = "SKIP"
    case unknown = "UNKNOWN"
}

/// Whether a flow (or a request) gets through, at whatever layer it was asked.
public enum FlowVerdict: String, Sendable, Codable {
    case allowed = "ALLOWED"
    case denied = "DENIED"
    case unknown = "UNKNOWN"
}

/// The decision of one side (the source's egress or the destination's ingress) for one concrete flow.
public struct SideDecision: Hashable, Sendable {
    /// Stage id as in docs/SEMANTICS.md §8.1: ANP-INGRESS, NP-EGRESS, BANP-INGRESS, ...
    public let stage: String
    public let effect: StageEffect
    /// The rule that decided, nil for a default.
    public let rule: RuleRef?
    /// For defaults: "(default: not isolated)", "(default: isolated, no rule matched)", ...
    public let reason: String
    /// For an isolated side with no matching rule: the policies that isolate it (what a user must change).
    public let isolatingPolicies: [RuleRef]
}

/// Why one concrete flow is allowed or denied.
public struct FlowExplanation: Hashable, Sendable {
    public let allowed: Bool
    /// nil when the source is not a pod.
    public let egress: SideDecision?
    /// nil when the destination is not a pod.
    public let ingress: SideDecision?
    /// Set when the flow never meets policy (a pod talking to itself).
    public let note: String?
}

/// What one side's policies do for one remote endpoint, rule by rule, in evaluation order. Both the set
/// semantics (`allowed`) and the single-flow explanation are read from this one structure.
struct SideProgram {
    struct Entry {
        let action: RuleAction
        let conns: ConnSet
        let ref: RuleRef
    }
    var admin: [Entry] = []
    var isolating: [RuleRef] = []
    var npRules: [(ConnSet, RuleRef)] = []
    var baseline: [Entry] = []

    /// The connections the admin tier leaves to the NetworkPolicy tier (matched by no admin rule, or passed on), and
    /// the first admin Deny rule that took some away.
    var toNetworkPolicyTier: (conns: ConnSet, firstDeny: RuleRef?) {
        var remaining = ConnSet.all
        var passed = ConnSet.none
        var firstDeny: RuleRef?
        for e in admin {
            let m = remaining.intersection(e.conns)
            if m.isEmpty { continue }
            if e.action == .pass { passed = passed.union(m) }
            if e.action == .deny && firstDeny == nil { firstDeny = e.ref }
            remaining = remaining.subtracting(m)
        }
        return (remaining.union(passed), firstDeny)
    }

    var allowed: ConnSet {
        var remaining = ConnSet.all
        var allowed = ConnSet.none
        var passed = ConnSet.none
        for e in admin {
            let m = remaining.intersection(e.conns)
            if m.isEmpty { continue }
            switch e.action {
            case .allow: allowed = allowed.union(m)
            case .pass: passed = passed.union(m)
            case .deny: break
            }
            remaining = remaining.subtracting(m)
        }
        var toNetworkPolicy = remaining.union(passed)
        if !isolating.isEmpty {
            let admitted = npRules.reduce(ConnSet.none) { $0.union($1.0) }
            return allowed.union(toNetworkPolicy.intersection(admitted))
        }
        // After the baseline tier comes the default, which admits: a baseline Pass (ClusterNetworkPolicy) admits.
        for e in baseline {
            let m = toNetworkPolicy.intersection(e.conns)
            if m.isEmpty { continue }
            if e.action != .deny { allowed = allowed.union(m) }
            toNetworkPolicy = toNetworkPolicy.subtracting(m)
        }
        return allowed.union(toNetworkPolicy)
    }

    func decide(_ proto: FlowProtocol, _ port: Int, direction: Direction) -> SideDecision {
        let d = direction.rawValue
        var passedBy: RuleRef?
        for e in admin where e.conns.contains(proto, port) {
            // Cilium's deny rules share the admin tier's place before every allow.
            let stage = e.ref.isCilium ? "CILIUM-DENY-\(d)" : "ANP-\(d)"
            switch e.action {
            case .allow:
                return SideDecision(stage: stage, effect: .allow, rule: e.ref, reason: "", isolatingPolicies: [])
            case .deny:
                return SideDecision(stage: stage, effect: .deny, rule: e.ref, reason: "", isolatingPolicies: [])
            case .pass: passedBy = e.ref
            }
            break
        }
        let passNote = passedBy.map { " after Pass by \($0.qualifiedName) \($0.path)" } ?? ""
        if !isolating.isEmpty {
            if let hit = npRules.first(where: { $0.0.contains(proto, port) }) {
                let stage = hit.1.isCilium ? "CILIUM-\(d)" : "NP-\(d)"
                return SideDecision(stage: stage, effect: .allow, rule: hit.1, reason: passNote, isolatingPolicies: [])
            }
            // Isolated by Cilium policies alone: their default deny decides.
            let stage = isolating.allSatisfy(\.isCilium) ? "CILIUM-\(d)" : "NP-\(d)"
            return SideDecision(
                stage: stage, effect: .deny, rule: nil, reason: "(default: isolated, no rule matched)\(passNote)",
                isolatingPolicies: isolating)
        }
        if let hit = baseline.first(where: { $0.conns.contains(proto, port) }) {
            return SideDecision(
                stage: "BANP-\(d)", effect: hit.action == .deny ? .deny : .allow, rule: hit.ref,
                reason: hit.action == .pass ? "Pass to the default, which admits\(passNote)" : passNote,
                isolatingPolicies: [])
        }
        return SideDecision(
            stage: "NP-\(d)", effect: .allow, rule: nil, reason: "(default: not isolated)\(passNote)",
            isolatingPolicies: [])
    }
}
