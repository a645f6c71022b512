"""The walkthrough page, read as text (the browser test drives it in Chromium)."""

import html
import itertools
import json
import re
from html.parser import HTMLParser

import pytest
from conftest import examples, labelled_tanh_net, micrograd_neuron
from hypothesis import given
from hypothesis import strategies as st
from test_draw import ANY_TEXT, HOSTILE_LABELS, svg_text_and_tooltips

from autograd import Value, memo_table, mistake, quiz, steps, topological_order, walkthrough
from autograd.cli import main
from autograd.explain import chain_rule_symbols
from autograd.value import Constant
from autograd.viz import QuizPage, Walkthrough, find_dot, quiz_page
from autograd.viz.dot import visible

pytestmark = pytest.mark.skipif(find_dot() is None, reason="no graphviz-pure or dot found")


def two_layer_net(inputs=2, hidden=4):
    """inputs -> hidden tanh neurons -> hidden tanh neurons -> 1, squared error, nn-style labels."""
    k = itertools.count(1)
    weights = [[[((next(k) * 37) % 19 - 9) / 10 for _ in range(n_in)] for _ in range(n_out)]
               for n_in, n_out in itertools.pairwise((inputs, hidden, hidden, 1))]
    return labelled_tanh_net([1.0, -1.0, 0.5, 2.0][:inputs], weights)


def page_data(text):
    match = re.search(r'<script type="application/json" id="steps">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


def test_page_holds_every_step_with_the_stepper_numbers(tmp_path):
    o = micrograd_neuron()
    out = walkthrough(o, tmp_path / "neuron.html")
    text = out.read_text(encoding="utf-8")
    data = page_data(text)
    expected = list(steps(micrograd_neuron()))
    assert len(data) == len(expected) == len(topological_order(o)) == 10
    assert [d["line"] for d in data] == [str(s) for s in expected]
    assert data[0]["name"] == "o" and data[0]["grad"] == "1"
    n_step = next(d for d in data if d["name"] == "n")
    assert n_step["grad"] == "0.5" and n_step["line"] == "∂C/∂n = 0.5 × 1 = 0.5"
    x1_step = next(d for d in data if d["name"] == "x1")
    assert x1_step["grad"] == "−1.5"  # dC/dx1 = w1 * 0.5 = -3 * 0.5
    # each step names SVG elements that exist: its node, its users, the edges used
    ids = set(re.findall(r'<g id="([^"]+)"', text))
    for d in data:
        assert d["node"] in ids
        assert set(d["children"]) <= ids and set(d["edges"]) <= ids
    assert n_step["children"] == ["v9"] and set(n_step["edges"]) == {"e9", "e9_0"}


def test_memo_cells_in_the_svg_show_the_final_memo(tmp_path):
    o = micrograd_neuron()
    text = walkthrough(o, tmp_path / "n.html").read_text(encoding="utf-8")
    memo = memo_table(o)
    order = topological_order(o)
    for i, v in enumerate(order):
        cell = re.search(rf'<g id="a_v{i}_grad">.*?>grad ([^<]+)</text>', text, re.S)
        assert html.unescape(cell.group(1)) == f"{memo[v]:.4g}"


def test_walkthrough_leaves_grad_alone(tmp_path):
    o = micrograd_neuron()
    leaves = topological_order(o)
    walkthrough(o, tmp_path / "n.html")
    assert all(v.grad == 0.0 for v in leaves)
    o.backward()
    before = [v.grad for v in leaves]
    walkthrough(o, tmp_path / "n.html")
    assert [v.grad for v in leaves] == before


class _Resources(HTMLParser):
    """Collects every attribute that could make a browser fetch something."""

    def __init__(self):
        super().__init__()
        self.fetching = []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "poster", "data", "action"):
                self.fetching.append((tag, name, value))


