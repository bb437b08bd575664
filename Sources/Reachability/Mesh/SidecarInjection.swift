import Foundation
import KubeModel

/// Whether a pod runs an Envoy proxy, and which of its traffic the proxy captures (docs/SEMANTICS.md §7.1).
public struct MeshProxy: Hashable, Sendable {
    public enum Kind: String, Sendable { case none, sidecar, gateway }
    public let kind: Kind
    /// Why: the label, annotation or namespace setting that decided.
    public let reason: String
    /// Inbound ports the proxy does not intercept (their traffic meets no PeerAuthentication or AuthorizationPolicy).
    let inboundExcluded: Set<Int>
    /// nil: every inbound port is captured (bar the exclusions); a set: only those.
    let inboundIncluded: Set<Int>?
    let outboundExcluded: Set<Int>
    /// `includeOutboundIPRanges: ""`: no outbound traffic goes through the proxy.
    let outboundBypassed: Bool
    /// The application presents the certificates the proxy writes for it (`OUTPUT_CERTS`), as Istio's Prometheus
    /// integration does: its own connections are mutual TLS with the workload identity.
    let applicationMutualTLS: Bool

    /// Ports istio-iptables never redirects: the proxy's own health, stats and tunnel ports.
    static let alwaysExempt: Set<Int> = [15008, 15020, 15021, 15090]

    public var hasProxy: Bool { kind != .none }

    public func capturesInbound(_ port: Int) -> Bool {
        guard hasProxy, !MeshProxy.alwaysExempt.contains(port), !inboundExcluded.contains(port) else { return false }
        return inboundIncluded?.contains(port) ?? true
    }

    func capturesOutbound(_ port: Int) -> Bool {
        kind == .gateway || (kind == .sidecar && !outboundBypassed && !outboundExcluded.contains(port))
    }

    static func none(_ reason: String) -> MeshProxy {
        MeshProxy(
            kind: .none, reason: reason, inboundExcluded: [], inboundIncluded: nil, outboundExcluded: [],
            outboundBypassed: false,
            applicationMutualTLS: false)
    }
}

enum SidecarInjection {
    /// The injector's decision for a workload (the template of its pods), or the proxy a live Pod already has.
    static func proxy(for w: Workload, namespace: Namespace?, gateways: [IstioGateway], revisions: Set<String>?)
        -> MeshProxy
    {
        let annotations = w.annotations
        func ports(_ key: String) -> Set<Int> {
            Set(
                (annotations[key] ?? "").split(separator: ",").compactMap {
                    Int($0.trimmingCharacters(in: .whitespaces))
                })
        }
        func make(_ kind: MeshProxy.Kind, _ reason: String) -> MeshProxy {
            let include = annotations["traffic.sidecar.istio.io/includeInboundPorts"]
            return MeshProxy(
                kind: kind, reason: reason,
                inboundExcluded: ports("traffic.sidecar.istio.io/excludeInboundPorts"),
                inboundIncluded: include == nil || include == "*"
                    ? nil : ports("traffic.sidecar.istio.io/includeInboundPorts"),
                outboundExcluded: ports("traffic.sidecar.istio.io/excludeOutboundPorts"),
                outboundBypassed: annotations["traffic.sidecar.istio.io/includeOutboundIPRanges"].map {
                    $0.trimmingCharacters(in: .whitespaces).isEmpty
                } ?? false,
                applicationMutualTLS: annotations["proxy.istio.io/config"]?.contains("OUTPUT_CERTS") ?? false)
        }
        if let g = gateways.first(where: {
            !$0.selector.isEmpty && $0.selector.allSatisfy { w.labels[$0.key] == $0.value }
        }) {
            return make(.gateway, "selected by Gateway \(g.namespace)/\(g.name): an Envoy gateway proxy")
        }
        if w.kind == "Pod" && w.containerNames.contains("istio-proxy") {
            return make(.sidecar, "the pod has an istio-proxy container")
        }
        if w.hostNetwork { return .none("hostNetwork pods are never injected") }
        if ["kube-system", "kube-public"].contains(w.namespace) {
            return .none("the injector ignores namespace \(w.namespace)")
        }
        let nsLabels = namespace?.labels ?? [:]
        let nsInjection = nsLabels["istio-injection"]
        let podLabel = w.labels["sidecar.istio.io/inject"]
        var namespaceEnables = nsInjection == "enabled"
        var why = "namespace \(w.namespace) has istio-injection=enabled"
        if nsInjection == nil, let rev = nsLabels["istio.io/rev"] {
            // A revision must be installed; when the input holds no istiod, every revision is taken as installed.
            if revisions.map({ $0.contains(rev) }) ?? true {
                namespaceEnables = true
                why = "namespace \(w.namespace) has istio.io/rev=\(rev)"
            } else {
                return .none(
                    "namespace \(w.namespace) names revision \(rev), which no istiod in the input serves (A-INJECTOR-CONFIG)"
                )
            }
        }
        // The webhook only runs for enabled namespaces or pods labelled for injection.
        let called = namespaceEnables || (podLabel == "true" && nsInjection != "disabled")
        if !called {
            if annotations["sidecar.istio.io/inject"] == "true" {
                return .none(
                    "the sidecar.istio.io/inject annotation alone does not call the injector (namespace \(w.namespace) is not enabled)"
                )
            }
            return .none("namespace \(w.namespace) does not enable injection")
        }
        switch podLabel ?? annotations["sidecar.istio.io/inject"] {
        case "false": return .none("sidecar.istio.io/inject=false on the pod")
        case "true": return make(.sidecar, "sidecar.istio.io/inject=true on the pod")
        default: return make(.sidecar, why)
        }
    }

    /// Revisions served by the istiod workloads of the input; nil when it holds none.
    static func revisions(_ model: ClusterModel) -> Set<String>? {
        let istiods = model.workloads.indices.filter { model.workloads[$0].labels["app"] == "istiod" }
        if istiods.isEmpty { return nil }
        return Set(istiods.map { model.workloads[$0].labels["istio.io/rev"] ?? "default" })
    }
}
