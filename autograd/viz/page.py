"""One self-contained HTML page that steps through the backward pass.

``walkthrough(loss, "backprop.html")`` draws the graph once (one inline SVG)
and adds a few lines of script that re-colour it for each step of
``autograd.steps(loss)``: the node whose memo entry is being filled, the edges
its contributions come along, the entries already filled, those *ready* (every
share in, their step still to come) and those *pending* (shares missing: a grey
``?``), as ``MemoView.state`` says; the chain-rule line with numbers, and beside
the entry its nudge (``Step.nudge()``, the finite-difference estimate). With
``mistake="order"`` (any kind of ``autograd.mistake``) the memo table gets the
mistaken entries beside the right ones, the rows that differ marked ≠.
Next/Previous buttons, a slider and the arrow keys move through the steps.

``walkthrough(loss)`` without a path returns a ``Walkthrough``: Jupyter shows it
inline, in an iframe (``notebook.InlinePage``); ``.save(path)`` writes the file.

The file needs nothing else: no network, no external scripts or fonts. It is
written atomically (a temporary file, then ``os.replace``).

Labels may hold any text. The step data is JSON inside a ``<script>`` element
with ``<``, ``>``, ``&`` and every unprintable character written as ``\\uXXXX``,
so no label can end the element, open a comment or be invalid UTF-8, and
``JSON.parse`` gives the labels back exactly (as JavaScript's UTF-16 strings hold
them). In HTML text and the SVG, labels are shown through ``dot.visible``
(``\\n`` for a newline) and escaped.

The page speaks the language in force or ``walkthrough(..., lang=)`` (``autograd.i18n``):
its buttons, legend and explanations are translated in Python, and the few texts its
script writes (``step 3 of 10``) travel as templates in the ``data-texts`` attribute
of ``<body>``. The ``lang`` attribute and a font stack with CJK fonts let the browser
pick Chinese glyphs.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import overload

from ..autodiff import topological_order
from ..explain import KINDS, Mistake, Step, chain_rule_line, chain_rule_symbols, steps
from ..explain.mistakes import mistake as run_mistake  # the keyword `mistake` is a kind
from ..explain.mistakes import summary as mistake_summary
from ..files import check_writable
from ..i18n import N_, _, get_language, use_language
from ..value import Value
from .dot import MAX_NODES, draw, font_stack, visible
from .notebook import InlinePage


def _page_number(x: float) -> str:
    """``x`` as the page shows it: 6 significant digits, a typeset minus sign
    everywhere (``−1e−05``), and no ``−0``."""
    text = f"{x:.6g}"
    return "0" if text == "-0" else text.replace("-", "−")


def graph_ids(step: Step, position: Mapping[Value, int]) -> dict[str, object]:
    """The SVG elements a step lights up, by their DOT ids (``position``: each node's
    index in ``topological_order``): its node, the users it reads from, and the
    edges its contributions come along."""
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
    return {"node": f"v{position[me]}", "children": children, "edges": edges}


def _step_data(loss: Value, order: list[Value], gradient: float,
               wrong: Mistake | None = None) -> tuple[list[dict], dict[Value, float]]:
    """What the page needs for each step (``order`` is ``topological_order(loss)``),
    and each node's final memo entry. Row k of the memo table is step k.

    ``expected`` and ``shares`` let the page tell ready from pending entries as
    ``MemoView.state`` does, with data that grows with the edges, not their square:
    ``expected`` is the shares a step's node waits for, ``shares`` the
    [row, shares arrived] of each node this step sends a share to.
    """
    position = {v: i for i, v in enumerate(order)}
    saved = {v: v.grad for v in position}
    try:
        all_steps = list(steps(loss, gradient))
    finally:
        for v, g in saved.items():  # stepping adds into .grad; a viewer leaves it alone
            v.grad = g
    row_of = {step.node: k for k, step in enumerate(all_steps)}
    differs = set(wrong.differs) if wrong else set()
    data = []
    grads = {}
    for step in all_steps:
        memo = step.memo
        assert memo is not None  # steps() gives every Step its memo
        grads[step.node] = step.grad
        item = {
            **graph_ids(step, position),
            "name": step.name(),
            "grad": _page_number(step.grad),
            "line": chain_rule_line(step),
            "symbols": chain_rule_symbols(step),
            "expected": memo.shares(step.node)[1],
            "shares": [[row_of[p], memo.shares(p)[0]]
                       for p in dict.fromkeys(step.node.parents) if p in row_of],
        }
        try:
            item["nudge"] = _page_number(step.nudge())
        except ValueError as e:  # a pushed value outside an op's domain: say so, draw the rest
            item["nudge"] = None
            item["nudge_error"] = str(e)
        if wrong:
            # every mistaken procedure is linear in the output's entry, which is 1 there
            item["mistaken"] = _page_number(gradient * wrong.memo[step.node])
            item["differs"] = step.node in differs
        data.append(item)
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


def css_fonts(generic: str, lang: str, text: str = "") -> str:
    """A CSS font-family list: the page's fonts for ``generic`` (``sans-serif`` or
    ``monospace``) with CJK fonts when the page is in Chinese or its labels hold
    Chinese (``dot.font_stack`` decides, as for the SVG): before ``sans-serif``, and
    after ``monospace``, whose Latin letters should stay in the monospaced font (a
    browser looks further down the list for the characters a font lacks)."""
    if generic == "sans-serif":
        lead = ['system-ui', '-apple-system', '"Segoe UI"', 'Roboto']
    else:
        lead = ["ui-monospace", "Menlo", "Consolas"]
    cjk = [f'"{f}"' for f in font_stack(lang, text)[1:-1]]  # no Helvetica, no sans-serif
    if generic == "sans-serif":
        return ", ".join([*lead, *cjk, generic])
    if cjk:  # Noto's monospaced CJK first: its Chinese is as wide as two letters
        cjk.insert(0, cjk[0].replace("Sans", "Sans Mono"))
    return ", ".join([*lead, generic, *cjk])


def page_attributes(texts: dict[str, str]) -> str:
    """``data-texts``: the templates the page's script fills (``{number}`` fields), as
    JSON in an escaped attribute."""
    return f'data-texts="{html.escape(json.dumps(texts, ensure_ascii=False), quote=True)}"'


def _inline_svg(svg: str) -> str:
    """The SVG element alone (no XML declaration, doctype or comments), ready to inline."""
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)


def graph_svg(loss: Value, grads: Mapping[Value, float], show_local: bool,
              max_nodes: int) -> str:
    """The graph of ``loss`` drawn in full (no collapsing: the pages colour every node),
    each node's entry from ``grads`` in its grad cell, as inline SVG."""
    drawing = draw(loss, show_local=show_local, max_nodes=max_nodes, collapse=False,
                   grads=grads)
    return _inline_svg(drawing.pipe(format="svg").decode("utf-8"))


