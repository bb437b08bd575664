import Foundation

/// Turns parsed documents into a `ClusterModel`, collecting every input error rather than stopping at the first.
public struct ModelLoader {
    public var limits: LoadLimits
    /// Where namespaced objects without `metadata.namespace` go, as `kubectl apply -n NS` puts them.
    public var defaultNamespace: String
    /// Paths shown under another name in locations (`ManifestReader.shownPaths`).
    public var shownPaths: [(prefix: String, shownAs: String)] = []
    /// Workloads files (`DeclaredWorkloads`): pods operators create that the manifests do not show.
    public var workloadFiles: [String] = []

    public init(limits: LoadLimits = LoadLimits(), defaultNamespace: String = "default") {
        self.limits = limits
        self.defaultNamespace = defaultNamespace
    }

    /// Reads and models the given paths (`-` for stdin).
    public func load(paths: [String], stdin: (() throws -> Data)? = nil)
        -> (model: ClusterModel, errors: [InputError])
    {
        var reader = ManifestReader(limits: limits)
        reader.shownPaths = shownPaths
        // Each document is taken apart and typed by the worker that parsed it, which then frees its tree: the trees
        // of a whole input are never all in memory at once.
        var (documents, readErrors, emptyFiles, inferredStarts) = reader.read(
            paths: paths, stdin: stdin, each: objects(of:from:))
        let (declared, declaredErrors) = readWorkloadFiles()
        let documentCount = documents.count
        let documentStarts = inferredStarts.isEmpty ? [] : documents.map(\.start)
        var typed = gather(&documents)
        var (model, errors) = assemble(&typed, declared: declared)
        errors += declaredErrors
        model.inferredDocumentStarts = inferredStarts
        errors = Self.explainRepeatedTopLevelKeys(
            errors, inferredStarts: inferredStarts, documentStarts: documentStarts)
        errors.append(contentsOf: readErrors)
        // An empty file beside others is listed (a policies file may well be empty); alone, there is nothing to verify:
        // an empty render (a failed `helm template > file`) must not pass as "no policies".
        if documentCount == 0 && readErrors.isEmpty {
            errors += emptyFiles.map {
                InputError(
                    SourceLocation(file: $0, line: 1), "file",
                    "contains no YAML document (empty, or only comments): nothing to analyse")
            }
        } else {
            model.skippedDocuments += emptyFiles.map { SourceLocation(file: $0, line: 1) }
        }
        model.documentCount = documentCount
        // Reading nothing is never an answer: a gate must not pass on input that holds no object at all.
        if errors.isEmpty && model.objects.isEmpty {
            let names = paths.map { $0 == "-" ? "<stdin>" : $0 }
            errors.append(
                InputError(
                    SourceLocation(file: names.first ?? "<none>", line: 0), "input",
                    "no Kubernetes objects found in \(names.joined(separator: ", ")): nothing to analyse"))
        }
        return (model, errors.sorted { ($0.location, $0.field) < ($1.location, $1.field) })
    }

    /// A repeated top-level `apiVersion:` or `kind:` starts a new document (files concatenated without `---`). When
    /// the halves then lack required fields, the key was a duplicate within one object, or a `---` is missing: one
    /// error saying so replaces the missing-field errors of both halves.
    static func explainRepeatedTopLevelKeys(
        _ errors: [InputError], inferredStarts: [SourceLocation], documentStarts: [SourceLocation]
    ) -> [InputError] {
        func isMissingField(_ e: InputError) -> Bool { e.message.hasPrefix("required field is missing") }
        var out = errors
        for start in inferredStarts {
            guard out.contains(where: { $0.location == start && isMissingField($0) }) else { continue }
            let previous = documentStarts.filter { $0.file == start.file && $0.line < start.line }.map(\.line).max()
            let halves = [start] + (previous.map { [SourceLocation(file: start.file, line: $0)] } ?? [])
            out.removeAll { halves.contains($0.location) && isMissingField($0) }
            out.append(
                InputError(
                    start, "document",
                    "a top-level apiVersion or kind repeats here"
                        + (previous.map { " within the document begun at line \($0)" } ?? "")
                        + ": a duplicate key, or a missing '---' between two documents"))
        }
        return out
    }

