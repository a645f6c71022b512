"""Drawing graphs: DOT text (no renderer needed), rendering through graphviz-pure,
finding the renderer, and what happens when there is none."""

import html
import os
import re
import stat
import subprocess
import sys
import sysconfig
import unicodedata
from pathlib import Path

import pytest
from conftest import examples, labelled_tanh_net, micrograd_neuron
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, dot, draw, steps
from autograd.viz import render
from autograd.viz.dot import cluster_path, short_number, visible
from autograd.viz.render import ascii_text, save

HAS_RENDERER = render.find_dot() is not None
needs_renderer = pytest.mark.skipif(not HAS_RENDERER, reason="no graphviz-pure or dot found")


def x_times_y_plus_x():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    z = x * y + x
    z.label = "z"
    z.backward()
    return x, y, z


GOLDEN = Path(__file__).parent / "golden" / "x_times_y_plus_x.dot"


def test_golden_dot_of_x_times_y_plus_x():
    # x is used twice: grad 3 (through x*y, whose local dz/dx is y = 3) + 1 = 4.
    *_, z = x_times_y_plus_x()
    assert draw(z, show_local=True, legend=False).source == GOLDEN.read_text()


def test_dot_text_does_not_depend_on_memory_addresses():
    a = draw(x_times_y_plus_x()[2], legend=False).source
    b = draw(x_times_y_plus_x()[2], legend=False).source
    assert a == b
    assert "0x" not in a


def node_line(source: str, name: str) -> str:
    (line,) = [ln for ln in source.splitlines() if ln.strip().startswith(f"{name} [")]
    return line


def test_micrograd_neuron_numbers_to_four_significant_digits():
    o = micrograd_neuron()
    o.backward()
    src = draw(o).source
    assert "<TD>o</TD><TD>data 0.7071</TD>" in src and ">grad 1</TD>" in src
    assert "<TD>n</TD><TD>data 0.8814</TD>" in src and ">grad 0.5</TD>" in src
    assert "<TD>b</TD><TD>data 6.881</TD>" in src
    assert "<TD>x1</TD><TD>data 2</TD>" in src and ">grad -1.5</TD>" in src
    assert "<TD>w2</TD><TD>data 1</TD>" in src and ">grad 0</TD>" in src
    assert 'label=tanh' in src


def test_show_grad_false_and_grads_mapping():
    x, _, z = x_times_y_plus_x()
    assert ">grad " not in draw(z, show_grad=False, legend=False).source
    src = draw(z, grads={x: 0.125}, legend=False).source
    assert "<TD>x</TD><TD>data 2</TD><TD ID=\"v0_grad\"" in src and ">grad 0.125<" in src


def test_edge_labels_are_the_forward_pass_local_derivatives():
    w = [Value(1.0, "w1"), Value(-2.0, "w2")]
    z = dot(w, [1.0, -1.0])  # the course's neuron: dz/dw_i = x_i
    a = z.sigmoid()
    src = draw(a, show_local=True).source
    assert re.search(r"-> o\d+ \[label=1 id=e\d+_0", src)
    assert re.search(r"-> o\d+ \[label=-1 id=e\d+_1", src)
    s = a.data * (1 - a.data)  # σ'(4) on the edge into σ
    assert f"label={short_number(s)} " in src
    assert 'label="σ"' in src and "label=dot" in src
    assert "label=" not in "".join(ln for ln in draw(a).source.splitlines() if "->" in ln)


def test_constants_parameters_and_output_have_their_own_look():
    x = Value(2.0, "x")
    y = 2.5 * x
    src = draw(y).source
    const = node_line(src, "v0")
    assert "label=2.5" in const and "shape=plaintext" in const and "grad" not in const
    assert 'BGCOLOR="#dbeafe"' in node_line(src, "v1")  # parameter
    assert 'BGCOLOR="#dcfce7"' in node_line(src, "v2")  # output
    legend = node_line(src, "legend")
    for word in ("parameter or input", "constant", "output", "operation"):
        assert word in legend
    assert "highlighted step" not in legend


