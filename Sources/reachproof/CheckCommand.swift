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
    @Option(name: .customLong("claims"), help: "Claims file (repeatable). Default: the claims of .reachproof.yaml.")
    var claimsOption: [String] = []
    @Option(name: .customLong("format"), help: formatHelp(ClaimsReport.self)) var formatOption: ReportFormat?
    @Option(help: "Write the report to this file instead of stdout.") var output: String?
    @Option(help: "Seconds a claim may take: the solver's limit per query, and the budget for enumerating sources.")
    var timeout: Double = 30
    @Flag(name: .customLong("allow-unknown"), help: "Let UNKNOWN verdicts pass (exit 0).") var allowUnknownFlag = false
    @Option(
        name: .customLong("layer"),
        help:
            "Evaluate every claim at this layer, whatever its own (netpol, mesh or end-to-end); auto (the default): each claim's own, else the deepest the input exercises."
    ) var layerOption: LayerOption?

    // The flags, else .reachproof.yaml, else the defaults.
    var config: ProjectConfig? { ProjectConfig.current }
    var claims: [String] { claimsOption.isEmpty ? config?.claims ?? [] : claimsOption }
    var format: ReportFormat { formatOption ?? config?.format.flatMap(ReportFormat.init(rawValue:)) ?? .text }
    var layer: LayerOption { layerOption ?? config?.layer.flatMap(LayerOption.init(rawValue:)) ?? .auto }
    var allowUnknown: Bool { allowUnknownFlag || (config?.allowUnknown ?? false) }

    func validate() throws {
        if let f = config?.format, ReportFormat(rawValue: f) == nil {
            throw ValidationError("\(config!.file): format '\(f)' is not one of \(ClaimsReport.acceptedFormats)")
        }
        if let l = config?.layer, LayerOption(rawValue: l) == nil {
            throw ValidationError("\(config!.file): layer '\(l)' is not auto, netpol, mesh or end-to-end")
        }
        try checkFormat(format, ClaimsReport.self)
        try checkTimeout(timeout)
        if claims.isEmpty { throw ValidationError("give --claims FILE, or a \(ProjectConfig.fileName) with claims") }
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
