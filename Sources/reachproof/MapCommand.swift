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
        let evaluator = Evaluator(model: model, assumptions: try analysis.assumptions())
        let map = ConnectivityMap(evaluator: evaluator, namespace: namespace, workload: workload)
        switch format {
        case .pairs: print(MapReport.pairs(map), terminator: "")
        case .table: print(MapReport.table(map), terminator: "")
        case .json: print(MapReport.json(map), terminator: "")
        }
    }
}
