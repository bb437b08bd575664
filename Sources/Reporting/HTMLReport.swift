import Claims
import Foundation
import KubeModel
import Reachability

/// One self-contained HTML page (no network assets): the profile and assumptions, the claim results with their
/// counterexamples, a namespace-by-namespace matrix (cells coloured by how open they are; a click lists the
/// workload pairs behind a cell with their connections and deciding rules), the neighbourhood of one chosen
/// workload as a graph, the entry paths, and the pair table with filters by namespace, workload and port.
public enum HTMLReport {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// One workload pair, with the rule that admits its first connection.
    public struct PairRow: Encodable, Sendable {
        let s: String
        let d: String
        let c: String
        let r: String
        public init(source: String, destination: String, conns: String, rule: String) {
            (s, d, c, r) = (source, destination, conns, rule)
        }
    }

    /// The most pairs the page carries. Its script filters them in the browser, and past a few hundred thousand the
    /// page is too large to open; a larger map's pairs are left out, and the page says how to list them.
    public static let pairLimit = 200_000

    /// What the page shows besides the claims.
    public struct Input {
        public let title: String
        public let results: [ClaimResult]
        /// The pairs the page carries, and how many the map has: more when they were left out (`pairLimit`).
        public let pairs: [PairRow]
        public let pairCount: Int
        public let summary: NamespaceSummary
        public let profile: String
        public let assumptions: [String]
        public let entryPaths: [EntryPath]
        public init(
            title: String, results: [ClaimResult], pairs: [PairRow], pairCount: Int, summary: NamespaceSummary,
            profile: String, assumptions: [String], entryPaths: [EntryPath]
        ) {
            self.title = title
            self.results = results
            self.pairs = pairs
            self.pairCount = pairCount
            self.summary = summary
            self.profile = profile
            self.assumptions = assumptions
            self.entryPaths = entryPaths
        }
    }

    struct Cell: Encodable { let s: String, d: String, n: Int, of: Int, c: String }
    struct Data: Encodable { let pairs: [PairRow], cells: [Cell], namespaces: [String] }

