/// The addresses DNS answers for names (`--dns-answers FILE`): a YAML mapping from each name to its addresses or CIDRs,
/// for policies that admit names (Cilium's `toFQDNs`). Names are compared lowercase, without the final dot.
public enum DNSAnswers {
    public static func load(_ path: String) throws -> [String: [CIDR]] {
        let (documents, errors, _, _) = ManifestReader().read(paths: [path])
        if !errors.isEmpty { throw InputErrors(errors) }
        guard documents.count == 1, let doc = documents.first else {
            throw InputErrors([
                InputError(
                    SourceLocation(file: path, line: 1), "dns-answers", "expected one mapping of names to addresses")
            ])
        }
        let root = Field(node: doc.root, path: "", file: doc.file, fallbackLine: doc.line, lineOffset: doc.lineOffset)
        do { return try read(root) } catch let e as InputError { throw InputErrors([e]) }
    }

    static func read(_ root: Field) throws -> [String: [CIDR]] {
        try ErrorGatherer.gathering { gatherer in
            var out: [String: [CIDR]] = [:]
            for (name, value) in try root.entries() {
                let addresses = try gatherer.read {
                    try value.items().readEach { item -> CIDR in
                        switch CIDR.parse(addressOrCIDR: try item.string()) {
                        case .success(let c): return c
                        case .failure(let problem): throw item.error(problem.message)
                        }
                    }
                }
                out[CiliumNetworkPolicy.FQDNSelector.normal(name), default: []] += addresses ?? []
            }
            return out
        }
    }
}
