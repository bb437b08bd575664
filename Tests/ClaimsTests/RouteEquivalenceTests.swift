import KubeModel
import SMT
import TestSupport
import XCTest

@testable import Claims
@testable import Reachability

/// The route equivalence proof (docs/SEMANTICS.md §6.4): on the migration example, and against enumeration over
/// generated requests on generated route tables.
final class RouteEquivalenceTests: XCTestCase {
    static let example = Paths.package("examples/ingress-migration")

    func load(_ paths: [String]) throws -> ClusterModel {
        let (model, errors) = ModelLoader().load(paths: paths.map { Self.example + "/" + $0 })
        XCTAssertEqual(errors.count, 0, "\(errors)")
        return model
    }

    func testMigrationDifferenceIsFoundThenFixed() throws {
        let ingress = try load(["app", "ingress"])
        let refuted = try RouteEquivalence.compare(old: ingress, new: try load(["app", "gateway"]))
        XCTAssertEqual(refuted.verdict, .refuted)
        XCTAssertEqual(refuted.differences.count, 1)
        let d = try XCTUnwrap(refuted.differences.first)
        XCTAssertEqual(d.entry, "https:443")
        XCTAssertEqual(d.request.host, "shop.example.com")
        XCTAssertTrue(d.request.path == "/api/catalog" || d.request.path.hasPrefix("/api/catalog/"), d.request.path)
        XCTAssertEqual(d.old.outcome, .backends([.init(service: "api/catalog", port: 8000)]))
        XCTAssertEqual(d.new.outcome, .backends([.init(service: "web/storefront", port: 80)]))
        XCTAssertTrue(d.old.rule.contains("Ingress api/catalog"), d.old.rule)
        XCTAssertTrue(d.new.rule.contains("HTTPRoute web/storefront"), d.new.rule)

        let proved = try RouteEquivalence.compare(old: ingress, new: try load(["app", "gateway", "fix"]))
        XCTAssertEqual(proved.verdict, .proved, "\(proved.differences.map(\.request))")
        XCTAssertEqual(proved.entries, ["http:80", "https:443"])
    }

    /// ssl-redirect on one side and a RequestRedirect route on the other both answer without a backend.
    func testRedirectsAreAlikeWhateverTheirForm() throws {
        let ingress = try load(["app", "ingress"])
        let result = try RouteEquivalence.compare(old: ingress, new: try load(["app", "gateway", "fix"]))
        XCTAssertFalse(result.differences.contains { $0.entry == "http:80" })
    }

    /// Host classes for suffixes that nest or that the representatives would otherwise use: one per class, found
    /// without searching forever.
    func testHostClassesForNestedSuffixes() {
        let hosts = RouteRequestSpace.hostClasses(
            [
                .wildcard(suffix: "invalid", singleLabel: false), .wildcard(suffix: "example.com", singleLabel: false),
                .wildcard(suffix: "y.example.com", singleLabel: false),
                .wildcard(suffix: "y0.example.com", singleLabel: true),
                .exact("unrouted"), .exact("x.example.com"),
            ], extra: [])
        XCTAssertTrue(hosts.contains("unrouted1"), "\(hosts)")
        XCTAssertTrue(
            hosts.contains { $0.hasSuffix(".y.example.com") && $0.split(separator: ".").count == 5 }, "\(hosts)")
        XCTAssertFalse(hosts.contains("x.example.com") && hosts.filter { $0 == "x.example.com" }.count > 1)
    }

    // MARK: Against enumeration

    static let hosts = ["a.example.com", "b.example.com", "x.a.example.com", "c.example.com", "example.com", "z.org"]
    static let paths = [
        "/", "/api", "/api/", "/api/v1", "/api/v1/x", "/apix", "/API", "/Api/v1", "/static", "/staticfiles", "/z",
    ]
    static let methods = ["GET", "POST", "PUT"]
    static let headerSets: [[String: String]] = [[:], ["x-env": "canary"], ["x-env": "prod"]]
    static let clients: [IPAddress?] = [
        IPAddress(v4: 0xCB00_710A), IPAddress(v4: 0x0A00_0001), IPAddress(family: .ipv6, value: 1),
    ]

    static var requests: [RouteTable.Request] {
        var out: [RouteTable.Request] = []
        for h in hosts {
            for p in paths {
                for m in methods {
                    for hs in headerSets {
                        for c in clients { out.append(.init(host: h, path: p, method: m, headers: hs, client: c)) }
                    }
                }
            }
        }
        return out
    }