    public static func page(_ input: Input) -> String {
        let results = input.results
        let proved = results.filter { $0.verdict == .proved }.count
        let refuted = results.filter { $0.verdict == .refuted }.count
        let unknown = results.count - proved - refuted
        let rows = input.summary.rows
        // Namespaces by name, the outside last.
        let namespaces = Array(Set(rows.flatMap { [$0.source, $0.destination] })).sorted {
            ($0 == .outside ? 1 : 0, $0) < ($1 == .outside ? 1 : 0, $1)
        }
        let data = Data(
            pairs: input.pairs,
            cells: rows.map {
                Cell(
                    s: $0.source.description, d: $0.destination.description, n: $0.connected, of: $0.pairs,
                    c: $0.conns.description)
            },
            namespaces: namespaces.map(\.description))
        let omitted =
            input.pairs.count < input.pairCount
            ? "<p class=\"omitted\">This page carries none of the \(input.pairCount) pairs: they are more than the \(pairLimit) it can hold. The namespace matrix counts them all; <code>reachproof map --format pairs</code> (or <code>json</code>) lists them, and <code>--namespace</code> or <code>--workload</code> focuses the list.</p>"
            : ""
        // JSON inside <script>: "</" would end the element.
        let json = JSON.encode(data).replacingOccurrences(of: "</", with: "<\\/")
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(input.title))</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; margin: 2em; color: #1d2330; }
            h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
            table { border-collapse: collapse; font-size: 0.9em; }
            th, td { border-bottom: 1px solid #dde2ea; padding: 4px 8px; text-align: left; vertical-align: top; }
            .wide { width: 100%; }
            .PROVED { color: #1a7f37; font-weight: bold; } .REFUTED { color: #d0021b; font-weight: bold; } .UNKNOWN { color: #9a6700; font-weight: bold; }
            #matrix td.cell { width: 3.2em; height: 2em; text-align: center; cursor: pointer; border: 1px solid #fff; font-size: 0.8em; }
            #matrix th.col { writing-mode: vertical-rl; transform: rotate(180deg); font-weight: normal; }
            #matrix td.cell.selected { outline: 3px solid #1d2330; }
            #drill { margin-top: 1em; }
            .legend span { display: inline-block; width: 1.4em; height: 1em; vertical-align: middle; margin: 0 2px; }
            input, select { padding: 4px; margin: 0 0.5em 0.5em 0; }
            svg text { font-size: 11px; }
            small { color: #5b6474; }
            </style></head><body>
            <h1>\(escape(input.title))</h1>
            <p>\(results.count) claim(s): <span class="PROVED">\(proved) proved</span>, <span class="REFUTED">\(refuted) refuted</span>, <span class="UNKNOWN">\(unknown) unknown</span>; \(input.pairCount) allowed workload pair(s) at the netpol layer.</p>
            \(omitted)
            <p>Profile <b>\(escape(input.profile))</b>; assumptions: \(input.assumptions.map { "<code>\(escape($0))</code>" }.joined(separator: ", ")).</p>
            <h2>Claims</h2>
            <table class="wide"><tr><th>verdict</th><th>claim</th><th>layer</th><th>details</th></tr>

            """
        for r in results {
            var details = r.reason.map { escape($0) } ?? ""
            if let d = r.claim.description { details = escape(d) + (details.isEmpty ? "" : "<br>" + details) }
            for c in r.counterexamples.prefix(5) {
                details += "<br>counterexample: <code>\(escape(ClaimsReport.flowText(c)))</code>"
            }
            if r.counterexamples.count > 5 { details += "<br>… \(r.counterexamples.count - 5) more" }
            if !r.admittedSources.isEmpty {
                details += "<br><small>admitted sources: \(escape(r.admittedSources.joined(separator: ", ")))</small>"
            }
            html +=
                "<tr><td class=\"\(r.verdict.rawValue)\">\(r.verdict.rawValue)</td><td>\(escape(r.claim.name))<br><small>\(escape(r.claim.location.description))</small></td><td>\(r.layer.rawValue)</td><td>\(details)</td></tr>\n"
        }
        html += """
            </table>
            <h2>Namespaces</h2>
            <p><small>Row: source namespace; column: destination. A cell's colour is the share of its workload pairs that connect
            (<span class="legend"><span style="background:#e8f5e9"></span> none · <span style="background:#fdd49e"></span> some · <span style="background:#d7301f"></span> all</span>);
            click a cell for its pairs, their connections and the rule that admits them.</small></p>
            <table id="matrix"></table>
            <div id="drill"></div>
            <h2>Neighbourhood of a workload</h2>
            <select id="focus" aria-label="workload"></select>
            <div id="graph"></div>

            """
        if !input.entryPaths.isEmpty {
            html += """
                <h2>Entry paths</h2>
                <table class="wide"><tr><th>proxy</th><th>entry</th><th>request</th><th>backend</th><th>pods (NetworkPolicy from the proxy)</th><th>rule</th></tr>

                """
            for p in input.entryPaths {
                let pods = p.pods.map { "\($0.workload):\($0.port) \($0.verdict.rawValue.uppercased())" }
                html +=
                    "<tr><td>\(escape(p.proxy))</td><td>\(escape(p.entry))</td><td>\(escape(p.condition))</td><td>\(escape(p.backend.description))</td><td>\(escape(pods.joined(separator: ", ")))\(p.note.map { "<br><small>\(escape($0))</small>" } ?? "")</td><td><small>\(escape(p.rule))</small></td></tr>\n"
            }
            html += "</table>\n"
        }
        html += """
            <h2>Allowed pairs</h2>
            \(omitted)
            <input id="fns" type="search" placeholder="namespace" aria-label="filter by namespace">
            <input id="fwl" type="search" placeholder="workload" aria-label="filter by workload">
            <input id="fport" type="search" placeholder="port, e.g. 8080 or TCP/53" aria-label="filter by port">
            <table id="pairs" class="wide"><thead><tr><th>source</th><th>destination</th><th>connections</th><th>admitted by</th></tr></thead><tbody></tbody></table>
            <script type="application/json" id="data">\(json)</script>
            <script>
            \(script)
            </script>
            </body></html>

            """
        return html
    }

    /// The page's behaviour: the matrix, the drill-down, the focus graph and the filters, from the embedded data.
    static let script = """
        var data = JSON.parse(document.getElementById('data').textContent);
        function ns(w) { return w.indexOf('external:') === 0 ? '\(NamespaceSummary.Peer.outsideName)' : w.split('/')[0]; }
        function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
        function colour(share) {
          if (share <= 0) return '#e8f5e9';
          var stops = [[253,212,158],[252,141,89],[215,48,31]];
          var t = Math.min(1, share) * 2, i = Math.min(1, Math.floor(t)), f = t - i;
          var a = stops[i], b = stops[i + 1];
          return 'rgb(' + [0,1,2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); }).join(',') + ')';
        }
        function pairRow(p) {
          var tr = el('tr');
          [p.s, p.d, p.c, p.r].forEach(function (v) { tr.appendChild(el('td', v)); });
          return tr;
        }
        var cells = {};
        data.cells.forEach(function (c) { cells[c.s + '>' + c.d] = c; });
        var matrix = document.getElementById('matrix');
        var head = el('tr'); head.appendChild(el('th', 'from \\\\ to'));
        data.namespaces.forEach(function (d) { var th = el('th', d); th.className = 'col'; head.appendChild(th); });
        matrix.appendChild(head);
        data.namespaces.forEach(function (s) {
          var tr = el('tr'); tr.appendChild(el('th', s));
          data.namespaces.forEach(function (d) {
            var c = cells[s + '>' + d], td = el('td');
            td.className = 'cell';
            td.id = 'cell-' + s + '-' + d;
            var share = c && c.of > 0 ? c.n / c.of : 0;
            td.style.background = colour(share);
            td.textContent = c && c.n > 0 ? c.n : '';
            td.title = s + ' -> ' + d + ': ' + (c ? c.n + ' of ' + c.of + ' pairs; ' + c.c : 'no pair');
            td.addEventListener('click', function () { drill(s, d, td); });
            tr.appendChild(td);
          });
          matrix.appendChild(tr);
        });
        function drill(s, d, td) {
          Array.prototype.forEach.call(document.querySelectorAll('#matrix td.selected'), function (x) { x.classList.remove('selected'); });
          td.classList.add('selected');
          var box = document.getElementById('drill'); box.innerHTML = '';
          var list = data.pairs.filter(function (p) { return ns(p.s) === s && ns(p.d) === d; });
          box.appendChild(el('h3', s + ' -> ' + d + ': ' + list.length + ' connected pair(s)'));
          var t = el('table'); t.id = 'drill-pairs'; t.className = 'wide';
          var h = el('tr'); ['source', 'destination', 'connections', 'admitted by'].forEach(function (x) { h.appendChild(el('th', x)); });
          t.appendChild(h);
          list.forEach(function (p) { t.appendChild(pairRow(p)); });
          box.appendChild(t);
        }
        var workloads = {};
        data.pairs.forEach(function (p) { workloads[p.s] = 1; workloads[p.d] = 1; });
        var focus = document.getElementById('focus');
        Object.keys(workloads).sort().forEach(function (w) { var o = el('option', w); o.value = w; focus.appendChild(o); });
        function graph(w) {
          var box = document.getElementById('graph'); box.innerHTML = '';
          var ins = data.pairs.filter(function (p) { return p.d === w; }), outs = data.pairs.filter(function (p) { return p.s === w; });
          var nodes = {}; ins.forEach(function (p) { nodes[p.s] = 1; }); outs.forEach(function (p) { nodes[p.d] = 1; });
          var names = Object.keys(nodes).sort(), n = Math.max(1, names.length), size = 560, r = 210, cx = size / 2, cy = size / 2;
          var svgns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(svgns, 'svg');
          svg.setAttribute('width', size + 260); svg.setAttribute('height', size);
          function at(i) { var a = 2 * Math.PI * i / n; return [cx + r * Math.cos(a), cy + r * Math.sin(a)]; }
          function line(a, b, colour, label) {
            var l = document.createElementNS(svgns, 'line');
            l.setAttribute('x1', a[0]); l.setAttribute('y1', a[1]); l.setAttribute('x2', b[0]); l.setAttribute('y2', b[1]);
            l.setAttribute('stroke', colour); l.setAttribute('stroke-width', 1.5);
            var t = document.createElementNS(svgns, 'title'); t.textContent = label; l.appendChild(t); svg.appendChild(l);
          }
          function text(p, s, bold) {
            var t = document.createElementNS(svgns, 'text'); t.setAttribute('x', p[0] + 6); t.setAttribute('y', p[1] + 4);
            if (bold) t.setAttribute('font-weight', 'bold'); t.textContent = s; svg.appendChild(t);
            var c = document.createElementNS(svgns, 'circle'); c.setAttribute('cx', p[0]); c.setAttribute('cy', p[1]);
            c.setAttribute('r', 4); c.setAttribute('fill', bold ? '#1d2330' : '#5b6474'); svg.appendChild(c);
          }
          names.forEach(function (m, i) {
            var p = at(i);
            ins.filter(function (x) { return x.s === m; }).forEach(function (x) { line(p, [cx, cy], '#2b8cbe', m + ' -> ' + w + ': ' + x.c); });
            outs.filter(function (x) { return x.d === m; }).forEach(function (x) { line([cx, cy], p, '#e6550d', w + ' -> ' + m + ': ' + x.c); });
          });
          names.forEach(function (m, i) { text(at(i), m, false); });
          text([cx, cy], w, true);
          box.appendChild(svg);
          box.appendChild(el('p', ins.length + ' source(s) in blue, ' + outs.length + ' destination(s) in orange; hover a line for its connections.'));
        }
        focus.addEventListener('change', function () { graph(focus.value); });
        if (focus.options.length) graph(focus.options[0].value);
        var tbody = document.querySelector('#pairs tbody');
        function filter() {
          var fns = document.getElementById('fns').value.toLowerCase(), fwl = document.getElementById('fwl').value.toLowerCase();
          var fport = document.getElementById('fport').value.toLowerCase();
          tbody.innerHTML = '';
          data.pairs.filter(function (p) {
            return (!fns || ns(p.s).toLowerCase().indexOf(fns) >= 0 || ns(p.d).toLowerCase().indexOf(fns) >= 0)
              && (!fwl || p.s.toLowerCase().indexOf(fwl) >= 0 || p.d.toLowerCase().indexOf(fwl) >= 0)
              && (!fport || p.c.toLowerCase().indexOf(fport) >= 0 || p.c === 'ALL');
          }).forEach(function (p) { tbody.appendChild(pairRow(p)); });
        }
        ['fns', 'fwl', 'fport'].forEach(function (id) { document.getElementById(id).addEventListener('input', filter); });
        filter();
        // #drill=SOURCE>DESTINATION opens a cell, by the same click a reader makes (links and tests use it).
        var m = /^#drill=([^>]+)>(.+)$/.exec(decodeURIComponent(location.hash));
        if (m) { var cell = document.getElementById('cell-' + m[1] + '-' + m[2]); if (cell) cell.click(); }
        """
}

extension HTMLReport {
    /// The pair table's rows: each pair with the rule that admits its first connection (the destination's side when
    /// it is isolated, else the source's), for up to `explained` pairs.
    public static func rows(_ pairs: [ConnectivityMap.Pair], evaluator: Evaluator, explained: Int = 5000) -> [PairRow] {
        let index = Dictionary(
            evaluator.model.workloads.indices.map { (evaluator.model.workloads[$0].id, $0) },
            uniquingKeysWith: { a, _ in a })
        func endpoint(_ name: String) -> Endpoint? {
            if let i = index[name] { return .pod(evaluator.endpoints[i]) }
            guard name.hasPrefix("external:"),
                case .success(let c)? = name.split(separator: ":", maxSplits: 1).last.map({
                    CIDR.parse(String($0))
                })
            else { return nil }
            return .external(AddressRange(c.first))
        }
        return pairs.enumerated().map { n, p in
            var rule = ""
            if n < explained, let s = endpoint(p.source), let d = endpoint(p.destination),
                let (proto, port) = p.conns.first
            {
                rule = DiffReport.reason(evaluator.explain(from: s, to: d, proto: proto, port: port))
            }
            return PairRow(source: p.source, destination: p.destination, conns: p.conns.description, rule: rule)
        }
    }
}
