import Foundation
import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Reporting

/// The streamed map formats give the text the whole list of pairs gives, without holding the list.
final class MapReportTests: XCTestCase {
    /// The table as it was written from the list of pairs: widths from the names that appear.
    func tableOfTheList(_ map: ConnectivityMap) -> String {
        let rows = map.readablePairs
        let w1 = max(6, rows.map(\.source.count).max() ?? 0)
        let w2 = max(11, rows.map(\.destination.count).max() ?? 0)
        var out = "SOURCE".padded(to: w1) + "  " + "DESTINATION".padded(to: w2) + "  CONNECTIONS\n"
        for p in rows { out += p.source.padded(to: w1) + "  " + p.destination.padded(to: w2) + "  \(p.conns)\n" }
        out += "\(rows.count) allowed pair(s) (layer netpol)"
        if rows.contains(where: { $0.source == "external:any" || $0.destination == "external:any" }) {
            out += "; external:any is every address outside the pod network"
        }
        return out + "\n"
    }

    struct PairObject: Encodable {
        let source: String
        let destination: String
        let connections: String
    }

    func assertStreamedFormatsEqualTheList(_ model: ClusterModel, _ context: String, line: UInt = #line) {
        let map = ConnectivityMap(evaluator: Evaluator(model: model, assumptions: Assumptions()))
        let list = map.readablePairs.map {
            PairObject(source: $0.source, destination: $0.destination, connections: $0.conns.description)
        }
        XCTAssertEqual(MapReport.json(map), JSON.encode(list), "\(context): json", line: line)
        XCTAssertEqual(MapReport.table(map), tableOfTheList(map), "\(context): table", line: line)
        XCTAssertEqual(map.pairCount(readable: true), list.count, "\(context): count", line: line)
        XCTAssertEqual(map.pairCount(), map.pairs.count, "\(context): count of the plain names", line: line)
        let names = map.endpointNames(readable: true)
        let appearing = map.appearingEndpoints(readable: true)
        XCTAssertEqual(Set(appearing.sources.map { names[$0] }), Set(list.map(\.source)), context, line: line)
        XCTAssertEqual(Set(appearing.destinations.map { names[$0] }), Set(list.map(\.destination)), context, line: line)
        XCTAssertEqual(appearing.sources, appearing.sources.sorted(), "\(context): sources sorted", line: line)
    }

    func testStreamedFormatsEqualTheListOnGeneratedClusters() throws {
        for seed: UInt64 in 21...23 {
            let model = try generatedModel(seed: seed) {
                $0.namespaces = 4
                $0.deployments = 30
                $0.policies = 15
                $0.services = true
            }
            assertStreamedFormatsEqualTheList(model, "seed \(seed)")
        }
    }

    /// No pair at all: JSON's empty list, a table with its header and count alone.
    func testAMapWithoutPairs() throws {
        let model = try loadModel(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: a}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: c, image: nginx}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: a}
            spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
            """)
        assertStreamedFormatsEqualTheList(model, "no pairs")
        let map = ConnectivityMap(evaluator: Evaluator(model: model, assumptions: Assumptions()))
        XCTAssertEqual(MapReport.json(map), "[\n\n]\n")
        XCTAssertTrue(MapReport.table(map).hasSuffix("\n0 allowed pair(s) (layer netpol)\n"))
    }

    /// A workload in no pair does not widen the table: columns fit the names that appear.
    func testTableColumnsFitTheNamesThatAppear() throws {
        func deployment(_ name: String) -> String {
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: \(name), namespace: a}
            spec:
              selector: {matchLabels: {app: \(name)}}
              template:
                metadata: {labels: {app: \(name)}}
                spec: {containers: [{name: c, image: nginx}]}
            ---

            """
        }
        let model = try loadModel(
            deployment("web") + deployment("api") + deployment("an-isolated-workload-with-a-long-name")
                + """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: isolate, namespace: a}
                spec:
                  podSelector: {matchLabels: {app: an-isolated-workload-with-a-long-name}}
                  policyTypes: [Ingress, Egress]
                """)
        assertStreamedFormatsEqualTheList(model, "an isolated long name")
        let map = ConnectivityMap(evaluator: Evaluator(model: model, assumptions: Assumptions()))
        XCTAssertFalse(MapReport.table(map).contains("an-isolated"))
        XCTAssertTrue(MapReport.table(map).hasPrefix("SOURCE        DESTINATION   CONNECTIONS\n"))
    }

    /// A write that fails stops each streamed format at once: nothing more is listed or written.
    func testAFailedWriteStopsTheStream() throws {
        struct Full: Error {}
        let model = try generatedModel(seed: 21) {
            $0.deployments = 30
            $0.policies = 15
        }
        let map = ConnectivityMap(evaluator: Evaluator(model: model, assumptions: Assumptions()))
        let writers: [(String, ((UnsafeRawBufferPointer) throws -> Void) throws -> Void)] = [
            ("pairs", { try MapReport.writePairs(map, to: $0) }), ("json", { try MapReport.writeJSON(map, to: $0) }),
            ("table", { try MapReport.writeTable(map, to: $0) }),
        ]
        for (format, write) in writers {
            var writes = 0
            XCTAssertThrowsError(
                try write { _ in
                    writes += 1
                    throw Full()
                }, format)
            XCTAssertEqual(writes, 1, format)
        }
    }

    /// Names and connections that JSON must escape are escaped as the encoder escapes them.
    func testJSONQuotesAsTheEncoderDoes() {
        for text in ["plain", "a/b", "quote \" and backslash \\", "tab\tand\u{1}control", "é"] {
            XCTAssertEqual(
                JSON.quoted(text),
                String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
                    .replacingOccurrences(of: "\\/", with: "/"), text)
        }
    }
}