    /// An object as found in a document, before typing.
    struct RawObject {
        let apiVersion: String
        /// The kind as identities name it: the bare kind, or kind.group for a kind name another group serves.
        let kind: String
        let groupKind: GroupKind
        let root: Field
    }

    /// The workloads the `workloadFiles` declare, with every error they hold.
    func readWorkloadFiles() -> ([Workload], [InputError]) {
        guard !workloadFiles.isEmpty else { return ([], []) }
        var reader = ManifestReader(limits: limits)
        reader.shownPaths = shownPaths
        let (documents, readErrors, emptyFiles, _) = reader.read(paths: workloadFiles, stdin: nil)
        var errors = readErrors
        errors += emptyFiles.map { InputError(SourceLocation(file: $0, line: 1), "file", "declares no workloads") }
        var workloads: [Workload] = []
        for doc in documents {
            let root = Field(
                node: doc.root, path: "", file: doc.file, fallbackLine: doc.line, lineOffset: doc.lineOffset)
            do { workloads += try DeclaredWorkloads.parse(root) } catch {
                errors += InputErrors.of(error, at: root.location)
            }
        }
        return (workloads, errors)
    }

    /// An object of a document, named and typed by the worker that read the document. Its tree is freed there.
    struct ReadObject {
        let location: SourceLocation
        let identity: Result<(ObjectID, namespaceDefaulted: Bool), any Error>
        /// nil when the object has no identity.
        var addition: Result<ModelAddition, InputErrors>?
        /// Where to read the object again, to compare it with a repeat of its identity: its document, and its place
        /// among the document's objects.
        let origin: ManifestReader.DocumentOrigin
        let position: Int
    }

    /// What one document holds: its objects, named and typed; documents that are not objects; errors of list items.
    struct DocumentObjects {
        let start: SourceLocation
        var objects: [ReadObject] = []
        var skipped: [SourceLocation] = []
        var errors: [InputError] = []
    }

    /// The first stage of building a model, the last that reads the syntax trees. It runs on any thread, once per
    /// document. Every object is typed, repeats of an identity too: they are rare, and only `gather` knows them.
    func objects(of doc: Document, from origin: ManifestReader.DocumentOrigin) -> DocumentObjects {
        let collected = collected(doc)
        var out = DocumentObjects(
            start: SourceLocation(file: doc.file, line: doc.line), skipped: collected.skipped, errors: collected.errors)
        out.objects.reserveCapacity(collected.raw.count)
        for (position, object) in collected.raw.enumerated() {
            let location = object.root.location
            let identity = Result { try self.identity(object) }
            let addition = (try? identity.get()).map { id, _ in
                Result { try typed(id, object) }.mapError { InputErrors(InputErrors.of($0, at: location)) }
            }
            out.objects.append(
                ReadObject(
                    location: location, identity: identity, addition: addition, origin: origin, position: position))
        }
        return out
    }

    /// What a document holds, lists expanded.
    func collected(_ doc: Document) -> Collected {
        var out = Collected()
        let root = Field(
            node: doc.root, path: "", file: doc.file, fallbackLine: doc.line, lineOffset: doc.lineOffset)
        if root.isNull { return out }
        do { try collect(root, into: &out) } catch { out.errors.append(InputError.wrapping(error, at: root.location)) }
        return out
    }

    /// Objects as their kinds' readers typed them, in input order, and what was learnt on the way.
    struct TypedObjects {
        var model: ClusterModel
        var errors: [InputError]
        var additions: [Result<ModelAddition, InputErrors>]
    }

