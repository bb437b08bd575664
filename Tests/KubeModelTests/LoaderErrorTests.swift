import XCTest

@testable import KubeModel

/// Bad input becomes `file:line: field: message`, never a crash; good input keeps its positions.
final class LoaderErrorTests: XCTestCase {
    func load(_ files: [String: String]) throws -> (ClusterModel, [InputError], URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let (model, errors) = ModelLoader().load(paths: [dir.path])
        return (model, errors, dir)
    }

    func error(_ yaml: String) throws -> InputError {
        let (_, errors, _) = try load(["bad.yaml": yaml])
        guard let first = errors.first else {
            XCTFail("expected an error for:\n\(yaml)")
            throw XCTSkip()
        }
        return first
    }

    static let policyHead =
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n  podSelector: {}\n"

    /// An object with several mistakes reports each of them, at its own line, not only the first.
    func testEveryMistakeOfAnObjectIsReported() throws {
        let yaml =
            Self.policyHead + """
                  polcyTypes: [Ingress]
                  ingress:
                  - from:
                    - podSelector: {matchLabels: {app: 1}}
                    ports:
                    - port: 99999
                    - protocol: XTP
                  - from:
                    - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}
                  egress:
                  - to: [{namespaceSelector: {}}]
                    bogus: 1
                """
        let (_, errors, _) = try load(["bad.yaml": yaml])
        XCTAssertEqual(
            errors.map { "\($0.location.line) \($0.field)" },
            [
                "6 spec.polcyTypes", "9 spec.ingress[0].from[0].podSelector.matchLabels.app",
                "11 spec.ingress[0].ports[0].port", "12 spec.ingress[0].ports[1].protocol",
                "14 spec.ingress[1].from[0].ipBlock.except[0]", "17 spec.egress[0].bogus",
            ])
    }

    /// A generated object with hundreds of bad items reports the first few and counts the rest.
    func testErrorsPerObjectAreBounded() throws {
        let ports = (0..<50).map { "  - port: \(100_000 + $0)\n" }.joined()
        let yaml = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\nspec:\n  ports:\n" + ports
        let (_, errors, _) = try load(["bad.yaml": yaml])
        XCTAssertEqual(errors.count, InputErrors.perObject + 1)
        XCTAssertEqual(errors.last?.message, "40 more error(s) in this object are not shown")
    }

    /// A huge bad value is cut in the message, with its length said, however the field reports it.
    func testLongValuesAreCutInMessages() throws {
        let huge = String(repeating: "X", count: 100_000)
        let e = try error(
            "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: x}\nspec: {type: \(huge), ports: [{port: 80}]}\n"
        )
        XCTAssertEqual(e.location.line, 4)
        XCTAssertEqual(e.field, "spec.type")
        XCTAssertLessThan(e.message.count, 400, e.message)
        XCTAssertTrue(e.message.contains("... (100002 characters)"), e.message)
        XCTAssertEqual(InputError.shortened("short words stay"), "short words stay")
    }

