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
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, sarif, junit }

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(name: .long, help: "Claims file (repeatable).") var claims: [String]
    @Option(help: "text, json, sarif or junit.") var format: Format = .text
    @Option(help: "Write the report to this file instead of stdout.") var output: String?
    @Option(help: "Seconds the solver may spend on one query.") var timeout: Double = 30
    @Flag(help: "Let UNKNOWN verdicts pass (exit 0).") var allowUnknown = false
    @Option(help: "Evaluate every claim at this layer, whatever its own (netpol, mesh or end-to-end).") var layer:
        Layer?

    func run() throws {
        let model = try input.load()
        let checker = ClaimChecker(
            model: model, assumptions: try analysis.assumptions(), timeout: timeout,
            layerOverride: layer)
        var files: [ClaimsFile] = []
        var errors: [InputError] = []
        for path in claims {
            let (file, fileErrors) = ClaimsParser.load(path)
            errors.append(contentsOf: fileErrors)
            if let file {
                errors.append(contentsOf: checker.validate(file))
                files.append(file)
            }
        }
        if !errors.isEmpty {
            for e in errors { FileHandle.standardError.write(Data("\(e)\n".utf8)) }
            throw ExitCode(2)
        }
        let all = files.flatMap(\.claims)
        Progress.show("checking \(all.count) claim(s)")
        let results = checker.check(all: all) { done in Progress.show("checked \(done) of \(all.count) claim(s)") }
        Progress.clear()
        let report: String
        switch format {
        case .text: report = ClaimsReport.text(results)
        case .json: report = ClaimsReport.json(results)
        case .sarif: report = ClaimsReport.sarif(results, toolVersion: Reachproof.version)
        case .junit: report = ClaimsReport.junit(results)
        }
        if let output {
            try report.write(toFile: output, atomically: true, encoding: .utf8)
        } else {
            print(report, terminator: "")
        }
        let failed = results.contains { $0.verdict == .refuted || ($0.verdict == .unknown && !allowUnknown) }
        if failed { throw ExitCode(1) }
    }
}
