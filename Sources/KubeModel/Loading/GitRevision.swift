import Foundation

/// Manifests as they are at a git revision (`diff --git REV PATHS`): each path is exported from the repository
/// that holds it into a temporary folder.
public enum GitRevision {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Copies of `paths` at `revision`, in the same order; the caller removes `folder` when done.
    public static func export(revision: String, paths: [String]) throws -> (copies: [String], folder: URL) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reachproof-git-\(UUID().uuidString)")
        var copies: [String] = []
        for (i, path) in paths.enumerated() {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL
            var isDir: ObjCBool = false
            let dir =
                FileManager.default.fileExists(atPath: absolute.path, isDirectory: &isDir) && isDir.boolValue
                ? absolute : absolute.deletingLastPathComponent()
            let top = try run(["git", "-C", dir.path, "rev-parse", "--show-toplevel"]).trimmingCharacters(
                in: .whitespacesAndNewlines)
            let relative = String(absolute.path.dropFirst(top.count)).trimmingCharacters(
                in: CharacterSet(charactersIn: "/"))
            let target = out.appendingPathComponent("\(i)")
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            let archive = target.appendingPathComponent("archive.tar").path
            _ = try run([
                "git", "-C", top, "archive", "--format=tar", "-o", archive, revision, "--",
                relative.isEmpty ? "." : relative,
            ])
            _ = try run(["tar", "-xf", archive, "-C", target.path])
            try FileManager.default.removeItem(atPath: archive)
            copies.append(target.appendingPathComponent(relative).path)
        }
        return (copies, out)
    }

    static func run(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let pipe = Pipe()
        let errors = Pipe()
        p.standardOutput = pipe
        p.standardError = errors
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(
                description: "\(args.joined(separator: " ")): \(String(decoding: message, as: UTF8.self))"
                    .trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: data, as: UTF8.self)
    }
}
