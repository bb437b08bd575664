import Foundation
import XCTest

@testable import SMT

final class SolverTests: XCTestCase {
    func testSatisfiableFormulaGivesModelValues() throws {
        let z = Z3Context()
        let port = z.bvConst("port", width: 16)
        let open = z.boolConst("open")
        let s = Solver(z)
        // An unsigned range above 32767: a signed compare would get this wrong.
        s.assert(z.inRange(port, 40000, 40000, width: 16))
        s.assert(open)
        guard case .sat(let model) = try s.check() else { return XCTFail("expected sat") }
        XCTAssertEqual(model.uint(port), 40000)
        XCTAssertEqual(model.bool(open), true)
    }

    func testUnsignedRangeExcludesValuesOutside() throws {
        let z = Z3Context()
        let port = z.bvConst("port", width: 16)
        let s = Solver(z)
        s.assert(z.inRange(port, 32000, 40000, width: 16))
        s.assert(z.ugt(port, z.bv(40000, width: 16)))
        XCTAssertTrue(try s.check().isUnsat)
    }

    func testContradictionIsUnsat() throws {
        let z = Z3Context()
        let x = z.bvConst("x", width: 8)
        let s = Solver(z)
        s.assert(x == z.bv(1, width: 8))
        s.assert(x == z.bv(2, width: 8))
        XCTAssertTrue(try s.check().isUnsat)
    }

    func testPushPopRestoresAssertions() throws {
        let z = Z3Context()
        let b = z.boolConst("b")
        let s = Solver(z)
        s.push()
        s.assert(b)
        s.assert(!b)
        XCTAssertTrue(try s.check().isUnsat)
        s.pop()
        XCTAssertTrue(try s.check().isSat)
    }

    func testExtractAndConcat() throws {
        let z = Z3Context()
        let ip = z.bvConst("ip", width: 32)
        let s = Solver(z)
        s.assert(z.extract(ip, high: 31, low: 16) == z.bv(0x0AF4, width: 16))
        s.assert(z.extract(ip, high: 15, low: 0) == z.bv(0x0102, width: 16))
        s.assert(z.concat(z.bv(0x0A, width: 8), z.bv(0xF4, width: 8)) == z.extract(ip, high: 31, low: 16))
        guard case .sat(let model) = try s.check() else { return XCTFail("expected sat") }
        XCTAssertEqual(model.uint(ip), 0x0AF4_0102)
    }

    /// Factoring the product of two 31-bit primes by bit-blasting takes far longer than 1 ms.
    func testTimeoutYieldsUnknown() throws {
        let z = Z3Context()
        let s = Solver(z, logic: "QF_BV")
        let a = z.bvConst("a", width: 64)
        let b = z.bvConst("b", width: 64)
        let product = z.bvmul(a, b)
        s.assert(product == z.bv(0x3FFF_FFF6_0000_0013, width: 64))
        s.assert(z.ugt(a, z.bv(1, width: 64)))
        s.assert(z.ugt(b, z.bv(1, width: 64)))
        s.assert(z.ult(a, z.bv(0xFFFF_FFFF, width: 64)))
        s.assert(z.ult(b, z.bv(0xFFFF_FFFF, width: 64)))
        guard case .unknown(let reason) = try s.check(timeout: 0.001) else {
            return XCTFail("expected unknown after a 1 ms timeout")
        }
        XCTAssertTrue(["timeout", "canceled"].contains(reason), "reason was \(reason)")
    }

    func testInterruptFromAnotherThreadYieldsUnknown() throws {
        let z = Z3Context()
        let s = Solver(z)
        let a = z.bvConst("a", width: 64)
        let b = z.bvConst("b", width: 64)
        s.assert(z.bvmul(a, b) == z.bv(0x3FFF_FFF6_0000_0013, width: 64))
        s.assert(z.ugt(a, z.bv(1, width: 64)))
        s.assert(z.ugt(b, z.bv(1, width: 64)))
        s.assert(z.ult(a, z.bv(0xFFFF_FFFF, width: 64)))
        s.assert(z.ult(b, z.bv(0xFFFF_FFFF, width: 64)))
        let ctx = z
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { ctx.interrupt() }
        guard case .unknown(let reason) = try s.check() else { return XCTFail("expected unknown") }
        XCTAssertTrue(["canceled", "interrupted"].contains(reason), "reason was \(reason)")
    }

    /// Mixing sorts is a Z3 error; it must become a Swift error, not a process exit.
    func testZ3ErrorIsReportedNotFatal() {
        let z = Z3Context()
        let s = Solver(z)
        s.assert(z.eq(z.bvConst("x", width: 8), z.bvConst("y", width: 16)))
        XCTAssertNotNil(z.firstError)
        XCTAssertThrowsError(try s.check()) { error in
            XCTAssertTrue(error is SMTError)
        }
    }
}
