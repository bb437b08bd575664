import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims

/// Claims over existing pods and external ranges are decided by enumeration; the solver must agree on every
/// verdict and, where it lists them all, on the failing (source, destination) pairs.
final class EnumerationCrossCheckTests: XCTestCase {
    func testEnumerationAgreesWithTheSolver() throws {
        guard
            let out = try generateCluster(
                namespaces: 5, deployments: 60, policies: 30, seed: 11, flags: ["--ipblocks", "--named-ports"])
        else {
            throw XCTSkip("../shared/oracle is absent")
        }
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (model, errors) = ModelLoader().load(paths: [out])
        XCTAssertEqual(errors, [])
        var yaml = "claims:\n"
        let namespaces = model.namespaces.keys.sorted()
        for (i, a) in namespaces.enumerated() {
            for (j, b) in namespaces.enumerated() where (i + j) % 2 == 0 {
                let port = [80, 443, 8080, 5432][(i + j) % 4]
                yaml +=
                    "  - {name: d-\(a)-\(b), allowEmpty: true, denied: {from: {namespace: \(a)}, to: {namespace: \(b)}, ports: [TCP/\(port)]}}\n"
                yaml +=
                    "  - {name: a-\(a)-\(b), allowEmpty: true, allowed: {from: {namespace: \(a)}, to: {namespace: \(b)}, ports: [TCP/\(port)]}}\n"
                yaml +=
                    "  - {name: o-\(a)-\(b), allowEmpty: true, only: {from: [{namespace: \(a)}], to: {namespace: \(b)}, ports: [TCP/\(port)]}}\n"
            }
            yaml +=
                "  - {name: x-\(a), allowEmpty: true, denied: {from: {external: 0.0.0.0/0}, to: {namespace: \(a)}}}\n"
            yaml +=
                "  - {name: e-\(a), allowEmpty: true, denied: {from: {namespace: \(a)}, to: {external: 0.0.0.0/0}, ports: [TCP/443]}}\n"
        }
        let (file, claimErrors) = ClaimsParser.load("-", stdin: { Data(yaml.utf8) })
        XCTAssertEqual(claimErrors, [])
        let enumerating = ClaimChecker(model: model, assumptions: Assumptions())
        let solving = ClaimChecker(model: model, assumptions: Assumptions())
        solving.solverOnly = true
        var refuted = 0
        for claim in file!.claims {
            let e = enumerating.check(claim)
            let s = solving.check(claim)
            XCTAssertEqual(e.verdict, s.verdict, claim.name + " \(s.reason ?? "")")
            XCTAssertEqual(e.admittedSources, s.admittedSources, claim.name)
            if s.counterexamples.count < solving.maxCounterexamples
                && e.counterexamples.count < enumerating.maxCounterexamples
            {
                // Both lists are complete: same failing pairs (external ranges compared by containment).
                func pairs(_ r: ClaimResult) -> Set<String> {
                    Set(
                        r.counterexamples.map { c in
                            let src = c.source.pod?.workload ?? "external"
                            let dst = c.destination.pod?.workload ?? "external"
                            return claim.kind == .only ? src : "\(src) -> \(dst)"
                        })
                }
                if claim.from.first?.external == nil && claim.to.external == nil {
                    XCTAssertEqual(pairs(e), pairs(s), claim.name)
                }
            }
            if e.verdict == .refuted { refuted += 1 }
        }
        XCTAssertGreaterThan(refuted, 3)
        XCTAssertLessThan(refuted, file!.claims.count)
        // On two threads (as `check` runs them) the results are those of one thread, in the claims' order.
        let parallel = ClaimChecker(model: model, assumptions: Assumptions()).check(
            all: file!.claims, threads: 2)
        let sequential = file!.claims.map(
            ClaimChecker(model: model, assumptions: Assumptions()).check)
        XCTAssertEqual(parallel.map(\.claim.name), sequential.map(\.claim.name))
        XCTAssertEqual(parallel.map(\.verdict), sequential.map(\.verdict))
        XCTAssertEqual(
            parallel.map { $0.counterexamples.map { "\($0.source) \($0.destination) \($0.port)" } },
            sequential.map { $0.counterexamples.map { "\($0.source) \($0.destination) \($0.port)" } })
    }
}

