import Foundation
import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// `ConnectivityMap.forEachPairIndexInParallel` drains one batch while the workers list the next: what reaches the
/// drain must still be each batch whole, once, in line order.
final class ParallelListingTests: XCTestCase {
    /// A sink that keeps its pairs as lines.
    struct Lines: PairIndexSink {
        let names: [String]
        let table: ConnTable
        var lines: [String] = []
        mutating func pairs(
            from source: Int, to destinations: UnsafeBufferPointer<Int32>, conns: UnsafeBufferPointer<Int32>
        ) {
            for (d, c) in zip(destinations, conns) {
                lines.append("\(names[source]) => \(names[Int(d)]) : \(table[c])")
            }
        }
    }

    struct Full: Error {}

    /// The map of a generated cluster of 40 workloads in 4 namespaces, with 20 policies.
    func generatedMap() throws -> ConnectivityMap {
        let model = try generatedModel(seed: 5) {
            $0.namespaces = 4
            $0.deployments = 40
            $0.policies = 20
        }
        return ConnectivityMap(evaluator: Evaluator(model: model, assumptions: Assumptions()))
    }

    /// A drain that throws (a write to a full disk) stops the listing there, and the error reaches the caller.
    func testAFailingDrainStopsTheListing() throws {
        let map = try generatedMap()
        let names = map.endpointNames()
        XCTAssertGreaterThan(names.count, 30, "enough sources for ten batches")
        var drains = 0
        XCTAssertThrowsError(
            try map.forEachPairIndexInParallel(
                workers: 2, batch: 3, makeSink: { Lines(names: names, table: $0) },
                drain: { _ in
                    drains += 1
                    if drains == 3 { throw Full() }
                })
        ) { XCTAssertTrue($0 is Full, "\($0)") }
        XCTAssertEqual(drains, 3, "no drain after the one that failed")
    }

    func testASlowDrainStillReceivesEachBatchWholeAndInOrder() throws {
        let map = try generatedMap()
        let expected = map.pairs.map { "\($0.source) => \($0.destination) : \($0.conns)" }
        XCTAssertGreaterThan(expected.count, 100)
        let names = map.endpointNames()
        for (workers, batch) in [(2, 3), (3, 7), (1, 4)] {
            var drained: [String] = []
            var drains = 0
            map.forEachPairIndexInParallel(
                workers: workers, batch: batch, makeSink: { Lines(names: names, table: $0) },
                drain: { sink in
                    // Slow enough that the workers, listing the next batch meanwhile, write into their sinks while
                    // this one is read: a drain of the set being filled would take lines of the wrong batch.
                    usleep(2000)
                    drained += sink.lines
                    sink.lines = []
                    drains += 1
                })
            // Compared by count and first difference: the lists run to hundreds of lines.
            let context = "\(workers) workers, batches of \(batch)"
            XCTAssertEqual(drained.count, expected.count, context)
            if let i = drained.indices.first(where: { $0 < expected.count && drained[$0] != expected[$0] }) {
                XCTFail("\(context): line \(i) is '\(drained[i])', expected '\(expected[i])'")
            }
            let sources = names.count
            XCTAssertEqual(drains, (sources + batch - 1) / batch * workers, "one drain per sink and batch")
        }
    }
}
