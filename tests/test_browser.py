"""The walkthrough and quiz pages in a real browser: Debian's Chromium driven by Playwright,
standalone and inline (in iframes in a host document, as Jupyter shows them).

Skipped (with the reason shown) only where no Chromium can be found; `.ci/run`
installs it on a fresh machine. Playwright's own browser downloads are never used.
"""

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import micrograd_neuron
from test_draw import HOSTILE_LABELS
from test_walkthrough import as_js, hostile_chain, order_goes_wrong

from autograd import Value, quiz, steps, topological_order, walkthrough
from autograd.explain.quiz import read_answer
from autograd.viz import find_dot, quiz_page
from autograd.viz.dot import visible

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


VIEWPORT = {"width": 1280, "height": 800}


def watch(page, problems: list, requests: list) -> None:
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))


@contextmanager
def chromium_page(content: str | None = None, viewport: dict | None = VIEWPORT):
    """A new page in Debian's Chromium (through Playwright), watched, with ``content`` set
    if given: yields the page and the lists of its problems (console errors and warnings,
    page errors) and requested URLs, which stay readable once the browser has closed.
    ``viewport=None`` leaves Playwright's default."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    problems, requests = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport)
            watch(page, problems, requests)
            if content is not None:
                page.set_content(content)
            yield page, problems, requests
        finally:
            browser.close()


@pytest.mark.skipif(chromium() is None, reason="Chromium not found (apt-get install chromium)")
@pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")
def test_walkthrough_steps_in_chromium(tmp_path):
    o = micrograd_neuron()
    page_file = walkthrough(o, tmp_path / "neuron.html")
    expected = list(steps(o))
    ids = {v: f"v{i}" for i, v in enumerate(topological_order(o))}  # the DOT/SVG ids
    # after Next three times and Left once the page shows step 2 (counting from 0):
    # o (1), then n = tanh's input (1 - 0.7071**2 = 0.5), then one of n's two inputs (0.5)
    want, after_three = expected[2], expected[3]
    assert want.node in o.parents[0].parents and want.grad == pytest.approx(0.5)

    with chromium_page() as (page, problems, requests):
        page.goto(page_file.as_uri())
        assert page.text_content("#counter") == f"step 1 of {len(expected)}"
        assert page.text_content("#memo-value") == "1"
        for _ in range(3):
            page.click("#next")
        assert page.text_content("#counter") == f"step 4 of {len(expected)}"
        assert page.eval_on_selector("#graph g.node.current", "e => e.id") == \
            ids[after_three.node]
        assert page.text_content("#memo-name") == after_three.name() != want.name()
        page.keyboard.press("ArrowLeft")

        assert page.text_content("#counter") == f"step 3 of {len(expected)}"
        assert page.eval_on_selector_all("#graph g.node.current", "es => es.map(e => e.id)") \
            == [ids[want.node]]
        assert page.text_content("#memo-name") == want.name()
        assert page.text_content("#memo-value") == f"{want.grad:.6g}" == "0.5"
        assert page.text_content("#line") == str(want)
        assert page.input_value("#slider") == "2"
        # entries filled at steps 0..2 show their numbers; of the other seven, the ready
        # ones (every share in) too, in blue, and the pending ones a grey "?"
        memo = want.memo
        state = {f"a_{ids[s.node]}_grad": memo.state(s.node) for s in expected}
        assert set(state.values()) == {"filled", "ready", "pending"}
        cells = page.eval_on_selector_all(
            "#graph g[id$=_grad]",
            "gs => gs.map(g => [g.id, g.querySelector('text').textContent,"
            " g.classList.contains('pending'), g.classList.contains('ready')])")
        assert {c[0] for c in cells} == set(state)
        for cell, text, pending, ready in cells:
            assert (pending, ready) == (state[cell] == "pending", state[cell] == "ready")
            assert (text == "grad ?") == pending
        filled = {c[0]: c[1] for c in cells if not c[2]}
        assert filled[f"a_{ids[o]}_grad"] == "grad 1"
        assert filled[f"a_{ids[want.node]}_grad"] == "grad 0.5"
        rows = page.eval_on_selector_all(
            "#memo tbody tr", "rs => rs.map(r => [r.className.split(' ').sort().join(' '),"
            " r.cells[1].textContent])")
        assert rows[2] == ["current filled", "0.5"]
        for k, s in enumerate(expected[3:], start=3):
            assert rows[k][0] == memo.state(s.node)
            arrived, waited = memo.shares(s.node)
            assert rows[k][1] == (f"? ({arrived} of {waited} shares)"
                                  if memo.state(s.node) == "pending"
                                  else f"{s.grad:.6g}".replace("-", "−"))
        # the nudge beside the entry: the finite-difference estimate Python computes
        assert page.text_content("#nudge") == f"{want.nudge():.6g}" == "0.5"

        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "walkthrough-step-3.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000

    assert requests and all(url.startswith("file:") for url in requests), requests
    assert problems == []


CODE_POINTS = "e => Array.from(e.textContent, c => c.codePointAt(0))"
"""A text as code points, lone surrogates included (Playwright's strings would replace them)."""


@pytest.mark.skipif(chromium() is None, reason="Chromium not found (apt-get install chromium)")
@pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")
def test_hostile_labels_show_literally_in_chromium(tmp_path):
    title = "<!--</script><script>alert(1)</script>\x00\\"
    page_file = walkthrough(hostile_chain(), tmp_path / "hostile.html", title=title)
    expected = list(steps(hostile_chain()))

    dialogs = []
    with chromium_page() as (page, problems, _):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_file.as_uri())
        assert page.evaluate("document.scripts.length") == 2  # no label added one
        assert page.title() == visible(title)
        # every step: the memo entry's name is the label itself, character for character
        for i, step in enumerate(expected):
            if i:
                page.keyboard.press("ArrowRight")
            assert page.text_content("#counter") == f"step {i + 1} of {len(expected)}"
            assert page.eval_on_selector("#memo-name", CODE_POINTS) == \
                [ord(c) for c in as_js(step.name())]
            assert page.eval_on_selector("#line", CODE_POINTS) == \
                [ord(c) for c in as_js(str(step))]
            assert page.eval_on_selector("#graph g.node.current", "e => e.id") == \
                f"v{topological_order(expected[0].node).index(step.node)}"
        # the graph and the memo table show each label as drawn: visible, shortened
        svg_texts = page.eval_on_selector_all(
            "#graph svg text", "ts => ts.map(t => t.textContent.replace(/\\u00a0/g, ' '))")
        rows = page.eval_on_selector_all("#memo tbody tr",
                                         "rs => rs.map(r => r.cells[0].textContent)")
        for label in HOSTILE_LABELS:
            if label.strip():
                assert visible(label if len(label) <= 40 else label[:37] + "...") in svg_texts
        assert rows == [visible(s.name()) for s in expected]

    assert problems == [] and dialogs == []


