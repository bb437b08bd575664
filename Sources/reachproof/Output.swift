import ArgumentParser
import Foundation
import KubeModel

/// Where a command's report goes. A report that cannot be written (a missing folder, a full disk, a closed pipe)
/// is an error with exit code 2 naming the destination and the reason, never a silent success.
enum Output {
    static func write(_ text: String, to path: String? = nil) throws {
        guard let path else {
            fputs(text, stdout)
            try flushStandardOutput()
            return
        }
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            fail(path, ManifestReader.reason(error))
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
