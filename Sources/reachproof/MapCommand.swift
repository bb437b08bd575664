import Foundation
import ArgumentParser
import KubeModel
import Reachability
import Reporting

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "map", abstract: "Workload-level connectivity.")
    enum Format: String, ExpressibleByArgument, CaseIterable { case pairs, table, json }

    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(help: "pairs (the oracle's line format), table or json.") var format: Format = .table
    @Option(help: "Layer to evaluate (netpol is the only layer of this version).") var layer: Layer = .netpol
    @Option(help: "Only pairs touching this namespace.") var namespace: String?
    @Option(help: "Only pairs touching this workload (ns/name).") var workload: String?

    func run() throws {
        let model = try input.load()
        if let first = model.cniPolicies.first {
            FileHandle.standardError.write(Data("warning: \(model.cniPolicies.count) CNI-specific policy object(s) (first: \(first)) are not modelled; this map ignores them and may be wrong\n".utf8))
        }
        let evaluator = Evaluator(model: model, assumptions: try analysis.assumptions())
        let map = ConnectivityMap(evaluator: evaluator, namespace: namespace, workload: workload)
        switch format {
        case .pairs: MapReport.writePairs(map) { FileHandle.standardOutput.write(Data($0.utf8)) }
        case .table: print(MapReport.table(map), terminator: "")
        case .json: print(MapReport.json(map), terminator: "")
        }
    }
}