# -- inline in a notebook: pages in sandboxed iframes -----------------------------------------

HOST = """<!DOCTYPE html>
<html><head><title>a notebook</title><style>
body { font-family: Georgia, serif; margin: 23px; color: rgb(10, 20, 30);
       background: rgb(250, 240, 230); }
h1 { font-size: 31px; color: rgb(200, 0, 0); margin: 0 0 5px 0; }
button { font-size: 9px; padding: 7px; }
td { padding: 5px; border-bottom: 3px solid rgb(0, 0, 200); }
</style></head>
<body><h1 id="host-title">A notebook</h1><button id="host-button">run</button>
<table><tr><td id="host-cell">1</td></tr></table><div id="out"></div></body></html>
"""
"""A stand-in for a notebook: its own styles on the elements the pages style too."""

HOST_STYLES = """() => ['body', '#host-title', '#host-button', '#host-cell'].map((sel) => {
  const s = getComputedStyle(document.querySelector(sel));
  return [sel, s.fontFamily, s.fontSize, s.fontWeight, s.color, s.backgroundColor, s.margin,
          s.padding, s.display, s.borderBottom];
})"""


def show_inline(page, *displayed) -> list:
    """Put each object's ``_repr_html_`` into the host document, as Jupyter inserts an
    output, and return the frames once their scripts have run."""
    markup = "".join(d._repr_html_() for d in displayed)
    page.eval_on_selector("#out", "(el, html) => el.insertAdjacentHTML('beforeend', html)",
                          markup)
    frames = [h.content_frame() for h in page.query_selector_all("#out iframe")]
    for frame in frames:
        frame.wait_for_function("document.getElementById('counter') ?"
                                " document.getElementById('memo-value').textContent !== '' :"
                                " document.getElementById('prompt').textContent !== ''")
    return frames


