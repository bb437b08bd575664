import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims
@testable import Reporting

/// The mesh examples (examples/bookinfo, examples/istio-ingress) and their claims, plus claims that must fail.
final class MeshExampleTests: XCTestCase {
    func checker(_ example: String) throws -> ClaimChecker {
        let (model, errors) = ModelLoader().load(paths: [Paths.package("examples/\(example)")])
        XCTAssertEqual(errors, [])
        return ClaimChecker(model: model, assumptions: Assumptions())
    }

    func check(_ checker: ClaimChecker, _ yaml: String) throws -> [String: ClaimResult] {
        let (file, errors) = ClaimsParser.load(try temporaryFile(yaml))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(checker.validate(file!), [])
        return Dictionary(uniqueKeysWithValues: file!.claims.map { ($0.name, checker.check($0)) })
    }

    func testBookinfoClaimsAreProved() throws {
        let c = try checker("bookinfo")
        let (file, _) = ClaimsParser.load(Paths.package("policies/bookinfo.yaml"))
        for claim in file!.claims { XCTAssertEqual(c.check(claim).verdict, .proved, claim.name) }
    }

    /// Without a layer, questions are answered at the deepest layer the input exercises, and say why: a mesh
    /// denies what the NetworkPolicies let through.
    func testTheDefaultLayerIsTheDeepestTheInputExercises() throws {
        let c = try checker("bookinfo")
        XCTAssertEqual(c.autoLayer.layer, .mesh)
        var q = QueryRequest(from: "tools/curl", to: "bookinfo/svc/details")
        q.ports = [PortSpec(proto: .tcp, range: 9080...9080)]
        guard case .flows(let answer) = try QueryEngine(checker: c).ask(q) else { return XCTFail("expected flows") }
        XCTAssertEqual(answer.verdict, .denied)
        XCTAssertEqual(answer.layers, [.netpol, .mesh])
        XCTAssertTrue(answer.layerReason?.contains("run an Istio sidecar") ?? false, "\(answer.layerReason ?? "")")
        q.layer = .netpol
        XCTAssertEqual(try QueryEngine(checker: c).ask(q).verdict, .allowed, "the NetworkPolicies alone admit it")
        // A pod that could be created: the policies' denials stand, their allowances are undecided at the mesh.
        var newPod = QueryRequest(from: "tools/*", to: "bookinfo/details-v1")
        newPod.ports = [PortSpec(proto: .tcp, range: 9080...9080)]
        guard case .flows(let undecided) = try QueryEngine(checker: c).ask(newPod) else { return XCTFail() }
        XCTAssertEqual(undecided.verdict, .unknown)
        XCTAssertEqual(undecided.layers, [.netpol, .mesh])
        // Claims without a layer follow the same choice; an input without Istio keeps the netpol layer, silently.
        let claims = try check(
            c,
            """
            claims:
              - {name: curl-to-details, denied: {from: {workload: tools/curl}, to: {workload: bookinfo/details-v1}, ports: [TCP/9080]}}
            """)
        XCTAssertEqual(claims["curl-to-details"]?.layer, .mesh)
        XCTAssertEqual(claims["curl-to-details"]?.verdict, .proved)
        XCTAssertNotNil(claims["curl-to-details"]?.layerReason)
        let plain = try checker("guestbook")
        XCTAssertEqual(plain.autoLayer.layer, .netpol)
        XCTAssertNil(plain.autoLayer.layer(throughProxy: false, httpRequest: false).reason)
        XCTAssertEqual(plain.autoLayer.layer(throughProxy: false, httpRequest: true).layer, .mesh)
        XCTAssertEqual(plain.autoLayer.layer(throughProxy: true, httpRequest: false).layer, .endToEnd)
    }

