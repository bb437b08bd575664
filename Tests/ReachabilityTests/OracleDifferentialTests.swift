import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// Runs `map` on every Kubernetes case of the NCA oracle and compares the pair lists with the oracle's own
/// comparer. Disagreements must be explained in oracle-known-differences.tsv.
final class OracleDifferentialTests: XCTestCase {
    /// The pair list with each group of a controller's pods named after the controller, their connections united:
    /// NCA names a peer after its pods' owner however they differ.
    static func byController(_ pairs: [ConnectivityMap.Pair], _ model: ClusterModel) -> String {
        func name(_ id: String) -> String { model.groupControllers[id] ?? id }
        var merged: [String: [String: ConnSet]] = [:]
        for p in pairs {
            let (s, d) = (name(p.source), name(p.destination))
            if s == d && (s != p.source || d != p.destination) { continue }
            merged[s, default: [:]][d, default: .none] = merged[s]?[d]?.union(p.conns) ?? p.conns
        }
        return merged.keys.sorted().flatMap { s in
            merged[s]!.keys.sorted().map { d in
                ConnectivityMap.Pair(source: s, destination: d, conns: merged[s]![d]!).line + "\n"
            }
        }.joined()
    }

    func testMapAgreesWithNetworkConfigAnalyzerCases() throws {
        let casesDir = Paths.shared("oracle/cases/k8s")
        guard FileManager.default.fileExists(atPath: casesDir) else {
            throw XCTSkip("../shared/oracle is absent; differential cases skipped")
        }
        guard
            FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
                || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3")
        else {
            throw XCTSkip("python3 is needed to run the oracle's compare.py")
        }
        let python =
            FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
            ? "/usr/bin/python3" : "/usr/local/bin/python3"
        let knownFile = Paths.packageRoot.appendingPathComponent("Tests/ReachabilityTests/oracle-known-differences.tsv")
        var known: [String: String] = [:]
        for line in try String(contentsOf: knownFile, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#")
        {
            let parts = line.split(separator: "\t", maxSplits: 1)
            if parts.count == 2 { known[String(parts[0])] = String(parts[1]) }
        }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        var agreed: [String] = []
        var explained = 0
        var unexplained: [String] = []
        var stale: [String] = []
        let cases = try FileManager.default.contentsOfDirectory(atPath: casesDir).sorted()
        for id in cases {
            let dir = casesDir + "/" + id
            let (model, errors) = ModelLoader().load(paths: [dir])
            var agrees = false
            var detail = ""
            if errors.isEmpty {
                // NCA lists IPv6 ranges only when a policy mentions IPv6: the cluster is dual-stack there, IPv4-only
                // elsewhere.
                let mentionsIPv6 = PolicySet(model: model, options: CompileOptions(endPortSupported: true)).prefixes
                    .contains {
                        $0.family == .ipv6
                    }
                var assumptions = Assumptions(
                    profile: .conformance, podCIDRs: [], ipFamilies: mentionsIPv6 ? IPFamily.allCases : [.ipv4])
                assumptions.ipBlockMatchesPods = false
                assumptions.hostNetworkSelectable = true
                let map = ConnectivityMap(evaluator: Evaluator(model: model, assumptions: assumptions))
                let actual = tmp.appendingPathComponent("\(id).actual")
                let expected = tmp.appendingPathComponent("\(id).expected")
                try Self.byController(map.pairs, model).write(to: actual, atomically: true, encoding: .utf8)
                let nca = try String(contentsOfFile: dir + "/expected.txt", encoding: .utf8).split(separator: "\n")
                    .filter { !$0.contains("-livesim") }
                    .map { $0 + "\n" }.joined()
                try nca.write(to: expected, atomically: true, encoding: .utf8)
                let (status, output) = try runProcess(
                    python, [Paths.shared("oracle/compare.py"), expected.path, actual.path, "--quiet"])
                agrees = status == 0
                detail = output.split(separator: "\n").last.map(String.init) ?? ""
            } else {
                detail = errors.first!.description
            }
            switch (agrees, known[id]) {
            case (true, nil): agreed.append(id)
            case (true, _?): stale.append(id)
            case (false, _?): explained += 1
            case (false, nil): unexplained.append("\(id): \(detail)")
            }
        }
        print(
            "oracle k8s cases: \(cases.count) compared, \(agreed.count) agree, \(explained) explained in oracle-known-differences.tsv, \(unexplained.count) unexplained"
        )
        XCTAssertEqual(unexplained, [], "unexplained disagreements with NCA")
        XCTAssertEqual(stale, [], "these cases agree now: remove them from oracle-known-differences.tsv")
        XCTAssertGreaterThanOrEqual(agreed.count, 55)
        // NCA's IPv6 cases, IPv6 ranges compared too.
        for id in ["k8s_testcases--withIpBlock2-scheme--np2-ipv6", "k8s_testcases--withIpBlock2-scheme--np5-ipv6"] {
            XCTAssertTrue(agreed.contains(id), id)
        }
    }
}
