import XCTest

@testable import KubeModel

/// The raw-text scans that run before the YAML parser. Those of JSON input must skip string contents, escaped quotes
/// included, or a comma or tab inside a value would be misread as structure; the alias scan keeps a key that Yams
/// would expand without bound from reaching it.
final class TextChecksTests: XCTestCase {
    func testTrailingCommaIsFoundOnItsLine() {
        XCTAssertEqual(TextChecks.jsonTrailingComma("{\n  \"a\": [1,\n  2,\n  ]\n}"), 3)
        XCTAssertEqual(TextChecks.jsonTrailingComma("{\"a\": 1,}"), 1)
    }

    func testCommasInsideStringsAreData() {
        XCTAssertNil(TextChecks.jsonTrailingComma(#"{"a": "x,]", "b": "y\",}"}"#))
        XCTAssertNil(TextChecks.jsonTrailingComma(#"{"a": [1, 2], "b": {"c": "d"}}"#))
    }

    func testTabsBecomeSpacesOnlyBetweenTokens() {
        let text = "{\t\"a\":\t\"x\ty\",\t\"b\": \"q\\\"\tr\"}"
        XCTAssertEqual(TextChecks.jsonTabsToSpaces(text), "{ \"a\": \"x\ty\", \"b\": \"q\\\"\tr\"}")
    }

    func testDoubleBraceScan() {
        for text in ["{{", "a{{b", "é{{", "{a{{", "x {{ .Values }}"] {
            XCTAssertTrue(TextChecks.containsDoubleBrace(text), text)
        }
        for text in ["", "{", "{a{", "a{ {", "é{", "}}{"] {
            XCTAssertFalse(TextChecks.containsDoubleBrace(text), text)
        }
    }

    /// An alias as a mapping key is found when its anchor is a collection; an anchor on a scalar, and text inside
    /// quotes or comments, are left alone.
    func testAliasesAsKeysOfCollections() {
        let collection = "base: &b [x, y]\nm:\n  *b : 1\n"
        XCTAssertEqual(TextChecks.aliasedCollectionKey(collection)?.line, 3)
        XCTAssertEqual(TextChecks.aliasedCollectionKey(collection)?.name, "b")
        XCTAssertEqual(TextChecks.aliasedCollectionKey("base: &b\n  x: 1\nm: {*b: 1}\n")?.line, 3)
        XCTAssertEqual(TextChecks.aliasedCollectionKey("base: &b [x]\nm:\n  ? *b\n  : 1\n")?.line, 3)
        XCTAssertNil(TextChecks.aliasedCollectionKey("k: &key color\nm:\n  *key : blue\n"), "a scalar key")
        XCTAssertNil(TextChecks.aliasedCollectionKey("base: &b [x]\ncopy: *b\n"), "an alias as a value")
        XCTAssertNil(TextChecks.aliasedCollectionKey("base: &b [x]\nq: \"text *b: here\"\nr: 'it''s *b: x'\n"))
        XCTAssertNil(TextChecks.aliasedCollectionKey("base: &b [x]  # see *b: there\n"))
    }
}