    /// The documents' objects in input order, each identity once: identical repeats are kept once, and different
    /// content under one identity is an error naming both places. The documents are consumed.
    func gather(_ documents: inout [DocumentObjects]) -> TypedObjects {
        var model = ClusterModel()
        model.namespaceDefaulted.namespace = defaultNamespace
        var errors: [InputError] = []
        model.objects.reserveCapacity(documents.count)
        // Where each identity was first met, for comparing a repeat with it: built when the first repeat is met, as
        // most inputs have none and a second map of every identity costs a hash per object.
        var firstPlace: [ObjectID: (document: Int, object: Int)]?
        var unique: [(id: ObjectID, document: Int, object: Int)] = []
        unique.reserveCapacity(documents.count)
        var additions: [Result<ModelAddition, InputErrors>] = []
        additions.reserveCapacity(documents.count)
        // Repeats of an identity, compared with their first once all are known (`RereadObjects`).
        var repeats: [(id: ObjectID, first: (document: Int, object: Int), again: (document: Int, object: Int))] = []
        // Read in place: a copy of an object made on another core would touch its reference counts once more.
        for d in documents.indices {
            // Most documents have neither: appending nothing would still make each list unique first.
            if !documents[d].skipped.isEmpty { model.skippedDocuments += documents[d].skipped }
            if !documents[d].errors.isEmpty { errors += documents[d].errors }
            for o in documents[d].objects.indices {
                let location = documents[d].objects[o].location
                do {
                    let (id, namespaceDefaulted) = try documents[d].objects[o].identity.get()
                    // One lookup that inserts: repeats are rare, and the first location is put back for them.
                    if let firstLocation = model.objects.updateValue(location, forKey: id) {
                        model.objects[id] = firstLocation
                        if firstPlace == nil {
                            firstPlace = Dictionary(
                                uniqueKeysWithValues: unique.map { ($0.id, ($0.document, $0.object)) })
                        }
                        repeats.append((id, firstPlace![id]!, (d, o)))
                        continue
                    }
                    if namespaceDefaulted { model.namespaceDefaulted.count += 1 }
                    firstPlace?[id] = (d, o)
                    unique.append((id, d, o))
                    if let addition = documents[d].objects[o].addition.take() { additions.append(addition) }
                } catch { errors.append(InputError.wrapping(error, at: location)) }
            }
        }
        if !repeats.isEmpty {
            func object(_ place: (document: Int, object: Int)) -> ReadObject {
                documents[place.document].objects[place.object]
            }
            let reread = RereadObjects(
                repeats.map { (object($0.first), object($0.again)) }, reader: ManifestReader(limits: limits),
                loader: self)
            for (id, first, again) in repeats {
                if reread.sameContent(object(first), object(again)) {
                    model.duplicates.append(id)
                } else {
                    errors.append(
                        InputError(
                            object(again).location, "metadata.name",
                            "\(id) is defined twice with different content (first at \(object(first).location))"))
                }
            }
        }
        // What is left (a record per object) is freed on the other core, while this one assembles the model.
        documents.releaseInBackground()
        return TypedObjects(model: model, errors: errors, additions: additions)
    }

    /// Objects read again from their text, to compare two of one identity. Two objects at the same place of the same
    /// text (a file given twice, a document repeated as it was written) are the same without reading them. For the
    /// others, each chunk that holds one is parsed once, on every core.
    struct RereadObjects {
        /// The objects of each document of the chunks parsed again, by the chunk's place in the read.
        private let chunks: [Int: [[RawObject]]]
        /// How many chunks were parsed again.
        var chunksRead: Int { chunks.count }

        init(_ pairs: [(ReadObject, ReadObject)], reader: ManifestReader, loader: ModelLoader) {
            var origins: [Int: ManifestReader.Chunk] = [:]
            for (a, b) in pairs where !Self.sameText(a, b) {
                for object in [a, b] { origins[object.origin.chunkIndex] = object.origin.chunk }
            }
            let pending = Array(origins)
            let parsed = pending.concurrentMap { _, chunk in
                let result = reader.parse(chunk)
                var documents: [[RawObject]] = []
                while let doc = result.item(at: documents.count) { documents.append(loader.collected(doc).raw) }
                return documents
            }
            chunks = Dictionary(uniqueKeysWithValues: zip(pending.map(\.key), parsed))
        }

        /// Whether two objects hold the same content, lines aside.
        func sameContent(_ a: ReadObject, _ b: ReadObject) -> Bool {
            if Self.sameText(a, b) { return true }
            guard let x = tree(of: a), let y = tree(of: b) else { return false }
            return YAMLNode.sameContent(x, y)
        }

        /// Parsing is a function of a chunk's text and kind (lines aside), so equal texts hold equal objects at
        /// equal places.
        static func sameText(_ a: ReadObject, _ b: ReadObject) -> Bool {
            let (x, y) = (a.origin, b.origin)
            return a.position == b.position && x.position == y.position && x.chunk.isJSON == y.chunk.isJSON
                && x.chunk.slice.utf8.elementsEqual(y.chunk.slice.utf8)
        }

