//! The reference's stylesheet (screen and print) and its one script.

/// `regmap.css`.
pub(super) const CSS: &str = r#"/* regmap register reference */
:root {
  --fg: #1d2126; --muted: #5b6570; --line: #c9d1d9; --bg: #fff; --head: #f3f5f7;
  --rw: #e7f0fb; --ro: #eef6ea; --wo: #fdf6dc; --act: #fde3cf; --rc: #fbe1e1;
  --act-line: #c8600e; --rc-line: #c0272d; --link: #0b5cad;
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1100px; margin: 0 auto; padding: 0 1.2rem 3rem; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .num { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.92em; }
header.top { position: sticky; top: 0; z-index: 2; display: flex; gap: 1rem; align-items: center; padding: 0.5rem 1.2rem; background: var(--head); border-bottom: 1px solid var(--line); }
header.top .home { font-weight: 600; color: var(--fg); }
.search { position: relative; flex: 1; max-width: 32rem; margin-left: auto; }
.search input { width: 100%; padding: 0.35rem 0.6rem; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
#search-results { position: absolute; left: 0; right: 0; margin: 2px 0 0; padding: 0; list-style: none; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; max-height: 24rem; overflow: auto; box-shadow: 0 4px 12px rgba(0,0,0,0.12); }
#search-results li { padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--head); }
#search-results li small { color: var(--muted); margin-left: 0.5rem; }
#search-results li.none { color: var(--muted); }
h1 { margin: 1.2rem 0 0.3rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid var(--line); }
h3 { margin: 0 0 0.2rem; font-size: 1.15rem; }
h3 .offset { color: var(--muted); font-weight: normal; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9rem; margin-left: 0.6rem; }
a.anchor { color: inherit; }
.meta { color: var(--muted); margin: 0.2rem 0 0.6rem; }
section.register { margin: 1.6rem 0; padding-top: 0.6rem; border-top: 1px solid var(--line); }
section.register:target, tr:target { background: #fff8d6; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0; font-size: 0.92rem; }
th, td { text-align: left; vertical-align: top; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--line); }
th { background: var(--head); font-weight: 600; }
td p { margin: 0 0 0.3rem; }
tr.reserved td { color: var(--muted); background: repeating-linear-gradient(135deg, #f4f4f4 0 4px, #e9e9e9 4px 8px); }
ul.values { margin: 0; padding-left: 1rem; }
.acc { display: inline-block; min-width: 2.2em; padding: 0 0.3em; border: 1px solid var(--line); border-radius: 3px; text-align: center; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85em; }
.acc.acc-rw { background: var(--rw); } .acc.acc-ro { background: var(--ro); } .acc.acc-wo { background: var(--wo); }
.acc.acc-w1c, .acc.acc-w1s, .acc.acc-w1t, .acc.acc-w0c, .acc.acc-w0s { background: var(--act); border-color: var(--act-line); font-weight: 600; }
.acc.acc-rc, .acc.acc-rs { background: var(--rc); border: 1px dashed var(--rc-line); font-weight: 600; }
.acc.reserved { background: repeating-linear-gradient(135deg, #f4f4f4 0 4px, #d9d9d9 4px 8px); }
.legend { font-size: 0.85rem; color: var(--muted); }
.diagram { overflow-x: auto; margin: 0.4rem 0; }
svg.bits { display: block; max-width: 100%; height: auto; font-family: system-ui, sans-serif; }
svg.bits text { text-anchor: middle; fill: var(--fg); }
svg.bits text.bit { font-size: 10px; fill: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; }
svg.bits text.name { font-size: 13px; }
svg.bits text.name.up { text-anchor: start; }
svg.bits text.acc { font-size: 10px; fill: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; }
svg.bits rect.reserved { fill: url(#regmap-hatch) #e6e6e6; stroke: #b5b5b5; }
svg.defs { position: absolute; width: 0; height: 0; }
svg.bits g.field rect { stroke: #4a5560; stroke-width: 1; fill: var(--rw); }
svg.bits g.acc-ro rect { fill: var(--ro); }
svg.bits g.acc-wo rect { fill: var(--wo); }
svg.bits g.acc-w1c rect, svg.bits g.acc-w1s rect, svg.bits g.acc-w1t rect, svg.bits g.acc-w0c rect, svg.bits g.acc-w0s rect { fill: var(--act); stroke: var(--act-line); stroke-width: 2; }
svg.bits g.acc-w1c text.acc, svg.bits g.acc-w1s text.acc, svg.bits g.acc-w1t text.acc, svg.bits g.acc-w0c text.acc, svg.bits g.acc-w0s text.acc { fill: var(--act-line); font-weight: 700; }
svg.bits g.acc-rc rect, svg.bits g.acc-rs rect { fill: var(--rc); stroke: var(--rc-line); stroke-width: 2; stroke-dasharray: 4 2; }
svg.bits g.acc-rc text.acc, svg.bits g.acc-rs text.acc { fill: var(--rc-line); font-weight: 700; }
svg.bits a:hover rect { filter: brightness(0.93); }
footer { max-width: 1100px; margin: 0 auto; padding: 1rem 1.2rem 2rem; color: var(--muted); font-size: 0.85rem; }
@media print {
  header.top { display: none; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  section.register { break-inside: avoid-page; }
  h2, h3 { break-after: avoid-page; }
  table.summary tr, table.fields tr { break-inside: avoid; }
  .diagram { overflow: visible; }
  section.register:target, tr:target { background: none; }
}
"#;

/// `regmap.js`: search over `window.REGMAP_INDEX` (from `search-index.js`).
/// Every whitespace-separated term must occur in the name (any case); exact
/// last-segment matches come first. `?q=` in the address fills the box.
pub(super) const JS: &str = r#"// regmap register reference: search.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  if (!input || !list) { return; }
  var index = window.REGMAP_INDEX || [];
  var MAX = 50;

  function rank(entry, terms) {
    var name = entry[0].toLowerCase();
    for (var i = 0; i < terms.length; i++) {
      if (name.indexOf(terms[i]) < 0) { return -1; }
    }
    if (name === terms.join(" ")) { return 0; }
    var last = name.slice(name.lastIndexOf(".") + 1);
    var t = terms[terms.length - 1];
    if (last === t) { return 1; }
    if (last.indexOf(t) === 0) { return 2; }
    return 3;
  }

  function show(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (terms.length === 0) { list.hidden = true; return; }
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var r = rank(index[i], terms);
      if (r >= 0) { hits.push([r, i]); }
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    if (hits.length === 0) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "No register or field matches.";
      list.appendChild(none);
    }
    for (var k = 0; k < hits.length && k < MAX; k++) {
      var e = index[hits[k][1]];
      var li = document.createElement("li");
      li.className = "hit " + e[2];
      var a = document.createElement("a");
      a.href = e[1];
      a.textContent = e[0];
      li.appendChild(a);
      var small = document.createElement("small");
      small.textContent = e[2] + (e[3] ? " · " + e[3] : "");
      li.appendChild(small);
      list.appendChild(li);
    }
    list.hidden = false;
  }

  input.addEventListener("input", function () { show(input.value); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var first = list.querySelector("li.hit a");
      if (first) { window.location.href = first.href; }
    } else if (ev.key === "Escape") {
      input.value = "";
      show("");
    }
  });
  document.addEventListener("click", function (ev) {
    if (!list.contains(ev.target) && ev.target !== input) { list.hidden = true; }
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; show(q); }
})();
"#;