def test_op_labels_carry_their_constants():
    x = Value(3.0, "x")
    src = draw((x**2).leaky_relu(0.1) + 0).source
    assert 'label="**2"' in src and 'label="leaky_relu(0.1)"' in src
    from autograd import sum as vsum

    assert 'label="Σ+5"' in draw(vsum([x, 5.0])).source


def test_cluster_path_from_dotted_labels():
    cp = cluster_path
    assert cp("layers.0.neurons.3.w.1") == ("layers.0", "layers.0.neurons.3")
    assert cp("layers.0.neurons.3.z") == ("layers.0", "layers.0.neurons.3")
    assert cp("mlp.layers.1.neurons.0.b") == ("mlp.layers.1", "mlp.layers.1.neurons.0")
    assert cp("h1.b") == ("h1",)
    assert cp("x.0") == () and cp("loss") == () and cp("0.5*x + y.1") == ()


def tiny_net():
    """2 inputs -> 2 tanh neurons -> 1 tanh neuron, labelled as nn labels them."""
    xs = [Value(1.0, "x.0"), Value(-1.0, "x.1")]
    return labelled_tanh_net(xs, [[[0.5, -0.25], [1.0, 0.75]], [[-0.5, 2.0]]])


def test_clusters_box_each_neuron_inside_its_layer():
    loss = tiny_net()
    src = draw(loss).source
    labels = re.findall(r'subgraph cluster_(\d+) \{\n\s*id="c\d+" label="([^"]+)"', src)
    assert [name for _, name in labels] == [
        "layers.0", "layers.0.neurons.0", "layers.0.neurons.1", "layers.1", "layers.1.neurons.0"]
    # the neuron box of layers.0.neurons.1 holds its weights (shown as w.0, w.1), its bias,
    # its unlabelled dot node, z and a; nothing else
    box = src.split('label="layers.0.neurons.1"', 1)[1].split("\t\t}", 1)[0]
    names = re.findall(r"<TD>([^<]+)</TD><TD>data", box)
    assert sorted(names) == ["a", "b", "w.0", "w.1", "z"]
    assert "label=dot" in box
    assert "x.0" not in box and "loss" not in box
    flat = draw(loss, cluster=False).source
    assert "subgraph" not in flat and "<TD>layers.0.neurons.1.w.0</TD>" in flat


def test_a_top_level_sequentials_neurons_are_boxed():
    """Its labels start with the module's index (``0.neurons.1.w.0``), not a name."""
    import nn

    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.ReLU(), nn.Linear(2, 1, seed=1))
    (out,) = model([1.0, -1.0])
    src = draw(out).source
    boxes = re.findall(r'subgraph cluster_\d+ \{\n\s*id="c\d+" label="([^"]+)"', src)
    assert boxes == ["0", "0.neurons.0", "0.neurons.1", "1", "2", "2.neurons.0"]
    box = src.split('label="0.neurons.1"', 1)[1].split("\t\t}", 1)[0]
    assert sorted(re.findall(r"<TD>([^<]+)</TD><TD>data", box)) == ["b", "w.0", "w.1", "z"]
    # numbers are not dotted names: no box for them
    assert cluster_path("0.neurons.3.w.1") == ("0", "0.neurons.3")
    assert cluster_path("1.a.3") == ("1",)
    assert cluster_path("1.5") == cluster_path("1.5e3") == cluster_path("0.5*x") == ()


def test_highlight_a_value():
    _, y, z = x_times_y_plus_x()
    line = node_line(draw(z, highlight=y).source, "v1")
    assert 'BGCOLOR="#fde68a"' in line and 'COLOR="#d97706"' in line
    assert "highlighted step" in node_line(draw(z, highlight=y).source, "legend")


