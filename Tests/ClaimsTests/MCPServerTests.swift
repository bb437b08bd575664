import Foundation
import TestSupport
import XCTest

/// `reachproof mcp` over stdio: a real MCP client (Python's `mcp` package, when installed) drives every tool; raw
/// JSON-RPC lines check malformed requests, a slow client, a burst of calls and a restart.
final class MCPServerTests: XCTestCase {
    func cli() throws -> String {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        return cli
    }

    func testThePythonMCPClientDrivesEveryTool() throws {
        guard let python = Paths.onPath("python3") else { throw XCTSkip("python3 is not installed") }
        let (hasMCP, _) = try runProcess(python, ["-c", "import mcp"])
        guard hasMCP == 0 else { throw XCTSkip("the Python mcp package is not installed (pip install mcp)") }
        let (status, output) = try runProcess(
            python, [Paths.package("Tests/Fixtures/mcp/client.py"), try cli(), Paths.packageRoot.path],
            in: Paths.packageRoot.path)
        XCTAssertEqual(status, 0, output)
        for line in ["tools check,diff,explain,lint,map,query", "check 17", "errors 4", "concurrent 16"] {
            XCTAssertTrue(output.contains(line), output)
        }
    }

    /// A server process fed raw lines; its output is collected until it exits.
    final class Session {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        private var collected = Data()
        private let lock = NSLock()
        private let finished = DispatchSemaphore(value: 0)

        init(_ cli: String) throws {
            process.executableURL = URL(fileURLWithPath: cli)
            process.arguments = ["mcp"]
            process.currentDirectoryURL = Paths.packageRoot
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let handle = output.fileHandleForReading
            Thread.detachNewThread { [self] in
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    lock.lock()
                    collected.append(chunk)
                    lock.unlock()
                }
                finished.signal()
            }
        }

        func send(_ line: String) { input.fileHandleForWriting.write(Data((line + "\n").utf8)) }
        func sendRaw(_ bytes: String) { input.fileHandleForWriting.write(Data(bytes.utf8)) }

        /// Waits until responses to these ids arrived (or the deadline), then closes stdin and collects the rest.
        func responses(waitingFor ids: Set<Int>, seconds: Double = 30) -> [[String: Any]] {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline && !ids.isSubset(of: Set(parsed().compactMap { $0["id"] as? Int })) {
                usleep(20_000)
            }
            try? input.fileHandleForWriting.close()
            _ = finished.wait(timeout: .now() + 10)
            process.waitUntilExit()
            return parsed()
        }

        func parsed() -> [[String: Any]] {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: collected, as: UTF8.self).split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
    }

    static let initialize =
        #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#
    static let initialized = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#

    static func call(_ id: Int, _ tool: String, _ arguments: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#
    }

    func testMalformedLinesGetErrorsAndTheServerGoesOn() throws {
        let s = try Session(try cli())
        s.send(Self.initialize)
        s.send(Self.initialized)
        s.send("{not json")
        s.send(#"{"jsonrpc":"2.0","id":7,"method":"no/such/method"}"#)
        s.send(Self.call(8, "lint", #"{"paths":["examples/guestbook"]}"#))
        let out = s.responses(waitingFor: [1, 7, 8])
        XCTAssertTrue(out.contains { ($0["error"] as? [String: Any])?["code"] as? Int == -32700 }, "\(out)")
        XCTAssertTrue(out.contains { $0["id"] as? Int == 7 && $0["error"] != nil }, "\(out)")
        XCTAssertTrue(out.contains { $0["id"] as? Int == 8 && $0["result"] != nil }, "\(out)")
    }

    /// A focus that still selects too many pairs is refused with its size; a narrower one is answered.
    func testTheMapToolRefusesMoreThanAReplyCarries() throws {
        // 460 workloads in 4 namespaces and no policy: the pairs touching one namespace number about 105,000.
        let file = try openClusterFile(deployments: 460)
        defer { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
        let s = try Session(try cli())
        s.send(Self.initialize)
        s.send(Self.initialized)
        s.send(Self.call(2, "map", #"{"paths":["\#(file)"],"namespace":"ns0"}"#))
        s.send(Self.call(3, "map", #"{"paths":["\#(file)"],"workload":"ns0/web-0"}"#))
        let out = s.responses(waitingFor: [1, 2, 3], seconds: 60)
        func result(_ id: Int) -> (error: Bool, text: String) {
            let r = out.first { $0["id"] as? Int == id }?["result"] as? [String: Any]
            let text = ((r?["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
            return (r?["isError"] as? Bool == true, text)
        }
        XCTAssertTrue(result(2).error, result(2).text)
        XCTAssertTrue(result(2).text.contains("more than the 20000 a reply carries"), result(2).text)
        XCTAssertFalse(result(3).error, String(result(3).text.prefix(300)))
        XCTAssertTrue(result(3).text.contains("\"source\" : \"ns0/web-0\""), String(result(3).text.prefix(300)))
    }

    func testSlowClientAndABurstOfCalls() throws {
        let s = try Session(try cli())
        // The initialize request trickles in over half a second.
        for piece in Self.initialize.split(every: 25) {
            s.sendRaw(piece)
            usleep(50_000)
        }
        s.sendRaw("\n")
        s.send(Self.initialized)
        for id in 10..<40 { s.send(Self.call(id, "lint", #"{"paths":["examples/guestbook"]}"#)) }
        let out = s.responses(waitingFor: Set([1] + Array(10..<40)), seconds: 60)
        let answered = Set(out.compactMap { $0["result"] != nil ? $0["id"] as? Int : nil })
        XCTAssertEqual(answered, Set([1] + Array(10..<40)), "\(out.count) lines")
    }

    func testARestartedServerServesAfterOneStoppedMidRequest() throws {
        let first = try Session(try cli())
        first.send(Self.initialize)
        first.send(Self.call(2, "check", #"{"config":"examples/verrazzano"}"#))
        first.process.terminate()
        first.process.waitUntilExit()
        let second = try Session(try cli())
        second.send(Self.initialize)
        second.send(Self.initialized)
        second.send(Self.call(3, "check", #"{"config":"examples/verrazzano"}"#))
        let out = second.responses(waitingFor: [1, 3])
        let result = out.first { $0["id"] as? Int == 3 }?["result"] as? [String: Any]
        XCTAssertNotNil(result, "\(out)")
        XCTAssertNotEqual(result?["isError"] as? Bool, true)
    }
}

extension String {
    fileprivate func split(every n: Int) -> [String] {
        stride(from: 0, to: count, by: n).map { i in
            let start = index(startIndex, offsetBy: i)
            return String(self[start..<(index(start, offsetBy: n, limitedBy: endIndex) ?? endIndex)])
        }
    }
}