def page_html(*, style: str, header: str, data_id: str, title: str, labels: str,
              words: Mapping[str, str], texts: Mapping[str, str], svg: str, rows: str,
              data: object, script: str, heads: str = "", **fields: object) -> str:
    """A page of the graph beside the memo table, in the language in force: the document
    both pages (walkthrough and quiz) are made of, with the page's own parts put in.

    ``style`` (CSS) and ``header`` (its controls, below the title) are the page's own
    ``str.format`` templates; they may use ``{mono}`` (the monospaced fonts), ``{t[...]}``
    (``words``, escaped here) and ``fields``. ``title`` is the text shown, escaped here;
    ``labels``, the graph's labels, pick the fonts. ``texts``: the templates its script
    fills; ``heads``: more memo-table header cells; ``rows``: the table's rows; ``data``
    goes to the page's script as JSON in ``<script id=data_id>``, and ``script`` runs
    after the script both pages share (``GRAPH_SCRIPT``).
    """
    lang = get_language()
    shared_words = {
        "fit": _("fit to width"),  # the checkbox that GRAPH_SCRIPT's fitGraph() reads
        "rows": _("node (filling order)"),
        "node": _("node"),
    }
    t = {key: html.escape(text) for key, text in {**shared_words, **words}.items()}
    # one format of the assembled template: the texts put in are never read as fields
    template = _PAGE_HEAD + style + _PAGE_TOP + header + _PAGE_MAIN
    return template.format(
        lang=lang,
        title=html.escape(title),
        font=css_fonts("sans-serif", lang, labels),
        mono=css_fonts("monospace", lang, labels),
        graph_style=GRAPH_STYLE,
        texts=page_attributes(dict(texts)),
        t=t,
        svg=svg,
        heads=heads,
        rows=rows,
        data_id=data_id,
        data=script_json(data),
        script=GRAPH_SCRIPT + script,
        **fields,
    )


