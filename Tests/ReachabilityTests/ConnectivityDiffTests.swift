import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// The diff works on both versions' class matrices; between workloads it must be exactly the difference of the
/// two maps, each pair's opened and closed connections included.
final class ConnectivityDiffTests: XCTestCase {
    func testDiffBetweenWorkloadsIsTheDifferenceOfTheMaps() throws {
        // One seed: the same namespaces and workloads, the head with fewer (and some other) policies.
        for (seed, flags) in [(9, ["--named-ports"]), (10, ["--ipblocks", "--named-ports"])] {
            let base = try generatedCluster(seed: seed, namespaces: 6, deployments: 120, policies: 50, flags: flags)
            let head = try generatedCluster(seed: seed, namespaces: 6, deployments: 120, policies: 35, flags: flags)
            XCTAssertEqual(base.workloads.map(\.id), head.workloads.map(\.id))
            let evaluators = [base, head].map { Evaluator(model: $0, assumptions: Assumptions()) }
            let maps = evaluators.map { e in
                Dictionary(
                    uniqueKeysWithValues: ConnectivityMap(evaluator: e).pairs
                        .filter { !$0.source.hasPrefix("external:") && !$0.destination.hasPrefix("external:") }
                        .map { ("\($0.source) -> \($0.destination)", $0.conns) })
            }
            var expected: [String: String] = [:]
            for key in Set(maps[0].keys).union(maps[1].keys) {
                let before = maps[0][key] ?? .none
                let after = maps[1][key] ?? .none
                if before != after {
                    expected[key] = "opened \(after.subtracting(before)) closed \(before.subtracting(after))"
                }
            }
            let diff = ConnectivityDiff(base: evaluators[0], head: evaluators[1])
            var actual: [String: String] = [:]
            for c in diff.changes where !c.source.hasPrefix("external:") && !c.destination.hasPrefix("external:") {
                actual["\(c.source) -> \(c.destination)"] = "opened \(c.opened) closed \(c.closed)"
            }
            XCTAssertGreaterThan(expected.count, 50, "seed \(seed): the versions should differ")
            let differing = Set(actual.keys).union(expected.keys).filter { actual[$0] != expected[$0] }.sorted()
            XCTAssert(
                differing.isEmpty,
                "seed \(seed): "
                    + differing.prefix(5).map { "\($0): diff \(actual[$0] ?? "-"), maps \(expected[$0] ?? "-")" }
                    .joined(separator: "; "))
        }
    }
}
