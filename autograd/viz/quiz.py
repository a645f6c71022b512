"""The quiz as a page: ``quiz_page(autograd.quiz(loss))``, and what Jupyter shows
for a ``Quiz`` (``Quiz._repr_html_`` calls ``quiz_html``).

The learner types each memo entry in the order ``steps()`` fills them and sees
right or wrong at once. The node asked is highlighted in the graph (after a
wrong try, the users it reads from too) and the memo table fills as they go. A
wrong answer shows a hint, one level deeper each time, with the texts
``Question.hint`` gives; after three wrong tries "Show answer" gives the
chain-rule line and moves on. The score counts the questions answered right.

Everything the page says comes from Python: prompts, hints, answers and the
tolerance are computed here and embedded as JSON. The page itself only reads an
answer (numbers, ``+ - * /``, brackets and unary minus; ``−`` and ``×`` as
pasted from the steps; a small parser, never ``eval``) and compares it as
``Question.check`` does: ``math.isclose(answer, entry, rel_tol, abs_tol)``.
Python's own parser reads more (``2**2``, ``sigmoid(4)``); the page says so when
it meets them.

The page keeps its own progress: answering in it does not change the ``Quiz``.
"""

from __future__ import annotations

import html
import math

from ..autodiff import topological_order
from ..explain.quiz import DEEPEST_HINT, Quiz
from ..explain.text import chain_rule_line
from .dot import MAX_NODES, draw, visible
from .notebook import InlinePage
from .page import GRAPH_SCRIPT, GRAPH_STYLE, _inline_svg, _page_number, graph_ids, script_json


class QuizPage(InlinePage):
    """The quiz page of one graph: ``.html`` is the page, ``.save(path)`` writes it,
    and Jupyter shows it inline in an iframe; ``.questions`` is how many it asks."""

    def __init__(self, page: str, title: str, questions: int) -> None:
        super().__init__(page, title)
        self.questions = questions

    def __repr__(self) -> str:
        return f"<autograd.viz QuizPage: {self.title!r}, {self.questions} questions>"


def quiz_page(quiz: Quiz, *, title: str | None = None, max_nodes: int = MAX_NODES) -> QuizPage:
    """The page that asks ``quiz``'s questions (``autograd.quiz(loss)``), with its
    tolerance. A graph that cannot be drawn (above ``max_nodes`` Values, or no
    renderer) leaves a note where the graph would be; the quiz works without it.
    """
    if not isinstance(quiz, Quiz):
        raise TypeError(f"quiz_page: expected an autograd.quiz(...), got {type(quiz).__name__}")
    loss = quiz.loss
    order = topological_order(loss)
    position = {v: i for i, v in enumerate(order)}
    questions = [{
        **graph_ids(q.step, position),
        "name": q.name,
        "prompt": q.prompt,
        # JSON has no infinity: an entry that overflowed can only be shown, not matched
        "answer": q.answer if math.isfinite(q.answer) else None,
        "grad": _page_number(q.answer),
        "line": chain_rule_line(q.step, q.ascii),
        "hints": [q.hint(level) for level in range(1, DEEPEST_HINT + 1)],
    } for q in quiz]
    svg = _svg_or_note(quiz, max_nodes)
    name = title or f"Quiz: backpropagation through {loss.label or 'C'}"
    page = _PAGE.format(
        title=html.escape(visible(name)),
        svg=svg,
        rows="".join(
            f'<tr id="row-{i}"><td>{html.escape(visible(q.name))}</td>'
            '<td class="num">?</td></tr>'
            for i, q in enumerate(quiz)
        ),
        count=len(questions),
        graph_style=GRAPH_STYLE,
        data=script_json({"rel": quiz.tolerance, "abs": quiz.absolute,
                          "deepest": DEEPEST_HINT, "questions": questions}),
        script=GRAPH_SCRIPT + _SCRIPT,
    )
    return QuizPage(page, visible(name), len(questions))


def quiz_html(quiz: Quiz) -> str:
    """``Quiz._repr_html_``: the quiz page in an iframe, for Jupyter."""
    return quiz_page(quiz)._repr_html_()


