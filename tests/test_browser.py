"""The walkthrough page in a real browser: Debian's Chromium driven by Playwright.

Skipped (with the reason shown) only where no Chromium can be found; `.ci/run`
installs it on a fresh machine. Playwright's own browser downloads are never used.
"""

import shutil
from pathlib import Path

import pytest
from conftest import micrograd_neuron
from test_draw import HOSTILE_LABELS
from test_walkthrough import as_js, hostile_chain

from autograd import steps, topological_order, walkthrough
from autograd.viz import find_dot
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


@pytest.mark.skipif(chromium() is None, reason="Chromium not found (apt-get install chromium)")
@pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")
def test_walkthrough_steps_in_chromium(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    o = micrograd_neuron()
    page_file = walkthrough(o, tmp_path / "neuron.html")
    expected = list(steps(o))
    ids = {v: f"v{i}" for i, v in enumerate(topological_order(o))}  # the DOT/SVG ids
    # after Next three times and Left once the page shows step 2 (counting from 0):
    # o (1), then n = tanh's input (1 - 0.7071**2 = 0.5), then one of n's two inputs (0.5)
    want, after_three = expected[2], expected[3]
    assert want.node in o.parents[0].parents and want.grad == pytest.approx(0.5)

    requests, problems = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
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
        finally:
            browser.close()

    assert requests and all(url.startswith("file:") for url in requests), requests
    assert problems == []


CODE_POINTS = "e => Array.from(e.textContent, c => c.codePointAt(0))"
"""A text as code points, lone surrogates included (Playwright's strings would replace them)."""


@pytest.mark.skipif(chromium() is None, reason="Chromium not found (apt-get install chromium)")
@pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")
def test_hostile_labels_show_literally_in_chromium(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    title = "<!--</script><script>alert(1)</script>\x00\\"
    page_file = walkthrough(hostile_chain(), tmp_path / "hostile.html", title=title)
    expected = list(steps(hostile_chain()))

    problems, dialogs = [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
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
        finally:
            browser.close()

    assert problems == [] and dialogs == []
