"""One self-contained HTML page that steps through the backward pass.

``walkthrough(loss, "backprop.html")`` draws the graph once (one inline SVG)
and adds a few lines of script that re-colour it for each step of
``autograd.steps(loss)``: the node whose memo entry is being filled, the edges
its contributions come along, the entries already filled and those still
pending (grey ``?``), plus the chain-rule line with numbers. Next/Previous
buttons, a slider and the arrow keys move through the steps.

The file needs nothing else: no network, no external scripts or fonts. It is
written atomically (a temporary file, then ``os.replace``).

Labels may hold any text. The step data is JSON inside a ``<script>`` element
with ``<``, ``>``, ``&`` and every unprintable character written as ``\\uXXXX``,
so no label can end the element, open a comment or be invalid UTF-8, and
``JSON.parse`` gives the labels back exactly (as JavaScript's UTF-16 strings hold
them). In HTML text and the SVG, labels are shown through ``dot.visible``
(``\\n`` for a newline) and escaped.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

from ..autodiff import topological_order
from ..explain import chain_rule_line, chain_rule_symbols, steps
from ..files import check_writable, write_atomically
from ..value import Value
from .dot import MAX_NODES, draw, visible


def _page_number(x: float) -> str:
    """``x`` as the page shows it: 6 significant digits, a typeset minus sign
    everywhere (``−1e−05``), and no ``−0``."""
    text = f"{x:.6g}"
    return "0" if text == "-0" else text.replace("-", "−")


def _step_data(loss: Value, order: list[Value],
               gradient: float) -> tuple[list[dict], dict[Value, float]]:
    """What the page needs for each step, naming SVG elements by their DOT ids
    (``order`` is ``topological_order(loss)``), and each node's final memo entry."""
    position = {v: i for i, v in enumerate(order)}
    saved = {v: v.grad for v in position}
    try:
        all_steps = list(steps(loss, gradient))
    finally:
        for v, g in saved.items():  # stepping adds into .grad; a viewer leaves it alone
            v.grad = g
    data = []
    grads = {}
    for step in all_steps:
        grads[step.node] = step.grad
        me = step.node
        edges: list[str] = []
        children: list[str] = []
        for c in step.contributions:
            ci = position[c.child]
            child = f"v{ci}"
            if child not in children:
                children.append(child)
                edges.append(f"e{ci}")
                edges += [f"e{ci}_{k}" for k, p in enumerate(c.child.parents) if p is me]
        data.append({
            "node": f"v{position[me]}",
            "name": step.name(),
            "grad": _page_number(step.grad),
            "line": chain_rule_line(step),
            "symbols": chain_rule_symbols(step),
            "children": children,
            "edges": edges,
        })
    return data, grads


_MAYBE_UNSAFE = re.compile(r"[<>&]|[^\x20-\x7e]")
"""Markup characters and everything outside printable ASCII (``_json_escape``
keeps those that are printable)."""


def script_json(data: object) -> str:
    r"""``data`` as JSON that is safe as the text of a ``<script>`` element: ``<``,
    ``>``, ``&`` and unprintable characters are ``\uXXXX`` escapes (outside strings
    JSON has none of them), so ``</script>`` or ``<!--`` cannot appear.

    >>> print(script_json(["</script><!--", "a\u2028b", "😀 漢字"]))
    ["\u003c/script\u003e\u003c!--", "a\u2028b", "😀 漢字"]
    """
    return _MAYBE_UNSAFE.sub(_json_escape, json.dumps(data, ensure_ascii=False))


def _json_escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch.isprintable() and ch not in "<>&":  # CJK, emoji, accents stay readable
        return ch
    # U+2028/U+2029, controls, lone surrogates, format and private-use characters
    code = ord(ch)
    if code > 0xFFFF:  # JSON spells a character outside the BMP as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _inline_svg(svg: str) -> str:
    """The SVG element alone (no XML declaration, doctype or comments), ready to inline."""
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)


