/// Values a command keeps until the process exits, rather than freeing them as it returns. A model, its evaluator
/// and a map hold millions of small allocations: freeing them one by one took a tenth of a second of the 1.6 s that
/// `map --workload` took at 20,000 workloads, and the kernel reclaims the memory at once when the process ends. For
/// one-shot commands only: the MCP server, which lives on, frees what it loads.
enum KeptUntilExit {
    nonisolated(unsafe) private static var values: [Any] = []

    static func keep(_ values: Any...) { self.values += values }
}
