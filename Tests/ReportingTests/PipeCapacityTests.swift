import Foundation
import XCTest

@testable import Reporting

#if canImport(Glibc)
    import Glibc
#endif

final class PipeCapacityTests: XCTestCase {
    func testAPipeIsWidenedToAMebibyte() throws {
        #if os(Linux)
            var fds: [Int32] = [0, 0]
            XCTAssertEqual(pipe(&fds), 0)
            defer { for fd in fds { close(fd) } }
            XCTAssertEqual(Int(fcntl(fds[1], PipeCapacity.getSize)), 1 << 16, "Linux's default")
            let limit = Int(
                try String(contentsOfFile: "/proc/sys/fs/pipe-max-size", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines))!
            let after = try XCTUnwrap(PipeCapacity.widen(fds[1]))
            XCTAssertEqual(after, Int(fcntl(fds[1], PipeCapacity.getSize)), "the capacity returned is the pipe's")
            // Beyond pipe-max-size only a privileged writer is granted it.
            if limit >= 1 << 20 || geteuid() == 0 { XCTAssertEqual(after, 1 << 20) }
            XCTAssertEqual(PipeCapacity.widen(fds[1], to: 4096), after, "never narrowed")
        #else
            throw XCTSkip("pipe capacity is a Linux setting")
        #endif
    }

    func testOnlyPipesAreWidened() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pipe-capacity-\(UUID().uuidString)")
        XCTAssertTrue(FileManager.default.createFile(atPath: file.path, contents: Data()))
        defer { try? FileManager.default.removeItem(at: file) }
        let fd = open(file.path, O_WRONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        XCTAssertNil(PipeCapacity.widen(fd))
        XCTAssertNil(PipeCapacity.widen(-1), "a closed descriptor")
    }
}