class Walkthrough(InlinePage):
    """The stepping page of one graph: ``.html`` is the page, ``.save(path)`` writes
    it, and Jupyter shows it inline in an iframe; ``.steps`` is the number of steps."""

    def __init__(self, page: str, title: str, steps: int) -> None:
        super().__init__(page, title)
        self.steps = steps

    def __repr__(self) -> str:
        return f"<autograd.viz Walkthrough: {self.title!r}, {self.steps} steps>"


@overload
def walkthrough(loss: Value, path: None = None, *, title: str | None = None,
                gradient: float = 1.0, show_local: bool = True, max_nodes: int = MAX_NODES,
                            mistake: str | None = None, lang: str | None = None) -> Walkthrough: ...
@overload
def walkthrough(loss: Value, path: str | os.PathLike[str], *, title: str | None = None,
                gradient: float = 1.0, show_local: bool = True, max_nodes: int = MAX_NODES,
                mistake: str | None = None, lang: str | None = None) -> Path: ...


def walkthrough(
    loss: Value,
    path: str | os.PathLike[str] | None = None,
    *,
    title: str | None = None,
    gradient: float = 1.0,
    show_local: bool = True,
    max_nodes: int = MAX_NODES,
    mistake: str | None = None,
    lang: str | None = None,
) -> Walkthrough | Path:
    """The stepping page for ``loss``: written to ``path`` (the path is returned),
    or without a path a ``Walkthrough`` that Jupyter shows inline.

    The page steps through the backward pass of C = gradient * loss. ``mistake``
    (a kind of ``autograd.mistake``: ``"order"``, ``"overwrite"``, ``"set"``,
    ``"zero-grad"``) adds that mistaken memo beside the right one. ``.grad`` is
    left as it was. The graph is drawn in full (no collapsing), so a graph above
    ``max_nodes`` Values raises ValueError; rendering needs a renderer
    (graphviz-pure is installed with memograd). ``lang`` (``"en"``, ``"zh-CN"``,
    ``"zh-TW"``): the page's language; default the one in force (``autograd.i18n``).
    """
    if not isinstance(loss, Value):
        raise TypeError(f"walkthrough: loss must be a Value, got {type(loss).__name__}")
    if path is not None:
        check_writable(path)  # before the drawing: a bad path fails at once, named as given
    if mistake is not None and mistake not in KINDS:
        raise ValueError(f"walkthrough: unknown mistake {mistake!r}; the kinds are "
                         + ", ".join(repr(k) for k in KINDS))
    order = topological_order(loss)
    if len(order) > max_nodes:  # refuse before stepping through a huge graph
        raise ValueError(
            f"walkthrough: the graph has {len(order)} values, more than max_nodes={max_nodes}; "
            f"pass max_nodes={len(order)} to step through them all (about 3 KB of page each)"
        )
    with use_language(lang):
        shown = _walkthrough(loss, order, title, gradient, show_local, max_nodes, mistake)
    return shown if path is None else shown.save(path)


def _walkthrough(loss: Value, order: list[Value], title: str | None, gradient: float,
                 show_local: bool, max_nodes: int, mistake: str | None) -> Walkthrough:
    wrong = run_mistake(loss, mistake) if mistake is not None else None
    data, grads = _step_data(loss, order, gradient, wrong)
    name = title or _("Backpropagation through {name}").format(name=loss.label or "C")
    page = page_html(
        style=_STYLE,
        header=_HEADER,
        data_id="steps",
        title=visible(name),
        labels="".join(v.label for v in order),
        words=_words(len(data)),
        texts={
            "step": _("step {number} of {count}"),
            "shares": _("? ({arrived} of {expected} shares)"),
            "undefined": _("not defined here"),
        },
        svg=graph_svg(loss, grads, show_local, max_nodes),
        heads=f'<th>{html.escape(_("mistaken"))}</th><th></th>' if wrong else "",
        rows="".join(_row(i, d) for i, d in enumerate(data)),
        data=data,
        script=_SCRIPT,
        mistake=_mistake_note(wrong),
        memo_width=420 if wrong else 300,
        last=len(data) - 1,
    )
    return Walkthrough(page, visible(name), len(data))


