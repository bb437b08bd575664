import XCTest

@testable import KubeModel

/// The raw-text scans that run before the YAML parser on JSON input: both must skip string contents, escaped quotes
/// included, or a comma or tab inside a value would be misread as structure.
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
}
