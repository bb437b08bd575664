import XCTest

@testable import KubeModel

/// IPv6 addresses and CIDRs as the API server validates ipBlocks: every textual form, and `except` strictly inside
/// its `cidr`, in the same family.
final class IPv6AddressTests: XCTestCase {
    func address(_ text: String) -> IPv6Address? { IPv6Address.parse(Substring(text)) }

    func testTextualForms() {
        XCTAssertEqual(address("::"), IPv6Address(high: 0, low: 0))
        XCTAssertEqual(address("::1"), IPv6Address(high: 0, low: 1))
        XCTAssertEqual(address("2001:db8::"), IPv6Address(high: 0x2001_0db8_0000_0000, low: 0))
        XCTAssertEqual(address("2001:db8:0:0:0:0:0:1"), address("2001:db8::1"))
        XCTAssertEqual(address("::ffff:192.0.2.1"), IPv6Address(high: 0, low: 0x0000_ffff_c000_0201))
        for bad in ["2001:db8::1::", "1:2:3:4:5:6:7:8:9", "12345::", "g::", "1:2:3:4:5:6:7", ":1"] {
            XCTAssertNil(address(bad), bad)
        }
    }

    func cidr(_ text: String) -> CIDR { try! CIDR.parse(text).get() }

    func testExceptMustLieStrictlyInsideTheCIDR() {
        XCTAssertTrue(cidr("2001:db8::/32").strictlyContains(cidr("2001:db8:1::/48")))
        XCTAssertTrue(cidr("::/0").strictlyContains(cidr("2001:db8::/32")))
        XCTAssertFalse(cidr("2001:db8::/32").strictlyContains(cidr("2001:db9::/48")))
        XCTAssertFalse(cidr("2001:db8::/32").strictlyContains(cidr("2001:db8::/32")), "the same block is not strict")
        XCTAssertFalse(cidr("2001:db8::/32").strictlyContains(cidr("10.0.0.0/8")), "another family")
        XCTAssertTrue(cidr("10.0.0.0/8").strictlyContains(cidr("10.1.0.0/16")))
        // Host bits are masked, as the API server has long accepted.
        XCTAssertTrue(cidr("2001:db8::1/32").strictlyContains(cidr("2001:db8:ff00::/40")))
        XCTAssertNotNil(CIDR.parse("::/0").success)
        XCTAssertNil(CIDR.parse("2001:db8::/129").success)
    }
}

extension Result {
    var success: Success? { if case .success(let s) = self { return s } else { return nil } }
}