    /// A small random table over the vocabulary above: hosts exact and wildcard, every path match kind, methods,
    /// a header, client allow-lists, backends and proxy answers.
    static func table(_ rng: inout ClusterGenerator.Random) -> RouteTable {
        let hostChoices: [[RouteTable.HostMatch]?] = [
            nil, [.exact("a.example.com")], [.exact("b.example.com")],
            [.wildcard(suffix: "example.com", singleLabel: true)],
            [.wildcard(suffix: "example.com", singleLabel: false)], [.exact("a.example.com"), .exact("c.example.com")],
        ]
        let pathChoices: [RouteTable.PathMatch] = [
            .any, .exact("/api"), .segmentPrefix("/api"), .segmentPrefix("/api/v1/"),
            .stringPrefix("/api", caseInsensitive: false),
            .stringPrefix("/api", caseInsensitive: true), .segmentPrefix("/"), .exact("/static"),
            .stringPrefix("/static", caseInsensitive: false),
        ]
        let outcomes: [RouteTable.Outcome] = [
            .backends([.init(service: "s/one", port: 80)]), .backends([.init(service: "s/two", port: 80)]),
            .backends([.init(service: "s/one", port: 80), .init(service: "s/two", port: 80)]),
            .noBackend("404"), .noBackend("redirect"),
        ]
        var rules: [RouteTable.Rule] = []
        for _ in 0..<rng.int(6) + 1 {
            var c = RouteTable.Condition(
                hosts: hostChoices[rng.int(hostChoices.count)], path: pathChoices[rng.int(pathChoices.count)])
            if rng.int(4) == 0 { c.method = ["GET", "POST"][rng.int(2)] }
            if rng.int(4) == 0 { c.headers = [.init(name: "x-env", value: "canary", regex: false)] }
            let clients: [CIDR]? = rng.int(5) == 0 ? [cidr("203.0.113.0/24")] : nil
            rules.append(
                .init(
                    condition: c, clients: clients, outcome: outcomes[rng.int(outcomes.count)],
                    text: "rule \(rules.count)", evidence: nil, origin: .init()))
        }
        return RouteTable(entry: "http:80", rules: rules, fallback: .noBackend("404"))
    }

    func testSolverAgreesWithEnumerationOnGeneratedTables() throws {
        var rng = ClusterGenerator.Random(state: 20_261_207)
        let requests = Self.requests
        var refuted = 0
        for round in 0..<200 {
            let a = Self.table(&rng)
            let b = rng.int(3) == 0 ? a : Self.table(&rng)
            let enumerated = requests.filter {
                a.decide($0).outcome.reachedBackends != b.decide($0).outcome.reachedBackends
            }
            let (differences, undecided, notes) = try RouteEquivalence.compare(
                a, b, entry: "http:80", limit: 50, timeout: 30)
            XCTAssertTrue(undecided.isEmpty && notes.isEmpty, "round \(round): \(undecided) \(notes)")
            if !enumerated.isEmpty {
                XCTAssertFalse(
                    differences.isEmpty, "round \(round): enumeration found \(enumerated[0]), the solver none")
            }
            for d in differences {
                XCTAssertNotEqual(
                    a.decide(d.request).outcome.reachedBackends, b.decide(d.request).outcome.reachedBackends,
                    "round \(round): the solver's request \(d.request) does not differ")
            }
            if !differences.isEmpty { refuted += 1 }
        }
        XCTAssertGreaterThan(refuted, 40, "the generator should produce differing tables")
    }

    /// The end-to-end stage tries one request per way a table can decide (`witnesses`): every rule some
    /// enumerated request reaches has a witness, with and without fields the question fixes.
    func testWitnessesCoverEveryRuleEnumerationReaches() throws {
        var rng = ClusterGenerator.Random(state: 7)
        let requests = Self.requests
        for round in 0..<30 {
            let t = Self.table(&rng)
            let reached = Set(requests.compactMap { t.decide($0).rule })
            let witnessed = Set(t.witnesses(given: HTTPRequest()).compactMap { t.decide($0).rule })
            XCTAssertTrue(reached.isSubset(of: witnessed), "round \(round): \(reached) not within \(witnessed)")
            let given = HTTPRequest(method: "POST", path: "/api/v1", host: "a.example.com")
            let pinned = t.witnesses(given: given)
            XCTAssertTrue(
                pinned.allSatisfy { $0.host == "a.example.com" && $0.path == "/api/v1" && $0.method == "POST" })
            let reachedPinned = Set(
                requests.filter { $0.host == "a.example.com" && $0.path == "/api/v1" && $0.method == "POST" }
                    .compactMap { t.decide($0).rule })
            XCTAssertTrue(reachedPinned.isSubset(of: Set(pinned.compactMap { t.decide($0).rule })), "round \(round)")
        }
    }
}
