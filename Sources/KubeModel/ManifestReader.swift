import Foundation
import Glibc
import Yams

/// One YAML document of an input, parsed, with its place in the input.
public struct Document {
    public let root: YAMLNode
    public let file: String
    /// First line of the document in its file.
    public let line: Int
    /// Add to the node marks' lines to get lines in the file.
    public let lineOffset: Int
    /// Position of the document in its file (0-based).
    public let index: Int
}

/// Reads files, folders (recursively, `*.yaml`, `*.yml`, `*.json`, sorted) and stdin (`-`) into YAML documents.
/// Parsing is spread over all cores by splitting each stream at its `---` document markers.
public struct ManifestReader {
    public var limits: LoadLimits
    /// Paths to show under another name in every location: copies exported from git are named `REV:path`.
    public var shownPaths: [(prefix: String, shownAs: String)] = []
    public init(limits: LoadLimits = LoadLimits()) { self.limits = limits }

    /// The name a file goes by in locations: `<stdin>`, a path under a `shownPaths` prefix renamed, or the path.
    func displayName(_ file: String) -> String {
        if file == "-" { return "<stdin>" }
        for (prefix, shownAs) in shownPaths where file == prefix || file.hasPrefix(prefix + "/") {
            return shownAs + file.dropFirst(prefix.count)
        }
        return file
    }

    /// The input files a list of paths names, in the order they will be read.
    public func expand(paths: [String]) -> (files: [String], errors: [InputError]) {
        var visited = Set<String>()
        let (files, errors) = expand(paths: paths, visited: &visited)
        // Followed links can reach a file twice (a link to a parent folder): each is read once. A file is known by
        // its real path; a dangling link, by its real folder and its name.
        guard visited.count > 1 else { return (files, errors) }
        var seen = Set<String>()
        let once = files.filter { file in
            let url = URL(fileURLWithPath: file)
            let identity =
                FileManager.default.fileExists(atPath: file)
                ? url.resolvingSymlinksInPath()
                : url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(
                    url.lastPathComponent)
            return file == "-" || seen.insert(identity.path).inserted
        }
        return (once, errors)
    }

