import Foundation
import TestSupport
import XCTest

/// Where users run reachproof: as a kubectl plugin, in a CI step, as a pre-commit hook, from the release tarball.
final class IntegrationTests: XCTestCase {
    func cli() throws -> String {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        return cli
    }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("integration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// `kubectl reachproof` runs kubectl-reachproof from PATH, the link `make install` makes.
    func testKubectlPlugin() throws {
        let bin = try temporaryDirectory()
        try FileManager.default.createSymbolicLink(
            atPath: bin.appendingPathComponent("kubectl-reachproof").path, withDestinationPath: try cli())
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
        if let kubectl = Paths.onPath("kubectl") {
            let (status, output) = try runProcess(kubectl, ["reachproof", "--version"], environment: ["PATH": path])
            XCTAssertEqual(status, 0, output)
            XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
            let (listed, plugins) = try runProcess(kubectl, ["plugin", "list"], environment: ["PATH": path])
            XCTAssertTrue(plugins.contains("kubectl-reachproof"), "\(listed): \(plugins)")
        } else {
            // kubectl's plugin lookup: an executable named kubectl-NAME on PATH.
            let (status, output) = try runProcess(
                "/bin/sh", ["-c", "kubectl-reachproof --version"], environment: ["PATH": path])
            XCTAssertEqual(status, 0, output)
        }
    }

    /// The script the GitHub Action and the GitLab template run: both SARIF reports and JUnit, valid, and the
    /// check's exit code.
    func testCIScriptWritesReportsAndKeepsTheExitCode() throws {
        let out = try temporaryDirectory()
        let (status, output) = try runProcess(
            "/bin/bash", [Paths.package("scripts/ci-check.sh")],
            environment: [
                "REACHPROOF": try cli(), "REACHPROOF_DIR": Paths.package("examples/verrazzano"),
                "REACHPROOF_OUT": out.path,
            ])
        XCTAssertEqual(status, 1, "four claims of the example are refuted: \(output)")
        XCTAssertTrue(output.contains("17 claim(s): 13 proved, 4 refuted"), output)
        for report in ["reachproof-check.sarif", "reachproof-lint.sarif"] {
            let sarif = try String(contentsOf: out.appendingPathComponent(report), encoding: .utf8)
            do {
                // Thrown here, not inside the assertion: XCTAssertNil would record the error itself, and the fallback
                // below would never run.
                let problem = try sarifSchemaProblem(sarif)
                XCTAssertNil(problem, report)
            } catch is SARIFValidatorMissing {
                XCTAssertTrue(sarif.contains("\"version\" : \"2.1.0\""), report)
            }
        }
        let junit = try String(contentsOf: out.appendingPathComponent("reachproof-check.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("<testsuite"), junit)
    }

    /// `pre-commit try-repo` runs the repository's reachproof-check hook on an example with its config.
    func testPreCommitHook() throws {
        guard let preCommit = Paths.onPath("pre-commit") else {
            throw XCTSkip("pre-commit is not installed (pip install pre-commit)")
        }
        guard let git = Paths.onPath("git") else { throw XCTSkip("git is not installed") }
        let repo = try temporaryDirectory()
        try FileManager.default.copyItem(
            atPath: Paths.package("examples/gateway-api"), toPath: repo.appendingPathComponent("k8s").path)
        try FileManager.default.copyItem(
            atPath: Paths.package("policies/gateway-api.yaml"), toPath: repo.appendingPathComponent("claims.yaml").path)
        try "paths: [k8s]\nclaims: [claims.yaml]\n".write(
            to: repo.appendingPathComponent(".reachproof.yaml"), atomically: true, encoding: .utf8)
        let env = [
            "PATH": (try cli() as NSString).deletingLastPathComponent + ":"
                + (ProcessInfo.processInfo.environment["PATH"] ?? ""),
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com", "PRE_COMMIT_HOME": repo.appendingPathComponent(".cache").path,
        ]
        for args in [["init", "-q"], ["add", "."], ["commit", "-qm", "manifests"]] {
            _ = try runProcess(git, args, in: repo.path, environment: env)
        }
        let (status, output) = try runProcess(
            preCommit, ["try-repo", Paths.packageRoot.path, "reachproof-check", "--all-files"], in: repo.path,
            environment: env)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("reachproof check") && output.contains("Passed"), output)
    }

    /// `make install PREFIX=.build-install` (which CI runs first): the binary, the kubectl plugin, completions and the
    /// man page; `kubectl reachproof --version`, and `reachproof check` without arguments in the Verrazzano example.
    func testInstalledLayout() throws {
        let prefix = Paths.package(".build-install")
        guard FileManager.default.fileExists(atPath: prefix + "/bin/reachproof") else {
            throw XCTSkip("nothing installed in .build-install (make install PREFIX=$PWD/.build-install)")
        }
        for file in [
            "bin/reachproof", "bin/kubectl-reachproof", "share/man/man1/reachproof.1",
            "share/bash-completion/completions/reachproof", "share/zsh/site-functions/_reachproof",
            "share/fish/vendor_completions.d/reachproof.fish",
        ] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: prefix + "/" + file), file)
        }
        let manual = try String(contentsOfFile: prefix + "/share/man/man1/reachproof.1", encoding: .utf8)
        XCTAssertTrue(manual.contains("equiv-routes") && manual.contains("mcp"), "the man page lists the commands")
        let path = prefix + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
        let (status, version) = try runProcess(
            Paths.onPath("kubectl") ?? prefix + "/bin/kubectl-reachproof",
            Paths.onPath("kubectl") == nil ? ["--version"] : ["reachproof", "--version"], environment: ["PATH": path])
        XCTAssertEqual(status, 0, version)
        XCTAssertEqual(version.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
        let (checked, output) = try runProcess(
            prefix + "/bin/reachproof", ["check"], in: Paths.package("examples/verrazzano"))
        XCTAssertEqual(checked, 1, output)
        XCTAssertTrue(output.contains("17 claim(s): 13 proved, 4 refuted"), output)
    }

    /// The release tarball (scripts/release.sh, which CI runs first) links no Swift runtime library.
    func testReleaseTarballLinksNoSwiftRuntime() throws {
        let dist = Paths.package("dist")
        guard
            let tarball = (try? FileManager.default.contentsOfDirectory(atPath: dist))?.first(where: {
                $0.hasSuffix(".tar.gz")
            })
        else { throw XCTSkip("no release tarball in dist/ (scripts/release.sh builds one)") }
        let dir = try temporaryDirectory()
        let (untar, log) = try runProcess("/bin/tar", ["-xzf", dist + "/" + tarball, "-C", dir.path])
        XCTAssertEqual(untar, 0, log)
        let top = dir.appendingPathComponent(String(tarball.dropLast(".tar.gz".count)))
        for file in ["reachproof", "kubectl-reachproof", "LICENSE", "README.md", "DEPENDENCIES.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: top.appendingPathComponent(file).path), file)
        }
        let (status, libraries) = try runProcess("/usr/bin/ldd", [top.appendingPathComponent("reachproof").path])
        XCTAssertEqual(status, 0, libraries)
        XCTAssertFalse(libraries.lowercased().contains("swift"), libraries)
        XCTAssertFalse(libraries.contains("libFoundation") || libraries.contains("libdispatch"), libraries)
        XCTAssertTrue(libraries.contains("libz3"), libraries)
        let (ran, version) = try runProcess(top.appendingPathComponent("reachproof").path, ["--version"])
        XCTAssertEqual(ran, 0, version)
    }
}