        private func tree(of object: ReadObject) -> YAMLNode? {
            guard let documents = chunks[object.origin.chunkIndex],
                documents.indices.contains(object.origin.position)
            else { return nil }
            let objects = documents[object.origin.position]
            return objects.indices.contains(object.position) ? objects[object.position].root.node : nil
        }
    }

    /// The second stage: typed objects added to the model in input order, workloads resolved, declared workloads
    /// and referenced namespaces added, everything sorted.
    func assemble(_ typed: inout TypedObjects, declared: [Workload]) -> (ClusterModel, [InputError]) {
        var errors = typed.errors
        var builder = ModelBuilder(model: typed.model)
        for addition in typed.additions {
            switch addition {
            case .success(let addition): addition(&builder)
            case .failure(let e): errors += e.errors
            }
        }
        // What the readers made for each object is in the model now; the rest is freed on another thread.
        typed.additions.releaseInBackground()
        builder.finishWorkloads()
        // A declared workload adds pods; it never stands for (or hides) a workload of the manifests.
        let defined =
            declared.isEmpty
            ? [:] : Dictionary(builder.model.workloads.map { ($0.id, $0.location) }, uniquingKeysWith: { a, _ in a })
        for w in declared {
            if let other = defined[w.id] {
                errors.append(
                    InputError(w.location, "name", "workload \(w.id) is also defined by the manifests (\(other))"))
            } else {
                builder.model.workloads.append(w)
            }
        }
        // Taken from the builder, so that each list is sorted in place rather than copied.
        var model = ClusterModel()
        swap(&model, &builder.model)
        let declaredNamespaces = builder.namespaces
        // Two halves on two cores, each with variables of its own: the workloads, the namespaces the objects name,
        // and the other lists (the Services as long as the workloads).
        var workloads: [Workload] = []
        swap(&workloads, &model.workloads)
        let objects = model.objects
        var referenced = Set<String>()
        concurrently(
            {
                workloads.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
                for id in objects.keys { if let ns = id.namespace { referenced.insert(ns) } }
            },
            {
                model.adminPolicies.sort { ($0.priority, $0.name) < ($1.priority, $1.name) }
                model.clusterNetworkPolicies.sort { $0.name < $1.name }
                model.networkPolicies.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
                model.services.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
                model.ingresses.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
                model.sortIstioObjects()
            })
        model.workloads = workloads
        // Namespaces referenced but not declared are created with their name label.
        for w in declared { referenced.insert(w.namespace) }
        model.namespaces = declaredNamespaces
        for ns in referenced where declaredNamespaces[ns] == nil {
            model.namespaces[ns] = Namespace(name: ns, labels: [:], inferred: true, location: nil)
        }
        return (model, errors)
    }

    /// What one document holds: its objects, documents that are not objects, and errors of list items.
    struct Collected {
        var raw: [RawObject] = []
        var skipped: [SourceLocation] = []
        var errors: [InputError] = []
    }

    /// Expands `List` kinds and separates Kubernetes objects from other YAML.
    func collect(
        _ root: Field, into out: inout Collected, inheritedKind: String? = nil, inheritedVersion: String? = nil,
        inList: Bool = false
    ) throws {
        if case .sequence = root.node, !inList {
            // A bare array of objects (what `jq .items` prints) is a list, if it holds objects at all.
            let items = try root.items()
            let objects = items.contains { $0.isMapping && ($0["kind"] != nil || $0["apiVersion"] != nil) }
            guard objects else {
                out.skipped.append(root.location)
                return
            }
            collectItems(items, into: &out, kind: nil, version: nil)
            return
        }
        guard case .mapping = root.node else {
            // Inside a List every item is an object, as the API server decodes one.
            if inList { throw root.error("a list item must be an object, found \(root.kindName)") }
            out.skipped.append(root.location)
            return
        }
        if root.node(at: "kind") == nil && root.node(at: "apiVersion") == nil && inheritedKind == nil {
            if inList { throw root.error("a list item must be a Kubernetes object, with apiVersion and kind") }
            out.skipped.append(root.location)
            return
        }
        let kind = try root.string(at: "kind") ?? inheritedKind ?? ""
        if kind.isEmpty { throw root.missing("kind") }
        guard let apiVersion = try root.string(at: "apiVersion") ?? inheritedVersion else {
            throw root.missing("apiVersion")
        }
        if kind == "List" || (kind.hasSuffix("List") && root.has("items")) {
            // kubectl writes items of typed lists (PodList, ...) without their own kind.
            collectItems(
                try root["items"]?.items() ?? [], into: &out,
                kind: kind == "List" ? nil : String(kind.dropLast(4)), version: kind == "List" ? nil : apiVersion)
            return
        }
        // A kind of another API group (Calico's NetworkPolicy) is another resource: name it by its group.
        let groupKind = GroupKind(apiVersion: apiVersion, kind: kind)
        out.raw.append(
            RawObject(
                apiVersion: apiVersion, kind: KindRegistry.identityName(of: groupKind), groupKind: groupKind,
                root: root))
    }

