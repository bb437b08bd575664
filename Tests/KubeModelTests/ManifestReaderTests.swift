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