def walkthrough(
    loss: Value,
    path: str | os.PathLike,
    *,
    title: str | None = None,
    gradient: float = 1.0,
    show_local: bool = True,
    max_nodes: int = MAX_NODES,
) -> Path:
    """Write the stepping page for ``loss`` to ``path`` and return the path.

    The page steps through the backward pass of C = gradient * loss. ``.grad`` is
    left as it was. The graph is drawn in full (no collapsing),
    so a graph above ``max_nodes`` Values raises ValueError; rendering needs
    a renderer (graphviz-pure is installed with memograd).
    """
    if not isinstance(loss, Value):
        raise TypeError(f"walkthrough: loss must be a Value, got {type(loss).__name__}")
    check_writable(path)  # before the drawing: a bad path fails at once, named as given
    order = topological_order(loss)
    if len(order) > max_nodes:  # refuse before stepping through a huge graph
        raise ValueError(
            f"walkthrough: the graph has {len(order)} values, more than max_nodes={max_nodes}; "
            f"pass max_nodes={len(order)} to step through them all (about 3 KB of page each)"
        )
    data, grads = _step_data(loss, order, gradient)
    drawing = draw(loss, show_local=show_local, max_nodes=max_nodes, collapse=False,
                   grads=grads)
    svg = _inline_svg(drawing.pipe(format="svg").decode("utf-8"))
    name = title or f"Backpropagation through {loss.label or 'the output'}"
    page = _PAGE.format(
        title=html.escape(visible(name)),
        svg=svg,
        rows="".join(
            f'<tr id="row-{i}"><td>{html.escape(visible(d["name"]))}</td>'
            f'<td class="num">{html.escape(d["grad"])}</td></tr>'
            for i, d in enumerate(data)
        ),
        count=len(data),
        last=len(data) - 1,
        data=script_json(data),
        script=_SCRIPT,
    )
    return write_atomically(path, page)


