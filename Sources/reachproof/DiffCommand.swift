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

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(help: "Compare PATHS in the working tree with the same paths at this git revision.") var git: String?
    @Option(help: "\(DiffReport.acceptedFormats) (markdown for a pull-request comment).") var format: ReportFormat =
        .text
    @Flag(help: "Exit 1 when the change opens any flow.") var failOnOpen = false

    func validate() throws { try checkFormat(format, DiffReport.self) }

    func run() throws {
        let basePaths: [String]
        let headPaths: [String]
        let baseName: String
        let headName: String
        var exported: URL?
        var shownPaths: [(prefix: String, shownAs: String)] = []
        defer { if let exported { try? FileManager.default.removeItem(at: exported) } }
        if let rev = git {
            headPaths = input.paths
            do {
                let export = try GitRevision.export(revision: rev, paths: input.paths)
                basePaths = export.copies
                exported = export.folder
                shownPaths = zip(export.copies, input.paths).map { ($0, "\(rev):\($1)") }
            } catch let failure as GitRevision.Failure {
                FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
                throw ExitCode(2)
            }
            (baseName, headName) = ("\(rev):\(input.paths.joined(separator: ","))", input.paths.joined(separator: ","))
        } else {
            guard input.paths.count == 2 else {
                throw ValidationError("give BASE and HEAD, or --git REV and the paths to compare")
            }
            (basePaths, headPaths) = ([input.paths[0]], [input.paths[1]])
            (baseName, headName) = (input.paths[0], input.paths[1])
        }
        let assumptions = try analysis.assumptions()
        let base = Evaluator(model: try input.load(basePaths, shownPaths: shownPaths), assumptions: assumptions)
        let head = Evaluator(model: try input.load(headPaths, printNotices: false), assumptions: assumptions)
        for caveat in ConnectivityMap.caveats(head) {
            FileHandle.standardError.write(Data("warning: \(caveat)\n".utf8))
        }
        Progress.show("comparing \(base.model.workloads.count) and \(head.model.workloads.count) workloads")
        let diff = ConnectivityDiff(base: base, head: head)
        Progress.clear()
        try Output.write(DiffReport.render(.init(diff: diff, base: baseName, head: headName), as: format))
        if failOnOpen && diff.openedCount > 0 { throw ExitCode(1) }
    }
}
