import ArgumentParser
import Foundation
import KubeModel
import Lint
import Reporting

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Policy problems visible without any claim: dead selectors, typos, shadowed rules, mesh pitfalls.",
        discussion: "Exit code: 0 when there is no error or warning (notes do not fail), 1 otherwise, 2 input errors.")
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, sarif }

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(help: "text, json or sarif.") var format: Format = .text

    func run() throws {
        let findings = Linter.run(try input.load(), assumptions: try analysis.assumptions())
        switch format {
        case .text: print(LintReport.text(findings), terminator: "")
        case .json: print(LintReport.json(findings), terminator: "")
        case .sarif: print(LintReport.sarif(findings, toolVersion: Reachproof.version), terminator: "")
        }
        if findings.contains(where: { $0.severity != .note }) { throw ExitCode(1) }
    }
}
