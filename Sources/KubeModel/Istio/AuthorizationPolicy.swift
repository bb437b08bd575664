/// An Istio AuthorizationPolicy (security.istio.io): CUSTOM, DENY, ALLOW or AUDIT rules on the selected workloads'
/// proxies. Objects Istio's validation refuses are kept with their `rejection`.
public struct AuthorizationPolicy: Hashable, Sendable {
    public enum Action: String, Sendable {
        case allow = "ALLOW"
        case deny = "DENY"
        case audit = "AUDIT"
        case custom = "CUSTOM"
    }

    /// A list-valued field with its positive and negative forms (`principals` / `notPrincipals`); nil when absent.
    public struct Values: Hashable, Sendable {
        public let values: [String]?
        public let notValues: [String]?
        public var isPresent: Bool { values != nil || notValues != nil }
        static let absent = Values(values: nil, notValues: nil)
    }

    public struct Source: Hashable, Sendable {
        public let principals: Values
        public let namespaces: Values
        public let ipBlocks: Values
        public let remoteIpBlocks: Values
        public let requestPrincipals: Values
    }

    public struct Operation: Hashable, Sendable {
        public let hosts: Values
        public let ports: Values
        public let methods: Values
        public let paths: Values
    }

    public struct Condition: Hashable, Sendable {
        public let key: String
        public let values: Values
    }

    public struct Rule: Hashable, Sendable {
        /// nil: `from` absent (any source).
        public let from: [Source]?
        public let to: [Operation]?
        public let when: [Condition]
        /// `spec.rules[2]`, for reports.
        public let path: String
        /// Where the rule is written.
        public let location: SourceLocation

        /// The rule uses a field that exists only on HTTP: request principals, hosts, methods, paths, `request.*` keys.
        public var usesHTTPOnlyFields: Bool {
            (from ?? []).contains { $0.requestPrincipals.isPresent }
                || (to ?? []).contains { $0.hosts.isPresent || $0.methods.isPresent || $0.paths.isPresent }
                || when.contains { AuthorizationPolicy.isHTTPOnlyKey($0.key) }
        }
    }

    /// `when` keys that exist only on HTTP requests.
    public static func isHTTPOnlyKey(_ key: String) -> Bool { key.hasPrefix("request.") }

    public let name: String
    public let namespace: String
    public let selector: IstioSelector?
    /// `targetRef`/`targetRefs` attach to Gateway API gateways and waypoints, not to sidecars.
    public let hasTargetRef: Bool
    public let action: Action
    public let provider: String?
    /// nil or empty: the policy matches nothing.
    public let rules: [Rule]
    public let location: SourceLocation

    static let sourceKeys: Set<String> = [
        "principals", "notPrincipals", "namespaces", "notNamespaces", "ipBlocks", "notIpBlocks",
        "remoteIpBlocks", "notRemoteIpBlocks", "requestPrincipals", "notRequestPrincipals",
    ]
    static let operationKeys: Set<String> = [
        "hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths",
    ]

    static func parse(_ spec: Field?, name: String, namespace: String, location: SourceLocation) throws
        -> AuthorizationPolicy
    {
        guard let spec else {
            return AuthorizationPolicy(
                name: name, namespace: namespace, selector: nil, hasTargetRef: false, action: .allow,
                provider: nil, rules: [], location: location)
        }
        try spec.requireKnownKeys(["selector", "targetRef", "targetRefs", "action", "provider", "rules"])
        let actionText = try spec["action"]?.string() ?? "ALLOW"
        guard let action = Action(rawValue: actionText) else {
            throw spec["action"]!.error("unknown action '\(actionText)' (ALLOW, DENY, AUDIT or CUSTOM)")
        }
        func values(_ f: Field, _ key: String) throws -> Values {
            let notKey = "not" + key.prefix(1).uppercased() + key.dropFirst()
            return Values(values: try f[key]?.stringList(), notValues: try f[notKey]?.stringList())
        }
        let rules = try (spec["rules"]?.items() ?? []).readEach { rule -> Rule in
            try rule.requireKnownKeys(["from", "to", "when"])
            let from = try rule["from"].map { f -> [Source] in
                let items = try f.items()
                if items.isEmpty { throw f.error("an empty 'from' list is rejected by Istio validation") }
                return try items.readEach { item in
                    try item.requireKnownKeys(["source"])
                    guard let s = item["source"] else { throw item.missing("source") }
                    try s.requireKnownKeys(sourceKeys)
                    if try s.entries().isEmpty { throw s.error("an empty source is rejected by Istio validation") }
                    // Istio validation parses each address block: an IP or a CIDR whose prefix fits its family.
                    for key in ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"] {
                        for item in try s[key]?.items() ?? [] {
                            let text = try item.string()
                            let withPrefix = text.contains("/") ? text : text + (text.contains(":") ? "/128" : "/32")
                            if case .failure(let problem) = CIDR.parse(withPrefix) {
                                throw item.error("\(key): \(problem.message)")
                            }
                        }
                    }
                    return Source(
                        principals: try values(s, "principals"), namespaces: try values(s, "namespaces"),
                        ipBlocks: try values(s, "ipBlocks"), remoteIpBlocks: try values(s, "remoteIpBlocks"),
                        requestPrincipals: try values(s, "requestPrincipals"))
                }
            }
            let to = try rule["to"].map { f -> [Operation] in
                let items = try f.items()
                if items.isEmpty { throw f.error("an empty 'to' list is rejected by Istio validation") }
                return try items.readEach { item in
                    try item.requireKnownKeys(["operation"])
                    guard let o = item["operation"] else { throw item.missing("operation") }
                    try o.requireKnownKeys(operationKeys)
                    if try o.entries().isEmpty { throw o.error("an empty operation is rejected by Istio validation") }
                    return Operation(
                        hosts: try values(o, "hosts"), ports: try values(o, "ports"),
                        methods: try values(o, "methods"), paths: try values(o, "paths"))
                }
            }
            let when = try (rule["when"]?.items() ?? []).map { c -> Condition in
                try c.requireKnownKeys(["key", "values", "notValues"])
                guard let key = c["key"] else { throw c.missing("key") }
                return Condition(
                    key: try key.string(),
                    values: Values(values: try c["values"]?.stringList(), notValues: try c["notValues"]?.stringList()))
            }
            return Rule(from: from, to: to, when: when, path: rule.path, location: rule.location)
        }
        let selector = try istioSelector(spec["selector"])
        return AuthorizationPolicy(
            name: name, namespace: namespace, selector: selector?.isEmpty == false ? selector : nil,
            hasTargetRef: spec.has("targetRef") || spec.has("targetRefs"), action: action,
            provider: try spec["provider"]?["name"]?.string(), rules: rules, location: location)
    }

    /// Why Istio's validation would refuse the object, or nil.
    public var rejection: String? {
        if (action == .deny || action == .custom) && rules.isEmpty {
            return "\(action.rawValue) AuthorizationPolicy without rules is rejected by Istio validation; ignored"
        }
        if action == .custom && provider == nil {
            return "CUSTOM AuthorizationPolicy without provider is rejected by Istio validation; ignored"
        }
        return nil
    }
}
