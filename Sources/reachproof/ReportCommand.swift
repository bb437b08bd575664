import ArgumentParser
import Claims
import Foundation
import KubeModel
import Reachability
import Reporting

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One self-contained HTML page: claim results, the connectivity graph, a searchable pair table.",
        discussion:
            "The graph is an inline SVG when Graphviz's `dot` is installed, the map as text otherwise. Exit code: 0, or 2 on input errors."
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(help: "Claims file.") var claims: String
    @Option(help: "Where to write the page.") var out: String = "report.html"
    @Option(help: "Page title.") var title: String = "reachproof report"

    func run() throws {
        let model = try input.load()
        let checker = ClaimChecker(model: model, assumptions: try analysis.assumptions())
        let results = try checkOrExit(checker, files: [claims])
        let evaluator = checker.evaluator
        let map = ConnectivityMap(evaluator: evaluator)
        // Counted first: a map too large for the page is not listed into memory at all.
        let count = map.pairCount(readable: true)
        let pairs = count <= HTMLReport.pairLimit ? map.readablePairs : []
        let page = HTMLReport.page(
            .init(
                title: title, results: results, pairs: HTMLReport.rows(pairs, evaluator: evaluator), pairCount: count,
                summary: NamespaceSummary(map), profile: evaluator.assumptions.profile.rawValue,
                assumptions: evaluator.assumptions.describedBindings + model.inputAssumptions,
                entryPaths: EntryPath.all(evaluator)))
        try page.write(toFile: out, atomically: true, encoding: .utf8)
        FileHandle.standardError.write(
            Data(
                "wrote \(out) (\(results.count) claims, \(count) pairs\(pairs.count < count ? ", not carried: more than \(HTMLReport.pairLimit)" : ""))\n"
                    .utf8))
    }
}

/// Checks a claims file, or prints its input errors and exits with code 2.
func checkOrExit(_ checker: ClaimChecker, files: [String], progress: ((Int) -> Void)? = nil) throws -> [ClaimResult] {
    do { return try checker.check(files: files, progress: progress) } catch let e as InputErrors {
        for error in e.errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
        throw ExitCode(2)
    }
}
