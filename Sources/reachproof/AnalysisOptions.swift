import ArgumentParser
import Foundation
import KubeModel
import Reachability

extension Profile: ExpressibleByArgument {}

/// Options that bind the semantics: the profile and the address plan.
struct AnalysisOptions: ParsableArguments {
    @Option(help: "conformance, conservative-security or conservative-availability.")
    var profile: Profile = .conformance

    @Option(help: "The pod network CIDR ('none': pod IPs unconstrained, external addresses anywhere).")
    var podCidr: String = Assumptions.defaultPodCIDR.description

    @Option(
        help:
            "A cluster description (YAML: podCIDR, serviceCIDR, nodeCIDR); overrides --pod-cidr. The values used are printed."
    )
    var cluster: String?

    @Option(
        help:
            "Istio's root namespace (meshConfig.rootNamespace): where mesh-wide PeerAuthentication and AuthorizationPolicy live."
    )
    var meshRootNamespace = "istio-system"

    @Option(
        help:
            "Override an assumption: A-IPBLOCK-PODIP=matches|ignored, A-ENDPORT-SUPPORT=supported|unsupported, A-HOSTNET=H1|H2."
    )
    var assume: [String] = []

    func assumptions() throws -> Assumptions {
        var podCIDR: IPv4CIDR?
        if podCidr != "none" {
            guard case .success(.v4(let c)) = CIDR.parse(podCidr) else {
                throw ValidationError("--pod-cidr: '\(podCidr)' is not an IPv4 CIDR")
            }
            podCIDR = c
        }
        var a = Assumptions(profile: profile, podCIDR: podCIDR)
        if let cluster {
            let description: ClusterDescription
            do { description = try ClusterDescription.load(cluster) } catch let e as InputErrors {
                for error in e.errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
                throw ExitCode(2)
            }
            a.podCIDR = description.podCIDR
            a.serviceCIDR = description.serviceCIDR
            a.nodeCIDR = description.nodeCIDR
            FileHandle.standardError.write(Data("cluster: \(description.summary)\n".utf8))
        }
        a.meshRootNamespace = meshRootNamespace
        for binding in assume {
            switch binding {
            case "A-IPBLOCK-PODIP=matches": a.ipBlockMatchesPods = true
            case "A-IPBLOCK-PODIP=ignored": a.ipBlockMatchesPods = false
            case "A-HOSTNET=H1": a.hostNetworkSelectable = true
            case "A-HOSTNET=H2": a.hostNetworkSelectable = false
            case "A-ENDPORT-SUPPORT=supported": a.endPortSupported = true
            case "A-ENDPORT-SUPPORT=unsupported": a.endPortSupported = false
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
