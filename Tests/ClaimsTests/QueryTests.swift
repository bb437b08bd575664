import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims
@testable import Reporting

/// `query`: can A reach B, per port range, with deciding rules and witnesses.
final class QueryTests: XCTestCase {
    func engine(_ path: String) throws -> (QueryEngine, ClusterModel) {
        let (model, errors) = ModelLoader().load(paths: [path])
        XCTAssertEqual(errors, [])
        return (
            QueryEngine(checker: ClaimChecker(model: model, assumptions: Assumptions())), model
        )
    }

    func ask(
        _ e: QueryEngine, _ model: ClusterModel, _ from: String, _ to: String, ports: [String] = [],
        fromLabels: [String: String] = [:]
    ) throws -> QueryAnswer {
        e.answer(
            from: try QueryEndpoint.parse(from, labels: fromLabels, model: model), fromText: from,
            to: try QueryEndpoint.parse(to, labels: [:], model: model), toText: to,
            ports: ports.map { PortSpec.parse($0)! })
    }

    /// The acceptance queries of the engine issue, on the corpus in place.
    func testVerrazzanoCorpusAuthProxyQueries() throws {
        let corpus = Paths.shared.appendingPathComponent("corpora/verrazzano").path
        guard FileManager.default.fileExists(atPath: corpus) else { throw XCTSkip("../shared/corpora is absent") }
        let (e, model) = try engine(corpus)
        let proxy = "verrazzano-system/verrazzano-authproxy"
        let controller = try ask(
            e, model, "verrazzano-ingress-nginx/ingress-controller-ingress-nginx-controller", proxy, ports: ["TCP/8775"]
        )
        XCTAssertEqual(controller.verdict, .allowed)
        let rule = try XCTUnwrap(controller.parts.first?.explanation.ingress?.rule)
        XCTAssertEqual(rule.qualifiedName, "verrazzano-system/verrazzano-authproxy")
        XCTAssertTrue(rule.location.file.hasSuffix("11-verrazzano-system-networkpolicies.yaml"))
        XCTAssertGreaterThan(rule.location.line, 0)
        XCTAssertEqual(
            try ask(
                e, model, "verrazzano-ingress-nginx/ingress-controller-ingress-nginx-defaultbackend", proxy,
                ports: ["TCP/8775"]
            ).verdict, .allowed)
        let keycloak = try ask(e, model, "keycloak/keycloak", proxy, ports: ["TCP/8775"])
        XCTAssertEqual(keycloak.verdict, .denied)
        XCTAssertEqual(keycloak.parts.first?.explanation.ingress?.reason, "(default: isolated, no rule matched)")
        XCTAssertEqual(keycloak.parts.first?.explanation.ingress?.isolatingPolicies.map(\.qualifiedName), [proxy])
    }