    /// Symbolic links are read as what they point to: a linked file, a linked folder (followed once, even in a
    /// cycle), a folder given as a link; a link to nothing is an error saying where it points.
    func testSymbolicLinksAreFollowedOnce() throws {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("links-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: base) }
        for folder in ["top", "other"] {
            try fm.createDirectory(atPath: "\(base)/\(folder)", withIntermediateDirectories: true)
        }
        func namespace(_ name: String) -> String { "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(name)}\n" }
        try namespace("a").write(toFile: "\(base)/top/a.yaml", atomically: true, encoding: .utf8)
        try namespace("b").write(toFile: "\(base)/other/b.yaml", atomically: true, encoding: .utf8)
        try namespace("c").write(toFile: "\(base)/c.yaml", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: "\(base)/top/c-link.yaml", withDestinationPath: "\(base)/c.yaml")
        try fm.createSymbolicLink(atPath: "\(base)/top/linked", withDestinationPath: "../other")
        try fm.createSymbolicLink(atPath: "\(base)/top/loop", withDestinationPath: "..")
        try fm.createSymbolicLink(atPath: "\(base)/top-link", withDestinationPath: "\(base)/top")

        let (model, errors) = ModelLoader().load(paths: ["\(base)/top-link"])
        XCTAssertEqual(errors, [])
        XCTAssertEqual(Set(model.namespaces.keys), ["a", "b", "c"])
        XCTAssertEqual(model.documentCount, 3, "each file is read once")

        try fm.createSymbolicLink(atPath: "\(base)/top/gone.yaml", withDestinationPath: "/nonexistent/gone.yaml")
        let (_, dangling) = ModelLoader().load(paths: ["\(base)/top"])
        XCTAssertEqual(
            dangling.map(\.message), ["is a symbolic link to '/nonexistent/gone.yaml', which does not exist"])
        XCTAssertEqual(dangling.first?.location.file, "\(base)/top/gone.yaml")
    }

    func testYAMLSyntaxErrorNamesFileAndLine() throws {
        let e = try error("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: [unclosed\n")
        XCTAssertTrue(e.location.file.hasSuffix("bad.yaml"))
        XCTAssertGreaterThanOrEqual(e.location.line, 4)
        XCTAssertEqual(e.field, "yaml")
    }

    func testNonNumericPort() throws {
        let e = try error(Self.policyHead + "  ingress:\n  - ports:\n    - port: \"http-\"\n")
        XCTAssertEqual(e.location.line, 8)
        XCTAssertEqual(e.field, "spec.ingress[0].ports[0].port")
    }

    func testNegativeReplicas() throws {
        let e = try error(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: -1\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c}]}}\n"
        )
        XCTAssertEqual(e.field, "spec.replicas")
        XCTAssertEqual(e.location.line, 5)
    }

    func testCIDRWithPrefixAbove32() throws {
        let e = try error(Self.policyHead + "  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/33}\n")
        XCTAssertTrue(e.message.contains("prefix length 33"))
    }

    func testUnknownSelectorOperator() throws {
        let e = try error(
            Self.policyHead.replacingOccurrences(
                of: "podSelector: {}", with: "podSelector: {matchExpressions: [{key: a, operator: Has}]}"))
        XCTAssertTrue(e.message.contains("unknown operator 'Has'"))
    }

    func testPortZeroAndAboveRange() throws {
        XCTAssertTrue(
            try error(Self.policyHead + "  ingress:\n  - ports: [{port: 0}]\n").message.contains("out of range"))
        XCTAssertTrue(
            try error(Self.policyHead + "  ingress:\n  - ports: [{port: 65536}]\n").message.contains("out of range"))
    }

    func testEndPortBelowPort() throws {
        let e = try error(Self.policyHead + "  ingress:\n  - ports: [{port: 9000, endPort: 8000}]\n")
        XCTAssertTrue(e.message.contains("below port 9000"))
    }

    func testExceptOutsideCIDR() throws {
        XCTAssertTrue(
            try error(
                Self.policyHead + "  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]\n"
            ).message.contains("strict subset"))
    }

    func testMissingName() throws {
        let e = try error("apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}\n")
        XCTAssertEqual(e.field, "metadata.name")
        XCTAssertEqual(e.message, "required field is missing")
    }

    /// An identical repeat is kept once; a repeat with other content is an error naming the first place. Repeats are
    /// compared with the first object of their identity, wherever it came, before or after other repeats.
    func testRepeatedObjectsAreComparedWithTheFirstOfTheirIdentity() throws {
        func namespace(_ name: String, _ team: String) -> String {
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(name), labels: {team: \(team)}}\n"
        }
        let stream = [
            namespace("a", "x"), namespace("b", "x"), namespace("a", "x"), namespace("c", "x"), namespace("c", "y"),
            namespace("b", "x"), namespace("a", "y"),
        ].joined(separator: "---\n")
        let (model, errors, _) = try load(["all.yaml": stream])
        // Each document takes four lines: three and its `---`.
        XCTAssertEqual(model.objects.count, 3)
        XCTAssertEqual(model.objects[ObjectID(kind: "Namespace", namespace: nil, name: "c")]?.line, 13)
        XCTAssertEqual(model.duplicates.map(\.name), ["a", "b"])
        let file = try XCTUnwrap(errors.first?.location.file)
        XCTAssertEqual(
            errors.map { "\($0.location.line): \($0.message)" },
            [
                "17: Namespace c is defined twice with different content (first at \(file):13)",
                "25: Namespace a is defined twice with different content (first at \(file):1)",
            ])
        XCTAssertEqual(model.namespaces["c"]?.labels["team"], "x")
    }

    /// Trees are freed once typed, so a repeat is compared by reading both objects again from their text: a JSON list
    /// given twice (laid out otherwise) repeats each of its objects, and a YAML object with other labels is an error.
    func testRepeatsAreComparedByReadingTheirTextAgain() throws {
        func namespace(_ name: String, _ team: String) -> String {
            #"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "\#(name)", "labels": {"team": "\#(team)"}}}"#
        }
        let items = ["a", "b", "c"].map { namespace($0, "x") }
        let list = #"{"apiVersion": "v1", "kind": "List", "items": ["# + items.joined(separator: ", ") + "]}\n"
        let listAgain =
            #"{"apiVersion": "v1", "kind": "List", "items": [\#n  "# + items.joined(separator: ",\n  ") + "\n]}\n"
        let (model, errors, dir) = try load([
            "a.json": list, "b.json": listAgain,
            "c.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: b, labels: {team: y}}\n",
        ])
        XCTAssertEqual(model.objects.count, 3)
        XCTAssertEqual(model.duplicates.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(
            errors.map(\.description),
            [
                "\(dir.path)/c.yaml:1: metadata.name: Namespace b is defined twice with different content "
                    + "(first at \(dir.path)/a.json:1)"
            ])
        XCTAssertEqual(model.namespaces["b"]?.labels["team"], "x")
    }

    /// Repeats at the same place of the same text are the same without parsing them again; the others are read again,
    /// each chunk once however many of its objects repeat.
    func testRepeatsAreReadAgainOnlyWhereTheirTextsDiffer() throws {
        let items = (0..<50).map { #"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n\#($0)"}}"# }
        let list = #"{"apiVersion": "v1", "kind": "List", "items": ["# + items.joined(separator: ", ") + "]}\n"
        let listAgain = #"{"apiVersion": "v1", "kind": "List", "items": ["# + items.joined(separator: ",\n") + "]}\n"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reread-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in [("a.json", list), ("b.json", list), ("c.json", listAgain)] {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let (reader, loader) = (ManifestReader(), ModelLoader())
        let objects = reader.read(paths: [dir.path], stdin: nil, each: loader.objects(of:from:)).items.flatMap(
            \.objects)
        XCTAssertEqual(objects.count, 150)
        // a.json and b.json: one text.
        let sameText = ModelLoader.RereadObjects(
            (0..<50).map { (objects[$0], objects[50 + $0]) }, reader: reader, loader: loader)
        XCTAssertEqual(sameText.chunksRead, 0)
        for i in 0..<50 { XCTAssertTrue(sameText.sameContent(objects[i], objects[50 + i])) }
        // a.json and c.json: one content, laid out otherwise; and two places of one text.
        let reread = ModelLoader.RereadObjects(
            (0..<50).map { (objects[$0], objects[100 + $0]) } + [(objects[0], objects[51])], reader: reader,
            loader: loader)
        XCTAssertEqual(reread.chunksRead, 3)
        for i in 0..<50 { XCTAssertTrue(reread.sameContent(objects[i], objects[100 + i])) }
        XCTAssertFalse(reread.sameContent(objects[0], objects[51]))
    }

    func testInvalidLabelValue() throws {
        XCTAssertTrue(
            try error("apiVersion: v1\nkind: Namespace\nmetadata: {name: n, labels: {a: \"-bad-\"}}\n").message
                .contains("label value"))
    }

    func testUnknownAPIVersionOfKnownKind() throws {
        XCTAssertTrue(
            try error(
                "apiVersion: networking.k8s.io/v2\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}\n"
            ).message.contains("unknown apiVersion"))
    }

    func testMisspeltPolicyFieldIsAnError() throws {
        let e = try error(Self.policyHead + "  ingres:\n  - {}\n")
        XCTAssertTrue(e.message.contains("unknown field"))
    }

    func testHelmLeftoverAndDuplicateKeys() throws {
        XCTAssertTrue(
            try error("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Values.ns }}\n").message.contains("Helm")
        )
        XCTAssertTrue(
            try error("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n").message.contains(
                "duplicate key"))
    }

    func testBinaryFileAndJSONTrailingComma() throws {
        let (_, errors, _) = try load([
            "blob.yaml": "\u{0}\u{1}binary",
            "list.json": "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\",}}",
        ])
        XCTAssertEqual(errors.count, 2)
        XCTAssertTrue(errors.contains { $0.message.contains("binary") })
        XCTAssertTrue(errors.contains { $0.message.contains("trailing comma") })
    }

    func testDuplicateObjectWithDifferentContentNamesBothFiles() throws {
        let (_, errors, _) = try load([
            "a.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: n, labels: {x: \"1\"}}\n",
            "b.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: n, labels: {x: \"2\"}}\n",
        ])
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0].location.file.hasSuffix("b.yaml"))
        XCTAssertTrue(errors[0].message.contains("a.yaml:1"))
    }

    func testAliasBombAndDeepNestingAreRejectedQuickly() throws {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var prev = "a"
        for i in 0..<8 {
            let n = "l\(i)"
            bomb += "\(n): &\(n) [" + Array(repeating: "*\(prev)", count: 10).joined(separator: ", ") + "]\n"
            prev = n
        }
        XCTAssertTrue(
            try error(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n"
                    + bomb.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
            ).message.contains("--max-nodes"))
        let deep =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: " + String(repeating: "[", count: 10_000)
            + String(repeating: "]", count: 10_000) + "\n"
        XCTAssertTrue(try error(deep).message.contains("--max-depth"))
    }

    /// The depth estimate counts block indentation levels, `- ` on one line and open flow brackets, not brackets
    /// inside quotes or comments; it names the first line over the limit.
    func testNestingDepthEstimate() {
        XCTAssertNil(TextChecks.nestingDepth("a:\n  b:\n    c: 1\n", limit: 3))
        XCTAssertEqual(TextChecks.nestingDepth("a:\n  b:\n    c: 1\n", limit: 2)?.1, 3)
        XCTAssertEqual(TextChecks.nestingDepth("a:\n- - - x\n", limit: 3)?.1, 2)
        XCTAssertNil(TextChecks.nestingDepth("a: 1\nb: - - - x\n", limit: 3), "dashes nest only at the start of a line")
        XCTAssertEqual(TextChecks.nestingDepth("x: [[{a: 1}]]", limit: 3)?.1, 1)
        XCTAssertNil(TextChecks.nestingDepth("x: \"[[[[\"  # {{{{\ny: '{{{{'\n", limit: 2))
        XCTAssertEqual(TextChecks.nestingDepth("a:\n  - [\n    [\n      1]]\n", limit: 3)?.1, 2)
        XCTAssertNil(
            TextChecks.nestingDepth("a:\n  - [\n    [\n      1]]\n", limit: 4),
            "inside brackets, indentation does not nest")
        XCTAssertTrue(TextChecks.containsDoubleBrace("a: {{ .Values.x }}"))
        XCTAssertFalse(TextChecks.containsDoubleBrace("a: {b: {c: 1}}"))
    }

    func testAllBadFilesOfAFolderAreReported() throws {
        let (_, errors, _) = try load([
            "1.yaml": "a: [", "2.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {}\n",
            "3.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n",
        ])
        XCTAssertEqual(Set(errors.map { ($0.location.file as NSString).lastPathComponent }), ["1.yaml", "2.yaml"])
    }
}

