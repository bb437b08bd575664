import TestSupport
import XCTest

@testable import KubeModel

/// Reading CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy: rules from `spec` and `specs`, Cilium's selector
/// dialect, entities, CIDR sets, ports, the parts left unmodelled, and the validation errors with positions.
final class CiliumNetworkPolicyTests: XCTestCase {
    func policies(_ yaml: String) throws -> [CiliumNetworkPolicy] { try loadModel(yaml).ciliumPolicies }

    func errors(_ yaml: String) throws -> [String] {
        let file = try temporaryFile(yaml)
        return ModelLoader().load(paths: [file]).errors.map { "\($0.location.line): \($0.field): \($0.message)" }
    }

    func testRulesSelectorsEntitiesCIDRsAndPorts() throws {
        let p = try policies(
            """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: web, namespace: shop}
            specs:
              - endpointSelector: {matchLabels: {"k8s:app": web}}
                ingress:
                  - fromEndpoints:
                      - matchLabels: {"any:role": client, "k8s:io.kubernetes.pod.namespace": front}
                      - matchExpressions: [{key: io.cilium.k8s.namespace.labels.team, operator: In, values: [a, b]}]
                    toPorts:
                      - ports: [{port: "80"}, {port: "8000", endPort: 8080, protocol: TCP}, {port: http, protocol: UDP}]
                  - fromEntities: [world, cluster]
                  - fromCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]
                    fromCIDR: ["2001:db8::/32"]
              - endpointSelector: {}
                egressDeny: [{toEntities: [world-ipv6]}]
            """)[0]
        XCTAssertEqual(p.rules.count, 2)
        XCTAssertEqual(p.rules[0].ref.path, "specs[0]")
        XCTAssertEqual(p.rules[0].endpointSelector?.pods.description, "app=web")
        let first = p.rules[0].ingress[0]
        XCTAssertEqual(first.endpoints[0].pods.description, "role=client")
        XCTAssertEqual(first.endpoints[0].namespaces.description, "kubernetes.io/metadata.name=front")
        XCTAssertTrue(first.endpoints[0].namesNamespace)
        XCTAssertEqual(first.endpoints[1].namespaces.description, "team in (a,b)")
        XCTAssertFalse(first.endpoints[1].namesNamespace)
        XCTAssertEqual(
            first.ports?.map(\.protocols), [[.tcp, .udp, .sctp], [.tcp], [.udp]], "ANY is TCP, UDP and SCTP")
        XCTAssertEqual(first.ports?[1].endPort, 8080)
        XCTAssertEqual(first.ports?[2].port, .name("http"))
        XCTAssertEqual(p.rules[0].ingress[1].entities, [.world, .cluster])
        XCTAssertEqual(
            p.rules[0].ingress[2].cidrs,
            [.cidr(cidr("2001:db8::/32"), except: []), .cidr(cidr("10.0.0.0/8"), except: [cidr("10.1.0.0/16")])])
        XCTAssertTrue(p.rules[0].defaultDeny(ingress: true))
        XCTAssertFalse(p.rules[0].defaultDeny(ingress: false), "no egress section: egress stays open")
        XCTAssertTrue(p.rules[1].defaultDeny(ingress: false), "a deny section also puts endpoints into default deny")
        XCTAssertEqual(p.unmodelled, [])
    }

    func testUnmodelledPartsAreKeptWithTheirPosition() throws {
        let p = try policies(
            """
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata: {name: dns}
            spec:
              endpointSelector: {matchLabels: {"reserved:host": ""}}
              egress:
                - toFQDNs: [{matchName: api.example.com}]
                - toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]
            """)[0]
        XCTAssertNil(p.namespace)
        XCTAssertEqual(p.unmodelled.map(\.what), ["endpointSelector reads reserved:host"])
        XCTAssertEqual(p.unmodelled.first?.ref.location.line, 5)
        XCTAssertEqual(p.rules[0].egress[0].fqdnSelectors, [.name("api.example.com")])
        XCTAssertEqual(p.rules[0].egress[1].l7Kinds, ["dns"])
    }

    func testFQDNSelectors() {
        typealias S = CiliumNetworkPolicy.FQDNSelector
        XCTAssertTrue(S.name("API.example.com.").selects("api.example.com"))
        XCTAssertFalse(S.name("api.example.com").selects("www.example.com"))
        XCTAssertTrue(S.pattern("*.example.com").selects("api.example.com"))
        XCTAssertFalse(S.pattern("*.example.com").selects("a.b.example.com"), "a star does not cross a dot")
        XCTAssertFalse(S.pattern("*.example.com").selects("example.com"))
        XCTAssertTrue(S.pattern("api-*.example.com").selects("api-eu.example.com"))
        XCTAssertTrue(S.pattern("*").selects("anything.at.all"))
    }