@pytest.mark.skipif(chromium() is None, reason="Chromium not found (apt-get install chromium)")
@pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")
def test_inline_pages_step_independently_and_leave_the_notebook_alone():
    neuron = walkthrough(micrograd_neuron())
    loss, x, y = order_goes_wrong()
    wrong = walkthrough(loss, mistake="order")
    ids = {v: f"v{i}" for i, v in enumerate(topological_order(loss))}
    stepped = list(steps(loss))

    with chromium_page(HOST) as (page, problems, requests):
        before = page.evaluate(HOST_STYLES)
        first, second = show_inline(page, neuron, wrong)
        assert first.text_content("#counter") == "step 1 of 10"
        assert second.text_content("#counter") == f"step 1 of {len(stepped)}"
        first.click("#next")
        first.click("#next")
        assert first.text_content("#counter") == "step 3 of 10"
        assert second.text_content("#counter") == f"step 1 of {len(stepped)}"
        # the arrow keys move the page that has the focus, and only that one
        second.click("#counter")
        page.keyboard.press("ArrowRight")
        assert second.text_content("#counter") == f"step 2 of {len(stepped)}"
        assert first.text_content("#counter") == "step 3 of 10"
        # the mistake's rows and nodes are marked in the second page only
        assert second.eval_on_selector_all("#memo tr.differs", "rs => rs.map(r => r.id)") == \
            [f"row-{k}" for k, s in enumerate(stepped) if s.node in (x, y)]
        assert sorted(second.eval_on_selector_all("#graph g.node.differs",
                                                  "gs => gs.map(g => g.id)")) == \
            sorted([ids[x], ids[y]])
        assert first.eval_on_selector_all(".differs", "es => es.length") == 0
        # the notebook's own styles are as they were, and its scripts see none of the
        # pages': the pages run in opaque origins that cannot reach the notebook
        assert page.evaluate(HOST_STYLES) == before
        assert page.evaluate("[typeof show, typeof data, typeof $]") == ["undefined"] * 3
        assert first.evaluate("() => { try { return parent.document.title; }"
                              " catch (e) { return e.name; } }") == "SecurityError"
        assert page.title() == "a notebook"
        # the same page put in without the iframe would restyle the notebook (scripts
        # inserted this way do not run)
        page.eval_on_selector("#out", "(el, html) => el.insertAdjacentHTML('beforeend', html)",
                              neuron.html)
        assert page.evaluate(HOST_STYLES) != before

    assert all(not url.startswith(("http:", "https:")) for url in requests), requests
    assert problems == []


