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
        XCTAssertTrue(
            html.contains("Profile <b>conformance</b>") && html.contains("A-HOSTNET=H2"), "profile and assumptions")
        for id in ["matrix", "drill", "focus", "fns", "fwl", "fport", "data"] {
            XCTAssertTrue(html.contains("id=\"\(id)\""), id)
        }
        XCTAssertFalse(html.contains("src=\"http"), "no network assets")
        XCTAssertFalse(html.contains("href=\"http"), "no network assets")
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
        // A click on a matrix cell (made by the page's #drill link, through the same click handler) lists its pairs.
        let (dumped, dom) = try runProcess(
            chromium,
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--dump-dom",
                "file://\(page)#drill=verrazzano-ingress-nginx>verrazzano-system",
            ])
        XCTAssertEqual(dumped, 0)
        XCTAssertTrue(
            dom.contains("verrazzano-ingress-nginx -&gt; verrazzano-system: 8 connected pair(s)"),
            dom.suffix(2000).description)
        XCTAssertTrue(dom.contains("<table id=\"drill-pairs\""))
        XCTAssertTrue(
            dom.contains(
                "<td>verrazzano-ingress-nginx/ingress-controller</td><td>verrazzano-system/verrazzano-authproxy</td>"),
            "the drill-down lists the pairs")
        XCTAssertTrue(dom.contains("class=\"cell selected\""))
    }
}
