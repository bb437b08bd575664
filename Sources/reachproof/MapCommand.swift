import ArgumentParser
import Claims
import Foundation
import KubeModel
import Reachability
import Reporting

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "map", abstract: "Workload-level connectivity.")
    @OptionGroup var input: InputOptions
    @OptionGroup var analysis: AnalysisOptions
    @Option(
        help:
            "\(MapReport.acceptedFormats) (pairs: the oracle's line format; dot: Graphviz; summary: per pair of namespaces)."
    )
    var format: ReportFormat = .table
    @Option(help: "With --format dot: a claims file whose refuted claims' flows are drawn in red.") var claims: String?
    @Option(
        help:
            "Layer to evaluate: auto (the default) and netpol decide the netpol layer, with a warning when the input exercises a deeper one; check and query decide mesh and end-to-end."
    )
    var layer: MapLayer = .auto
    @Option(help: "Only pairs touching this namespace.") var namespace: String?
    @Option(help: "Only pairs touching this workload (ns/name).") var workload: String?

    func validate() throws {
        try checkFormat(format, MapReport.self)
        if claims != nil && format != .dot {
            throw ValidationError("--claims draws refuted flows in the graph: it goes with --format dot")
        }
    }

    func run() throws {
        let model = try input.load()
        // A focus that names nothing would print an empty map, which reads as "no connectivity".
        if let namespace, model.namespaces[namespace] == nil {
            throw ValidationError("--namespace: no namespace '\(namespace)' in the input")
        }
        if let workload, !model.workloads.contains(where: { $0.id == workload }) {
            throw ValidationError("--workload: no workload '\(workload)' in the input (ns/name)")
        }
        let assumptions = try analysis.assumptions()
        let evaluator = Evaluator(model: model, assumptions: assumptions)
        for caveat in ConnectivityMap.caveats(evaluator) {
            FileHandle.standardError.write(Data("warning: \(caveat)\n".utf8))
        }
        Progress.show("grouping \(model.workloads.count) workloads into classes")
        let map = ConnectivityMap(
            evaluator: evaluator, namespace: namespace, workload: workload, forSummary: format == .summary)
        KeptUntilExit.keep(evaluator, map)
        Progress.show("\(map.classes.count) classes; deciding pairs")
        Progress.clear()
        // Only the table and the text formats show them: not computed for the lists.
        func entryPaths() -> [EntryPath] { namespace == nil && workload == nil ? EntryPath.all(evaluator) : [] }
        let streamed: [ReportFormat: (ConnectivityMap, (UnsafeRawBufferPointer) throws -> Void) throws -> Void] = [
            .pairs: MapReport.writePairs, .json: MapReport.writeJSON, .table: MapReport.writeTable,
        ]
        if let write = streamed[format] {
            // Streamed: at scale the list is gigabytes, and a pipe of 64 KiB would wake its reader for each. The first
            // write that fails (a full disk) stops the listing.
            PipeCapacity.widen(STDOUT_FILENO)
            do { try write(map, Output.writeStandardOutput) } catch let failed as Output.WriteFailed {
                Output.fail("standard output", failed.reason)
            }
            if format == .table { fputs(MapReport.entryPaths(entryPaths()), stdout) }
            try Output.flushStandardOutput()
            return
        }
        if format == .dot {
            // Graphviz lays out thousands of edges, not millions: past the limit, say so rather than try.
            let count = map.pairCount(readable: true)
            guard count <= DotReport.pairLimit else {
                FileHandle.standardError.write(
                    Data(
                        "error: --format dot: the map has \(count) pairs, more than the \(DotReport.pairLimit) a graph can show; focus it with --namespace or --workload, or use --format summary\n"
                            .utf8))
                throw ExitCode(2)
            }
        }
        let refuted = try claims.map {
            DotReport.refutedPairs(try checkOrExit(ClaimChecker(model: model, assumptions: assumptions), files: [$0]))
        }
        try Output.write(
            MapReport.render(.init(map: map, highlighted: refuted ?? [], entryPaths: entryPaths()), as: format))
    }
}

/// The layers `map` decides, so that `--help` offers no value the command would then refuse.
enum MapLayer: String, CaseIterable, ExpressibleByArgument {
    case auto, netpol
}
