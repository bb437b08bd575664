import Foundation
import KubeModel
import Reachability

/// Reads claims files with the same care as manifests: unknown keys, bad ports or CIDRs are errors with file:line.
public enum ClaimsParser {
    /// Reads a claims file; `-` reads standard input (or `stdin`, which tests and the fuzzer supply).
    public static func load(_ path: String, stdin: (() throws -> Data)? = nil)
        -> (ClaimsFile?, [InputError])
    {
        let (documents, readErrors, _, _) = ManifestReader().read(paths: [path], stdin: stdin)
        if !readErrors.isEmpty { return (nil, readErrors) }
        guard let doc = documents.first, documents.count == 1 else {
            return (
                nil,
                [
                    InputError(
                        SourceLocation(file: path, line: 1), "claims",
                        "expected exactly one YAML document with a 'claims' list")
                ]
            )
        }
        let root = Field(node: doc.root, path: "", file: doc.file, fallbackLine: doc.line, lineOffset: doc.lineOffset)
        var errors: [InputError] = []
        var claims: [Claim] = []
        do {
            try root.requireKnownKeys(["claims"])
            guard let list = root["claims"] else { throw root.missing("claims") }
            var names = Set<String>()
            let items = try list.items()
            // A gate with no claim would pass on nothing.
            if items.isEmpty { throw list.error("the claims list is empty: nothing to check") }
            for item in items {
                do {
                    let claim = try parseClaim(item)
                    if !names.insert(claim.name).inserted {
                        throw item["name"]!.error("duplicate claim name '\(claim.name)'")
                    }
                    claims.append(claim)
                } catch { errors += InputErrors.of(error, at: item.location) }
            }
        } catch {
            errors += InputErrors.of(error, at: SourceLocation(file: path, line: 1))
        }
        return (errors.isEmpty ? ClaimsFile(path: path, claims: claims) : nil, errors)
    }

