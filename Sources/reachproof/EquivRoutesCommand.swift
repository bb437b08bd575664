import ArgumentParser
import Claims
import Foundation
import KubeModel
import Reporting

extension RouteEquivalence.Source: ExpressibleByArgument {}

struct EquivRoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "equiv-routes",
        abstract:
            "Prove that two entry routings (Ingresses, Gateways) send every request from outside to the same backends.",
        discussion: """
            reachproof equiv-routes OLD NEW compares the entry routing of two manifest folders (or files; several joined \
            with ','): typically the Ingresses of an application and their Gateway API translation; --with adds paths \
            both sides share (the application's Services). For each entry point (scheme and port) the \
            solver searches every request (host, path, method, headers, query parameters, client address) for one whose \
            backend Service ports differ, and lists each difference with the deciding rule on both sides.
            Exit code: 0 PROVED, 1 REFUTED or UNKNOWN, 2 input errors.
            """)

    @OptionGroup var input: InputOptions
    @Option(name: .customLong("with"), help: "Manifests both sides share, such as the Services (repeatable).")
    var shared: [String] = []
    @Option(help: "Where OLD's routing comes from: auto (Gateway API when it has Gateways), ingress or gateway.")
    var oldSource: RouteEquivalence.Source = .auto
    @Option(help: "Where NEW's routing comes from: auto, ingress or gateway.")
    var newSource: RouteEquivalence.Source = .auto
    @Option(help: "Most differences listed per entry point.") var limit = 20
    @Option(help: "Seconds the solver may spend on one question.") var timeout: Double = 30
    @Option(help: "\(RouteEquivalenceReport.acceptedFormats).") var format: ReportFormat = .text

    func validate() throws {
        guard input.paths.count == 2 else { throw ValidationError("give OLD and NEW") }
        try checkFormat(format, RouteEquivalenceReport.self)
    }

    func run() throws {
        let (oldPath, newPath) = (input.paths[0], input.paths[1])
        func side(_ text: String) -> [String] { text.split(separator: ",").map(String.init) + shared }
        let old = try input.load(side(oldPath))
        let new = try input.load(side(newPath))
        let result = try RouteEquivalence.compare(
            old: old, new: new, oldSource: oldSource, newSource: newSource, limit: limit, timeout: timeout)
        try Output.write(
            RouteEquivalenceReport.render(.init(result: result, old: oldPath, new: newPath), as: format))
        if result.verdict != .proved { throw ExitCode(1) }
    }
}
