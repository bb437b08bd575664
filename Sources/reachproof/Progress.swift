import Foundation

/// One self-overwriting status line on stderr while a long run works, shown only when stderr is a terminal:
/// CI logs and redirected output stay exactly the report.
enum Progress {
    /// `--quiet` turns progress off; it is shown only on a terminal.
    nonisolated(unsafe) static var quiet = false
    static var enabled: Bool { !quiet && isatty(STDERR_FILENO) != 0 }
    static let start = Date()

    static func show(_ text: String) {
        guard enabled else { return }
        let elapsed = String(format: "%.1f", max(0, Date().timeIntervalSince(start)))
        FileHandle.standardError.write(Data("\r\u{1B}[K[\(elapsed) s] \(text)".utf8))
    }

    /// Clears the line before the report is printed.
    static func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