    func testBookinfoDeliberatelyRefutedClaims() throws {
        let results = try check(
            try checker("bookinfo"),
            """
            claims:
              - name: only-reviews-v2-v3-reach-ratings
                layer: mesh
                only:
                  from: [{workload: bookinfo/reviews-v2}, {workload: bookinfo/reviews-v3}]
                  to: {workload: bookinfo/ratings-v1}
                  ports: [TCP/9080]
              - name: gateway-posts-reviews
                layer: end-to-end
                http: {method: POST, path: /reviews/0, host: shop.example.com}
                allowed:
                  from: {external: 203.0.113.0/24}
                  to: {workload: istio-system/istio-ingressgateway}
                  ports: [TCP/8080]
              - name: ratings-other-paths
                layer: mesh
                http: {method: GET, path: /admin}
                allowed:
                  from: {workload: bookinfo/reviews-v2}
                  to: {workload: bookinfo/ratings-v1}
                  ports: [TCP/9080]
            """)
        // One service account for three versions: the principal-based policy admits reviews-v1 too.
        let ratings = try XCTUnwrap(results["only-reviews-v2-v3-reach-ratings"])
        XCTAssertEqual(ratings.verdict, .refuted)
        XCTAssertEqual(ratings.counterexamples.map(\.source.description), ["bookinfo/reviews-v1"])
        XCTAssertEqual(
            ratings.counterexamples[0].path?.hops.last?.mesh.steps.last?.detail.contains(
                "ratings-from-reviews spec.rules[0]"), true)
        // SARIF points at every stage's deciding object: the AuthorizationPolicy rule that admitted reviews-v1 and
        // the PeerAuthentication that required mutual TLS, not only NetworkPolicy lines.
        let sarif = ClaimsReport.sarif([ratings], toolVersion: "test")
        let log = try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as! [String: Any]
        let result = ((log["runs"] as! [[String: Any]])[0]["results"] as! [[String: Any]])[0]
        let related = (result["relatedLocations"] as! [[String: Any]]).map { r -> (String, String, Int) in
            let message = (r["message"] as! [String: Any])["text"] as! String
            let location = r["physicalLocation"] as! [String: Any]
            let uri = (location["artifactLocation"] as! [String: Any])["uri"] as! String
            return (message, uri, (location["region"] as! [String: Any])["startLine"] as! Int)
        }
        let authz = try XCTUnwrap(related.first { $0.0.hasPrefix("AUTHZ-ALLOW ALLOW: AuthorizationPolicy") })
        XCTAssertEqual(authz.0, "AUTHZ-ALLOW ALLOW: AuthorizationPolicy bookinfo/ratings-from-reviews spec.rules[0]")
        XCTAssertTrue(authz.1.hasSuffix("examples/bookinfo/30-security.yaml"), authz.1)
        XCTAssertEqual(authz.2, 76)
        XCTAssertTrue(related.contains { $0.0 == "MTLS ALLOW: PeerAuthentication istio-system/default spec.mtls" })
        if let problem = try? sarifSchemaProblem(sarif) { XCTFail(problem) }
        // The gateway has no route for /reviews: 404, named as the ROUTE stage.
        let gateway = try XCTUnwrap(results["gateway-posts-reviews"])
        XCTAssertEqual(gateway.verdict, .refuted)
        XCTAssertEqual(gateway.counterexamples[0].path?.route?.stage, "ROUTE")
        XCTAssertEqual(gateway.counterexamples[0].path?.route?.effect, .deny)
        XCTAssertEqual(results["ratings-other-paths"]?.verdict, .refuted)
    }

    func testIstioIngressCatchesTheNodePortMismatch() throws {
        let c = try checker("istio-ingress")
        let (file, _) = ClaimsParser.load(Paths.package("policies/istio-ingress.yaml"))
        let results = Dictionary(uniqueKeysWithValues: file!.claims.map { ($0.name, c.check($0)) })
        XCTAssertEqual(results["counter-served-over-http"]?.verdict, .refuted)
        XCTAssertTrue(
            results["counter-served-over-http"]?.reason?.contains(
                "no TCP nodePort 30080 (its nodePorts: 30000, 30443, 30306)") ?? false)
        for (name, r) in results where name != "counter-served-over-http" { XCTAssertEqual(r.verdict, .proved, name) }
        XCTAssertEqual(
            results["mysql-only-gateway-and-counter-with-mtls"]?.admittedSources,
            ["default/counter", "istio-system/istio-ingressgateway"])
    }

    /// With the principal of the gateway removed from MySQL's policy, the TCP route through the gateway is cut at hop
    /// 2.
    func testGatewayPrincipalIsWhatTheBackendSees() throws {
        let dir = Paths.package("examples/istio-ingress")
        var files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.map {
            dir + "/" + $0
        }
        let security = try String(contentsOfFile: dir + "/40-security.yaml", encoding: .utf8)
            .replacingOccurrences(
                of: "              - cluster.local/ns/istio-system/sa/istio-ingressgateway\n", with: "")
        files =
            files.filter { !$0.hasSuffix("40-security.yaml") } + [try temporaryFile(security, name: "40-security.yaml")]
        let (model, errors) = ModelLoader().load(paths: files)
        XCTAssertEqual(errors, [])
        let results = try check(
            ClaimChecker(model: model, assumptions: Assumptions()),
            """
            claims:
              - name: mysql-through-gateway
                layer: end-to-end
                entry: {service: istio-system/istio-ingressgateway, port: 3306}
                allowed:
                  from: {external: 203.0.113.0/24}
                  to: {workload: default/mysql}
                  ports: [TCP/3306]
            """)
        let r = try XCTUnwrap(results["mysql-through-gateway"])
        XCTAssertEqual(r.verdict, .refuted)
        let hops = try XCTUnwrap(r.counterexamples.first?.path?.hops)
        XCTAssertEqual(hops.count, 2)
        XCTAssertEqual(hops[1].mesh.steps.last?.stage, "AUTHZ-ALLOW")
        XCTAssertEqual(hops[1].mesh.steps.last?.effect, .deny)
    }

