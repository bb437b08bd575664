import Foundation
import TestSupport
import XCTest

/// A gate must never pass on nothing: empty or unreadable input, endless streams and unwritable output each end
/// with exit code 2 and a message naming the path and the reason. These run the binary as a child process, as a
/// user or CI would.
final class InputGateTests: XCTestCase {
    var cli: String!

    override func setUpWithError() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        self.cli = cli
    }

    func folder(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }

    func shell(_ script: String) throws -> (status: Int32, output: String) {
        try runProcess("/bin/sh", ["-c", script, "sh", cli])
    }

    func testEmptyAndManifestlessFoldersAreErrors() throws {
        let empty = try folder([:])
        let result = try runProcess(cli, ["inventory", empty])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains("\(empty):0: path: no manifest files"), result.output)
        let notes = try folder(["README.md": "# notes\n", "values.txt": "a: 1\n"])
        XCTAssertEqual(try runProcess(cli, ["map", notes]).status, 2)
        let values = try folder(["values.yaml": "replicas: 3\nimage: {tag: v1}\n"])
        let noObjects = try runProcess(cli, ["check", values, "--claims", Paths.package("policies/verrazzano.yaml")])
        XCTAssertEqual(noObjects.status, 2, noObjects.output)
        XCTAssertTrue(noObjects.output.contains("no Kubernetes objects found"), noObjects.output)
    }

    func testClosedAndEndlessStdin() throws {
        let closed = try shell("exec \"$1\" inventory - <&-")
        XCTAssertEqual(closed.status, 2, closed.output)
        XCTAssertTrue(closed.output.contains("<stdin>:0: file: cannot be read"), closed.output)
        let endless = try shell("yes 'a: b' | \"$1\" inventory - --max-input-bytes 200000")
        XCTAssertEqual(endless.status, 2, endless.output)
        XCTAssertTrue(endless.output.contains("more than the input size limit of 200000 bytes"), endless.output)
        let zeros = try shell("\"$1\" inventory - --max-input-bytes 200000 < /dev/zero")
        XCTAssertEqual(zeros.status, 2, zeros.output)
    }

    func testSpecialFilesAreNamed() throws {
        let dir = try folder([:])
        let fifo = dir + "/pipe.yaml"
        XCTAssertEqual(try runProcess("/usr/bin/env", ["mkfifo", fifo]).status, 0)
        let result = try runProcess(cli, ["inventory", fifo])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains("is a FIFO or another special file"), result.output)
    }

    func testUnwritableOutputIsAnError() throws {
        let examples = Paths.package("examples/verrazzano")
        let missing = try runProcess(
            cli,
            [
                "check", examples, "--claims", Paths.package("policies/verrazzano.yaml"), "--output",
                "/nonexistent/x.json",
            ])
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.output.contains("cannot write /nonexistent/x.json"), missing.output)
        let full = try shell("\"$1\" inventory \(examples) > /dev/full")
        XCTAssertEqual(full.status, 2, full.output)
        XCTAssertTrue(full.output.contains("cannot write standard output"), full.output)
    }
}
