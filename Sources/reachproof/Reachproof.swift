import ArgumentParser
import Foundation
import KubeModel
import Reporting

struct Reachproof: ParsableCommand {
    static let version = ToolInfo.version
    static let configuration = CommandConfiguration(
        commandName: "reachproof",
        abstract: "Prove or refute reachability claims about Kubernetes network policy.",
        version: version,
        subcommands: [
            CheckCommand.self, QueryCommand.self, MapCommand.self, DiffCommand.self, LintCommand.self,
            ReportCommand.self, SuggestCommand.self, EquivRoutesCommand.self, InitCommand.self, MCPCommand.self,
            Inventory.self,
        ])
}

/// Options every command that reads manifests shares.
struct InputOptions: ParsableArguments {
    @Argument(
        help: "Manifest files or folders (YAML or JSON); '-' reads stdin. Default: the paths of .reachproof.yaml.")
    var paths: [String] = []

    @Option(
        name: [.customShort("n"), .customLong("default-namespace")],
        help: "The namespace of objects without metadata.namespace, as kubectl apply -n puts them.")
    var defaultNamespaceOption: String?
    var defaultNamespace: String { defaultNamespaceOption ?? ProjectConfig.current?.defaultNamespace ?? "default" }
    @Option(help: "Largest input file, in bytes.") var maxInputBytes: Int = LoadLimits().maxInputBytes
    @Option(help: "Deepest nesting of a YAML document.") var maxDepth: Int = LoadLimits().maxDepth
    @Option(help: "Most nodes a document may gain through aliases, beyond one per byte of its text.")
    var maxNodes: Int = LoadLimits().maxNodesPerDocument
    @Option(help: "Most YAML documents across all inputs.") var maxDocuments: Int = LoadLimits().maxDocuments
    @Option(
        name: .customLong("workloads"),
        help: ArgumentHelp(
            "A file declaring pods that operators create and the manifests do not show (repeatable).",
            valueName: "file"))
    var workloadFileOptions: [String] = []
    @Flag(name: .shortAndLong, help: "Print only the report: no progress, no notices about the input.")
    var quiet = false
    @Flag(name: .shortAndLong, help: "Also print what was loaded and how long each step took, on stderr.")
    var verbose = false
    var workloadFiles: [String] { (ProjectConfig.current?.workloads ?? []) + workloadFileOptions }

    /// The manifests to read: the arguments, else the configuration's `paths`.
    var manifestPaths: [String] { paths.isEmpty ? ProjectConfig.current?.paths ?? [] : paths }

    var limits: LoadLimits {
        var l = LoadLimits()
        l.maxInputBytes = maxInputBytes
        l.maxDepth = maxDepth
        l.maxNodesPerDocument = maxNodes
        l.maxDocuments = maxDocuments
        return l
    }

    /// Loads the manifests, or prints every input error and exits with code 2. What was read but not used
    /// (unknown kinds, skipped documents) is listed on stderr, never dropped silently.
    func load(printNotices: Bool = true) throws -> ClusterModel {
        guard !manifestPaths.isEmpty else {
            throw ValidationError("give the manifest files or folders, or a \(ProjectConfig.fileName) with paths")
        }
        return try load(manifestPaths, printNotices: printNotices)
    }

    /// `shownPaths` renames paths in every location (git exports are shown as `REV:path`).
    func load(
        _ paths: [String], printNotices: Bool = true, shownPaths: [(prefix: String, shownAs: String)] = []
    ) throws -> ClusterModel {
        Progress.quiet = quiet
        let started = Date()
        Progress.show("loading \(paths.count) path(s)")
        if let problem = LabelSyntax.dnsLabelProblem(defaultNamespace) {
            throw ValidationError("--default-namespace: \(problem)")
        }
        var loader = ModelLoader(limits: limits, defaultNamespace: defaultNamespace)
        loader.shownPaths = shownPaths
        loader.workloadFiles = workloadFiles
        let (model, errors) = loader.load(paths: paths)
        Progress.show(
            "loaded \(model.documentCount) documents: \(model.workloads.count) workloads, \(model.objects.count) objects"
        )
        Progress.clear()
        if !errors.isEmpty {
            for e in errors { FileHandle.standardError.write(Data("\(e)\n".utf8)) }
            FileHandle.standardError.write(Data("\(errors.count) input error(s)\n".utf8))
            throw ExitCode(2)
        }
        if verbose {
            let text = String(
                format: "loaded %@ in %.2f s: %d documents, %d objects, %d workloads, %d Services\n",
                paths.joined(separator: " "), Date().timeIntervalSince(started), model.documentCount,
                model.objects.count, model.workloads.count, model.services.count)
            FileHandle.standardError.write(Data(text.utf8))
        }
        let notices = Notices.text(KubeModel.Inventory(model)).trimmingCharacters(in: .newlines)
        if printNotices && !quiet && !notices.isEmpty { FileHandle.standardError.write(Data((notices + "\n").utf8)) }
        KeptUntilExit.keep(model)
        return model
    }
}

extension ReportFormat: ExpressibleByArgument {
    // Each command accepts its own reporter's formats (`checkFormat`), named in its help: not every format.
    public static var allValueStrings: [String] { [] }
}

/// The help text of a command's --format: the values its reporter writes.
func formatHelp<R: Reporter>(_ reporter: R.Type) -> ArgumentHelp { ArgumentHelp(stringLiteral: R.acceptedFormats) }

/// A format the command's reporter does not write is an input error naming the accepted values.
func checkFormat<R: Reporter>(_ format: ReportFormat, _ reporter: R.Type) throws {
    guard R.supports(format) else {
        throw ValidationError("--format: '\(format.rawValue)' is not one of \(R.acceptedFormats)")
    }
}

/// A time budget must be a positive, finite number of seconds: zero or less would decide nothing.
func checkTimeout(_ seconds: Double) throws {
    guard seconds > 0, seconds.isFinite else {
        throw ValidationError("--timeout: '\(seconds)' is not a positive number of seconds")
    }
}

struct Inventory: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Count what the manifests declare.")
    @OptionGroup var input: InputOptions
    @Option(help: formatHelp(InventoryReport.self)) var format: ReportFormat = .text

    func validate() throws { try checkFormat(format, InventoryReport.self) }

    func run() throws {
        let inventory = KubeModel.Inventory(try input.load(printNotices: false))
        try Output.write(InventoryReport.render(inventory, as: format))
    }
}