    /// The items of a list, each on its own: one bad item is reported and the others are still read.
    private func collectItems(_ items: [Field], into out: inout Collected, kind: String?, version: String?) {
        for item in items {
            do {
                try collect(item, into: &out, inheritedKind: kind, inheritedVersion: version, inList: true)
            } catch { out.errors.append(InputError.wrapping(error, at: item.location)) }
        }
    }

    /// The object's identity, and whether its namespace is the default one because `metadata.namespace` is absent.
    func identity(_ object: RawObject) throws -> (ObjectID, namespaceDefaulted: Bool) {
        guard let metadata = object.root["metadata"] else { throw object.root.missing("metadata") }
        // Values are read in place, each looked up once: this runs for every object of the input.
        let writtenName = try metadata.string(at: "name")
        guard let name = try writtenName ?? metadata.string(at: "generateName"), !name.isEmpty else {
            throw metadata.missing("name")
        }
        let reader = KindRegistry.readers[object.groupKind]
        let scoped = reader?.clusterScoped ?? KindRegistry.unreadClusterScoped.contains(object.kind)
        let writtenNamespace = scoped ? nil : try metadata.string(at: "namespace")
        let namespace = scoped ? nil : (writtenNamespace ?? defaultNamespace)
        // Names of the kinds reachproof reads are validated as the API server does; others (RBAC names may hold
        // ':') are only identified.
        if reader != nil, writtenName != nil {
            let labelNamed = object.groupKind.kind == "Namespace" || object.groupKind.kind == "Service"
            if let problem = labelNamed ? LabelSyntax.dnsLabelProblem(name) : LabelSyntax.subdomainProblem(name) {
                throw metadata["name"]!.error("name \(problem)")
            }
        }
        if let namespace, let problem = LabelSyntax.dnsLabelProblem(namespace) {
            throw (metadata["namespace"] ?? metadata).error("namespace \(problem)")
        }
        let id = ObjectID(kind: object.kind, namespace: namespace, name: name)
        return (id, namespace != nil && writtenNamespace == nil)
    }

    /// Reads one object with its kind's reader; kinds without one are listed as unmodelled or unknown.
    func typed(_ id: ObjectID, _ object: RawObject) throws -> ModelAddition {
        let root = object.root
        guard let reader = KindRegistry.readers[object.groupKind] else {
            if KindRegistry.laterLayers.contains(object.groupKind) {
                return { $0.model.unmodelled[id.kind, default: []].append(id) }
            }
            // A known kind spelt with other letter case (`Networkpolicy`) is a mistake, not another resource: skipping
            // it would silently drop, say, the default deny it meant.
            if let meant = KindRegistry.readers.keys.first(where: {
                $0.group == object.groupKind.group && $0.kind.lowercased() == object.groupKind.kind.lowercased()
            }) {
                throw root["kind"]!.error(
                    "unknown kind '\(object.groupKind.kind)' in \(object.apiVersion) (did you mean \(meant.kind)?)")
            }
            // A kind reachproof reads, under a group it reads other kinds of (`apps/v1` Pod): the wrong apiVersion,
            // which the API server rejects, rather than a resource of its own.
            let kind = object.groupKind.kind
            if KindRegistry.readers.keys.contains(where: { $0.group == object.groupKind.group }),
                KindRegistry.knows(kind: kind)
            {
                let expected = KindRegistry.versions(ofKind: kind).sorted().joined(separator: " or ")
                throw root["apiVersion"]!.error(
                    "\(kind) is not served by apiVersion '\(object.apiVersion)' (expected \(expected))")
            }
            let cniPolicy = KindRegistry.isCNIPolicy(object.groupKind)
            let createsPods = KindRegistry.podCreatingKinds.contains(object.groupKind)
            return {
                $0.model.unknownKinds[id.kind, default: []].append(id)
                if cniPolicy { $0.model.cniPolicies.append(id) }
                if createsPods { $0.model.podCreatingResources[object.groupKind.description, default: 0] += 1 }
            }
        }
        guard reader.versions.contains(object.apiVersion) else {
            let expected = KindRegistry.versions(ofKind: object.groupKind.kind).sorted().joined(separator: " or ")
            throw root["apiVersion"]!.error(
                "unknown apiVersion '\(object.apiVersion)' for \(object.kind) (expected \(expected))")
        }
        if let spec = root["spec"], !spec.isMapping { throw spec.error("expected a mapping, found \(spec.kindName)") }
        return try reader.read(ObjectInput(id: id, kind: object.groupKind.kind, root: root))
    }
}

