import ArgumentParser
import Claims
import Foundation
import KubeModel
import Reachability
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
    @Option(help: "Folder for the generated YAML, one file per namespace.") var out: String = "suggested"
    @Flag(help: "Keep only the intended flows the current policies already allow (tighten what exists).")
    var fromCurrent = false

    func run() throws {
        let model = try input.load()
        let assumptions = try analysis.assumptions()
        var chosen = Set<PolicySynthesizer.Kind>()
        for k in kinds.split(separator: ",") {
            guard let kind = PolicySynthesizer.Kind(rawValue: String(k)) else {
                throw ValidationError("--kinds: '\(k)' is not networkpolicy or authorizationpolicy")
            }
            chosen.insert(kind)
        }
        let checker = ClaimChecker(model: model, assumptions: assumptions)
        var loaded: Intent
        do { loaded = try Intent.load(intent, model: model, checker: checker) } catch let e as InputErrors {
            for error in e.errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
            throw ExitCode(2)
        }
        let layer: Layer = chosen.contains(.authorizationPolicy) ? .mesh : .netpol
        if fromCurrent {
            // Tightening: the intended flows the current policies allow; report what is allowed and not intended.
            let (kept, unneeded) = Suggestion.restrictToCurrent(loaded, checker: checker, layer: layer)
            for line in unneeded { print("allowed now, needed by no claim: \(line)") }
            // Claims the current manifests refute are not promises the tightened policies must keep.
            let proved = kept.claims.filter { checker.check($0).verdict == .proved }
            for claim in kept.claims where !proved.contains(where: { $0.name == claim.name }) {
                print("not kept as a constraint (not proved today): \(claim.name)")
            }
            loaded = Intent(flows: kept.flows, claims: proved)
        }
        let synthesizer = PolicySynthesizer(evaluator: checker.evaluator, flows: loaded.flows, kinds: chosen)
        let output = synthesizer.generate()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var written: [String] = []
        for (ns, yaml) in output.files.sorted(by: { $0.key < $1.key }) {
            let path = (out as NSString).appendingPathComponent("\(ns).yaml")
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        // The generated files must load like any manifest; then the proofs.
        let (generated, errors) = ModelLoader().load(paths: written)
        if !errors.isEmpty {
            for e in errors {
                FileHandle.standardError.write(Data("internal error: generated YAML does not load: \(e)\n".utf8))
            }
            throw ExitCode(1)
        }
        let report = SuggestionVerifier.verify(
            original: model, generated: generated, output: output, kinds: chosen, intent: loaded,
            assumptions: assumptions, layer: layer)
        print("wrote \(written.joined(separator: ", "))")
        for note in output.notes { print("note: \(note)") }
        print("\nrules and the intended flows that need them:")
        for r in output.reasons { print("  \(r.policy) \(r.rule): \(r.intents.joined(separator: "; "))") }
        print("\n|  | allowed workload pairs | allowed connection ranges |\n|---|---:|---:|")
        print(
            "| before | \(report.pairsBefore) | \(report.connectionsBefore) |\n| after | \(report.pairsAfter) | \(report.connectionsAfter) |"
        )
        print("\nverification (\(report.checks) checks): \(report.passed ? "PASSED" : "FAILED")")
        for f in report.failures.prefix(50) { print("  \(f)") }
        if !report.passed { throw ExitCode(1) }
    }
}
