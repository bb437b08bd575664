import TestSupport
import XCTest

/// `map --format dot` and `report`: the graph and the self-contained HTML page, checked in headless Chromium
/// when it is installed (a screenshot is taken and the console must stay free of errors).
final class ReportTests: XCTestCase {
    func testDotMarksRefutedFlows() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let (status, dot) = try runProcess(
            cli, ["map", "examples/verrazzano", "--format", "dot", "--claims", "policies/verrazzano.yaml"],
            in: Paths.packageRoot.path)
        XCTAssertEqual(status, 0)
        // The graph (stdout) after the warning (stderr) that the input exercises the mesh, which the map leaves out.
        XCTAssertTrue(dot.hasPrefix("warning: this input exercises the mesh layer"), dot)
        XCTAssertTrue(dot.contains("\ndigraph connectivity {"))
        XCTAssertTrue(dot.contains("subgraph cluster_"))
        XCTAssertTrue(dot.contains("label=\"verrazzano-system\""))
        // fluentd -> authproxy refutes only-nginx-reaches-authproxy: drawn in red.
        XCTAssertTrue(
            dot.contains(
                "\"verrazzano-system/fluentd\" -> \"verrazzano-system/verrazzano-authproxy\" [label=\"TCP/8775\", color=\"#d0021b\""
            ), dot)
        XCTAssertTrue(dot.contains("\"external:"))
    }

    func testReportIsSelfContainedAndRendersInChromium() throws {
        guard let cli = Paths.cli else { throw XCTSkip("build the CLI first (swift build)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let page = dir + "/report.html"
        let (status, output) = try runProcess(
            cli, ["report", "examples/verrazzano", "--claims", "policies/verrazzano.yaml", "--out", page],
            in: Paths.packageRoot.path)
        XCTAssertEqual(status, 0, output)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        XCTAssertTrue(html.contains("17 claim(s)"))
        XCTAssertTrue(html.contains("<input id=\"filter\""))
        XCTAssertFalse(html.contains("src=\"http"), "no network assets")
        XCTAssertFalse(html.contains("href=\"http"), "no network assets")
        let graphviz = FileManager.default.isExecutableFile(atPath: "/usr/bin/dot")
        XCTAssertEqual(html.contains("<svg"), graphviz, output)
        XCTAssertEqual(output.contains("graph as SVG"), graphviz, output)
        guard
            let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first(
                where: FileManager.default.isExecutableFile)
        else {
            throw XCTSkip("Chromium is not installed: the page was checked as text only")
        }
        let shot = dir + "/report.png"
        let (code, log) = try runProcess(
            chromium,
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600", "--screenshot=\(shot)",
                "--enable-logging=stderr", "--v=1", "file://\(page)",
            ])
        XCTAssertEqual(code, 0, log)
        XCTAssertGreaterThan((try FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int) ?? 0, 10_000)
        let consoleErrors = log.split(separator: "\n").filter {
            $0.contains("CONSOLE") && ($0.contains("Uncaught") || $0.contains("Error"))
        }
        XCTAssertEqual(consoleErrors, [])
    }
}
