import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// Cilium's semantics on the vector fixture (a/x serves http 8080, a/y, b/c, b/d, c/e; namespaces a, b, c labelled
/// team=a|b|c): default deny on selection, empty and L4-only sections, namespace confinement of selectors, clusterwide
/// reach, deny over every allow, CIDR rules that never match pods, entities, and the union with NetworkPolicy.
final class CiliumNetworkPolicyKindTests: XCTestCase {
    typealias V = NetworkPolicyVectorTests

    static func cnp(_ ns: String, _ name: String, _ spec: String) -> String {
        "---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: \(name), namespace: \(ns)}\nspec: \(spec)\n"
    }

    static func ccnp(_ name: String, _ spec: String) -> String {
        "---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: \(name)}\nspec: \(spec)\n"
    }

    func evaluator(_ extra: String, _ assumptions: Assumptions = Assumptions()) throws -> Evaluator {
        Evaluator(model: try loadModel(V.fixture + extra), assumptions: assumptions)
    }

    func testSelectionPutsEndpointsIntoDefaultDenyAndAnEmptySectionAdmitsNothing() throws {
        let e = try evaluator(Self.cnp("a", "lock", "{endpointSelector: {matchLabels: {app: x}}, ingress: [{}]}"))
        XCTAssertFalse(e.allows("a/y", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows(external: "192.0.2.1", "a/x", .tcp, 8080))
        XCTAssertTrue(e.allows("a/x", "a/y", .tcp, 8080), "egress has no section: open")
        XCTAssertTrue(e.allows("b/c", "a/y", .tcp, 8080), "a/y is not selected")
    }

    func testAnL4OnlySectionAdmitsEveryPeerOnItsPorts() throws {
        let e = try evaluator(
            Self.cnp(
                "a", "web",
                "{endpointSelector: {matchLabels: {app: x}}, ingress: [{toPorts: [{ports: [{port: \"8080\"}]}]}]}"))
        XCTAssertTrue(e.allows("c/e", "a/x", .tcp, 8080))
        XCTAssertTrue(e.allows("c/e", "a/x", .udp, 8080), "protocol ANY is TCP, UDP and SCTP")
        XCTAssertTrue(e.allows("c/e", "a/x", .sctp, 8080), "protocol ANY is TCP, UDP and SCTP")
        XCTAssertTrue(e.allows(external: "2001:db8::1", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows("c/e", "a/x", .tcp, 9090))
    }

    func testPeerSelectorsStayInThePolicyNamespaceUnlessTheyNameOne() throws {
        let own = try evaluator(
            Self.cnp(
                "a", "p",
                "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {app: c}}]}]}")
                + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: a, labels: {app: c}}\nspec: {containers: [{name: m}]}\n"
        )
        XCTAssertTrue(own.allows("a/c", "a/x", .tcp, 8080))
        XCTAssertFalse(own.allows("b/c", "a/x", .tcp, 8080), "b/c matches app=c but lives in another namespace")
        let named = try evaluator(
            Self.cnp(
                "a", "p",
                "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {app: c, k8s:io.kubernetes.pod.namespace: b}}]}]}"
            ))
        XCTAssertTrue(named.allows("b/c", "a/x", .tcp, 8080))
        // Namespace labels alone do not lift the confinement (Cilium injects the namespace name where it is absent).
        let byLabels = try evaluator(
            Self.cnp(
                "a", "p",
                "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: b}}]}]}"
            ))
        XCTAssertFalse(byLabels.allows("b/c", "a/x", .tcp, 8080))
        let anyNamespace = try evaluator(
            Self.cnp(
                "a", "p",
                "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: b}, matchExpressions: [{key: io.kubernetes.pod.namespace, operator: Exists}]}]}]}"
            ))
        XCTAssertTrue(anyNamespace.allows("b/c", "a/x", .tcp, 8080))
        XCTAssertFalse(anyNamespace.allows("c/e", "a/x", .tcp, 8080))
    }

    func testClusterwidePoliciesSpanNamespaces() throws {
        let e = try evaluator(
            Self.ccnp(
                "all-x",
                "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {app: e}}]}]}"))
        XCTAssertTrue(e.allows("c/e", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 8080))
        // Its endpoint selector reaches pods of every namespace.
        let everywhere = try evaluator(Self.ccnp("lock-all", "{endpointSelector: {}, ingress: [{}]}"))
        XCTAssertFalse(everywhere.allows("a/x", "c/e", .tcp, 80))
        XCTAssertFalse(everywhere.allows("c/e", "b/d", .tcp, 80))
    }

    func testDenyOverridesEveryAllowAndUnionWithNetworkPolicy() throws {
        let e = try evaluator(
            V.np("a", "np", "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{namespaceSelector: {}}]}]}")
                + Self.cnp(
                    "a", "cnp", "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEntities: [world]}]}")
                + Self.ccnp(
                    "shield",
                    "{endpointSelector: {matchLabels: {app: x}}, ingressDeny: [{fromEndpoints: [{matchLabels: {app: c, io.kubernetes.pod.namespace: b}}], toPorts: [{ports: [{port: \"8080\", protocol: TCP}]}]}]}"
                ))
        XCTAssertTrue(e.allows("b/d", "a/x", .tcp, 8080), "the NetworkPolicy admits b/d")
        XCTAssertTrue(e.allows(external: "198.51.100.1", "a/x", .tcp, 8080), "the CNP admits the world")
        XCTAssertFalse(e.allows("b/c", "a/x", .tcp, 8080), "the deny overrides the NetworkPolicy's allow")
        XCTAssertTrue(e.allows("b/c", "a/x", .udp, 8080), "the deny covers TCP 8080 only")
        let explained = e.explain(from: e.endpoint("b/c"), to: e.endpoint("a/x"), proto: .tcp, port: 8080)
        XCTAssertEqual(explained.ingress?.stage, "CILIUM-DENY-INGRESS")
        XCTAssertEqual(explained.ingress?.rule?.path, "spec.ingressDeny[0]")
        XCTAssertEqual(
            e.explain(from: .external(AddressRange(cidr("198.51.100.1"))), to: e.endpoint("a/x"), proto: .tcp, port: 1)
                .ingress?.stage, "CILIUM-INGRESS")
    }

    func testCIDRRulesAndWorldNeverMatchPods() throws {
        let e = try evaluator(
            Self.cnp(
                "a", "p",
                "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromCIDR: [10.244.0.0/16, \"fd00:10:244::/56\"]}, {fromCIDRSet: [{cidr: 0.0.0.0/0, except: [192.0.2.0/24]}]}]}"
            ))
        XCTAssertFalse(
            e.allows("b/c", "a/x", .tcp, 8080), "a pod address in a CIDR rule is not matched (A-IPBLOCK-PODIP aside)")
        XCTAssertTrue(e.allows(external: "198.51.100.1", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows(external: "192.0.2.1", "a/x", .tcp, 8080), "except")
        XCTAssertFalse(e.allows(external: "2001:db8::1", "a/x", .tcp, 8080), "no IPv6 rule")
        let v6 = try evaluator(
            Self.cnp("a", "p", "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEntities: [world-ipv6]}]}"))
        XCTAssertTrue(v6.allows(external: "2001:db8::1", "a/x", .tcp, 8080))
        XCTAssertFalse(v6.allows(external: "198.51.100.1", "a/x", .tcp, 8080))
        XCTAssertFalse(v6.allows("b/c", "a/x", .tcp, 8080))
        let cluster = try evaluator(
            Self.cnp("a", "p", "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEntities: [cluster]}]}"))
        XCTAssertTrue(cluster.allows("c/e", "a/x", .tcp, 8080))
        XCTAssertFalse(cluster.allows(external: "198.51.100.1", "a/x", .tcp, 8080))
    }

    /// Cilium identities carry the pod's service account (`io.cilium.k8s.policy.serviceaccount`) as a label.
    func testServiceAccountSelectors() throws {
        let robot =
            "---\napiVersion: v1\nkind: Pod\nmetadata: {name: robot, namespace: a, labels: {app: robot}}\n"
            + "spec: {serviceAccountName: deployer, containers: [{name: m}]}\n"
        let e = try evaluator(
            robot
                + Self.cnp(
                    "a", "p",
                    "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: deployer}}]}]}"
                ))
        XCTAssertTrue(e.allows("a/robot", "a/x", .tcp, 8080))
        XCTAssertFalse(e.allows("a/y", "a/x", .tcp, 8080), "a/y runs as the default service account")
        let model = try loadModel(V.fixture + robot)
        XCTAssertNil(
            Evaluator(model: model, assumptions: Assumptions()).endpoint("a/robot").pod?.labels[
                CiliumNetworkPolicy.serviceAccountKey], "without a Cilium selector reading it, no such label")
    }

    /// `toServices` reaches the endpoints of Services without a selector (cilium: "ToService rules only apply to
    /// services without selectors"); a Service with one is UNKNOWN, as versions differ.
    func testToServicesReachesTheEndpointsOfSelectorlessServices() throws {
        let services = """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: billing, namespace: a, labels: {tier: external}}
            spec: {ports: [{port: 443}]}
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: billing, namespace: a}
            subsets: [{addresses: [{ip: 203.0.113.5}], ports: [{port: 443}]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: a}
            spec: {selector: {app: "y"}, ports: [{port: 80}]}

            """
        func evaluate(_ toServices: String) throws -> Evaluator {
            try evaluator(
                services
                    + Self.cnp(
                        "a", "p",
                        "{endpointSelector: {matchLabels: {app: x}}, egress: [{toServices: [\(toServices)], toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]}]}"
                    ))
        }
        for reference in [
            "{k8sService: {serviceName: billing}}", "{k8sServiceSelector: {selector: {matchLabels: {tier: external}}}}",
        ] {
            let e = try evaluate(reference)
            func egress(_ ip: String) -> ConnSet {
                e.connections(from: e.endpoint("a/x"), to: .external(AddressRange(cidr(ip))))
            }
            XCTAssertTrue(egress("203.0.113.5").contains(.tcp, 443), reference)
            XCTAssertFalse(egress("203.0.113.5").contains(.tcp, 80), reference)
            XCTAssertTrue(egress("203.0.113.6").isEmpty, reference)
            XCTAssertNil(PolicySet.undecidableReason(e.model, e.policies), reference)
        }
        let withSelector = try evaluate("{k8sService: {serviceName: web, namespace: a}}")
        XCTAssertTrue(
            PolicySet.undecidableReason(withSelector.model, withSelector.policies)?.contains("has a selector") == true)
    }

    /// `toFQDNs` admits the addresses DNS answers (`--dns-answers`), when the pod's lookups pass Cilium's DNS proxy;
    /// otherwise the verdict is UNKNOWN with the reason.
    func testToFQDNsWithTheAddressesGiven() throws {
        let dns =
            "{toEndpoints: [{matchLabels: {app: e, io.kubernetes.pod.namespace: c}}], toPorts: [{ports: [{port: \"53\", protocol: ANY}], rules: {dns: [{matchPattern: \"*\"}]}}]}"
        let fqdn =
            "{toFQDNs: [{matchPattern: \"*.example.com\"}], toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]}"
        func evaluate(_ egress: String, answers: [String: [CIDR]]?) throws -> Evaluator {
            var assumptions = Assumptions()
            assumptions.dnsAnswers = answers
            return try evaluator(
                Self.cnp("a", "p", "{endpointSelector: {matchLabels: {app: x}}, egress: [\(egress)]}"), assumptions)
        }
        let answers = [
            "api.example.com": [cidr("203.0.113.10"), cidr("2001:db8::10")], "other.org": [cidr("198.51.100.1")],
        ]
        let e = try evaluate("\(fqdn), \(dns)", answers: answers)
        XCTAssertNil(PolicySet.undecidableReason(e.model, e.policies))
        func egress(_ ip: String) -> ConnSet {
            e.connections(from: e.endpoint("a/x"), to: .external(AddressRange(cidr(ip))))
        }
        XCTAssertTrue(egress("203.0.113.10").contains(.tcp, 443))
        XCTAssertTrue(egress("2001:db8::10").contains(.tcp, 443))
        XCTAssertTrue(egress("198.51.100.1").isEmpty, "other.org is not under *.example.com")
        XCTAssertTrue(e.describedAssumptions.contains("A-DNS=2 name(s) given"))
        func reason(_ egress: String, _ answers: [String: [CIDR]]?) throws -> String {
            let e = try evaluate(egress, answers: answers)
            return PolicySet.undecidableReason(e.model, e.policies) ?? "decided"
        }
        XCTAssertTrue(try reason("\(fqdn), \(dns)", nil).contains("--dns-answers"))
        XCTAssertTrue(try reason(fqdn, answers).contains("never learns their addresses"), "no dns rule for a/x")
        let exact = "{toFQDNs: [{matchName: missing.example.com}]}"
        XCTAssertTrue(try reason("\(exact), \(dns)", answers).contains("gives no address"))
    }

    /// ICMP rules admit the protocols without ports (A-CILIUM-ICMP), to the section's peers or, without any, to all.
    func testICMPRulesAdmitPortlessProtocols() throws {
        let e = try evaluator(
            Self.cnp(
                "a", "ping",
                "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {app: \"y\"}}], icmps: [{fields: [{type: 8}]}]}]}"
            ))
        let fromY = e.connections(from: e.endpoint("a/y"), to: e.endpoint("a/x"))
        XCTAssertTrue(fromY.other)
        XCTAssertFalse(fromY.contains(.tcp, 8080))
        XCTAssertFalse(e.connections(from: e.endpoint("b/c"), to: e.endpoint("a/x")).other)
        XCTAssertTrue(e.describedAssumptions.contains("A-CILIUM-ICMP=portless-protocols"))
        let anyone = try evaluator(
            Self.cnp(
                "a", "ping", "{endpointSelector: {matchLabels: {app: x}}, ingress: [{icmps: [{fields: [{type: 8}]}]}]}")
        )
        XCTAssertTrue(anyone.connections(from: anyone.endpoint("c/e"), to: anyone.endpoint("a/x")).other)
        XCTAssertNil(PolicySet.undecidableReason(anyone.model, anyone.policies))
    }

    /// With node addresses given (`--cluster`), `world` leaves them out and the node entities name them.
    func testNodeEntitiesWithNodeAddresses() throws {
        var assumptions = Assumptions()
        assumptions.nodeCIDRs = [cidr("192.168.0.0/24")]
        func evaluate(_ entities: String) throws -> Evaluator {
            try evaluator(
                Self.cnp(
                    "a", "p", "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEntities: [\(entities)]}]}"),
                assumptions)
        }
        let world = try evaluate("world")
        XCTAssertTrue(world.allows(external: "198.51.100.1", "a/x", .tcp, 8080))
        XCTAssertFalse(world.allows(external: "192.168.0.5", "a/x", .tcp, 8080), "a node address is not world")
        let nodes = try evaluate("host, remote-node")
        XCTAssertTrue(nodes.allows(external: "192.168.0.5", "a/x", .tcp, 8080))
        XCTAssertFalse(nodes.allows(external: "198.51.100.1", "a/x", .tcp, 8080))
        let host = try evaluate("host")
        XCTAssertTrue(PolicySet.undecidableReason(host.model, host.policies)?.contains("which node runs a pod") == true)
        // Without node addresses, the node entities name nothing of the input.
        let unknownNodes = try evaluator(
            Self.cnp("a", "p", "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEntities: [host]}]}"))
        XCTAssertFalse(unknownNodes.allows(external: "192.168.0.5", "a/x", .tcp, 8080))
        XCTAssertNil(PolicySet.undecidableReason(unknownNodes.model, unknownNodes.policies))
        // CIDR rules select outside addresses, not node addresses (A-CILIUM-CIDR-MATCH=default).
        func fromCIDR(_ cidr: String) throws -> Evaluator {
            try evaluator(
                Self.cnp("a", "p", "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromCIDR: [\(cidr)]}]}"),
                assumptions)
        }
        let around = try fromCIDR("192.168.0.0/16")
        XCTAssertFalse(around.allows(external: "192.168.0.5", "a/x", .tcp, 8080), "a node address")
        XCTAssertTrue(around.allows(external: "192.168.1.5", "a/x", .tcp, 8080))
        XCTAssertTrue(around.describedAssumptions.contains("A-CILIUM-CIDR-MATCH=default"))
        XCTAssertFalse(try fromCIDR("192.168.0.0/28").allows(external: "192.168.0.5", "a/x", .tcp, 8080))
        XCTAssertFalse(world.describedAssumptions.contains("A-CILIUM-CIDR-MATCH=default"), "no CIDR rule")
    }

    /// `kube-apiserver` is the backend addresses of default/kubernetes, in the cluster or outside it; without them in
    /// the input, any address may be the API server's, and the verdict is UNKNOWN.
    func testTheKubeAPIServerEntityIsTheAddressesOfTheKubernetesService() throws {
        let policy = Self.cnp(
            "a", "p",
            "{endpointSelector: {matchLabels: {app: x}}, egress: [{toEntities: [kube-apiserver], toPorts: [{ports: [{port: \"6443\", protocol: TCP}]}]}]}"
        )
        let unknown = try evaluator(policy)
        XCTAssertNil(PolicySet.undecidableReason(unknown.model, unknown.policies), "flows between pods are decided")
        XCTAssertTrue(PolicySet.outsideAddressReason(unknown.model)?.contains("names kube-apiserver") == true)
        for endpoints in [
            "apiVersion: v1\nkind: Endpoints\nmetadata: {name: kubernetes, namespace: default}\nsubsets: [{addresses: [{ip: 203.0.113.10}], ports: [{name: https, port: 6443}]}]",
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: kubernetes, namespace: default, labels: {kubernetes.io/service-name: kubernetes}}\naddressType: IPv4\nendpoints: [{addresses: [203.0.113.10]}]\nports: [{name: https, port: 6443}]",
        ] {
            let e = try evaluator(
                "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n---\n" + endpoints + "\n" + policy)
            XCTAssertNil(PolicySet.outsideAddressReason(e.model), endpoints)
            func egress(_ ip: String) -> ConnSet {
                e.connections(from: e.endpoint("a/x"), to: .external(AddressRange(cidr(ip))))
            }
            XCTAssertTrue(egress("203.0.113.10").contains(.tcp, 6443), endpoints)
            XCTAssertFalse(egress("203.0.113.10").contains(.tcp, 443), endpoints)
            XCTAssertTrue(egress("203.0.113.11").isEmpty, endpoints)
        }
    }

    /// CIDR rules may name CiliumCIDRGroups, by name or labels; the group's CIDRs are the peers.
    func testCIDRGroups() throws {
        let group = """
            ---
            apiVersion: cilium.io/v2alpha1
            kind: CiliumCIDRGroup
            metadata: {name: partners, labels: {trust: partner}}
            spec: {externalCIDRs: [198.51.100.0/24, "2001:db8:1::/48"]}

            """
        for reference in ["cidrGroupRef: partners", "cidrGroupSelector: {matchLabels: {trust: partner}}"] {
            let e = try evaluator(
                group
                    + Self.cnp(
                        "a", "p",
                        "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromCIDRSet: [{\(reference), except: [198.51.100.128/25]}]}]}"
                    ))
            XCTAssertTrue(e.allows(external: "198.51.100.1", "a/x", .tcp, 8080), reference)
            XCTAssertFalse(e.allows(external: "198.51.100.200", "a/x", .tcp, 8080), "except, \(reference)")
            XCTAssertTrue(e.allows(external: "2001:db8:1::9", "a/x", .tcp, 8080), reference)
            XCTAssertFalse(e.allows(external: "203.0.113.1", "a/x", .tcp, 8080), reference)
            XCTAssertNil(PolicySet.undecidableReason(e.model, e.policies))
        }
    }

    func testUnmodelledPartsAndMixingWithAdminPoliciesAreUndecidable() throws {
        func reason(_ extra: String) throws -> String? {
            let model = try loadModel(V.fixture + extra)
            return PolicySet.undecidableReason(model, PolicySet(model: model, options: CompileOptions()))
        }
        XCTAssertNil(try reason(Self.cnp("a", "p", "{endpointSelector: {}, egress: [{toEntities: [world]}]}")))
        XCTAssertTrue(
            try reason(Self.cnp("a", "p", "{endpointSelector: {}, egress: [{toFQDNs: [{matchName: example.com}]}]}"))?
                .contains("--dns-answers") == true)
        XCTAssertTrue(
            try reason(
                Self.cnp("a", "p", "{endpointSelector: {}, ingress: [{}]}")
                    + V.anp(
                        "x",
                        "{priority: 1, subject: {namespaces: {}}, ingress: [{action: Allow, from: [{namespaces: {}}]}]}"
                    ))?
                .contains("admin network policies") == true)
        // Under Cilium, a Kubernetes NetworkPolicy selecting by a label Cilium leaves out of identities is undecided;
        // without Cilium policies the input does not say which CNI enforces it, and the Kubernetes rules hold.
        let statefulPeer = V.np(
            "a", "db",
            "{podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: web-0}}}]}]}"
        )
        XCTAssertNil(try reason(statefulPeer))
        XCTAssertTrue(
            try reason(statefulPeer + Self.cnp("b", "p", "{endpointSelector: {}, egress: [{toEntities: [world]}]}"))?
                .contains("NetworkPolicy a/db selects pods by statefulset.kubernetes.io/pod-name") == true)
    }

    /// A-CILIUM-ENFORCEMENT: `always` puts every pod into default deny, `never` enforces no policy at all.
    func testEnforcementModes() throws {
        let policy = Self.cnp(
            "a", "p",
            "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {app: \"y\"}}]}]}")
        var always = Assumptions()
        always.ciliumEnforcement = .always
        let a = try evaluator(policy, always)
        XCTAssertTrue(a.allows("a/y", "a/x", .tcp, 8080) == false, "a/y's egress is in default deny too")
        XCTAssertFalse(a.allows("b/c", "c/e", .tcp, 80), "pods no policy selects are in default deny")
        XCTAssertTrue(a.describedAssumptions.contains("A-CILIUM-ENFORCEMENT=always"))
        XCTAssertFalse(a.describedAssumptions.contains("A-CILIUM-ENFORCEMENT=default"))
        var never = Assumptions()
        never.ciliumEnforcement = .never
        let n = try evaluator(policy + V.np("a", "np", "{podSelector: {}, ingress: []}"), never)
        XCTAssertTrue(n.allows("b/c", "a/x", .tcp, 8080), "no policy is enforced, Kubernetes NetworkPolicies included")
    }

    /// `enableDefaultDeny: false`: the rule isolates nothing, but its allows join those of policies that do.
    func testAllowsThatIsolateNothing() throws {
        let open = Self.cnp(
            "a", "open",
            "{endpointSelector: {matchLabels: {app: x}}, enableDefaultDeny: {ingress: false}, ingress: [{fromEntities: [world]}]}"
        )
        let alone = try evaluator(open)
        XCTAssertTrue(alone.allows("c/e", "a/x", .tcp, 8080), "nothing isolates a/x")
        XCTAssertNil(PolicySet.undecidableReason(alone.model, alone.policies))
        let isolating = try evaluator(
            open
                + Self.cnp(
                    "a", "lock",
                    "{endpointSelector: {matchLabels: {app: x}}, ingress: [{fromEndpoints: [{matchLabels: {app: \"y\"}}]}]}"
                ))
        XCTAssertTrue(isolating.allows("a/y", "a/x", .tcp, 8080))
        XCTAssertTrue(isolating.allows(external: "198.51.100.1", "a/x", .tcp, 8080), "the open rule's allow counts")
        XCTAssertFalse(isolating.allows("c/e", "a/x", .tcp, 8080))
    }
}
