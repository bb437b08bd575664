import KubeModel
import SMT

/// The requests route tables tell apart, as finitely many classes the solver ranges over (docs/SEMANTICS.md §6.4).
///
/// Every test a route table makes of a request compares a field with literals: a host with names and wildcard
/// suffixes, a path with literals and prefixes (with or without case), a method, a header or query value with
/// literals, an address with CIDRs. So each field's values fall into finitely many classes whose members every rule
/// treats alike, and one representative per class stands for all of them: exactly, as label codes do for
/// selectors (§9). The solver picks a class per field (a bit-vector index); a rule's condition is the set of
/// classes whose representative the rule's own matcher (`RouteTable.Condition`) accepts, so the solver and the
/// evaluator cannot disagree on a representative, and the tests check the classes against enumeration. A condition
/// part that is a regular expression other than a literal has no finite classes: it is widened to accept every
/// class, and its rule decides as unknown, so no request it might take is reported as decided.
public final class RouteRequestSpace {
    let z: Z3Context
    public let hosts: [String]
    public let paths: [String]
    public let methods: [String]
    /// Per header (and query parameter) name: nil (absent), each literal a rule compares with, and one other value.
    let headerValues: [(name: String, values: [String?])]
    let queryValues: [(name: String, values: [String?])]
    let clients: [IPAddress]

    let hostVar: Expr
    let pathVar: Expr
    let methodVar: Expr
    let headerVars: [Expr]
    let queryVars: [Expr]
    let clientVar: Expr

