import ArgumentParser
import Claims
import Foundation
import KubeModel
import Reachability

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented .reachproof.yaml and a starter claims file from the manifests found.",
        discussion: """
            The claims are what holds today, each checked before it is written: per Service whose pods a NetworkPolicy \
            isolates, the sources that reach it; per namespace whose pods are all isolated, no pod of a new namespace \
            reaches it. Existing files are kept unless --force is given.
            """)

    @Argument(help: "Manifest files or folders, relative to the working directory.") var paths: [String] = ["."]
    @Option(help: "Where the starter claims go.") var claimsFile = "policies/reachproof-claims.yaml"
    @Flag(help: "Overwrite existing files.") var force = false

    func run() throws {
        let fm = FileManager.default
        let config = ProjectConfig.fileName
        for file in [config, claimsFile] where fm.fileExists(atPath: file) && !force {
            throw ValidationError("\(file) exists; --force overwrites it")
        }
        let (model, errors) = ModelLoader().load(paths: paths)
        if !errors.isEmpty {
            for e in errors { FileHandle.standardError.write(Data("\(e)\n".utf8)) }
            throw ExitCode(2)
        }
        let checker = ClaimChecker(model: model, assumptions: Assumptions())
        let (claims, count) = try StarterClaims.yaml(checker)
        let folder = (claimsFile as NSString).deletingLastPathComponent
        if !folder.isEmpty { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try claims.write(toFile: claimsFile, atomically: true, encoding: .utf8)
        try Self.configText(paths: paths, claims: claimsFile).write(toFile: config, atomically: true, encoding: .utf8)
        print("wrote \(config) and \(claimsFile) (\(count) claims, each proved on \(model.workloads.count) workloads)")
        print("next: reachproof check")
    }

    static func configText(paths: [String], claims: String) -> String {
        """
        # reachproof settings for this repository: `reachproof check` with no arguments uses them. Paths are relative
        # to this file. Flags on the command line override these; --assume and --gateway-pods add to them.
        paths: [\(paths.joined(separator: ", "))]
        claims: [\(claims)]
        # profile: conformance          # conservative-security (prove isolation), conservative-availability
        # cluster: cluster.yaml         # ipFamilies, podCIDR, serviceCIDR, nodeCIDR of the cluster
        # podCIDR: 10.244.0.0/16,fd00:10:244::/56
        # ipFamilies: dual              # ipv4, ipv6
        # assume: [A-HOSTNET=H1]        # bind an assumption (docs/SEMANTICS.md, section 10)
        # gatewayPods: [edge/public=edge/public-gateway]
        # workloads: [operator-pods.yaml]
        # layer: auto                   # netpol, mesh or end-to-end for every claim
        # format: text                  # json, sarif, junit, markdown
        # allowUnknown: false           # let UNKNOWN verdicts pass (exit 0)

        """
    }
}
