import Foundation
import KubeModel

public enum InventoryReport {
    /// A name padded to the 28-character column, never cut (kind names such as CiliumClusterwideNetworkPolicy are longer).
    static func column(_ name: String) -> String {
        name.padded(to: 28)
    }

    public static func text(_ inv: Inventory) -> String {
        var out = "\(inv.objects) objects in \(inv.documents) documents\n\nBy kind:\n"
        for (kind, n) in inv.kinds.sorted(by: { $0.key < $1.key }) {
            out += "  \(column(kind)) \(n)\n"
        }
        out += "\nBy namespace:\n"
        for (ns, n) in inv.namespaces.sorted(by: { $0.key < $1.key }) {
            out += "  \(column(ns)) \(n)\n"
        }
        out += "\nPods per workload:\n"
        for w in inv.workloads {
            let replicas = w.replicas.map(String.init) ?? (w.kind == "DaemonSet" ? "one per node" : "per run")
            out += "  \(w.workload) (\(w.kind)): \(replicas)\n"
        }
        if !inv.inferredNamespaces.isEmpty {
            out +=
                "\nNamespaces referenced but not declared (created with their name label): \(inv.inferredNamespaces.joined(separator: ", "))\n"
        }
        out += Notices.text(inv)
        return out
    }

    public static func json(_ inv: Inventory) -> String { JSON.encode(inv) }
}

/// The one notice about objects the tool read but does not use.
public enum Notices {
    public static func text(_ inv: Inventory) -> String {
        let (unknownKinds, notYetModelled, skipped) = (inv.unknownKinds, inv.notYetModelled, inv.skippedDocuments)
        var out = ""
        if !unknownKinds.isEmpty {
            out +=
                "\nNotice: kinds not modelled (skipped): "
                + unknownKinds.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
                + "\n"
        }
        if !notYetModelled.isEmpty {
            out +=
                "Notice: kinds of layers this version does not model yet: "
                + notYetModelled.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
                + "\n"
        }
        if !skipped.isEmpty {
            out +=
                "Notice: \(skipped.count) document(s) without apiVersion and kind are not Kubernetes objects and were skipped: \(skipped.prefix(10).joined(separator: ", "))\(skipped.count > 10 ? ", ..." : "")\n"
        }
        for r in inv.rejected { out += "Notice: \(r)\n" }
        if inv.namespaceDefaulted > 0 {
            out +=
                "Notice: \(inv.namespaceDefaulted) object(s) without metadata.namespace were put in namespace \(inv.defaultNamespace) (--default-namespace)\n"
        }
        if inv.templatesReplacedByPods > 0 {
            out +=
                "Notice: the running pods of \(inv.templatesReplacedByPods) controller(s) are in the input and stand for their pod templates\n"
        }
        if inv.finishedPods > 0 {
            out +=
                "Notice: \(inv.finishedPods) pod(s) in phase Succeeded or Failed have no address and count as no replica\n"
        }
        let inferred = inv.inferredDocumentStarts
        if !inferred.isEmpty {
            out +=
                "Notice: \(inferred.count) document(s) began without '---' (concatenated files?); a repeated top-level apiVersion or kind marked their start: \(inferred.prefix(10).joined(separator: ", "))\(inferred.count > 10 ? ", ..." : "")\n"
        }
        return out
    }
}

public enum JSON {
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let s = String(data: data, encoding: .utf8) else { return "{}" }
        return s + "\n"
    }

    /// A string as a JSON string literal, escaped as `encode` escapes it.
    public static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}

extension InventoryReport: Reporter {
    public static let formats: [ReportFormat] = [.text, .json]

    public static func render(_ inventory: Inventory, as format: ReportFormat) -> String {
        switch format {
        case .text: return text(inventory)
        case .json: return json(inventory)
        default: return unsupported(format)
        }
    }
}
