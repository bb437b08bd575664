import XCTest

@testable import KubeModel

/// The syntax checks of names, read byte by byte (`PortName` in Network.swift, `LabelSyntax` in LabelSelector.swift):
/// each rule the API server applies, and the message each breach gets.
final class NameSyntaxTests: XCTestCase {
    func testPortNamesFollowIANAServiceNameRules() {
        for valid in ["http", "h2c", "grpc-web", "a", "x1-2-3", "abcdefghijklmno"] {
            XCTAssertNil(PortName.validate(valid), valid)
        }
        let cases: [(String, String)] = [
            ("", "must be 1-15 characters"),
            ("abcdefghijklmnop", "must be 1-15 characters"),
            ("HTTP", "may contain only lowercase letters, digits and '-'"),
            ("web_ui", "may contain only lowercase letters, digits and '-'"),
            ("wéb", "may contain only lowercase letters, digits and '-'"),
            ("8080", "must contain a letter"),
            ("-http", "must not begin or end with '-' or contain '--'"),
            ("http-", "must not begin or end with '-' or contain '--'"),
            ("grpc--web", "must not begin or end with '-' or contain '--'"),
        ]
        for (name, problem) in cases {
            XCTAssertEqual(PortName.validate(name), "port name '\(name)' \(problem)", name)
        }
    }

    func testDNSLabelsAndSubdomains() {
        for valid in ["a", "shop", "shop-1", String(repeating: "a", count: 63)] {
            XCTAssertNil(LabelSyntax.dnsLabelProblem(valid), valid)
            XCTAssertNil(LabelSyntax.subdomainProblem(valid), valid)
        }
        for invalid in ["", "Shop", "-shop", "shop-", "shop.eu", "sh_op", "shöp", String(repeating: "a", count: 64)] {
            XCTAssertNotNil(LabelSyntax.dnsLabelProblem(invalid), invalid)
        }
        XCTAssertNil(LabelSyntax.subdomainProblem("api.shop.example"))
        for invalid in ["", "api..shop", ".api", "api.", "API.shop", "api.-shop", "api_shop", "äpi.shop"] {
            XCTAssertNotNil(LabelSyntax.subdomainProblem(invalid), invalid)
        }
        let long = Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: ".")
        XCTAssertEqual(LabelSyntax.subdomainProblem(long), "'\(long)' is longer than 253 characters")
    }

    /// Labels that pass every check are read without a field of their own; the others still get the error that names
    /// their path.
    func testLabelChecksNameTheLabelAtFault() throws {
        func labels(_ text: String) throws -> [String: String] {
            let root = try XCTUnwrap(try BlockYAMLReader.document("metadata:\n  labels:\n" + text, depthLimit: 64))
            return try LabelSyntax.checkLabels(
                try XCTUnwrap(Field(node: root, path: "", file: "f.yaml")["metadata"]?["labels"]))
        }
        XCTAssertEqual(
            try labels("    app: web\n    tier: ''\n    example.com/team: a.b_c\n    empty:\n"),
            ["app": "web", "tier": "", "example.com/team": "a.b_c", "empty": ""])
        let cases: [(String, String)] = [
            ("    app: web\n    on: yes\n", "f.yaml:4: metadata.labels.on: label value yes is read as a boolean"),
            ("    version: 1.10\n", "f.yaml:3: metadata.labels.version: label value 1.10 is read as a number"),
            ("    -team: a\n", "f.yaml:3: metadata.labels.-team: label key name '-team' must be alphanumeric"),
            ("    app: web app\n", "f.yaml:3: metadata.labels.app: label value 'web app' must be alphanumeric"),
            ("    app: [web]\n", "f.yaml:3: metadata.labels.app: expected a string value, found a list"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try labels(text), text) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }
}
