import ArgumentParser
import Foundation
import KubeModel
import Reachability
import Reporting

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What a change opens and closes: flows allowed after but not before, and the reverse.",
        discussion: """
            reachproof diff BASE HEAD compares two manifest folders (or files); reachproof diff --git REV PATHS... compares \
            the working tree's PATHS with the same paths at a git revision. Each changed workload pair (and external range) \
            is listed with its connections and the deciding rule before and after.
            Exit code: 0, or 1 when flows open and --fail-on-open is given; 2 input errors.
            """)
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(help: "Compare PATHS in the working tree with the same paths at this git revision.") var git: String?
    @Option(help: "text, json or markdown (for a pull-request comment).") var format: Format = .text
    @Flag(help: "Exit 1 when the change opens any flow.") var failOnOpen = false

    func run() throws {
        let basePaths: [String]
        let headPaths: [String]
        let baseName: String
        let headName: String
        if let rev = git {
            headPaths = input.paths
            basePaths = try Self.export(revision: rev, paths: input.paths)
            (baseName, headName) = ("\(rev):\(input.paths.joined(separator: ","))", input.paths.joined(separator: ","))
        } else {
            guard input.paths.count == 2 else {
                throw ValidationError("give BASE and HEAD, or --git REV and the paths to compare")
            }
            (basePaths, headPaths) = ([input.paths[0]], [input.paths[1]])
            (baseName, headName) = (input.paths[0], input.paths[1])
        }
        let assumptions = try analysis.assumptions()
        let base = Evaluator(model: try input.load(basePaths), assumptions: assumptions)
        let head = Evaluator(model: try input.load(headPaths, printNotices: false), assumptions: assumptions)
        Progress.show("comparing \(base.model.workloads.count) and \(head.model.workloads.count) workloads")
        let diff = ConnectivityDiff(base: base, head: head)
        Progress.clear()
        switch format {
        case .text: print(DiffReport.text(diff, base: baseName, head: headName), terminator: "")
        case .json: print(DiffReport.json(diff, base: baseName, head: headName), terminator: "")
        case .markdown: print(DiffReport.markdown(diff, base: baseName, head: headName), terminator: "")
        }
        if failOnOpen && diff.openedCount > 0 { throw ExitCode(1) }
    }

    /// Writes the given paths as they are at a git revision into a temporary folder; returns the copies' paths.
    static func export(revision: String, paths: [String]) throws -> [String] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reachproof-diff-\(UUID().uuidString)")
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
        return copies
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
            FileHandle.standardError.write(
                Data("error: \(args.joined(separator: " ")): \(String(decoding: message, as: UTF8.self))".utf8))
            throw ExitCode(2)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
