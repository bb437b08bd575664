import KubeModel
import Reachability
import TestSupport
import XCTest
import Yams

@testable import Claims

/// Every flow and `only` entry of ../shared/corpora/*/expected.yaml (netpol, mesh and end-to-end layers), read in
/// place.
final class CorpusExpectationTests: XCTestCase {
    /// Corpus folders holding an expected.yaml next to their manifests.
    func corpusFolders() throws -> [String] {
        let corpora = Paths.shared.appendingPathComponent("corpora").path
        guard FileManager.default.fileExists(atPath: corpora) else {
            throw XCTSkip("../shared/corpora is absent; corpus tests skipped")
        }
        var out: [String] = []
        let e = FileManager.default.enumerator(atPath: corpora)!
        for case let p as String in e where p.hasSuffix("expected.yaml") {
            out.append(corpora + "/" + (p as NSString).deletingLastPathComponent)
        }
        return out.sorted()
    }

    func expand(_ name: String, _ model: ClusterModel, excluding: Set<String> = []) -> [String] {
        if name.hasSuffix("/*") {
            let ns = String(name.dropLast(2))
            return model.workloads.filter { $0.namespace == ns && !excluding.contains($0.id) }.map(\.id)
        }
        return [name]
    }

    /// The corpora write their expectations for IPv4 clusters (`external:0.0.0.0/0` is every outside client), so they
    /// are checked under an IPv4-only description.
    static let ipv4Cluster = Assumptions(ipFamilies: [.ipv4])

    func endpoint(_ name: String, _ e: Evaluator) -> Endpoint? {
        if name.hasPrefix("external:") {
            guard case .success(let c) = CIDR.parse(String(name.dropFirst(9))) else { return nil }
            return .external(AddressRange(c))
        }
        guard let i = e.model.workloads.firstIndex(where: { $0.id == name }) else { return nil }
        return .pod(e.endpoints[i])
    }

