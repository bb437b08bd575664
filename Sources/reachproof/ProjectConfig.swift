import Foundation
import KubeModel
import Reachability

/// `.reachproof.yaml`: the settings a repository keeps for its commands, as linters keep theirs. Found in the
/// working directory or the nearest parent (up to the repository root); paths in it are relative to its folder.
/// Flags on the command line override it; list options (`--assume`, `--gateway-pods`) add to it.
struct ProjectConfig {
    static let fileName = ".reachproof.yaml"
    static let keys: Set<String> = [
        "paths", "claims", "profile", "cluster", "podCIDR", "ipFamilies", "assume", "layer", "format", "allowUnknown",
        "gatewayPods", "meshRootNamespace", "workloads", "defaultNamespace",
    ]

    let file: String
    var paths: [String] = []
    var claims: [String] = []
    var profile: String?
    var cluster: String?
    var podCIDR: String?
    var ipFamilies: String?
    var assume: [String] = []
    var layer: String?
    var format: String?
    var allowUnknown: Bool?
    var gatewayPods: [String] = []
    var meshRootNamespace: String?
    var workloads: [String] = []
    var defaultNamespace: String?

    /// The configuration of the working directory, read once; nil when there is none. An unreadable or invalid
    /// file ends the command with its errors (exit 2).
    static let current: ProjectConfig? = {
        guard let path = find(from: FileManager.default.currentDirectoryPath) else { return nil }
        do { return try load(path) } catch let e as InputErrors {
            for error in e.errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
            exit(2)
        } catch {
            FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
            exit(2)
        }
    }()

    /// The nearest `.reachproof.yaml` from `directory` upwards, stopping at a repository's root (a `.git` entry).
    static func find(from directory: String) -> String? {
        var dir = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = dir.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path) { return nil }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    static func load(_ path: String) throws -> ProjectConfig {
        let (documents, errors, _, _) = ManifestReader().read(paths: [path])
        if !errors.isEmpty { throw InputErrors(errors) }
        guard documents.count == 1, let doc = documents.first else {
            throw InputErrors([InputError(SourceLocation(file: path, line: 1), "", "expected one YAML document")])
        }
        let root = Field(node: doc.root, path: "", file: doc.file, fallbackLine: doc.line, lineOffset: doc.lineOffset)
        do { return try read(root, file: path) } catch let e as InputError { throw InputErrors([e]) }
    }

    static func read(_ root: Field, file: String) throws -> ProjectConfig {
        try root.requireKnownKeys(keys)
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        /// A path relative to the configuration's folder, as the command line would give it from the working one.
        func resolved(_ p: String) -> String {
            p.hasPrefix("/") || p == "-" ? p : relative(base.appendingPathComponent(p).standardizedFileURL.path)
        }
        /// A string or a list of strings.
        func list(_ key: String) throws -> [String] {
            guard let f = root[key] else { return [] }
            if case .sequence = f.node { return try f.stringList() }
            return [try f.string()]
        }
        var c = ProjectConfig(file: file)
        c.paths = try list("paths").map(resolved)
        c.claims = try list("claims").map(resolved)
        c.workloads = try list("workloads").map(resolved)
        c.profile = try root["profile"]?.string()
        if let cluster = try root["cluster"]?.string() { c.cluster = resolved(cluster) }
        c.podCIDR = try list("podCIDR").joined(separator: ",").nilIfEmpty
        c.ipFamilies = try root["ipFamilies"]?.string()
        c.assume = try list("assume")
        c.layer = try root["layer"]?.string()
        c.format = try root["format"]?.string()
        c.allowUnknown = try root["allowUnknown"]?.bool()
        c.gatewayPods = try list("gatewayPods")
        c.meshRootNamespace = try root["meshRootNamespace"]?.string()
        c.defaultNamespace = try root["defaultNamespace"]?.string()
        if let p = c.profile, Profile(rawValue: p) == nil {
            throw root["profile"]!.error(
                "unknown profile '\(p)' (\(Profile.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return c
    }

    /// A path as short as the working directory allows.
    static func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        if path == cwd { return "." }
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
