/// An immutable value kept in one object that every copy refers to. The model's workloads and Services are copied
/// many times while a model is built and read, 100,000 of each in a large cluster; a copy of a value of a dozen
/// strings, maps and lists retains each of them, a copy of this one reference.
final class SharedValue<Value: Hashable & Sendable>: Hashable, Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }

    static func == (a: SharedValue, b: SharedValue) -> Bool { a === b || a.value == b.value }
    func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
}