def _words(count: int) -> dict[str, str]:
    """The words of the page's own parts, in the language in force."""
    return {
        "previous": _("Previous"),
        "next": _("Next"),
        "step": _("step"),
        "counter": _("step {number} of {count}").format(number=1, count=count),
        "entry": _("memo entry"),
        "nudge": _("nudge"),
        "nudge_help": _(NUDGE_HELP),
        "current": _("node of this step"),
        "its_entry": _("its memo entry"),
        "users": _("users it reads dC/d(user) from"),
        "ready": _("ready: every share in, its step to come"),
        "pending": _("grad ? = pending: shares missing"),
        "keys": _("keys:"),
    }


def _row(i: int, d: dict) -> str:
    """Row ``i`` of the memo table: the node's name, its entry (the script fills it)
    and, with a mistake, the mistaken entry and ≠ where they differ."""
    differs = d.get("differs", False)
    cells = (f'<td>{html.escape(visible(d["name"]))}</td>'
             f'<td class="num">{html.escape(d["grad"])}</td>')
    if "mistaken" in d:
        cells += (f'<td class="num mistaken">{html.escape(d["mistaken"])}</td>'
                  f'<td class="mark">{"&#8800;" if differs else ""}</td>')
    marked = ' class="differs"' if differs else ""
    return f'<tr id="row-{i}"{marked}>{cells}</tr>'


def _mistake_note(wrong: Mistake | None) -> str:
    """The line above the memo table that says which mistake it shows, and its harm."""
    if wrong is None:
        return ""
    head = html.escape(_('mistake "{kind}"').format(kind=wrong.kind))
    # Translators: the page's line above a mistaken memo: which mistake (in bold), what
    # goes wrong in it, how many entries differ
    note = html.escape(_("{mistake}: {explanation} {harm}.")).format(
        mistake=f"<b>{head}</b>", explanation=html.escape(_(wrong.explanation)),
        harm=html.escape(mistake_summary(wrong)).replace("≠", "&#8800;"))
    return f'<p id="mistake">{note}</p>'


GRAPH_SCRIPT = """
const $ = (id) => document.getElementById(id);
const texts = JSON.parse(document.body.dataset.texts);  // templates in the page's language
function say(template, values) {  // fill a template's {name} fields
  return template.replace(/[{](\\w+)[}]/g, (m, k) => (k in values ? String(values[k]) : m));
}
const cells = {};  // SVG id of a node -> its grad cell, and the text the drawing gave it
document.querySelectorAll("#graph g[id^=a_v][id$=_grad]").forEach((g) => {
  const text = g.querySelector("text");
  cells[g.id.slice(2, -5)] = {group: g, text: text, full: text ? text.textContent : ""};
});
let marked = [];
function mark(id, cls) {
  const el = $(id);
  if (el) { el.classList.add(cls); marked.push([el, cls]); }
}
function unmarkAll() {
  marked.forEach(([el, cls]) => el.classList.remove(cls));
  marked = [];
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
function fitGraph() {  // shrink a graph a little wider than the page
  $("fit").addEventListener("change", (e) => $("graph").classList.toggle("fit", e.target.checked));
  const svg = document.querySelector("#graph svg");
  if (svg && svg.getBoundingClientRect().width <= 2 * $("graph").clientWidth) {
    $("fit").checked = true;
    $("graph").classList.add("fit");
  }
}
"""
"""Script both pages share: the grad cells of the SVG, marking elements, scrolling one into view."""

