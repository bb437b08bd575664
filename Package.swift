import Foundation
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "reachproof",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "reachproof", targets: ["reachproof"]),
        .executable(name: "reachproof-bench", targets: ["ReachproofBench"]),
        .library(
            name: "ReachproofKit",
            targets: ["KubeModel", "Reachability", "Claims", "Lint", "Synthesis", "Reporting", "SMT"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // The Model Context Protocol server of `reachproof mcp`.
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
    ],
    targets: [
        // Z3's C API, found through pkg-config (Debian: libz3-dev).
        .systemLibrary(name: "CZ3", pkgConfig: "z3", providers: [.apt(["libz3-dev"])]),
        // A thin, reference-counted Swift wrapper over Z3 (QF_BV only).
        .target(name: "SMT", dependencies: ["CZ3"]),
        // Loading manifests with source positions; typed Kubernetes resources; selectors.
        .target(name: "KubeModel", dependencies: ["Yams"]),
        // The semantics: compiled policy stages, the concrete evaluator and the Z3 encoder.
        .target(name: "Reachability", dependencies: ["KubeModel", "SMT"]),
        // Claims files and their verification.
        .target(name: "Claims", dependencies: ["KubeModel", "Reachability", "SMT"]),
        // Least-privilege policies for intended flows, and their proof.
        .target(name: "Synthesis", dependencies: ["KubeModel", "Reachability", "Claims"]),
        // Lint rules, one per file, each with the manifests that make it fire and not fire.
        .target(name: "Lint", dependencies: ["KubeModel", "Reachability"]),
        // Output formats: text, JSON, SARIF, JUnit, pairs.
        .target(name: "Reporting", dependencies: ["KubeModel", "Reachability", "Claims", "Lint", "Synthesis"]),
        // The command line: argument parsing only, every command calls one library entry point.
        .executableTarget(
            name: "reachproof",
            dependencies: [
                "KubeModel", "Reachability", "Claims", "Lint", "Synthesis", "Reporting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MCP", package: "swift-sdk"),
            ]),
        // Measurements outside the test suite (see bench/ and docs/PERFORMANCE.md).
        .executableTarget(name: "ReachproofBench", dependencies: ["KubeModel", "Reachability", "Reporting", "Yams"]),
        // Paths, inline manifests and process helpers shared by the test targets.
        .target(name: "TestSupport", dependencies: ["KubeModel"], path: "Tests/TestSupport"),
        .testTarget(name: "SMTTests", dependencies: ["SMT"]),
        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel", "TestSupport", "Yams"]),
        .testTarget(
            name: "ReachabilityTests", dependencies: ["Reachability", "Reporting", "KubeModel", "SMT", "TestSupport"],
            exclude: ["oracle-known-differences.tsv"]),
        .testTarget(
            name: "SynthesisTests", dependencies: ["Synthesis", "Claims", "Reachability", "KubeModel", "TestSupport"]),
        .testTarget(name: "LintTests", dependencies: ["Lint", "Reporting", "KubeModel", "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Reachability", "KubeModel", "TestSupport"]),
        .testTarget(
            name: "ClaimsTests",
            dependencies: ["Claims", "Reachability", "KubeModel", "Reporting", "Yams", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)

// The libFuzzer target over the manifest loader and the claims parser is only declared for fuzz builds
// (fuzz/run.sh), because it has no `main` of its own: libFuzzer supplies it.
if ProcessInfo.processInfo.environment["REACHPROOF_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "FuzzLoader", dependencies: ["KubeModel", "Claims"]))
}
