import KubeModel

/// Cilium's L7 HTTP rules (docs/SEMANTICS.md §4.2): a connection the NetworkPolicy tier admits goes through Cilium's
/// proxy when every allow rule admitting it on that side carries L7 rules, and then a request passes when it matches
/// one of them; an allow rule without L7 rules for the same peer and port admits every request (Cilium merges an
/// L4-only rule into a wildcard L7 rule). Methods, paths and hosts are RE2 expressions matched against the whole
/// field, as Envoy's `safe_regex` matches; expressions beyond `RegexSubset` are UNKNOWN (A-REGEX).
struct CiliumL7Stage {
    let evaluator: Evaluator

    /// The step for one TCP connection (and request) to a declared pod's port; nil when no L7 rule filters it.
    func step(from source: Endpoint, to destination: PodEndpoint, port: Int, request: HTTPRequest?) -> MeshStep? {
        var sides: [[RequestFilter]] = []
        if let ingress = evaluator.requestFilters(.ingress, subject: destination, remote: source, port: port) {
            sides.append(ingress)
        }
        if case .pod(let s) = source,
            let egress = evaluator.requestFilters(.egress, subject: s, remote: .pod(destination), port: port)
        {
            sides.append(egress)
        }
        guard !sides.isEmpty else { return nil }
        var evidence: RuleRef?
        let verdicts = sides.map { filters -> Tri in
            Tri.any(
                filters.map { filter in
                    switch filter {
                    case .unmodelled(let kind, let ref):
                        return .unknown(
                            "Cilium \(kind) rules at \(ref.qualifiedName) \(ref.path) (\(ref.location)) filter requests this version does not decide"
                        )
                    case .http(let matches):
                        return Tri.any(
                            matches.map { m in
                                let t = Self.matches(m, request)
                                if t == .yes && evidence == nil { evidence = m.source }
                                return t
                            })
                    }
                })
        }
        let request = request?.description ?? "a request"
        switch Tri.all(verdicts) {
        case .yes:
            let rule = evidence.map { "\($0.kind) \($0.qualifiedName) \($0.path) (\($0.location))" } ?? "a rule"
            return MeshStep("CILIUM-L7", .allow, "\(request) matches \(rule)", evidence: evidence)
        case .no:
            let rules = sides.joined().compactMap { f -> RuleRef? in
                if case .http(let m) = f { return m.first?.source } else { return nil }
            }
            let named = rules.first.map { " (\($0.kind) \($0.qualifiedName) \($0.path), \($0.location))" } ?? ""
            return MeshStep(
                "CILIUM-L7", .deny, "\(request) matches none of the HTTP rules on port \(port)\(named)",
                evidence: rules.first)
        case .unknown(let why):
            return MeshStep("CILIUM-L7", .unknown, why)
        }
    }

    /// Whether a request can match a pattern; a field the question leaves open matches.
    static func matches(_ m: HTTPMatch, _ r: HTTPRequest?) -> Tri {
        if !m.headers.isEmpty {
            return .unknown(
                "\(m.source.qualifiedName) \(m.source.path) requires headers \(m.headers.joined(separator: ", ")), which the question does not give"
            )
        }
        func field(_ pattern: String?, _ value: String?) -> Tri {
            guard let pattern, let value else { return .yes }
            guard let regex = RegexSubset(pattern) else {
                return .unknown("the regular expression '\(pattern)' is beyond the subset decided (A-REGEX)")
            }
            return Tri(regex.matchesWhole(value))
        }
        return Tri.all([field(m.method, r?.method), field(m.path, r?.path), field(m.host, r?.host)])
    }
}

extension Evaluator {
    /// The L7 filters on one side of a TCP connection to `port`: nil when the side is not isolated or some allow rule
    /// admitting the connection has none (every request passes); else the filters of every admitting rule.
    func requestFilters(_ direction: Direction, subject: PodEndpoint, remote: Endpoint, port: Int) -> [RequestFilter]? {
        let destination: Endpoint = direction == .ingress ? .pod(subject) : remote
        var filters: [RequestFilter] = []
        var isolated = false
        for policy in selecting(subject) {
            isolated = isolated || policy.isolates(direction)
            for rule in policy.rules(direction)
            where rule.ports.connections(destination: destination).contains(.tcp, port)
                && ruleAdmits(rule, remote: remote)
            {
                guard let filter = rule.requests else { return nil }
                filters.append(filter)
            }
        }
        return isolated && !filters.isEmpty ? filters : nil
    }
}