_SCRIPT = """
const data = JSON.parse($("steps").textContent);
const slider = $("slider");
const rows = data.map((d, k) => $("row-" + k));
data.forEach((s) => { if (s.differs && $(s.node)) $(s.node).classList.add("differs"); });
function states(i) {  // [state, shares arrived] of each entry after step i, as MemoView.state
  const arrived = data.map(() => 0);
  for (let j = 0; j <= i; j++) data[j].shares.forEach(([row, n]) => { arrived[row] = n; });
  return data.map((d, k) =>
    [k <= i ? "filled" : arrived[k] === d.expected ? "ready" : "pending", arrived[k]]);
}
function show(i) {
  i = Math.max(0, Math.min(data.length - 1, i));
  const s = data[i], now = states(i);
  unmarkAll();
  mark(s.node, "current");
  s.children.forEach((c) => { mark(c, "child"); mark("o" + c.slice(1), "child"); });
  s.edges.forEach((e) => mark(e, "contrib"));
  data.forEach((d, k) => {
    const [state, arrived] = now[k];
    const cell = cells[d.node];
    if (cell) {
      cell.group.classList.toggle("ready", state === "ready");
      cell.group.classList.toggle("pending", state === "pending");
      if (cell.text) cell.text.textContent = state === "pending" ? "grad ?" : cell.full;
    }
    const r = rows[k];
    for (const name of ["filled", "ready", "pending"]) r.classList.toggle(name, state === name);
    r.classList.toggle("current", k === i);
    r.cells[1].textContent = state === "pending" ?
      say(texts.shares, {arrived: arrived, expected: d.expected}) : d.grad;
  });
  reveal(rows[i], $("memo-box"));
  $("counter").textContent = say(texts.step, {number: i + 1, count: data.length});
  $("memo-name").textContent = s.name;
  $("memo-value").textContent = s.grad;
  $("nudge").textContent = s.nudge === null ? texts.undefined : s.nudge;
  $("nudge").title = s.nudge === null ? s.nudge_error : "";
  $("line").textContent = s.line;
  $("symbols").textContent = s.symbols;
  slider.value = i;
  $("prev").disabled = i === 0;
  $("next").disabled = i === data.length - 1;
  if ($(s.node)) reveal($(s.node), $("graph"));
}
$("prev").addEventListener("click", () => show(+slider.value - 1));
$("next").addEventListener("click", () => show(+slider.value + 1));
slider.addEventListener("input", () => show(+slider.value));
fitGraph();
document.addEventListener("keydown", (e) => {
  if (e.target === slider) return;  // the slider moves itself with the arrow keys
  if (e.key === "ArrowRight") { show(+slider.value + 1); e.preventDefault(); }
  if (e.key === "ArrowLeft") { show(+slider.value - 1); e.preventDefault(); }
});
show(0);
"""

GRAPH_STYLE = """
#graph { flex: 1; overflow: auto; max-height: 100%; border: 1px solid #e5e7eb; }
#graph.fit svg { width: 100%; height: auto; }
#graph g.pending text { fill: #b0b6c0; }
#graph g.ready text { fill: #2563eb; }
#graph g.node.current polygon, #graph g.node.current ellipse { fill: #fde68a; stroke: #d97706;
                                                             stroke-width: 2; }
#graph g.node.current g[id$=_grad] polygon { fill: #f59e0b; }
#graph g.node.current text { font-weight: bold; }
#graph g.node.child polygon, #graph g.node.child ellipse { stroke: #d97706; stroke-width: 2; }
#graph g.edge.contrib path { stroke: #d97706; stroke-width: 2.5; }
#graph g.edge.contrib polygon { fill: #d97706; stroke: #d97706; }
#graph g.edge.contrib text { fill: #b45309; font-weight: bold; }
#graph g.node.differs > polygon { stroke: #dc2626; stroke-width: 2; stroke-dasharray: 5 3; }
"""
"""Style both pages share: the graph box and how a step (or a question) colours the SVG."""

_PAGE_HEAD = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: {font}; margin: 0;
       color: #1f2937; background: #fff; height: 100vh; display: flex; flex-direction: column; }}
