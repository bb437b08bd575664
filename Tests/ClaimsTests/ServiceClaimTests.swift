import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims

/// Claims and queries addressed to a Service: its backends, on translated ports.
final class ServiceClaimTests: XCTestCase {
    /// The shared web pods, a client, the Service and a policy that admits the client on 8080 only.
    static var manifests: String {
        get throws {
            try String(contentsOfFile: Paths.package("Tests/Fixtures/services/web-versions.yaml"), encoding: .utf8)
                + "---\n" + """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: client, namespace: shop}
                    spec:
                      selector: {matchLabels: {app: client}}
                      template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c}]}}
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web, namespace: shop}
                    spec:
                      selector: {app: web}
                      ports: [{name: http, port: 80, targetPort: http}]
                    ---
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: web, namespace: shop}
                    spec:
                      podSelector: {matchLabels: {app: web}}
                      ingress:
                      - from: [{podSelector: {matchLabels: {app: client}}}]
                        ports: [{port: 8080}]
                    """
        }
    }

    func claims(_ yaml: String) throws -> (ClaimChecker, ClaimsFile) {
        let model = try loadModel(try Self.manifests)
        let (file, errors) = ClaimsParser.load("-", stdin: { Data(yaml.utf8) })
        XCTAssertEqual(errors, [])
        return (ClaimChecker(model: model, assumptions: Assumptions()), file!)
    }

    /// The policy admits 8080 only; the named targetPort is 9090 on the second version, so the Service fails there.
    func testNamedTargetPortThatThePolicyMissesRefutesTheClaim() throws {
        let (checker, file) = try claims(
            """
            claims:
              - name: client-uses-web
                allowed: {from: {workload: shop/client}, to: {service: shop/web}, ports: [TCP/80]}
              - name: only-client-uses-web
                only: {from: [{workload: shop/client}], to: {service: shop/web}}
            """)
        XCTAssertEqual(checker.validate(file), [])
        let uses = checker.check(file.claims[0])
        XCTAssertEqual(uses.verdict, .refuted)
        XCTAssertEqual(
            uses.counterexamples.map { "\($0.destination) \($0.proto.rawValue)/\($0.port) \($0.via ?? "")" },
            ["shop/web-v2 TCP/9090 Service shop/web TCP/80"])
        let only = checker.check(file.claims[1])
        XCTAssertEqual(only.verdict, .proved)
        XCTAssertEqual(only.admittedSources, ["shop/client"])
    }

    func testServiceClaimErrors() throws {
        let (checker, file) = try claims(
            """
            claims:
              - name: missing
                denied: {from: {workload: shop/client}, to: {service: shop/nothing}}
              - name: wrong-port
                denied: {from: {workload: shop/client}, to: {service: shop/web}, ports: [TCP/81]}
            """)
        XCTAssertEqual(
            checker.validate(file).map { "\($0.field): \($0.message)" },
            [
                "claims[0].denied.to.service: no Service 'shop/nothing' in the manifests",
                "claims[1].denied.to.service: Service shop/web has no port in TCP/81 (its ports: TCP/80)",
            ])
        XCTAssertThrowsError(
            try {
                let (_, errors) = ClaimsParser.load(
                    "-",
                    stdin: {
                        Data(
                            "claims:\n  - name: x\n    denied: {from: {service: shop/web}, to: {workload: shop/client}}\n"
                                .utf8)
                    })
                if !errors.isEmpty { throw InputErrors(errors) }
            }())
    }

    func testQueryToAServiceAnswersPerBackend() throws {
        let model = try loadModel(try Self.manifests)
        let engine = QueryEngine(checker: ClaimChecker(model: model, assumptions: Assumptions()))
        let to = try QueryEndpoint.parse("shop/svc/web", labels: [:], model: model)
        let a = engine.answer(
            from: try QueryEndpoint.parse("shop/client", labels: [:], model: model), fromText: "shop/client", to: to,
            toText: "shop/svc/web",
            ports: [PortSpec.parse("TCP/80")!])
        XCTAssertEqual(
            a.parts.map { "\($0.verdict.rawValue) \($0.conns) \($0.destination)" },
            ["ALLOWED TCP/8080 shop/web-v1", "DENIED TCP/9090 shop/web-v2"])
        XCTAssertEqual(Set(a.parts.compactMap(\.via)), ["Service shop/web TCP/80"])
    }
}
