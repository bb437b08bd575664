import Claims
import Foundation
import Reachability

/// One self-contained HTML page (no network assets): the claim results, the connectivity graph (an inline SVG
/// when Graphviz rendered one, else the pair table as text) and a searchable table of allowed pairs.
public enum HTMLReport {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public static func page(
        title: String, results: [ClaimResult], pairs: [ConnectivityMap.Pair], svg: String?, graphFallback: String,
        entryPaths: [EntryPath] = []
    ) -> String {
        let proved = results.filter { $0.verdict == .proved }.count
        let refuted = results.filter { $0.verdict == .refuted }.count
        let unknown = results.count - proved - refuted
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; margin: 2em; color: #1d2330; }
            h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
            table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
            th, td { border-bottom: 1px solid #dde2ea; padding: 4px 8px; text-align: left; vertical-align: top; }
            .PROVED { color: #1a7f37; font-weight: bold; } .REFUTED { color: #d0021b; font-weight: bold; } .UNKNOWN { color: #9a6700; font-weight: bold; }
            pre { background: #f4f6fa; padding: 1em; overflow-x: auto; font-size: 0.8em; }
            .graph svg { max-width: 100%; height: auto; }
            input { padding: 4px; width: 24em; margin-bottom: 0.5em; }
            </style></head><body>
            <h1>\(escape(title))</h1>
            <p>\(results.count) claim(s): <span class="PROVED">\(proved) proved</span>, <span class="REFUTED">\(refuted) refuted</span>, <span class="UNKNOWN">\(unknown) unknown</span>; \(pairs.count) allowed pair(s) at the netpol layer.</p>
            <h2>Claims</h2>
            <table><tr><th>verdict</th><th>claim</th><th>layer</th><th>details</th></tr>

            """
        for r in results {
            var details = r.reason.map { escape($0) } ?? ""
            if let d = r.claim.description { details = escape(d) + (details.isEmpty ? "" : "<br>" + details) }
            for c in r.counterexamples.prefix(5) {
                details += "<br>counterexample: <code>\(escape(ClaimsReport.flowText(c)))</code>"
            }
            if r.counterexamples.count > 5 { details += "<br>… \(r.counterexamples.count - 5) more" }
            html +=
                "<tr><td class=\"\(r.verdict.rawValue)\">\(r.verdict.rawValue)</td><td>\(escape(r.claim.name))<br><small>\(escape(r.claim.location.description))</small></td><td>\(r.layer.rawValue)</td><td>\(details)</td></tr>\n"
        }
        html += "</table>\n"
        if !entryPaths.isEmpty {
            html += """
                <h2>Entry paths</h2>
                <table><tr><th>proxy</th><th>entry</th><th>request</th><th>backend</th><th>pods (NetworkPolicy from the proxy)</th><th>rule</th></tr>

                """
            for p in entryPaths {
                let pods = p.pods.map { "\($0.workload):\($0.port) \($0.verdict.rawValue.uppercased())" }
                html +=
                    "<tr><td>\(escape(p.proxy))</td><td>\(escape(p.entry))</td><td>\(escape(p.condition))</td><td>\(escape(p.backend.description))</td><td>\(escape(pods.joined(separator: ", ")))\(p.note.map { "<br><small>\(escape($0))</small>" } ?? "")</td><td><small>\(escape(p.rule))</small></td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h2>Connectivity</h2>\n"
        html +=
            svg.map { "<div class=\"graph\">\($0)</div>\n" }
            ?? "<p>Graphviz was not available; the map as text:</p>\n<pre>\(escape(graphFallback))</pre>\n"
        html += """
            <h2>Allowed pairs</h2>
            <input id="filter" type="search" placeholder="filter by source, destination or port" aria-label="filter pairs">
            <table id="pairs"><tr><th>source</th><th>destination</th><th>connections</th></tr>

            """
        for p in pairs {
            html +=
                "<tr><td>\(escape(p.source))</td><td>\(escape(p.destination))</td><td>\(escape(p.conns.description))</td></tr>\n"
        }
        html += """
            </table>
            <script>
            document.getElementById('filter').addEventListener('input', function (event) {
              var needle = event.target.value.toLowerCase();
              var rows = document.querySelectorAll('#pairs tr');
              for (var i = 1; i < rows.length; i++) {
                rows[i].style.display = rows[i].textContent.toLowerCase().indexOf(needle) >= 0 ? '' : 'none';
              }
            });
            </script>
            </body></html>

            """
        return html
    }
}
