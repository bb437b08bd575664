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

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(help: formatHelp(LintReport.self)) var format: ReportFormat = .text

    func validate() throws { try checkFormat(format, LintReport.self) }

    func run() throws {
        let findings = Linter.run(try input.load(), assumptions: try analysis.assumptions())
        try Output.write(LintReport.render(findings, as: format))
        if findings.contains(where: { $0.severity != .note }) { throw ExitCode(1) }
    }
}
