import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// The Istio test vectors of the project brief (../shared/SEMANTICS.md §12) (TV-37 to TV-49) and the rules of issue #7,
/// on the mesh evaluator.
final class MeshStageTests: XCTestCase {
    /// m: injected namespace with server s (Service ss: 80->8080 http, 90->9090 http, 9000 tcp) and client cl;
    /// b: plain namespace with client c (no sidecar) and cm (labelled for injection); a: plain namespace with server x.
    static let fixture = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: m, labels: {istio-injection: enabled}}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: b}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: a}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: istio-system}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: s, namespace: m}
        spec:
          selector: {matchLabels: {app: s}}
          template:
            metadata: {labels: {app: s}}
            spec:
              serviceAccountName: s
              containers: [{name: app, ports: [{containerPort: 8080}, {containerPort: 9090}, {containerPort: 9000}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: ss, namespace: m}
        spec:
          selector: {app: s}
          ports: [{name: http, port: 80, targetPort: 8080}, {name: http-alt, port: 90, targetPort: 9090}, {name: tcp-data, port: 9000}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: cl, namespace: m}
        spec:
          selector: {matchLabels: {app: cl}}
          template:
            metadata: {labels: {app: cl}}
            spec: {serviceAccountName: cl, containers: [{name: app}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: c, namespace: b}
        spec:
          selector: {matchLabels: {app: c}}
          template:
            metadata: {labels: {app: c}}
            spec: {containers: [{name: app}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: cm, namespace: b}
        spec:
          selector: {matchLabels: {app: cm}}
          template:
            metadata: {labels: {app: cm, sidecar.istio.io/inject: "true"}}
            spec: {containers: [{name: app}]}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: x, namespace: a}
        spec:
          selector: {matchLabels: {app: x}}
          template:
            metadata: {labels: {app: x}}
            spec: {containers: [{name: app, ports: [{containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: sx, namespace: a}
        spec:
          selector: {app: x}
          ports: [{name: http, port: 80, targetPort: 8080}]
        """

    static let strictMesh = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: STRICT}}
        """

    func mesh(_ extra: String...) throws -> MeshEvaluator {
        let model = try loadModel(([Self.fixture] + extra).joined(separator: "\n---\n"))
        return MeshEvaluator(evaluator: Evaluator(model: model, assumptions: Assumptions()))
    }

    func decide(_ m: MeshEvaluator, _ from: String, _ to: String, _ port: Int, _ request: HTTPRequest? = nil)
        -> MeshDecision
    {
        let model = m.evaluator.model
        let si = model.workloads.firstIndex { $0.id == from }!
        let di = model.workloads.firstIndex { $0.id == to }!
        return m.decide(from: .pod(m.evaluator.endpoints[si]), to: di, port: port, request: request)
    }

    func testTV37SidecarInjection() throws {
        let model = try loadModel(
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: m}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: n, labels: {istio-injection: enabled}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p1, namespace: m, annotations: {sidecar.istio.io/inject: "true"}}
            spec: {containers: [{name: app}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p2, namespace: m, labels: {sidecar.istio.io/inject: "true"}}
            spec: {containers: [{name: app}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p3, namespace: n, labels: {sidecar.istio.io/inject: "false"}}
            spec: {containers: [{name: app}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p4, namespace: n}
            spec: {hostNetwork: true, containers: [{name: app}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p5, namespace: n}
            spec: {containers: [{name: app}]}
            """)
        let m = MeshEvaluator(evaluator: Evaluator(model: model, assumptions: Assumptions()))
        let kinds = Dictionary(uniqueKeysWithValues: zip(model.workloads.map(\.name), m.proxies.map(\.kind)))
        XCTAssertEqual(kinds, ["p1": .none, "p2": .sidecar, "p3": .none, "p4": .none, "p5": .sidecar])
        XCTAssertTrue(m.proxies[0].reason.contains("annotation alone"), m.proxies[0].reason)
    }

    func testTV38PermissiveAcceptsPlaintextStrictRejectsIt() throws {
        let permissive = try mesh(Self.strictMesh.replacingOccurrences(of: "STRICT", with: "PERMISSIVE"))
        XCTAssertEqual(decide(permissive, "b/c", "m/s", 8080).verdict, .allowed)
        XCTAssertFalse(decide(permissive, "b/c", "m/s", 8080).mutualTLS)
        let strict = try mesh(Self.strictMesh)
        let d = decide(strict, "b/c", "m/s", 8080)
        XCTAssertEqual(d.verdict, .denied)
        XCTAssertEqual(d.steps.last?.stage, "MTLS")
        XCTAssertTrue(
            d.steps.last!.detail.contains("PeerAuthentication istio-system/default spec.mtls"), d.steps.last!.detail)
        // An injected client gets auto mTLS.
        XCTAssertEqual(decide(strict, "m/cl", "m/s", 8080).verdict, .allowed)
        XCTAssertTrue(decide(strict, "m/cl", "m/s", 8080).mutualTLS)
    }

    func testTV39PortLevelMtlsOverridesTheWorkloadModeAndNeedsASelector() throws {
        let pa = """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: s, namespace: m}
            spec: {selector: {matchLabels: {app: s}}, mtls: {mode: STRICT}, portLevelMtls: {8080: {mode: PERMISSIVE}}}
            """
        let m = try mesh(pa)
        XCTAssertEqual(decide(m, "b/c", "m/s", 8080).verdict, .allowed)
        XCTAssertTrue(decide(m, "b/c", "m/s", 8080).steps.contains { $0.detail.contains("spec.portLevelMtls.8080") })
        XCTAssertEqual(decide(m, "b/c", "m/s", 9090).verdict, .denied)
        // Without a selector Istio's validation rejects it: reported, ignored, PERMISSIVE remains.
        let rejected = try mesh(pa.replacingOccurrences(of: "selector: {matchLabels: {app: s}}, ", with: ""))
        XCTAssertEqual(rejected.model.rejected.count, 1)
        XCTAssertEqual(decide(rejected, "b/c", "m/s", 9090).verdict, .allowed)
    }

    func testTV40DestinationRuleDisableAgainstStrict() throws {
        let dr = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: ss, namespace: m}
            spec: {host: ss.m.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}
            """
        let d = decide(try mesh(Self.strictMesh, dr), "m/cl", "m/s", 8080)
        XCTAssertEqual(d.verdict, .denied)
        XCTAssertTrue(d.steps.contains { $0.stage == "SRC-MESH-EGRESS" && $0.detail.contains("DestinationRule m/ss") })
        XCTAssertEqual(decide(try mesh(Self.strictMesh), "m/cl", "m/s", 8080).verdict, .allowed)
        // A port-level entry replaces the host-level setting for its Service port: no tls there means auto mTLS.
        let portLevel = dr.replacingOccurrences(
            of: "trafficPolicy: {tls: {mode: DISABLE}}",
            with: "trafficPolicy: {tls: {mode: DISABLE}, portLevelSettings: [{port: {number: 80}}]}")
        XCTAssertEqual(decide(try mesh(Self.strictMesh, portLevel), "m/cl", "m/s", 8080).verdict, .allowed)
        XCTAssertEqual(decide(try mesh(Self.strictMesh, portLevel), "m/cl", "m/s", 9090).verdict, .denied)
    }

    func testTV41IstioMutualToAServerWithoutSidecar() throws {
        let dr = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: sx, namespace: m}
            spec: {host: sx.a.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
            """
        let m = try mesh(dr)
        let model = m.evaluator.model
        let svc = model.services.first { $0.name == "sx" }!
        let d = m.decide(
            from: .pod(m.evaluator.endpoints[model.workloads.firstIndex { $0.id == "m/cl" }!]),
            to: model.workloads.firstIndex { $0.id == "a/x" }!, port: 8080, request: nil, via: (svc, svc.ports[0]))
        XCTAssertEqual(d.verdict, .denied)
        XCTAssertEqual(d.steps.last?.stage, "MTLS")
        XCTAssertEqual(decide(try mesh(), "m/cl", "a/x", 8080).verdict, .allowed)
    }

    func testTV42DenyIsEvaluatedBeforeAllow() throws {
        let m = try mesh(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: allow, namespace: m}
            spec: {selector: {matchLabels: {app: s}}, action: ALLOW, rules: [{from: [{source: {principals: ["cluster.local/ns/m/sa/cl"]}}]}]}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny, namespace: m}
            spec: {selector: {matchLabels: {app: s}}, action: DENY, rules: [{to: [{operation: {paths: ["/admin*"]}}]}]}
            """)
        let admin = decide(m, "m/cl", "m/s", 8080, HTTPRequest(method: "GET", path: "/admin/x"))
        XCTAssertEqual(admin.verdict, .denied)
        XCTAssertTrue(admin.steps.last!.detail.contains("m/deny spec.rules[0]"), admin.steps.last!.detail)
        let api = decide(m, "m/cl", "m/s", 8080, HTTPRequest(method: "GET", path: "/api"))
        XCTAssertEqual(api.verdict, .allowed)
        XCTAssertTrue(api.steps.last!.detail.contains("m/allow spec.rules[0]"))
    }

    func testTV43AllowWithoutRulesDeniesEverythingRulesWithAnEmptyRuleAllowEverything() throws {
        func policy(_ spec: String) -> String {
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: m}\nspec: \(spec)"
        }
        XCTAssertEqual(
            decide(try mesh(policy("{selector: {matchLabels: {app: s}}, action: ALLOW}")), "m/cl", "m/s", 8080).verdict,
            .denied)
        XCTAssertEqual(
            decide(try mesh(policy("{selector: {matchLabels: {app: s}}, rules: [{}]}")), "m/cl", "m/s", 8080).verdict,
            .allowed)
        let denyWithoutRules = try mesh(policy("{selector: {matchLabels: {app: s}}, action: DENY}"))
        XCTAssertEqual(
            denyWithoutRules.model.rejected.map(\.reason).first?.contains("DENY AuthorizationPolicy without rules"),
            true)
        XCTAssertEqual(decide(denyWithoutRules, "m/cl", "m/s", 8080).verdict, .allowed)
        // An empty spec (the allow-nothing pattern) in the namespace selects every workload of it.
        XCTAssertEqual(decide(try mesh(policy("{}")), "m/cl", "m/s", 8080).verdict, .denied)
    }

    func testTV44HTTPFieldsOnATCPPort() throws {
        func policy(_ action: String, _ method: String) -> String {
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: m}\nspec: {selector: {matchLabels: {app: s}}, action: \(action), rules: [{to: [{operation: {methods: [\(method)], ports: [\"9000\"]}}]}]}"
        }
        // ALLOW: the rule is dropped, nothing matches; DENY: the method is dropped, every connection to 9000 is denied.
        let allow = decide(try mesh(policy("ALLOW", "GET")), "m/cl", "m/s", 9000)
        XCTAssertEqual(allow.verdict, .denied)
        XCTAssertEqual(allow.steps.last?.stage, "AUTHZ-ALLOW")
        let deny = decide(try mesh(policy("DENY", "POST")), "m/cl", "m/s", 9000)
        XCTAssertEqual(deny.verdict, .denied)
        XCTAssertEqual(deny.steps.last?.stage, "AUTHZ-DENY")
        // The DENY rule names port 9000 only: the HTTP port 8080 stays open.
        XCTAssertEqual(decide(try mesh(policy("DENY", "POST")), "m/cl", "m/s", 8080).verdict, .allowed)
    }

    func testTV45IdentityFieldsNeedMutualTLS() throws {
        let m = try mesh(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: from-b, namespace: m}
            spec: {selector: {matchLabels: {app: s}}, rules: [{from: [{source: {namespaces: ["b"]}}]}]}
            """)
        XCTAssertEqual(decide(m, "b/c", "m/s", 8080).verdict, .denied)
        XCTAssertEqual(decide(m, "b/cm", "m/s", 8080).verdict, .allowed)
    }

    /// Rules are looked up by the exact principals or namespaces they require; rules with wildcards, without `from`
    /// or with a source that names no identity stay candidates for every client, and the rule reported is still the
    /// first written.
    func testPeerIndexKeepsFirstMatchAndWildcards() throws {
        let m = try mesh(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: indexed, namespace: m}
            spec:
              selector: {matchLabels: {app: s}}
              rules:
              - from: [{source: {principals: [cluster.local/ns/x/sa/other]}}]
              - from: [{source: {principals: ["cluster.local/ns/m/*"]}}]
                to: [{operation: {ports: ["9090"]}}]
              - from: [{source: {principals: [cluster.local/ns/m/sa/cl]}}]
                to: [{operation: {ports: ["8080"]}}]
              - from: [{source: {principals: [cluster.local/ns/x/sa/other]}}, {source: {namespaces: [b]}}]
              - from: [{source: {namespaces: [m]}}]
                to: [{operation: {ports: ["9000"]}}]
              - from: [{source: {ipBlocks: [10.0.0.0/8]}}]
                to: [{operation: {ports: ["6060"]}}]
            """)
        // cl over mutual TLS: the wildcard rule (written first) decides 9090, its exact rule decides 8080.
        XCTAssertTrue(decide(m, "m/cl", "m/s", 9090).steps.last!.detail.contains("m/indexed spec.rules[1]"))
        XCTAssertTrue(decide(m, "m/cl", "m/s", 8080).steps.last!.detail.contains("m/indexed spec.rules[2]"))
        // cm (namespace b, sidecar) is named by no principal: only the rule with a namespace-only source admits it.
        let cm = decide(m, "b/cm", "m/s", 8080)
        XCTAssertEqual(cm.verdict, .allowed)
        XCTAssertTrue(cm.steps.last!.detail.contains("m/indexed spec.rules[3]"), cm.steps.last!.detail)
        // c has no sidecar, hence no principal and no namespace identity: nothing matches.
        XCTAssertEqual(decide(m, "b/c", "m/s", 8080).verdict, .denied)
        // cl is named by its principal in rule 2 and by its namespace in rule 4: each decides the port it covers.
        let byNamespace = decide(m, "m/cl", "m/s", 9000)
        XCTAssertTrue(byNamespace.steps.last!.detail.contains("m/indexed spec.rules[4]"), "\(byNamespace.steps)")
        XCTAssertEqual(decide(m, "b/cm", "m/s", 9000).verdict, .allowed, "rule 3 admits namespace b")
        // A source that names no identity (addresses only) is a candidate for every client, with or without one.
        XCTAssertTrue(decide(m, "b/c", "m/s", 6060).steps.last!.detail.contains("m/indexed spec.rules[5]"))
    }

    /// AuthorizationPolicy ipBlocks in both families: an external client is matched in its own family; a pod client has
    /// an address of each, so a block holding one family's pod network only leaves the verdict to the flow's family.
    func testIPBlocksOfBothFamilies() throws {
        let policy = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: by-address, namespace: m}
            spec:
              selector: {matchLabels: {app: s}}
              rules:
              - from: [{source: {ipBlocks: ["2001:db8::/32"]}}]
                to: [{operation: {ports: ["8080"]}}]
              - from: [{source: {ipBlocks: ["0.0.0.0/0", "::/0"]}}]
                to: [{operation: {ports: ["9000"]}}]
              - from: [{source: {ipBlocks: [10.0.0.0/8]}}]
                to: [{operation: {ports: ["9090"]}}]
            """
        let m = try mesh(policy)
        let server = m.evaluator.model.workloads.firstIndex { $0.id == "m/s" }!
        func external(_ ip: String, _ port: Int) -> FlowVerdict {
            m.decide(from: .external(AddressRange(cidr(ip))), to: server, port: port, request: nil).verdict
        }
        XCTAssertEqual(external("2001:db8::1", 8080), .allowed)
        XCTAssertEqual(external("2001:db9::1", 8080), .denied)
        XCTAssertEqual(external("192.0.2.1", 8080), .denied, "an IPv6 block holds no IPv4 client")
        XCTAssertEqual(decide(m, "b/c", "m/s", 9000).verdict, .allowed, "every address of both families")
        XCTAssertEqual(decide(m, "b/c", "m/s", 8080).verdict, .denied, "no pod address is in 2001:db8::/32")
        let oneFamily = decide(m, "b/c", "m/s", 9090)
        XCTAssertEqual(oneFamily.verdict, .unknown, "the IPv4 pod address is in 10.0.0.0/8, the IPv6 one is not")
        XCTAssertTrue(oneFamily.steps.last!.detail.contains("A-IP-FAMILIES"), oneFamily.steps.last!.detail)
        let ipv4Only = MeshEvaluator(
            evaluator: Evaluator(model: m.evaluator.model, assumptions: Assumptions(ipFamilies: [.ipv4])))
        XCTAssertEqual(decide(ipv4Only, "b/c", "m/s", 9090).verdict, .allowed)
    }

    func testTV46NotPrincipalsMatchesPlaintext() throws {
        let m = try mesh(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: no-plaintext, namespace: m}
            spec: {selector: {matchLabels: {app: s}}, action: DENY, rules: [{from: [{source: {notPrincipals: ["*"]}}]}]}
            """)
        XCTAssertEqual(decide(m, "b/c", "m/s", 8080).verdict, .denied)
        XCTAssertEqual(decide(m, "m/cl", "m/s", 8080).verdict, .allowed)
    }

    func testTV48SidecarEgressIsNotABoundaryUnderAllowAny() throws {
        let server = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: n, labels: {istio-injection: enabled}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: srv, namespace: n}
            spec:
              selector: {matchLabels: {app: srv}}
              template:
                metadata: {labels: {app: srv}}
                spec: {containers: [{name: app, ports: [{containerPort: 8080}]}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: srv, namespace: n}
            spec: {selector: {app: srv}, ports: [{name: http, port: 80, targetPort: 8080}]}
            """
        let sidecar = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: m}
            spec: {egress: [{hosts: ["./*"]}]}
            """
        let permissive = decide(try mesh(server, sidecar), "m/cl", "n/srv", 8080)
        XCTAssertEqual(permissive.verdict, .allowed)
        XCTAssertFalse(permissive.mutualTLS)
        XCTAssertTrue(permissive.steps[0].detail.contains("not a security boundary"), permissive.steps[0].detail)
        XCTAssertEqual(decide(try mesh(server, sidecar, Self.strictMesh), "m/cl", "n/srv", 8080).verdict, .denied)
        let registryOnly = sidecar.replacingOccurrences(
            of: "spec: {egress", with: "spec: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}, egress")
        let blackholed = decide(try mesh(server, registryOnly), "m/cl", "n/srv", 8080)
        XCTAssertEqual(blackholed.verdict, .denied)
        XCTAssertEqual(blackholed.steps.last?.stage, "SRC-MESH-EGRESS")
    }

    func testTV49ExcludedInboundPortBypassesMeshPolicy() throws {
        let base = try loadModel(Self.fixture)
        XCTAssertNotNil(base.workload("m/s"))
        let excluded = Self.fixture.replacingOccurrences(
            of: "metadata: {labels: {app: s}}",
            with: "metadata: {labels: {app: s}, annotations: {traffic.sidecar.istio.io/excludeInboundPorts: \"9000\"}}")
        let model = try loadModel(
            excluded + "\n---\n" + Self.strictMesh + """

                ---
                apiVersion: security.istio.io/v1
                kind: AuthorizationPolicy
                metadata: {name: deny-all, namespace: m}
                spec: {selector: {matchLabels: {app: s}}}
                """)
        let m = MeshEvaluator(evaluator: Evaluator(model: model, assumptions: Assumptions()))
        let open = decide(m, "b/c", "m/s", 9000)
        XCTAssertEqual(open.verdict, .allowed)
        XCTAssertEqual(open.steps.filter { $0.effect == .skip }.map(\.stage), ["SRC-MESH-EGRESS", "MTLS", "AUTHZ"])
        XCTAssertEqual(decide(m, "b/c", "m/s", 8080).verdict, .denied)
        // 15090 (Envoy stats) is never captured.
        XCTAssertEqual(decide(m, "b/c", "m/s", 15090).verdict, .allowed)
    }

    func testAnOpenRequestIsAnsweredWithTheRequestThePolicyAdmits() throws {
        let m = try mesh(
            """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: post-only, namespace: m}
            spec: {selector: {matchLabels: {app: s}}, rules: [{to: [{operation: {methods: ["POST"], paths: ["/api/*"]}}]}]}
            """)
        let d = decide(m, "m/cl", "m/s", 8080)
        XCTAssertEqual(d.verdict, .allowed)
        XCTAssertEqual(d.request?.method, "POST")
        XCTAssertEqual(d.request?.path?.hasPrefix("/api/"), true)
        XCTAssertEqual(decide(m, "m/cl", "m/s", 8080, HTTPRequest(method: "GET")).verdict, .denied)
    }

    func testCustomAuthorizerIsUnknownUnlessAProfileBindsIt() throws {
        let custom = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ext, namespace: m}
            spec: {selector: {matchLabels: {app: s}}, action: CUSTOM, provider: {name: oauth}, rules: [{}]}
            """
        let d = decide(try mesh(custom), "m/cl", "m/s", 8080)
        XCTAssertEqual(d.verdict, .unknown)
        XCTAssertTrue(d.reason!.contains("A-CUSTOM-AUTHZ"))
    }

    func testRootNamespaceIsConfigurable() throws {
        let model = try loadModel(
            Self.fixture + "\n---\n" + Self.strictMesh.replacingOccurrences(of: "istio-system", with: "a"))
        var assumptions = Assumptions()
        XCTAssertEqual(
            decide(MeshEvaluator(evaluator: Evaluator(model: model, assumptions: assumptions)), "b/c", "m/s", 8080)
                .verdict, .allowed)
        assumptions.meshRootNamespace = "a"
        XCTAssertEqual(
            decide(MeshEvaluator(evaluator: Evaluator(model: model, assumptions: assumptions)), "b/c", "m/s", 8080)
                .verdict, .denied)
    }

    func testAnUndecidableDenyRuleMattersOnlyWhenAllowWouldAdmit() throws {
        let deny = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: headers, namespace: m}
            spec: {selector: {matchLabels: {app: s}}, action: DENY, rules: [{when: [{key: "request.headers[x-debug]", values: ["1"]}]}]}
            """
        XCTAssertEqual(decide(try mesh(deny), "m/cl", "m/s", 8080).verdict, .unknown)
        let allowNothing =
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: none, namespace: m}\nspec: {selector: {matchLabels: {app: s}}}"
        XCTAssertEqual(decide(try mesh(deny, allowNothing), "m/cl", "m/s", 8080).verdict, .denied)
    }

    func testWorkloadScopedDestinationRuleBindsOnlyItsClients() throws {
        func dr(_ app: String) -> String {
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ss, namespace: m}\nspec: {host: ss.m.svc.cluster.local, workloadSelector: {matchLabels: {app: \(app)}}, trafficPolicy: {tls: {mode: DISABLE}}}"
        }
        XCTAssertEqual(decide(try mesh(Self.strictMesh, dr("cl")), "m/cl", "m/s", 8080).verdict, .denied)
        XCTAssertEqual(decide(try mesh(Self.strictMesh, dr("other")), "m/cl", "m/s", 8080).verdict, .allowed)
    }

    func testSidecarIngressListenersAreUndecided() throws {
        let sidecar = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: s, namespace: m}
            spec: {workloadSelector: {labels: {app: s}}, ingress: [{port: {number: 8080, protocol: HTTP, name: http}, defaultEndpoint: "127.0.0.1:9999"}]}
            """
        let d = decide(try mesh(sidecar), "m/cl", "m/s", 8080)
        XCTAssertEqual(d.verdict, .unknown)
        XCTAssertTrue(d.reason!.contains("custom inbound listeners"), d.reason!)
    }

    /// Request principals come from a validated JWT: empty without a RequestAuthentication, the token's to decide with
    /// one.
    func testRequestPrincipalsDependOnRequestAuthentication() throws {
        let policy = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: jwt, namespace: m}
            spec: {selector: {matchLabels: {app: s}}, rules: [{from: [{source: {requestPrincipals: ["https://issuer.example/*"]}}]}]}
            """
        XCTAssertEqual(decide(try mesh(policy), "m/cl", "m/s", 8080).verdict, .denied)
        let jwt =
            "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: m}\nspec: {jwtRules: [{issuer: https://issuer.example}]}"
        XCTAssertEqual(decide(try mesh(policy, jwt), "m/cl", "m/s", 8080).verdict, .unknown)
    }
}
