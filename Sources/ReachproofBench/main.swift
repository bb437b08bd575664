import Foundation
import KubeModel
import Reachability
import Reporting
import Yams

// reachproof-bench: measurements that do not belong in the test suite (no test asserts on wall time).
//
//   reachproof-bench parse [--no-codable] FILE...
//                                    how long parsing the manifests takes (block YAML reader, Yams for the
//                                    rest, both cores), how long loading them takes (parsing and typing
//                                    each document together), and Codable decoding with YAMLDecoder of the
//                                    same fields.
//   reachproof-bench classes FILE... endpoint classes found and the time to find them.
//   reachproof-bench map FILE...     where `map --format pairs` spends its time: classes, class matrix, listing
//                                    (lines rendered and counted, not written).
//   reachproof-bench summary FILE... where `map --format summary` spends its time: classes, class matrix,
//                                    namespace blocks, lines.
//
// Scale runs of the CLI (map, check, peak memory) are driven by bench/scale.sh on the release binary.

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The fields reachproof reads from Namespaces, workloads, Services and NetworkPolicies, as Codable types.
/// Decoding into these is what a Codable-based loader would do; it is the baseline the tree walk is measured against.
struct CodableManifest: Decodable {
    struct Selector: Decodable {
        struct Requirement: Decodable {
            var key: String
            var `operator`: String
            var values: [String]?
        }
        var matchLabels: [String: String]?
        var matchExpressions: [Requirement]?
    }
    struct Metadata: Decodable {
        var name: String?
        var namespace: String?
        var labels: [String: String]?
        var annotations: [String: String]?
    }
    struct PortValue: Decodable {
        var value: String
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { value = String(i) } else { value = try c.decode(String.self) }
        }
    }
    struct Container: Decodable {
        struct Port: Decodable {
            var name: String?
            var containerPort: Int
            var `protocol`: String?
        }
        var name: String?
        var ports: [Port]?
    }
    struct PodSpec: Decodable {
        var containers: [Container]?
        var hostNetwork: Bool?
        var serviceAccountName: String?
    }
    struct Template: Decodable {
        var metadata: Metadata?
        var spec: PodSpec?
    }
    struct Peer: Decodable {
        struct IPBlock: Decodable {
            var cidr: String
            var except: [String]?
        }
        var podSelector: Selector?
        var namespaceSelector: Selector?
        var ipBlock: IPBlock?
    }
    struct PolicyPort: Decodable {
        var `protocol`: String?
        var port: PortValue?
        var endPort: Int?
    }
    struct Rule: Decodable {
        var from: [Peer]?
        var to: [Peer]?
        var ports: [PolicyPort]?
    }
    struct ServicePort: Decodable {
        var name: String?
        var port: Int
        var targetPort: PortValue?
        var `protocol`: String?
        var nodePort: Int?
    }
    struct Spec: Decodable {
        // Workloads
        var replicas: Int?
        var selector: Selector?
        var template: Template?
        // NetworkPolicy
        var podSelector: Selector?
        var policyTypes: [String]?
        var ingress: [Rule]?
        var egress: [Rule]?
        // Service (its selector is a plain map, decoded separately to keep one Spec type)
        var ports: [ServicePort]?
        var type: String?
    }
    var apiVersion: String?
    var kind: String?
    var metadata: Metadata?
    var spec: Spec?
}

/// Splits a stream at `---` lines, as the loader does, so both paths see the same documents.
func documents(of text: String) -> [String] {
    var docs: [String] = []
    var current: [Substring] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("---") {
            if !current.isEmpty { docs.append(current.joined(separator: "\n")) }
            current = []
        } else {
            current.append(line)
        }
    }
    if current.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
        docs.append(current.joined(separator: "\n"))
    }
    return docs
}

