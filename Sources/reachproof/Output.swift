import ArgumentParser
import Foundation
import KubeModel

/// Where a command's report goes. A report that cannot be written (a missing folder, a full disk, a closed pipe)
/// is an error with exit code 2 naming the destination and the reason, never a silent success.
enum Output {
    static func write(_ text: String, to path: String? = nil) throws {
        guard let path else {
            fputs(colour ? colourized(text) : text, stdout)
            try flushStandardOutput()
            return
        }
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            fail(path, ManifestReader.reason(error))
        }
    }

    /// Verdicts in colour on a terminal: PROVED and ALLOWED green, REFUTED and DENIED red, UNKNOWN yellow. Off when
    /// stdout is not a terminal or NO_COLOR is set (https://no-color.org).
    static let colour =
        isatty(STDOUT_FILENO) != 0 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty

    static let verdictColours = [
        "PROVED": "32", "ALLOWED": "32", "REFUTED": "31", "DENIED": "31", "UNKNOWN": "33",
    ]

    /// The verdict word a line starts with (or an `answer:` line ends with), coloured.
    static func colourized(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            for (word, code) in verdictColours {
                if line.hasPrefix(word + " ") || line == word {
                    return "\u{1B}[\(code)m\(word)\u{1B}[0m" + line.dropFirst(word.count)
                }
                if line == "answer: \(word)" || line == "end to end: \(word)" {
                    return line.dropLast(word.count) + "\u{1B}[\(code)m\(word)\u{1B}[0m"
                }
            }
            return String(line)
        }.joined(separator: "\n")
    }

    struct WriteFailed: Error {
        let reason: String
    }

    /// Writes bytes to stdout as they come, throwing as soon as some do not arrive.
    static func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) throws {
        guard fwrite(bytes.baseAddress, 1, bytes.count, stdout) == bytes.count else {
            throw WriteFailed(reason: String(cString: strerror(errno)))
        }
    }

    /// Checks that everything written to stdout so far arrived.
    static func flushStandardOutput() throws {
        if fflush(stdout) != 0 || ferror(stdout) != 0 { fail("standard output", String(cString: strerror(errno))) }
    }

    static func fail(_ destination: String, _ why: String) -> Never {
        FileHandle.standardError.write(Data("error: cannot write \(destination): \(why)\n".utf8))
        Foundation.exit(2)
    }
}
