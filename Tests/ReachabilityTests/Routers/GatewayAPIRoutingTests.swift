import TestSupport
import XCTest

@testable import KubeModel
@testable import Reachability

/// Gateway API routing (docs/SEMANTICS.md §6.2-6.3): attachment, one test per precedence rule of the spec, backends
/// and filters, and the pods that implement a Gateway.
final class GatewayAPIRoutingTests: XCTestCase {
    static let gateway = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: eg}
        spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: edge}
        spec:
          gatewayClassName: eg
          listeners:
          - {name: web, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
        """

    /// Services a..f in namespace app, each on port 80.
    static let services =
        (["a", "b", "c", "d", "e", "f"].map {
            "apiVersion: v1\nkind: Service\nmetadata: {name: \($0), namespace: app}\nspec: {selector: {app: \($0)}, ports: [{port: 80}]}"
        }).joined(separator: "\n---\n")

    func routing(_ yaml: String, gateway: String = gateway) throws -> GatewayAPIRouting {
        GatewayAPIRouting(model: try loadModel([gateway, Self.services, yaml].joined(separator: "\n---\n")))
    }

    /// The Service a request reaches on port 80 of edge/gw, or the proxy's own answer.
    func backend(
        _ r: GatewayAPIRouting, host: String = "shop.example.com", _ path: String, method: String = "GET",
        headers: [String: String] = [:], query: [String: String] = [:], port: Int = 80
    ) -> String {
        let g = r.model.gateways.first { $0.id == "edge/gw" }!
        let table = r.tables(of: g).first { $0.entry.hasSuffix(":\(port)") }!
        let request = RouteTable.Request(host: host, path: path, method: method, headers: headers, query: query)
        switch table.decide(request).outcome {
        case .backends(let b): return b.map(\.service).joined(separator: ",")
        case .noBackend(let why): return "none: \(why)"
        case .unknown(let why): return "unknown: \(why)"
        }
    }

    func route(_ name: String, ns: String = "app", created: String? = nil, hostnames: [String] = [], _ rules: String)
        -> String
    {
        let stamp = created.map { ", creationTimestamp: \"\($0)\"" } ?? ""
        return """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: \(name), namespace: \(ns)\(stamp)}
            spec:
              parentRefs: [{name: gw, namespace: edge}]
              hostnames: [\(hostnames.joined(separator: ", "))]
              rules:
            \(rules)
            """
    }

    // MARK: Precedence, one rule each

    func testExactPathBeforePrefix() throws {
        let r = try routing(
            route(
                "r",
                "  - {matches: [{path: {type: PathPrefix, value: /login}}], backendRefs: [{name: a, port: 80}]}\n"
                    + "  - {matches: [{path: {type: Exact, value: /login}}], backendRefs: [{name: b, port: 80}]}"))
        XCTAssertEqual(backend(r, "/login"), "app/b")
        XCTAssertEqual(backend(r, "/login/x"), "app/a")
    }

    func testLongestPrefixWins() throws {
        let r = try routing(
            route(
                "r",
                "  - {matches: [{path: {type: PathPrefix, value: /api}}], backendRefs: [{name: a, port: 80}]}\n"
                    + "  - {matches: [{path: {type: PathPrefix, value: /api/v2}}], backendRefs: [{name: b, port: 80}]}")
        )
        XCTAssertEqual(backend(r, "/api/v2/items"), "app/b")
        XCTAssertEqual(backend(r, "/api/v1"), "app/a")
        XCTAssertEqual(backend(r, "/api/v2x"), "app/a", "a prefix matches whole path elements")
        XCTAssertEqual(backend(r, "/other"), "none: 404 from the gateway")
    }

    func testMethodMatchBeforeNone() throws {
        let r = try routing(
            route(
                "r",
                "  - {matches: [{path: {type: PathPrefix, value: /x}}], backendRefs: [{name: a, port: 80}]}\n"
                    + "  - {matches: [{path: {type: PathPrefix, value: /x}, method: POST}], backendRefs: [{name: b, port: 80}]}"
            ))
        XCTAssertEqual(backend(r, "/x", method: "POST"), "app/b")
        XCTAssertEqual(backend(r, "/x", method: "GET"), "app/a")
    }

    func testMoreHeaderMatchesWin() throws {
        let r = try routing(
            route(
                "r",
                "  - {matches: [{path: {value: /x}, headers: [{name: Env, value: canary}]}], backendRefs: [{name: a, port: 80}]}\n"
                    + "  - {matches: [{path: {value: /x}, headers: [{name: env, value: canary}, {name: tier, value: gold}]}], backendRefs: [{name: b, port: 80}]}"
            ))
        XCTAssertEqual(backend(r, "/x", headers: ["env": "canary", "tier": "gold"]), "app/b")
        XCTAssertEqual(backend(r, "/x", headers: ["env": "canary"]), "app/a", "header names compare without case")
    }

    func testMoreQueryMatchesWin() throws {
        let r = try routing(
            route(
                "r",
                "  - {matches: [{path: {value: /x}}], backendRefs: [{name: a, port: 80}]}\n"
                    + "  - {matches: [{path: {value: /x}, queryParams: [{name: v, value: \"2\"}]}], backendRefs: [{name: b, port: 80}]}"
            ))
        XCTAssertEqual(backend(r, "/x", query: ["v": "2"]), "app/b")
        XCTAssertEqual(backend(r, "/x", query: ["v": "1"]), "app/a")
    }

    func testOldestRouteWinsATie() throws {
        let r = try routing(
            [
                route("zz-old", created: "2026-01-01T00:00:00Z", "  - {backendRefs: [{name: a, port: 80}]}"),
                route("aa-new", created: "2026-06-01T00:00:00Z", "  - {backendRefs: [{name: b, port: 80}]}"),
            ].joined(separator: "\n---\n"))
        XCTAssertEqual(backend(r, "/"), "app/a")
    }

    func testNamespaceNameBreaksATieOfAge() throws {
        let r = try routing(
            [
                route("zeta", created: "2026-01-01T00:00:00Z", "  - {backendRefs: [{name: a, port: 80}]}"),
                route("alpha", created: "2026-01-01T00:00:00Z", "  - {backendRefs: [{name: b, port: 80}]}"),
            ].joined(separator: "\n---\n"))
        XCTAssertEqual(backend(r, "/"), "app/b")
    }

    func testFirstRuleOfARouteWinsWhatIsLeft() throws {
        let r = try routing(
            route(
                "r",
                "  - {matches: [{path: {value: /x}}], backendRefs: [{name: a, port: 80}]}\n"
                    + "  - {matches: [{path: {value: /x}}], backendRefs: [{name: b, port: 80}]}"))
        XCTAssertEqual(backend(r, "/x"), "app/a")
    }

    func testMostSpecificRouteHostnameWithoutFallingBack() throws {
        let r = try routing(
            [
                route("wild", hostnames: ["\"*.example.com\""], "  - {backendRefs: [{name: a, port: 80}]}"),
                route(
                    "exact", hostnames: ["shop.example.com"],
                    "  - {matches: [{path: {value: /cart}}], backendRefs: [{name: b, port: 80}]}"),
            ].joined(separator: "\n---\n"))
        XCTAssertEqual(backend(r, host: "shop.example.com", "/cart"), "app/b")
        XCTAssertEqual(
            backend(r, host: "shop.example.com", "/"), "none: 404 from the gateway", "A-GATEWAY-HOSTNAME: no fallback")
        XCTAssertEqual(backend(r, host: "blog.example.com", "/"), "app/a")
        XCTAssertEqual(backend(r, host: "a.b.example.com", "/"), "app/a", "a wildcard covers several labels")
        XCTAssertEqual(backend(r, host: "example.com", "/"), "none: 404 from the gateway")
    }

    func testMostSpecificListenerTakesItsHostname() throws {
        let gateway = Self.gateway.replacingOccurrences(
            of: "  - {name: web, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}",
            with: """
                  - {name: any, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
                  - {name: shop, port: 80, protocol: HTTP, hostname: shop.example.com, allowedRoutes: {namespaces: {from: All}}}
                """)
        let anyRoute = route("any", "  - {backendRefs: [{name: a, port: 80}]}").replacingOccurrences(
            of: "[{name: gw, namespace: edge}]", with: "[{name: gw, namespace: edge, sectionName: any}]")
        let r = try routing(anyRoute, gateway: gateway)
        XCTAssertEqual(backend(r, host: "blog.example.com", "/"), "app/a")
        XCTAssertTrue(backend(r, host: "shop.example.com", "/").hasPrefix("none"), "listener shop has no route")
    }

    // MARK: Attachment

    func testRouteHostnameOutsideTheListenerDoesNotAttach() throws {
        let gateway = Self.gateway.replacingOccurrences(
            of: "protocol: HTTP,", with: "protocol: HTTP, hostname: \"*.example.com\",")
        let r = try routing(
            route("r", hostnames: ["shop.example.org"], "  - {backendRefs: [{name: a, port: 80}]}"), gateway: gateway)
        let (attached, refused) = r.attachments(of: r.model.gatewayRoutes[0])
        XCTAssertTrue(attached.isEmpty)
        XCTAssertTrue(refused.first?.1.contains("intersects") ?? false, "\(refused)")
        // A route wildcard broader than the listener's narrows to it.
        let broad = try routing(
            route("r", hostnames: ["\"*.com\""], "  - {backendRefs: [{name: a, port: 80}]}"), gateway: gateway)
        XCTAssertEqual(broad.attachments(of: broad.model.gatewayRoutes[0]).attached.first?.hostnames, ["*.example.com"])
    }

    func testAllowedRoutesNamespaces() throws {
        let same = Self.gateway.replacingOccurrences(of: ", allowedRoutes: {namespaces: {from: All}}", with: "")
        let r = try routing(route("r", "  - {backendRefs: [{name: a, port: 80}]}"), gateway: same)
        XCTAssertTrue(r.attachments(of: r.model.gatewayRoutes[0]).attached.isEmpty, "Same is the default")
        let selector = Self.gateway.replacingOccurrences(
            of: "{from: All}", with: "{from: Selector, selector: {matchLabels: {public: \"yes\"}}}")
        let labelled = "apiVersion: v1\nkind: Namespace\nmetadata: {name: app, labels: {public: \"yes\"}}\n---\n"
        let s = try routing(labelled + route("r", "  - {backendRefs: [{name: a, port: 80}]}"), gateway: selector)
        XCTAssertEqual(s.attachments(of: s.model.gatewayRoutes[0]).attached.count, 1)
    }

    func testSectionNameAndPortAndKindSelectListeners() throws {
        let r = try routing(
            route("r", "  - {backendRefs: [{name: a, port: 80}]}").replacingOccurrences(
                of: "[{name: gw, namespace: edge}]", with: "[{name: gw, namespace: edge, sectionName: admin}]"))
        XCTAssertTrue(
            r.attachments(of: r.model.gatewayRoutes[0]).refused.first?.1.contains("no listener named admin") ?? false)
        let tcp = try routing(
            """
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: db, namespace: app}
            spec:
              parentRefs: [{name: gw, namespace: edge}]
              rules: [{backendRefs: [{name: a, port: 80}]}]
            """)
        XCTAssertTrue(
            tcp.attachments(of: tcp.model.gatewayRoutes[0]).refused.first?.1.contains("does not accept TCPRoute")
                ?? false)
    }

    // MARK: Backends and filters

    func testCrossNamespaceBackendNeedsAGrant() throws {
        let edgeRoute = route("r", ns: "edge", "  - {backendRefs: [{name: a, namespace: app, port: 80}]}")
        let r = try routing(edgeRoute)
        XCTAssertTrue(backend(r, "/").contains("no ReferenceGrant in app"), backend(r, "/"))
        let grant = """
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: g, namespace: app}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: edge}]
              to: [{group: "", kind: Service, name: a}]
            """
        XCTAssertEqual(backend(try routing(edgeRoute + "\n---\n" + grant), "/"), "app/a")
        let otherKind = grant.replacingOccurrences(of: "kind: HTTPRoute", with: "kind: GRPCRoute")
        XCTAssertTrue(backend(try routing(edgeRoute + "\n---\n" + otherKind), "/").hasPrefix("none: 500"))
    }

    func testWeightZeroAndMissingServicesCarryNothing() throws {
        let r = try routing(
            route(
                "r",
                "  - {backendRefs: [{name: a, port: 80, weight: 0}, {name: b, port: 80, weight: 3}, {name: ghost, port: 80}]}"
            ))
        XCTAssertEqual(backend(r, "/"), "app/b")
        let none = try routing(route("r", "  - {backendRefs: [{name: a, port: 80, weight: 0}]}"))
        XCTAssertEqual(backend(none, "/"), "none: 500: the rule has no backend with weight above 0")
    }

    func testRedirectMirrorAndRewrite() throws {
        let r = try routing(
            route(
                "r",
                """
                  - matches: [{path: {value: /old}}]
                    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /new}}}]
                  - matches: [{path: {value: /shop}}]
                    filters:
                    - {type: RequestMirror, requestMirror: {backendRef: {name: c, port: 80}}}
                    - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /store}}}
                    backendRefs: [{name: b, port: 80}]
                """))
        XCTAssertEqual(backend(r, "/old/page"), "none: redirect (RequestRedirect filter)")
        XCTAssertEqual(backend(r, "/shop/cart"), "app/b,app/c", "the mirror gets a copy")
        let g = r.model.gateways[0]
        let rule = r.tables(of: g)[0].rules.first { $0.rewrite != nil }!
        let rewritten = EntryRouters.rewritten(
            HTTPRequest(method: "GET", path: "/shop/cart", host: "x"), rule.rewrite!, match: rule.condition.path)
        XCTAssertEqual(rewritten.path, "/store/cart")
    }

    func testRegularExpressionPathsAreUndecided() throws {
        let r = try routing(
            route(
                "r",
                "  - {matches: [{path: {type: RegularExpression, value: \"/v[0-9]+/.*\"}}], backendRefs: [{name: a, port: 80}]}\n"
                    + "  - {matches: [{path: {type: PathPrefix, value: /v1}}], backendRefs: [{name: b, port: 80}]}"))
        XCTAssertTrue(backend(r, "/v1/items").hasPrefix("unknown:"), "the regex might take it first")
        XCTAssertEqual(backend(r, "/v1"), "app/b", "a request the regex cannot match is decided")
        let literal = try routing(
            route(
                "r",
                "  - {matches: [{path: {type: RegularExpression, value: /health}}], backendRefs: [{name: a, port: 80}]}"
            ))
        XCTAssertEqual(backend(literal, "/health"), "app/a")
    }

    // MARK: Implementing pods

    func testPodsOfEachImplementation() throws {
        let envoy = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: envoy-edge-gw-1234, namespace: envoy-gateway-system}
            spec:
              selector: {matchLabels: {app: envoy}}
              template:
                metadata: {labels: {app: envoy, gateway.envoyproxy.io/owning-gateway-name: gw, gateway.envoyproxy.io/owning-gateway-namespace: edge}}
                spec: {containers: [{name: envoy, image: envoy}]}
            """
        let r = try routing(envoy)
        guard case .pods(let pods) = r.implementation(of: r.model.gateways[0]) else { return XCTFail("no pods") }
        XCTAssertEqual(pods.map { r.model.workloads[$0].id }, ["envoy-gateway-system/envoy-edge-gw-1234"])
        XCTAssertEqual(
            r.podPort(listener: 80, gateway: r.model.gateways[0]), 10080, "Envoy Gateway's unprivileged ports")

        let bare = try routing("")
        guard case .undecided(let why) = bare.implementation(of: bare.model.gateways[0]) else {
            return XCTFail("pods found in an input without any")
        }
        XCTAssertTrue(why.contains("--gateway-pods edge/gw"), why)
        let pinned = GatewayAPIRouting(
            model: try loadModel(Self.gateway + "\n---\n" + envoy),
            gatewayPods: ["edge/gw": ["envoy-gateway-system/envoy-edge-gw-1234"]])
        guard case .pods(let p) = pinned.implementation(of: pinned.model.gateways[0]) else { return XCTFail() }
        XCTAssertEqual(p.count, 1)
    }
}
