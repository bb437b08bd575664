import TestSupport
import XCTest

@testable import KubeModel

/// The Prometheus Operator's resources are the StatefulSets it creates: named as the operator names them, with its
/// identity labels over `spec.podMetadata.labels`, and one workload in a dump that also holds the StatefulSet and pods.
final class OperatorWorkloadsTests: XCTestCase {
    static let resources = """
        apiVersion: monitoring.coreos.com/v1
        kind: Prometheus
        metadata: {name: k8s, namespace: monitoring}
        spec:
          shards: 2
          replicas: 2
          thanos: {}
          podMetadata: {labels: {team: obs, app.kubernetes.io/name: overridden}}
        ---
        apiVersion: monitoring.coreos.com/v1
        kind: ThanosRuler
        metadata: {name: rules, namespace: monitoring}
        spec: {listenLocal: true, replicas: -1, queryEndpoints: [dnssrv+_http._tcp.thanos-query]}
        """

    func testResourcesBecomeTheOperatorsStatefulSets() throws {
        let model = try loadModel(Self.resources)
        let ids = model.workloads.map { "\($0.kind) \($0.id) x\($0.replicas ?? -1)" }.sorted()
        XCTAssertEqual(
            ids,
            [
                "Prometheus monitoring/prometheus-k8s x2", "Prometheus monitoring/prometheus-k8s-shard-1 x2",
                // A negative replica count is zero to the operator.
                "ThanosRuler monitoring/thanos-ruler-rules x0",
            ])
        let shard1 = try XCTUnwrap(model.workloads.first { $0.name == "prometheus-k8s-shard-1" })
        XCTAssertEqual(shard1.labels["app.kubernetes.io/name"], "prometheus", "the operator's labels win")
        XCTAssertEqual(shard1.labels["team"], "obs")
        XCTAssertEqual(shard1.labels["operator.prometheus.io/shard"], "1")
        XCTAssertEqual(shard1.ports.map(\.number), [9090, 10901, 10902], "web, and the Thanos sidecar's ports")
        let ruler = try XCTUnwrap(model.workloads.first { $0.kind == "ThanosRuler" })
        XCTAssertEqual(ruler.ports.map(\.number), [10901], "listenLocal keeps the web port off the pod network")
    }

    func testADumpCountsTheResourceOnce() throws {
        let dump = """
            apiVersion: monitoring.coreos.com/v1
            kind: Alertmanager
            metadata: {name: main, namespace: monitoring}
            spec: {replicas: 2}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: alertmanager-main
              namespace: monitoring
              ownerReferences: [{apiVersion: monitoring.coreos.com/v1, kind: Alertmanager, name: main, controller: true, uid: u}]
            spec:
              replicas: 2
              selector: {matchLabels: {alertmanager: main}}
              template:
                metadata: {labels: {alertmanager: main, app.kubernetes.io/name: alertmanager}}
                spec: {containers: [{name: alertmanager, ports: [{name: web, containerPort: 9093}]}]}

            """
            + ["0", "1"].map { i in
                DumpWorkloadsTests.pod(
                    "alertmanager-main-\(i)", owner: ("StatefulSet", "alertmanager-main"),
                    labels:
                        "{alertmanager: main, app.kubernetes.io/name: alertmanager, statefulset.kubernetes.io/pod-name: alertmanager-main-\(i)}",
                    ns: "monitoring")
            }.joined()
        let model = try loadModel(dump)
        XCTAssertEqual(
            model.workloads.map { "\($0.kind) \($0.id) x\($0.replicas ?? -1)" },
            [
                "Alertmanager monitoring/alertmanager-main x2"
            ])
        XCTAssertEqual(model.templatesReplacedByPods, 1)
    }
}

/// `--workloads FILE`: pods other operators create, declared by the user, with positions and validation.
final class DeclaredWorkloadsTests: XCTestCase {
    func testWorkloadsFileAddsPods() throws {
        let manifests = try temporaryFile(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n", name: "ns.yaml")
        let file = try temporaryFile(
            """
            workloads:
              - namespace: data
                name: events-kafka
                labels: {strimzi.io/cluster: events}
                serviceAccount: kafka
                ports: [{name: clients, port: 9092}]
                replicas: 3
            """, name: "workloads.yaml")
        var loader = ModelLoader()
        loader.workloadFiles = [file]
        let (model, errors) = loader.load(paths: [manifests])
        XCTAssertEqual(errors, [])
        let kafka = try XCTUnwrap(model.workloads.first)
        XCTAssertEqual(kafka.id, "data/events-kafka")
        XCTAssertEqual(kafka.labels, ["strimzi.io/cluster": "events"])
        XCTAssertEqual(kafka.serviceAccount, "kafka")
        XCTAssertEqual(kafka.replicas, 3)
        XCTAssertEqual(kafka.location.line, 2)
        XCTAssertNotNil(model.namespaces["data"], "the namespace of a declared workload exists")
    }

    func testBadWorkloadsFileIsAnError() throws {
        let manifests = try temporaryFile(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: dup, namespace: data}
            spec: {containers: [{name: c}]}
            """, name: "pod.yaml")
        func errors(_ text: String) throws -> [String] {
            var loader = ModelLoader()
            loader.workloadFiles = [try temporaryFile(text, name: "workloads.yaml")]
            return loader.load(paths: [manifests]).errors.map { "\($0.location.line) \($0.field)" }
        }
        XCTAssertEqual(
            try errors(
                """
                workloads:
                  - {namespace: data, name: ok}
                  - {namespace: Data, name: x}
                  - {namespace: data, name: y, replicas: many, colour: blue}
                """), ["3 workloads[1].namespace", "4 workloads[2].colour", "4 workloads[2].replicas"])
        // A declared workload never hides one of the manifests.
        XCTAssertEqual(try errors("workloads: [{namespace: data, name: dup}]"), ["1 name"])
        XCTAssertEqual(try errors("workloads: []"), ["1 workloads"])
    }
}