def test_highlight_a_step_marks_memo_entry_contributions_and_pending_entries():
    x, y, z = x_times_y_plus_x()
    all_steps = list(steps(z))
    step_x = next(s for s in all_steps if s.node is x)
    src = draw(z, highlight=step_x).source
    line = node_line(src, "v0")
    # its memo entry, filled with the step's number (3*1 + 1*1 = 4), in the memo colour
    assert '<TD ID="v0_grad" TOOLTIP="memo entry dC/d(x) = 4" BGCOLOR="#f59e0b">grad 4</TD>' in line
    # both edges out of x carry a contribution: to the * (local 3) and to the + (local 1)
    for edge in ("e2_0", "e3_1"):
        (e,) = [ln for ln in src.splitlines() if f"id={edge}" in ln]
        assert 'color="#d97706"' in e and "penwidth=2" in e
    (other,) = [ln for ln in src.splitlines() if "id=e2_1" in ln]
    assert "penwidth" not in other
    # an entry filled at a later step is grey and unknown; an earlier one shows its value
    step_y = next(s for s in all_steps if s.node is y)
    if step_y.index > step_x.index:
        assert "grad ?" in node_line(src, "v1")
    else:
        assert ">grad 2</TD>" in node_line(src, "v1")
    first = draw(z, highlight=all_steps[0]).source
    assert first.count("grad ?") == 3 and ">grad 1</TD>" in node_line(first, "v3")


