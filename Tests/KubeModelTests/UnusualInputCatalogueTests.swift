import TestSupport
import XCTest

@testable import KubeModel

/// The valid-but-unusual catalogue (Tests/Fixtures/unusual): input the API server accepts and reads in one way,
/// which reachproof must load without an error and read the same way. EXPECTED.tsv gives each file's object count.
final class UnusualInputCatalogueTests: XCTestCase {
    static let catalogue = Paths.package("Tests/Fixtures/unusual")

    func load(_ name: String) -> (ClusterModel, [InputError]) {
        ModelLoader().load(paths: [Self.catalogue + "/" + name])
    }

    func testEveryCaseLoadsWithItsObjects() throws {
        let lines = try String(contentsOfFile: Self.catalogue + "/EXPECTED.tsv", encoding: .utf8).split(separator: "\n")
        let listed = Set(lines.map { String($0.split(separator: "\t")[0]) })
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: Self.catalogue)).subtracting([
            "EXPECTED.tsv"
        ])
        XCTAssertEqual(listed, present)
        for line in lines {
            let parts = line.split(separator: "\t").map(String.init)
            let (model, errors) = load(parts[0])
            XCTAssertEqual(errors, [], parts[0])
            XCTAssertEqual(model.objects.count, Int(parts[1]), parts[0])
        }
    }

    func testMergeKeysMergeAndWrittenKeysWin() {
        let (model, _) = load("merge-keys.yaml")
        XCTAssertEqual(model.workload("shop/api")?.labels, ["app": "api", "team": "a"])
        XCTAssertEqual(model.workload("shop/web")?.labels, ["app": "web", "team": "a"])
    }

    func testExplicitTagsAreHonoured() {
        let (model, _) = load("tag-int-quoted.yaml")
        XCTAssertEqual(model.services.first?.ports.first?.port, 80)
        let (labelled, _) = load("quoted-yaml11-labels.yaml")
        XCTAssertEqual(
            labelled.workloads.first?.labels, ["monitored": "yes", "version": "1.10", "tier": "2", "enabled": "true"])
    }
}

/// The alias limit counts what aliases add, not what the text holds: a large alias-free List loads under a limit
/// its node count exceeds, while a small document that multiplies itself through aliases does not.
final class AliasLimitTests: XCTestCase {
    func testAliasFreeDocumentsFitWhateverTheirSize() throws {
        var limits = LoadLimits()
        limits.maxNodesPerDocument = 1_000
        let items = (0..<300).map { i in
            "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\(i)\", \"namespace\": \"n\"}, \"data\": {\"a\": \"1\", \"b\": \"2\"}}"
        }
        let list = "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\(items.joined(separator: ", "))]}"
        let (model, errors) = ModelLoader(limits: limits).load(paths: [try temporaryFile(list, name: "dump.json")])
        XCTAssertEqual(errors, [])
        XCTAssertEqual(model.objects.count, 300)
        let bomb = """
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            """
        let (_, bombErrors) = ModelLoader(limits: limits).load(paths: [try temporaryFile(bomb)])
        XCTAssertTrue(bombErrors.first?.message.contains("gains more than 1000 nodes through aliases") ?? false)
    }
}

/// The document limit counts documents across all inputs and stops before parsing; at the limit everything loads.
final class DocumentLimitTests: XCTestCase {
    func testDocumentCountAcrossInputsIsBounded() throws {
        func namespaces(_ range: Range<Int>) -> String {
            range.map { "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n\($0)}\n" }.joined()
        }
        let first = try temporaryFile(namespaces(0..<3), name: "a.yaml")
        let second = try temporaryFile(namespaces(3..<5), name: "b.yaml")
        var limits = LoadLimits()
        limits.maxDocuments = 5
        let (model, errors) = ModelLoader(limits: limits).load(paths: [first, second])
        XCTAssertEqual(errors, [])
        XCTAssertEqual(model.namespaces.count, 5)
        limits.maxDocuments = 4
        let (_, over) = ModelLoader(limits: limits).load(paths: [first, second])
        XCTAssertEqual(over.count, 1)
        XCTAssertEqual(over.first?.location.file, second)
        XCTAssertTrue(over.first?.message.contains("more than 4 YAML documents") ?? false, "\(over)")
        XCTAssertTrue(over.first?.message.contains("--max-documents") ?? false)
    }
}