final class LoaderTests: XCTestCase {
    func testListsNamespacesWorkloadsAndNotices() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let list = """
            {"apiVersion": "v1", "kind": "PodList", "items": [
              {"metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d8", "controller": true}]},
               "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}]}},
              {"metadata": {"name": "web-2", "namespace": "shop", "labels": {"app": "web"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d8", "controller": true}]},
               "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}]}}]}
            """
        try list.write(to: dir.appendingPathComponent("pods.json"), atomically: true, encoding: .utf8)
        try "values: {replicas: 3}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n".write(
            to: dir.appendingPathComponent("extra.yaml"), atomically: true, encoding: .utf8)
        let (model, errors) = ModelLoader().load(paths: [dir.path])
        XCTAssertEqual(errors, [])
        XCTAssertEqual(model.workloads.map(\.id), ["shop/web-5d8"])
        XCTAssertEqual(model.workloads[0].replicas, 2)
        XCTAssertEqual(model.workloads[0].ports, [ContainerPort(name: "http", number: 8080, proto: .tcp)])
        XCTAssertEqual(model.inferredNamespaces, ["shop"])
        XCTAssertEqual(model.namespaces["shop"]?.labels["kubernetes.io/metadata.name"], "shop")
        XCTAssertEqual(model.unknownKinds["ConfigMap"]?.count, 1)
        XCTAssertEqual(model.skippedDocuments.count, 1)
        XCTAssertEqual(model.skippedDocuments[0].line, 1)
    }

    func testLinesAreFileLinesAfterParallelSplitting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let text = (0..<50).map { "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\($0)\n" }.joined()
        try text.write(to: dir.appendingPathComponent("many.yaml"), atomically: true, encoding: .utf8)
        let (model, errors) = ModelLoader().load(paths: [dir.path])
        XCTAssertEqual(errors, [])
        XCTAssertEqual(model.namespaces["ns7"]?.location?.line, 37)
    }

    func testVerrazzanoCorpusCountsMatchItsReadme() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/corpora/verrazzano").path
        guard FileManager.default.fileExists(atPath: corpus) else { throw XCTSkip("../shared is absent") }
        let (model, errors) = ModelLoader().load(paths: [corpus])
        XCTAssertEqual(errors, [])
        let inventory = Inventory(model)
        XCTAssertEqual(inventory.objects, 121)
        XCTAssertEqual(
            inventory.kinds,
            [
                "Namespace": 11, "Deployment": 30, "StatefulSet": 4, "DaemonSet": 1, "Service": 31,
                "NetworkPolicy": 30, "AuthorizationPolicy": 7, "PeerAuthentication": 1, "Ingress": 6,
            ])
        // The same documents through stdin give the same counts.
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus + "/manifests").sorted().filter {
            $0.hasSuffix(".yaml")
        }
        let joined = try files.map { try String(contentsOfFile: corpus + "/manifests/" + $0, encoding: .utf8) }.joined(
            separator: "\n---\n")
        let (fromStdin, stdinErrors) = ModelLoader().load(paths: ["-"], stdin: { Data(joined.utf8) })
        XCTAssertEqual(stdinErrors, [])
        XCTAssertEqual(Inventory(fromStdin).kinds, inventory.kinds)
    }

    func testSelectorsMatchAsKubernetesDoes() {
        let sel = LabelSelector(requirements: [
            LabelRequirement(key: "app", op: .in, values: ["a", "b"]),
            LabelRequirement(key: "tier", op: .notIn, values: ["db"]),
            LabelRequirement(key: "env", op: .exists),
        ])
        XCTAssertTrue(sel.matches(["app": "a", "env": "x"]))
        XCTAssertFalse(sel.matches(["app": "a", "env": "x", "tier": "db"]))
        XCTAssertFalse(sel.matches(["app": "c", "env": "x"]))
        XCTAssertFalse(sel.matches(["app": "a"]))
        XCTAssertTrue(LabelSelector.everything.matches([:]))
    }
}