@pytest.mark.skipif(chromium() is None, reason="Chromium not found (apt-get install chromium)")
@pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")
def test_quiz_page_checks_answers_and_deepens_hints_in_an_iframe():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    loss = x * y + x
    asked = quiz(loss)  # C = 1, mul#2 = 1, x = 1*1 + 3*1 = 4, y = 2*1 = 2
    python = quiz(loss)  # the same answers given in Python, to compare
    ids = {v: f"v{i}" for i, v in enumerate(topological_order(loss))}

    with chromium_page(HOST, {"width": 1280, "height": 900}) as (page, problems, requests):
        (frame,) = show_inline(page, asked)

        def answer(text: str, click: bool = False) -> None:
            frame.fill("#answer", text)
            if click:
                frame.click("#check")
            else:
                frame.press("#answer", "Enter")

        def current() -> list[str]:
            return frame.eval_on_selector_all("#graph g.node.current",
                                              "es => es.map(e => e.id)")

        assert frame.text_content("#prompt") == "∂C/∂C = ?"
        assert current() == [ids[loss]]
        assert frame.text_content("#score") == "0 of 4 right"
        # a right answer is marked right, fills the memo and moves on
        answer("1")
        assert frame.get_attribute("#verdict", "class") == "right"
        assert frame.text_content("#verdict") == "right: ∂C/∂C = 1"
        assert frame.text_content("#prompt") == "∂C/∂(mul#2) = ?" == asked[1].prompt
        assert frame.get_attribute("#row-0", "class") == "right"
        assert frame.eval_on_selector("#row-0", "r => r.cells[1].textContent") == "1"
        assert current() == [ids[asked[1].node]]
        answer("0.5*2", click=True)  # arithmetic, with the Check button
        assert frame.get_attribute("#verdict", "class") == "right"
        assert frame.text_content("#score") == "2 of 4 right"
        # wrong answers: hint 1, 2, 3 (Python's texts), then "Show answer"
        assert frame.text_content("#prompt") == "∂C/∂x = ?" and current() == [ids[x]]
        for level in (1, 2, 3):
            assert frame.is_hidden("#show")
            answer("5")
            feedback = python[2].check(5)
            assert frame.text_content("#verdict") == f"not yet (hint {level} of 3)"
            assert frame.text_content("#hint") == feedback.hint
            assert frame.get_attribute("#hint", "data-level") == str(level) == \
                str(feedback.level)
            if level == 1:  # x is used by C and by x*y: those light up too
                assert frame.eval_on_selector_all("#graph g.node.child",
                                                  "es => es.map(e => e.id)") != []
            if level == 2:  # not a number: said, and not counted as a try
                answer("2**x")
                assert frame.text_content("#verdict") == "not a number"
                assert frame.text_content("#hint").startswith("'2**x' is not a number (")
                assert frame.text_content("#hint").endswith(
                    "Type a number such as 0.25, or arithmetic such as 0.5*2.")
                assert python[2].check("2**x").level == 0
        assert frame.is_visible("#show")
        frame.click("#show")
        assert frame.text_content("#verdict") == "the answer: ∂C/∂x = 1 × 1 + 3 × 1 = 4"
        assert frame.get_attribute("#row-2", "class") == "shown"
        assert frame.eval_on_selector("#row-2", "r => r.cells[1].textContent") == "4"
        assert frame.is_hidden("#show") and frame.text_content("#score") == "2 of 4 right"
        # the last one with − and × as the steps print them; then the score
        answer("(−1) × (−2)")
        assert python[3].check("(−1) × (−2)").correct
        assert frame.text_content("#done") == "Done: 3 of 4 right."
        assert frame.text_content("#score") == "3 of 4 right"
        python[0].check(1)
        python[1].check("0.5*2")
        assert str(python) == "3 of 4 right"
        assert frame.is_disabled("#answer") and current() == []
        # every grad cell in the graph shows its entry now
        assert sorted(frame.eval_on_selector_all(
            "#graph g[id$=_grad] text", "ts => ts.map(t => t.textContent)")) == \
            ["grad 1", "grad 1", "grad 2", "grad 4"]
        frame.click("#restart")
        assert frame.text_content("#prompt") == "∂C/∂C = ?"
        assert frame.text_content("#score") == "0 of 4 right"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "quiz-inline.png"))

    assert all(not url.startswith(("http:", "https:")) for url in requests), requests
    assert problems == []


ANSWERS = ["0.5*2", "-1/4", "−1/4", "(1+3)*2", "2 × −3", "1e-3", ".5", "1.", "4.", "--2", "+3",
           "3 - -2", "1/3", "0.1+0.2", "2*-3", "- 1", "1 /2 /4", "−(−(1))", "((((1))))",
           "1/0", "", "  ", "(1", "1)", "1 2", "1e400", "1e308*10", "2e", "e", "abc", "٣",
           "0.5 * 2 )", "*2", "2*"]
"""Answers both parsers read, and answers both refuse."""


