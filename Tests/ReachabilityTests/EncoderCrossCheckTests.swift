import KubeModel
import Reporting
import SMT
import TestSupport
import XCTest

@testable import Reachability

/// The Z3 encoding and the concrete evaluator must agree on every declared pair and every port; models found
/// for hypothetical pods and external addresses must replay to the same verdict in the evaluator.
final class EncoderCrossCheckTests: XCTestCase {
    /// For every ordered pair of declared workloads and every placement of their IPs in the pod network, asks Z3
    /// for a flow on which encoder and evaluator differ.
    func crossCheckPairs(
        _ model: ClusterModel, assumptions: Assumptions, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let evaluator = Evaluator(model: model, assumptions: assumptions)
        let encoder = Encoder(evaluator: evaluator)
        let z = encoder.z
        let src = encoder.makeRole("src")
        let dst = encoder.makeRole("dst")
        let flow = encoder.makeFlow()
        let solver = Solver(z)
        solver.assert(encoder.wellFormed(src))
        solver.assert(encoder.wellFormed(dst))
        let admitted = encoder.admitted(from: src, to: dst, flow)
        var checked = 0
        func within(_ role: Encoder.Role, _ r: AddressRange?) -> Expr {
            guard let r else { return z.trueExpr }
            return encoder.hasAddress(role, in: r, flow)
        }
        for i in evaluator.endpoints.indices {
            for j in evaluator.endpoints.indices where i != j {
                for sourceAddress in evaluator.podAddressRanges {
                    // A flow's two addresses are of one family.
                    for destinationAddress in evaluator.podAddressRanges
                    where sourceAddress == nil || destinationAddress == nil
                        || sourceAddress?.family == destinationAddress?.family
                    {
                        let expected = evaluator.connections(
                            from: evaluator.endpoints[i], at: sourceAddress, to: evaluator.endpoints[j],
                            at: destinationAddress)
                        solver.push()
                        solver.assert(within(src, sourceAddress))
                        solver.assert(within(dst, destinationAddress))
                        solver.assert(encoder.isWorkload(src, [i]))
                        solver.assert(encoder.isWorkload(dst, [j]))
                        // A real flow: a port protocol with a port, or OTHER.
                        solver.assert(z.or([flow.proto == z.bv(3, width: 2), z.ugt(flow.port, z.bv(0, width: 16))]))
                        solver.assert(z.not(z.iff(admitted, encoder.inConns(expected, flow))))
                        let result = try solver.check()
                        if case .sat(let m) = result {
                            let (p, port) = encoder.decodeFlow(flow, m)
                            XCTFail(
                                "encoder and evaluator disagree on \(model.workloads[i].id) -> \(model.workloads[j].id) \(p)/\(port): evaluator says \(expected)",
                                file: file, line: line)
                        }
                        solver.pop()
                        checked += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 0, file: file, line: line)
    }

    func testEncoderAgreesWithEvaluatorOnGeneratedClusters() throws {
        for (seed, flags) in [
            (1, ["--named-ports"]), (2, ["--ipblocks", "--named-ports"]), (3, ["--ipblocks", "--services"]),
        ] {
            let model = try generatedCluster(seed: seed, namespaces: 4, deployments: 14, policies: 12, flags: flags)
            try crossCheckPairs(model, assumptions: Assumptions())
            try crossCheckPairs(model, assumptions: Assumptions(profile: .conservativeAvailability))
        }
    }

    /// The same on clusters of the project's own generator (no ../shared needed): every NetworkPolicy shape, and
    /// with admin and baseline tiers (AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy).
    func testEncoderAgreesWithEvaluatorOnOwnGeneratedClusters() throws {
        for seed: UInt64 in 1...4 {
            for admin in [false, true] {
                let model = try generatedModel(seed: seed) {
                    $0.adminPolicies = admin ? 3 : 0
                    $0.baseline = admin
                    $0.clusterNetworkPolicies = admin ? 4 : 0
                }
                if admin { XCTAssertEqual(model.clusterNetworkPolicies.count, 4) }
                XCTAssertFalse(model.networkPolicies.isEmpty)
                try crossCheckPairs(model, assumptions: Assumptions())
                try crossCheckPairs(model, assumptions: Assumptions(profile: .conservativeAvailability))
            }
        }
    }

    func testEncoderAgreesOnAdminTiersAndVectors() throws {
        let extra =
            NetworkPolicyVectorTests.anp(
                "p5",
                "{priority: 5, subject: {namespaces: {matchLabels: {team: a}}}, ingress: [{action: Pass, from: [{pods: {namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: c}}}}]}], egress: [{action: Deny, to: [{networks: [203.0.113.0/24]}]}]}"
            )
            + NetworkPolicyVectorTests.anp(
                "p10",
                "{priority: 10, subject: {namespaces: {matchLabels: {team: a}}}, ingress: [{action: Deny, from: [{namespaces: {matchLabels: {team: b}}}], ports: [{portRange: {start: 8000, end: 9000}}]}]}"
            )
            + "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec: {subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {matchLabels: {team: c}}}], ports: [{namedPort: http}]}]}\n"
            + NetworkPolicyVectorTests.np(
                "a", "n1",
                "{podSelector: {matchLabels: {app: \"y\"}}, ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/17}}], ports: [{port: http}, {protocol: UDP, port: 53, endPort: 60}]}]}"
            )
        let model = try loadModel(NetworkPolicyVectorTests.fixture + extra)
        try crossCheckPairs(model, assumptions: Assumptions())
        try crossCheckPairs(model, assumptions: Assumptions(profile: .conservativeAvailability))
    }

    /// CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies on the project's own generated clusters: allow and
    /// deny sections, entities, CIDR sets in both families, port ranges and named ports, beside NetworkPolicies.
    func testEncoderAgreesOnCiliumPolicies() throws {
        var checked = 0
        for seed: UInt64 in 11...14 {
            let model = try generatedModel(seed: seed) {
                $0.ciliumPolicies = 6
                $0.policies = 4
            }
            XCTAssertEqual(model.ciliumPolicies.count, 6)
            guard PolicySet.undecidableReason(model, PolicySet(model: model, options: CompileOptions())) == nil else {
                continue
            }
            try crossCheckPairs(model, assumptions: Assumptions())
            try crossCheckPairs(model, assumptions: Assumptions(profile: .conservativeAvailability))
            try assertSolverModelsReplay(model, minimum: 5)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 3)
    }

    /// Hypothetical pods and external addresses: every model the solver finds replays to the same verdict.
    func testModelsOfHypotheticalAndExternalSourcesReplayInTheEvaluator() throws {
        let model = try generatedCluster(
            seed: 7, namespaces: 4, deployments: 12, policies: 10, flags: ["--ipblocks", "--named-ports"])
        try assertSolverModelsReplay(model, minimum: 20)
    }

    /// Both families: IPv6 blocks with `except`, peers mixing families, blocks over either pod network, and rules
    /// that admit pods of one family on one side and of the other on the other side.
    func testEncoderAgreesOnBothFamilies() throws {
        typealias V = NetworkPolicyVectorTests
        let extra =
            V.np(
                "a", "v6",
                "{podSelector: {matchLabels: {app: x}}, ingress: [{from: [{ipBlock: {cidr: \"2001:db8::/32\", except: [\"2001:db8:1::/48\"]}}, {ipBlock: {cidr: 192.0.2.0/24}}], ports: [{port: 8080}]}, {from: [{ipBlock: {cidr: \"fd00:10:244::/57\"}}]}]}"
            )
            + V.np(
                "b", "egress-v4-pods",
                "{podSelector: {matchLabels: {app: c}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.244.0.0/16}}]}]}"
            )
            + V.anp(
                "no-v6-out",
                "{priority: 3, subject: {namespaces: {matchLabels: {team: c}}}, egress: [{action: Deny, to: [{networks: [\"::/0\"]}], ports: [{portNumber: {protocol: TCP, port: 443}}]}]}"
            )
        let model = try loadModel(V.fixture + extra)
        for assumptions in [
            Assumptions(), Assumptions(ipFamilies: [.ipv4]), Assumptions(ipFamilies: [.ipv6]),
            Assumptions(profile: .conservativeAvailability),
        ] {
            try crossCheckPairs(model, assumptions: assumptions)
            try assertSolverModelsReplay(model, assumptions: assumptions, minimum: 5)
        }
    }

    func assertSolverModelsReplay(_ model: ClusterModel, assumptions: Assumptions = Assumptions(), minimum: Int) throws
    {
        let evaluator = Evaluator(model: model, assumptions: assumptions)
        let encoder = Encoder(evaluator: evaluator)
        let z = encoder.z
        var replayed = 0
        for j in evaluator.endpoints.indices {
            for sourceKind in ["hypothetical", "external"] {
                for wantAdmitted in [true, false] {
                    let src = encoder.makeRole("src")
                    let dst = encoder.makeRole("dst")
                    let flow = encoder.makeFlow()
                    let solver = Solver(z)
                    solver.assert(encoder.wellFormed(src))
                    solver.assert(encoder.wellFormed(dst))
                    solver.assert(encoder.isWorkload(dst, [j]))
                    solver.assert(
                        sourceKind == "external"
                            ? encoder.isExternal(src, in: evaluator.assumptions.ipFamilies.map(CIDR.whole), flow)
                            : encoder.isHypothetical(src, namespaces: encoder.namespaces, orNew: true))
                    solver.assert(z.or([flow.proto == z.bv(3, width: 2), z.ugt(flow.port, z.bv(0, width: 16))]))
                    let ok = encoder.admitted(from: src, to: dst, flow)
                    // A pod reaches the destination when some family admits the flow: denied means in every family. An
                    // external address has one family, the flow's.
                    let denied = sourceKind == "external" ? z.not(ok) : encoder.inEveryFamily(z.not(ok), flow)
                    solver.assert(wantAdmitted ? ok : denied)
                    guard case .sat(let m) = try solver.check() else { continue }
                    let (p, port) = encoder.decodeFlow(flow, m)
                    let decodedSource = encoder.decode(src, m, flow: flow)
                    let verdict = evaluator.explain(
                        from: decodedSource, to: .pod(evaluator.endpoints[j]), proto: p, port: port)
                    XCTAssertEqual(
                        verdict.allowed, wantAdmitted, "\(decodedSource) -> \(model.workloads[j].id) \(p)/\(port)")
                    replayed += 1
                }
            }
        }
        XCTAssertGreaterThan(replayed, minimum)
    }
}

/// Generates a cluster with the oracle's generator (PyYAML needed); skips when ../shared is absent.
func generatedCluster(seed: Int, namespaces: Int, deployments: Int, policies: Int, flags: [String]) throws
    -> ClusterModel
{
    guard
        let out = try generateCluster(
            namespaces: namespaces, deployments: deployments, policies: policies, seed: seed, flags: flags)
    else {
        throw XCTSkip("../shared/oracle is absent")
    }
    defer { try? FileManager.default.removeItem(atPath: out) }
    let (model, errors) = ModelLoader().load(paths: [out])
    XCTAssertEqual(errors, [])
    return model
}

/// The map works on endpoint classes and computes each side once per distinct list of rules; it must list exactly
/// what evaluating every workload pair one by one gives.
final class ClassMapCrossCheckTests: XCTestCase {
    func assertMapEqualsPairByPair(
        _ model: ClusterModel, _ assumptions: Assumptions = Assumptions(), _ context: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let evaluator = Evaluator(model: model, assumptions: assumptions)
        // The map has an evaluator of its own: it finds all its sides together, the expected pairs' one pod at a time.
        let map = ConnectivityMap(evaluator: Evaluator(model: model, assumptions: assumptions))
        var expected: [String: ConnSet] = [:]
        for (i, s) in evaluator.endpoints.enumerated() where model.workloads[i].replicas != 0 {
            // A workload's pairs unite those of its pods.
            for (j, d) in evaluator.endpoints.enumerated()
            where s.workload != d.workload && model.workloads[j].replicas != 0 {
                let c = evaluator.connections(from: .pod(s), to: .pod(d))
                if !c.isEmpty {
                    expected["\(s.workload!) => \(d.workload!)"] = c.union(
                        expected["\(s.workload!) => \(d.workload!)"] ?? .none)
                }
            }
        }
        var actual: [String: ConnSet] = [:]
        for p in map.pairs where !p.source.hasPrefix("external:") && !p.destination.hasPrefix("external:") {
            actual["\(p.source) => \(p.destination)"] = p.conns
        }
        let differing = Set(actual.keys).union(expected.keys).filter { actual[$0] != expected[$0] }.sorted()
        XCTAssert(
            differing.isEmpty,
            "\(context): \(differing.count) pairs differ, first: "
                + differing.prefix(5).map {
                    "\($0) map \(actual[$0].map(\.description) ?? "none"), evaluator \(expected[$0].map(\.description) ?? "none")"
                }.joined(separator: "; "), file: file, line: line)
        XCTAssertGreaterThan(expected.count, 0, context, file: file, line: line)
        let lines = map.pairs.map { $0.line }
        XCTAssertEqual(lines, lines.sorted(), "\(context): pairs are listed in line order", file: file, line: line)
        // The streamed text is the same list.
        XCTAssertEqual(MapReport.pairs(map), lines.map { $0 + "\n" }.joined(), context, file: file, line: line)
        // Listing on several workers, in uneven batches, gives the same lines in the same order.
        typealias Lines = ParallelListingTests.Lines
        var parallel: [String] = []
        map.forEachPairIndexInParallel(
            workers: 3, batch: 7, makeSink: { Lines(names: map.endpointNames(), table: $0) },
            drain: { sink in
                parallel += sink.lines
                sink.lines = []
            })
        XCTAssertEqual(parallel, lines, "\(context): parallel listing", file: file, line: line)
        // A focused map is the full map's pairs touching the focus.
        let namespace = model.workloads[0].namespace
        let focused = ConnectivityMap(evaluator: evaluator, namespace: namespace).pairs.map(\.line)
        let touching = map.pairs.filter { p in [p.source, p.destination].contains { $0.hasPrefix(namespace + "/") } }
            .map(\.line)
        XCTAssertEqual(focused, touching, "\(context): focus on \(namespace)", file: file, line: line)
        let workload = model.workloads[model.workloads.count / 2].id
        let one = ConnectivityMap(evaluator: evaluator, workload: workload)
        XCTAssertEqual(
            one.pairs.map(\.line),
            map.pairs.filter { $0.source == workload || $0.destination == workload }.map(\.line),
            "\(context): focus on \(workload)", file: file, line: line)
        var focusedParallel: [String] = []
        one.forEachPairIndexInParallel(
            workers: 2, batch: 5, makeSink: { Lines(names: one.endpointNames(), table: $0) },
            drain: { sink in
                focusedParallel += sink.lines
                sink.lines = []
            })
        XCTAssertEqual(
            focusedParallel, one.pairs.map(\.line), "\(context): parallel focused listing", file: file, line: line)
        assertSummaryAggregatesThePairs(map, model, context, file: file, line: line)
        // A map made for its summary stores no class values: it computes them as they are read (the summary's blocks
        // 64 sources at a time, a pair's or a row's one at a time), with the same results.
        let forSummary = ConnectivityMap(evaluator: evaluator, forSummary: true)
        XCTAssertEqual(
            NamespaceSummary(forSummary).rows, NamespaceSummary(map).rows, "\(context): summary computed as read",
            file: file, line: line)
        XCTAssertEqual(
            forSummary.pairs.map(\.line), lines, "\(context): pairs computed as read", file: file, line: line)
        assertSummaryAggregatesThePairs(
            ConnectivityMap(evaluator: evaluator, namespace: namespace), model, "\(context), focus on \(namespace)",
            focus: { $0.hasPrefix(namespace + "/") }, file: file, line: line)
        assertSummaryAggregatesThePairs(
            one, model, "\(context), focus on \(workload)", focus: { $0 == workload }, file: file, line: line)
    }

    /// The namespace summary counts and unites what the pair list says, namespace pair by namespace pair, out of the
    /// pairs that touch the map's focus (workloads for which `focus` holds).
    func assertSummaryAggregatesThePairs(
        _ map: ConnectivityMap, _ model: ClusterModel, _ context: String, focus: (String) -> Bool = { _ in true },
        file: StaticString, line: UInt
    ) {
        var namespaceOf: [String: String] = [:]
        for w in model.workloads where w.replicas != 0 && namespaceOf[w.id] == nil { namespaceOf[w.id] = w.namespace }
        struct Key: Hashable {
            let source: String
            let destination: String
        }
        let outside = NamespaceSummary.Peer.outsideName
        // Every ordered pair of workloads touching the focus, one by one, and each focused workload with the outside.
        var total: [Key: Int] = [:]
        for (s, a) in namespaceOf where focus(s) {
            total[Key(source: outside, destination: a), default: 0] += 1
            total[Key(source: a, destination: outside), default: 0] += 1
        }
        for (s, a) in namespaceOf {
            for (d, b) in namespaceOf where s != d && (focus(s) || focus(d)) {
                total[Key(source: a, destination: b), default: 0] += 1
            }
        }
        var connected: [Key: Set<String>] = [:]
        var conns: [Key: ConnSet] = [:]
        for p in map.pairs {
            let key = Key(source: namespaceOf[p.source] ?? outside, destination: namespaceOf[p.destination] ?? outside)
            // Towards or from the outside world a workload counts once, whatever the ranges.
            let pair = key.source == outside ? p.destination : key.destination == outside ? p.source : p.line
            connected[key, default: []].insert(pair)
            conns[key, default: .none] = conns[key, default: .none].union(p.conns)
        }
        var expected: [String] = []
        for (key, members) in connected {
            expected.append("\(key.source) \(key.destination) \(members.count)/\(total[key]!) \(conns[key]!)")
        }
        let summary = NamespaceSummary(map).rows.map {
            "\($0.source) \($0.destination) \($0.connected)/\($0.pairs) \($0.conns)"
        }
        XCTAssertEqual(summary, expected.sorted(), "\(context): namespace summary", file: file, line: line)
    }

    func testClassMapEqualsPairByPairEvaluation() throws {
        for (seed, flags) in [(5, ["--named-ports"]), (6, ["--ipblocks", "--named-ports"]), (7, [String]())] {
            let model = try generatedCluster(seed: seed, namespaces: 6, deployments: 120, policies: 50, flags: flags)
            XCTAssertLessThan(
                EndpointClasses(evaluator: Evaluator(model: model, assumptions: Assumptions()))
                    .count,
                model.workloads.count, "seed \(seed): classes should merge some workloads")
            assertMapEqualsPairByPair(model, Assumptions(), "seed \(seed)")
            assertMapEqualsPairByPair(
                model, Assumptions(profile: .conservativeAvailability), "seed \(seed), conservative-availability")
        }
    }

    func testClassMapEqualsPairByPairEvaluationOnOwnGeneratedClusters() throws {
        for seed: UInt64 in 11...13 {
            for admin in [false, true] {
                let model = try generatedModel(seed: seed) {
                    $0.namespaces = 5
                    $0.deployments = 60
                    $0.policies = 30
                    $0.services = true
                    $0.adminPolicies = admin ? 2 : 0
                    $0.baseline = admin
                    $0.clusterNetworkPolicies = admin ? 3 : 0
                }
                assertMapEqualsPairByPair(model, Assumptions(), "own seed \(seed), admin \(admin)")
                assertMapEqualsPairByPair(
                    model, Assumptions(profile: .conservativeAvailability), "own seed \(seed), availability")
            }
        }
    }

    /// Two workloads of one name (a bare Pod beside a Deployment of that name) make one map entry of several
    /// classes: its pairs are the union over its pods.
    func testClassMapUnitesTheDifferingPodsOfAWorkload() throws {
        func pod(_ name: String, _ ns: String, _ labels: String, owner: String?) -> String {
            let owners =
                owner.map {
                    ", ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: \($0), controller: true, uid: u}]"
                } ?? ""
            return
                "---\napiVersion: v1\nkind: Pod\nmetadata: {name: \(name), namespace: \(ns), labels: \(labels)\(owners)}\nspec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}]}]}\n"
        }
        let text =
            pod("web", "a", "{app: web, v: one}", owner: nil)
            + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web, v: two}}, spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}}}\n"
            + pod("api-a", "b", "{app: api}", owner: "api") + pod("db-a", "b", "{app: db}", owner: "db")
            // Workloads listed before and after the one whose pods differ, in its namespace.
            + pod("aaa", "a", "{app: aaa}", owner: nil) + pod("zzz", "a", "{app: zzz}", owner: nil)
            + NetworkPolicyVectorTests.np(
                "a", "web",
                "{podSelector: {matchLabels: {v: one}}, policyTypes: [Ingress, Egress], egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: api}}}], ports: [{port: http}]}]}"
            )
            + NetworkPolicyVectorTests.np(
                "a", "web2",
                "{podSelector: {matchLabels: {v: two}}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}]}]}"
            )
        let model = try loadModel(text)
        XCTAssertEqual(model.workloads.filter { $0.id == "a/web" }.count, 2, "one workload id, two kinds of pods")
        assertMapEqualsPairByPair(model, Assumptions(), "rollout")
        let pairs = ConnectivityMap(evaluator: Evaluator(model: model, assumptions: Assumptions())).pairs.map(\.line)
        XCTAssertTrue(pairs.contains("a/web => b/api : TCP/8080"))
        XCTAssertTrue(pairs.contains("a/web => b/db : ALL"))
    }

    /// Admin tiers take the evaluator's path per pair of classes; ipBlocks over pod addresses and named ports on the
    /// rule-based path, with and without them.
    func testClassMapEqualsPairByPairEvaluationOnTheVectorFixture() throws {
        let admin =
            NetworkPolicyVectorTests.anp(
                "p5",
                "{priority: 5, subject: {namespaces: {matchLabels: {team: a}}}, ingress: [{action: Pass, from: [{pods: {namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: c}}}}]}], egress: [{action: Deny, to: [{networks: [10.244.0.0/18]}], ports: [{namedPort: http}]}]}"
            )
            + "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec: {subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {matchLabels: {team: c}}}], ports: [{namedPort: http}]}]}\n"
        let policies =
            NetworkPolicyVectorTests.np(
                "a", "n1",
                "{podSelector: {matchLabels: {app: \"y\"}}, ingress: [{from: [{ipBlock: {cidr: 10.244.0.0/17}}], ports: [{port: http}, {protocol: UDP, port: 53, endPort: 60}]}]}"
            )
            + NetworkPolicyVectorTests.np(
                "b", "n1",
                "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {team: b}}}], ports: [{port: http}]}, {to: [{ipBlock: {cidr: 10.244.64.0/18}}]}]}"
            )
        for (extra, context) in [(policies, "NetworkPolicies"), (policies + admin, "with admin tiers")] {
            let model = try loadModel(NetworkPolicyVectorTests.fixture + extra)
            assertMapEqualsPairByPair(model, Assumptions(), context)
            assertMapEqualsPairByPair(
                model, Assumptions(profile: .conservativeAvailability), "\(context), conservative-availability")
        }
    }

    /// Cilium policies take the evaluator's path per pair when they deny (the admin tier), the rule-based one otherwise.
    func testClassMapEqualsPairByPairWithCiliumPolicies() throws {
        // Seeds whose policies leave some pair open (a generated deny may close them all).
        for seed: UInt64 in [21, 23, 24] {
            let model = try generatedModel(seed: seed) { $0.ciliumPolicies = 6 }
            assertMapEqualsPairByPair(model, Assumptions(), "cilium seed \(seed)")
        }
    }

    /// Blocks over the IPv4 pod network on one side and the IPv6 one on the other: the map computes each family apart
    /// (one layer per family) and still equals pair-by-pair evaluation; so does an IPv4-only cluster.
    func testClassMapEqualsPairByPairWhenFamiliesAreToldApart() throws {
        let extra =
            NetworkPolicyVectorTests.np(
                "b", "egress-v4-pods",
                "{podSelector: {matchLabels: {app: c}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.244.0.0/16}}]}]}"
            )
            + NetworkPolicyVectorTests.np(
                "a", "ingress-v6-pods",
                "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: \"fd00:10:244::/56\"}}]}, {from: [{podSelector: {matchLabels: {app: x}}}]}]}"
            )
        let model = try loadModel(NetworkPolicyVectorTests.fixture + extra)
        XCTAssertTrue(Evaluator(model: model, assumptions: Assumptions()).splitsFamilies)
        assertMapEqualsPairByPair(model, Assumptions(), "two families apart")
        assertMapEqualsPairByPair(model, Assumptions(ipFamilies: [.ipv4]), "IPv4 only")
        let pairs = ConnectivityMap(evaluator: Evaluator(model: model, assumptions: Assumptions())).pairs.map(\.line)
        XCTAssertFalse(pairs.contains { $0.hasPrefix("b/c => a/") }, "no family admits b/c into namespace a")
        XCTAssertTrue(pairs.contains("b/d => a/x : ALL"))
    }
}
