"""Draw a computation graph with its numbers: ``draw(loss)`` -> a ``graphviz.Digraph``.

One box per Value (label, data, grad to 4 significant digits), one small op
node (``*``, ``+``, ``tanh``, ``dot``, ...) between an operation's inputs and
its output, as in the lecture drawings. ``show_local=True`` writes the local
derivative d(output)/d(input) from the forward pass on each input edge.

DOT node names are stable: ``v7`` is the Value at position 7 of
``topological_order(root)``, ``o7`` its op node, ``e7_0`` the edge from its
first parent to ``o7``, ``e7`` the edge from ``o7`` to ``v7``; each also
becomes the ``id`` of its SVG element (the grad cell's is ``a_v7_grad``), which
the walkthrough page (``page.py``) uses to re-colour one SVG.

Labels may hold any text and are drawn literally. Each is written through
``visible`` (control characters, lone surrogates and noncharacters become Python
escapes such as ``\\n`` or ``\\x00``, so the renderer never sees bytes it
rejects), then escaped for where it goes: ``_esc`` in HTML-like labels, ``_plain``
in quoted labels and tooltips, whose backslashes and entities graphviz would read.

The legend and tooltips are in the language in force or ``draw(..., lang=)``
(``autograd.i18n``). A drawing in Chinese, or with a label in Chinese, Japanese or
Korean, names a font stack with CJK fonts (``CJK_FONTS``), so the SVG picks one
the viewer has.

This module writes DOT text only; ``render.py`` turns it into pictures. The
``graphviz`` package is imported only when something is drawn.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..autodiff import topological_order
from ..explain.text import op_text
from ..i18n import N_, _, display_width, get_language, ngettext, use_language
from ..value import Constant, Value

if TYPE_CHECKING:
    import graphviz

MAX_NODES = 200
"""Default ``max_nodes``: above it ``draw`` collapses neurons, or refuses."""

LABEL_WIDTH = 40

COLOURS = {
    "parameter": "#dbeafe",  # leaves that are Values: weights, biases, inputs
    "output": "#dcfce7",
    "node": "#ffffff",
    "op": "#f3f4f6",
    "constant": "#6b7280",  # text colour of numbers used in operations
    "highlight": "#fde68a",  # the highlighted node
    "highlight_pen": "#d97706",
    "memo": "#f59e0b",  # the memo entry the highlighted Step fills
    "edge": "#6b7280",
    "cluster": "#9ca3af",
    "pending": "#9ca3af",  # memo entries not filled yet
}

PENDING = "pending"
"""Marks a memo entry the backward pass has not reached yet."""

LEGEND = (
    ("parameter", N_("parameter or input")),
    ("constant", N_("constant")),
    ("output", N_("output")),
    ("op", N_("operation")),
    ("highlight", N_("highlighted step")),
)
"""The legend's rows: a colour and what it marks (translated where it is drawn)."""

FONT = "Helvetica"
"""The drawing's font when all its text is Latin: graphviz-pure has its metrics."""

CJK_FONTS = {
    "zh-CN": ("Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei"),
    "zh-TW": ("Noto Sans CJK TC", "Source Han Sans TC", "PingFang TC", "Microsoft JhengHei"),
}
"""Fonts with Chinese glyphs for each language, on Linux, Adobe's release, macOS and
Windows; the Simplified ones for a Chinese label in an English drawing."""


def font_stack(lang: str | None = None, text: str = "") -> tuple[str, ...]:
    """The fonts to ask for, first choice first, ending with ``sans-serif``: the Latin
    font, then CJK fonts when ``lang`` is Chinese or ``text`` holds a wide character.

    >>> font_stack("en"), font_stack("zh-TW")[:2]
    (('Helvetica',), ('Helvetica', 'Noto Sans CJK TC'))
    """
    lang = get_language(lang)
    if lang not in CJK_FONTS and display_width(text) == len(text):
        return (FONT,)  # English and no wide character: one font, as before
    return (FONT, *CJK_FONTS.get(lang, CJK_FONTS["zh-CN"]), "sans-serif")