    /// `extra` adds representatives a question fixes (a given host or path), so that it can be pinned.
    public init(_ z: Z3Context, tables: [RouteTable], extraHosts: [String] = [], extraPaths: [String] = []) {
        self.z = z
        let conditions = tables.flatMap { $0.rules.map(\.condition) }
        hosts = Self.hostClasses(conditions.flatMap { $0.hosts ?? [] }, extra: extraHosts)
        paths = Self.pathClasses(conditions.map(\.path), extra: extraPaths)
        // The methods of HTTPRouteMatch, and one outside them.
        methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "PROPFIND"]
        headerValues = Self.valueClasses(conditions.flatMap(\.headers))
        queryValues = Self.valueClasses(conditions.flatMap(\.query))
        clients = Self.clientClasses(tables.flatMap { $0.rules.flatMap { $0.clients ?? [] } })
        func index(_ name: String, _ count: Int) -> Expr { z.bvConst(name, width: Self.width(count)) }
        hostVar = index("host", hosts.count)
        pathVar = index("path", paths.count)
        methodVar = index("method", methods.count)
        headerVars = headerValues.map { index("header:\($0.name)", $0.values.count) }
        queryVars = queryValues.map { index("query:\($0.name)", $0.values.count) }
        clientVar = index("client", clients.count)
    }

    static func width(_ count: Int) -> Int { max(1, Int.bitWidth - (count - 1).leadingZeroBitCount) }

    /// Every variable names a class.
    public var domain: Expr {
        let pairs =
            [(hostVar, hosts.count), (pathVar, paths.count), (methodVar, methods.count), (clientVar, clients.count)]
            + zip(headerVars, headerValues.map(\.values.count)) + zip(queryVars, queryValues.map(\.values.count))
        return z.and(pairs.map { v, n in z.ule(v, z.bv(UInt64(n - 1), width: Self.width(n))) })
    }

    /// The request of a model: the representatives of its classes.
    public func request(_ m: Model) -> RouteTable.Request {
        func pick<T>(_ v: Expr, _ items: [T]) -> T { items[min(Int(m.uint(v) ?? 0), items.count - 1)] }
        var headers: [String: String] = [:]
        for (v, h) in zip(headerVars, headerValues) { if let value = pick(v, h.values) { headers[h.name] = value } }
        var query: [String: String] = [:]
        for (v, q) in zip(queryVars, queryValues) { if let value = pick(v, q.values) { query[q.name] = value } }
        return RouteTable.Request(
            host: pick(hostVar, hosts), path: pick(pathVar, paths), method: pick(methodVar, methods), headers: headers,
            query: query, client: pick(clientVar, clients))
    }

    /// `v` is one of the classes at `indices`.
    func oneOf(_ v: Expr, _ indices: [Int], of count: Int) -> Expr {
        if indices.count == count { return z.trueExpr }
        let w = Self.width(count)
        if indices.count * 2 > count {
            let outside = Set(0..<count).subtracting(indices).sorted()
            return z.not(z.or(outside.map { z.eq(v, z.bv(UInt64($0), width: w)) }))
        }
        return z.or(indices.map { z.eq(v, z.bv(UInt64($0), width: w)) })
    }

    /// Fixes the fields a question gives.
    public func pinned(host: String?, path: String?, method: String?) -> Expr {
        var parts: [Expr] = []
        if let host, let i = hosts.firstIndex(of: host) { parts.append(oneOf(hostVar, [i], of: hosts.count)) }
        if let path, let i = paths.firstIndex(of: path) { parts.append(oneOf(pathVar, [i], of: paths.count)) }
        if let method, let i = methods.firstIndex(of: method) { parts.append(oneOf(methodVar, [i], of: methods.count)) }
        return z.and(parts)
    }

    // MARK: Conditions

    /// A condition as a formula over the classes, and whether a part of it had to be widened.
    func matches(_ c: RouteTable.Condition) -> (Expr, widened: Bool) {
        var widened = false
        var parts: [Expr] = []
        if let hostMatches = c.hosts {
            let ok = hosts.indices.filter { i in hostMatches.contains { $0.matches(hosts[i]) } }
            parts.append(oneOf(hostVar, ok, of: hosts.count))
        }
        if case .regex(let pattern, _, _) = c.path, !RouteTable.isLiteral(pattern) {
            widened = true
        } else {
            parts.append(oneOf(pathVar, paths.indices.filter { c.path.matches(paths[$0]) == true }, of: paths.count))
        }
        if let m = c.method {
            parts.append(oneOf(methodVar, methods.indices.filter { methods[$0] == m }, of: methods.count))
        }
        for (wanted, classes, vars) in [(c.headers, headerValues, headerVars), (c.query, queryValues, queryVars)] {
            for v in wanted {
                let k = classes.firstIndex { $0.name == v.name }!
                let values = classes[k].values
                if v.regex { widened = true }
                let ok = values.indices.filter { i in
                    guard let value = values[i] else { return false }
                    return v.regex || value == v.value
                }
                parts.append(oneOf(vars[k], ok, of: values.count))
            }
        }
        return (z.and(parts), widened)
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
                    "\(rule.text): \(rule.condition) compares by a regular expression whose matches this version cannot enumerate (A-REGEX)"
                out.append(Decision(when: first, outcome: .unknown(why), rule: i))
            } else if let cidrs = rule.clients {
                let inside = oneOf(
                    clientVar, clients.indices.filter { c in cidrs.contains { $0.contains(clients[c]) } },
                    of: clients.count)
                out.append(Decision(when: z.and([first, inside]), outcome: rule.outcome, rule: i))
                out.append(Decision(when: z.and([first, z.not(inside)]), outcome: .forbidden(cidrs), rule: i))
            } else {
                out.append(Decision(when: first, outcome: rule.outcome, rule: i))
            }
            noEarlier = z.and([noEarlier, z.not(m)])
        }
        out.append(Decision(when: noEarlier, outcome: table.fallback, rule: nil))
        return out
    }

    // MARK: Classes

    /// Hosts: each exact name, and for each wildcard suffix a name of one label and one of two labels before it
    /// whose longest matching suffix is that one; plus a name nothing matches. A host's class is the exact name it
    /// is, or else its longest matching suffix and whether one label precedes it.
    static func hostClasses(_ matches: [RouteTable.HostMatch], extra: [String]) -> [String] {
        var exact: Set<String> = Set(extra)
        var suffixes: Set<String> = []
        for m in matches {
            switch m {
            case .exact(let h): exact.insert(h)
            case .wildcard(let s, _): suffixes.insert(s)
            }
        }
        func longestSuffix(_ h: String) -> String? {
            suffixes.filter { h.hasSuffix("." + $0) && h.count > $0.count + 1 }.max { $0.count < $1.count }
        }
        var out = exact.sorted()
        var taken = exact
        /// The first of `label`, `label1`, `label2`, ... followed by `rest` whose longest matching suffix is `suffix`.
        func add(_ label: String, _ rest: String, longestSuffix suffix: String?) {
            for n in 0... {
                let h = label + (n == 0 ? "" : String(n)) + rest
                if !taken.contains(h) && longestSuffix(h) == suffix {
                    out.append(h)
                    taken.insert(h)
                    return
                }
            }
        }
        for s in suffixes.sorted() {
            add("x", ".\(s)", longestSuffix: s)
            // Two labels: the second numbered too, so that some candidate escapes every longer suffix.
            for n in 0... {
                let h = "x\(n).y\(n).\(s)"
                if !taken.contains(h) && longestSuffix(h) == s {
                    out.append(h)
                    taken.insert(h)
                    break
                }
            }
        }
        // One label: no wildcard matches it.
        add("unrouted", "", longestSuffix: nil)
        return out
    }

    /// Paths. Every path test is a literal compared with the whole path, a prefix, or a prefix ignoring case; so a
    /// path's class is fixed by its longest literal prefix A (case-sensitive), whether it is A itself, and its
    /// longest case-ignoring prefix B. The representatives: each literal A; A followed by a character no literal
    /// continues A with; and for each B that extends A, A continued by a spelling of the rest of B that completes
    /// no longer literal, alone and with such a character after it.
    static func pathClasses(_ matches: [RouteTable.PathMatch], extra: [String]) -> [String] {
        var exact: Set<String> = ["/"]
        var caseless: Set<String> = []
        for m in matches {
            switch m {
            case .any: break
            case .exact(let p): exact.insert(p)
            case .segmentPrefix(let p):
                let base = p.hasSuffix("/") ? String(p.dropLast()) : p
                if !base.isEmpty { exact.formUnion([base, base + "/"]) }
            case .stringPrefix(let p, let ci): if ci { caseless.insert(p.lowercased()) } else { exact.insert(p) }
            case .regex(let p, let ci, _):
                if RouteTable.isLiteral(p) { if ci { caseless.insert(p.lowercased()) } else { exact.insert(p) } }
            }
        }
        exact.formUnion(extra)
        /// A character that continues `s` into no literal, either way.
        func fresh(_ s: String) -> String {
            let lower = s.lowercased()
            for c in "xzq0123456789_~-".map(String.init) + (33...126).map({ String(UnicodeScalar(UInt8($0))) }) {
                let next = s + c
                if !exact.contains(where: { $0.hasPrefix(next) })
                    && !caseless.contains(where: { $0.hasPrefix(lower + c.lowercased()) })
                {
                    return c
                }
            }
            return "\u{7f}"
        }
        /// A spelling of `rest` after `a` such that no literal longer than `a` is a prefix of the result.
        func spelling(after a: String, _ rest: [Character]) -> String? {
            func search(_ built: String, _ i: Int) -> String? {
                if i == rest.count { return built }
                for ch in Set([String(rest[i]).lowercased(), String(rest[i]).uppercased()]).sorted() {
                    let next = built + ch
                    if exact.contains(next) { continue }
                    // Once no literal continues this spelling, any continuation will do.
                    if !exact.contains(where: { $0.count > next.count && $0.hasPrefix(next) }) {
                        return next + String(rest[(i + 1)...])
                    }
                    if let found = search(next, i + 1) { return found }
                }
                return nil
            }
            return search(a, 0)
        }
        var out: Set<String> = []
        for a in exact {
            out.insert(a)
            out.insert(a + fresh(a))
            for b in caseless where b.count > a.count && b.hasPrefix(a.lowercased()) {
                if let s = spelling(after: a, Array(b.dropFirst(a.count))) {
                    out.insert(s)
                    out.insert(s + fresh(s))
                }
            }
        }
        return out.filter { $0.hasPrefix("/") }.sorted()
    }

    /// Header or query values: absent, each literal, and one value no rule compares with.
    static func valueClasses(_ matches: [RouteTable.ValueMatch]) -> [(name: String, values: [String?])] {
        Dictionary(grouping: matches, by: \.name).sorted { $0.key < $1.key }.map { name, ms in
            let literals = Set(ms.map(\.value))
            var other = "other"
            while literals.contains(other) { other += "-x" }
            return (name, [nil] + literals.sorted().map { Optional($0) } + [other])
        }
    }

    /// Client addresses: the first address of each piece of each family's space that the CIDRs cut.
    static func clientClasses(_ cidrs: [CIDR]) -> [IPAddress] {
        var out: [IPAddress] = []
        for family in IPFamily.allCases {
            var points: Set<UInt128> = [0]
            for c in cidrs where c.family == family {
                points.insert(c.first.value)
                if c.last.value < family.maxValue { points.insert(c.last.value + 1) }
            }
            out += points.sorted().map { IPAddress(family: family, value: $0) }
        }
        return out
    }
}

extension RouteTable {
    /// Requests worth trying for a question that fixes some fields (`given`) and leaves the others open: for each
    /// way the table can decide such a request (each rule, each side of an allow-list, the fallback), one request
    /// it decides that way, found by the solver over the request classes. So no rule a question could reach is
    /// missed.
    public func witnesses(given: HTTPRequest) -> [Request] {
        let z = Z3Context()
        let space = RouteRequestSpace(
            z, tables: [self], extraHosts: given.host.map { [$0] } ?? [], extraPaths: given.path.map { [$0] } ?? [])
        let solver = Solver(z)
        solver.assert(space.domain)
        solver.assert(space.pinned(host: given.host, path: given.path, method: given.method))
        var out: [Request] = []
        for d in space.decisions(self) {
            solver.push()
            solver.assert(d.when)
            if case .sat(let m)? = try? solver.check() { out.append(space.request(m)) }
            solver.pop()
        }
        return out
    }
}