/// The model under construction, with what only loading needs: declared namespaces and the workload each pod owner's
/// pods joined.
struct ModelBuilder {
    var model: ClusterModel
    var namespaces: [String: Namespace] = [:]
    /// Workload objects and pods in input order, with their controlling owner and the name of the object they come
    /// from (an operator's resource stands for a StatefulSet of another name); resolved by `finishWorkloads`.
    private var entries: [(workload: Workload, owner: (kind: String, name: String)?, objectName: String)] = []

    init(model: ClusterModel) { self.model = model }

    mutating func addWorkload(_ w: Workload, owner: (kind: String, name: String)?, objectName: String? = nil) {
        entries.append((w, owner, objectName ?? w.name))
    }

    /// Turns workload objects and pods into the model's workloads, as a live dump means them: a workload is its
    /// top-level controller present in the input (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob), so a
    /// Deployment, its ReplicaSet and their Pods count once; running pods stand for their controller's template,
    /// which stands for pods only where none of them is in the input. Pods of one controller join one workload while
    /// their labels and ports agree. A static pod (owned by its Node) and a pod without an owner keep their own name.
    mutating func finishWorkloads() {
        func key(_ ns: String, _ kind: String, _ name: String) -> String { "\(ns)/\(kind)/\(name)" }
        // Templates are looked up by owner references only: manifests without any (the usual case) need no index.
        var templates: [String: Int] = [:]
        if entries.contains(where: { $0.owner != nil }) {
            for (i, e) in entries.enumerated().reversed() where e.workload.kind != "Pod" {
                templates[key(e.workload.namespace, e.workload.kind, e.objectName)] = i
            }
        }
        /// The top-level controller in the input of an object owned by `owner`.
        func top(_ ns: String, _ owner: (kind: String, name: String)) -> (kind: String, name: String) {
            var current = owner
            var seen = Set<String>()
            while let i = templates[key(ns, current.kind, current.name)], let up = entries[i].owner,
                templates[key(ns, up.kind, up.name)] != nil, seen.insert(key(ns, up.kind, up.name)).inserted
            {
                current = up
            }
            return current
        }
        /// A pod's controller: its owner resolved upwards; a ReplicaSet missing from the input is named after its
        /// Deployment when the pod's pod-template-hash shows the ReplicaSet name was derived from it.
        func controller(of pod: Workload, _ owner: (kind: String, name: String)) -> (kind: String, name: String) {
            var resolved = top(pod.namespace, owner)
            if resolved.kind == "ReplicaSet", templates[key(pod.namespace, "ReplicaSet", resolved.name)] == nil,
                let hash = pod.labels["pod-template-hash"], resolved.name.hasSuffix("-" + hash)
            {
                resolved = ("Deployment", String(resolved.name.dropLast(hash.count + 1)))
            }
            return resolved
        }
        var podOwners = Set<String>()
        for e in entries where e.workload.kind == "Pod" {
            guard let owner = e.owner, owner.kind != "Node" else { continue }
            let c = controller(of: e.workload, owner)
            podOwners.insert(key(e.workload.namespace, c.kind, c.name))
        }
        // Running pods of one controller, grouped by what the policy stages see of a pod. The labels a controller
        // sets per pod or per revision count only where some selector of the input reads them. Finding those keys
        // walks every selector, so it waits for a pod that has a controller: manifests without pods have none.
        let ignored = podOwners.isEmpty ? [] : Self.perPodLabels.subtracting(model.selectorKeys)
        func seen(_ w: Workload) -> [String: String] { w.labels.filter { !ignored.contains($0.key) } }
        struct Group {
            var pod: Workload
            var labels: [String: String]
            var names: [String] = []
        }
        var groups: [String: [Group]] = [:]
        var controllers: [String: (namespace: String, kind: String, name: String)] = [:]
        var finished: [String: [Workload]] = [:]
        for (w, owner, objectName) in entries {
            if w.kind != "Pod" {
                // A template owned by another template of the input (a ReplicaSet of a Deployment) is that one's.
                if let up = owner, templates[key(w.namespace, up.kind, up.name)] != nil { continue }
                // Running pods stand for the template.
                if !podOwners.isEmpty && podOwners.contains(key(w.namespace, w.kind, objectName)) {
                    model.templatesReplacedByPods += 1
                    continue
                }
                model.workloads.append(w)
                continue
            }
            guard let owner, owner.kind != "Node" else {
                model.workloads.append(w)
                continue
            }
            let c = controller(of: w, owner)
            let ownerKey = key(w.namespace, c.kind, c.name)
            controllers[ownerKey] = (w.namespace, c.kind, c.name)
            // A pod that ran to completion has no address: it names its controller but joins no group.
            if w.replicas == 0 {
                finished[ownerKey, default: []].append(w)
                continue
            }
            let labels = seen(w)
            if let i = groups[ownerKey]?.firstIndex(where: { $0.labels == labels && Self.samePod($0.pod, w) }) {
                groups[ownerKey]![i].names.append(w.name)
            } else {
                groups[ownerKey, default: []].append(Group(pod: w, labels: labels, names: [w.name]))
            }
        }
        for (ownerKey, c) in controllers.sorted(by: { $0.key < $1.key }) {
            let ownGroups = groups[ownerKey] ?? []
            // The controller's workload name: an operator's resource is named as the StatefulSet it creates.
            let controllerName = templates[ownerKey].map { entries[$0].workload.name } ?? c.name
            let names = Self.groupNames(ownGroups.map { ($0.pod, $0.names) }, controller: controllerName)
            for (group, name) in zip(ownGroups, names) {
                let w = group.pod.standingFor(
                    kind: c.kind, name: name, labels: group.labels, replicas: group.names.count)
                for pod in group.names { model.podWorkloads["\(w.namespace)/\(pod)"] = name }
                if ownGroups.count > 1 { model.groupControllers[w.id] = "\(w.namespace)/\(controllerName)" }
                model.workloads.append(w)
            }
            guard let done = finished[ownerKey], let first = done.first else { continue }
            model.finishedPods += done.count
            // Only finished pods: the controller stays known, with no pod running.
            let name = names.first ?? controllerName
            if ownGroups.isEmpty {
                model.workloads.append(first.standingFor(kind: c.kind, name: name, labels: seen(first), replicas: 0))
            }
            for pod in done { model.podWorkloads["\(c.namespace)/\(pod.name)"] = name }
        }
        entries = []
    }