# A dotted name: a name, then dotted parts (``layers.0.neurons.3.w.1``); or, as in a
# top-level Sequential, indices first and then a name (``0.neurons.3.w.1``, ``1.a.3``).
# A number such as ``1.5`` or ``1.5e3`` has no name after its indices: no box.
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+|\d+(?:\.\d+)*\.[A-Za-z_]\w*(?:\.\w+)*")


def short_number(x: float) -> str:
    """``x`` to 4 significant digits, as the drawing shows it (never ``-0``).

    >>> short_number(0.70710678), short_number(4.0), short_number(-0.0), short_number(12345.6)
    ('0.7071', '4', '0', '1.235e+04')
    """
    text = f"{x:.4g}"
    return "0" if text == "-0" else text


def cluster_path(label: str) -> tuple[str, ...]:
    """The boxes a node with this dotted label belongs to, outermost first.

    The innermost box drops the label's trailing indices and its last name
    (``layers.0.neurons.3.w.1`` and ``layers.0.neurons.3.z`` both give the
    neuron ``layers.0.neurons.3``); outer boxes repeat that while the result
    still ends with an index (the layer ``layers.0``).

    >>> cluster_path("layers.0.neurons.3.w.1")
    ('layers.0', 'layers.0.neurons.3')
    >>> cluster_path("h1.b"), cluster_path("x.0"), cluster_path("0.5*x")
    (('h1',), (), ())
    """
    if not _DOTTED.fullmatch(label):
        return ()

    def up(parts: list[str]) -> list[str]:
        i = len(parts)
        while i and parts[i - 1].isdecimal():
            i -= 1
        return parts[: max(i - 1, 0)]

    parts = up(label.split("."))
    path: list[str] = []
    while parts and (not path or parts[-1].isdecimal()):
        path.append(".".join(parts))
        parts = up(parts)
    return tuple(reversed(path))


def _clusters(order: list[Value]) -> list[tuple[str, ...]]:
    """Each node's box path. A labelled node's comes from its label; an
    unlabelled one joins the box all its consumers share (the unlabelled ``dot``
    inside a neuron joins the neuron; a number used by that neuron too)."""
    position = {v: i for i, v in enumerate(order)}
    consumers: list[set[tuple[str, ...]]] = [set() for _ in order]
    paths: list[tuple[str, ...]] = [()] * len(order)
    for i in range(len(order) - 1, -1, -1):
        v = order[i]
        if v.label and not isinstance(v, Constant):
            paths[i] = cluster_path(v.label)
        elif len(consumers[i]) == 1:
            (paths[i],) = consumers[i]
        for p in v.parents:
            consumers[position[p]].add(paths[i])
    return paths


def _natural(path: tuple[str, ...]) -> tuple:
    """Sort key putting ``layers.2`` before ``layers.10``. isdecimal, not isdigit: ``²``
    is a digit that int() refuses."""
    return tuple(tuple((0, int(t), "") if t.isdecimal() else (1, 0, t) for t in name.split("."))
                 for name in path)


_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
"""Characters a label shows as escapes: C0/C1 controls and DEL (graphviz's parser and
XML reject most), lone surrogates (no UTF-8 for them) and the BMP noncharacters
(invalid in the XML of HTML-like labels)."""


def visible(text: str) -> str:
    r"""``text`` with each control character, lone surrogate or noncharacter
    spelled as Python would in a string literal; everything else unchanged.

    >>> visible("a\nb\x00\x1b\ud800"), visible("x² → 😀")
    ('a\\nb\\x00\\x1b\\ud800', 'x² → 😀')
    """
    return _INVISIBLE.sub(lambda m: repr(m.group())[1:-1], text)


def _esc(text: str) -> str:
    """``text`` for an HTML-like label (a cell, or a TOOLTIP attribute): visible,
    backslashes doubled (graphviz reads ``\\N`` in a cell as the node's name), escaped."""
    return html.escape(visible(text).replace("\\", "\\\\"), quote=True)


