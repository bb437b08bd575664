import ArgumentParser
import Foundation
import KubeModel
import Reachability

extension Profile: ExpressibleByArgument {}

/// Options that bind the semantics: the profile and the address plan.
struct AnalysisOptions: ParsableArguments {
    @Option(name: .customLong("profile"), help: "conformance, conservative-security or conservative-availability.")
    var profileOption: Profile?

    @Option(
        name: .customLong("pod-cidr"),
        help: ArgumentHelp(
            "The pod network: one CIDR per IP family, comma-separated ('none': pod IPs unconstrained, external addresses anywhere).",
            discussion: "Default: 10.244.0.0/16 and fd00:10:244::/56 (kind's), for the families in use."))
    var podCidrOption: String?

    @Option(
        name: .customLong("ip-families"),
        help: ArgumentHelp(
            "The cluster's IP families: ipv4, ipv6 or dual (A-IP-FAMILIES).",
            discussion: "Default: the families of --pod-cidr when given, else dual-stack."))
    var ipFamiliesOption: String?

    @Option(
        name: .customLong("cluster"),
        help:
            "A cluster description (YAML: ipFamilies, podCIDR, serviceCIDR, nodeCIDR); overrides --pod-cidr and --ip-families. The values used are printed."
    )
    var clusterOption: String?

    @Option(
        help:
            "The addresses DNS answers for names (YAML: name: [addresses]), for Cilium toFQDNs rules (A-DNS)."
    )
    var dnsAnswers: String?

    @Option(
        name: .customLong("mesh-root-namespace"),
        help:
            "Istio's root namespace (meshConfig.rootNamespace): where mesh-wide PeerAuthentication and AuthorizationPolicy live."
    )
    var meshRootNamespaceOption: String?

    @Option(
        name: .customLong("gateway-pods"),
        help:
            "The workloads implementing a Gateway API Gateway whose pods the input lacks: NS/GATEWAY=NS/WORKLOAD[,NS/WORKLOAD] (repeatable)."
    )
    var gatewayPodsOption: [String] = []

    @Option(
        name: .customLong("assume"),
        help:
            "Override an assumption: A-IPBLOCK-PODIP=matches|ignored, A-ENDPORT-SUPPORT=supported|unsupported, A-HOSTNET=H1|H2, A-CILIUM-ENFORCEMENT=default|always|never."
    )
    var assumeOption: [String] = []

    // Each setting: the flag, else .reachproof.yaml, else the default; lists add the flags to the file's.
    var config: ProjectConfig? { ProjectConfig.current }
    var profile: Profile { profileOption ?? config?.profile.flatMap(Profile.init(rawValue:)) ?? .conformance }
    var podCidr: String? { podCidrOption ?? config?.podCIDR }
    var ipFamilies: String? { ipFamiliesOption ?? config?.ipFamilies }
    var cluster: String? { clusterOption ?? config?.cluster }
    var meshRootNamespace: String { meshRootNamespaceOption ?? config?.meshRootNamespace ?? "istio-system" }
    var gatewayPods: [String] { (config?.gatewayPods ?? []) + gatewayPodsOption }
    var assume: [String] { (config?.assume ?? []) + assumeOption }

    func assumptions() throws -> Assumptions {
        var podCIDRs: [CIDR]?
        if let podCidr, podCidr != "none" {
            podCIDRs = try podCidr.split(separator: ",").map { text in
                switch CIDR.parse(text.trimmingCharacters(in: .whitespaces)) {
                case .success(let c): return c
                case .failure(let problem): throw ValidationError("--pod-cidr: \(problem.message)")
                }
            }
            if Set(podCIDRs!.map(\.family)).count != podCIDRs!.count {
                throw ValidationError("--pod-cidr: give one CIDR per IP family")
            }
        }
        var families = podCIDRs.map { $0.map(\.family) } ?? IPFamily.allCases
        switch ipFamilies?.lowercased() {
        case nil: break
        case "ipv4": families = [.ipv4]
        case "ipv6": families = [.ipv6]
        case "dual": families = IPFamily.allCases
        case let other?: throw ValidationError("--ip-families: '\(other)' is not ipv4, ipv6 or dual")
        }
        let defaults = ClusterDescription.defaultPodCIDRs.filter { d in
            !(podCIDRs ?? []).contains { $0.family == d.family }
        }
        var a = Assumptions(
            profile: profile, podCIDRs: podCidr == "none" ? [] : (podCIDRs ?? []) + defaults, ipFamilies: families)
        if let cluster {
            let description: ClusterDescription
            do { description = try ClusterDescription.load(cluster) } catch let e as InputErrors {
                for error in e.errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
                throw ExitCode(2)
            }
            a = Assumptions(profile: profile, podCIDRs: description.podCIDRs, ipFamilies: description.ipFamilies)
            a.serviceCIDRs = description.serviceCIDRs
            a.nodeCIDRs = description.nodeCIDRs
            FileHandle.standardError.write(Data("cluster: \(description.summary)\n".utf8))
        }
        if let dnsAnswers {
            do { a.dnsAnswers = try DNSAnswers.load(dnsAnswers) } catch let e as InputErrors {
                for error in e.errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
                throw ExitCode(2)
            }
        }
        a.meshRootNamespace = meshRootNamespace
        for binding in gatewayPods {
            let parts = binding.split(separator: "=", maxSplits: 1).map(String.init)
            let workloads = parts.count == 2 ? parts[1].split(separator: ",").map(String.init) : []
            guard parts.count == 2, parts[0].split(separator: "/").count == 2,
                !workloads.isEmpty, workloads.allSatisfy({ $0.split(separator: "/").count == 2 })
            else { throw ValidationError("--gateway-pods: '\(binding)' is not NS/GATEWAY=NS/WORKLOAD[,NS/WORKLOAD]") }
            a.gatewayPods[parts[0], default: []] += workloads
        }
        for binding in assume {
            switch binding {
            case "A-IPBLOCK-PODIP=matches": a.ipBlockMatchesPods = true
            case "A-IPBLOCK-PODIP=ignored": a.ipBlockMatchesPods = false
            case "A-HOSTNET=H1": a.hostNetworkSelectable = true
            case "A-HOSTNET=H2": a.hostNetworkSelectable = false
            case "A-ENDPORT-SUPPORT=supported": a.endPortSupported = true
            case "A-ENDPORT-SUPPORT=unsupported": a.endPortSupported = false
            case "A-CILIUM-ENFORCEMENT=default": a.ciliumEnforcement = .default
            case "A-CILIUM-ENFORCEMENT=always": a.ciliumEnforcement = .always
            case "A-CILIUM-ENFORCEMENT=never": a.ciliumEnforcement = .never
            default: throw ValidationError("--assume: unknown binding '\(binding)'")
            }
        }
        return a
    }
}

/// `--layer`: a layer, or `auto` (the default): the deepest the input exercises (`AutoLayer`), named in the output.
enum LayerOption: String, CaseIterable, ExpressibleByArgument {
    case auto, netpol, mesh
    case endToEnd = "end-to-end"

    var fixed: Layer? { Layer(rawValue: rawValue) }
}