/// The part of RE2 decided exactly: literal characters, `.`, character classes (`[a-z]`, `[^/]`, `\d`, `\w`, `\s`),
/// escapes, and the quantifiers `*`, `+`, `?` on one of those; `^` and `$` at the ends (the match is whole anyway).
/// Groups, alternation and counted repetition are not parsed: nil.
struct RegexSubset {
    enum Atom {
        case any
        case char(Character)
        case set([ClosedRange<Character>], negated: Bool)

        func matches(_ c: Character) -> Bool {
            switch self {
            case .any: return c != "\n"
            case .char(let x): return c == x
            case .set(let ranges, let negated): return ranges.contains { $0.contains(c) } != negated
            }
        }
    }
    struct Token {
        let atom: Atom
        let min: Int
        let unbounded: Bool
    }
    let tokens: [Token]

    init?(_ pattern: String) {
        var chars = Array(pattern)
        if chars.first == "^" { chars.removeFirst() }
        if chars.last == "$" && !(chars.count >= 2 && chars[chars.count - 2] == "\\") { chars.removeLast() }
        var tokens: [Token] = []
        var i = 0
        func escaped(_ c: Character) -> Atom? {
            switch c {
            case "d": return .set(["0"..."9"], negated: false)
            case "w": return .set(["a"..."z", "A"..."Z", "0"..."9", "_"..."_"], negated: false)
            case "s": return .set([" "..." ", "\t"..."\t", "\n"..."\n", "\r"..."\r"], negated: false)
            case _ where c.isLetter || c.isNumber: return nil
            default: return .char(c)
            }
        }
        while i < chars.count {
            let c = chars[i]
            var atom: Atom
            switch c {
            case "(", ")", "|", "{", "}", "^", "$", "*", "+", "?": return nil
            case ".": atom = .any
            case "\\":
                guard i + 1 < chars.count, let e = escaped(chars[i + 1]) else { return nil }
                atom = e
                i += 1
            case "[":
                var j = i + 1
                var negated = false
                if j < chars.count && chars[j] == "^" {
                    negated = true
                    j += 1
                }
                var ranges: [ClosedRange<Character>] = []
                while j < chars.count && (chars[j] != "]" || ranges.isEmpty && j == i + 1 + (negated ? 1 : 0)) {
                    var low = chars[j]
                    if low == "\\" {
                        guard j + 1 < chars.count else { return nil }
                        j += 1
                        low = chars[j]
                        if low.isLetter || low.isNumber { return nil }
                    }
                    if j + 2 < chars.count && chars[j + 1] == "-" && chars[j + 2] != "]" {
                        let high = chars[j + 2]
                        guard low <= high, high != "\\" else { return nil }
                        ranges.append(low...high)
                        j += 3
                    } else {
                        ranges.append(low...low)
                        j += 1
                    }
                }
                guard j < chars.count, !ranges.isEmpty else { return nil }
                atom = .set(ranges, negated: negated)
                i = j
            default: atom = .char(c)
            }
            i += 1
            var min = 1
            var unbounded = false
            if i < chars.count, "*+?".contains(chars[i]) {
                switch chars[i] {
                case "*": (min, unbounded) = (0, true)
                case "+": (min, unbounded) = (1, true)
                default: (min, unbounded) = (0, false)
                }
                i += 1
                // Lazy and possessive forms change nothing for a whole match, but `**` and the like are errors.
                if i < chars.count, chars[i] == "?" { i += 1 }
                if i < chars.count, "*+".contains(chars[i]) { return nil }
            }
            tokens.append(Token(atom: atom, min: min, unbounded: unbounded))
        }
        self.tokens = tokens
    }

    /// Whether the expression matches all of `text`.
    func matchesWhole(_ text: String) -> Bool {
        let chars = Array(text)
        // reachable[k]: positions in `chars` the first k tokens can end at.
        var reachable = Set([0])
        for t in tokens {
            var next = Set<Int>()
            for start in reachable {
                var end = start
                var count = 0
                if count >= t.min { next.insert(end) }
                while end < chars.count, t.atom.matches(chars[end]), t.unbounded || count < 1 {
                    end += 1
                    count += 1
                    if count >= t.min { next.insert(end) }
                }
            }
            reachable = next
            if reachable.isEmpty { return false }
        }
        return reachable.contains(chars.count)
    }
}
