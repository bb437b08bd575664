import KubeModel
import SMT

/// Route tables as formulas over one symbolic request (host, path, method, the headers and query parameters any
/// table mentions, the client address), for questions over every request rather than samples (route
/// equivalence). A rule whose condition has a part the encoding cannot express (a regular expression that is not a
/// literal) is widened to match whenever its other parts do, and decides as unknown: a request it might take is then
/// never reported as decided.
public final class RouteRequestSpace {
    let z: Z3Context
    public let host: Expr
    public let path: Expr
    public let method: Expr
    let headers: [String: (present: Expr, value: Expr)]
    let query: [String: (present: Expr, value: Expr)]
    let clientIsV6: Expr
    let client: Expr

    /// Methods a request may carry: those of the spec's HTTPRouteMatch.
    static let methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]

    public init(_ z: Z3Context, tables: [RouteTable]) {
        self.z = z
        host = z.stringConst("host")
        path = z.stringConst("path")
        method = z.stringConst("method")
        let conditions = tables.flatMap { $0.rules.map(\.condition) }
        var h: [String: (Expr, Expr)] = [:]
        for name in Set(conditions.flatMap { $0.headers.map(\.name) }) {
            h[name] = (z.boolConst("header-present:\(name)"), z.stringConst("header:\(name)"))
        }
        var q: [String: (Expr, Expr)] = [:]
        for name in Set(conditions.flatMap { $0.query.map(\.name) }) {
            q[name] = (z.boolConst("query-present:\(name)"), z.stringConst("query:\(name)"))
        }
        headers = h
        query = q
        clientIsV6 = z.boolConst("client-ipv6")
        client = z.bvConst("client", width: 128)
    }

    /// What a request can be: a host of DNS labels (lower case), a path of printable characters that starts with
    /// `/` (no query or fragment), a known method, header and query values of printable characters, an address of
    /// its family's width.
    public var domain: Expr {
        let lowerDigitDash = z.reUnion([z.reRange("a", "z"), z.reRange("0", "9"), z.reLiteral("-")])
        let label = z.reConcat([lowerDigitDash, z.reStar(lowerDigitDash)])
        let hostRE = z.reConcat([label, z.reStar(z.reConcat([z.reLiteral("."), label]))])
        // Printable ASCII without space, '?' and '#'.
        let pathChar = z.reUnion([z.reRange("!", "\""), z.reRange("$", ">"), z.reRange("@", "~")])
        let pathRE = z.reConcat([z.reLiteral("/"), z.reStar(pathChar)])
        let valueRE = z.reStar(z.reRange(" ", "~"))
        var parts = [
            z.inRegex(host, hostRE), z.inRegex(path, pathRE),
            z.or(Self.methods.map { z.eq(method, z.string($0)) }),
            z.or([clientIsV6, z.eq(z.extract(client, high: 127, low: 32), z.bv(0, width: 96))]),
        ]
        parts += (Array(headers.values) + Array(query.values)).map { z.inRegex($0.value, valueRE) }
        return z.and(parts)
    }

    /// The request a model describes.
    public func request(_ m: Model) -> RouteTable.Request {
        func present(_ vars: [String: (present: Expr, value: Expr)]) -> [String: String] {
            var out: [String: String] = [:]
            for (name, v) in vars where m.bool(v.present) == true { out[name] = m.string(v.value) ?? "" }
            return out
        }
        let v6 = m.bool(clientIsV6) == true
        let address = IPAddress(family: v6 ? .ipv6 : .ipv4, value: m.uint128(client) ?? 0)
        return RouteTable.Request(
            host: m.string(host) ?? "", path: m.string(path) ?? "/", method: m.string(method) ?? "GET",
            headers: present(headers), query: present(query), client: address)
    }

    // MARK: Conditions

    /// A condition as a formula, and whether it had to be widened (a part left out).
    func matches(_ c: RouteTable.Condition) -> (Expr, widened: Bool) {
        var parts: [Expr] = []
        var widened = false
        if let hosts = c.hosts { parts.append(z.or(hosts.map(hostMatches))) }
        if let p = pathMatches(c.path) { parts.append(p) } else { widened = true }
        if let m = c.method { parts.append(z.eq(method, z.string(m))) }
        for (vars, wanted) in [(headers, c.headers), (query, c.query)] {
            for v in wanted {
                let (present, value) = vars[v.name]!
                parts.append(present)
                if v.regex { widened = true } else { parts.append(z.eq(value, z.string(v.value))) }
            }
        }
        return (z.and(parts), widened)
    }

    func hostMatches(_ h: RouteTable.HostMatch) -> Expr {
        switch h {
        case .exact(let name): return z.eq(host, z.string(name))
        case .wildcard(let suffix, let single):
            let lowerDigitDash = z.reUnion([z.reRange("a", "z"), z.reRange("0", "9"), z.reLiteral("-")])
            let label = z.reConcat([lowerDigitDash, z.reStar(lowerDigitDash)])
            let labels = single ? label : z.reConcat([label, z.reStar(z.reConcat([z.reLiteral("."), label]))])
            return z.inRegex(host, z.reConcat([labels, z.reLiteral("." + suffix)]))
        }
    }

    /// nil for a regular expression that is not a literal.
    func pathMatches(_ p: RouteTable.PathMatch) -> Expr? {
        switch p {
        case .any: return z.trueExpr
        case .exact(let v): return z.eq(path, z.string(v))
        case .segmentPrefix(let v):
            let base = v.hasSuffix("/") ? String(v.dropLast()) : v
            if base.isEmpty { return z.trueExpr }
            return z.or([z.eq(path, z.string(base)), z.hasPrefix(path, z.string(base + "/"))])
        case .stringPrefix(let v, let caseInsensitive):
            guard caseInsensitive else { return z.hasPrefix(path, z.string(v)) }
            let anyChar = z.reRange(" ", "~")
            return z.inRegex(path, z.reConcat(caseless(v) + [z.reStar(anyChar)]))
        case .regex(let pattern, let caseInsensitive, let anchoredStart):
            guard RouteTable.isLiteral(pattern) else { return nil }
            let literal = caseInsensitive ? caseless(pattern) : [z.reLiteral(pattern)]
            return z.inRegex(path, z.reConcat(literal + (anchoredStart ? [z.reStar(z.reRange(" ", "~"))] : [])))
        }
    }

    /// A literal whose letters match either case.
    private func caseless(_ s: String) -> [Expr] {
        s.map { c in
            let (lower, upper) = (c.lowercased(), c.uppercased())
            return lower == upper ? z.reLiteral(String(c)) : z.reUnion([z.reLiteral(lower), z.reLiteral(upper)])
        }
    }

    func clientIn(_ cidrs: [CIDR]) -> Expr {
        z.or(
            cidrs.map { c in
                z.and([
                    c.family == .ipv6 ? clientIsV6 : z.not(clientIsV6),
                    z.uge(client, z.bv(wide: c.first.value, width: 128)),
                    z.ule(client, z.bv(wide: c.last.value, width: 128)),
                ])
            })
    }

    // MARK: Decisions

    /// One way a table decides: a formula over the request, the outcome it gives, and the rule (nil: the fallback).
    public struct Decision {
        public let when: Expr
        public let outcome: RouteTable.Outcome
        public let rule: Int?
    }

    /// The table's decisions: mutually exclusive, and one of them holds for every request of the domain.
    public func decisions(_ table: RouteTable) -> [Decision] {
        var out: [Decision] = []
        var noEarlier = z.trueExpr
        for (i, rule) in table.rules.enumerated() {
            let (m, widened) = matches(rule.condition)
            let first = z.and([noEarlier, m])
            if widened {
                let why =
                    "\(rule.text): \(rule.condition) is a regular expression whose matches this version cannot enumerate (A-REGEX)"
                out.append(Decision(when: first, outcome: .unknown(why), rule: i))
            } else if let clients = rule.clients {
                let inside = clientIn(clients)
                out.append(Decision(when: z.and([first, inside]), outcome: rule.outcome, rule: i))
                out.append(
                    Decision(
                        when: z.and([first, z.not(inside)]),
                        outcome: .noBackend("403: \(clients.map(\.description).joined(separator: ", ")) only"), rule: i)
                )
            } else {
                out.append(Decision(when: first, outcome: rule.outcome, rule: i))
            }
            noEarlier = z.and([noEarlier, z.not(m)])
        }
        out.append(Decision(when: noEarlier, outcome: table.fallback, rule: nil))
        return out
    }
}