    /// `visited` holds the real paths of the folders already listed, so that symbolic links in a cycle end.
    private func expand(paths: [String], visited: inout Set<String>) -> (files: [String], errors: [InputError]) {
        var files: [String] = []
        var errors: [InputError] = []
        let fm = FileManager.default
        for path in paths {
            if path == "-" {
                files.append("-")
                continue
            }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                errors.append(InputError(SourceLocation(file: path, line: 0), "path", Self.missingReason(path)))
                continue
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            guard visited.insert(URL(fileURLWithPath: path).resolvingSymlinksInPath().path).inserted else { continue }
            let errorsBefore = errors.count
            // Folders that cannot be listed are errors naming them: a skipped folder could hide policies.
            var unlisted: [(String, String)] = []
            // The walker lists nothing below a symbolic link itself: it starts from what the link points to.
            let root = URL(fileURLWithPath: path).resolvingSymlinksInPath()
            guard
                let walker = fm.enumerator(
                    at: root, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles],
                    errorHandler: { url, error in
                        unlisted.append((url.path, Self.reason(error)))
                        return true
                    })
            else {
                errors.append(InputError(SourceLocation(file: path, line: 0), "path", "cannot be listed"))
                continue
            }
            var found: [String] = []
            var linkedFolders: [String] = []
            let prefix = root.standardizedFileURL.path
            for case let url as URL in walker {
                // Keep the path as the user wrote it, with the file's place below it.
                let relative = String(url.standardizedFileURL.path.dropFirst(prefix.count)).drop { $0 == "/" }
                let shown = path.hasSuffix("/") ? path + relative : path + "/" + relative
                // The walker does not enter a symbolic link to a folder (a linked overlay): it is listed here in its
                // turn, since a skipped folder could hide policies. Hidden links are skipped like other hidden
                // entries: a ConfigMap mount's `..data` is reached through the links to each of its files.
                if isDir(url.path) {
                    let isLink =
                        (try? fm.attributesOfItem(atPath: url.path)[.type] as? FileAttributeType) == .typeSymbolicLink
                    if isLink && !url.lastPathComponent.hasPrefix(".") { linkedFolders.append(shown) }
                    continue
                }
                guard ["yaml", "yml", "json"].contains(url.pathExtension.lowercased()) else { continue }
                found.append(shown)
            }
            if !linkedFolders.isEmpty {
                let linked = expand(paths: linkedFolders.sorted(), visited: &visited)
                found += linked.files
                // A linked folder without manifests is no error: its parent's files are the input.
                errors += linked.errors.filter { !$0.message.hasPrefix("no manifest files") }
            }
            for (folder, why) in unlisted {
                errors.append(InputError(SourceLocation(file: folder, line: 0), "path", "cannot be listed: \(why)"))
            }
            if found.isEmpty && unlisted.isEmpty && errors.count == errorsBefore {
                errors.append(
                    InputError(
                        SourceLocation(file: path, line: 0), "path",
                        "no manifest files (.yaml, .yml or .json) in this folder: nothing to analyse"))
            }
            files.append(contentsOf: found.sorted())
        }
        return (files, errors)
    }

    /// Why a path that does not resolve cannot be read: a symbolic link to nothing says where it points.
    static func missingReason(_ path: String) -> String {
        if let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
            return "is a symbolic link to '\(destination)', which does not exist"
        }
        return "no such file or directory"
    }

    /// An OS error in words ("Permission denied"), for messages.
    public static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }

    /// Reads at most `limit` bytes; nil when there are more (endless streams stop at the limit, not at memory's end).
    /// The kernel writes into one buffer, sized for `expected` bytes (a file's size) and doubled when a stream holds
    /// more: a large input is copied once, where pieces appended to a growing buffer are copied two or three times.
    static func readBounded(_ handle: FileHandle, limit: Int, expected: Int = 0) throws -> Data? {
        // One byte beyond what is expected, so that the read that finds the end needs no room made for it.
        var capacity = max(1 << 16, min(expected, limit) + 1)
        guard var buffer = malloc(capacity) else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(ENOMEM)) }
        var count = 0
        while true {
            if count == capacity {
                capacity = min(2 * capacity, limit + 1)
                guard let grown = realloc(buffer, capacity) else {
                    free(buffer)
                    throw NSError(domain: NSPOSIXErrorDomain, code: Int(ENOMEM))
                }
                buffer = grown
            }
            let n = Glibc.read(handle.fileDescriptor, buffer + count, capacity - count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                let code = errno
                free(buffer)
                throw NSError(domain: NSPOSIXErrorDomain, code: Int(code))
            }
            if n == 0 { break }
            count += n
            if count > limit {
                free(buffer)
                return nil
            }
        }
        return Data(bytesNoCopy: buffer, count: count, deallocator: .free)
    }

    /// The contents of a named input file, or why it cannot be read.
    func readFile(_ file: String) -> Result<Data, InputError> {
        func failure(_ message: String) -> Result<Data, InputError> {
            .failure(InputError(SourceLocation(file: displayName(file), line: 0), "file", message))
        }
        let attributes: [FileAttributeKey: Any]
        do {
            // A symbolic link is read as what it points to (attributesOfItem does not follow links).
            var target = file
            if try FileManager.default.attributesOfItem(atPath: file)[.type] as? FileAttributeType == .typeSymbolicLink
            {
                guard FileManager.default.fileExists(atPath: file) else { return failure(Self.missingReason(file)) }
                target = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
            }
            attributes = try FileManager.default.attributesOfItem(atPath: target)
        } catch {
            return failure("cannot be read: \(Self.reason(error))")
        }
        // A FIFO or a device would block or never end: such input goes through stdin ('-').
        if let type = attributes[.type] as? FileAttributeType, type != .typeRegular {
            let kinds: [FileAttributeType: String] = [
                .typeSocket: "a socket", .typeCharacterSpecial: "a character device",
                .typeBlockSpecial: "a block device",
            ]
            return failure(
                "is \(kinds[type] ?? "a FIFO or another special file"), not a regular file; pipe it to '-' instead")
        }
        if let size = attributes[.size] as? Int, size > limits.maxInputBytes {
            return failure(
                "\(size) bytes exceeds the input size limit of \(limits.maxInputBytes) bytes (--max-input-bytes)")
        }
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
            defer { try? handle.close() }
            let size = attributes[.size] as? Int ?? 0
            guard let data = try Self.readBounded(handle, limit: limits.maxInputBytes, expected: size) else {
                return failure("grew past the input size limit of \(limits.maxInputBytes) bytes while being read")
            }
            return .success(data)
        } catch {
            return failure("cannot be read: \(Self.reason(error))")
        }
    }

    private func isDir(_ p: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: p, isDirectory: &d) && d.boolValue
    }

    /// Reads and parses every input. Errors do not stop the reading of other files.
    /// `stdin` replaces standard input (tests, the fuzzer); without it standard input is read up to the size limit.
    public func read(paths: [String], stdin: (() throws -> Data)? = nil)
        -> (documents: [Document], errors: [InputError], emptyFiles: [String], inferredStarts: [SourceLocation])
    {
        let read = read(paths: paths, stdin: stdin) { document, _ in document }
        return (read.items, read.errors, read.emptyFiles, read.inferredStarts)
    }

    /// `read`, with each document handed to `each` by the worker that parsed it; only what `each` returns is kept, in
    /// input order, and the tree is freed by that worker. `each` runs on several threads at once. The origin it is
    /// given is where to parse the document again.
    func read<Item>(paths: [String], stdin: (() throws -> Data)?, each: (Document, DocumentOrigin) -> Item)
        -> (items: [Item], errors: [InputError], emptyFiles: [String], inferredStarts: [SourceLocation])
    {
        let (files, pathErrors) = expand(paths: paths)
        var errors = pathErrors
        var emptyFiles: [String] = []
        var chunks: [Chunk] = []
        // Files are read, decoded and split a few at a time, two per core: the document limit is checked after each
        // batch, so that too many documents are reported before anything is parsed, with memory still bounded.
        let batch = 2 * ProcessInfo.processInfo.activeProcessorCount
        for start in stride(from: 0, to: files.count, by: batch) {
            let names = files[start..<min(files.count, start + batch)]
            // Largest first: a core takes the next file when it is done with one, and a small file taken last fills the
            // time another core needs to finish, where taken first it leaves a core idle.
            let sizes = names.map(Self.sizeForOrder)
            let order = sizes.indices.sorted { sizes[$0] > sizes[$1] }
            var texts = [Result<[Chunk]?, InputError>?](repeating: nil, count: names.count)
            texts.withUnsafeMutableBufferPointer { texts in
                let texts = texts
                DispatchQueue.concurrentPerform(iterations: names.count) {
                    texts[order[$0]] = fileText(names[start + order[$0]], stdin: stdin)
                }
            }
            for (file, text) in zip(names, texts) {
                switch text! {
                case .failure(let e): errors.append(e)
                case .success(nil): emptyFiles.append(displayName(file))
                case .success(let pieces?): chunks.append(contentsOf: pieces)
                }
                if chunks.count > limits.maxDocuments {
                    errors.append(
                        InputError(
                            SourceLocation(file: displayName(file), line: 0), "file",
                            "the inputs hold more than \(limits.maxDocuments) YAML documents up to this file "
                                + "(--max-documents)"))
                    return ([], errors, emptyFiles, [])
                }
            }
        }
        let inferredStarts = chunks.filter(\.inferredStart).map { SourceLocation(file: $0.file, line: $0.firstLine) }
        // Parse chunks on every core; the results keep input order. Each chunk is taken out of the list, and its text
        // freed by the worker that parsed it (unless `each` keeps its origin), rather than with the list, on one core.
        var results = [ChunkResult<Item>](repeating: ChunkResult(), count: chunks.count)
        results.withUnsafeMutableBufferPointer { buffer in
            chunks.withUnsafeMutableBufferPointer { pending in
                let (out, pending) = (buffer, pending)
                DispatchQueue.concurrentPerform(iterations: pending.count) { i in
                    var chunk = Chunk.parsed
                    swap(&chunk, &pending[i])
                    out[i] = parse(chunk).map { each($1, DocumentOrigin(chunk: chunk, chunkIndex: i, position: $0)) }
                }
            }
        }
        var items: [Item] = []
        items.reserveCapacity(results.count)
        // Results are moved out of the list, not copied: a copy retains all each item holds once more, on one core.
        for i in results.indices {
            var r = ChunkResult<Item>()
            swap(&r, &results[i])
            if let first = r.first.take() { items.append(first) }
            items.append(contentsOf: r.more)
            errors.append(contentsOf: r.errors)
        }
        return (items, errors, emptyFiles, inferredStarts)
    }

    /// A file's size as `stat` gives it, through symbolic links (the attributes `readFile` checks describe a link
    /// itself, and a mounted ConfigMap's files are links); 0 for stdin and for what cannot be read, which `readFile`
    /// then reports.
    static func sizeForOrder(_ file: String) -> Int {
        var status = stat()
        return file != "-" && stat(file, &status) == 0 ? Int(status.st_size) : 0
    }

    /// One input read, decoded and split into chunks; nil for a file without content (reported by the model loader:
    /// a notice among other files, an error when alone).
    private func fileText(_ file: String, stdin: (() throws -> Data)?) -> Result<[Chunk]?, InputError> {
        let name = displayName(file)
        let data: Data
        if file == "-" {
            let read: Data?
            do {
                read = try stdin.map { try $0() } ?? Self.readBounded(.standardInput, limit: limits.maxInputBytes)
            } catch {
                return .failure(
                    InputError(SourceLocation(file: name, line: 0), "file", "cannot be read: \(Self.reason(error))"))
            }
            guard let read, read.count <= limits.maxInputBytes else {
                return .failure(
                    InputError(
                        SourceLocation(file: name, line: 0), "file",
                        "more than the input size limit of \(limits.maxInputBytes) bytes (--max-input-bytes)"))
            }
            data = read
        } else {
            switch readFile(file) {
            case .failure(let e): return .failure(e)
            case .success(let d): data = d
            }
        }
        return decodeText(data, file: name).map { text in
            guard TextChecks.hasContent(text) else { return nil }
            // stdin has no name: `kubectl get -o json | reachproof ... -` is JSON by its first character.
            let json =
                name.lowercased().hasSuffix(".json")
                || (file == "-"
                    && text.utf8.first { $0 > 0x20 }.map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }
                        == true)
            return split(text, file: name, isJSON: json)
        }
    }

    struct Chunk {
        /// The chunk's text, a slice of its file's.
        let slice: Substring
        var text: String { String(slice) }
        let file: String
        /// 1-based line in the file of the chunk's first line.
        let firstLine: Int
        let firstIndex: Int
        let isJSON: Bool
        /// The document had no `---` before it: its start was inferred from a repeated top-level key.
        var inferredStart = false

        /// What stays in the list in place of a chunk once it is parsed.
        static let parsed = Chunk(slice: "", file: "", firstLine: 0, firstIndex: 0, isJSON: false)
    }

    /// What a chunk held. A chunk holds one document but for a stream given to Yams whole (JSON, or text the block
    /// reader declines): the first is kept apart, so that the common case allocates no list per chunk.
    struct ChunkResult<Item> {
        var first: Item?
        var more: [Item] = []
        var errors: [InputError] = []

        mutating func append(_ item: Item) {
            if first == nil { first = item } else { more.append(item) }
        }

        /// What `transform` makes of each item and its position in the chunk, the items consumed.
        consuming func map<Other>(_ transform: (Int, Item) -> Other) -> ChunkResult<Other> {
            var out = ChunkResult<Other>(errors: errors)
            if let first = first.take() { out.first = transform(0, first) }
            if !more.isEmpty { out.more = more.enumerated().map { transform($0.offset + 1, $0.element) } }
            return out
        }

        /// The item at a position `map` gave.
        func item(at position: Int) -> Item? {
            position == 0 ? first : more.indices.contains(position - 1) ? more[position - 1] : nil
        }
    }

    /// Where a document was read: its chunk (a slice of its file's text), the chunk's place in the read, and the
    /// document's place among the chunk's documents.
    struct DocumentOrigin {
        let chunk: Chunk
        let chunkIndex: Int
        let position: Int
    }

    /// Checks that the bytes are text, strips a UTF-8 byte-order mark.
    func decodeText(_ data: Data, file: String) -> Result<String, InputError> {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return .failure(
                InputError(
                    SourceLocation(file: file, line: 1), "file",
                    "UTF-16 text (byte-order mark \(bytes.first == 0xFF ? "FF FE" : "FE FF")); save it as UTF-8"))
        }
        if bytes.withUnsafeBytes({ raw in raw.baseAddress.map { memchr($0, 0, raw.count) != nil } ?? false }) {
            return .failure(
                InputError(
                    SourceLocation(file: file, line: 1), "file", "binary data (NUL byte); not a YAML or JSON text"))
        }
        guard var text = String(data: bytes, encoding: .utf8) else {
            return .failure(InputError(SourceLocation(file: file, line: 1), "file", "not valid UTF-8 text"))
        }
        // A stream may start each of its documents with a byte-order mark (YAML 1.2 §5.2); the parser accepts one
        // only at the very start, so the others go too.
        if Self.containsByteOrderMark(bytes) {
            text = text.replacingOccurrences(of: "\n\u{FEFF}", with: "\n")
        }
        return .success(text)
    }

    /// Splits a stream at lines that begin with `---` (libyaml ends a document there even inside a block
    /// scalar), so that documents can be parsed in parallel. Lines stay where they were in the file.
    func split(_ text: String, file: String, isJSON: Bool) -> [Chunk] {
        if isJSON { return [Chunk(slice: Substring(text), file: file, firstLine: 1, firstIndex: 0, isJSON: true)] }
        var text = text
        let whole = text
        // Pieces are slices of the file's text, found by their byte offsets: cut without a copy here, on one core;
        // each is copied by the worker that parses it.
        func slice(_ range: Range<Int>) -> Substring {
            let utf8 = whole.utf8
            let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            return Substring(utf8[start..<utf8.index(start, offsetBy: range.count)])
        }
        return text.withUTF8 { bytes in
            var chunks: [Chunk] = []
            var start = 0
            var startLine = 1
            var line = 1
            // Top-level `apiVersion:` and `kind:` keys seen in the current document. Files concatenated without a
            // `---` between them (`cat a.yaml b.yaml`) repeat one, which no valid document does: a document starts
            // there.
            var seenAPIVersion = false
            var seenKind = false
            var inferred = false
            func cut(at index: Int, nextStartsInferred: Bool) {
                let piece = slice(start..<index)
                // Directives (`%YAML 1.2`, `%TAG`) belong to the document whose `---` follows them.
                if Self.onlyDirectives(piece) { return }
                if !piece.isEmpty {
                    chunks.append(
                        Chunk(
                            slice: piece, file: file, firstLine: startLine, firstIndex: chunks.count, isJSON: false,
                            inferredStart: inferred))
                }
                start = index
                startLine = line
                seenAPIVersion = false
                seenKind = false
                inferred = nextStartsInferred
            }
            func startsWith(_ prefix: StaticString, at i: Int) -> Bool {
                let n = prefix.utf8CodeUnitCount
                guard i + n <= bytes.count else { return false }
                let p = prefix.utf8Start
                for k in 0..<n where bytes[i + k] != p[k] { return false }
                return true
            }
            // Only line starts matter: the scan jumps from one to the next with memchr, which reads many bytes at a
            // time (a 100,000-workload dump is 95 MB, and this scan runs on one core).
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "-"), startsWith("---", at: i) {
                    let after = i + 3
                    let boundary =
                        after == bytes.count
                        || [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(
                            bytes[after])
                    if boundary, line > startLine || i != 0 { cut(at: i, nextStartsInferred: false) }
                } else if b == UInt8(ascii: "a"), startsWith("apiVersion:", at: i) {
                    if seenAPIVersion { cut(at: i, nextStartsInferred: true) }
                    seenAPIVersion = true
                } else if b == UInt8(ascii: "k"), startsWith("kind:", at: i) {
                    if seenKind { cut(at: i, nextStartsInferred: true) }
                    seenKind = true
                }
                guard let newline = memchr(bytes.baseAddress! + i, Int32(UInt8(ascii: "\n")), bytes.count - i) else {
                    break
                }
                i = bytes.baseAddress!.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
                line += 1
            }
            chunks.append(
                Chunk(
                    slice: slice(start..<bytes.count), file: file, firstLine: startLine, firstIndex: chunks.count,
                    isJSON: false, inferredStart: inferred))
            return chunks
        }
    }

    /// Whether the bytes hold a UTF-8 byte-order mark anywhere (one scan with memchr for its first byte).
    static func containsByteOrderMark(_ data: Data) -> Bool {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            guard var p = raw.baseAddress else { return false }
            var left = raw.count
            while left >= 3, let hit = memchr(p, 0xEF, left) {
                let offset = p.distance(to: UnsafeRawPointer(hit))
                let q = hit.assumingMemoryBound(to: UInt8.self)
                if offset + 2 < left && q[1] == 0xBB && q[2] == 0xBF { return true }
                p = UnsafeRawPointer(hit) + 1
                left -= offset + 1
            }
            return false
        }
    }

    /// Whether a piece of a stream holds directives and nothing else but comments and blank lines. Stops at the
    /// first line that is neither, which for an ordinary document is its first line.
    static func onlyDirectives(_ piece: Substring) -> Bool {
        var sawDirective = false
        var lineStart = true
        var inComment = false
        for c in piece.utf8 {
            if c == UInt8(ascii: "\n") {
                lineStart = true
                inComment = false
                continue
            }
            if inComment || c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") { continue }
            if lineStart && c == UInt8(ascii: "#") {
                inComment = true
            } else if lineStart && c == UInt8(ascii: "%") {
                sawDirective = true
                inComment = true  // the rest of a directive line is its parameters
            } else if lineStart {
                return false
            }
            lineStart = false
        }
        return sawDirective
    }

    func parse(_ chunk: Chunk) -> ChunkResult<Document> {
        var result = ChunkResult<Document>()
        var text = chunk.text
        if let problem = TextChecks.helmLeftover(text) {
            result.errors.append(
                InputError(
                    SourceLocation(file: chunk.file, line: chunk.firstLine + problem - 1), "yaml",
                    "unrendered Helm template expression '{{ ... }}'; render the chart first (helm template)"))
            return result
        }
        if chunk.isJSON {
            if let line = TextChecks.jsonTrailingComma(text) {
                result.errors.append(
                    InputError(
                        SourceLocation(file: chunk.file, line: line), "json", "trailing comma is not allowed in JSON"))
                return result
            }
            text = TextChecks.jsonTabsToSpaces(text)
        }
        // The block YAML that tools write is read without libyaml; anything else goes to Yams. The block reader
        // keeps within the depth limit itself; Yams recurses per level, so its texts are measured first.
        if !chunk.isJSON,
            case .success(let read) = Result(catching: {
                try BlockYAMLReader.document(text, depthLimit: limits.maxDepth)
            })
        {
            if let root = read {
                result.append(
                    Document(
                        root: root, file: chunk.file, line: root.line + chunk.firstLine - 1,
                        lineOffset: chunk.firstLine - 1, index: chunk.firstIndex))
            }
            return result
        }
        if let (depth, line) = TextChecks.nestingDepth(text, limit: limits.maxDepth) {
            result.errors.append(
                InputError(
                    SourceLocation(file: chunk.file, line: chunk.firstLine + line - 1), "yaml",
                    "nesting deeper than \(depth) levels exceeds the limit of \(limits.maxDepth) (--max-depth)"))
            return result
        }
        if let key = TextChecks.aliasedCollectionKey(text) {
            result.errors.append(
                InputError(
                    SourceLocation(file: chunk.file, line: chunk.firstLine + key.line - 1), "yaml",
                    "the alias *\(key.name) stands as a mapping key for a collection: keys of Kubernetes objects are strings, and expanding it is unbounded"
                ))
            return result
        }
        do {
            let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
            var index = 0
            while let root = try parser.nextRoot() {
                let line = (root.mark?.line ?? 1) + chunk.firstLine - 1
                var counter = 0
                // Every node written in the text takes at least one byte of it; nodes beyond the text's size come
                // from aliases. So the limit bounds alias expansion only, and any alias-free document fits.
                if !NodeBudget.fits(root, limit: limits.maxNodesPerDocument + text.utf8.count, counted: &counter) {
                    result.errors.append(
                        InputError(
                            SourceLocation(file: chunk.file, line: line), "yaml",
                            "document gains more than \(limits.maxNodesPerDocument) nodes through aliases (--max-nodes)"
                        ))
                } else {
                    result.append(
                        Document(
                            root: YAMLNode(root), file: chunk.file, line: line, lineOffset: chunk.firstLine - 1,
                            index: chunk.firstIndex + index))
                }
                index += 1
            }
        } catch let error as YamlError {
            result.errors.append(
                YAMLErrorText.inputError(error, file: chunk.file, lineOffset: chunk.firstLine - 1, text: chunk.text))
        } catch {
            result.errors.append(
                InputError(SourceLocation(file: chunk.file, line: chunk.firstLine), "yaml", "\(error)"))
        }
        return result
    }
}

