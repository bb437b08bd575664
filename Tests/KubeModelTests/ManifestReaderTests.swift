import Foundation
import XCTest

@testable import KubeModel

final class ManifestReaderTests: XCTestCase {
    private func file(holding bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("read-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func read(_ url: URL, limit: Int, expected: Int) throws -> Data? {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return try ManifestReader.readBounded(handle, limit: limit, expected: expected)
    }

    /// Whatever size the reader expects (none, too little, exact, too much), it returns every byte, in order: the
    /// buffer grows past the first 64 KiB, and a file that grew after its size was taken is read to its end.
    func testEveryByteIsReadWhateverSizeWasExpected() throws {
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let url = try file(holding: bytes)
        for expected in [0, 1000, 70_000, bytes.count, bytes.count + 5000] {
            XCTAssertEqual(try read(url, limit: 1 << 20, expected: expected), Data(bytes), "expected \(expected)")
        }
        XCTAssertEqual(try read(try file(holding: []), limit: 100, expected: 0), Data())
    }

    /// Files are read largest first, on every core, yet their documents keep the order of the paths given: the first
    /// of two objects of one identity is the one in the earlier path, whichever file is the largest.
    func testDocumentsKeepThePathOrderWhateverTheFileSizes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let namespace = "apiVersion: v1\nkind: Namespace\nmetadata:"
        let small = try write("small.yaml", "\(namespace) {name: n, labels: {a: '1'}}\n")
        let large = try write(
            "large.yaml", (0..<2000).map { "\(namespace) {name: ns-\($0)}\n" }.joined(separator: "---\n"))
        // Larger than the small file (a comment), so that reading by size would swap the two.
        let other = try write(
            "other.yaml", "# \(String(repeating: "-", count: 500))\n\(namespace) {name: n, labels: {a: '2'}}\n")
        let line = [small: 1, other: 2]
        for (paths, again, first) in [([small, large, other], other, small), ([other, large, small], small, other)] {
            let (model, errors) = ModelLoader().load(paths: paths)
            XCTAssertEqual(model.objects.count, 2001)
            let message = "Namespace n is defined twice with different content (first at \(first):\(line[first]!))"
            XCTAssertEqual(errors.map(\.description), ["\(again):\(line[again]!): metadata.name: \(message)"])
        }
    }

    /// Files are ordered by the size of what they hold: a symbolic link by its target's.
    func testTheSizeThatOrdersFilesIsTheTargetsThroughLinks() throws {
        let target = try file(holding: [UInt8](repeating: 0x61, count: 5000))
        let link = target.path + "-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target.path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: link) }
        XCTAssertEqual(ManifestReader.sizeForOrder(target.path), 5000)
        XCTAssertEqual(ManifestReader.sizeForOrder(link), 5000)
        XCTAssertEqual(ManifestReader.sizeForOrder("-"), 0)
        XCTAssertEqual(ManifestReader.sizeForOrder(target.path + "-missing"), 0)
    }

    /// The limit is inclusive: exactly `limit` bytes are read, one more is refused, whether the reader expected the
    /// file's size or nothing.
    func testTheLimitIsExactWhateverSizeWasExpected() throws {
        let bytes = [UInt8](repeating: 0x61, count: 100_000)
        let url = try file(holding: bytes)
        for expected in [0, bytes.count] {
            XCTAssertEqual(try read(url, limit: bytes.count, expected: expected)?.count, bytes.count)
            XCTAssertNil(try read(url, limit: bytes.count - 1, expected: expected))
            XCTAssertNil(try read(url, limit: 70_000, expected: expected))
        }
    }
}
