import KubeModel

/// The sets of a `ConnTable` cut into atoms: per protocol, the port intervals that no set of the table splits, and
/// port-less protocols as one atom more. Each set is then a bit mask over the atoms, so that whether two sets meet
/// and what a union holds are word operations. The namespace summary asks that of a billion pairs at 100,000
/// workloads, where the table's memoized intersections cost a lookup each.
struct ConnAtoms {
    /// 64-bit words per mask.
    let words: Int
    /// The mask of each set of the table, in the table's order, `words` words each.
    private(set) var masks: [UInt64]
    private let atoms: [(proto: FlowProtocol, ports: ClosedRange<Int>)]

    init(_ sets: [ConnSet]) {
        var atoms: [(proto: FlowProtocol, ports: ClosedRange<Int>)] = []
        for proto in L4Protocol.allCases {
            // An atom starts at port 1 and wherever some set's range starts or ends.
            var cuts: Set<Int> = [1]
            for set in sets {
                for r in set[proto].ranges {
                    cuts.insert(r.lowerBound)
                    if r.upperBound < 65535 { cuts.insert(r.upperBound + 1) }
                }
            }
            let starts = cuts.sorted()
            for (i, start) in starts.enumerated() {
                atoms.append((FlowProtocol(proto), start...(i + 1 < starts.count ? starts[i + 1] - 1 : 65535)))
            }
        }
        atoms.append((.other, 0...0))
        words = (atoms.count + 63) / 64
        self.atoms = atoms
        masks = []
        masks = sets.flatMap { mask(of: $0) }
    }

    /// The mask of a set that no atom splits: one of the table's, or a union or intersection of them (they cut no
    /// port range the table's sets do not).
    func mask(of set: ConnSet) -> [UInt64] {
        var mask = [UInt64](repeating: 0, count: words)
        for (a, atom) in atoms.enumerated() {
            // No set splits an atom: it holds the whole atom when it holds the first port.
            let held =
                switch atom.proto {
                case .tcp: set.tcp.contains(atom.ports.lowerBound)
                case .udp: set.udp.contains(atom.ports.lowerBound)
                case .sctp: set.sctp.contains(atom.ports.lowerBound)
                case .other: set.other
                }
            if held { mask[a >> 6] |= 1 << UInt64(a & 63) }
        }
        return mask
    }

    /// The connections a mask holds.
    func set(_ mask: ArraySlice<UInt64>) -> ConnSet {
        var ranges: [L4Protocol: [ClosedRange<Int>]] = [:]
        var out = ConnSet.none
        for (a, atom) in atoms.enumerated() where mask[mask.startIndex + a >> 6] & (1 << UInt64(a & 63)) != 0 {
            switch atom.proto {
            case .tcp: ranges[.tcp, default: []].append(atom.ports)
            case .udp: ranges[.udp, default: []].append(atom.ports)
            case .sctp: ranges[.sctp, default: []].append(atom.ports)
            case .other: out.other = true
            }
        }
        for (proto, list) in ranges { out[proto] = PortRanges(list) }
        return out
    }
}
