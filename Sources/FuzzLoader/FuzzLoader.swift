import Claims
import Foundation
@_spi(Testing) import KubeModel

/// libFuzzer entry point. The first byte chooses what runs, so that one corpus exercises the manifest loader (model
/// building included; JSON on stdin is recognised by its first character, so JSON seeds reach the JSON path), the
/// claims parser, and the block YAML reader against Yams. Any crash, hang or sanitizer report is a bug: bad input
/// must only ever produce `InputError`s, and the block reader must read what it reads as Yams does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let selector = bytes[0]
    let data = Data(bytes: bytes + 1, count: count - 1)
    switch selector & 3 {
    case 0:
        _ = ModelLoader().load(paths: ["-"], stdin: { data })
    case 2:
        if let text = String(data: data, encoding: .utf8), let disagreement = BlockYAMLReaderCheck.compare(text).1 {
            fatalError("block YAML reader: \(disagreement)")
        }
    default:
        _ = ClaimsParser.load("-", stdin: { data })
    }
    return 0
}