def _svg_or_note(quiz: Quiz, max_nodes: int) -> str:
    """The graph as inline SVG, every entry in its grad cell (the page hides those not
    yet answered), or a note saying why there is no graph."""
    import graphviz  # here: importing autograd.viz does not import graphviz

    from .render import RendererNotFound

    grads = {q.node: q.answer for q in quiz}
    try:
        drawing = draw(quiz.loss, show_local=True, max_nodes=max_nodes, collapse=False,
                       grads=grads)
        return _inline_svg(drawing.pipe(format="svg").decode("utf-8"))
    except (ValueError, RendererNotFound, graphviz.ExecutableNotFound,
            graphviz.CalledProcessError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        return f'<p class="no-graph">graph not drawn: {html.escape(visible(reason))}</p>'


_SCRIPT = r"""
const quiz = JSON.parse($("quiz").textContent);
const qs = quiz.questions;
const rows = qs.map((q, k) => $("row-" + k));
const input = $("answer");
let k = 0, wrong = 0, score = 0;

function readAnswer(text) {
  // An answer as a number: numbers, + - * /, brackets and unary minus, read by a
  // small recursive-descent parser (never eval); − and × as pasted from the steps.
  const src = text.trim().replace(/\u2212/g, "-").replace(/\u00d7/g, "*");
  if (!src) throw new Error("the answer is empty");
  const shown = "'" + text.trim() + "' is not a number";
  const tokens = src.match(/\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\S/g);
  let pos = 0, depth = 0;
  const fail = (why) => { throw new Error(shown + " (" + why + ")"); };
  const deeper = () => { if (++depth > 100) fail("too deeply nested"); };
  function sum() {
    let v = product();
    while (tokens[pos] === "+" || tokens[pos] === "-") {
      const op = tokens[pos++], r = product();
      v = op === "+" ? v + r : v - r;
    }
    return v;
  }
  function product() {
    let v = signed();
    while (tokens[pos] === "*" || tokens[pos] === "/") {
      const op = tokens[pos++], r = signed();
      if (op === "/" && r === 0) fail("division by zero");
      v = op === "*" ? v * r : v / r;
    }
    return v;
  }
  function signed() {
    if (tokens[pos] === "-" || tokens[pos] === "+") {
      const op = tokens[pos++];
      deeper();
      const v = signed();
      depth--;
      return op === "-" ? -v : v;
    }
    return atom();
  }
  function atom() {
    const t = tokens[pos++];
    if (t === undefined) fail("it ends too soon");
    if (t === "(") {
      deeper();
      const v = sum();
      depth--;
      if (tokens[pos++] !== ")") fail("a bracket is not closed");
      return v;
    }
    if (/^\.?\d/.test(t)) return Number(t);
    fail("the page reads numbers, + \u2212 \u00d7 / and brackets; '" + t + "' is not one of them");
  }
  const value = sum();
  if (pos < tokens.length) {
    fail("the page reads numbers, + \u2212 \u00d7 / and brackets; '" + tokens[pos] +
         "' is not expected there");
  }
  if (!isFinite(value)) fail("the result is too large");
  return value;
}

function isClose(a, b) {  // math.isclose(a, b, rel_tol, abs_tol), the test of Question.check
  return a === b ||
    Math.abs(a - b) <= Math.max(quiz.rel * Math.max(Math.abs(a), Math.abs(b)), quiz.abs);
}

function say(verdict, cls, hint, level) {
  $("verdict").textContent = verdict;
  $("verdict").className = cls;
  $("hint").textContent = hint;
  $("hint").dataset.level = level;
}

function ask() {
  const q = qs[k];
  unmarkAll();
  mark(q.node, "current");
  rows.forEach((r, j) => r.classList.toggle("current", j === k));
  $("prompt").textContent = q.prompt;
  $("progress").textContent = "question " + (k + 1) + " of " + qs.length;
  $("show").hidden = true;
  reveal(rows[k], $("memo-box"));
  if ($(q.node)) reveal($(q.node), $("graph"));
}

function fill(j, how) {  // the entry of question j is known now: in the table and the graph
  const q = qs[j], cell = cells[q.node];
  rows[j].classList.add(how);
  rows[j].cells[1].textContent = q.grad;
  if (cell) {
    cell.group.classList.remove("pending");
    if (cell.text) cell.text.textContent = cell.full;
  }
}

function next(how) {
  const q = qs[k];
  fill(k, how);
  if (how === "right") score++;
  $("score").textContent = score + " of " + qs.length + " right";
  if (how === "right") say("right: " + q.line, "right", "", 0);
  else say("the answer: " + q.line, "shown", "", 0);
  k++;
  wrong = 0;
  input.value = "";
  if (k < qs.length) { ask(); return; }
  unmarkAll();
  rows.forEach((r) => r.classList.remove("current"));
  $("prompt").textContent = "";
  $("progress").textContent = "";
  $("show").hidden = true;
  input.disabled = $("check").disabled = true;
  $("done").textContent = "Done: " + score + " of " + qs.length + " right.";
  $("done").hidden = false;
}

function check() {
  if (k >= qs.length) return;
  const q = qs[k];
  let value;
  try {
    value = readAnswer(input.value);
  } catch (e) {  // not a number: say why; it does not count as a try
    say("not a number", "bad", e.message +
        ". Type a number such as 0.25, or arithmetic such as 0.5*2.", 0);
    return;
  }
  if (q.answer !== null && isClose(value, q.answer)) { next("right"); return; }
  wrong++;
  const level = Math.min(wrong, quiz.deepest);
  say("not yet (hint " + level + " of " + quiz.deepest + ")", "wrong", q.hints[level - 1], level);
  q.children.forEach((c) => { mark(c, "child"); mark("o" + c.slice(1), "child"); });
  q.edges.forEach((e) => mark(e, "contrib"));
  $("show").hidden = wrong < quiz.deepest;
  input.select();
}

function start() {
  k = 0; wrong = 0; score = 0;
  rows.forEach((r) => { r.className = ""; r.cells[1].textContent = "?"; });
  qs.forEach((q) => {
    const cell = cells[q.node];
    if (!cell) return;
    cell.group.classList.add("pending");
    if (cell.text) cell.text.textContent = "grad ?";
  });
  $("score").textContent = "0 of " + qs.length + " right";
  $("done").hidden = true;
  input.disabled = $("check").disabled = false;
  input.value = "";
  say("", "", "", 0);
  ask();
}

$("check").addEventListener("click", () => { check(); input.focus(); });
input.addEventListener("keydown", (e) => {
  if (e.key === "Enter") { check(); e.preventDefault(); }
});
$("show").addEventListener("click", () => { next("shown"); input.focus(); });
$("restart").addEventListener("click", start);
fitGraph();
start();
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
#prompt {{ font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 16px;
          font-weight: bold; background: #fde68a; padding: 2px 6px; border-radius: 3px; }}
#prompt:empty {{ display: none; }}
#answer {{ font-size: 15px; width: 14em; padding: 3px 6px; }}
#progress, #score {{ color: #4b5563; font-variant-numeric: tabular-nums; }}
.feedback {{ margin-top: 8px; min-height: 2.6em; font-size: 14px; }}
#verdict {{ font-weight: bold; font-family: ui-monospace, Menlo, Consolas, monospace; }}
#verdict.right {{ color: #15803d; }}
#verdict.wrong, #verdict.bad {{ color: #b91c1c; }}
#verdict.shown {{ color: #6b7280; }}
#hint {{ font-family: ui-monospace, Menlo, Consolas, monospace; margin-top: 2px; }}
#done {{ font-size: 16px; font-weight: bold; margin-top: 6px; }}
main {{ display: flex; gap: 12px; padding: 12px 16px; align-items: flex-start; flex: 1;
       min-height: 0; }}
#memo-box {{ width: 300px; max-height: 100%; overflow: auto; border: 1px solid #e5e7eb; }}
#memo {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
#memo th, #memo td {{ padding: 2px 6px; text-align: left; border-bottom: 1px solid #f3f4f6; }}
#memo td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
#memo tbody tr {{ color: #b0b6c0; }}
#memo tr.right {{ color: #15803d; }}
#memo tr.shown {{ color: #6b7280; font-style: italic; }}
#memo tr.current {{ background: #fde68a; color: #1f2937; font-weight: bold; }}
.no-graph {{ padding: 8px; color: #6b7280; }}
{graph_style}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div class="controls">
<label for="answer">Fill the memo, entry by entry: <span id="prompt"></span></label>
<input id="answer" type="text" autocomplete="off" spellcheck="false"
 aria-label="your answer" placeholder="a number, or arithmetic: 0.5*2">
<button id="check" type="button">Check</button>
<button id="show" type="button" hidden>Show answer</button>
<span id="progress">question 1 of {count}</span>
<span id="score">0 of {count} right</span>
<label><input id="fit" type="checkbox"> fit to width</label>
<button id="restart" type="button">Start over</button>
</div>
<div class="feedback" role="status">
<div id="verdict"></div>
<div id="hint"></div>
</div>
<div id="done" hidden></div>
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
<script type="application/json" id="quiz">{data}</script>
<script>{script}</script>
</body>
</html>
"""
