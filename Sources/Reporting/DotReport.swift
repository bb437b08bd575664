import Claims
import Reachability

/// The connectivity map as a Graphviz graph: namespaces are clusters, workloads nodes, external sources and
/// destinations nodes of their own, edges labelled with their connections; flows that refute a claim are red.
public enum DotReport {
    /// The most pairs `map --format dot` draws: Graphviz lays out thousands of edges, and a million is beyond it.
    public static let pairLimit = 100_000

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Pairs (by workload or `external:...` name) that a counterexample of a refuted claim uses.
    public static func refutedPairs(_ results: [ClaimResult]) -> Set<String> {
        var out = Set<String>()
        for r in results where r.verdict == .refuted {
            for c in r.counterexamples {
                // A pod that does not exist yet has no node of its own; external addresses are drawn as external:any.
                func name(_ e: Endpoint) -> String? { e.pod.map { $0.workload } ?? "external:any" }
                guard let s = name(c.source), let d = name(c.destination) else { continue }
                out.insert("\(s) -> \(d)")
            }
        }
        return out
    }

    public static func dot(_ pairs: [ConnectivityMap.Pair], highlighted: Set<String> = []) -> String {
        var nodes = Set<String>()
        for p in pairs {
            nodes.insert(p.source)
            nodes.insert(p.destination)
        }
        var byNamespace: [String: [String]] = [:]
        var external: [String] = []
        for n in nodes.sorted() {
            if n.hasPrefix("external:") {
                external.append(n)
            } else {
                byNamespace[String(n.split(separator: "/")[0]), default: []].append(n)
            }
        }
        var out =
            "digraph connectivity {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];\n"
        for (i, ns) in byNamespace.keys.sorted().enumerated() {
            out +=
                "  subgraph cluster_\(i) {\n    label=\(quoted(ns));\n    style=\"rounded,filled\";\n    fillcolor=\"#f4f6fa\";\n"
            for n in byNamespace[ns]! {
                out += "    \(quoted(n)) [label=\(quoted(String(n.split(separator: "/").last ?? "")))];\n"
            }
            out += "  }\n"
        }
        for n in external { out += "  \(quoted(n)) [shape=ellipse, style=dashed];\n" }
        for p in pairs {
            let label = p.conns.isAll ? "all" : p.conns.description
            let hot = highlighted.contains("\(p.source) -> \(p.destination)")
            out +=
                "  \(quoted(p.source)) -> \(quoted(p.destination)) [label=\(quoted(label))\(hot ? ", color=\"#d0021b\", fontcolor=\"#d0021b\", penwidth=2" : "")];\n"
        }
        return out + "}\n"
    }
}