header {{ padding: 10px 16px; border-bottom: 1px solid #e5e7eb; }}
h1 {{ font-size: 18px; margin: 0 0 8px 0; }}
.controls {{ display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }}
button {{ font-size: 14px; padding: 4px 12px; }}
main {{ display: flex; gap: 12px; padding: 12px 16px; align-items: flex-start; flex: 1;
       min-height: 0; }}
#memo {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
#memo th, #memo td {{ padding: 2px 6px; text-align: left; border-bottom: 1px solid #f3f4f6; }}
#memo td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
#memo tbody tr {{ color: #b0b6c0; }}
"""
"""``page_html``'s template, 1 of 3: the document head and the style both pages share;
the page's own style follows (its ``#memo tr`` rules after ``#memo tbody tr``)."""

_PAGE_TOP = """{graph_style}
</style>
</head>
<body {texts}>
<header>
<h1>{title}</h1>
"""
"""``page_html``'s template, 2 of 3: the graph's style, and the header up to the title;
the page's own header (its controls) follows."""

_PAGE_MAIN = """</header>
<main>
<div id="graph">
{svg}
</div>
<div id="memo-box">
<table id="memo"><thead><tr><th>{t[rows]}</th><th>&#8706;C/&#8706;{t[node]}</th>
{heads}</tr></thead>
<tbody>{rows}</tbody></table>
</div>
</main>
<script type="application/json" id="{data_id}">{data}</script>
<script>{script}</script>
</body>
</html>
"""
"""``page_html``'s template, 3 of 3: the graph beside the memo table, the page's data and
its script."""

_STYLE = """#slider {{ flex: 1; min-width: 160px; }}
#counter {{ font-variant-numeric: tabular-nums; min-width: 7em; }}
.lines {{ margin-top: 8px; font-family: {mono};
          font-size: 14px; }}
#entry {{ font-size: 15px; }}
#entry b {{ background: #f59e0b; padding: 0 4px; border-radius: 3px; }}
.nudge {{ color: #4b5563; margin-left: 1.5em; font-size: 14px; }}
#symbols {{ color: #6b7280; }}
#mistake {{ margin: 6px 0 0 0; font-size: 13px; color: #991b1b; }}
#memo-box {{ width: {memo_width}px; max-height: 100%; overflow: auto; position: relative;
            border: 1px solid #e5e7eb; }}
#memo tr.filled {{ color: #1f2937; }}
#memo tr.ready {{ color: #2563eb; font-style: italic; }}
#memo tr.current {{ background: #fde68a; font-weight: bold; }}
#memo td.mistaken {{ color: #6b7280; }}
#memo tr.differs td.mistaken, #memo td.mark {{ color: #dc2626; font-weight: bold; }}
.legend span {{ display: inline-block; padding: 0 6px; margin-right: 6px; border-radius: 3px;
               font-size: 12px; }}
"""
"""The walkthrough's own style (a ``page_html`` template)."""

_HEADER = """<div class="controls">
<button id="prev" type="button">&#9664; {t[previous]}</button>
<button id="next" type="button">{t[next]} &#9654;</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="{t[step]}">
<span id="counter">{t[counter]}</span>
<label><input id="fit" type="checkbox"> {t[fit]}</label>
</div>
<div class="lines">
<div id="entry">{t[entry]} &#8706;C/&#8706;(<span id="memo-name"></span>) =
<b id="memo-value"></b><span class="nudge" title="{t[nudge_help]}">{t[nudge]}
(C(+h) &#8722; C(&#8722;h)) / 2h = <span id="nudge"></span></span></div>
<div id="line"></div>
<div id="symbols"></div>
</div>
<div class="legend" style="margin-top:6px">
<span style="background:#fde68a;border:1px solid #d97706">{t[current]}</span>
<span style="background:#f59e0b">{t[its_entry]}</span>
<span style="border:2px solid #d97706">{t[users]}</span>
<span style="color:#2563eb;border:1px solid #e5e7eb">{t[ready]}</span>
<span style="color:#b0b6c0;border:1px solid #e5e7eb">{t[pending]}</span>
<span>{t[keys]} &larr; &rarr;</span>
</div>
{mistake}
"""
"""The walkthrough's controls, explanation lines and legend (a ``page_html`` template)."""

NUDGE_HELP = N_("The nudge: push this node's value up and down by h = 1e−6, recompute "
                "everything between it and the output, and divide the change of C by 2h. "
                "The finite-difference estimate of this memo entry (Step.nudge()).")
