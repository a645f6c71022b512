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

from autograd import Value, memo_table, steps, topological_order, walkthrough
from autograd.cli import main
from autograd.explain import chain_rule_symbols
from autograd.value import Constant
from autograd.viz import find_dot
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
