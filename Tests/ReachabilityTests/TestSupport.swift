import Foundation
import KubeModel
import TestSupport

@testable import Reachability

extension Evaluator {
    func endpoint(_ id: String) -> Endpoint {
        guard let i = model.workloads.firstIndex(where: { $0.id == id }) else { fatalError("no workload \(id)") }
        return .pod(endpoints[i])
    }

    func allows(_ from: String, _ to: String, _ proto: FlowProtocol, _ port: Int) -> Bool {
        connections(from: endpoint(from), to: endpoint(to)).contains(proto, port)
    }

    func allows(external ip: String, _ to: String, _ proto: FlowProtocol, _ port: Int) -> Bool {
        return connections(from: .external(AddressRange(cidr(ip))), to: endpoint(to)).contains(proto, port)
    }
}
