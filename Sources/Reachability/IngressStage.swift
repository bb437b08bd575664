import Foundation
import KubeModel

/// The ingress-nginx hop: which Service a request for a host and path is sent to, and which pods run the
/// controller. The upstream connection to the Service starts at the controller pod, not at the client, so
/// policies see the controller as the source (docs/SEMANTICS.md §6).
public enum IngressStage {
    public struct Route: Sendable {
        public let ingress: Ingress
        public let backend: Ingress.Backend
        /// How the request matched: `host H path /p (Prefix)` or `default backend`.
        public let match: String
    }

    /// Whether a request path matches an Ingress path. Prefix matches element by element (`/foo` matches `/foo` and
    /// `/foo/bar`, not `/foobar`); ingress-nginx treats ImplementationSpecific as a plain prefix, and with `use-regex`
    /// (or `rewrite-target`) reads every path as a case-insensitive regular expression anchored at the start.
    public static func matches(_ p: Ingress.Path, _ path: String, regex: Bool = false) -> Bool {
        if regex {
            guard let re = try? NSRegularExpression(pattern: "^(?:" + p.path + ")", options: [.caseInsensitive]) else {
                return false
            }
            return re.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
        }
        switch p.type {
        case .exact: return path == p.path
        case .implementationSpecific: return path.hasPrefix(p.path)
        case .prefix:
            let want = p.path.split(separator: "/")
            let have = path.split(separator: "/")
            return want.count <= have.count && zip(want, have).allSatisfy { $0 == $1 }
        }
    }

    static func hostMatches(_ ruleHost: String, _ host: String) -> Bool {
        if ruleHost.hasPrefix("*.") {
            let suffix = ruleHost.dropFirst(1)  // ".example.com"
            return host.hasSuffix(suffix) && !host.dropLast(suffix.count).contains(".") && host.count > suffix.count
        }
        return ruleHost == host
    }

    /// The backend ingress-nginx picks for a request: the rules of the exact host, else of a matching wildcard
    /// host, else the rules without a host (merged across the Ingresses); among their paths the longest match,
    /// Exact before Prefix on a tie; with no match, an Ingress default backend. nil: the controller's own 404.
    public static func route(_ ingresses: [Ingress], host: String?, path: String) -> Route? {
        typealias Candidate = (ingress: Ingress, rule: Ingress.Rule)
        let all: [Candidate] = ingresses.flatMap { i in i.rules.map { (i, $0) } }
        var server = all.filter { c in host != nil && c.rule.host == host }
        if server.isEmpty, let host {
            server = all.filter { c in c.rule.host.map { $0.hasPrefix("*.") && hostMatches($0, host) } ?? false }
        }
        if server.isEmpty { server = all.filter { $0.rule.host == nil } }
        var best: (Candidate, Ingress.Path)?
        for c in server {
            for p in c.rule.paths where matches(p, path, regex: c.ingress.regexPaths) {
                guard let (_, b) = best else {
                    best = (c, p)
                    continue
                }
                if p.path.count > b.path.count || (p.path.count == b.path.count && p.type == .exact && b.type != .exact)
                {
                    best = (c, p)
                }
            }
        }
        if let (c, p) = best {
            return Route(
                ingress: c.ingress, backend: p.backend,
                match: "host \(c.rule.host ?? "*") path \(p.path) (\(p.type.rawValue))")
        }
        if let i = ingresses.first(where: { $0.defaultBackend != nil }) {
            return Route(ingress: i, backend: i.defaultBackend!, match: "default backend")
        }
        return nil
    }

    /// The Ingresses an ingress-nginx controller serves: those of a class whose controller is ingress-nginx, and
    /// those without a class when such a class is the default (or when no IngressClass is declared at all).
    public static func nginxIngresses(_ model: ClusterModel) -> [Ingress] {
        let nginx = model.ingressClasses.filter { $0.controller == "k8s.io/ingress-nginx" }
        let names = Set(nginx.map(\.name))
        let takesUnclassed = nginx.contains(where: \.isDefault) || model.ingressClasses.isEmpty
        return model.ingresses.filter { i in
            i.className.map { names.contains($0) || (model.ingressClasses.isEmpty && $0 == "nginx") } ?? takesUnclassed
        }
    }

    /// Workloads that run the ingress-nginx controller, by the chart's labels.
    public static func controllers(_ model: ClusterModel) -> [Int] {
        model.workloads.indices.filter {
            let l = model.workloads[$0].labels
            return l["app.kubernetes.io/name"] == "ingress-nginx"
                && (l["app.kubernetes.io/component"] ?? "controller") == "controller"
        }
    }
}
