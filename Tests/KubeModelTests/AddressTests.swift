import TestSupport
import XCTest

@testable import KubeModel

/// Addresses and CIDRs of both families as the API server validates ipBlocks: every textual form, canonical
/// output, host bits masked, `except` strictly inside its `cidr` and in the same family, and minimal CIDR covers.
final class AddressTests: XCTestCase {
    func address(_ text: String) -> IPAddress? { IPAddress.parse(Substring(text)) }
    func v6(_ value: UInt128) -> IPAddress { IPAddress(family: .ipv6, value: value) }

    func testIPv6TextualForms() {
        XCTAssertEqual(address("::"), v6(0))
        XCTAssertEqual(address("::1"), v6(1))
        XCTAssertEqual(address("2001:db8::"), v6(0x2001_0db8 << 96))
        XCTAssertEqual(address("2001:db8:0:0:0:0:0:1"), address("2001:db8::1"))
        XCTAssertEqual(address("::ffff:192.0.2.1"), v6(0x0000_ffff_c000_0201))
        for bad in ["2001:db8::1::", "1:2:3:4:5:6:7:8:9", "12345::", "g::", "1:2:3:4:5:6:7", ":1"] {
            XCTAssertNil(address(bad), bad)
        }
    }

    func testCanonicalText() {
        // RFC 5952: lowercase, no leading zeros, the longest zero run (the first on a tie) as "::", never one group.
        XCTAssertEqual(address("2001:0DB8:0000:0000:0001:0000:0000:0001")?.description, "2001:db8::1:0:0:1")
        XCTAssertEqual(address("2001:db8:0:1:1:1:1:1")?.description, "2001:db8:0:1:1:1:1:1")
        XCTAssertEqual(address("::")?.description, "::")
        XCTAssertEqual(address("fd00:10:244::")?.description, "fd00:10:244::")
        XCTAssertEqual(address("192.0.2.1")?.description, "192.0.2.1")
        XCTAssertEqual(cidr("2001:db8::1/32").description, "2001:db8::/32")
    }

    func testParsingMasksHostBitsAndChecksPrefixLength() {
        XCTAssertEqual(cidr("10.0.0.1/24").description, "10.0.0.0/24")
        XCTAssertNil(CIDR.parse("300.1.1.1/8").success, "300 is not an octet")
        XCTAssertNil(CIDR.parse("10.0.0.0/33").success)
        XCTAssertNotNil(CIDR.parse("::/0").success)
        XCTAssertNil(CIDR.parse("2001:db8::/129").success)
        XCTAssertEqual(CIDR.parse(addressOrCIDR: "2001:db8::1").success?.description, "2001:db8::1/128")
    }

    func testExceptMustLieStrictlyInsideTheCIDR() {
        XCTAssertTrue(cidr("2001:db8::/32").strictlyContains(cidr("2001:db8:1::/48")))
        XCTAssertTrue(cidr("::/0").strictlyContains(cidr("2001:db8::/32")))
        XCTAssertFalse(cidr("2001:db8::/32").strictlyContains(cidr("2001:db9::/48")))
        XCTAssertFalse(cidr("2001:db8::/32").strictlyContains(cidr("2001:db8::/32")), "the same block is not strict")
        XCTAssertFalse(cidr("2001:db8::/32").strictlyContains(cidr("10.0.0.0/8")), "another family")
        XCTAssertFalse(cidr("0.0.0.0/0").strictlyContains(cidr("::/8")), "another family")
        XCTAssertTrue(cidr("10.0.0.0/8").strictlyContains(cidr("10.1.0.0/16")))
        // Host bits are masked, as the API server has long accepted.
        XCTAssertTrue(cidr("2001:db8::1/32").strictlyContains(cidr("2001:db8:ff00::/40")))
    }

    func testCoveringIsMinimalInBothFamilies() {
        func cover(_ a: String, _ b: String) -> [String] {
            CIDR.covering(cidr(a).first, cidr(b).first).map(\.description)
        }
        XCTAssertEqual(CIDR.covering(cidr("0.0.0.0/0").first, cidr("0.0.0.0/0").last).map(\.description), ["0.0.0.0/0"])
        XCTAssertEqual(CIDR.covering(cidr("::/0").first, cidr("::/0").last).map(\.description), ["::/0"])
        XCTAssertEqual(cover("10.0.0.0", "10.0.0.2"), ["10.0.0.0/31", "10.0.0.2/32"])
        XCTAssertEqual(cover("2001:db8::", "2001:db8::2"), ["2001:db8::/127", "2001:db8::2/128"])
        // The last address of the family ends a cover without wrapping around.
        XCTAssertEqual(
            cover("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            [
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"
            ])
        XCTAssertEqual(cidr("::/0").last.next, nil)
    }
}

extension Result {
    var success: Success? { if case .success(let s) = self { return s } else { return nil } }
}
