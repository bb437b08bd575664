import ArgumentParser
import Foundation
import KubeModel
import Reporting

struct Reachproof: ParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "reachproof",
        abstract: "Prove or refute reachability claims about Kubernetes network policy.",
        version: version,
        subcommands: [
            CheckCommand.self, QueryCommand.self, MapCommand.self, DiffCommand.self, LintCommand.self,
            ReportCommand.self, SuggestCommand.self, Inventory.self,
        ])
}

/// Options every command that reads manifests shares.
struct InputOptions: ParsableArguments {
    @Argument(help: "Manifest files or folders (YAML or JSON); '-' reads stdin.")
    var paths: [String]

    @Option(help: "Largest input file, in bytes.") var maxInputBytes: Int = LoadLimits().maxInputBytes
    @Option(help: "Deepest nesting of a YAML document.") var maxDepth: Int = LoadLimits().maxDepth
    @Option(help: "Most nodes a document may expand to through aliases.") var maxNodes: Int = LoadLimits()
        .maxNodesPerDocument

    var limits: LoadLimits {
        var l = LoadLimits()
        l.maxInputBytes = maxInputBytes
        l.maxDepth = maxDepth
        l.maxNodesPerDocument = maxNodes
        return l
    }

    /// Loads the manifests, or prints every input error and exits with code 2. What was read but not used
    /// (unknown kinds, skipped documents) is listed on stderr, never dropped silently.
    func load(printNotices: Bool = true) throws -> ClusterModel {
        try load(paths, printNotices: printNotices)
    }

    func load(_ paths: [String], printNotices: Bool = true) throws -> ClusterModel {
        Progress.show("loading \(paths.count) path(s)")
        let (model, errors) = ModelLoader(limits: limits).load(paths: paths)
        Progress.show(
            "loaded \(model.documentCount) documents: \(model.workloads.count) workloads, \(model.objects.count) objects"
        )
        Progress.clear()
        if !errors.isEmpty {
            for e in errors { FileHandle.standardError.write(Data("\(e)\n".utf8)) }
            FileHandle.standardError.write(Data("\(errors.count) input error(s)\n".utf8))
            throw ExitCode(2)
        }
        let notices = Notices.text(KubeModel.Inventory(model)).trimmingCharacters(in: .newlines)
        if printNotices && !notices.isEmpty { FileHandle.standardError.write(Data((notices + "\n").utf8)) }
        return model
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

struct Inventory: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Count what the manifests declare.")
    @OptionGroup var input: InputOptions
    @Option(help: "text or json") var format: OutputFormat = .text

    func run() throws {
        let inventory = KubeModel.Inventory(try input.load(printNotices: false))
        print(format == .json ? InventoryReport.json(inventory) : InventoryReport.text(inventory), terminator: "")
    }
}
