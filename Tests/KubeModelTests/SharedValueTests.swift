import XCTest

@testable import KubeModel

/// Workloads and Services keep their fields in a `SharedValue`: they still compare and hash by content.
final class SharedValueTests: XCTestCase {
    func workload(name: String = "shop", labels: [String: String] = ["app": "shop"], replicas: Int? = 2) -> Workload {
        Workload(
            kind: "Deployment", name: name, namespace: "prod", labels: labels, annotations: [:],
            serviceAccount: "default",
            ports: [ContainerPort(name: "http", number: 8080, proto: .tcp)], hostNetwork: false, replicas: replicas,
            containerNames: ["main"], location: SourceLocation(file: "w.yaml", line: 1))
    }

    func testWorkloadsCompareAndHashByContent() {
        let a = workload()
        let copy = a
        XCTAssertEqual(a, copy)
        XCTAssertEqual(a, workload(), "built apart, same content")
        XCTAssertEqual(Set([a, workload()]).count, 1)
        XCTAssertEqual(a.hashValue, workload().hashValue)
        for other in [workload(name: "cart"), workload(labels: ["app": "cart"]), workload(replicas: nil)] {
            XCTAssertNotEqual(a, other)
        }
        XCTAssertEqual(Set([a, workload(name: "cart"), workload(replicas: nil)]).count, 3)
        XCTAssertEqual(a.ports.first?.number, 8080)
        XCTAssertEqual(a.id, "prod/shop")
    }

    func testServicesCompareByContent() {
        func service(_ selector: [String: String]?) -> Service {
            Service(
                name: "shop", namespace: "prod", labels: [:], type: "ClusterIP", clusterIP: nil, selector: selector,
                ports: [], externalTrafficPolicy: "Cluster", loadBalancerSourceRanges: [],
                location: SourceLocation(file: "s.yaml", line: 1))
        }
        XCTAssertEqual(service(["app": "shop"]), service(["app": "shop"]))
        XCTAssertNotEqual(service(["app": "shop"]), service(nil))
        XCTAssertTrue(service(["app": "shop"]).selects(workload()))
        XCTAssertFalse(service(nil).selects(workload()))
    }
}