    /// Pods the policy stages cannot tell apart, labels aside: the same service account, ports and host network.
    static func samePod(_ a: Workload, _ b: Workload) -> Bool {
        a.serviceAccount == b.serviceAccount && a.ports == b.ports && a.hostNetwork == b.hostNetwork
    }

    /// Labels controllers set on each pod or revision (a StatefulSet pod's name and index, a revision's hash): pods
    /// that differ only there are the same to every selector that does not read them.
    static let perPodLabels: Set<String> = [
        "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "controller-revision-hash",
        "pod-template-hash", "pod-template-generation",
    ]

    /// Names for the groups of one controller's pods: the controller's name when its pods all agree; otherwise a
    /// name per group that tells it apart: the ReplicaSet's name (controller-hash) for the pods of one rollout step,
    /// else the pod's own name for a single pod (each StatefulSet pod), else the first of its pods' names.
    static func groupNames(_ groups: [(pod: Workload, names: [String])], controller: String) -> [String] {
        guard groups.count > 1 else { return groups.map { _ in controller } }
        let hashes = groups.map { $0.pod.labels["pod-template-hash"] }
        let hashesTellApart = hashes.allSatisfy { $0 != nil } && Set(hashes).count == groups.count
        return zip(groups, hashes).map { group, hash in
            if hashesTellApart, let hash { return "\(controller)-\(hash)" }
            return group.names.min()!
        }
    }
}
