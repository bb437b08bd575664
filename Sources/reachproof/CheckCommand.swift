import ArgumentParser
import Claims
import Foundation
import KubeModel
import Reachability
import Reporting

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Prove or refute the claims of claims files. Exit 0: all proved; 1: refuted or unknown; 2: input errors.")
    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(name: .long, help: "Claims file (repeatable).") var claims: [String]
    @Option(help: formatHelp(ClaimsReport.self)) var format: ReportFormat = .text
    @Option(help: "Write the report to this file instead of stdout.") var output: String?
    @Option(help: "Seconds a claim may take: the solver's limit per query, and the budget for enumerating sources.")
    var timeout: Double = 30
    @Flag(help: "Let UNKNOWN verdicts pass (exit 0).") var allowUnknown = false
    @Option(
        help:
            "Evaluate every claim at this layer, whatever its own (netpol, mesh or end-to-end); auto (the default): each claim's own, else the deepest the input exercises."
    ) var layer: LayerOption = .auto

    func validate() throws {
        try checkFormat(format, ClaimsReport.self)
        try checkTimeout(timeout)
    }

    func run() throws {
        let model = try input.load()
        let checker = ClaimChecker(
            model: model, assumptions: try analysis.assumptions(), timeout: timeout,
            layerOverride: layer.fixed)
        Progress.show("checking claims")
        let results = try checkOrExit(checker, files: claims) { done in Progress.show("checked \(done) claim(s)") }
        Progress.clear()
        let report = ClaimsReport.render(results, as: format)
        try Output.write(report, to: output)
        let failed = results.contains { $0.verdict == .refuted || ($0.verdict == .unknown && !allowUnknown) }
        if failed { throw ExitCode(1) }
    }
}
