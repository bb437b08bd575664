import KubeModel
import TestSupport
import XCTest

@testable import Reachability

/// `Evaluator.compiled` finds many pods' sides at once and lets pods that the same policies select share one side
/// object. Sharing must never hand a pod rules resolved on another pod's named ports.
final class EvaluatorSidesTests: XCTestCase {
    func testSidesFoundTogetherHoldEachPodsOwnRules() throws {
        var shared = 0
        for seed: UInt64 in [3, 17, 41] {
            let model = try generatedModel(seed: seed) {
                $0.deployments = 40
                $0.policies = 16
                $0.namedPorts = true
            }
            let together = Evaluator(model: model, assumptions: Assumptions())
            let oneByOne = Evaluator(model: model, assumptions: Assumptions())
            let pods = together.endpoints.enumerated().map { (endpoint: $0.element, index: $0.offset) }
            for direction in [Direction.ingress, .egress] {
                let sides = together.compiled(direction, pods)
                shared += pods.count - Set(sides.map(ObjectIdentifier.init)).count
                for (pod, side) in zip(pods, sides) {
                    let context = "seed \(seed), \(direction) side of \(pod.endpoint.workload ?? "?")"
                    let alone = oneByOne.compiled(direction, pod.endpoint, index: pod.index)
                    XCTAssertEqual(side.isolated, alone.isolated, context)
                    XCTAssertEqual(side.rules.map(\.peers), alone.rules.map(\.peers), context)
                    XCTAssertEqual(side.rules.map(\.conns), alone.rules.map(\.conns), context)
                    // A rule's fixed connections are its ports resolved on this pod (ingress) or on none (egress).
                    for rule in side.rules where rule.conns != nil {
                        XCTAssertEqual(rule.conns, rule.ports.connections(destination: .pod(pod.endpoint)), context)
                    }
                    let selected = together.selecting(pod.endpoint)
                    XCTAssertEqual(side.isolated, selected.contains { $0.isolates(direction) }, context)
                }
            }
        }
        XCTAssertGreaterThan(shared, 0, "pods selected by the same policies share sides")
    }
}
