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
It speaks the quiz's language (``autograd.quiz(loss, lang="zh-CN")``): its words are
translated in Python, and the texts its script writes travel as templates in the
``data-texts`` attribute of ``<body>``, as on the walkthrough page.
"""

from __future__ import annotations

import html
import math

from ..autodiff import topological_order
from ..explain.quiz import DEEPEST_HINT, Quiz
from ..explain.text import chain_rule_line
from ..i18n import _, use_language
from .dot import MAX_NODES, visible
from .notebook import InlinePage
from .page import _page_number, graph_ids, graph_svg, page_html


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
    with use_language(quiz.lang):
        return _quiz_page(quiz, title, max_nodes)


def _quiz_page(quiz: Quiz, title: str | None, max_nodes: int) -> QuizPage:
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
    name = title or _("Quiz: backpropagation through {name}").format(name=loss.label or "C")
    page = page_html(
        style=_STYLE,
        header=_HEADER,
        data_id="quiz",
        title=visible(name),
        labels="".join(v.label for v in order),
        words=_words(len(questions)),
        texts=_script_texts(),
        svg=svg,
        rows="".join(
            f'<tr id="row-{i}"><td>{html.escape(visible(q.name))}</td>'
            '<td class="num">?</td></tr>'
            for i, q in enumerate(quiz)
        ),
        data={"rel": quiz.tolerance, "abs": quiz.absolute,
              "deepest": DEEPEST_HINT, "questions": questions},
        script=_SCRIPT,
    )
    return QuizPage(page, visible(name), len(questions))


def _words(count: int) -> dict[str, str]:
    """The words of the page's own parts, in the language in force."""
    return {
        "fill": _("Fill the memo, entry by entry:"),
        "your_answer": _("your answer"),
        "placeholder": _("a number, or arithmetic: 0.5*2"),
        "check": _("Check"),
        "show": _("Show answer"),
        "progress": _("question {number} of {count}").format(number=1, count=count),
        "score": _("{score} of {count} right").format(score=0, count=count),
        "restart": _("Start over"),
    }


def _script_texts() -> dict[str, str]:
    """The templates the page's script fills, in the language in force: the same
    messages as ``Question.check`` where the page says the same thing."""
    reads = _("the page reads numbers, + − × / and brackets; {token} is not one of them")
    return {
        "empty": _("the answer is empty"),
        "not_a_number": _("{answer} is not a number ({reason})"),
        "nested": _("too deeply nested"),
        "too_soon": _("it ends too soon"),
        "bracket": _("a bracket is not closed"),
        "zero": _("division by zero"),
        "reads": reads,
        "unexpected": _("the page reads numbers, + − × / and brackets; {token} is not "
                        "expected there"),
        "too_large": _("the result is too large"),
        "type_a_number": _("{problem}. Type a number such as 0.25, or arithmetic such as "
                           "0.5*2."),
        "bad": _("not a number"),
        "right": _("right: {line}"),
        "answer": _("the answer: {line}"),
        "wrong": _("not yet (hint {level} of {deepest})"),
        "progress": _("question {number} of {count}"),
        "score": _("{score} of {count} right"),
        "done": _("Done: {score} of {count} right."),
    }


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
        return graph_svg(quiz.loss, grads, show_local=True, max_nodes=max_nodes)
    except (ValueError, RendererNotFound, graphviz.ExecutableNotFound,
            graphviz.CalledProcessError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        note = _("graph not drawn: {reason}").format(reason=visible(reason))
        return f'<p class="no-graph">{html.escape(note)}</p>'


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
  if (!src) throw new Error(texts.empty);
  const shown = "'" + text.trim() + "'";
  const tokens = src.match(/\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\S/g);
  let pos = 0, depth = 0;
  const fail = (why) => { throw new Error(say(texts.not_a_number, {answer: shown, reason: why})); };
  const deeper = () => { if (++depth > 100) fail(texts.nested); };
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
      if (op === "/" && r === 0) fail(texts.zero);
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
    if (t === undefined) fail(texts.too_soon);
    if (t === "(") {
      deeper();
      const v = sum();
      depth--;
      if (tokens[pos++] !== ")") fail(texts.bracket);
      return v;
    }
    if (/^\.?\d/.test(t)) return Number(t);
    fail(say(texts.reads, {token: "'" + t + "'"}));
  }
  const value = sum();
  if (pos < tokens.length) fail(say(texts.unexpected, {token: "'" + tokens[pos] + "'"}));
  if (!isFinite(value)) fail(texts.too_large);
  return value;
}