func parseBenchmark(_ paths: [String], codable: Bool) {
    let reader = ManifestReader()
    let (files, _) = reader.expand(paths: paths)
    let texts = files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
    let docs = texts.flatMap(documents(of:))
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    print("input: \(files.count) files, \(docs.count) documents, \(String(format: "%.1f", Double(bytes) / 1e6)) MB")

    var loaded: (documents: [Document], errors: [InputError], emptyFiles: [String], inferredStarts: [SourceLocation]) =
        ([], [], [], [])
    let read = seconds { loaded = reader.read(paths: paths) }
    loaded.documents = []
    // The loader types each document as it is parsed, so the model costs what loading costs beyond parsing.
    var modelObjects = 0
    let load = seconds {
        let (model, _) = ModelLoader().load(paths: paths)
        modelObjects = model.objects.count
    }
    print(
        String(
            format:
                "reachproof loader, 2 cores: parse %.2f s; load %.2f s (%.2f s beyond parsing, %.1fx parsing; "
                + "%d objects, %d errors)",
            read, load, load - read, load / read, modelObjects, loaded.errors.count))

    guard codable else { return }
    // Codable: one YAMLDecoder call per document (Yams' default resolver), both cores like the loader.
    var decoded = [Int](repeating: 0, count: docs.count)
    var failures = 0
    let codable = seconds {
        decoded.withUnsafeMutableBufferPointer { out in
            let buffer = out
            DispatchQueue.concurrentPerform(iterations: docs.count) { i in
                buffer[i] = (try? YAMLDecoder().decode(CodableManifest.self, from: docs[i])) == nil ? 0 : 1
            }
        }
        failures = decoded.count - decoded.reduce(0, +)
    }
    print(
        String(
            format: "Codable, YAMLDecoder per document, 2 cores: %.2f s (%d documents failed to decode)", codable,
            failures))
    print(String(format: "ratio Codable / loader: %.1fx", codable / load))
}

/// How much the equivalence classes compress a cluster: workloads, classes, and the time to find them.
func classesBenchmark(_ paths: [String]) {
    let (model, errors) = ModelLoader().load(paths: paths)
    guard errors.isEmpty else {
        print("\(errors.count) input errors")
        return
    }
    let evaluator = Evaluator(model: model, assumptions: Assumptions())
    var classes: EndpointClasses?
    let t = seconds { classes = EndpointClasses(evaluator: evaluator) }
    print(
        String(
            format: "%d workloads, %d policies -> %d classes (%.2f s)", model.workloads.count,
            evaluator.policies.all.count, classes!.count, t))
}

/// A full map of the manifests, with the seconds spent loading, finding classes and building the map (classes
/// included); nil, after saying so, on input errors.
func timedMap(_ paths: [String], forSummary: Bool = false) -> (
    map: ConnectivityMap, load: Double, classes: Double, build: Double
)? {
    var loaded: (model: ClusterModel, errors: [InputError])?
    let load = seconds { loaded = ModelLoader().load(paths: paths) }
    guard let (model, errors) = loaded, errors.isEmpty else {
        print("input errors")
        return nil
    }
    let evaluator = Evaluator(model: model, assumptions: Assumptions())
    let classes = seconds { _ = EndpointClasses(evaluator: evaluator) }
    var map: ConnectivityMap?
    let build = seconds { map = ConnectivityMap(evaluator: evaluator, forSummary: forSummary) }
    return (map!, load, classes, build)
}

/// Where the time of `map --format pairs` goes: the classes, the class matrix, and listing the lines (counted,
/// not written, so that the disk is not measured).
func mapBenchmark(_ paths: [String]) {
    guard let (map, load, classes, build) = timedMap(paths) else { return }
    var bytes = 0
    let list = seconds { MapReport.writePairs(map) { bytes += $0.count } }
    print(
        String(
            format: "load %.2f s, classes %.2f s, class matrix %.2f s, listing %.2f s (%.0f MB)", load, classes,
            build - classes, list, Double(bytes) / 1e6))
}

/// Where the time of `map --format summary` goes: the classes, the class matrix, the namespace blocks, the lines.
func summaryBenchmark(_ paths: [String]) {
    guard let (map, load, classes, build) = timedMap(paths, forSummary: true) else { return }
    var summary: NamespaceSummary?
    let blocks = seconds { summary = NamespaceSummary(map) }
    var text = ""
    let render = seconds { text = MapReport.summary(summary!) }
    print(
        String(
            format:
                "load %.2f s, classes %.2f s, class matrix %.2f s, namespace blocks %.2f s, lines %.2f s (%d lines)",
            load, classes, build - classes, blocks, render, text.split(separator: "\n").count))
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "classes" where arguments.count > 1:
    classesBenchmark(Array(arguments.dropFirst()))
case "map" where arguments.count > 1:
    mapBenchmark(Array(arguments.dropFirst()))
case "summary" where arguments.count > 1:
    summaryBenchmark(Array(arguments.dropFirst()))
case "parse" where arguments.count > 1:
    let paths = arguments.dropFirst().filter { $0 != "--no-codable" }
    parseBenchmark(paths, codable: paths.count == arguments.count - 1)
default:
    FileHandle.standardError.write(
        "usage: reachproof-bench parse [--no-codable] FILE|DIR... | classes FILE|DIR... | map FILE|DIR... | summary FILE|DIR...\n"
            .data(
                using: .utf8)!)
    exit(2)
}