    static func parseClaim(_ f: Field) throws -> Claim {
        try f.requireKnownKeys([
            "name", "description", "allowed", "denied", "only", "layer", "allowEmpty", "universe", "http", "mtls",
            "entry", "via",
        ])
        guard let nameField = f["name"] else { throw f.missing("name") }
        let name = try nameField.string()
        // Names are printed in every report: no control characters, no line breaks.
        if name.isEmpty || name.unicodeScalars.contains(where: { Escaped.needsEscape($0) || $0 == "\n" }) {
            throw nameField.error("a claim name is one line of printable text, found \"\(Escaped(name))\"")
        }
        let kinds = Claim.Kind.allCasesInOrder.filter { f[$0.rawValue] != nil }
        guard kinds.count == 1, let kind = kinds.first, let body = f[kind.rawValue] else {
            throw f.error("a claim needs exactly one of allowed, denied, only")
        }
        try body.requireKnownKeys(["from", "to", "ports"])
        guard let fromField = body["from"], let toField = body["to"] else { throw body.error("needs from and to") }
        let from: [EndpointSelector]
        if case .sequence = fromField.node {
            from = try fromField.items().map(parseSelector)
        } else {
            from = [try parseSelector(fromField)]
        }
        if kind != .only && from.count != 1 { throw fromField.error("\(kind.rawValue) takes one source selector") }
        let to = try parseSelector(toField)
        if from.contains(where: { $0.service != nil }) {
            throw fromField.error("a Service is a destination: a connection's source is a pod or an address")
        }
        if to.external != nil && kind == .only {
            throw toField.error("an 'only' claim is about who reaches pods; its destination cannot be external")
        }
        if to.external != nil && from.contains(where: { $0.external != nil }) {
            throw toField.error("external to external traffic never meets cluster policy")
        }
        let ports = try (body["ports"]?.items() ?? []).map { p -> PortSpec in
            let text = try p.string()
            guard let spec = PortSpec.parse(text) else {
                throw p.error("'\(text)' is not a port (expected PROTO/N or PROTO/N-M, 1-65535, TCP/UDP/SCTP)")
            }
            return spec
        }
        let layer = try f["layer"].map { field -> Layer in
            let text = try field.string()
            guard let layer = Layer(rawValue: text) else {
                throw field.error("unknown layer '\(text)' (\(Layer.accepted))")
            }
            return layer
        }
        let universe =
            try f["universe"].map { u -> EndpointSelector.Universe in
                guard let v = EndpointSelector.Universe(rawValue: try u.string()) else {
                    throw u.error("universe is existing or any")
                }
                return v
            } ?? .existing
        var claim = Claim(
            name: name, description: try f["description"]?.string(), kind: kind, from: from, to: to, ports: ports,
            layer: layer, allowEmpty: try f["allowEmpty"]?.bool() ?? false, outsideUniverse: universe,
            location: f.location)
        if let http = f["http"] {
            try http.requireKnownKeys(["method", "path", "host"])
            if layer == .netpol {
                throw http.error("an HTTP request is decided at the mesh or end-to-end layer (set layer)")
            }
            claim.request = HTTPRequest(
                method: try http["method"]?.string(), path: try http["path"]?.string(), host: try http["host"]?.string()
            )
            if let path = claim.request?.path, !path.hasPrefix("/") {
                throw http["path"]!.error("a request path begins with '/'")
            }
        }
        if let mtls = f["mtls"] {
            guard try mtls.string() == "required" else { throw mtls.error("mtls takes the value 'required'") }
            if layer == .netpol {
                throw mtls.error("mutual TLS is decided at the mesh or end-to-end layer (set layer)")
            }
            if kind == .denied { throw mtls.error("a denied claim admits no flow that could lack mutual TLS") }
            claim.mtlsRequired = true
        }
        if let entry = f["entry"] {
            try entry.requireKnownKeys(["service", "port", "nodePort"])
            if let layer, layer != .endToEnd {
                throw entry.error("an entry pins a route: it needs layer end-to-end")
            }
            guard let svc = entry["service"] else { throw entry.missing("service") }
            let id = try svc.string()
            guard id.split(separator: "/").count == 2 else { throw svc.error("service is namespace/name") }
            if entry.has("port") && entry.has("nodePort") { throw entry.error("give port or nodePort, not both") }
            claim.entry = ClaimEntry(
                service: id, port: try entry["port"]?.int(in: 1...65535),
                nodePort: try entry["nodePort"]?.int(in: 1...65535),
                location: entry.location, path: entry.path)
        }
        if let via = f["via"] {
            try via.requireKnownKeys(["ingress", "gateway", "listener", "route"])
            if let layer, layer != .endToEnd { throw via.error("via pins a route: it needs layer end-to-end") }
            if claim.entry != nil { throw via.error("give entry or via, not both") }
            func id(_ key: String) throws -> String? {
                guard let f = via[key] else { return nil }
                let id = try f.string()
                guard id.split(separator: "/").count == 2 else { throw f.error("\(key) is namespace/name") }
                return id
            }
            let given = ["ingress", "gateway", "route"].filter { via[$0] != nil }
            guard given.count == 1 else {
                throw via.error("via names one of ingress, gateway (with an optional listener) or route")
            }
            if via["listener"] != nil && given != ["gateway"] { throw via["listener"]!.error("listener needs gateway") }
            if let ingress = try id("ingress") {
                claim.via = .ingress(ingress)
            } else if let gateway = try id("gateway") {
                claim.via = .gateway(gateway, listener: try via["listener"]?.string())
            } else if let route = try id("route") {
                claim.via = .route(route)
            }
        }
        return claim
    }

    static func parseSelector(_ f: Field) throws -> EndpointSelector {
        try f.requireKnownKeys([
            "namespace", "namespaceSelector", "pods", "podSelector", "workload", "external", "universe", "service",
        ])
        var s = EndpointSelector(location: f.location, path: f.path)
        if let svc = f["service"] {
            let text = try svc.string()
            guard text.split(separator: "/").count == 2 else { throw svc.error("service is namespace/name") }
            if try f.entries().count > 1 { throw f.error("service cannot be combined with other selectors") }
            s.service = text
            return s
        }
        if let e = f["external"] {
            let c = try e.cidr()
            if try f.entries().count > 1 { throw f.error("external cannot be combined with other selectors") }
            s.external = c
            return s
        }
        if let w = f["workload"] {
            let text = try w.string()
            guard text.split(separator: "/").count == 2 else { throw w.error("workload is namespace/name") }
            s.workload = text
        }
        s.namespace = try f["namespace"]?.string()
        s.namespaceSelector = try f["namespaceSelector"].map(LabelSelector.parse)
        if f["pods"] != nil && f["podSelector"] != nil { throw f.error("use pods or podSelector, not both") }
        if let p = f["pods"] { s.podSelector = LabelSelector(matchLabels: try p.stringMap()) }
        if let p = f["podSelector"] { s.podSelector = try LabelSelector.parse(p) }
        if let u = f["universe"] {
            guard let v = EndpointSelector.Universe(rawValue: try u.string()) else {
                throw u.error("universe is existing or any")
            }
            s.universe = v
        }
        if s.workload != nil && (s.namespace != nil || s.namespaceSelector != nil || s.podSelector != nil) {
            throw f.error("workload cannot be combined with other selectors")
        }
        return s
    }
}

extension Claim.Kind {
    static let allCasesInOrder: [Claim.Kind] = [.allowed, .denied, .only]
}
