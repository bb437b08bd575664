import XCTest

@testable import KubeModel

/// `Field`'s values read in place (`string(at:)`, `int(at:in:)`, ...) skip making a field for a value that reads
/// well. They must give what the field's own accessors give, for every value and every error: the same value, or
/// the same message at the same line and path.
final class FieldTests: XCTestCase {
    /// Scalars of each style and tag, nulls, templates, out-of-range and malformed numbers, names, and collections.
    static let values = [
        "8080", "\"8080\"", "'8080'", "0", "-1", "70000", "1e3", "0x1F", "+80", "080", "!!str 80", "!!int \"80\"",
        "http", "\"http\"", "http-", "a--b", "HTTP", "abcdefghijklmnop", "TCP", "tcp", "\"UDP\"", "SCTP", "true",
        "True", "TRUE", "false", "yes", "\"true\"", "!!bool \"true\"", "null", "~", "", "Null", "\"\"",
        "\"{{ .Values.port }}\"", "'{{ x }} }}'", "a {{ b", "[1, 2]", "{a: b}", "|\n    literal",
    ]

    /// The document as the loader reads it (the block reader, or Yams for flow style and tags).
    func field(_ yaml: String) throws -> Field {
        let read = ManifestReader(limits: LoadLimits()).read(paths: ["-"], stdin: { Data(yaml.utf8) })
        XCTAssertEqual(read.errors, [], yaml)
        let root = try XCTUnwrap(read.documents.first?.root, yaml)
        return Field(node: root, path: "spec", file: "f.yaml", lineOffset: 10)
    }

    /// A result as text: the value, or the error with its location and path.
    func outcome<T>(_ read: () throws -> T?) -> String {
        do { return try read().map { "\($0)" } ?? "absent" } catch { return "error: \(error)" }
    }

    func testValuesReadInPlaceAgreeWithTheirFields() throws {
        for value in Self.values {
            // Written in place, merged in with `<<`, and absent (the key is another one).
            for yaml in ["other: 1\nk: \(value)\n", "<<:\n  k: \(value)\nother: 1\n", "other: \(value)\n"] {
                let f = try field(yaml)
                let context = "k: \(value) in \(yaml.debugDescription)"
                XCTAssertEqual(outcome { try f.string(at: "k") }, outcome { try f["k"]?.string() }, context)
                XCTAssertEqual(outcome { try f.int(at: "k") }, outcome { try f["k"]?.int() }, context)
                XCTAssertEqual(
                    outcome { try f.int(at: "k", in: 1...65535) }, outcome { try f["k"]?.int(in: 1...65535) }, context)
                XCTAssertEqual(outcome { try f.bool(at: "k") }, outcome { try f["k"]?.bool() }, context)
                XCTAssertEqual(outcome { try f.l4Protocol(at: "k") }, outcome { try f["k"]?.l4Protocol() }, context)
                XCTAssertEqual(outcome { try f.portRef(at: "k") }, outcome { try f["k"]?.portRef() }, context)
                XCTAssertEqual(
                    outcome { try f.portRef(at: "k", allowName: false) },
                    outcome { try f["k"]?.portRef(allowName: false) }, context)
                XCTAssertEqual(f.node(at: "k") == nil, f["k"] == nil, context)
            }
        }
    }

    /// Errors from values read in place still name the field and the line of the value.
    func testAnErrorReadInPlaceNamesItsFieldAndLine() throws {
        let f = try field("a: 1\nport: 70000\n")
        XCTAssertThrowsError(try f.int(at: "port", in: 1...65535)) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.field, "spec.port")
            XCTAssertEqual(e?.location, SourceLocation(file: "f.yaml", line: 12))
            XCTAssertEqual(e?.message, "70000 is out of range 1-65535")
        }
    }
}
