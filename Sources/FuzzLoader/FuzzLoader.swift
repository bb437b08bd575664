import Claims
import Foundation
import KubeModel

/// libFuzzer entry point. The first byte chooses the parser so that one corpus exercises both the
/// manifest loader (model building included; JSON on stdin is recognised by its first character, so JSON seeds
/// reach the JSON path) and the claims parser. Any crash, hang or sanitizer report
/// is a bug: bad input must only ever produce `InputError`s.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let selector = bytes[0]
    let data = Data(bytes: bytes + 1, count: count - 1)
    if selector & 1 == 0 {
        _ = ModelLoader().load(paths: ["-"], stdin: { data })
    } else {
        _ = ClaimsParser.load("-", stdin: { data })
    }
    return 0
}
