import Foundation
import TestSupport
import XCTest

@_spi(Testing) @testable import KubeModel

/// The block YAML reader must give, for every document it accepts, the tree Yams gives (lines included), and must
/// give up on every document Yams rejects. Documents it gives up on are parsed by Yams, so giving up is always safe.
final class BlockYAMLReaderTests: XCTestCase {
    enum Outcome: Equatable {
        case document(YAMLNode?)
        case outsideSubset
    }

    static func fast(_ text: String) -> Outcome {
        do { return .document(try BlockYAMLReader.document(text)) } catch { return .outsideSubset }
    }

    /// Checks one text; true when the block reader read it.
    @discardableResult
    func agree(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let (read, disagreement) = BlockYAMLReaderCheck.compare(text)
        if let disagreement { XCTFail("\(disagreement), for:\n\(text)", file: file, line: line) }
        return read
    }

    func testReadsWhatToolsWrite() throws {
        let text = """
            # Source: chart/templates/deploy.yaml
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web   # trailing comment
              labels: {app: web, "tier": 'front'}
              annotations:
                note: "say \\"hi\\"\\n\\u00e9"
                quote: 'it''s'
                empty: ""
                url: http://example.com/a#b
                script: |
                  echo one

                  echo two
                strip: |-
                  last
            spec:
              replicas: 3
              template:
                spec:
                  containers:
                  - name: main
                    args: [--port, "8080"]
                    ports:
                    - containerPort: 80
                      name: http
                    -
                    - - nested
                  nothing:
                  volumes: []
            """
        XCTAssertTrue(agree(text + "\n"))
        XCTAssertTrue(agree(text))
        guard case .document(let node?) = Self.fast(text + "\n"), case .mapping(let root) = node else {
            return XCTFail("not read")
        }
        XCTAssertEqual(root.line, 3)
        let metadata = Field(node: root.pairs[2].value, path: "metadata", file: "f")
        XCTAssertEqual(
            try metadata["annotations"]?["script"]?.string(), "echo one\n\necho two\n")
        XCTAssertEqual(try metadata["annotations"]?["note"]?.string(), "say \"hi\"\n\u{e9}")
        XCTAssertEqual(try metadata["annotations"]?["strip"]?.string(), "last")
        XCTAssertEqual(try metadata["labels"]?.stringMap(), ["app": "web", "tier": "front"])
    }

    func testGivesUpOutsideTheSubset() {
        let outside = [
            "a: &x 1\nb: *x\n",  // anchors and aliases
            "a: !!str 1\n",  // tags
            "a: >\n  folded\n",  // folded scalars
            "a: |+\n  kept\n\n",  // kept line breaks
            "a: |2\n   indented\n",  // explicit indentation
            "a: one\n  two\n",  // multi-line plain scalar
            "a: 'one\n  two'\n",  // multi-line quoted scalar
            "a: [1,\n  2]\n",  // multi-line flow collection
            "a:\tb\n",  // tab
            "a: b\r\nc: d\r\n",  // CRLF
            "%YAML 1.1\n---\na: b\n",  // directive
            "---\n",  // empty document
            "--- a: b\n",  // content on the marker line
            "a: b\n...\n",  // document end marker
            "a: 1\na: 2\n",  // duplicate key (Yams reports it)
            "? a\n: b\n",  // complex key
            "a: \"\\x41\"\n",  // escapes other than the common ones
            "a: [b, ]\n",  // trailing comma
            "a: b: c\n",  // a mapping value inside a plain scalar
            "a: 1\n  b: 2\n",  // deeper indentation after a value
            "- a\nb: c\n",  // a key after a sequence at the root
        ]
        for text in outside {
            XCTAssertEqual(Self.fast(text), .outsideSubset, "accepted:\n\(text)")
        }
    }

    func testDocumentsWithoutContent() {
        XCTAssertEqual(Self.fast(""), .document(nil))
        XCTAssertEqual(Self.fast("# only a comment\n\n"), .document(nil))
    }

    /// Every example, fixture and generated cluster of the project, split as the loader splits them.
    func testAgreesWithYamsOnTheProjectsInputs() throws {
        var accepted = 0
        var total = 0
        for text in try Self.projectTexts() {
            for chunk in ManifestReader().split(text.text, file: text.name, isJSON: false) {
                total += 1
                if agree(chunk.text) { accepted += 1 }
            }
        }
        // Most hand-written examples are in the subset; the rest (anchors, folded text, bad-input fixtures) are not.
        XCTAssertGreaterThan(total, 300)
        XCTAssertGreaterThan(Double(accepted) / Double(total), 0.6, "\(accepted) of \(total) documents read")
        print("block YAML reader: \(accepted) of \(total) documents read")
    }

