import ArgumentParser
import Foundation
import KubeModel
import Reporting
import Synthesis

struct SuggestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest", abstract: "Write least-privilege policies for the intended flows, and prove them.",
        discussion: """
            The intent is a claims file (its `allowed` claims are the flows to keep; every claim must still hold) or an \
            expectations file with a `flows:` list. The policies replace those of the same kinds in the namespaces they \
            cover. Exit code: 0 when every proof passes, 1 otherwise, 2 on input errors.
            """)

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(help: "Claims or expectations file with the flows to keep.") var intent: String
    @Option(help: "networkpolicy, authorizationpolicy or both (comma-separated).") var kinds: String = "networkpolicy"
    @Option(help: "kubernetes (NetworkPolicy) or cilium (CiliumNetworkPolicy): how the network policies are written.")
    var dialect: String = "kubernetes"
    @Option(help: "Folder for the generated YAML, one file per namespace.") var out: String = "suggested"
    @Flag(help: "Keep only the intended flows the current policies already allow (tighten what exists).")
    var fromCurrent = false
    @Option(help: formatHelp(SuggestReport.self)) var format: ReportFormat = .text

    func validate() throws { try checkFormat(format, SuggestReport.self) }

    func run() throws {
        let model = try input.load()
        var chosen = Set<PolicySynthesizer.Kind>()
        for k in kinds.split(separator: ",") {
            guard let kind = PolicySynthesizer.Kind(rawValue: String(k)) else {
                throw ValidationError(
                    "--kinds: '\(k)' is not networkpolicy, ciliumnetworkpolicy or authorizationpolicy")
            }
            chosen.insert(kind)
        }
        switch dialect {
        case "kubernetes": break
        case "cilium":
            if chosen.remove(.networkPolicy) != nil { chosen.insert(.ciliumNetworkPolicy) }
        default: throw ValidationError("--dialect: '\(dialect)' is not kubernetes or cilium")
        }
        if chosen.isSuperset(of: [.networkPolicy, .ciliumNetworkPolicy]) {
            throw ValidationError("--kinds: networkpolicy and ciliumnetworkpolicy would both isolate the same pods")
        }
        let result: Suggestion.Result
        Progress.show("synthesizing policies for the intended flows, then proving them")
        defer { Progress.clear() }
        do {
            result = try Suggestion.run(
                model: model, intentPath: intent, kinds: chosen, fromCurrent: fromCurrent,
                assumptions: try analysis.assumptions(), folder: out)
        } catch let failure as Suggestion.Failure {
            FileHandle.standardError.write(Data("\(failure)\n".utf8))
            if case .intent = failure { throw ExitCode(2) }
            throw ExitCode(1)
        }
        try Output.write(SuggestReport.render(result, as: format))
        if !result.report.passed { throw ExitCode(1) }
    }
}