    func testClaimFileErrorsForMeshFields() throws {
        for (yaml, message) in [
            (
                "claims:\n  - name: a\n    layer: netpol\n    http: {method: GET}\n    allowed: {from: {workload: a/b}, to: {workload: a/c}}\n",
                "decided at the mesh or end-to-end layer"
            ),
            (
                "claims:\n  - name: a\n    layer: mesh\n    mtls: optional\n    allowed: {from: {workload: a/b}, to: {workload: a/c}}\n",
                "mtls takes the value 'required'"
            ),
            (
                "claims:\n  - name: a\n    layer: mesh\n    entry: {service: a/b}\n    allowed: {from: {workload: a/b}, to: {workload: a/c}}\n",
                "needs layer end-to-end"
            ),
            (
                "claims:\n  - name: a\n    layer: mesh\n    http: {path: x}\n    allowed: {from: {workload: a/b}, to: {workload: a/c}}\n",
                "a request path begins with '/'"
            ),
        ] {
            let (_, errors) = ClaimsParser.load(try temporaryFile(yaml))
            XCTAssertTrue(errors.first?.description.contains(message) ?? false, "\(errors)")
        }
    }

    /// Mesh claims about pods that could be created: decided where the NetworkPolicy layer already settles them
    /// (the mesh stages only remove flows), or by a new pod under an identity it could run.
    func testMeshClaimsAboutNewPodsFollowTheNetpolLayerWhereItDecides() throws {
        let results = try check(
            try checker("verrazzano"),
            """
            claims:
              - name: closed-at-netpol
                layer: mesh
                denied: {from: {namespace: tenant-apps, universe: any}, to: {namespace: keycloak, pods: {tier: mysql}}}
              - name: missing-at-netpol
                layer: mesh
                allowed: {from: {namespace: tenant-apps, universe: any}, to: {namespace: verrazzano-system, pods: {app: verrazzano-authproxy}}, ports: [TCP/8775]}
              - name: open-at-netpol
                layer: mesh
                denied: {from: {namespace: keycloak, pods: {role: batch}, universe: any}, to: {namespace: keycloak, pods: {tier: mysql}}}
            """)
        XCTAssertEqual(results["closed-at-netpol"]?.verdict, .proved)
        XCTAssertEqual(results["missing-at-netpol"]?.verdict, .refuted)
        // A new pod in keycloak (no existing pod is labelled role=batch) may run as the keycloak service account (its
        // StatefulSet uses it): MySQL's policy, which trusts that principal, admits it.
        let impersonation = try XCTUnwrap(results["open-at-netpol"])
        XCTAssertEqual(impersonation.verdict, .refuted)
        XCTAssertEqual(impersonation.counterexamples.first?.note, "a new pod with a sidecar, service account keycloak")
        XCTAssertEqual(impersonation.counterexamples.first?.path?.hops.first?.mesh.verdict, .allowed)
    }

