import Dispatch

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
}