def _plain(text: str, tooltip: bool = False) -> str:
    """``text`` for a label or tooltip the graphviz package will quote (it escapes the
    quotes): visible, ``&`` as ``&amp;`` (graphviz decodes entities in labels too),
    backslashes doubled, or doubled twice in a tooltip, which graphviz unescapes twice.
    ``nohtml``: a label such as ``<b>`` is text, not an HTML-like label."""
    import graphviz

    backslash = "\\\\\\\\" if tooltip else "\\\\"
    return graphviz.nohtml(visible(text).replace("\\", backslash).replace("&", "&amp;"))


def dot_string(text: str) -> str:
    r"""``text`` as a quoted DOT label that graphviz shows literally (``_plain``, quoted).

    >>> print(dot_string('say "hi" & \\N \\'))
    "say \"hi\" &amp; \\N \\"
    """
    return '"' + _plain(text).replace('"', '\\"') + '"'


def _short(text: str) -> str:
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 3] + "..."


def _tooltip_name(i: int, v: Value) -> str:
    """How a node is named in tooltips: its label, else its DOT name ``v7``."""
    return _short(v.label) if v.label else f"v{i}"


def _op_text(v: Value) -> str:
    return op_text(v, short_number)  # the one helper the explanations use too: **3, Σ+1


@dataclass
class _Style:
    fill: str
    pen: str = "#374151"
    memo_fill: str = ""
    pen_width: int = 1


def _value_label(i: int, v: Value, shown: str, grad: float | str | None, style: _Style) -> str:
    """The HTML table of one Value. ``grad`` None: no grad cell; PENDING: an entry
    the backward pass has not filled yet (shown as a grey ?)."""
    cells = []
    if shown:
        cells.append(f"<TD>{_esc(_short(shown))}</TD>")
    cells.append(f"<TD>data {short_number(v.data)}</TD>")
    if isinstance(grad, str):  # PENDING, the only string
        cells.append(f'<TD ID="v{i}_grad" TOOLTIP="{_esc(_("memo entry not filled yet"))}">'
                     f'<FONT COLOR="{COLOURS["pending"]}">grad ?</FONT></TD>')
    elif grad is not None:
        tip = _esc(_("memo entry dC/d({name}) = {value}").format(
            name=_tooltip_name(i, v), value=f"{grad:.10g}"))
        fill = f' BGCOLOR="{style.memo_fill}"' if style.memo_fill else ""
        cells.append(f'<TD ID="v{i}_grad" TOOLTIP="{tip}"{fill}>grad {short_number(grad)}</TD>')
    return (f'<<TABLE BORDER="{style.pen_width - 1}" CELLBORDER="1" CELLSPACING="0" '
            f'CELLPADDING="3" BGCOLOR="{style.fill}" COLOR="{style.pen}"><TR>'
            + "".join(cells) + "</TR></TABLE>>")


def _highlight_parts(highlight: object, position: Mapping[Value, int]):
    """(node, grad or None, contribution children, memo or None) for a Value or a Step."""
    if highlight is None:
        return None, None, (), None
    if isinstance(highlight, Value):
        node, grad, children, memo = highlight, None, (), None
    elif (hasattr(highlight, "node") and hasattr(highlight, "grad")
          and hasattr(highlight, "contributions")):
        node, grad = highlight.node, highlight.grad
        children = tuple(c.child for c in highlight.contributions)
        memo = getattr(highlight, "memo", None)
    else:
        kind = type(highlight).__name__
        raise TypeError(f"draw: highlight must be a Value or a Step, got {kind}")
    if node not in position:
        raise ValueError(f"draw: highlight {node!r} is not in the graph being drawn")
    return node, grad, children, memo


def _open_cluster(g: Any, cluster_id: int, name: str, depth: int) -> None:
    pad = "\t" * depth
    g.body.append(f"{pad}subgraph cluster_{cluster_id} {{\n")
    g.body.append(f'{pad}\tid="c{cluster_id}" label={dot_string(name)} '
                  f'color="{COLOURS["cluster"]}" fontcolor="#4b5563" fontsize=10 '
                  'style="rounded,dashed"\n')