    func testValidationErrorsNameLineAndField() throws {
        let head = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: n}\n"
        XCTAssertEqual(
            try errors(head + "spec: {ingress: [{}]}\n"),
            [
                "4: spec: a rule needs exactly one of endpointSelector and nodeSelector"
            ])
        XCTAssertEqual(
            try errors(head + "spec: {endpointSelector: {}, ingress: [{fromEntities: [galaxy]}]}\n").first?
                .contains("unknown entity 'galaxy'"), true)
        XCTAssertEqual(
            try errors(
                head
                    + "spec:\n  endpointSelector: {}\n  ingress: [{fromCIDRSet: [{cidr: 10.0.0.0/8, except: [11.0.0.0/8]}]}]\n"
            ),
            ["6: spec.ingress[0].fromCIDRSet[0].except[0]: except 11.0.0.0/8 must lie inside cidr 10.0.0.0/8"])
        XCTAssertEqual(
            try errors(
                head
                    + "spec:\n  endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: \"80\", protocol: ICMP}]}]}]\n"
            ).first?
            .contains("unknown protocol 'ICMP'"), true)
        XCTAssertEqual(
            try errors(
                head
                    + "spec:\n  endpointSelector: {}\n  ingressDeny: [{toPorts: [{ports: [{port: \"80\"}], rules: {http: [{}]}}]}]\n"
            ).first?
            .contains("deny rules take no L7 rules"), true)
        XCTAssertEqual(
            try errors(head + "spec: {endpointSelector: {}}\n").first?.contains("at least one of ingress"), true)
        XCTAssertEqual(try errors(head + "metadata2: {}\n").first?.contains("spec"), true)
    }

    /// Port rules Cilium's agent refuses to import (`PortRule.Validate`) are input errors; their accepted neighbours
    /// load.
    func testPortRulesTheAgentRefusesAreInputErrors() throws {
        let head = "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: n}\n"
        func egress(_ portRule: String) -> String {
            head + "spec:\n  endpointSelector: {}\n  egress: [{toPorts: [\(portRule)]}]\n"
        }
        func firstError(_ portRule: String) throws -> String? { try errors(egress(portRule)).first }
        XCTAssertEqual(
            try firstError("{ports: [{port: \"80\", protocol: UDP}], rules: {http: [{}]}}"),
            "6: spec.egress[0].toPorts[0].ports[0]: L7 rules apply to TCP only: Cilium refuses this port's protocol UDP (set TCP)"
        )
        XCTAssertEqual(
            try firstError("{ports: [{port: \"0\", protocol: TCP}], rules: {http: [{}]}}"),
            "6: spec.egress[0].toPorts[0].ports[0]: L7 rules need a port: Cilium refuses port 0 with them")
        XCTAssertEqual(
            try firstError("{ports: [{port: \"53\", protocol: UDP}], rules: {dns: [{matchName: a.b}], kafka: [{}]}}"),
            "6: spec.egress[0].toPorts[0].rules: one kind of L7 rules per port rule: Cilium refuses dns and kafka")
        XCTAssertEqual(
            try firstError("{rules: {dns: [{matchName: a.b}]}}"),
            "6: spec.egress[0].toPorts[0].rules.dns: DNS rules need their port (53) among the ports")
        XCTAssertEqual(
            try firstError("{ports: [{port: \"53\", endPort: 54}], rules: {dns: [{matchName: a.b}]}}"),
            "6: spec.egress[0].toPorts[0].ports[0]: DNS rules take single ports, not a range")
        XCTAssertEqual(
            try firstError("{ports: [{port: \"80\", protocol: TCP}], rules: {l7: [{k: v}]}}"),
            "6: spec.egress[0].toPorts[0].rules.l7: l7 rules need l7proto, the protocol they parse")
        func ports(_ n: Int) -> String { (1...n).map { "{port: \"\($0)\"}" }.joined(separator: ", ") }
        XCTAssertEqual(
            try firstError("{ports: [\(ports(41))]}"),
            "6: spec.egress[0].toPorts[0].ports: 41 ports, more than Cilium accepts in one port rule (40)")
        // What the agent accepts: DNS rules on ANY or UDP, HTTP rules on a named TCP port, L4 rules on ANY.
        for accepted in [
            "{ports: [{port: \"53\", protocol: ANY}], rules: {dns: [{matchPattern: \"*\"}]}}",
            "{ports: [{port: http, protocol: TCP}], rules: {http: [{method: GET}]}}",
            "{ports: [\(ports(40))]}",
        ] {
            XCTAssertEqual(try errors(egress(accepted)), [], accepted)
        }
    }

    /// Selectors on labels Cilium's default label filter leaves out of identities match by the agent's `--labels`,
    /// not by the pod's labels: the model reports them rather than deciding.
    func testLabelsLeftOutOfIdentitiesAreReported() throws {
        for key in [
            "statefulset.kubernetes.io/pod-name", "pod-template-hash", "controller-revision-hash",
            "io.kubernetes.container.name", "kubernetes.io/os", "topology.beta.kubernetes.io/zone", "k8s.io/x",
            "annotation.owner", "etcd_node", "apps.kubernetes.io/pod-index",
        ] {
            XCTAssertTrue(CiliumNetworkPolicy.leftOutOfIdentities(key), key)
        }
        for key in ["app", "k8s-app", "app.kubernetes.io/name", "batch.kubernetes.io/job-name", "team.example.com/x"] {
            XCTAssertFalse(CiliumNetworkPolicy.leftOutOfIdentities(key), key)
        }
        let p = try policies(
            """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: web-0, namespace: shop}
            spec:
              endpointSelector: {matchLabels: {app: web}}
              ingress: [{fromEndpoints: [{matchLabels: {statefulset.kubernetes.io/pod-name: db-0}}]}]
            """)[0]
        XCTAssertEqual(
            p.unmodelled.map(\.what),
            [
                "a selector reads statefulset.kubernetes.io/pod-name (a label Cilium leaves out of identities unless its --labels says otherwise)"
            ])
    }
}