@pytest.mark.skipif(chromium() is None, reason="Chromium not found (apt-get install chromium)")
@pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")
def test_the_page_reads_answers_as_python_does(tmp_path):
    x = Value(2.0, "x")
    page_file = quiz_page(quiz(x * x)).save(tmp_path / "quiz.html")
    read = "t => { try { return readAnswer(t); } catch (e) { return 'error: ' + e.message; } }"
    with chromium_page(viewport=None) as (page, _, _):
        page.goto(page_file.as_uri())
        for text in ANSWERS:
            got = page.evaluate(read, text)
            try:
                want = read_answer(text)
            except ValueError:
                assert isinstance(got, str) and got.startswith("error: "), (text, got)
            else:
                assert got == pytest.approx(want, rel=1e-15), text
        # what only Python reads (powers, functions, Python's literals) the page refuses,
        # saying what it does read
        for text in ("2**2", "sigmoid(0)", "1_000", "0x10"):
            read_answer(text)
            assert "the page reads numbers, + − × / and brackets" in page.evaluate(read, text)
        # nothing is evaluated as code
        assert page.evaluate(read, "alert(1)").startswith("error: ")


@pytest.mark.skipif(chromium() is None, reason="Chromium not found (apt-get install chromium)")
@pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")
def test_pages_in_simplified_chinese_show_chinese_buttons_and_steps(tmp_path):
    """The zh-CN walkthrough and quiz pages: Chinese buttons, counter, memo cells, hints and
    verdicts, written by the page's script from the templates Python embedded."""
    o = micrograd_neuron()
    expected = list(steps(o))
    walk_file = walkthrough(o, tmp_path / "neuron.html", lang="zh-CN")
    x, y = Value(2.0, "x"), Value(3.0, "y")
    python = quiz(x * y + x, lang="zh-CN")
    quiz_file = quiz_page(quiz(x * y + x, lang="zh-CN")).save(tmp_path / "quiz.html")

    with chromium_page() as (page, problems, requests):
        page.goto(walk_file.as_uri())
        assert page.text_content("#prev").strip() == "◀ 上一步"
        assert page.text_content("#next").strip() == "下一步 ▶"
        assert page.text_content("#counter") == f"第 1 步，共 {len(expected)} 步"
        page.click("#next")
        page.click("#next")
        assert page.text_content("#counter") == f"第 3 步，共 {len(expected)} 步"
        assert page.text_content("#line") == str(expected[2])  # math as in English
        memo = expected[2].memo
        rows = page.eval_on_selector_all("#memo tbody tr", "rs => rs.map(r => "
                                         "r.cells[1].textContent)")
        for k, s in enumerate(expected[3:], start=3):
            if memo.state(s.node) == "pending":
                arrived, waited = memo.shares(s.node)
                assert rows[k] == f"?（已到 {arrived}/{waited} 份）"
        assert page.text_content("#memo thead") == "节点（填写顺序）∂C/∂节点\n"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "walkthrough-zh-CN.png"))

        page.goto(quiz_file.as_uri())
        assert page.text_content("#check") == "检查"
        assert page.text_content("#score") == "4 题中答对 0 题"
        assert page.text_content("#progress") == "第 1 题，共 4 题"
        page.fill("#answer", "1")
        page.press("#answer", "Enter")
        assert page.text_content("#verdict") == "正确：∂C/∂C = 1"
        page.fill("#answer", "1")
        page.press("#answer", "Enter")
        page.fill("#answer", "5")  # ∂C/∂x is 4
        page.press("#answer", "Enter")
        assert page.text_content("#verdict") == "还不对（提示 1/3）"
        assert page.text_content("#hint") == python[2].check(5).hint
        page.fill("#answer", "2**x")
        page.press("#answer", "Enter")
        assert page.text_content("#verdict") == "不是数字"
        assert page.text_content("#hint") == (
            "'2**x' 不是数字（本页只能读取数字、+ − × / 和括号；'*' 不在其中）。"
            "请输入一个数字（例如 0.25）或算式（例如 0.5*2）。")
        page.screenshot(path=str(ARTIFACTS / "quiz-zh-CN.png"))

    assert requests and all(url.startswith("file:") for url in requests), requests
    assert problems == []