def draw(
    root: Value,
    *,
    show_grad: bool = True,
    show_local: bool = False,
    highlight: object = None,
    rankdir: str = "LR",
    cluster: bool = True,
    max_nodes: int = MAX_NODES,
    collapse: bool | None = None,
    grads: Mapping[Value, float] | None = None,
    legend: bool = True,
    lang: str | None = None,
) -> graphviz.Digraph:
    """The graph of ``root`` as a ``graphviz.Digraph`` (``.source`` is the DOT text;
    ``.render(...)``, ``.pipe(...)`` and Jupyter display work as graphviz users expect).

    - ``show_grad``: a grad cell per node showing ``.grad`` (or ``grads[node]``,
      e.g. ``grads=memo_table(root)``).
    - ``show_local``: label each input edge with d(output)/d(input).
    - ``highlight``: a Value, or a ``Step`` from ``autograd.steps``: its node, its
      memo entry (the Step's grad) and the edges of its contributions.
    - ``cluster``: box the nodes of one neuron/layer, known from dotted labels
      such as ``layers.0.neurons.3.w.1``.
    - ``max_nodes``: above this many Values each neuron box collapses into one
      node (``collapse=True`` forces it, ``False`` forbids it); if that is not
      enough, ValueError saying which ``max_nodes`` would draw the graph.
    - ``lang``: the language of the legend and tooltips (``"en"``, ``"zh-CN"``,
      ``"zh-TW"``; default: the one in force, see ``autograd.i18n``).

    >>> from autograd import Value
    >>> x = Value(2.0, "x"); y = x * x; y.backward()
    >>> 'grad 4' in draw(y).source
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw: root must be a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw: rankdir must be LR, RL, TB or BT, got {rankdir!r}")
    with use_language(lang):
        return _draw(root, show_grad, show_local, highlight, rankdir, cluster, max_nodes,
                     collapse, grads, legend)


def _draw(root: Value, show_grad: bool, show_local: bool, highlight: object, rankdir: str,
          cluster: bool, max_nodes: int, collapse: bool | None,
          grads: Mapping[Value, float] | None, legend: bool) -> graphviz.Digraph:
    order = topological_order(root)
    position = {v: i for i, v in enumerate(order)}
    highlighted, highlighted_grad, children, memo = _highlight_parts(highlight, position)
    paths: list[tuple[str, ...]] = _clusters(order) if cluster or collapse else [()] * len(order)
    groups = _groups(order, paths, max_nodes, collapse)

    # imported here, not at the top: both modules import this one
    from .notebook import drawing_class
    from .render import configure

    configure()  # point the graphviz package at a renderer, so .pipe() and .render() work
    g = drawing_class()(name="memograd", graph_attr={"rankdir": rankdir})
    # graphviz reads a comma-separated list of fonts, and an SVG keeps it as its font-family
    font = ",".join(font_stack(text="".join(v.label for v in order)))
    g.graph_attr.update(fontname=font, fontsize="10", nodesep="0.15", ranksep="0.3")
    g.node_attr.update(fontname=font, fontsize="11")
    g.edge_attr.update(fontname=font, fontsize="9", color=COLOURS["edge"],
                       fontcolor="#374151", arrowsize="0.6")
    if legend:
        _legend(g, highlight is not None)

    show: Mapping = grads if grads is not None else {}
    if memo is not None and grads is None:  # the memo as it stood after that step
        show = {n: memo[n] if memo.is_filled(n) else PENDING for n in order
                if n in memo}  # a number used in an operation has no memo entry
    prefixes = {path[:k] for path in paths for k in range(1, len(path) + 1)}
    cluster_ids = {p: n for n, p in enumerate(sorted(prefixes, key=_natural))}

    def item_key(i: int) -> tuple:
        path = paths[i] if cluster else ()
        if i in groups:  # a collapsed neuron sits in its layer's box
            path = path[:-1]
        return tuple(cluster_ids[path[:k]] for k in range(1, len(path) + 1)), i

    open_: list[str] = []
    drawn_groups: set[tuple[str, ...]] = set()
    for i in sorted(range(len(order)), key=item_key):
        path = paths[i] if cluster else ()
        if i in groups:
            path = path[:-1]
        while open_ and open_ != list(path[: len(open_)]):
            open_.pop()
            g.body.append("\t" * (len(open_) + 1) + "}\n")
        while len(open_) < len(path):
            open_.append(path[len(open_)])
            _open_cluster(g, cluster_ids[tuple(open_)], open_[-1], len(open_))
        v = order[i]
        start = len(g.body)
        if i in groups:
            key = groups[i]
            if key not in drawn_groups:
                drawn_groups.add(key)
                _group_node(g, key, cluster_ids[key], groups, order, show, highlighted)
                g.body[start:] = ["\t" * len(open_) + line for line in g.body[start:]]
            continue
        shown = v.label
        if cluster and paths[i] and shown.startswith(paths[i][-1] + "."):
            shown = shown[len(paths[i][-1]) + 1:]  # "w.1" inside the box "layers.0.neurons.3"
        _value_node(g, i, v, shown, v is root, highlighted, highlighted_grad, children,
                    show if show_grad else None)
        if v.parents:
            hot = highlighted is not None and v in children
            g.node(f"o{i}", _op_text(v), id=f"o{i}", shape="ellipse", style="filled",
                   fillcolor=COLOURS["highlight"] if hot else COLOURS["op"],
                   color=COLOURS["highlight_pen"] if hot else "#9ca3af",
                   fontsize="10", width="0", height="0", margin="0.04,0.02")
        g.body[start:] = ["\t" * len(open_) + line for line in g.body[start:]]
    while open_:
        open_.pop()
        g.body.append("\t" * (len(open_) + 1) + "}\n")
    _edges(g, order, position, groups, cluster_ids, show_local, highlighted, children)
    return g


def _groups(order: list[Value], paths: list[tuple[str, ...]], max_nodes: int,
            collapse: bool | None) -> dict[int, tuple[str, ...]]:
    """Which nodes collapse into their neuron's node: {node index: neuron path}."""
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw: max_nodes must be a positive int, got {max_nodes!r}")
    n = len(order)
    if collapse is False or (collapse is None and n <= max_nodes):
        if n > max_nodes:
            raise ValueError(
                f"draw: the graph has {n} values, more than max_nodes={max_nodes}; "
                f"pass max_nodes={n} to draw it all, or collapse=True to draw each neuron "
                "as one node"
            )
        return {}
    groups = {i: p for i, p in enumerate(paths) if p}
    shown = n - len(groups) + len(set(groups.values()))
    if shown > max_nodes:
        if not groups:
            raise ValueError(
                f"draw: the graph has {n} values, more than max_nodes={max_nodes}, and no "
                f"neuron labels to collapse; pass max_nodes={n} to draw it all, or draw a "
                "smaller graph"
            )
        raise ValueError(
            f"draw: the graph has {n} values, more than max_nodes={max_nodes}, and still "
            f"{shown} with each neuron collapsed into one node; pass max_nodes={shown} "
            f"(collapsed) or max_nodes={n} (everything), or draw a smaller graph "
            "(one sample's loss)"
        )
    return groups


