import TestSupport
import XCTest

@testable import KubeModel

/// `--cluster` descriptions: IP families given, inferred from the pod CIDRs, or dual-stack by default; one CIDR per
/// family, as a comma-separated string or a list; errors name the file, line and field.
final class ClusterDescriptionTests: XCTestCase {
    func load(_ text: String) throws -> ClusterDescription { try ClusterDescription.load(try temporaryFile(text)) }

    func error(_ text: String) -> String {
        do {
            _ = try load(text)
            return "no error"
        } catch { return "\(error)" }
    }

    func testDualStackIsTheDefault() throws {
        let d = try load("nodeCIDR: 192.168.0.0/24,2001:db8:f::/64\n")
        XCTAssertEqual(d.ipFamilies, [.ipv4, .ipv6])
        XCTAssertEqual(d.podCIDRs.map(\.description), ["10.244.0.0/16", "fd00:10:244::/56"])
        XCTAssertEqual(d.serviceCIDRs.map(\.description), ["10.96.0.0/12", "fd00:10:96::/112"])
        XCTAssertEqual(d.nodeCIDRs.map(\.description), ["192.168.0.0/24", "2001:db8:f::/64"])
        XCTAssertTrue(d.summary.hasPrefix("ipFamilies IPv4,IPv6 (default), "), d.summary)
    }

    func testFamiliesFromThePodCIDRsOrGiven() throws {
        XCTAssertEqual(try load("podCIDR: [\"fd00:1::/56\"]\n").ipFamilies, [.ipv6])
        let v6 = try load("podCIDR: [\"fd00:1::/56\"]\n")
        XCTAssertEqual(v6.serviceCIDRs.map(\.description), ["fd00:10:96::/112"])
        let given = try load("ipFamilies: [IPv6, IPv4]\npodCIDR: 10.42.0.0/16\n")
        XCTAssertEqual(given.ipFamilies, [.ipv4, .ipv6])
        XCTAssertEqual(given.podCIDRs.map(\.description), ["10.42.0.0/16", "fd00:10:244::/56"])
        XCTAssertEqual(try load("ipFamilies: [ipv4]\n").podCIDRs.map(\.description), ["10.244.0.0/16"])
    }

    func testMistakesNameTheLineAndField() {
        XCTAssertTrue(error("podCIDR: 10.0.0.0/16,10.1.0.0/16\n").contains("two IPv4 CIDRs"))
        XCTAssertTrue(error("ipFamilies: [IPv4]\npodCIDR: 10.0.0.0/16,fd00::/56\n").contains(":2:"))
        XCTAssertTrue(
            error("ipFamilies: [IPv4]\npodCIDR: 10.0.0.0/16,fd00::/56\n").contains("which ipFamilies does not list"))
        XCTAssertTrue(error("ipFamilies: [IPv5]\n").contains("'IPv5' is not an IP family"))
        XCTAssertTrue(error("ipFamilies: []\n").contains("expected IPv4, IPv6 or both"))
        XCTAssertTrue(
            error("podCIDR: \"fd00::/56\"\nserviceCIDR: \"fd00::/112\"\n").contains("overlaps podCIDR fd00::/56"))
        XCTAssertTrue(error("podCIDR: \"fd00::/129\"\n").contains("prefix length 129 > 128"))
    }
}
