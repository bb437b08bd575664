import XCTest

@testable import KubeModel

final class ConcurrentMapTests: XCTestCase {
    func testConcurrentMapKeepsTheOrder() {
        let numbers = Array(0..<10_000)
        XCTAssertEqual(numbers.concurrentMap { $0 * 2 }, numbers.map { $0 * 2 })
        XCTAssertEqual([Int]().concurrentMap { $0 }, [])
    }

    /// Every element is freed, exactly once, whichever core frees it.
    func testRemoveAllOnEveryCoreFreesEveryElement() {
        final class Counted {
            static let lock = NSLock()
            nonisolated(unsafe) static var freed = 0
            deinit { Counted.lock.withLock { Counted.freed += 1 } }
        }
        for count in [0, 1, 1023, 1024, 5000] {
            Counted.freed = 0
            var objects = (0..<count).map { _ in Counted() }
            objects.removeAllOnEveryCore()
            XCTAssertTrue(objects.isEmpty)
            XCTAssertEqual(Counted.freed, count, "\(count) elements")
        }
    }
}
