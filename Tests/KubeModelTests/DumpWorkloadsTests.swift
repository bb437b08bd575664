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

/// Pods of one controller that differ in what policies see are separate workloads, each named so that it can be
/// told apart and asked about by any of its pods' names.
final class PodGroupNamingTests: XCTestCase {
    func pod(_ name: String, owner: (kind: String, name: String), labels: String, phase: String? = nil) -> String {
        DumpWorkloadsTests.pod(name, owner: owner, labels: labels)
            + (phase.map { "status: {phase: \($0)}\n" } ?? "")
    }

    func testGroupsOfOneControllerAreNamedApart() throws {
        let sts = ("StatefulSet", "db")
        let statefulSetPods =
            pod("db-0", owner: sts, labels: "{app: db, statefulset.kubernetes.io/pod-name: db-0}")
            + pod("db-1", owner: sts, labels: "{app: db, statefulset.kubernetes.io/pod-name: db-1}")
        // Every live StatefulSet pod carries its own pod-name label; while no selector reads it, the pods are alike.
        let alike = try loadModel(statefulSetPods)
        XCTAssertEqual(alike.workloads.map { "\($0.id) x\($0.replicas ?? -1)" }, ["shop/db x2"])
        XCTAssertEqual(alike.workloads[0].labels, ["app": "db"])
        // A policy that isolates one of them makes each pod its own workload, named by the pod.
        let isolated = try loadModel(
            statefulSetPods + """
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: db-1-only, namespace: shop}
                spec: {podSelector: {matchLabels: {statefulset.kubernetes.io/pod-name: db-1}}, policyTypes: [Ingress]}
                """)
        XCTAssertEqual(isolated.workloads.map(\.id).sorted(), ["shop/db-0", "shop/db-1"])
        let model = try loadModel(
            statefulSetPods
                // A rollout: the pods of each ReplicaSet, named by the ReplicaSet.
                + pod("api-aaa-1", owner: ("ReplicaSet", "api-aaa"), labels: "{app: api, pod-template-hash: aaa}")
                + pod("api-aaa-2", owner: ("ReplicaSet", "api-aaa"), labels: "{app: api, pod-template-hash: aaa}")
                + pod(
                    "api-bbb-1", owner: ("ReplicaSet", "api-bbb"), labels: "{app: api, v: '2', pod-template-hash: bbb}")
                // A DaemonSet whose pods differ: each group by its first pod's name.
                + pod("agent-x", owner: ("DaemonSet", "agent"), labels: "{app: agent, zone: a}")
                + pod("agent-y", owner: ("DaemonSet", "agent"), labels: "{app: agent, zone: a}")
                + pod("agent-z", owner: ("DaemonSet", "agent"), labels: "{app: agent, zone: b}")
                // A Job whose pods all finished: it keeps its name, with no replica.
                + pod("once-abc", owner: ("Job", "once"), labels: "{app: once}", phase: "Succeeded")
                // A finished pod beside a running one of the same controller joins no group.
                + pod("cron-1", owner: ("Job", "cron"), labels: "{app: cron, run: '1'}", phase: "Failed")
                + pod("cron-2", owner: ("Job", "cron"), labels: "{app: cron, run: '2'}"))
        let ids = model.workloads.map { "\($0.kind) \($0.id) x\($0.replicas.map(String.init) ?? "-")" }.sorted()
        XCTAssertEqual(
            ids,
            [
                "DaemonSet shop/agent-x x2", "DaemonSet shop/agent-z x1", "Deployment shop/api-aaa x2",
                "Deployment shop/api-bbb x1", "Job shop/cron x1", "Job shop/once x0", "StatefulSet shop/db x2",
            ])
        XCTAssertEqual(Set(model.workloads.map(\.id)).count, model.workloads.count, "no name is ambiguous")
        XCTAssertEqual(model.finishedPods, 2)
        XCTAssertEqual(model.podWorkloads["shop/agent-y"], "agent-x")
        XCTAssertEqual(model.podWorkloads["shop/cron-1"], "cron")
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

/// KubeVirt VirtualMachines and VirtualMachineInstances are workloads: their virt-launcher pods carry the instance's
/// labels, which policies select. In a dump, the VM, its VMI and the launcher pod are one workload named after the
/// VM; a stopped VM runs no pod.
final class KubeVirtWorkloadTests: XCTestCase {
    static let manifests = """
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata: {name: db, namespace: vms}
        spec:
          runStrategy: Always
          template:
            metadata: {labels: {app: db}}
            spec:
              domain:
                devices:
                  interfaces: [{name: default, masquerade: {}, ports: [{name: pg, port: 5432}]}]
              networks: [{name: default, pod: {}}]
              volumes: [{name: sa, serviceAccount: {serviceAccountName: db-sa}}]
        ---
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata: {name: old, namespace: vms}
        spec:
          running: false
          template: {metadata: {labels: {app: old}}, spec: {domain: {devices: {}}}}
        ---
        apiVersion: kubevirt.io/v1
        kind: VirtualMachineInstance
        metadata: {name: scratch, namespace: vms, labels: {app: scratch}}
        spec: {domain: {devices: {}}}
        """

    func testVirtualMachinesAreWorkloads() throws {
        let model = try loadModel(Self.manifests)
        let db = try XCTUnwrap(model.workloads.first { $0.name == "db" })
        XCTAssertEqual(db.kind, "VirtualMachine")
        XCTAssertEqual(db.labels, ["app": "db", "kubevirt.io": "virt-launcher", "vm.kubevirt.io/name": "db"])
        XCTAssertEqual(db.serviceAccount, "db-sa")
        XCTAssertEqual(db.ports, [ContainerPort(name: "pg", number: 5432, proto: .tcp)])
        XCTAssertEqual(db.replicas, 1)
        XCTAssertEqual(model.workloads.first { $0.name == "old" }?.replicas, 0)
        XCTAssertEqual(model.workloads.first { $0.name == "scratch" }?.labels["app"], "scratch")
    }

    func testDumpCountsTheLauncherPodOnce() throws {
        let dump =
            Self.manifests
                + """

                ---
                apiVersion: kubevirt.io/v1
                kind: VirtualMachineInstance
                metadata:
                  name: db
                  namespace: vms
                  labels: {app: db}
                  ownerReferences: [{apiVersion: kubevirt.io/v1, kind: VirtualMachine, name: db, controller: true, uid: u1}]
                spec: {domain: {devices: {}}}
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: virt-launcher-db-8dzl7
                  namespace: vms
                  labels: {app: db, kubevirt.io: virt-launcher, vm.kubevirt.io/name: db, kubevirt.io/created-by: u2}
                  ownerReferences:
                  - {apiVersion: kubevirt.io/v1, kind: VirtualMachineInstance, name: db, controller: true, uid: u2}
                spec: {containers: [{name: compute}]}
                """
        let model = try loadModel(dump)
        let db = model.workloads.filter { $0.namespace == "vms" && $0.name == "db" }
        XCTAssertEqual(db.count, 1, "\(model.workloads.map(\.id))")
        XCTAssertEqual(db.first?.kind, "VirtualMachine")
        XCTAssertEqual(db.first?.labels["kubevirt.io/created-by"], "u2", "the running pod stands for the template")
    }
}