def test_page_is_self_contained(tmp_path):
    text = walkthrough(two_layer_net(), tmp_path / "net.html").read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(text)
    assert parser.fetching == []
    assert "link" not in parser.tags and "iframe" not in parser.tags
    assert "@import" not in text and "url(" not in text and "@font-face" not in text
    # the only URLs are the XML namespaces of the inline SVG, which nothing fetches
    urls = set(re.findall(r"https?://[^\s\"'<>]+", text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert text.count("<svg") == 1 and "<?xml" not in text


def test_a_two_layer_net_page_is_small(tmp_path):
    loss = two_layer_net(inputs=2, hidden=4)  # 2 -> 4 -> 4 -> 1: 37 parameters
    out = walkthrough(loss, tmp_path / "net.html")
    size = out.stat().st_size
    assert size < 2_000_000, size
    # one step per memo entry: numbers used in an operation (Constants) have none
    entries = [v for v in topological_order(loss) if not isinstance(v, Constant)]
    assert len(page_data(out.read_text(encoding="utf-8"))) == len(entries)


def test_labels_cannot_break_out_of_the_page(tmp_path):
    x = Value(2.0, "</script><script>alert(1)</script>")
    y = x * x
    y.label = "<b>&"
    text = walkthrough(y, tmp_path / "x.html", title="<i>t</i>").read_text(encoding="utf-8")
    assert text.count("</script>") == 2  # the data block and the script, nothing else
    assert "<i>t</i>" not in text and "&lt;i&gt;t&lt;/i&gt;" in text
    assert page_data(text)[-1]["name"] == "</script><script>alert(1)</script>"


def hostile_chain() -> Value:
    """A long product whose every node, constants included, has a label from HOSTILE_LABELS."""
    out = Value(1.5, HOSTILE_LABELS[0])
    for i, label in enumerate(HOSTILE_LABELS[1:]):
        out = out * (Constant(1.01, label) if i % 2 else Value(1.0 + i / 100, label))
        out.label = label
    return out


def as_js(text: str) -> str:
    """``text`` as a JavaScript string holds it: UTF-16, where two surrogates in a row are
    the one character they encode (so JSON reads \\udbff\\udc00 back as U+10FC00)."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def script_data(text: str) -> str:
    return re.search(r'<script type="application/json" id="steps">(.*?)</script>', text,
                     re.S).group(1)


def assert_data_is_inert(block: str) -> None:
    """Nothing in the JSON can end its script element, open a comment or be a raw control,
    line separator or surrogate: all such characters are \\uXXXX escapes."""
    assert not set(block) & set("<>&")
    assert all(c.isprintable() for c in block), [c for c in block if not c.isprintable()][:5]


def test_hostile_labels_survive_the_page(tmp_path):
    loss = hostile_chain()
    title = "<!--</script><script>alert(1)</script>\x00\ud800\\"
    text = walkthrough(loss, tmp_path / "h.html", title=title).read_text(encoding="utf-8")
    expected = list(steps(hostile_chain()))
    data = page_data(text)
    # the JSON gives back every label, chain-rule line and symbol line exactly
    assert [d["name"] for d in data] == [as_js(s.name()) for s in expected]
    assert {d["name"] for d in data} == {as_js(label) for label in HOSTILE_LABELS}
    assert [d["line"] for d in data] == [as_js(str(s)) for s in expected]
    assert [d["symbols"] for d in data] == [as_js(chain_rule_symbols(s)) for s in expected]
    assert_data_is_inert(script_data(text))
    # the page has its own two script elements and nothing that opens another or a comment
    assert text.count("<script") == text.count("</script") == 2
    assert "<!--" not in text
    assert f"<title>{html.escape(visible(title))}</title>" in text
    for step in expected:  # the memo table shows each label, visible and escaped
        assert f"<td>{html.escape(visible(step.name()))}</td>" in text
    svg = text[text.index("<svg"):text.index("</svg>") + len("</svg>")]
    texts, _ = svg_text_and_tooltips(svg.encode("utf-8"))
    for label in HOSTILE_LABELS:
        if label.strip():
            assert visible(label if len(label) <= 40 else label[:37] + "...") in texts


@examples(40)
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
def test_random_labels_round_trip_through_the_page(tmp_path_factory, labels):
    out = Value(0.5, labels[0])
    for label in labels[1:]:
        out = (out * Value(2.0, label)).tanh()
        out.label = label
    path = walkthrough(out, tmp_path_factory.getbasetemp() / "random.html")
    text = path.read_text(encoding="utf-8")
    expected = list(steps(out))
    data = page_data(text)
    assert [d["name"] for d in data] == [as_js(s.name()) for s in expected]
    assert [d["line"] for d in data] == [as_js(str(s)) for s in expected]
    assert_data_is_inert(script_data(text))
    assert text.count("<script") == text.count("</script") == 2 and "<!--" not in text


def test_file_is_replaced_atomically(tmp_path):
    path = tmp_path / "n.html"
    path.write_text("old")
    walkthrough(micrograd_neuron(), path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["n.html"]
    with pytest.raises(OSError, match="cannot write"):
        walkthrough(micrograd_neuron(), tmp_path / "missing" / "n.html")
    assert [p.name for p in tmp_path.iterdir()] == ["n.html"]


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(TypeError, match="walkthrough: loss must be a Value"):
        walkthrough(1.0, tmp_path / "x.html")
    y = Value(1.0, "x")
    for _ in range(120):
        y = y * 1.01
    with pytest.raises(ValueError, match="max_nodes=200"):
        walkthrough(y, tmp_path / "x.html")
    assert walkthrough(y, tmp_path / "x.html", max_nodes=241).exists()


def test_cli_writes_the_page(tmp_path, capsys):
    out = tmp_path / "trace.html"
    assert main(["trace", "x*y + x", "--at", "x=2", "y=3", "--html", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "x*y + x  leaf" not in printed
    text = out.read_text(encoding="utf-8")
    assert "<title>x*y + x  at  x=2, y=3</title>" in text
    data = page_data(text)
    assert data[0]["name"] == "x*y + x"
    # x is used twice: 1 (directly, by the +) plus y = 3 (through x*y), times dC/d(user) = 1
    assert next(d for d in data if d["name"] == "x")["line"] == "∂C/∂x = 1 × 1 + 3 × 1 = 4"


def test_an_empty_path_is_named_as_given_before_anything_is_drawn(monkeypatch):
    import autograd.viz.page as page

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew before checking the path")

    monkeypatch.setattr(page, "draw", no_drawing)
    x = Value(2.0, "x")
    with pytest.raises(OSError, match="cannot write '': "):
        walkthrough(x * x, "")


# -- inline in Jupyter, nudges, ready vs pending, mistakes ----------------------------------


class _Tags(HTMLParser):
    """Every start tag with its attributes (entities in attribute values decoded)."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def iframe_of(markup: str) -> dict:
    """The one element of ``markup``, an iframe, as its attributes (srcdoc unescaped)."""
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    assert [tag for tag, _ in parser.tags] == ["iframe"], parser.tags[:3]
    assert markup.startswith("<iframe ") and markup.endswith("></iframe>")
    return parser.tags[0][1]


def test_without_a_path_the_page_is_an_object_that_saves_and_displays_inline(tmp_path):
    shown = walkthrough(micrograd_neuron())
    assert isinstance(shown, Walkthrough) and shown.steps == 10
    assert repr(shown) == "<autograd.viz Walkthrough: 'Backpropagation through o', 10 steps>"
    written = walkthrough(micrograd_neuron(), tmp_path / "file.html")
    assert written == tmp_path / "file.html"  # with a path: the path, as before
    assert shown.html == written.read_text(encoding="utf-8")
    assert shown.save(tmp_path / "saved.html") == tmp_path / "saved.html"
    assert (tmp_path / "saved.html").read_text(encoding="utf-8") == shown.html
    with pytest.raises(OSError, match="cannot write"):  # through autograd.files: named, atomic
        shown.save(tmp_path / "missing" / "x.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.html", "saved.html"]
    # Jupyter shows the page isolated in a sandboxed iframe: only its own scripts run
    frame = iframe_of(shown._repr_html_())
    assert frame["srcdoc"] == shown.html
    assert frame["sandbox"] == "allow-scripts"
    assert frame["title"] == "Backpropagation through o"
    assert "height: 640px" in frame["style"]
    shown.height = 900
    assert "height: 900px" in iframe_of(shown._repr_html_())["style"]


def test_the_iframe_holds_any_label_escaped(tmp_path):
    title = '"><script>alert(1)</script>&amp;\'\x00'
    shown = walkthrough(hostile_chain(), title=title)
    markup = shown._repr_html_()
    frame = iframe_of(markup)
    assert frame["srcdoc"] == shown.html and frame["title"] == visible(title)
    # inside the attribute nothing is markup: no tag, no quote that could end it
    inside = markup[len('<iframe srcdoc="'):markup.index('" sandbox=')]
    assert not set(inside) & set("<>\"'")
    assert "<script" not in markup and markup.count("<") == 2
    # an unlabelled output is C, in the title too
    x = Value(2.0, "x")
    assert "<title>Backpropagation through C</title>" in walkthrough(x * x).html


def replay_states(data: list[dict], i: int) -> list[str]:
    """The page's script, in Python: each entry's state after step i from the
    step data's ``expected`` and ``shares``."""
    arrived = [0] * len(data)
    for step in data[:i + 1]:
        for row, count in step["shares"]:
            arrived[row] = count
    return ["filled" if k <= i else "ready" if arrived[k] == d["expected"] else "pending"
            for k, d in enumerate(data)]


def test_page_tells_ready_from_pending_as_memo_view_does():
    from test_steps import course_net

    for loss in (micrograd_neuron(), course_net()[0], two_layer_net(), x_twice()):
        data = page_data(walkthrough(loss).html)
        stepped = list(steps(loss))
        for i, step in enumerate(stepped):
            assert replay_states(data, i) == [step.memo.state(s.node) for s in stepped]
        assert data[0]["expected"] == 0
        assert [d["expected"] for d in data] == [stepped[0].memo.shares(s.node)[1]
                                                 for s in stepped]


def x_twice() -> Value:
    x = Value(3.0, "x")
    return x * x + x


def test_each_step_carries_its_nudge():
    data = page_data(walkthrough(two_layer_net()).html)
    for d, step in zip(data, steps(two_layer_net()), strict=True):
        assert d["nudge"] == f"{step.nudge():.6g}".replace("-", "−")
        assert float(d["nudge"].replace("−", "-")) == pytest.approx(step.grad, rel=1e-5,
                                                                    abs=1e-8)
    # where a nudge leaves an op's domain the page says why instead of a number
    x = Value(1e-7, "x")
    data = page_data(walkthrough(x.log()).html)
    assert data[-1]["nudge"] is None and "log" in data[-1]["nudge_error"]
    assert data[0]["nudge"] == "1"


def order_goes_wrong() -> tuple[Value, Value, Value]:
    """a = x*y used twice: the depth-first 'order' mistake hands a's entry on too early."""
    x, y = Value(2.0, "x"), Value(3.0, "y")
    a = x * y
    a.label = "a"
    return a * a + a, x, y


def test_mistake_beside_the_right_memo():
    loss, x, y = order_goes_wrong()
    wrong = mistake(loss, "order")
    assert set(wrong.differs) == {x, y}
    shown = walkthrough(loss, mistake="order")
    data = page_data(shown.html)
    stepped = list(steps(loss))
    for d, step in zip(data, stepped, strict=True):
        assert d["mistaken"] == f"{wrong.memo[step.node]:.6g}".replace("-", "−")
        assert d["differs"] == (step.node in (x, y))
    rows = re.findall(r'<tr id="row-(\d+)"( class="differs")?><td>([^<]*)</td>'
                      r'<td class="num">[^<]*</td><td class="num mistaken">([^<]*)</td>'
                      r'<td class="mark">([^<]*)</td></tr>', shown.html)
    assert [(r[2], bool(r[1]), r[4]) for r in rows] == [
        (s.name(), s.node in (x, y), "&#8800;" if s.node in (x, y) else "") for s in stepped]
    assert "<th>mistaken</th>" in shown.html
    assert 'mistake &quot;order&quot;</b>: Each node handed its entry on' in shown.html
    assert f"2 of {len(stepped)} entries differ" in shown.html
    # C = 2 * loss: the mistaken entries scale with the output's entry as the right ones do
    doubled = page_data(walkthrough(order_goes_wrong()[0], gradient=2.0, mistake="order").html)
    assert [d["mistaken"] for d in doubled] == [
        f"{2 * wrong.memo[s.node]:.6g}".replace("-", "−") for s in stepped]
    # a mistake that does no harm on this graph says so; without one there is no column
    harmless = walkthrough(micrograd_neuron(), mistake="overwrite").html
    assert "the mistake does no harm" in harmless and 'class="differs"' not in harmless
    assert "mistaken" not in page_data(walkthrough(micrograd_neuron()).html)[0]
    assert "<th>mistaken</th>" not in walkthrough(micrograd_neuron()).html


def test_an_unknown_mistake_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="walkthrough: unknown mistake 'typo'; the kinds are "
                                         "'order', 'overwrite', 'set', 'zero-grad'"):
        walkthrough(micrograd_neuron(), tmp_path / "x.html", mistake="typo")
    assert list(tmp_path.iterdir()) == []
    assert walkthrough(x_twice(), tmp_path / "x.html", mistake="set").exists()


# -- the quiz page ------------------------------------------------------------------------


def quiz_data(text: str) -> dict:
    match = re.search(r'<script type="application/json" id="quiz">(.*?)</script>', text, re.S)
    assert_data_is_inert(match.group(1))
    return json.loads(match.group(1))


def test_quiz_page_holds_the_questions_python_asks():
    from test_steps import course_net

    loss = course_net()[0]
    q = quiz(loss, tolerance=1e-2, absolute=1e-4)
    page = quiz_page(q)
    assert isinstance(page, QuizPage) and page.questions == len(q)
    data = quiz_data(page.html)
    assert data["rel"] == 1e-2 and data["abs"] == 1e-4 and data["deepest"] == 3
    ids = {v: f"v{i}" for i, v in enumerate(topological_order(loss))}
    for d, question in zip(data["questions"], q, strict=True):
        assert d["prompt"] == question.prompt and d["name"] == question.name
        assert d["answer"] == question.answer  # exactly: JSON keeps every bit of a float
        assert d["hints"] == [question.hint(level) for level in (1, 2, 3)]
        assert d["line"] == str(question.step) and d["node"] == ids[question.node]
    # the page checks answers itself; Python's quiz keeps its own progress, untouched
    assert q.answered == 0 and all(v.grad == 0.0 for v in topological_order(loss))
    assert page.html.count("<svg") == 1 and page.html.count("<script") == 2
    assert "<title>Quiz: backpropagation through C</title>" in page.html
    # the hints in the page are those check() gives after as many wrong tries
    question = quiz(loss)[3]
    assert [question.check(99).hint for _ in range(3)] == data["questions"][3]["hints"]


def test_a_quiz_displays_inline_as_its_page():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    q = quiz(x * y + x)
    frame = iframe_of(q._repr_html_())
    assert frame["sandbox"] == "allow-scripts"
    assert frame["srcdoc"] == quiz_page(q).html
    page = quiz_page(q, title="<Your turn>")
    assert "<title>&lt;Your turn&gt;</title>" in page.html
    assert repr(page) == "<autograd.viz QuizPage: '<Your turn>', 4 questions>"


def test_quiz_page_without_a_graph_still_asks(monkeypatch):
    y = Value(1.0, "y")
    for _ in range(120):
        y = y * 1.01
    page = quiz_page(quiz(y))  # 241 values, more than max_nodes: a note, not the graph
    assert "<svg" not in page.html
    assert '<p class="no-graph">graph not drawn: ' in page.html
    assert len(quiz_data(page.html)["questions"]) == len(quiz(y)) == 121
    assert "<svg" in quiz_page(quiz(y), max_nodes=241).html
    with pytest.raises(TypeError, match=r"quiz_page: expected an autograd\.quiz"):
        quiz_page(y)


def test_quiz_page_is_self_contained():
    text = quiz_page(quiz(two_layer_net())).html
    parser = _Resources()
    parser.feed(text)
    assert parser.fetching == [] and "iframe" not in parser.tags and "form" not in parser.tags
    assert "@import" not in text and "url(" not in text and "eval(" not in text
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_quiz_page_holds_hostile_labels_literally():
    loss = hostile_chain()
    data = quiz_data(quiz_page(quiz(loss)).html)
    assert [d["name"] for d in data["questions"]] == [as_js(q.name) for q in quiz(loss)]
    assert [d["hints"][0] for d in data["questions"]] == [as_js(q.hint(1)) for q in quiz(loss)]
