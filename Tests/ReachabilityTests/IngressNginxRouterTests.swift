import TestSupport
import XCTest

@testable import KubeModel
@testable import Reachability

/// ingress-nginx routing: pathType matching, host precedence, longest match, default backends, classes.
final class IngressNginxRouterTests: XCTestCase {
    func path(_ p: String, _ t: Ingress.PathType) -> Ingress.Path {
        Ingress.Path(
            path: p, type: t,
            backend: Ingress.Backend(service: "s", port: .number(80), location: SourceLocation(file: "t", line: 1)))
    }

    func testPathTypes() {
        XCTAssertEqual(true, IngressNginxRouter.matches(path("/foo", .exact), "/foo"))
        XCTAssertEqual(false, IngressNginxRouter.matches(path("/foo", .exact), "/foo/"))
        XCTAssertEqual(true, IngressNginxRouter.matches(path("/foo", .prefix), "/foo/bar"))
        XCTAssertEqual(true, IngressNginxRouter.matches(path("/foo/", .prefix), "/foo"), "a trailing slash is ignored")
        XCTAssertEqual(
            false, IngressNginxRouter.matches(path("/foo", .prefix), "/foobar"), "Prefix matches whole path elements")
        XCTAssertEqual(true, IngressNginxRouter.matches(path("/", .prefix), "/anything"))
        XCTAssertEqual(
            true, IngressNginxRouter.matches(path("/foo", .implementationSpecific), "/foobar"), "nginx: a plain prefix")
    }

    func ingresses(_ yaml: String) throws -> (ClusterModel, [Ingress]) {
        let model = try loadModel(yaml)
        return (model, IngressNginxRouter.nginxIngresses(model))
    }

    static let fanout = """
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: nginx}
        spec: {controller: k8s.io/ingress-nginx}
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: other}
        spec: {controller: example.com/other}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: shop, namespace: web}
        spec:
          ingressClassName: nginx
          defaultBackend: {service: {name: fallback, port: {number: 80}}}
          rules:
          - host: shop.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: front, port: {number: 80}}}}
              - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 8080}}}}
              - {path: /api/health, pathType: Exact, backend: {service: {name: health, port: {number: 8080}}}}
          - host: "*.example.com"
            http:
              paths: [{path: /, pathType: Prefix, backend: {service: {name: wildcard, port: {number: 80}}}}]
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: elsewhere, namespace: web}
        spec:
          ingressClassName: other
          rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: not-nginx, port: {number: 80}}}}]}}]
        """

    /// A path the router cannot evaluate is an unknown route, never a silent non-match (which would read as 404).
    func testAnUnevaluableRegexIsUnknownNotNoMatch() throws {
        let (_, list) = try ingresses(
            """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: re, namespace: web, annotations: {nginx.ingress.kubernetes.io/use-regex: "true"}}
            spec:
              rules:
              - host: re.example.com
                http: {paths: [{path: "/(api", pathType: ImplementationSpecific, backend: {service: {name: api, port: {number: 80}}}}]}
            """)
        XCTAssertNil(IngressNginxRouter.matches(list[0].rules[0].paths[0], "/api", regex: true))
        guard case .unknown(let why) = IngressNginxRouter.route(list, host: "re.example.com", path: "/api") else {
            return XCTFail("expected an unknown route")
        }
        XCTAssertTrue(why.contains("'/(api'") && why.contains("A-REGEX"), why)
        // Another host's rules are not consulted, so their regex does not matter there.
        XCTAssertNil(IngressNginxRouter.route(list, host: "other.example.com", path: "/").route)
    }

    func testRoutingByHostAndLongestPath() throws {
        let (_, list) = try ingresses(Self.fanout)
        XCTAssertEqual(list.map(\.name), ["shop"], "only ingress-nginx's class")
        func backend(_ host: String?, _ p: String) -> String? {
            IngressNginxRouter.route(list, host: host, path: p).route?.backend.service
        }
        XCTAssertEqual(backend("shop.example.com", "/"), "front")
        XCTAssertEqual(backend("shop.example.com", "/api/orders"), "api")
        XCTAssertEqual(backend("shop.example.com", "/api/health"), "health")
        XCTAssertEqual(backend("shop.example.com", "/apix"), "front", "/api does not match /apix")
        XCTAssertEqual(backend("blog.example.com", "/"), "wildcard", "a wildcard covers one label")
        XCTAssertEqual(backend("a.b.example.com", "/"), "fallback", "but not two: the Ingress default backend")
        XCTAssertEqual(backend(nil, "/"), "fallback")
    }

    func testNoDefaultBackendMeansTheControllerAnswers() throws {
        let (_, list) = try ingresses(
            """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: only, namespace: web}
            spec:
              ingressClassName: nginx
              rules: [{host: a.example.com, http: {paths: [{path: /a, pathType: Exact, backend: {service: {name: a, port: {number: 80}}}}]}}]
            """)
        XCTAssertEqual(list.count, 1, "with no IngressClass declared, class nginx is taken as ingress-nginx's")
        XCTAssertNil(IngressNginxRouter.route(list, host: "a.example.com", path: "/b").route)
    }

    func testIngressErrors() throws {
        let head = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: web}\nspec:\n"
        XCTAssertThrowsError(
            try loadModel(
                head
                    + "  rules: [{http: {paths: [{path: /, pathType: Regex, backend: {service: {name: a, port: {number: 80}}}}]}}]\n"
            )
        ) {
            XCTAssertTrue("\($0)".contains("unknown pathType 'Regex'"), "\($0)")
        }
        XCTAssertThrowsError(
            try loadModel(
                head + "  rules: [{http: {paths: [{path: /, backend: {service: {name: a, port: {number: 80}}}}]}}]\n")
        ) {
            XCTAssertTrue("\($0)".contains("pathType: required field is missing"), "\($0)")
        }
        XCTAssertThrowsError(try loadModel(head + "  backend: {serviceName: a, servicePort: 80}\n")) {
            XCTAssertTrue("\($0)".contains("defaultBackend"), "\($0)")
        }
    }
}
