import Dispatch
import Foundation

extension Array {
    /// `transform` of each element, computed on every core in blocks, in the order of the array. `transform` must be
    /// safe to call from several threads at once.
    public func concurrentMap<R>(_ transform: (Element) -> R) -> [R] {
        var results = [R?](repeating: nil, count: count)
        let chunk = Swift.max(64, count / 32)
        results.withUnsafeMutableBufferPointer { out in
            let out = out
            DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { c in
                for k in (c * chunk)..<Swift.min(count, (c + 1) * chunk) { out[k] = transform(self[k]) }
            }
        }
        return results.map { $0! }
    }

    /// Empties the array, its elements freed on every core. A loader's syntax trees are millions of small objects,
    /// and freeing them on one core, object by object, was a serial tail of loading.
    mutating func removeAllOnEveryCore() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cores > 1, count >= 1024 else { return removeAll() }
        let size = (count + cores - 1) / cores
        // Each part holds its elements alone once the array lets go of them; a part is emptied by one core.
        var parts = stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min(count, $0 + size)]) }
        removeAll()
        parts.withUnsafeMutableBufferPointer { parts in
            let parts = parts
            DispatchQueue.concurrentPerform(iterations: parts.count) { parts[$0] = [] }
        }
    }
}