    func testReadsGeneratedClustersEntirely() throws {
        for seed: UInt64 in [1, 2, 3] {
            var options = ClusterGenerator.Options()
            options.services = true
            options.adminPolicies = 3
            options.baseline = true
            options.clusterNetworkPolicies = 3
            options.ciliumPolicies = 6
            var generator = ClusterGenerator(options: options, seed: seed)
            let text = generator.manifests()
            let chunks = ManifestReader().split(text, file: "generated.yaml", isJSON: false)
            for chunk in chunks {
                XCTAssertTrue(agree(chunk.text), "not in the subset:\n\(chunk.text)")
            }
        }
    }

    /// Random edits of the project's documents (YAML's indicator characters, spaces, line breaks, lines repeated
    /// or dropped): whatever the reader accepts, Yams must accept with the same tree.
    func testAgreesWithYamsOnMutatedDocuments() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["REACHPROOF_YAML_SEED"] ?? "") ?? 20_261_207
        var random = ClusterGenerator.Random(state: seed)
        let pieces = [
            ":", ": ", "-", "- ", " ", "  ", "\n", "#", " #", "'", "\"", "|", "|-", "[", "]", "{", "}", ",", "\\", "a",
            "&", "*", "!", "?", "\t", "---", "...", "é", "\u{85}",
        ]
        let chunks = try Self.projectTexts().flatMap {
            ManifestReader().split($0.text, file: $0.name, isJSON: false).map(\.text)
        }.filter { $0.utf8.count < 4_000 }
        var accepted = 0
        let rounds = Int(ProcessInfo.processInfo.environment["REACHPROOF_YAML_MUTANTS"] ?? "") ?? 20_000
        for _ in 0..<rounds {
            var bytes = Array(chunks[random.int(chunks.count)].utf8)
            for _ in 0..<(1 + random.int(3)) {
                let at = random.int(bytes.count + 1)
                switch random.int(4) {
                case 0: bytes.insert(contentsOf: Array(pieces[random.int(pieces.count)].utf8), at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                case 2:
                    // Repeat or drop the line at `at`.
                    let start = bytes[..<at].lastIndex(of: 10).map { $0 + 1 } ?? 0
                    let end = bytes[at...].firstIndex(of: 10).map { $0 + 1 } ?? bytes.count
                    let line = Array(bytes[start..<end])
                    if random.int(2) == 0 {
                        bytes.insert(contentsOf: line, at: start)
                    } else {
                        bytes.removeSubrange(start..<end)
                    }
                default:
                    if at < bytes.count { bytes[at] = Array(pieces[random.int(pieces.count)].utf8)[0] }
                }
            }
            guard let text = String(bytes: bytes, encoding: .utf8) else { continue }
            if agree(text) { accepted += 1 }
        }
        // The mutants must exercise the reader, not only its refusals.
        XCTAssertGreaterThan(accepted, rounds / 10, "\(accepted) of \(rounds) mutants read")
    }

    /// The loader runs the depth estimate only on texts the reader gave up on, so whatever the reader reads within a
    /// limit must be within it by the estimate too: nested mappings, sequences (one `- ` per line or several), mixed
    /// ones, flow collections inside them, and the project's documents.
    func testReadsNothingTheDepthEstimateWouldRefuse() throws {
        var texts: [String] = []
        for n in 1...24 {
            var mappings = ""
            var sequences = ""
            var mixed = ""
            for level in 0..<n {
                let pad = String(repeating: "  ", count: level)
                mappings += pad + "k\(level):\n"
                sequences += pad + "-\n"
                mixed += pad + (level % 2 == 0 ? "- m\(level):\n" : "  s\(level):\n")
            }
            let leafPad = String(repeating: "  ", count: n)
            texts.append(mappings + leafPad + "leaf: 1\n")
            texts.append(sequences + leafPad + "- x\n")
            texts.append(mixed + leafPad + "  leaf: [a, [b, {c: d}]]\n")
            texts.append("a:\n" + String(repeating: "- ", count: n) + "x\n")
            texts.append("a: " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "\n")
        }
        texts += try Self.projectTexts().flatMap {
            ManifestReader().split($0.text, file: $0.name, isJSON: false).map(\.text)
        }
        var read = 0
        for text in texts {
            for limit in [1, 2, 3, 4, 5, 7, 10, 16, 25, 40] {
                guard (try? BlockYAMLReader.document(text, depthLimit: limit)) != nil else { continue }
                read += 1
                XCTAssertNil(
                    TextChecks.nestingDepth(text, limit: limit),
                    "read within \(limit) levels, refused by the estimate:\n\(text)")
            }
        }
        XCTAssertGreaterThan(read, texts.count, "the reader read texts at several limits")
    }

    static func projectTexts() throws -> [(name: String, text: String)] {
        var out: [(String, String)] = []
        // The shared corpora (real third-party manifests) join when they are beside the project.
        let folders =
            [Paths.package("examples"), Paths.package("Tests/Fixtures")]
            + (Paths.sharedAvailable ? [Paths.shared("corpora")] : [])
        for root in folders {
            let folder = URL(fileURLWithPath: root).lastPathComponent
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            for case let path as String in walker where path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
                if let text = try? String(contentsOfFile: root + "/" + path, encoding: .utf8) {
                    out.append((folder + "/" + path, text))
                }
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }
}
