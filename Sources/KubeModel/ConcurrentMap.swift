import Dispatch
import Foundation

extension Array {
    /// `transform` of each element, computed on every core in blocks, in the order of the array. `transform` must be
    /// safe to call from several threads at once.
    public func concurrentMap<R>(_ transform: (Element) -> R) -> [R] {
        let count = self.count
        let chunk = Swift.max(64, count / 32)
        // Elements are lent through a buffer (subscripting the array would copy each one, retaining all it holds), and
        // results are written in place by the workers, not gathered and copied on one core.
        return withUnsafeBufferPointer { elements in
            [R](unsafeUninitializedCapacity: count) { out, initialized in
                let out = out
                DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { c in
                    for k in (c * chunk)..<Swift.min(count, (c + 1) * chunk) {
                        (out.baseAddress! + k).initialize(to: transform(elements[k]))
                    }
                }
                initialized = count
            }
        }
    }

    /// Empties the array and frees its elements on another thread, for arrays of a large input's small objects (what
    /// the kind readers made for each object, what deduplication kept of each); the caller need not wait for it. The
    /// work item is returned for a caller (a test) that must.
    @discardableResult
    mutating func releaseInBackground() -> DispatchWorkItem {
        let held = HeldForRelease(self)
        // From here `held` owns the only reference the caller had, and only the work item lets go of it.
        self = []
        let work = DispatchWorkItem { held.elements = [] }
        DispatchQueue.global().async(execute: work)
        return work
    }
}

/// Runs two pieces of work at once, on two cores where there are two. They must not touch the same variables.
func concurrently(_ first: () -> Void, _ second: () -> Void) {
    DispatchQueue.concurrentPerform(iterations: 2) { $0 == 0 ? first() : second() }
}

/// Elements handed to another thread to be freed. Unchecked: after the hand-over nothing but that thread touches
/// the array, and the elements' reference counts are atomic.
private final class HeldForRelease<Element>: @unchecked Sendable {
    var elements: [Element]
    init(_ elements: [Element]) { self.elements = elements }
}
