import TestSupport
import XCTest
import Yams

@testable import KubeModel

/// The bad-input catalogue (Tests/Fixtures/bad): one file or folder per case, each with the exact first error it
/// must produce in EXPECTED.tsv (`case<TAB>file:line: field: message`, paths relative to the catalogue).
final class BadInputCatalogueTests: XCTestCase {
    static let catalogue = Paths.package("Tests/Fixtures/bad")

    static func expectations(_ dir: String) throws -> [(name: String, expected: String)] {
        try String(contentsOfFile: dir + "/EXPECTED.tsv", encoding: .utf8).split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    func testEveryCaseGivesItsExpectedError() throws {
        let cases = try Self.expectations(Self.catalogue)
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        for (name, expected) in cases {
            let (_, errors) = ModelLoader().load(paths: [Self.catalogue + "/" + name])
            let first = errors.first.map { "\($0)".replacingOccurrences(of: Self.catalogue + "/", with: "") }
            XCTAssertEqual(first, expected, name)
        }
    }

    func testEveryFixtureIsListed() throws {
        let listed = Set(try Self.expectations(Self.catalogue).map(\.name))
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: Self.catalogue)).subtracting([
            "EXPECTED.tsv"
        ])
        XCTAssertEqual(present, listed)
    }

    /// All errors at once: the whole catalogue read together reports every case, not the first only. An empty file
    /// beside other files is not an error (a policies file may be empty) but is listed with the skipped documents.
    func testAllErrorsOfADirectoryAreReported() throws {
        let (model, errors) = ModelLoader().load(paths: [Self.catalogue])
        let files = Set(
            errors.map {
                ($0.location.file.replacingOccurrences(of: Self.catalogue + "/", with: "") as NSString).pathComponents[
                    0]
            })
        XCTAssertEqual(files, Set(try Self.expectations(Self.catalogue).map(\.name)).subtracting(["empty.yaml"]))
        XCTAssertTrue(model.skippedDocuments.contains(SourceLocation(file: Self.catalogue + "/empty.yaml", line: 1)))
    }
}

/// No lost objects: everything in the input is modelled, listed as not yet modelled or of an unknown kind.
final class NoLostObjectsTests: XCTestCase {
    /// Kubernetes objects in the files, counted independently of the loader (Yams' own loader, Lists expanded).
    func countObjects(_ path: String) throws -> Int {
        let (files, _) = ManifestReader().expand(paths: [path])
        var count = 0
        for file in files {
            for doc in try Yams.load_all(yaml: try String(contentsOfFile: file, encoding: .utf8)) {
                guard let object = doc as? [String: Any], object["kind"] != nil || object["apiVersion"] != nil else {
                    continue
                }
                if let kind = object["kind"] as? String, kind.hasSuffix("List"), let items = object["items"] as? [Any] {
                    count += items.count
                } else {
                    count += 1
                }
            }
        }
        return count
    }

    func testObjectsLoadedPlusSkippedEqualTheInput() throws {
        var inputs = ["examples/verrazzano", "examples/online-boutique"].map(Paths.package)
        if Paths.sharedAvailable {
            let corpora = Paths.shared("corpora")
            func isDirectory(_ p: String) -> Bool {
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: p, isDirectory: &isDir) && isDir.boolValue
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: corpora).sorted()
            where isDirectory(corpora + "/" + name) {
                let dir = corpora + "/" + name
                let variants = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
                    isDirectory(dir + "/" + $0)
                }
                // Corpora with variants (base/, netpol/, ...) are read one variant at a time.
                inputs += variants.isEmpty || name == "verrazzano" ? [dir] : variants.sorted().map { dir + "/" + $0 }
            }
        }
        for input in inputs {
            let (model, errors) = ModelLoader().load(paths: [input])
            XCTAssertEqual(errors, [], input)
            let modelled = model.objects.count + model.duplicates.count
            XCTAssertEqual(modelled, try countObjects(input), input)
            let typed =
                model.workloads.count + model.networkPolicies.count + model.services.count
                + model.namespaces.values.filter { !$0.inferred }.count
                + model.adminPolicies.count + (model.baselinePolicy == nil ? 0 : 1)
                + model.clusterNetworkPolicies.count
            let skipped =
                model.unmodelled.values.reduce(0) { $0 + $1.count }
                + model.unknownKinds.values.reduce(0) { $0 + $1.count }
            // Pods of one controller are one workload, so typed objects may be fewer than objects, never more.
            XCTAssertLessThanOrEqual(typed + skipped, model.objects.count, input)
            XCTAssertGreaterThan(typed, 0, input)
        }
    }
}

/// `cat a.yaml b.yaml | reachproof ... -`: files concatenated without `---` still read as their documents.
final class ConcatenatedInputTests: XCTestCase {
    func testRepeatedTopLevelKeyStartsADocument() throws {
        let text =
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\nkind: Namespace\napiVersion: v1\nmetadata: {name: c}\n"
        let (model, errors) = ModelLoader().load(paths: ["-"], stdin: { Data(text.utf8) })
        XCTAssertEqual(errors, [])
        XCTAssertEqual(model.namespaces.keys.sorted(), ["a", "b", "c"])
        XCTAssertEqual(model.inferredDocumentStarts, [SourceLocation(file: "<stdin>", line: 4)])
    }

    func testCorpusThroughStdinReadsLikeTheFolder() throws {
        let dir = Paths.shared("corpora/verrazzano/manifests")
        guard FileManager.default.fileExists(atPath: dir) else { throw XCTSkip("../shared/corpora is absent") }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
        let joined = try files.map { try String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }.joined()
        let (piped, pipeErrors) = ModelLoader().load(paths: ["-"], stdin: { Data(joined.utf8) })
        let (folder, folderErrors) = ModelLoader().load(paths: [dir])
        XCTAssertEqual(pipeErrors, [])
        XCTAssertEqual(folderErrors, [])
        XCTAssertEqual(Inventory(piped).kinds, Inventory(folder).kinds)
        XCTAssertEqual(Inventory(piped).namespaces, Inventory(folder).namespaces)
        XCTAssertEqual(Inventory(piped).workloads, Inventory(folder).workloads)
    }
}