    /// A Cilium rule naming kube-apiserver, without the API server's addresses in the input, leaves flows with an
    /// outside address at one end undecided; flows between pods are decided. Given the addresses, both are.
    func testTheAPIServerEntityLeavesOnlyOutsideFlowsUndecided() throws {
        let manifests = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: op, namespace: ops}
            spec:
              selector: {matchLabels: {app: op}}
              template: {metadata: {labels: {app: op}}, spec: {containers: [{name: c}]}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: db, namespace: ops}
            spec:
              selector: {matchLabels: {app: db}}
              template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}}
            ---
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata: {name: op, namespace: ops}
            spec:
              endpointSelector: {matchLabels: {app: op}}
              egress:
                - toEntities: [kube-apiserver]
                - toEndpoints: [{matchLabels: {app: db}}]
            """
        let endpoints =
            "\n---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: kubernetes, namespace: default}\nsubsets: [{addresses: [{ip: 203.0.113.10}], ports: [{port: 443}]}]\n"
        let withoutAddresses = try loadModel(manifests)
        let e = QueryEngine(checker: ClaimChecker(model: withoutAddresses, assumptions: Assumptions()))
        XCTAssertEqual(try ask(e, withoutAddresses, "ops/op", "ops/db", ports: ["TCP/5432"]).verdict, .allowed)
        let outside = try ask(e, withoutAddresses, "ops/op", "external:203.0.113.10", ports: ["TCP/443"])
        XCTAssertEqual(outside.verdict, .unknown)
        XCTAssertTrue(outside.reason?.contains("names kube-apiserver") == true, outside.reason ?? "")
        let withAddresses = try loadModel(manifests + endpoints)
        let f = QueryEngine(checker: ClaimChecker(model: withAddresses, assumptions: Assumptions()))
        XCTAssertEqual(
            try ask(f, withAddresses, "ops/op", "external:203.0.113.10", ports: ["TCP/443"]).verdict, .allowed)
        XCTAssertEqual(
            try ask(f, withAddresses, "ops/op", "external:203.0.113.11", ports: ["TCP/443"]).verdict, .denied)
        // Claims likewise: an outside end, or the others an `only` claim asks about, leaves the claim UNKNOWN.
        let (file, errors) = ClaimsParser.load(
            "-",
            stdin: {
                Data(
                    """
                    claims:
                      - {name: pods, allowed: {from: {workload: ops/op}, to: {workload: ops/db}, ports: [TCP/5432]}}
                      - {name: outside, denied: {from: {workload: ops/op}, to: {external: 198.51.100.0/24}}}
                      - {name: only, only: {from: [{workload: ops/op}], to: {workload: ops/db}}}
                    """.utf8)
            })
        XCTAssertEqual(errors, [])
        let checker = ClaimChecker(model: withoutAddresses, assumptions: Assumptions())
        XCTAssertEqual(try XCTUnwrap(file).claims.map { checker.check($0).verdict }, [.proved, .unknown, .unknown])
    }

    /// Without --port, every protocol and port is answered, split where the verdict or the deciding rule changes.
    func testPortRangesThatDifferAreSeparate() throws {
        let model = try loadModel(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: db, namespace: shop}
            spec:
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: shop}
            spec:
              selector: {matchLabels: {app: api}}
              template:
                metadata: {labels: {app: api}}
                spec: {containers: [{name: c}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: db}}
              ingress:
              - from: [{podSelector: {matchLabels: {app: api}}}]
                ports: [{port: 5432}, {port: 9000, endPort: 9100}]
            """)
        let e = QueryEngine(checker: ClaimChecker(model: model, assumptions: Assumptions()))
        let a = try ask(e, model, "shop/api", "shop/db")
        XCTAssertEqual(a.verdict, .allowed)
        XCTAssertEqual(a.parts.map(\.verdict), [.allowed, .denied])
        XCTAssertEqual(a.parts[0].conns.description, "TCP/5432,9000-9100")
        XCTAssertEqual(a.parts[0].witnessPort, 5432)
        XCTAssertEqual(a.parts[1].conns, ConnSet.all.subtracting(a.parts[0].conns))
        // A new pod in the namespace with free labels gets in by carrying app=api; with other labels it does not.
        let anyPod = try ask(e, model, "shop/*", "shop/db", ports: ["TCP/5432"])
        XCTAssertEqual(anyPod.verdict, .allowed)
        guard case .pod(let witness) = anyPod.parts[0].source else { return XCTFail("expected a pod witness") }
        XCTAssertNil(witness.workload)
        XCTAssertEqual(witness.labels["app"], "api")
        let labelled = try ask(e, model, "shop/*", "shop/db", ports: ["TCP/5432"], fromLabels: ["app": "web"])
        XCTAssertEqual(labelled.verdict, .denied, "a pod labelled app=web cannot also be app=api")
        XCTAssertNil(labelled.reason)
        // External clients: the pod's policy admits only app=api pods.
        let external = try ask(e, model, "external:203.0.113.0/24", "shop/db", ports: ["TCP/5432"])
        XCTAssertEqual(external.verdict, .denied)
        XCTAssertEqual(external.parts.count, 1)
        XCTAssertEqual(external.parts[0].sourceRanges, [AddressRange(cidr("203.0.113.0/24"))])
    }

    /// `ns/*` for a namespace the input lacks is a pod in a new namespace of that name: it carries the name a
    /// policy may trust before anyone has created the namespace, and any other labels its creator chooses.
    func testNewPodInANamespaceTheInputLacks() throws {
        let model = try loadModel(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: pg, namespace: db}
            spec:
              selector: {matchLabels: {app: pg}}
              template: {metadata: {labels: {app: pg}}, spec: {containers: [{name: c}]}}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: pg, namespace: db}
            spec:
              podSelector: {matchLabels: {app: pg}}
              ingress:
              - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: analytics}}}]
                ports: [{port: 5432}]
              - from: [{namespaceSelector: {matchLabels: {team: ops}}}]
                ports: [{port: 5433}]
            """)
        let e = QueryEngine(checker: ClaimChecker(model: model, assumptions: Assumptions()))
        let named = try ask(e, model, "analytics/*", "db/pg", ports: ["TCP/5432"])
        XCTAssertEqual(named.verdict, .allowed)
        guard case .pod(let witness) = named.parts[0].source else { return XCTFail("expected a pod witness") }
        XCTAssertEqual(witness.namespace, "analytics")
        XCTAssertTrue(witness.inNewNamespace)
        XCTAssertTrue(named.notes.contains { $0.contains("namespace analytics is not in the input") }, "\(named.notes)")
        // Another new namespace is not named analytics, but its creator may label it team=ops.
        let other = try ask(e, model, "newns/*", "db/pg", ports: ["TCP/5432-5433"])
        XCTAssertEqual(other.parts.filter { $0.verdict == .allowed }.map(\.conns.description), ["TCP/5433"])
        guard case .pod(let opsWitness) = other.parts[0].source else { return XCTFail("expected a pod witness") }
        XCTAssertEqual(opsWitness.namespace, "newns")
        XCTAssertEqual(opsWitness.namespaceLabels["team"], "ops")
        XCTAssertThrowsError(try QueryEndpoint.parse("New_NS/*", labels: [:], model: model))
        // A claim about pods anyone could create finds the namespace a policy trusts before it exists.
        let (file, errors) = ClaimsParser.load(
            try temporaryFile(
                """
                claims:
                - name: no-new-pod-reaches-pg
                  denied: {from: {universe: any}, to: {workload: db/pg}, ports: [TCP/5432]}
                """))
        XCTAssertEqual(errors, [])
        let result = ClaimChecker(model: model, assumptions: Assumptions()).check(try XCTUnwrap(file).claims[0])
        XCTAssertEqual(result.verdict, .refuted)
        guard case .pod(let source)? = result.counterexamples.first?.source else {
            return XCTFail("expected a pod counterexample")
        }
        XCTAssertEqual(source.namespace, "analytics")
    }

    /// The bundled dump (examples/cluster-dump): every pod of the input can be asked about by its name, the
    /// StatefulSet pods a policy isolates on their own are workloads of their own, and no two share a name.
    func testEveryPodOfTheDumpIsAskableByName() throws {
        let (e, model) = try engine(Paths.package("examples/cluster-dump"))
        XCTAssertEqual(Set(model.workloads.map(\.id)).count, model.workloads.count, "no workload name is ambiguous")
        XCTAssertEqual(
            model.workloads.filter { $0.kind == "StatefulSet" }.map(\.id).sorted(),
            ["data/postgres-0", "data/postgres-1", "data/postgres-2"])
        let pods = model.objects.keys.filter { $0.kind == "Pod" }
        XCTAssertEqual(pods.count, 17)
        for pod in pods {
            guard
                case .workload(let i) = try QueryEndpoint.parse(
                    "\(pod.namespace!)/\(pod.name)", labels: [:], model: model)
            else { return XCTFail("\(pod) names no workload") }
            XCTAssertEqual(model.workloads[i].namespace, pod.namespace)
        }
        // The api pod the rollout has not replaced is its own workload, and isolated.
        let old = try ask(e, model, "shop/web-6c9d7f8b5c-k2m4p", "shop/api-5b8c7d6e9f-x9l2q", ports: ["TCP/8080"])
        XCTAssertEqual(old.verdict, .denied)
        let new = try ask(e, model, "shop/web-6c9d7f8b5c-k2m4p", "shop/api-7d4b9c8f6d-m3n8b", ports: ["TCP/8080"])
        XCTAssertEqual(new.verdict, .allowed)
        XCTAssertEqual(
            try ask(e, model, "shop/api-7d4b9c8f6d-m3n8b", "data/postgres-1", ports: ["TCP/5432"]).verdict, .denied)
    }

    /// Endpoint syntax: pod names resolve to their workload; unknown names and namespaces are errors.
    func testEndpointParsing() throws {
        let model = try loadModel(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c}]}}
            """)
        guard case .workload(let i) = try QueryEndpoint.parse("shop/web-7d9c8b6f5-x2x4z", labels: [:], model: model)
        else { return XCTFail() }
        XCTAssertEqual(model.workloads[i].id, "shop/web")
        XCTAssertThrowsError(try QueryEndpoint.parse("shop/db", labels: [:], model: model)) {
            XCTAssertTrue("\($0)".contains("no workload or pod 'db' in namespace shop (workloads: web)"), "\($0)")
        }
        XCTAssertThrowsError(try QueryEndpoint.parse("nowhere/web", labels: [:], model: model))
        XCTAssertThrowsError(try QueryEndpoint.parse("external:10.0.0.0/33", labels: [:], model: model))
        XCTAssertThrowsError(try QueryEndpoint.parse("shop/web", labels: ["a": "b"], model: model))
        guard case .external(let c) = try QueryEndpoint.parse("external:192.0.2.7", labels: [:], model: model) else {
            return XCTFail()
        }
        XCTAssertEqual(c.description, "192.0.2.7/32")
    }

    /// The CLI: the answer's exit code, and exit 2 for an endpoint that does not exist.
    func testQueryCommandExitCodes() throws {
        let binary = Paths.packageRoot.appendingPathComponent(".build/debug/reachproof").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("build the CLI first (swift build)")
        }
        let examples = Paths.packageRoot.appendingPathComponent("examples/verrazzano").path
        let allowed = try runProcess(
            binary, ["query", examples, "--from", "keycloak/keycloak", "--to", "keycloak/mysql", "--port", "TCP/3306"])
        XCTAssertEqual(allowed.status, 0, allowed.output)
        XCTAssertTrue(allowed.output.contains("ALLOWED  TCP/3306"), allowed.output)
        let denied = try runProcess(
            binary,
            [
                "query", examples, "--from", "external:0.0.0.0/0", "--to", "keycloak/mysql", "--port", "TCP/3306",
                "--format", "json",
            ])
        XCTAssertEqual(denied.status, 1, denied.output)
        XCTAssertTrue(denied.output.contains("\"answer\" : \"DENIED\""), denied.output)
        let missing = try runProcess(
            binary, ["query", examples, "--from", "keycloak/nothing", "--to", "keycloak/mysql"])
        XCTAssertEqual(missing.status, 2, missing.output)
        // A request through the ingress controller has a JSON form too: the route and both hops.
        let ingress = try runProcess(
            binary,
            [
                "query", examples, "--from", "external:203.0.113.7", "--to",
                "verrazzano-system/svc/verrazzano-authproxy", "--host", "verrazzano.default.example.com", "--path",
                "/console", "--port", "TCP/443", "--format", "json",
            ])
        XCTAssertEqual(ingress.status, 0, ingress.output)
        let log = try JSONSerialization.jsonObject(with: Data(ingress.output.utf8)) as? [String: Any]
        XCTAssertEqual(log?["answer"] as? String, "ALLOWED")
        XCTAssertEqual((log?["hops"] as? [[String: Any]])?.count, 2)
        XCTAssertTrue((log?["route"] as? String)?.contains("Ingress verrazzano-system/verrazzano-ingress") ?? false)
        // Options that make no sense together are input errors (exit 2), named.
        let method = try runProcess(
            binary,
            [
                "query", examples, "--from", "keycloak/keycloak", "--to", "keycloak/mysql", "--method", "GET",
                "--layer",
                "netpol",
            ])
        XCTAssertEqual(method.status, 2, method.output)
        XCTAssertTrue(method.output.contains("--method is decided at the mesh or end-to-end layer"), method.output)
    }
}
