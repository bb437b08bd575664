import TestSupport
import XCTest

@testable import KubeModel

/// A `kubectl get -A -o yaml` dump holds a Deployment, its ReplicaSet and their Pods: one workload, counted once,
/// named after its top-level controller, with the running pods standing for the templates.
final class DumpWorkloadsTests: XCTestCase {
    static func pod(_ name: String, owner: (kind: String, name: String)?, labels: String, ns: String = "shop") -> String
    {
        let ownerText =
            owner.map {
                ", ownerReferences: [{apiVersion: apps/v1, kind: \($0.kind), name: \($0.name), controller: true, uid: u}]"
            } ?? ""
        return """
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name), namespace: \(ns), labels: \(labels)\(ownerText)}
            spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}

            """
    }

    static let dump = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec:
          replicas: 2
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: api-7d4b9c8f6d
          namespace: shop
          ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: api, controller: true, uid: u}]
        spec:
          replicas: 2
          selector: {matchLabels: {app: api, pod-template-hash: 7d4b9c8f6d}}
          template:
            metadata: {labels: {app: api, pod-template-hash: 7d4b9c8f6d}}
            spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: report, namespace: shop}
        spec:
          schedule: "0 * * * *"
          jobTemplate:
            spec:
              template:
                metadata: {labels: {app: report}}
                spec: {containers: [{name: c}], restartPolicy: Never}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: report-2890
          namespace: shop
          ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: report, controller: true, uid: u}]
        spec:
          template:
            metadata: {labels: {app: report}}
            spec: {containers: [{name: c}], restartPolicy: Never}

        """
        + pod(
            "api-7d4b9c8f6d-x1", owner: ("ReplicaSet", "api-7d4b9c8f6d"),
            labels: "{app: api, pod-template-hash: 7d4b9c8f6d}")
        + pod(
            "api-7d4b9c8f6d-x2", owner: ("ReplicaSet", "api-7d4b9c8f6d"),
            labels: "{app: api, pod-template-hash: 7d4b9c8f6d}")
        + pod(
            "web-5f6c7d8e9a-aa", owner: ("ReplicaSet", "web-5f6c7d8e9a"),
            labels: "{app: web, pod-template-hash: 5f6c7d8e9a}")
        + pod(
            "etcd-node-1", owner: ("Node", "node-1"), labels: "{component: etcd}", ns: "kube-system")
        + pod(
            "kube-apiserver-node-1", owner: ("Node", "node-1"), labels: "{component: kube-apiserver}",
            ns: "kube-system")

    func testEachControllerCountsOnce() throws {
        let model = try loadModel(Self.dump)
        let ids = model.workloads.map { "\($0.kind) \($0.id) x\($0.replicas.map(String.init) ?? "-")" }.sorted()
        XCTAssertEqual(
            ids,
            [
                // The CronJob's template stands for its pods: none of them is in the input.
                "CronJob shop/report x-",
                // Two running pods, named after the Deployment; its ReplicaSet and both templates are not workloads.
                "Deployment shop/api x2",
                // A ReplicaSet missing from the input is named after the Deployment its name and hash show.
                "Deployment shop/web x1",
                // Static pods are owned by their Node: each is named by itself.
                "Pod kube-system/etcd-node-1 x1", "Pod kube-system/kube-apiserver-node-1 x1",
            ])
    }
}

/// Objects without `metadata.namespace` go where `kubectl apply -n NS` would put them, and the count is kept for
/// the notice.
final class DefaultNamespaceTests: XCTestCase {
    func testObjectsWithoutANamespaceTakeTheDefault() throws {
        let path = try temporaryFile(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {selector: {app: web}, ports: [{port: 80}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: other}
            spec: {selector: {app: api}, ports: [{port: 80}]}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop}
            """)
        let (model, errors) = ModelLoader(defaultNamespace: "shop").load(paths: [path])
        XCTAssertEqual(errors, [])
        XCTAssertEqual(model.services.map { "\($0.namespace)/\($0.name)" }.sorted(), ["other/api", "shop/web"])
        XCTAssertEqual(model.namespaceDefaulted.count, 1, "a Namespace is cluster-scoped and takes none")
        XCTAssertEqual(Inventory(model).namespaceDefaulted, 1)
        XCTAssertEqual(Inventory(model).defaultNamespace, "shop")
    }
}