_SCRIPT = """
const data = JSON.parse(document.getElementById("steps").textContent);
const $ = (id) => document.getElementById(id);
const slider = $("slider");
const cells = {};
document.querySelectorAll("#graph g[id^=a_v][id$=_grad]").forEach((g) => {
  const text = g.querySelector("text");
  cells[g.id.slice(2, -5)] = {group: g, text: text, full: text ? text.textContent : ""};
});
const rows = data.map((d, k) => $("row-" + k));
const filledAt = {};
data.forEach((s, i) => { filledAt[s.node] = i; });
let marked = [];
function mark(id, cls) {
  const el = $(id);
  if (el) { el.classList.add(cls); marked.push([el, cls]); }
}
function show(i) {
  i = Math.max(0, Math.min(data.length - 1, i));
  const s = data[i];
  marked.forEach(([el, cls]) => el.classList.remove(cls));
  marked = [];
  for (const [node, cell] of Object.entries(cells)) {
    const pending = filledAt[node] > i;
    cell.group.classList.toggle("pending", pending);
    if (cell.text) cell.text.textContent = pending ? "grad ?" : cell.full;
  }
  mark(s.node, "current");
  s.children.forEach((c) => { mark(c, "child"); mark("o" + c.slice(1), "child"); });
  s.edges.forEach((e) => mark(e, "contrib"));
  data.forEach((d, k) => {
    const r = rows[k];
    r.classList.toggle("filled", k <= i);
    r.classList.toggle("current", k === i);
    r.cells[1].textContent = k <= i ? d.grad : "?";
  });
  reveal(rows[i], $("memo-box"));
  $("counter").textContent = "step " + (i + 1) + " of " + data.length;
  $("memo-name").textContent = s.name;
  $("memo-value").textContent = s.grad;
  $("line").textContent = s.line;
  $("symbols").textContent = s.symbols;
  slider.value = i;
  $("prev").disabled = i === 0;
  $("next").disabled = i === data.length - 1;
  if ($(s.node)) reveal($(s.node), $("graph"));
}
function reveal(el, box) {  // centre el in its scrolling box if it is not fully in view
  const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
  if (r.top < b.top || r.bottom > b.bottom) {
    box.scrollTop += (r.top + r.bottom - b.top - b.bottom) / 2;
  }
  if (r.left < b.left || r.right > b.right) {
    box.scrollLeft += (r.left + r.right - b.left - b.right) / 2;
  }
}
$("prev").addEventListener("click", () => show(+slider.value - 1));
$("next").addEventListener("click", () => show(+slider.value + 1));
slider.addEventListener("input", () => show(+slider.value));
$("fit").addEventListener("change", (e) => $("graph").classList.toggle("fit", e.target.checked));
const svgWidth = document.querySelector("#graph svg").getBoundingClientRect().width;
if (svgWidth <= 2 * $("graph").clientWidth) {  // shrink a graph a little wider than the page
  $("fit").checked = true;
  $("graph").classList.add("fit");
}
document.addEventListener("keydown", (e) => {
  if (e.target === slider) return;  // the slider moves itself with the arrow keys
  if (e.key === "ArrowRight") { show(+slider.value + 1); e.preventDefault(); }
  if (e.key === "ArrowLeft") { show(+slider.value - 1); e.preventDefault(); }
});
show(0);
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1f2937; background: #fff; height: 100vh; display: flex; flex-direction: column; }}
header {{ padding: 10px 16px; border-bottom: 1px solid #e5e7eb; }}
h1 {{ font-size: 18px; margin: 0 0 8px 0; }}
.controls {{ display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }}
button {{ font-size: 14px; padding: 4px 12px; }}
#slider {{ flex: 1; min-width: 160px; }}
#counter {{ font-variant-numeric: tabular-nums; min-width: 7em; }}
.lines {{ margin-top: 8px; font-family: ui-monospace, Menlo, Consolas, monospace;
          font-size: 14px; }}
#entry {{ font-size: 15px; }}
#entry b {{ background: #f59e0b; padding: 0 4px; border-radius: 3px; }}
#symbols {{ color: #6b7280; }}
main {{ display: flex; gap: 12px; padding: 12px 16px; align-items: flex-start; flex: 1;
       min-height: 0; }}
#graph {{ flex: 1; overflow: auto; max-height: 100%; border: 1px solid #e5e7eb; }}
#graph.fit svg {{ width: 100%; height: auto; }}
#memo-box {{ width: 300px; max-height: 100%; overflow: auto; position: relative;
            border: 1px solid #e5e7eb; }}
#memo {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
#memo th, #memo td {{ padding: 2px 6px; text-align: left; border-bottom: 1px solid #f3f4f6; }}
#memo td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
#memo tbody tr {{ color: #b0b6c0; }}
#memo tr.filled {{ color: #1f2937; }}
#memo tr.current {{ background: #fde68a; font-weight: bold; }}
.legend span {{ display: inline-block; padding: 0 6px; margin-right: 6px; border-radius: 3px;
               font-size: 12px; }}
#graph g.pending text {{ fill: #b0b6c0; }}
#graph g.node.current polygon, #graph g.node.current ellipse {{ fill: #fde68a; stroke: #d97706;
                                                               stroke-width: 2; }}
#graph g.node.current g[id$=_grad] polygon {{ fill: #f59e0b; }}
#graph g.node.current text {{ font-weight: bold; }}
#graph g.node.child polygon, #graph g.node.child ellipse {{ stroke: #d97706; stroke-width: 2; }}
#graph g.edge.contrib path {{ stroke: #d97706; stroke-width: 2.5; }}
#graph g.edge.contrib polygon {{ fill: #d97706; stroke: #d97706; }}
#graph g.edge.contrib text {{ fill: #b45309; font-weight: bold; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div class="controls">
<button id="prev" type="button">&#9664; Previous</button>
<button id="next" type="button">Next &#9654;</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
<span id="counter">step 1 of {count}</span>
<label><input id="fit" type="checkbox"> fit to width</label>
</div>
<div class="lines">
<div id="entry">memo entry &#8706;C/&#8706;(<span id="memo-name"></span>) =
<b id="memo-value"></b></div>
<div id="line"></div>
<div id="symbols"></div>
</div>
<div class="legend" style="margin-top:6px">
<span style="background:#fde68a;border:1px solid #d97706">node of this step</span>
<span style="background:#f59e0b">its memo entry</span>
<span style="border:2px solid #d97706">users it reads dC/d(user) from</span>
<span style="color:#b0b6c0;border:1px solid #e5e7eb">grad ? = not filled yet</span>
<span>keys: &larr; &rarr;</span>
</div>
</header>
<main>
<div id="graph">
{svg}
</div>
<div id="memo-box">
<table id="memo"><thead><tr><th>node (filling order)</th><th>&#8706;C/&#8706;node</th></tr></thead>
<tbody>{rows}</tbody></table>
</div>
</main>
<script type="application/json" id="steps">{data}</script>
<script>{script}</script>
</body>
</html>
"""
