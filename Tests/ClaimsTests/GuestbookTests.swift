import KubeModel
import Reachability
import TestSupport
import XCTest

@testable import Claims

/// The guestbook example: its shipped claims, two the policies refute, and requests through the controller.
final class GuestbookTests: XCTestCase {
    func checker() throws -> ClaimChecker {
        let (model, errors) = ModelLoader().load(paths: [Paths.package("examples/guestbook")])
        XCTAssertEqual(errors, [])
        return ClaimChecker(model: model, assumptions: Assumptions())
    }

    func testShippedClaimsAreProved() throws {
        let checker = try checker()
        let (file, errors) = ClaimsParser.load(Paths.package("policies/guestbook.yaml"))
        XCTAssertEqual(errors, [])
        XCTAssertEqual(checker.validate(file!), [])
        for result in file!.claims.map(checker.check) { XCTAssertEqual(result.verdict, .proved, result.claim.name) }
    }

    /// Selectors are not identities: a pod anyone creates in the namespace with the right labels gets in.
    func testLabelSpoofingRefutesTwoIntentions() throws {
        let checker = try checker()
        let (file, errors) = ClaimsParser.load(
            "-",
            stdin: {
                Data(
                    """
                    claims:
                      - name: only-the-frontend-deployment-reads-followers
                        universe: any
                        only:
                          from: [{workload: guestbook/frontend}]
                          to: {workload: guestbook/redis-follower}
                      - name: only-the-wordpress-deployment-reaches-mysql
                        universe: any
                        only:
                          from: [{workload: blog/wordpress}]
                          to: {workload: blog/mysql}
                    """.utf8)
            })
        XCTAssertEqual(errors, [])
        let followers = checker.check(file!.claims[0])
        XCTAssertEqual(followers.verdict, .refuted)
        guard case .pod(let a)? = followers.counterexamples.first?.source else { return XCTFail() }
        XCTAssertNil(a.workload, "a pod outside the app")
        XCTAssertEqual(a.labels, ["app": "guestbook", "tier": "frontend"])
        let mysql = checker.check(file!.claims[1])
        XCTAssertEqual(mysql.verdict, .refuted)
        guard case .pod(let b)? = mysql.counterexamples.first?.source else { return XCTFail() }
        XCTAssertNil(b.workload)
        XCTAssertEqual(b.namespace, "blog")
        XCTAssertEqual(b.labels, ["app": "wordpress", "tier": "web"], "the minimal labels that pass as WordPress")
    }

    func testRequestsThroughTheController() throws {
        let checker = try checker()
        let model = checker.evaluator.model
        let engine = QueryEngine(checker: checker)
        func ask(_ service: String, _ path: String) throws -> IngressPathAnswer {
            guard case .service(let svc) = try QueryEndpoint.parse(service, labels: [:], model: model) else {
                throw XCTSkip()
            }
            return engine.throughIngress(
                from: try QueryEndpoint.parse("external:198.51.100.7", labels: [:], model: model), fromText: "client",
                to: svc,
                host: "apps.example.com", path: path, clientPort: PortSpec(proto: .tcp, range: 80...80), controller: nil
            )
        }
        XCTAssertEqual(try ask("blog/svc/wordpress", "/blog/wp-admin").verdict, .allowed)
        XCTAssertEqual(
            try ask("guestbook/svc/frontend", "/GuestBook/").verdict, .allowed, "regex paths match case-insensitively")
        let wrong = try ask("guestbook/svc/frontend", "/blog")
        XCTAssertEqual(wrong.verdict, .denied)
        XCTAssertTrue(wrong.route!.contains("not guestbook/frontend"), wrong.route!)
        XCTAssertTrue(try ask("guestbook/svc/redis-leader", "/").route!.contains("404"))
    }
}
