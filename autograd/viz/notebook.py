"""Showing graphs in Jupyter: a drawing displays inline, and so does a Value.

``draw()`` returns a ``Drawing``: a ``graphviz.Digraph`` that finds its
renderer before rendering (see ``render.py``) and, when nothing can render,
displays a one-line hint and its DOT text instead of a traceback.
``Value._repr_mimebundle_`` and ``Value._repr_svg_`` call ``mimebundle`` and
``svg`` below, so a Value on the last line of a cell shows its graph.

A whole page (the walkthrough, a quiz) displays as an ``InlinePage``: the page
inside an ``<iframe srcdoc="...">`` sandboxed to scripts only, so its styles
cannot restyle the notebook, its scripts cannot reach the notebook's document,
and several pages in one notebook each keep their own state.
"""

from __future__ import annotations

import functools
import html
import os
import re
from pathlib import Path
from typing import Any

from ..files import write_atomically
from ..i18n import _
from ..value import Value
from .dot import draw
from .render import RendererNotFound, ready_to_render


@functools.cache
def drawing_class() -> type:
    """``Drawing``, the class of what ``draw`` returns. Built on first use so that
    importing autograd never imports graphviz."""
    import graphviz

    class Drawing(graphviz.Digraph):
        def pipe(self, format: str | None = None, *args: Any, **kwargs: Any) -> Any:
            if not args:  # graphviz-pure warns about glyph widths of σ, Σ; errors still raise
                kwargs.setdefault("quiet", True)
            with ready_to_render(self, format):
                out = super().pipe(format, *args, **kwargs)
            return with_fonts(out, self.node_attr.get("fontname", ""))

        def render(self, filename: Any = None, directory: Any = None, view: bool = False,
                   cleanup: bool = False, format: str | None = None, **kwargs: Any) -> str:
            kwargs.setdefault("quiet", True)
            with ready_to_render(self, format):
                written = super().render(filename, directory=directory, view=view,
                                         cleanup=cleanup, format=format, **kwargs)
            if str(written).endswith(".svg"):  # name the drawing's fonts, as pipe() does
                path = Path(written)
                path.write_bytes(with_fonts(path.read_bytes(), self.node_attr.get("fontname", "")))
            return written

        def __repr__(self) -> str:  # no memory address: rebuilt notebooks stay unchanged
            return f"<autograd.viz Drawing: {len(self.body)} DOT statements>"

        def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                              **kwargs: Any) -> dict:
            try:
                return super()._repr_mimebundle_(include, exclude, **kwargs)
            except (RendererNotFound, graphviz.ExecutableNotFound,
                    graphviz.CalledProcessError) as e:
                return {"text/plain": fallback_text(str(e), self.source)}

    Drawing.__module__ = __name__
    return Drawing


def with_fonts(picture: Any, fonts: str) -> Any:
    """An SVG laid out in one font (``ready_to_render`` gives graphviz-pure Helvetica)
    naming the drawing's list of fonts again, so a viewer picks a CJK font from it;
    anything else (a PNG, the list already there) as it is."""
    if "," not in fonts:
        return picture
    # graphviz-pure writes Helvetica as "Helvetica,sans-Serif"; a real dot, the list itself
    first = re.compile(r'font-family="' + re.escape(fonts.split(",")[0]) + r'(,sans-Serif)?"')
    named = f'font-family="{fonts}"'
    if isinstance(picture, str):
        return first.sub(lambda m: named, picture)
    if isinstance(picture, bytes) and b"<svg" in picture[:1000]:
        return first.sub(lambda m: named, picture.decode("utf-8")).encode("utf-8")
    return picture


def fallback_text(reason: str, source: str) -> str:
    """What Jupyter shows when the graph cannot be rendered: one hint line (in the
    language in force; the reason, an exception's text, stays English), then the DOT."""
    first = reason.splitlines()[0] if reason else _("cannot render")
    return _("[memograd: graph not rendered: {reason}]").format(reason=first) + "\n" + source


def mimebundle(root: Value, include: Any = None, exclude: Any = None) -> dict:
    """``Value._repr_mimebundle_``: the graph as SVG, or a hint plus DOT text, or
    (for a graph too big to draw) the reason in one line; never a traceback."""
    try:
        drawing = draw(root)
    except ValueError as e:
        return {"text/plain": f"{root!r}\n[memograd: {e}]"}
    bundle = drawing._repr_mimebundle_(include, exclude)
    if "image/svg+xml" in bundle:
        bundle.setdefault("text/plain", repr(root))
    return bundle


def svg(root: Value) -> str | None:
    """``Value._repr_svg_``: the graph as SVG text, or None when it cannot be rendered."""
    bundle = mimebundle(root, include=["image/svg+xml"])
    return bundle.get("image/svg+xml")


IFRAME_HEIGHT = 640
"""Pixels: room for the controls and a graph of a few layers; ``.height`` changes it."""


def iframe(page: str, height: int = IFRAME_HEIGHT, title: str = "memograd") -> str:
    """``page`` (a whole HTML document) as one ``<iframe>`` element for a notebook.

    ``srcdoc`` holds the page with ``&``, ``<``, ``>`` and both quotes escaped, so
    nothing in it can end the attribute; ``sandbox="allow-scripts"`` lets the page's
    own script run but gives it an opaque origin: no access to the notebook's DOM,
    cookies or storage, no forms, pop-ups or navigation of the notebook.
    """
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
            f'title="{html.escape(title, quote=True)}" '
            f'style="width: 100%; height: {int(height)}px; border: 1px solid #e5e7eb;">'
            "</iframe>")


class InlinePage:
    """A standalone HTML page (``.html``) that Jupyter shows inline in an iframe
    (``iframe``) and ``.save(path)`` writes as a file that works offline."""

    def __init__(self, page: str, title: str, height: int = IFRAME_HEIGHT) -> None:
        self.html = page
        self.title = title
        self.height = height

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (atomically, see ``autograd.files``) and return the path."""
        return write_atomically(path, self.html)

    def _repr_html_(self) -> str:
        return iframe(self.html, self.height, self.title)

    def __repr__(self) -> str:  # no memory address: rebuilt notebooks stay unchanged
        return (f"<autograd.viz {type(self).__name__}: {self.title!r}, "
                f"{len(self.html):,} characters>")


def __getattr__(name: str) -> Any:
    """``autograd.viz.notebook.Drawing``, built when first asked for."""
    if name == "Drawing":
        return drawing_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