def test_highlight_errors_name_the_problem():
    *_, z = x_times_y_plus_x()
    with pytest.raises(TypeError, match="highlight must be a Value or a Step, got str"):
        draw(z, highlight="x")
    with pytest.raises(ValueError, match="not in the graph"):
        draw(z, highlight=Value(1.0))
    with pytest.raises(TypeError, match="root must be a Value"):
        draw(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw(z, rankdir="up")


def test_max_nodes_collapses_each_neuron_into_one_node():
    loss = tiny_net()
    src = draw(loss, max_nodes=10, show_local=True).source
    groups = re.findall(r'(c\d+) \[label=<<TABLE[^\n]*<B>([^<]+)</B>.*?<TD>(\d+) values', src)
    assert [(name, int(n)) for _, name, n in groups] == [
        ("neurons.0", 6), ("neurons.1", 6), ("neurons.0", 6)]
    assert "w.0" not in src
    # one edge per pair of connected nodes: each input into each layer-0 neuron,
    # each layer-0 neuron into the layer-1 neuron, which feeds the loss's "-"
    assert len(re.findall(r"v\d+ -> c\d+", src)) == 4
    assert len(re.findall(r"c\d+ -> c\d+", src)) == 2
    assert len(re.findall(r"c\d+ -> o\d+", src)) == 1
    assert draw(loss, collapse=True, show_local=True).source == src


def test_max_nodes_refuses_with_a_message_naming_the_parameter():
    x = Value(0.5, "x")
    y = x
    for _ in range(30):
        y = y * 1.01
    n = len(__import__("autograd").topological_order(y))
    with pytest.raises(ValueError, match=rf"has {n} values.*max_nodes=20.*max_nodes={n}"):
        draw(y, max_nodes=20)
    loss = tiny_net()
    with pytest.raises(ValueError, match=r"max_nodes=3.*collapsed into one node.*max_nodes="):
        draw(loss, max_nodes=3)
    with pytest.raises(ValueError, match="collapse=True"):
        draw(loss, max_nodes=10, collapse=False)
    assert "values" not in draw(y, max_nodes=n).source


def test_a_huge_graph_is_refused_quickly_without_recursion():
    y = Value(1.0, "x")
    for _ in range(100_000):
        y = y + 1.0
    with pytest.raises(ValueError, match="max_nodes=200"):
        draw(y)


def test_ascii_text_for_png_labels():
    text = ascii_text("σ(z) · ∂C/∂z, Σ, −1, café")
    assert text == "sigmoid(z) * dC/dz, sum, -1, cafe"
    assert ascii_text("网络").isascii()


def test_number_formatting():
    n = short_number
    shown = [n(0.70710678), n(4.0), n(-0.0), n(1e-7), n(-2.5)]
    assert shown == ["0.7071", "4", "0", "1e-07", "-2.5"]


# -- rendering ------------------------------------------------------------------


@needs_renderer
def test_svg_through_the_found_renderer_keeps_ids_for_the_walkthrough():
    *_, z = x_times_y_plus_x()
    svg = draw(z, show_local=True).pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    for element_id in ("v0", "v3", "o2", "e2_0", "e3", "a_v0_grad", "legend"):
        assert f'id="{element_id}"' in svg
    assert ">grad 4</text>" in svg and ">data 8</text>" in svg


@needs_renderer
def test_png_is_rendered_from_ascii_labels(capfd):
    x = Value(0.5, "x")
    y = x.sigmoid()
    png = draw(y).pipe(format="png", quiet=False)  # let the renderer's warnings through
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert 50 < width < 2000
    assert "non-ASCII" not in capfd.readouterr().err
    assert 'label="σ"' in draw(y).source  # the DOT text itself keeps the symbol
    if render.is_pure(render.find_dot()):  # ...which graphviz-pure does warn about
        draw(y).pipe(format="svg", quiet=False)
        assert "non-ASCII" in capfd.readouterr().err
    draw(y).pipe(format="svg")  # but not by default
    assert capfd.readouterr().err == ""


@needs_renderer
def test_png_of_a_big_graph_stays_within_a_few_thousand_pixels():
    y = Value(1.0, "x")
    for _ in range(150):
        y = y * 1.001
    g = draw(y, max_nodes=400)
    png = g.pipe(format="png")
    width, height = (int.from_bytes(png[i:i + 4], "big") for i in (16, 20))
    assert max(width, height) <= 4000
    # the cap is for pictures made of pixels only: the SVG keeps its natural size
    assert " size=" not in g.source
    assert 'transform="scale(1 1)' in g.pipe(format="svg").decode()


@needs_renderer
def test_render_writes_files_like_graphviz(tmp_path):
    *_, z = x_times_y_plus_x()
    out = draw(z).render(tmp_path / "graph", format="svg")
    assert Path(out) == tmp_path / "graph.svg"
    assert "grad 4" in Path(out).read_text()
    assert (tmp_path / "graph").read_text().startswith("digraph memograd")


@needs_renderer
def test_draw_points_the_graphviz_package_at_the_renderer():
    import graphviz
    from graphviz.backend import dot_command

    *_, z = x_times_y_plus_x()
    draw(z)
    assert Path(dot_command.DOT_BINARY) == render.find_dot()
    assert b"<svg" in graphviz.Digraph(body=["a -> b\n"]).pipe(format="svg")


@needs_renderer
def test_ipython_displays_a_value_as_svg():
    formatters = pytest.importorskip("IPython.core.formatters")
    *_, z = x_times_y_plus_x()
    data, _ = formatters.DisplayFormatter().format(z)
    assert "<svg" in data["image/svg+xml"] and ">grad 4</text>" in data["image/svg+xml"]
    assert data["text/plain"] == repr(z)


@needs_renderer
def test_jupyter_display_of_a_value_is_its_svg():
    *_, z = x_times_y_plus_x()
    bundle = z._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"] and bundle["text/plain"] == repr(z)
    assert "<svg" in z._repr_svg_()


# -- finding a renderer, and living without one --------------------------------------------


def fake_program(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.mark.skipif(os.name == "nt", reason="POSIX executables")
def test_lookup_order(tmp_path, monkeypatch):
    scripts, beside, user, on_path = (tmp_path / d for d in ("scripts", "bin", "user", "path"))
    monkeypatch.delenv("MEMOGRAD_DOT", raising=False)
    monkeypatch.setenv("PATH", str(on_path))

    def get_path(name, scheme=None):
        return str(user if scheme else scripts)

    monkeypatch.setattr(sysconfig, "get_path", get_path)
    monkeypatch.setattr(sys, "executable", str(beside / "python"))
    assert render.find_dot() is None
    system_dot = fake_program(on_path, "dot")
    assert render.find_dot() == system_dot
    pure_on_path = fake_program(on_path, "graphviz-pure")
    assert render.find_dot() == pure_on_path
    in_user = fake_program(user, "graphviz-pure")
    assert render.find_dot() == in_user
    beside_python = fake_program(beside, "graphviz-pure")
    assert render.find_dot() == beside_python
    in_scripts = fake_program(scripts, "graphviz-pure")
    assert render.find_dot() == in_scripts
    chosen = fake_program(tmp_path / "mine", "my-dot")
    monkeypatch.setenv("MEMOGRAD_DOT", str(chosen))
    assert render.find_dot() == chosen
    monkeypatch.setenv("MEMOGRAD_DOT", str(tmp_path / "missing"))
    assert render.find_dot() is None


def test_graphviz_pure_is_found_in_an_unactivated_venv(monkeypatch):
    installed = Path(sysconfig.get_path("scripts")) / "graphviz-pure"
    if not installed.exists():
        pytest.skip("graphviz-pure is not installed in this interpreter's scripts folder")
    monkeypatch.delenv("MEMOGRAD_DOT", raising=False)
    monkeypatch.setenv("PATH", "")
    assert render.find_dot() == installed


@pytest.fixture
def no_renderer(tmp_path, monkeypatch):
    monkeypatch.setenv("MEMOGRAD_DOT", str(tmp_path / "no-such-dot"))
    yield
    render.configure()  # put the graphviz package back on a real renderer for later tests


def test_without_a_renderer_draw_still_gives_dot_text(no_renderer):
    *_, z = x_times_y_plus_x()
    g = draw(z)
    assert "grad 4" in g.source
    with pytest.raises(render.RendererNotFound,
                       match=r"MEMOGRAD_DOT=.*no-such-dot.*pip install graphviz-pure"):
        g.pipe(format="svg")


def test_without_a_renderer_jupyter_shows_a_hint_and_the_dot_source(no_renderer):
    *_, z = x_times_y_plus_x()
    bundle = z._repr_mimebundle_()
    assert set(bundle) == {"text/plain"}
    hint, source = bundle["text/plain"].split("\n", 1)
    assert hint.startswith("[memograd: graph not rendered:") and "graphviz-pure" in hint
    assert source == draw(z).source
    assert z._repr_svg_() is None
    assert set(draw(z)._repr_mimebundle_()) == {"text/plain"}


def test_jupyter_display_of_a_graph_too_big_says_why():
    y = Value(1.0, "x")
    for _ in range(300):
        y = y + 1.0
    bundle = y._repr_mimebundle_()
    assert set(bundle) == {"text/plain"} and "max_nodes=200" in bundle["text/plain"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX PATH")
def test_pdf_needs_a_system_dot(tmp_path, monkeypatch):
    pure = render.find_dot()
    if pure is None or not render.is_pure(pure):
        pytest.skip("graphviz-pure is not the renderer here")
    monkeypatch.setenv("MEMOGRAD_DOT", str(pure))
    monkeypatch.setenv("PATH", str(tmp_path))  # no system dot
    *_, z = x_times_y_plus_x()
    with pytest.raises(render.RendererNotFound,
                       match=r"cannot write pdf.*apt-get install graphviz.*brew install graphviz"):
        draw(z).pipe(format="pdf")


# -- saving pictures and the command line ------------------------------------------------


@needs_renderer
def test_save_picks_the_format_from_the_suffix_and_writes_atomically(tmp_path):
    *_, z = x_times_y_plus_x()
    svg = save(z, tmp_path / "g.svg")
    png = save(z, tmp_path / "g.png")
    assert "<svg" in svg.read_text() and png.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.png", "g.svg"]
    umask = os.umask(0)
    os.umask(umask)
    assert svg.stat().st_mode & 0o777 == 0o666 & ~umask  # like any new file, not mkstemp's 0600
    with pytest.raises(ValueError, match="cannot tell the format"):
        save(z, tmp_path / "graph")
    with pytest.raises(OSError, match="cannot write"):
        save(z, tmp_path / "no" / "g.svg")


@needs_renderer
def test_cli_trace_writes_svg_and_png(tmp_path, capsys):
    from autograd.cli import main

    svg, png = tmp_path / "t.svg", tmp_path / "t.png"
    assert main(["trace", "x*y + x", "--at", "x=2", "y=3", "--svg", str(svg),
                 "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {svg}\nwrote {png}\n" in out and "x*y + x  +" in out
    text = svg.read_text()
    # the memo, not .grad (trace does not call backward): dC/dx = 4, dC/dy = 2
    assert ">grad 4</text>" in text and ">grad 2</text>" in text
    assert ">3</text>" in text  # the local derivative d(x*y)/dx = y on its edge
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_cli_trace_picture_errors_are_one_line(tmp_path, capsys, monkeypatch):
    from autograd.cli import main

    assert main(["trace", "x*y", "--at", "x=1", "y=2", "--svg", str(tmp_path / "no/t.svg")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err and "no/t.svg" in err
    monkeypatch.setenv("MEMOGRAD_DOT", str(tmp_path / "nothing"))
    assert main(["trace", "x*y", "--at", "x=1", "y=2", "--png", str(tmp_path / "t.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install graphviz-pure" in err
    render.configure()


# -- the picture in the README -----------------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs"


def svg_texts(svg: str) -> list[str]:
    import html

    return sorted(html.unescape(t) for t in re.findall(r">([^<>]+)</text>", svg))


@needs_renderer
def test_docs_picture_is_what_its_command_draws(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_graph", DOCS / "make_graph.py")
    make_graph = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_graph)
    fresh = save(make_graph.course_net(), tmp_path / "fresh.svg", show_local=True)
    committed = (DOCS / "course-net.svg").read_text(encoding="utf-8")
    # compare the words and numbers, not coordinates (those may move between renderer versions)
    assert svg_texts(committed) == svg_texts(fresh.read_text(encoding="utf-8")), \
        "docs/course-net.svg is stale: run python docs/make_graph.py"
    texts = svg_texts(committed)
    # the course's worked figure: z = [4, -2], a = σ(z) ≈ [0.98, 0.12]
    for number in ("data 4", "data -2", "data 0.982", "data 0.1192"):
        assert number in texts
    assert texts.count("σ") == 2 and "layers.0.neurons.1" in texts


def test_importing_autograd_does_not_import_graphviz():
    code = ("import sys, autograd; from autograd import draw, walkthrough; "
            "print(sorted(m for m in ('graphviz', 'playwright') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- any label at all ---------------------------------------------------------------------

HOSTILE_LABELS = [
    "<!--", "-->", "<!-- x -->", "</script>", "<script>alert(1)</script>", "<b>bold</b>", "<>",
    "]]>", "'", '"', "a\"b'c", "{", "}", "{}", "[x]", ";", "a=b",
    "\\", "a\\", "\\\\", "a\\\"b", "\\N \\G \\E \\T \\H \\L", "\\n \\l \\r",
    "&", "&amp;", "&lt;b&gt;", "&#92;N", "&#x41;",
    "nul\x00", "esc\x1b[31m", "cr\r", "nl\n", "tab\t", "del\x7f", "c1\x85", "\x00\x01\x1f",
    "\ud800", "lone \udfff", "\udbff\udc00", "\ufffe\uffff", "\u2028\u2029",
    "x" * 10_000, "مرحبا بالعالم", "😀👨\u200d👩\u200d👧", "漢字かな", "\u202eevil", "\ufeffbom",
    "node", "graph", "subgraph", "-", " ", "  two  spaces ",
]
"""Labels that are awkward somewhere: in HTML, in DOT strings, in JSON inside a
script element, in XML, in UTF-8. Each must be drawn (and shown in the page) literally."""

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


def thrice_labelled(label: str) -> Value:
    """``y = x * k`` with the parameter, the constant and the output all labelled ``label``:
    the label lands in an HTML cell, a plain label, HTML and edge tooltips."""
    from autograd.value import Constant

    y = Value(2.0, label) * Constant(3.0, label)
    y.label = label
    return y


def svg_text_and_tooltips(svg: bytes) -> tuple[list[str], list[str]]:
    """The texts and the tooltips of an SVG, as a viewer shows them (the renderer keeps
    runs of spaces with no-break spaces, which we read back as spaces)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)  # also proves the SVG is well-formed XML
    assert not list(root.iter(SVG + "script")) and not list(root.iter(SVG + "foreignObject"))
    texts = ["".join(t.itertext()).replace("\xa0", " ") for t in root.iter(SVG + "text")]
    tips = [a.get(XLINK_TITLE, "").replace("\xa0", " ") for a in root.iter(SVG + "a")]
    return texts, tips


def test_visible_spells_out_what_a_renderer_cannot_take():
    assert visible("nl\n tab\t nul\x00 esc\x1b del\x7f c1\x85") == \
        "nl\\n tab\\t nul\\x00 esc\\x1b del\\x7f c1\\x85"
    assert visible("\ud800 \ufffe") == "\\ud800 \\ufffe"
    for kept in ("<!-- \"'{}\\ &amp;", "مرحبا 😀 漢字 \u2028 \u202e \u200d", "x" * 1000):
        assert visible(kept) == kept


@pytest.mark.parametrize("label", HOSTILE_LABELS, ids=ascii)
def test_any_label_gives_dot_text_a_renderer_can_read(label):
    source = draw(thrice_labelled(label), show_local=True).source
    source.encode("utf-8")  # no lone surrogates
    assert not [c for c in source if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"]
    assert "\ufffe" not in source and "\uffff" not in source
    if label.strip():
        cell = visible(label)[:37] + "..." if len(label) > 40 else visible(label)
        escaped = html.escape(cell.replace("\\", "\\\\"))
        assert source.count(f"<TD>{escaped}</TD>") == 2  # the parameter and the output


@needs_renderer
@pytest.mark.parametrize("label", HOSTILE_LABELS, ids=ascii)
def test_any_label_renders_literally(label):
    texts, tips = svg_text_and_tooltips(
        draw(thrice_labelled(label), show_local=True).pipe(format="svg"))
    shown = visible(label if len(label) <= 40 else label[:37] + "...")
    if label.strip():
        assert texts.count(shown) == 3, texts  # parameter, constant, output
    for tip in (f"memo entry dC/d({shown}) = 0", f"local derivative d({shown})/d({shown}) = 3",
                f"local derivative d({shown})/d({shown}) = 2"):
        assert tip in tips, tips
    png = draw(thrice_labelled(label)).pipe(format="png")  # drawn from ASCII labels
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(not HAS_RENDERER or not render.is_pure(render.find_dot()),
                    reason="the ASCII labels are for graphviz-pure's PNG only")
@pytest.mark.parametrize("label", ["\uff02", "\uff3c", "\uff1c", "\uff06"], ids=ascii)
def test_fullwidth_punctuation_in_a_png(label):
    """ascii_text runs after escaping: a fullwidth ＂ ＼ ＜ ＆ becomes '?', never DOT syntax."""
    png = draw(thrice_labelled(label)).pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert render.ascii_text(label) == "?"


@needs_renderer
def test_hostile_labels_in_clusters_highlights_and_collapsed_neurons():
    from autograd import sum as vsum

    labels = ["l.0.n.0.w.0", "l.0.n.0.b", "a.².b.c", "a.².b.d", "l.0.n.1.\\", 'l.0."q"']
    xs = [Value(float(i + 1), label) for i, label in enumerate(labels)]
    out = vsum(x * x for x in xs)
    out.label = "</script>\\"
    step = list(steps(out))[2]
    for g in (draw(out), draw(out, highlight=step), draw(out, highlight=xs[2]),
              draw(out, collapse=True)):
        svg_text_and_tooltips(g.pipe(format="svg"))
    texts, _ = svg_text_and_tooltips(draw(out).pipe(format="svg"))
    # "²" is a digit but no index (int() refuses it), so a.².b is one box, not a layer's
    assert cluster_path("a.².b.c") == ("a.².b",)
    assert {"l.0", "l.0.n.0", "a.².b", "</script>\\"} <= set(texts)


ANY_TEXT = st.text(st.one_of(
    st.characters(exclude_categories=()),  # every code point, surrogates included
    st.sampled_from("<>&\"'\\{}[]!-/;=\x00\n\r\t\x1b\x7f\x85\ud800\udc00\u2028\ufffe"),
), max_size=50)
"""Random labels, biased towards the characters that need escaping somewhere."""


@needs_renderer
@examples(60)
@given(st.tuples(ANY_TEXT, ANY_TEXT, ANY_TEXT))
def test_random_labels_render_literally(labels):
    from autograd.value import Constant

    x_label, k_label, y_label = labels
    y = (Value(2.0, x_label) * Constant(3.0, k_label)).tanh()
    y.label = y_label
    texts, _ = svg_text_and_tooltips(
        draw(y, show_local=True, cluster=False).pipe(format="svg"))
    for label in labels:
        if label.strip():
            shown = visible(label if len(label) <= 40 else label[:37] + "...")
            assert shown.replace("\xa0", " ") in texts
