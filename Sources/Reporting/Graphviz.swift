import Foundation

/// Graphviz's `dot`, used to draw a graph as SVG when it is installed.
public enum Graphviz {
    /// The `dot` executable on PATH, if any. Looked up before launching, so that no graph is ever written into a
    /// pipe whose reader never started (that raised SIGPIPE and killed the process).
    static var executable: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("dot") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The graph as an SVG element, or nil when `dot` is not installed or fails.
    public static func svg(_ dot: String) -> String? {
        guard let executable else { return nil }
        let p = Process()
        p.executableURL = executable
        p.arguments = ["-Tsvg"]
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        // Write from another thread: a large graph would fill the pipe while dot's output is not yet read.
        DispatchQueue.global().async {
            try? input.fileHandleForWriting.write(contentsOf: Data(dot.utf8))
            try? input.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        let svg = String(decoding: data, as: UTF8.self)
        // Keep the <svg> element only: the XML prologue and DOCTYPE do not belong inside HTML.
        return svg.range(of: "<svg").map { String(svg[$0.lowerBound...]) }
    }
}
