import KubeModel
import XCTest

@testable import Reachability

/// Atom masks stand for their sets: two masks share a bit exactly when the sets meet, and a mask, or the union of
/// two, reads back as the set, or the union.
final class ConnAtomsTests: XCTestCase {
    /// Sets with ranges on every protocol, touching and overlapping, plus the two extremes and port-less protocols.
    func sets() -> [ConnSet] {
        var state: UInt64 = 20_261_207
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var sets: [ConnSet] = [.none, .all, ConnSet(other: true), ConnSet(.tcp, PortRanges([1...1, 65535...65535]))]
        for _ in 0..<60 {
            var set = ConnSet.none
            for proto in L4Protocol.allCases where next(3) > 0 {
                let ranges = (0..<(1 + next(3))).map { _ -> ClosedRange<Int> in
                    // Ports near a few common ones, so that ranges touch and overlap.
                    let low = [53, 80, 443, 8080, 9100][next(5)] + next(20) - 10
                    return low...(low + [0, 5, 10, 100][next(4)])
                }
                set[proto] = PortRanges(ranges)
            }
            set.other = next(4) == 0
            sets.append(set)
        }
        return sets
    }

    func testMasksMeetExactlyWhenTheSetsDo() {
        let sets = sets()
        let atoms = ConnAtoms(sets)
        XCTAssertGreaterThan(atoms.words, 1, "the sets need more than one word of atoms, so words are all exercised")
        func mask(_ i: Int) -> ArraySlice<UInt64> { atoms.masks[i * atoms.words..<(i + 1) * atoms.words] }
        for (i, a) in sets.enumerated() {
            XCTAssertEqual(atoms.set(mask(i)), a, "\(a) read back from its mask")
            for (j, b) in sets.enumerated() {
                let meet = zip(mask(i), mask(j)).contains { $0 & $1 != 0 }
                XCTAssertEqual(meet, !a.intersection(b).isEmpty, "\(a) and \(b) meet")
                let union = ArraySlice(zip(mask(i), mask(j)).map { $0 | $1 })
                XCTAssertEqual(atoms.set(union), a.union(b), "\(a) with \(b)")
            }
        }
    }

    func testEveryConnectionIsOneMaskOfAllAtoms() {
        let atoms = ConnAtoms([.none, .all])
        XCTAssertEqual(atoms.masks[0..<atoms.words].allSatisfy { $0 == 0 }, true)
        // The port ranges of three protocols (one atom each, as nothing cuts them) and port-less protocols.
        XCTAssertEqual(atoms.masks[atoms.words..<2 * atoms.words].map(\.nonzeroBitCount).reduce(0, +), 4)
        XCTAssertEqual(atoms.set(atoms.masks[atoms.words..<2 * atoms.words]), .all)
    }
}