function isClose(a, b) {  // math.isclose(a, b, rel_tol, abs_tol), the test of Question.check
  return a === b ||
    Math.abs(a - b) <= Math.max(quiz.rel * Math.max(Math.abs(a), Math.abs(b)), quiz.abs);
}

function tell(verdict, cls, hint, level) {
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
  $("progress").textContent = say(texts.progress, {number: k + 1, count: qs.length});
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
  $("score").textContent = say(texts.score, {score: score, count: qs.length});
  if (how === "right") tell(say(texts.right, {line: q.line}), "right", "", 0);
  else tell(say(texts.answer, {line: q.line}), "shown", "", 0);
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
  $("done").textContent = say(texts.done, {score: score, count: qs.length});
  $("done").hidden = false;
}

function check() {
  if (k >= qs.length) return;
  const q = qs[k];
  let value;
  try {
    value = readAnswer(input.value);
  } catch (e) {  // not a number: say why; it does not count as a try
    tell(texts.bad, "bad", say(texts.type_a_number, {problem: e.message}), 0);
    return;
  }
  if (q.answer !== null && isClose(value, q.answer)) { next("right"); return; }
  wrong++;
  const level = Math.min(wrong, quiz.deepest);
  tell(say(texts.wrong, {level: level, deepest: quiz.deepest}), "wrong", q.hints[level - 1],
       level);
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
  $("score").textContent = say(texts.score, {score: 0, count: qs.length});
  $("done").hidden = true;
  input.disabled = $("check").disabled = false;
  input.value = "";
  tell("", "", "", 0);
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

_STYLE = """#prompt {{ font-family: {mono}; font-size: 16px;
          font-weight: bold; background: #fde68a; padding: 2px 6px; border-radius: 3px; }}
#prompt:empty {{ display: none; }}
#answer {{ font-size: 15px; width: 14em; padding: 3px 6px; }}
#progress, #score {{ color: #4b5563; font-variant-numeric: tabular-nums; }}
.feedback {{ margin-top: 8px; min-height: 2.6em; font-size: 14px; }}
#verdict {{ font-weight: bold; font-family: {mono}; }}
#verdict.right {{ color: #15803d; }}
#verdict.wrong, #verdict.bad {{ color: #b91c1c; }}
#verdict.shown {{ color: #6b7280; }}
#hint {{ font-family: {mono}; margin-top: 2px; }}
#done {{ font-size: 16px; font-weight: bold; margin-top: 6px; }}
#memo-box {{ width: 300px; max-height: 100%; overflow: auto; border: 1px solid #e5e7eb; }}
#memo tr.right {{ color: #15803d; }}
#memo tr.shown {{ color: #6b7280; font-style: italic; }}
#memo tr.current {{ background: #fde68a; color: #1f2937; font-weight: bold; }}
.no-graph {{ padding: 8px; color: #6b7280; }}
"""
"""The quiz page's own style (a ``page.page_html`` template)."""

_HEADER = """<div class="controls">
<label for="answer">{t[fill]} <span id="prompt"></span></label>
<input id="answer" type="text" autocomplete="off" spellcheck="false"
 aria-label="{t[your_answer]}" placeholder="{t[placeholder]}">
<button id="check" type="button">{t[check]}</button>
<button id="show" type="button" hidden>{t[show]}</button>
<span id="progress">{t[progress]}</span>
<span id="score">{t[score]}</span>
<label><input id="fit" type="checkbox"> {t[fit]}</label>
<button id="restart" type="button">{t[restart]}</button>
</div>
<div class="feedback" role="status">
<div id="verdict"></div>
<div id="hint"></div>
</div>
<div id="done" hidden></div>
"""
"""The quiz page's controls, verdict and hint (a ``page.page_html`` template)."""