def _value_node(g: Any, i: int, v: Value, shown: str, is_root: bool,
                highlighted: Value | None, highlighted_grad: float | None, children: tuple,
                show: Mapping | None) -> None:
    current = v is highlighted
    if isinstance(v, Constant) and not current:
        g.node(f"v{i}", _plain(_short(v.label or short_number(v.data))), id=f"v{i}",
               shape="plaintext",
               fontcolor=COLOURS["constant"], fontsize="10", width="0", height="0",
               margin="0.02")
        return
    if current:
        style = _Style(COLOURS["highlight"], COLOURS["highlight_pen"], pen_width=2,
                       memo_fill=COLOURS["memo"] if highlighted_grad is not None else "")
    elif v in children:
        style = _Style(COLOURS["node"], COLOURS["highlight_pen"], pen_width=2)
    elif is_root:
        style = _Style(COLOURS["output"])
    elif v.is_leaf:
        style = _Style(COLOURS["parameter"])
    else:
        style = _Style(COLOURS["node"])
    grad = None
    if show is not None:
        grad = (highlighted_grad if current and highlighted_grad is not None
                else show.get(v, v.grad))
        grad = grad if grad is PENDING else float(grad)
    g.node(f"v{i}", _value_label(i, v, shown, grad, style), id=f"v{i}", shape="plain")


