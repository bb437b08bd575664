import Foundation
import TestSupport
import XCTest

/// What a person at a terminal sees: coloured verdicts (not with NO_COLOR, not through a pipe), `--quiet` and
/// `--verbose`.
final class TerminalOutputTests: XCTestCase {
    func cli() throws -> String {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        return cli
    }

    /// Runs the CLI under a pseudo-terminal (util-linux `script`).
    func onTerminal(_ args: [String], environment: [String: String] = [:]) throws -> String {
        guard let script = Paths.onPath("script") else { throw XCTSkip("script (util-linux) is not installed") }
        let command = ([try cli()] + args).map { "'\($0)'" }.joined(separator: " ")
        return try runProcess(
            script, ["-qc", command, "/dev/null"], in: Paths.packageRoot.path, environment: environment
        )
        .output
    }

    func testVerdictsAreColouredOnATerminalOnly() throws {
        let args = ["check", "examples/verrazzano", "--claims", "policies/verrazzano.yaml", "--quiet"]
        // An empty NO_COLOR is no request (the test runner may set one).
        let coloured = try onTerminal(args, environment: ["NO_COLOR": ""])
        XCTAssertTrue(coloured.contains("\u{1B}[31mREFUTED\u{1B}[0m  only-nginx-reaches-authproxy"), coloured)
        XCTAssertTrue(coloured.contains("\u{1B}[32mPROVED\u{1B}[0m"), coloured)
        let plain = try onTerminal(args, environment: ["NO_COLOR": "1"])
        XCTAssertFalse(plain.contains("\u{1B}["), "NO_COLOR")
        let (_, piped) = try runProcess(try cli(), args, in: Paths.packageRoot.path)
        XCTAssertFalse(piped.contains("\u{1B}["), "not a terminal")
    }

    func testQuietAndVerbose() throws {
        // The cluster dump's notices (skipped kinds, finished pods) go to stderr unless --quiet.
        let (_, noisy) = try runProcess(try cli(), ["map", "examples/cluster-dump"], in: Paths.packageRoot.path)
        let (_, quiet) = try runProcess(try cli(), ["map", "examples/cluster-dump", "-q"], in: Paths.packageRoot.path)
        XCTAssertLessThan(quiet.count, noisy.count)
        XCTAssertTrue(noisy.contains("skipped"), noisy)
        XCTAssertFalse(quiet.contains("skipped"), quiet)
        let (_, verbose) = try runProcess(try cli(), ["map", "examples/guestbook", "-v"], in: Paths.packageRoot.path)
        XCTAssertTrue(verbose.contains("loaded examples/guestbook in ") && verbose.contains("6 workloads"), verbose)
    }
}
