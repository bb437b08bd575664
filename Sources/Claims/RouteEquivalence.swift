import KubeModel
import Reachability
import SMT

/// Whether two configurations of entry routing send every request from outside to the same backends (the
/// question behind an Ingress -> Gateway API migration, docs/SEMANTICS.md §6.4). Each side's entry points are
/// compiled into route tables (`RouteTable`: ingress-nginx's or the Gateways'), and for each entry point (scheme
/// and port) the solver looks for a request (host, path, method, headers, query parameters, client address) whose
/// backends differ, over every request by its classes (`RouteRequestSpace`) rather than samples. Every difference
/// found is listed with its request and the deciding rule on both sides.
public struct RouteEquivalence {
    /// Which resources a side's entry routing comes from.
    public enum Source: String, Sendable, CaseIterable {
        /// Gateway API when the input has Gateways, else ingress-nginx's Ingresses.
        case auto
        case ingress
        case gateway
    }

    public struct Side: Sendable {
        public let outcome: RouteTable.Outcome
        /// The deciding rule, with file:line.
        public let rule: String
    }

    public struct Difference: Sendable {
        public let entry: String
        public let request: RouteTable.Request
        public let old: Side
        public let new: Side
    }

    public struct Undecided: Sendable {
        public let entry: String
        public let request: RouteTable.Request
        public let reason: String
    }

    public struct Result: Sendable {
        public let verdict: Verdict
        /// The entry points compared (`http:80`, ...), and where each side's tables came from.
        public let entries: [String]
        public let oldSource: String
        public let newSource: String
        public let differences: [Difference]
        public let undecided: [Undecided]
        /// How a comparison could be cut short: a solver answer of unknown, the difference limit.
        public let notes: [String]
        public let assumptions: [String]
    }

    /// Tables of one side, by entry point. Several Gateways with one entry point are joined in namespace/name
    /// order: a host goes to the first whose listeners accept it (A-GATEWAY-DNS).
    public static func tables(_ model: ClusterModel, source: Source) -> (
        tables: [String: RouteTable], from: String, joined: Bool
    ) {
        let useGateways = source == .gateway || (source == .auto && !model.gateways.isEmpty)
        var out: [String: RouteTable] = [:]
        var joined = false
        if useGateways {
            let routing = GatewayAPIRouting(model: model)
            for g in model.gateways.sorted(by: { $0.id < $1.id }) {
                for t in routing.tables(of: g) {
                    if let earlier = out[t.entry] {
                        // The earlier Gateway's fallback gives way to the next Gateway's rules.
                        joined = true
                        out[t.entry] = RouteTable(entry: t.entry, rules: earlier.rules + t.rules, fallback: t.fallback)
                    } else {
                        out[t.entry] = t
                    }
                }
            }
            return (out, "Gateway API (\(model.gateways.count) Gateways, \(model.gatewayRoutes.count) routes)", joined)
        }
        for t in IngressNginxRouter.tables(model) { out[t.entry] = t }
        return (out, "ingress-nginx (\(IngressNginxRouter.nginxIngresses(model).count) Ingresses)", false)
    }

    /// Compares two sides; at most `limit` differences are listed per entry point.
    public static func compare(
        old: ClusterModel, new: ClusterModel, oldSource: Source = .auto, newSource: Source = .auto, limit: Int = 20,
        timeout: Double = 30
    ) throws -> Result {
        let (oldTables, oldFrom, oldJoined) = tables(old, source: oldSource)
        let (newTables, newFrom, newJoined) = tables(new, source: newSource)
        let entries = Set(oldTables.keys).union(newTables.keys).sorted()
        var differences: [Difference] = []
        var undecided: [Undecided] = []
        var notes: [String] = []
        for entry in entries {
            let absent = RouteTable(entry: entry, rules: [], fallback: .noBackend("nothing listens on \(entry)"))
            let a = oldTables[entry] ?? absent
            let b = newTables[entry] ?? absent
            let (d, u, n) = try compare(a, b, entry: entry, limit: limit, timeout: timeout)
            differences += d
            undecided += u
            notes += n
        }
        let verdict: Verdict =
            !differences.isEmpty ? .refuted : (undecided.isEmpty && notes.isEmpty ? .proved : .unknown)
        var assumptions: [String] = []
        if !old.gatewayRoutes.isEmpty || !new.gatewayRoutes.isEmpty {
            assumptions.append("A-GATEWAY-HOSTNAME=most-specific")
        }
        if oldJoined || newJoined { assumptions.append("A-GATEWAY-DNS=first-gateway") }
        return Result(
            verdict: verdict, entries: entries, oldSource: oldFrom, newSource: newFrom, differences: differences,
            undecided: undecided, notes: notes, assumptions: assumptions)
    }

