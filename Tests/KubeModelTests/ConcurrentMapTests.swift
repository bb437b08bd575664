import XCTest

@testable import KubeModel

final class ConcurrentMapTests: XCTestCase {
    func testConcurrentMapKeepsTheOrder() {
        let numbers = Array(0..<10_000)
        XCTAssertEqual(numbers.concurrentMap { $0 * 2 }, numbers.map { $0 * 2 })
        XCTAssertEqual([Int]().concurrentMap { $0 }, [])
    }

    /// Results are written in place by the workers: each is made once, and freed once with the array.
    func testConcurrentMapResultsAreMadeAndFreedOnce() {
        final class Made {
            static let lock = NSLock()
            nonisolated(unsafe) static var live = 0
            let value: Int
            init(_ value: Int) {
                self.value = value
                Made.lock.withLock { Made.live += 1 }
            }
            deinit { Made.lock.withLock { Made.live -= 1 } }
        }
        for count in [0, 1, 63, 64, 65, 5000] {
            do {
                let made = Array(0..<count).concurrentMap { Made($0) }
                XCTAssertEqual(made.map(\.value), Array(0..<count))
                XCTAssertEqual(Made.lock.withLock { Made.live }, count)
            }
            XCTAssertEqual(Made.lock.withLock { Made.live }, 0, "\(count) results")
        }
    }

    /// Both pieces of work run, each once, and both have finished when `concurrently` returns.
    func testConcurrentlyRunsBothBeforeReturning() {
        for _ in 0..<100 {
            var (first, second) = (0, 0)
            concurrently({ first += (0..<1000).reduce(0, +) }, { second += 1 })
            XCTAssertEqual([first, second], [499_500, 1])
        }
    }

    /// Every element is freed, exactly once, and by the background thread: the caller's array is empty at once and
    /// no longer refers to them.
    func testReleaseInBackgroundFreesEveryElementOnAnotherThread() {
        final class Counted {
            static let lock = NSLock()
            nonisolated(unsafe) static var freed = 0
            nonisolated(unsafe) static var freedOnMain = 0
            deinit {
                Counted.lock.withLock {
                    Counted.freed += 1
                    if Thread.isMainThread { Counted.freedOnMain += 1 }
                }
            }
        }
        for count in [0, 1, 5000] {
            Counted.lock.withLock { (Counted.freed, Counted.freedOnMain) = (0, 0) }
            var objects = (0..<count).map { _ in Counted() }
            let release = objects.releaseInBackground()
            XCTAssertTrue(objects.isEmpty)
            release.wait()
            Counted.lock.withLock {
                XCTAssertEqual(Counted.freed, count, "\(count) elements")
                XCTAssertEqual(Counted.freedOnMain, 0, "\(count) elements")
            }
        }
    }
}
