import KubeModel
import TestSupport
import XCTest

@testable import Lint
@testable import Reporting

/// Every lint rule fires on its bad example and stays silent on its good one; together, the bad examples form a
/// fixture where every rule fires and the good ones a fixture with no finding at all.
final class LintRuleTests: XCTestCase {
    func findings(_ yaml: String) throws -> [LintFinding] { Linter.run(try loadModel(yaml)) }

    func testEachRuleOnItsOwnExamples() throws {
        XCTAssertEqual(Set(Linter.rules.map(\.id)).count, Linter.rules.count, "rule ids are unique")
        for rule in Linter.rules {
            let bad = try findings(rule.badExample).filter { $0.ruleID == rule.id }
            XCTAssertFalse(bad.isEmpty, "\(rule.id) does not fire on its bad example")
            XCTAssertTrue(bad.allSatisfy { $0.location.line > 0 && $0.severity == rule.severity }, rule.id)
            let good = try findings(rule.goodExample).filter { $0.ruleID == rule.id }
            XCTAssertEqual(good.map(\.message), [], "\(rule.id) fires on its good example")
        }
    }

    func testSeededFixtureHasEveryRuleAndCleanFixtureNone() throws {
        let seeded = try findings(Linter.rules.map(\.badExample).joined(separator: "\n---\n"))
        XCTAssertEqual(Set(seeded.map(\.ruleID)), Set(Linter.rules.map(\.id)))
        let clean = try findings(Linter.rules.map(\.goodExample).joined(separator: "\n---\n"))
        XCTAssertEqual(clean.map { "\($0.ruleID): \($0.message)" }, [])
    }

    /// While resources whose operators run pods are skipped, a finding that rests on a pod being absent names them
    /// and drops to a note; the pods an operator creates from resources reachproof reads are simply there.
    func testPodsFromOperatorResourcesAreNotCalledAbsent() throws {
        let policy = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: kafka, namespace: data}
            spec: {podSelector: {matchLabels: {strimzi.io/cluster: events}}, policyTypes: [Ingress]}
            """
        let alone = try findings(policy).filter { $0.ruleID == "policy-selects-nothing" }
        XCTAssertEqual(alone.map(\.severity), [.warning])
        let withKafka = try findings(
            policy + """

                ---
                apiVersion: kafka.strimzi.io/v1beta2
                kind: Kafka
                metadata: {name: events, namespace: data}
                spec: {kafka: {replicas: 3}}
                """
        ).filter { $0.ruleID == "policy-selects-nothing" }
        XCTAssertEqual(withKafka.map(\.severity), [.note])
        XCTAssertTrue(
            withKafka[0].message.hasSuffix("which reachproof skips: Kafka.kafka.strimzi.io (1)"), withKafka[0].message)
        // The monitoring example: its Prometheus and Alertmanager pods come from the operator's resources.
        let (model, errors) = ModelLoader().load(paths: [Paths.package("examples/monitoring-stack")])
        XCTAssertEqual(errors, [])
        XCTAssertEqual(Linter.run(model).map(\.message), [])
        let prometheus = try XCTUnwrap(model.workloads.first { $0.id == "monitoring/prometheus-k8s" })
        XCTAssertEqual(prometheus.replicas, 2)
        XCTAssertEqual(prometheus.serviceAccount, "prometheus-k8s")
        XCTAssertEqual(prometheus.labels["team"], "observability")
        XCTAssertEqual(prometheus.labels["app.kubernetes.io/instance"], "k8s")
        XCTAssertEqual(prometheus.ports.map(\.number), [9090])
        let alertmanager = try XCTUnwrap(model.workloads.first { $0.id == "monitoring/alertmanager-main" })
        XCTAssertEqual(
            alertmanager.ports.map { "\($0.name ?? "") \($0.number)/\($0.proto.rawValue)" },
            ["web 9093/TCP", "mesh-tcp 9094/TCP", "mesh-udp 9094/UDP"])
    }

    func testMessagesNameTheFix() throws {
        let typo = try findings(UnknownNamespaceLabel().badExample).first { $0.ruleID == "unknown-namespace-label" }
        XCTAssertTrue(typo?.message.contains("did you mean 'team'?") ?? false, typo?.message ?? "none")
        let shadow = try findings(ShadowedRule().badExample).first { $0.ruleID == "shadowed-rule" }
        XCTAssertTrue(
            shadow?.message.contains("spec.ingress[1] admits nothing beyond spec.ingress[0]") ?? false,
            shadow?.message ?? "none")
    }

    func testSarifValidatesAgainstTheSchema() throws {
        let sarif = LintReport.sarif(
            try findings(Linter.rules.map(\.badExample).joined(separator: "\n---\n")), toolVersion: "test")
        let problem: String?
        do { problem = try sarifSchemaProblem(sarif) } catch is SARIFValidatorMissing {
            throw XCTSkip("python3 jsonschema is not installed")
        }
        XCTAssertNil(problem)
    }
}
