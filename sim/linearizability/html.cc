#include "sim/linearizability/html.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "sim/linearizability/export.h"

namespace lockstep::lin {

namespace {

// The page; /*DATA*/ becomes `const DATA = {...};`.
constexpr const char* kPage = R"HTML(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>lockstep: TITLE</title>
<style>
body{font:13px system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:16px;margin:0 0 8px}
.verdict-ok{color:#1a7f37}.verdict-bad{color:#cf222e}.verdict-unknown{color:#9a6700}
pre{background:#f6f8fa;padding:8px;overflow:auto}
svg text{font:11px monospace}
.op rect{stroke:#555;stroke-width:1}
.op.ok rect{fill:#dafbe1}.op.info rect{fill:#eaeef2;stroke-dasharray:4 3}.op.fail rect{fill:#fff;stroke:#bbb}
.op.involved rect{fill:#ffd8d3;stroke:#cf222e;stroke-width:2}
.op:hover rect{stroke:#0969da;stroke-width:2}
.order{fill:#0969da;font-weight:bold}
</style></head>
<body>
<h1 id="title"></h1>
<div id="summary"></div>
<svg id="lanes" xmlns="http://www.w3.org/2000/svg"></svg>
<pre id="text"></pre>
<script>
/*DATA*/
window.onerror = function (m) { document.body.dataset.rendered = 'error: ' + m; };
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const ops = DATA.ops;
  document.getElementById('title').textContent = DATA.title;
  const s = document.getElementById('summary');
  const v = document.createElement('b');
  v.textContent = DATA.verdict;
  v.className = DATA.verdict === 'linearizable' ? 'verdict-ok'
      : DATA.verdict === 'unknown' ? 'verdict-unknown' : 'verdict-bad';
  s.appendChild(v);
  s.appendChild(document.createTextNode(' ' + DATA.note));
  document.getElementById('text').textContent = DATA.text;
  const clients = [...new Set(ops.map(o => o.client))].sort((a, b) => a - b);
  let t0 = Infinity, t1 = -Infinity;
  for (const o of ops) {
    t0 = Math.min(t0, o.call);
    t1 = Math.max(t1, o.call, o.return === null ? o.call : o.return);
  }
  if (!isFinite(t0)) { t0 = 0; t1 = 1; }
  const span = Math.max(1, t1 - t0), left = 90, width = 1100, lane = 30, top = 12;
  const right = left + width + 40;
  const x = t => left + (t - t0) / span * width;
  const svg = document.getElementById('lanes');
  svg.setAttribute('width', right + 20);
  svg.setAttribute('height', top + clients.length * lane + 20);
  const order = new Map(DATA.linearized.map((id, i) => [id, i + 1]));
  const involved = new Set(DATA.involved);
  clients.forEach((c, row) => {
    const label = document.createElementNS(NS, 'text');
    label.setAttribute('x', 4);
    label.setAttribute('y', top + row * lane + 20);
    label.textContent = 'client ' + c;
    svg.appendChild(label);
  });
  for (const o of ops) {
    const row = clients.indexOf(o.client);
    const g = document.createElementNS(NS, 'g');
    g.setAttribute('class', 'op ' + o.outcome + (involved.has(o.id) ? ' involved' : ''));
    const r = document.createElementNS(NS, 'rect');
    const x0 = x(o.call), x1 = o.return === null ? right : x(o.return);
    r.setAttribute('x', x0);
    r.setAttribute('y', top + row * lane + 6);
    r.setAttribute('width', Math.max(3, x1 - x0));
    r.setAttribute('height', lane - 10);
    r.setAttribute('rx', 3);
    const title = document.createElementNS(NS, 'title');
    title.textContent = o.describe;
    r.appendChild(title);
    g.appendChild(r);
    const label = document.createElementNS(NS, 'text');
    label.setAttribute('x', x0 + 3);
    label.setAttribute('y', top + row * lane + 20);
    label.textContent = o.label;
    g.appendChild(label);
    if (order.has(o.id)) {
      const n = document.createElementNS(NS, 'text');
      n.setAttribute('class', 'order');
      n.setAttribute('x', Math.max(x0 + 3, x1 - 22));
      n.setAttribute('y', top + row * lane + 4);
      n.textContent = order.get(o.id);
      g.appendChild(n);
    }
    svg.appendChild(g);
  }
  document.body.dataset.ops = String(svg.querySelectorAll('g.op').length);
  document.body.dataset.rendered = 'ok';
})();
</script>
</body></html>
)HTML";

std::string json_ids(const std::vector<int>& ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

std::string escape_html(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string to_html(const History& history, const CheckResult& result, const std::string& title,
                    std::size_t max_ops) {
  const bool failed = result.verdict == Verdict::kNotLinearizable;
  std::vector<const Op*> ops;
  for (const Op& op : failed ? result.prefix : history) ops.push_back(&op);
  std::sort(ops.begin(), ops.end(), [](const Op* a, const Op* b) {
    return std::tie(a->invoke, a->id) < std::tie(b->invoke, b->id);
  });
  std::string note = std::to_string(history.size()) + " operations";
  if (failed) {
    note = "the smallest illegal prefix";
    if (!result.partition.empty()) note += " of partition \"" + result.partition + "\"";
    note += ": " + std::to_string(ops.size()) + " operations";
  }
  if (ops.size() > max_ops) {
    note += " (the first " + std::to_string(max_ops) + " shown)";
    ops.resize(max_ops);
  }
  std::string data = "const DATA = {\"title\":" + json_string(title) +
                     ",\"verdict\":" + json_string(to_string(result.verdict)) +
                     ",\"note\":" + json_string(note) + ",\"text\":" + json_string(result.text) +
                     ",\"involved\":" + json_ids(result.involved) +
                     ",\"linearized\":" + json_ids(result.linearized) + ",\"ops\":[";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = *ops[i];
    std::string label = describe_call(op);
    if (op.outcome == Outcome::kOk && op.result) label += " -> " + describe_value(*op.result);
    data += std::string(i ? ",\n" : "\n") + "{\"id\":" + std::to_string(op.id) +
            ",\"client\":" + std::to_string(op.client) + ",\"call\":" + std::to_string(op.invoke) +
            ",\"return\":" +
            (op.outcome == Outcome::kInfo ? std::string("null") : std::to_string(op.ret)) +
            ",\"outcome\":\"" +
            (op.outcome == Outcome::kOk     ? "ok"
             : op.outcome == Outcome::kFail ? "fail"
                                            : "info") +
            "\",\"label\":" + json_string(label) + ",\"describe\":" + json_string(describe(op)) +
            "}";
  }
  data += "]};";
  std::string page = kPage;
  page.replace(page.find("TITLE"), 5, escape_html(title));
  page.replace(page.find("/*DATA*/"), 8, data);
  return page;
}

}  // namespace lockstep::lin