/// Claims about pods that could be created: the cheap search over existing pods first, then the solver with each
/// side's NetworkPolicies sliced to the namespaces it may be in. Both must give the verdicts of the full encoding
/// without the cheap search, on the project's own generated clusters.
final class SlicedEncodingCrossCheckTests: XCTestCase {
    func testCheapSearchAndSlicingAgreeWithTheFullEncoding() throws {
        var refuted = 0
        var proved = 0
        for seed: UInt64 in [3, 8, 21] {
            let model = try generatedModel(seed: seed) {
                $0.namespaces = 4
                $0.deployments = 16
                $0.policies = 14
            }
            var yaml = "claims:\n"
            let namespaces = model.namespaces.keys.sorted()
            for (i, a) in namespaces.enumerated() {
                for (j, b) in namespaces.enumerated() {
                    let port = [80, 443, 8080, 5432][(i + j) % 4]
                    let to = "{namespace: \(b)}"
                    yaml +=
                        "  - {name: d-\(a)-\(b), allowEmpty: true, denied: {from: {namespace: \(a), universe: any}, to: \(to), ports: [TCP/\(port)]}}\n"
                    yaml +=
                        "  - {name: a-\(a)-\(b), allowEmpty: true, allowed: {from: {namespace: \(a), universe: any}, to: \(to), ports: [TCP/\(port)]}}\n"
                    if j == 0 {
                        yaml +=
                            "  - {name: o-\(a)-\(b), allowEmpty: true, universe: any, only: {from: [{namespace: \(a)}], to: \(to), ports: [TCP/\(port)]}}\n"
                    }
                }
                yaml +=
                    "  - {name: n-\(a), allowEmpty: true, denied: {from: {namespaceSelector: {}, universe: any}, to: {namespace: \(a)}, ports: [TCP/80]}}\n"
            }
            let (file, errors) = ClaimsParser.load("-", stdin: { Data(yaml.utf8) })
            XCTAssertEqual(errors, [])
            let fast = ClaimChecker(model: model, assumptions: Assumptions())
            let sliced = ClaimChecker(model: model, assumptions: Assumptions())
            sliced.solverOnly = true
            let full = ClaimChecker(model: model, assumptions: Assumptions())
            full.solverOnly = true
            full.slicedEncoding = false
            for claim in file!.claims {
                let reference = full.check(claim).verdict
                XCTAssertEqual(sliced.check(claim).verdict, reference, "sliced, seed \(seed), \(claim.name)")
                XCTAssertEqual(fast.check(claim).verdict, reference, "cheap search first, seed \(seed), \(claim.name)")
                if reference == .refuted { refuted += 1 }
                if reference == .proved { proved += 1 }
            }
        }
        XCTAssertGreaterThan(refuted, 10)
        XCTAssertGreaterThan(proved, 10)
    }
}

/// `check(all:)` reads connections towards the destinations of `only` claims from a class matrix computed once; one
/// claim at a time evaluates them pair by pair. Both must give the same verdicts, admitted sources and
/// counterexamples, on the project's own generated clusters (named ports, ipBlocks, Services; no admin tiers, where
/// the matrix is not used).
final class MatrixEnumerationCrossCheckTests: XCTestCase {
    func testClaimsReadFromTheClassMatrixAgreeWithPairByPair() throws {
        var refuted = 0
        for seed: UInt64 in [5, 13, 34] {
            let model = try generatedModel(seed: seed) {
                $0.namespaces = 5
                $0.deployments = 30
                $0.policies = 20
                $0.services = true
            }
            var yaml = "claims:\n"
            let namespaces = model.namespaces.keys.sorted()
            for (i, a) in namespaces.enumerated() {
                for (j, b) in namespaces.enumerated() where (i + j) % 2 == 0 {
                    let port = [8000, 8010, 8030, 5432][(i + j) % 4]
                    yaml +=
                        "  - {name: o-\(a)-\(b), allowEmpty: true, only: {from: [{namespace: \(a)}], to: {namespace: \(b)}, ports: [TCP/\(port)]}}\n"
                    yaml +=
                        "  - {name: d-\(a)-\(b), allowEmpty: true, denied: {from: {namespace: \(a)}, to: {namespace: \(b)}, ports: [TCP/\(port)]}}\n"
                }
            }
            let (file, errors) = ClaimsParser.load("-", stdin: { Data(yaml.utf8) })
            XCTAssertEqual(errors, [])
            let claims = file!.claims
            let fromMatrix = ClaimChecker(model: model, assumptions: Assumptions()).check(all: claims, threads: 1)
            let pairByPair = ClaimChecker(model: model, assumptions: Assumptions())
            for (claim, result) in zip(claims, fromMatrix) {
                let reference = pairByPair.check(claim)
                XCTAssertEqual(result.verdict, reference.verdict, "seed \(seed), \(claim.name)")
                XCTAssertEqual(result.admittedSources, reference.admittedSources, "seed \(seed), \(claim.name)")
                XCTAssertEqual(
                    result.counterexamples.map { "\($0.source) \($0.destination) \($0.port)" },
                    reference.counterexamples.map { "\($0.source) \($0.destination) \($0.port)" },
                    "seed \(seed), \(claim.name)")
                if reference.verdict == .refuted { refuted += 1 }
            }
        }
        XCTAssertGreaterThan(refuted, 5)
    }
}