/// Counts nodes with aliases followed, stopping at the limit.
enum NodeBudget {
    static func fits(_ node: Node, limit: Int, counted: inout Int) -> Bool {
        counted += 1
        if counted > limit { return false }
        switch node {
        case .scalar, .alias: return true
        case .mapping(let m):
            // Indices, not iteration: iterating a Yams mapping copies all of its pairs first.
            for i in m.indices
            where
                !(fits(m[i].key, limit: limit, counted: &counted) && fits(m[i].value, limit: limit, counted: &counted))
            {
                return false
            }
            return true
        case .sequence(let s):
            for item in s where !fits(item, limit: limit, counted: &counted) { return false }
            return true
        }
    }
}

enum YAMLErrorText {
    static func inputError(_ error: YamlError, file: String, lineOffset: Int, text: String) -> InputError {
        func at(_ line: Int) -> SourceLocation { SourceLocation(file: file, line: line + lineOffset) }
        switch error {
        case .scanner(let context, let problem, let mark, _):
            // libyaml reports a tab in indentation as a character that cannot start a token; say what it is.
            let line =
                text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(mark.line - 1).first ?? ""
            let tabIndented = line.prefix { $0 == " " || $0 == "\t" }.contains("\t")
            return InputError(
                at(mark.line), "yaml",
                describe(problem, context, lineOffset: lineOffset, tabHint: problem.contains("tab") || tabIndented))
        case .parser(let context, let problem, let mark, _):
            return InputError(
                at(mark.line), "yaml", describe(problem, context, lineOffset: lineOffset, tabHint: false))
        case .composer(let context, let problem, let mark, _):
            return InputError(
                at(mark.line), "yaml", describe(problem, context, lineOffset: lineOffset, tabHint: false))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return InputError(
                at(context.mark.line), "yaml",
                "duplicate key(s) \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping")
        case .reader(let problem, _, _, _):
            return InputError(at(1), "yaml", problem)
        default:
            return InputError(at(1), "yaml", "\(error)")
        }
    }

    /// The parser's message; the line of its context is the file's, like the error's own.
    static func describe(_ problem: String, _ context: YamlError.Context?, lineOffset: Int, tabHint: Bool) -> String {
        var text = problem
        if let context { text += " (\(context.text) at line \(context.mark.line + lineOffset))" }
        if tabHint { text += "; YAML does not allow tabs for indentation" }
        return text
    }
}
