/// An Ingress (networking.k8s.io/v1): host and path rules that send HTTP requests reaching an ingress controller to
/// Services.
public struct Ingress: Hashable, Sendable {
    public struct Backend: Hashable, Sendable {
        /// Service name in the Ingress's namespace; nil for a `resource` backend (not a Service).
        public let service: String?
        public let port: PortRef?
        public let location: SourceLocation

        /// The port of the Service this backend names, by number or by name (nil: no such port, or none named).
        public func servicePort(of svc: Service) -> ServicePort? {
            switch port {
            case .number(let n)?: return svc.ports.first { $0.port == n }
            case .name(let name)?: return svc.ports.first { $0.name == name }
            case nil: return nil
            }
        }
    }

    public enum PathType: String, Sendable {
        case exact = "Exact"
        case prefix = "Prefix"
        case implementationSpecific = "ImplementationSpecific"
    }

    public struct Path: Hashable, Sendable {
        public let path: String
        public let type: PathType
        public let backend: Backend
    }

    public struct Rule: Hashable, Sendable {
        /// nil: every host. May start with `*.` (one DNS label).
        public let host: String?
        public let paths: [Path]
    }

    public let name: String
    public let namespace: String
    public let className: String?
    public let defaultBackend: Backend?
    public let rules: [Rule]
    public let tlsHosts: [String]
    /// ingress-nginx reads paths as regular expressions (`use-regex`, which `rewrite-target` implies).
    public let regexPaths: Bool
    /// ingress-nginx's annotations (`nginx.ingress.kubernetes.io/NAME`), by NAME.
    public let nginxAnnotations: [String: String]
    public let location: SourceLocation

    static func parse(_ spec: Field, metadata: Field, name: String, namespace: String, location: SourceLocation) throws
        -> Ingress
    {
        try spec.requireKnownKeys(["ingressClassName", "defaultBackend", "rules", "tls", "backend"])
        if let old = spec["backend"] {
            throw old.error("'backend' is the pre-v1 field; networking.k8s.io/v1 calls it defaultBackend")
        }
        // The class may still be named by the annotation that predates ingressClassName.
        let className =
            try spec["ingressClassName"]?.string() ?? metadata["annotations"]?["kubernetes.io/ingress.class"]?.string()
        let rules = try (spec["rules"]?.items() ?? []).readEach { item -> Rule in
            try item.requireKnownKeys(["host", "http"])
            let host = try item["host"]?.string()
            if let host, host.contains("*"), !(host.hasPrefix("*.") && !host.dropFirst(2).contains("*")) {
                throw item["host"]!.error("a wildcard host is '*.' followed by a DNS name")
            }
            var paths: [Path] = []
            if let http = item["http"] {
                try http.requireKnownKeys(["paths"])
                paths = try (http["paths"]?.items() ?? []).readEach { p -> Path in
                    try p.requireKnownKeys(["path", "pathType", "backend"])
                    guard let typeField = p["pathType"] else { throw p.missing("pathType") }
                    guard let type = PathType(rawValue: try typeField.string()) else {
                        throw typeField.error(
                            "unknown pathType '\(try typeField.string())' (Exact, Prefix or ImplementationSpecific)")
                    }
                    let path = try p["path"]?.string() ?? "/"
                    if type != .implementationSpecific && !path.hasPrefix("/") {
                        throw p["path"]!.error("path must begin with '/'")
                    }
                    guard let b = p["backend"] else { throw p.missing("backend") }
                    return Path(path: path, type: type, backend: try backend(b))
                }
            }
            return Rule(host: host, paths: paths)
        }
        var tlsHosts: [String] = []
        for t in try spec["tls"]?.items() ?? [] {
            try t.requireKnownKeys(["hosts", "secretName"])
            tlsHosts += try t["hosts"]?.items().map { try $0.string() } ?? []
        }
        let annotations = try metadata["annotations"]?.stringMap() ?? [:]
        let prefix = "nginx.ingress.kubernetes.io/"
        let nginx = Dictionary(
            uniqueKeysWithValues: annotations.filter { $0.key.hasPrefix(prefix) }.map {
                (String($0.key.dropFirst(prefix.count)), $0.value)
            })
        let regexPaths = nginx["use-regex"] == "true" || nginx["rewrite-target"] != nil
        return Ingress(
            name: name, namespace: namespace, className: className,
            defaultBackend: try spec["defaultBackend"].map(backend),
            rules: rules, tlsHosts: tlsHosts, regexPaths: regexPaths, nginxAnnotations: nginx, location: location)
    }

    static func backend(_ f: Field) throws -> Backend {
        try f.requireKnownKeys(["service", "resource"])
        if f["resource"] != nil { return Backend(service: nil, port: nil, location: f.location) }
        guard let svc = f["service"] else { throw f.missing("service") }
        try svc.requireKnownKeys(["name", "port"])
        guard let name = svc["name"] else { throw svc.missing("name") }
        guard let port = svc["port"] else { throw svc.missing("port") }
        try port.requireKnownKeys(["number", "name"])
        let ref: PortRef
        if let n = port["number"] {
            ref = .number(try n.int(in: 1...65535))
        } else if let n = port["name"] {
            ref = .name(try n.string())
        } else {
            throw port.error("needs number or name")
        }
        return Backend(service: try name.string(), port: ref, location: f.location)
    }
}