    /// One entry point: the differences, the requests that reach an undecided rule, and notes.
    static func compare(_ a: RouteTable, _ b: RouteTable, entry: String, limit: Int, timeout: Double) throws -> (
        [Difference], [Undecided], [String]
    ) {
        let z = Z3Context()
        let space = RouteRequestSpace(z, tables: [a, b])
        let (da, db) = (space.decisions(a), space.decisions(b))
        let solver = Solver(z)
        solver.assert(space.domain)
        var notes: [String] = []
        var undecided: [Undecided] = []
        // Requests that reach an undecided rule on either side.
        for (decisions, side) in [(da, "OLD"), (db, "NEW")] {
            for d in decisions {
                guard case .unknown(let why) = d.outcome else { continue }
                solver.push()
                solver.assert(d.when)
                switch try solver.check(timeout: timeout) {
                case .sat(let m):
                    let request = plain(space.request(m), a, b)
                    undecided.append(Undecided(entry: entry, request: request, reason: "\(side): \(why)"))
                case .unknown(let reason):
                    notes.append(
                        "\(entry): the solver could not decide whether \(side) reaches an undecided rule (\(reason))")
                case .unsat: break
                }
                solver.pop()
            }
        }
        // Outcomes are compared by the backends they reach; the proxies' own answers (404, redirect, 500) are alike.
        func known(_ ds: [RouteRequestSpace.Decision]) -> [(RouteRequestSpace.Decision, [RouteTable.Backend])] {
            ds.compactMap { d in d.outcome.reachedBackends.map { (d, $0) } }
        }
        let (ka, kb) = (known(da), known(db))
        // Each side's reached backends as a code; a difference is two codes that differ, both sides decided.
        var codes: [[RouteTable.Backend]: UInt64] = [:]
        for (_, b) in ka + kb where codes[b] == nil { codes[b] = UInt64(codes.count) }
        let width = 32
        func code(_ k: [(RouteRequestSpace.Decision, [RouteTable.Backend])]) -> Expr {
            k.reversed().reduce(z.bv(UInt64(UInt32.max), width: width)) { rest, entry in
                z.ite(entry.0.when, z.bv(codes[entry.1]!, width: width), rest)
            }
        }
        var differences: [Difference] = []
        guard Set(ka.map(\.1)).union(kb.map(\.1)).count > 1 else { return ([], undecided, notes) }
        solver.assert(z.or(ka.map(\.0.when)))
        solver.assert(z.or(kb.map(\.0.when)))
        solver.assert(z.not(z.eq(code(ka), code(kb))))
        while differences.count < limit {
            switch try solver.check(timeout: timeout) {
            case .unsat: return (differences, undecided, notes)
            case .unknown(let reason):
                notes.append("\(entry): the solver stopped (\(reason)) after \(differences.count) differences")
                return (differences, undecided, notes)
            case .sat(let m):
                guard let x = ka.first(where: { m.bool($0.0.when) == true })?.0,
                    let y = kb.first(where: { m.bool($0.0.when) == true })?.0
                else {
                    notes.append("\(entry): a solver model matched no decision")
                    return (differences, undecided, notes)
                }
                let request = plain(space.request(m), a, b)
                differences.append(
                    Difference(
                        entry: entry, request: request, old: Side(outcome: x.outcome, rule: text(a, x.rule)),
                        new: Side(outcome: y.outcome, rule: text(b, y.rule))))
                // One request per pair of deciding rules.
                solver.assert(z.not(z.and([x.when, y.when])))
            }
        }
        notes.append("\(entry): listing stopped at \(limit) differences")
        return (differences, undecided, notes)
    }

    /// The request with the fields no deciding rule looks at made ordinary (GET, no client address unless an
    /// allow-list decides), when both tables still decide it by the same rules.
    static func plain(_ r: RouteTable.Request, _ a: RouteTable, _ b: RouteTable) -> RouteTable.Request {
        let before = (a.decide(r).rule, b.decide(r).rule)
        var out = r
        for edit in [{ (x: inout RouteTable.Request) in x.method = "GET" }, { $0.client = nil }] {
            var candidate = out
            edit(&candidate)
            if (a.decide(candidate).rule, b.decide(candidate).rule) == before,
                a.decide(candidate).outcome == a.decide(out).outcome,
                b.decide(candidate).outcome == b.decide(out).outcome
            {
                out = candidate
            }
        }
        return out
    }

    static func text(_ t: RouteTable, _ rule: Int?) -> String {
        guard let rule else { return "no rule matches (\(t.fallback))" }
        return t.rules[rule].text
    }
}