    func testNetpolFlowsAndOnlyEntriesOfEveryCorpus() throws {
        var flows = 0
        var onlies = 0
        for folder in try corpusFolders() {
            let (model, errors) = ModelLoader().load(paths: [folder])
            XCTAssertEqual(errors, [], folder)
            let evaluator = Evaluator(model: model, assumptions: Self.ipv4Cluster)
            let text = try String(contentsOfFile: folder + "/expected.yaml", encoding: .utf8)
            guard let doc = try Yams.load(yaml: text) as? [String: Any] else { continue }
            for flow in doc["flows"] as? [[String: Any]] ?? [] where flow["layer"] as? String == "netpol" {
                let port = PortSpec.parse(flow["port"] as! String)!
                let expectAllowed = flow["expect"] as! String == "allowed"
                for from in expand(flow["from"] as! String, model) {
                    for to in expand(flow["to"] as! String, model) where from != to {
                        guard let s = endpoint(from, evaluator), let d = endpoint(to, evaluator) else {
                            XCTFail("\(folder): unknown endpoint in \(from) -> \(to)")
                            continue
                        }
                        // An external range is allowed when some address in it is, as the corpora read it.
                        let allowed =
                            evaluator.connections(from: s, to: d).contains(
                                FlowProtocol(port.proto), port.range.lowerBound)
                            || (from.hasPrefix("external:")
                                && evaluator.externalRanges.filter { r in
                                    if case .external(let whole) = s {
                                        return r.first >= whole.first && r.last <= whole.last
                                    } else {
                                        return false
                                    }
                                }.contains {
                                    evaluator.connections(from: .external($0), to: d).contains(
                                        FlowProtocol(port.proto), port.range.lowerBound)
                                })
                        XCTAssertEqual(allowed, expectAllowed, "\(folder): \(from) -> \(to) \(port)")
                        flows += 1
                    }
                }
            }
            for entry in doc["only"] as? [[String: Any]] ?? [] {
                let layer = entry["layer"] as? String ?? "netpol"
                let to = entry["to"] as! String
                let claimed = (entry["claimed_sources"] as! [String]).flatMap { expand($0, model, excluding: [to]) }
                let admitted = Set(
                    (entry["admitted_sources"] as! [String]).flatMap { expand($0, model, excluding: [to]) })
                let yaml = """
                    claims:
                      - name: corpus-only
                        layer: \(layer)
                        only:
                          from: [\(claimed.map { $0.hasPrefix("external:") ? "{external: \($0.dropFirst(9))}" : "{workload: \($0)}" }.joined(separator: ", "))]
                          to: {workload: \(to)}
                          ports: [\(entry["port"] as! String)]
                    """
                let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "only-\(UUID().uuidString).yaml")
                try yaml.write(to: file, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: file) }
                let (claims, claimErrors) = ClaimsParser.load(file.path)
                XCTAssertEqual(claimErrors, [])
                let checker = ClaimChecker(model: model, assumptions: Self.ipv4Cluster)
                let result = checker.check(claims!.claims[0])
                XCTAssertEqual(
                    result.verdict, entry["verdict"] as! String == "proved" ? .proved : .refuted,
                    "\(folder): only \(to) [\(layer)]")
                XCTAssertEqual(Set(result.admittedSources), admitted, "\(folder): admitted sources of \(to) [\(layer)]")
                onlies += 1
            }
        }
        print("corpora: \(flows) netpol flows and \(onlies) only-entries checked")
        XCTAssertGreaterThan(flows, 100)
    }

    /// Mesh and end-to-end flows, each as a `denied` claim: PROVED when the corpus expects the flow denied, REFUTED
    /// when it expects it allowed (for an external range: allowed from some address of it, as the corpora read it).
    func testMeshAndEndToEndFlowsOfEveryCorpus() throws {
        var counts: [String: Int] = [:]
        for folder in try corpusFolders() {
            let (model, errors) = ModelLoader().load(paths: [folder])
            XCTAssertEqual(errors, [], folder)
            let checker = ClaimChecker(model: model, assumptions: Self.ipv4Cluster)
            let text = try String(contentsOfFile: folder + "/expected.yaml", encoding: .utf8)
            guard let doc = try Yams.load(yaml: text) as? [String: Any] else { continue }
            for flow in doc["flows"] as? [[String: Any]] ?? [] {
                let layer = flow["layer"] as! String
                guard layer != "netpol" else { continue }
                let from = flow["from"] as! String
                let to = flow["to"] as! String
                var http = ""
                if let request = flow["request"] as? [String: String] {
                    http =
                        "\n    http: {"
                        + request.sorted { $0.key < $1.key }.map { "\($0.key): \"\($0.value)\"" }.joined(
                            separator: ", ") + "}"
                }
                let source = from.hasPrefix("external:") ? "{external: \(from.dropFirst(9))}" : "{workload: \(from)}"
                let yaml = """
                    claims:
                      - name: corpus-flow
                        layer: \(layer)\(http)
                        denied:
                          from: \(source)
                          to: {workload: \(to)}
                          ports: [\(flow["port"] as! String)]
                    """
                let file = try temporaryFile(yaml, name: "flow.yaml")
                let (claims, claimErrors) = ClaimsParser.load(file)
                XCTAssertEqual(claimErrors, [], yaml)
                let result = checker.check(claims!.claims[0])
                let expected: Verdict = flow["expect"] as! String == "allowed" ? .refuted : .proved
                XCTAssertEqual(
                    result.verdict, expected,
                    "\(folder): \(from) -> \(to) \(flow["port"]!) [\(layer)] \(http) \(result.reason ?? "")")
                counts[layer, default: 0] += 1
            }
        }
        print(
            "corpora: \(counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")) flows checked"
        )
        XCTAssertGreaterThan(counts["mesh"] ?? 0, 50)
        XCTAssertGreaterThan(counts["end-to-end"] ?? 0, 2)
    }
}