    /// A REGISTRY_ONLY Sidecar keeps TCP from leaving the mesh for addresses outside the registry; with ServiceEntries
    /// in the input (not modelled) that is undecided.
    func testRegistryOnlySidecarStopsTrafficToTheInternet() throws {
        let base = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: app, labels: {istio-injection: enabled}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: app}
            spec:
              selector: {matchLabels: {app: api}}
              template:
                metadata: {labels: {app: api}}
                spec: {containers: [{name: c}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: app}
            spec: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}
            """
        let claims = """
            claims:
              - {name: out, layer: mesh, allowed: {from: {workload: app/api}, to: {external: 0.0.0.0/0}, ports: [TCP/443]}}
              - {name: no-out, layer: mesh, denied: {from: {workload: app/api}, to: {external: 0.0.0.0/0}, ports: [TCP/443]}}
              - {name: no-out-netpol, layer: netpol, denied: {from: {workload: app/api}, to: {external: 0.0.0.0/0}, ports: [TCP/443]}}
            """
        let results = try check(
            ClaimChecker(model: try loadModel(base), assumptions: Assumptions()), claims)
        XCTAssertEqual(results["out"]?.verdict, .refuted)
        XCTAssertTrue(results["out"]?.counterexamples.first?.note?.contains("REGISTRY_ONLY") ?? false)
        XCTAssertEqual(results["no-out"]?.verdict, .proved)
        // The same question asked as a query, at the mesh and end-to-end layers: an external destination is answered.
        let engine = QueryEngine(checker: ClaimChecker(model: try loadModel(base), assumptions: Assumptions()))
        for layer in [Layer.mesh, .endToEnd] {
            var q = QueryRequest(from: "app/api", to: "external:93.184.216.34")
            q.ports = [PortSpec(proto: .tcp, range: 443...443)]
            q.layer = layer
            XCTAssertEqual(try engine.ask(q).verdict, .denied, "REGISTRY_ONLY at \(layer)")
        }
        let open = QueryEngine(
            checker: ClaimChecker(
                model: try loadModel(base.components(separatedBy: "---\napiVersion: networking.istio.io/v1")[0]),
                assumptions: Assumptions()))
        var q = QueryRequest(from: "app/api", to: "external:93.184.216.34")
        q.ports = [PortSpec(proto: .tcp, range: 443...443)]
        q.layer = .endToEnd
        XCTAssertEqual(try open.ask(q).verdict, .allowed, "without the Sidecar the pod reaches the internet")
        XCTAssertEqual(results["no-out-netpol"]?.verdict, .refuted, "NetworkPolicy alone lets it out")
        let entry =
            "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: api-ext, namespace: app}\nspec: {hosts: [api.example.com], ports: [{number: 443, name: tls, protocol: TLS}]}"
        let withEntry = try check(
            ClaimChecker(
                model: try loadModel(base + "\n---\n" + entry), assumptions: Assumptions()),
            claims)
        XCTAssertEqual(withEntry["no-out"]?.verdict, .unknown)
    }

    /// `via: {ingress: ns/name}` keeps only routes that Ingress decides.
    func testViaIngressPinsTheRoute() throws {
        let results = try check(
            try checker("verrazzano"),
            """
            claims:
              - name: console-by-its-ingress
                layer: end-to-end
                http: {method: GET, path: /console, host: verrazzano.default.example.com}
                via: {ingress: verrazzano-system/verrazzano-ingress}
                allowed: {from: {external: 203.0.113.0/24}, to: {namespace: verrazzano-system, pods: {app: verrazzano-authproxy}}, ports: [TCP/8775]}
              - name: console-by-the-keycloak-ingress
                layer: end-to-end
                http: {method: GET, path: /console, host: verrazzano.default.example.com}
                via: {ingress: keycloak/keycloak}
                allowed: {from: {external: 203.0.113.0/24}, to: {namespace: verrazzano-system, pods: {app: verrazzano-authproxy}}, ports: [TCP/8775]}
            """)
        XCTAssertEqual(results["console-by-its-ingress"]?.verdict, .proved)
        let other = try XCTUnwrap(results["console-by-the-keycloak-ingress"])
        XCTAssertEqual(other.verdict, .refuted)
        XCTAssertTrue(
            other.counterexamples.first?.path?.route?.detail.contains(
                "decides this request, not Ingress keycloak/keycloak") ?? false,
            other.counterexamples.first?.path?.route?.detail ?? "no route")
        let (_, errors) = ClaimsParser.load(
            try temporaryFile(
                "claims:\n  - name: a\n    layer: mesh\n    via: {ingress: a/b}\n    allowed: {from: {workload: a/b}, to: {workload: a/c}}\n"
            ))
        XCTAssertTrue(errors.first?.description.contains("needs layer end-to-end") ?? false, "\(errors)")
    }

    /// NetworkPolicy lets every new pod of `tools` reach the product page, but the mesh stops a new pod: with a
    /// sidecar its identity is not the gateway's; the `allowed` claim is refuted by that pod.
    func testANewPodWithoutSidecarRefutesAnAllowedMeshClaim() throws {
        let results = try check(
            try checker("bookinfo"),
            """
            claims:
              - name: every-new-tools-pod-reaches-productpage
                layer: mesh
                allowed: {from: {namespace: tools, universe: any}, to: {workload: bookinfo/productpage-v1}, ports: [TCP/9080]}
            """)
        let r = try XCTUnwrap(results["every-new-tools-pod-reaches-productpage"])
        XCTAssertEqual(r.verdict, .refuted)
        XCTAssertEqual(r.counterexamples.first?.note, "a new pod with a sidecar, service account default")
        XCTAssertEqual(r.counterexamples.first?.path?.hops.first?.mesh.steps.last?.stage, "AUTHZ-ALLOW")
    }
}