def _group_node(g: Any, key: tuple[str, ...], cluster_id: int, groups: Mapping[int, tuple],
                order: list[Value], show: Mapping, highlighted: Value | None) -> None:
    members = [i for i, k in groups.items() if k == key]
    values = ngettext("{count} value", "{count} values", len(members)).format(count=len(members))
    last = order[max(members)]
    title = key[-1][len(key[-2]) + 1:] if len(key) > 1 else key[-1]  # "neurons.3" in "layers.0"
    out = _esc(_("out {value} grad {grad}").format(
        value=short_number(last.data), grad=_grad_text(show.get(last, last.grad))))
    hot = highlighted is not None and highlighted in (order[i] for i in members)
    label = (f'<<TABLE BORDER="{2 if hot else 1}" CELLBORDER="0" CELLSPACING="0" '
             f'CELLPADDING="2" STYLE="rounded" '
             f'BGCOLOR="{COLOURS["highlight"] if hot else COLOURS["node"]}" '
             f'COLOR="{COLOURS["highlight_pen"] if hot else "#374151"}">'
             f"<TR><TD><B>{_esc(title)}</B></TD></TR>"
             f"<TR><TD>{_esc(values)}</TD></TR>"
             f"<TR><TD>{out}</TD></TR>"
             "</TABLE>>")
    g.node(f"c{cluster_id}", label, id=f"c{cluster_id}", shape="plain")


def _grad_text(grad: float | str) -> str:
    return "?" if isinstance(grad, str) else short_number(grad)  # a string is PENDING


def _edges(g: Any, order: list[Value], position: Mapping[Value, int], groups: Mapping,
           cluster_ids: Mapping, show_local: bool, highlighted: Value | None,
           children: tuple) -> None:
    def name(i: int, op: bool) -> str:
        if i in groups:
            return f"c{cluster_ids[groups[i]]}"
        return f"{'o' if op else 'v'}{i}"

    seen: set[tuple[str, str]] = set()
    hot = {"color": COLOURS["highlight_pen"], "penwidth": "2"}
    for i, v in enumerate(order):
        if not v.parents:
            continue
        out_op = name(i, True)
        for k, (p, local) in enumerate(zip(v.parents, v.local_grads)):
            src = name(position[p], False)
            collapsed = position[p] in groups or i in groups
            if src == out_op or (collapsed and (src, out_op) in seen):
                continue
            seen.add((src, out_op))
            attrs = {"id": f"e{i}_{k}"}
            if show_local and position[p] not in groups and i not in groups:
                attrs["label"] = short_number(local)
                tooltip = _("local derivative d({output})/d({input}) = {value}").format(
                    output=_tooltip_name(i, v), input=_tooltip_name(position[p], p),
                    value=f"{local:.10g}")
                attrs["tooltip"] = _plain(tooltip, tooltip=True)
            if highlighted is not None and p is highlighted and v in children:
                attrs.update(hot)
            g.edge(src, out_op, **attrs)
        dst = name(i, False)
        if dst != out_op and (out_op, dst) not in seen:
            seen.add((out_op, dst))
            attrs = {"id": f"e{i}"}
            if highlighted is not None and v in children:
                attrs.update(hot)
            g.edge(out_op, dst, **attrs)


def _legend(g: Any, with_highlight: bool) -> None:
    """One small table node: a swatch and a word per kind of node."""
    rows = []
    for key, text in LEGEND:
        if key == "highlight" and not with_highlight:
            continue
        if key == "constant":
            swatch = f'<TD><FONT COLOR="{COLOURS["constant"]}">2.5</FONT></TD>'
        else:
            pen = COLOURS["highlight_pen"] if key == "highlight" else "#374151"
            swatch = f'<TD BGCOLOR="{COLOURS[key]}" COLOR="{pen}" BORDER="1">   </TD>'
        rows.append(f'<TR>{swatch}<TD ALIGN="LEFT">{_esc(_(text))}</TD></TR>')
    g.node("legend", '<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1" '
           f'COLOR="{COLOURS["cluster"]}" STYLE="rounded">'
           f'<TR><TD COLSPAN="2"><B>{_esc(_("legend"))}</B></TD></TR>{"".join(rows)}</TABLE>>',
           id="legend", shape="plain", fontsize="9")
