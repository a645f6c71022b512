"""Turning a drawing into a picture: finding a ``dot`` program, and ``save()``.

The ``graphviz`` Python package only writes DOT text and runs a ``dot``
executable. memograd depends on the PyPI package ``graphviz-pure`` (one static
binary, ``graphviz-pure``, that speaks ``dot``'s command line) so drawing works
after ``pip install`` alone. That binary is not called ``dot`` and is not on
PATH in an unactivated virtualenv, so we look for it ourselves, in this order:

1. the environment variable ``MEMOGRAD_DOT`` (when set, it alone decides);
2. ``graphviz-pure`` in this interpreter's scripts folder, next to
   ``sys.executable``, in the user scripts folder;
3. ``graphviz-pure`` on PATH;
4. a system ``dot`` on PATH (Graphviz from apt/brew).

graphviz-pure writes SVG and PNG (among others) but no PDF: for formats it
lacks we use a system ``dot`` when there is one. Its PNG draws non-ASCII
glyphs as empty boxes, so ``ready_to_render`` gives it an ASCII copy of the labels;
what that copy could not keep (a Chinese label becomes ``??``) is said twice: a
``PngTextWarning`` naming the characters, and a note at the foot of the picture.
We never call ``graphviz.version()``: it cannot parse graphviz-pure's version.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import sys
import sysconfig
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import check_writable, write_atomically
from ..i18n import display_width
from ..value import Value
from .dot import draw

if TYPE_CHECKING:
    import graphviz

ENV_VAR = "MEMOGRAD_DOT"
PURE = "graphviz-pure"
PURE_FORMATS = frozenset({
    "canon", "dot", "dot_json", "gv", "jpe", "jpeg", "jpg", "json", "json0", "plain",
    "plain-ext", "png", "svg", "xdot", "xdot1.2", "xdot1.4", "xdot_json",
})
"""What graphviz-pure 0.2 can write (its own list, from ``-T?``)."""

RASTER_FORMATS = frozenset({"png", "jpg", "jpeg", "jpe"})

RASTER_SIZE = "40,40"
"""Graphviz ``size`` (inches) given to PNG/JPEG renderings: big graphs shrink to fit."""

INSTALL_HINT = (
    "pip install graphviz-pure (or install Graphviz: apt-get install graphviz / "
    "brew install graphviz), or set MEMOGRAD_DOT to a dot executable"
)


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _script_folders() -> list[Path]:
    """Where pip puts console scripts for this interpreter, most specific first."""
    folders = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    with contextlib.suppress(KeyError):  # a Python built without user schemes
        folders.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    seen: list[Path] = []
    for f in folders:
        if f and Path(f) not in seen:
            seen.append(Path(f))
    return seen


def _pure_in(folder: Path) -> Path | None:
    for name in (PURE, PURE + ".exe"):
        candidate = folder / name
        if _executable(candidate):
            return candidate
    return None


def find_dot() -> Path | None:
    """The dot-compatible program drawing will use, or None when there is none.

    >>> find_dot() is None or find_dot().exists()
    True
    """
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        path = Path(chosen).expanduser()
        if _executable(path):
            return path
        found = shutil.which(chosen)  # a bare command name such as "dot"
        return Path(found) if found else None
    for folder in _script_folders():
        pure = _pure_in(folder)
        if pure:
            return pure
    for name in (PURE, "dot"):
        on_path = shutil.which(name)
        if on_path:
            return Path(on_path)
    return None


def is_pure(program: Path) -> bool:
    """Whether ``program`` is graphviz-pure (judged by its file name)."""
    return program.name.lower().startswith(PURE)


def system_dot() -> Path | None:
    """A real Graphviz ``dot`` on PATH, if any (for formats graphviz-pure lacks)."""
    found = shutil.which("dot")
    return Path(found) if found and not is_pure(Path(found)) else None


class RendererNotFound(RuntimeError):
    """No program can render this format; the message says what to install."""


def missing_message() -> str:
    """One line saying why no renderer was found and how to get one."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return f"{ENV_VAR}={chosen!r} is not an executable file; {INSTALL_HINT}"
    return f"no Graphviz renderer found (looked for graphviz-pure and dot); {INSTALL_HINT}"


def dot_for(format: str) -> Path:
    """The program that renders ``format``; RendererNotFound with an install hint if none."""
    program = find_dot()
    if program is None:
        raise RendererNotFound(f"cannot render {format}: {missing_message()}")
    if is_pure(program) and format.split(":")[0] not in PURE_FORMATS:
        real = system_dot()
        if real is None:
            raise RendererNotFound(
                f"graphviz-pure cannot write {format}; install Graphviz for it "
                "(apt-get install graphviz / brew install graphviz), or write svg or png"
            )
        return real
    return program


def use_dot(program: Path) -> None:
    """Point the ``graphviz`` package at ``program`` (its module-level DOT_BINARY)."""
    from graphviz.backend import dot_command

    dot_command.DOT_BINARY = program


def configure() -> Path | None:
    """Find a renderer and point the ``graphviz`` package at it; returns it (None if none).

    After this, plain ``graphviz.Digraph(...).render()`` works too.
    """
    program = find_dot()
    if program is not None:
        use_dot(program)
    return program


# -- rendering a drawing ------------------------------------------------------------

_ASCII = {"σ": "sigmoid", "Σ": "sum", "∂": "d", "∇": "grad", "·": "*", "×": "x",
          "…": "...", "−": "-", "→": "->", "≈": "~"}


class PngTextWarning(UserWarning):
    """A PNG could not show some characters of its labels: they were replaced."""


def ascii_text(text: str, replaced: dict[str, str] | None = None) -> str:
    """``text`` with the course's symbols spelled in ASCII (graphviz-pure's PNG
    has glyphs for ASCII only); other characters lose their accents or become '?'.
    Each of those is recorded in ``replaced`` (character -> what was drawn instead);
    the course's symbols, spelled faithfully, are not.

    >>> seen = {}; ascii_text("σ(z) · ∂C/∂z, café, 权重", seen), seen
    ('sigmoid(z) * dC/dz, cafe, ??', {'é': 'e', '权': '?', '重': '?'})
    """
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in _ASCII:
            out.append(_ASCII[ch])
        else:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            # a fullwidth ＂ ＼ ＜ ＆ must not turn into DOT or HTML syntax after escaping
            shown = plain if plain and not set(plain) & set('"\\<>&') else "?"
            out.append(shown)
            if replaced is not None:
                replaced[ch] = shown
    return "".join(out)


def replacement_note(replaced: dict[str, str], per_line: int = 8) -> list[str]:
    """What a PNG's ASCII labels lost, as lines of ASCII (they go into the picture):
    for each thing drawn instead, the code points of the characters it stands for.

    >>> for line in replacement_note({"权": "?", "é": "e", "重": "?"}): print(line)
    note: this PNG renderer draws ASCII only; save as SVG to see every label
    ? stands for U+6743 U+91CD
    e stands for U+00E9
    """
    by_shown: dict[str, list[str]] = {}
    for ch, shown in replaced.items():
        by_shown.setdefault(shown, []).append(f"U+{ord(ch):04X}")
    lines = ["note: this PNG renderer draws ASCII only; save as SVG to see every label"]
    for shown, codes in by_shown.items():
        for k in range(0, len(codes), per_line):
            lead = f"{shown} stands for" if k == 0 else " " * len(f"{shown} stands for")
            lines.append(f"{lead} {' '.join(codes[k:k + per_line])}")
    return lines


_CELL = re.compile(r'<TD((?: [A-Z]+="[^"]*")*)>((?:<B>)?)([^<]*)((?:</B>)?)</TD>')


def widen_cells(line: str) -> str:
    """A DOT line whose table cells holding wide characters (Chinese) get a WIDTH.

    graphviz-pure measures such a character as about 0.8 of its width and places the
    text's start by that measure, so the text would run over the cell's right edge:
    each cell gets room for 1.2 em per wide character (0.6 per other), at the line's
    ``fontsize`` (11, the nodes' default, if it has none). WIDTH is a minimum.

    >>> widen_cells('<TD>权重</TD><TD>data 2</TD>')
    '<TD WIDTH="32">权重</TD><TD>data 2</TD>'
    """
    size = float(m.group(1)) if (m := re.search(r'fontsize="?([\d.]+)', line)) else 11.0

    def widen(cell: re.Match[str]) -> str:
        attrs, bold, text, unbold = cell.groups()
        shown = html.unescape(text)
        wide = sum(display_width(ch) == 2 for ch in shown)
        if not wide or "WIDTH=" in attrs:
            return cell.group()
        ems = 1.2 * wide + 0.6 * (len(shown) - wide)
        return f'<TD{attrs} WIDTH="{round(ems * size) + 6}">{bold}{text}{unbold}</TD>'

    return _CELL.sub(widen, line)


@contextlib.contextmanager
def ready_to_render(drawing: graphviz.Digraph, format: str | None) -> Iterator[None]:
    """Inside the block, the ``graphviz`` package runs the program that renders
    ``format``, and a PNG/JPEG is capped at 40 inches a side and (with graphviz-pure)
    drawn from ASCII labels; characters those lose are named in a ``PngTextWarning``
    and a note under the picture. The drawing and the package are put back afterwards.

    RendererNotFound (with an install hint) when nothing can render ``format``.
    """
    from graphviz.backend import dot_command

    from .dot import FONT

    fmt = (format or drawing.format or "pdf").split(":")[0]
    program = dot_for(fmt)
    attrs = (drawing.graph_attr, drawing.node_attr, drawing.edge_attr)
    saved = drawing.body, [dict(a) for a in attrs], dot_command.DOT_BINARY
    try:
        use_dot(program)
        if is_pure(program):
            # graphviz-pure measures text only in fonts it knows (a list of fonts falls
            # back to Times, narrower than the sans-serif drawn): lay out in Helvetica.
            # Drawing.pipe names the list again in the SVG it gives back.
            for a in attrs:
                if "fontname" in a:
                    a["fontname"] = FONT
            drawing.body = [widen_cells(line) for line in drawing.body]
        if fmt in RASTER_FORMATS:
            # at most 40 inches (3840 pixels) a side: a big graph's PNG stays openable
            drawing.graph_attr.setdefault("size", RASTER_SIZE)
            if is_pure(program):
                replaced: dict[str, str] = {}
                drawing.body = [ascii_text(line, replaced) for line in drawing.body]
                if replaced:
                    _say_replaced(drawing, replaced)
        yield
    finally:
        drawing.body, kept, dot_command.DOT_BINARY = saved
        for a, before in zip(attrs, kept):
            a.clear()
            a.update(before)


def _named(ch: str) -> str:
    """A character as a warning names it: itself and its code point (``权 (U+6743)``),
    or the code point alone for one that does not show (a line separator)."""
    code = f"U+{ord(ch):04X}"
    return f"{ch} ({code})" if ch.isprintable() and not ch.isspace() else code


def _say_replaced(drawing: graphviz.Digraph, replaced: dict[str, str]) -> None:
    """Warn which characters a PNG replaced, and write the same under the picture."""
    pairs = ", ".join(f"{_named(ch)} -> {to}" for ch, to in replaced.items())
    warnings.warn(f"graphviz-pure draws ASCII only in a PNG: replaced {pairs}; save as SVG, "
                  "or install Graphviz and a CJK font (apt-get install graphviz "
                  "fonts-noto-cjk) and set MEMOGRAD_DOT=dot, to see them",
                  PngTextWarning, stacklevel=5)  # the caller of pipe()
    # a node, not a graph label: the layout makes room for a node however long its text
    rows = "".join(f'<TR><TD ALIGN="LEFT">{html.escape(line)}</TD></TR>'
                   for line in replacement_note(replaced))
    drawing.body.append(f'\tpng_note [label=<<TABLE BORDER="0" CELLSPACING="0">{rows}</TABLE>> '
                        'shape=plain fontsize=9 fontcolor="#b91c1c"]\n')


def save(root: Value, path: str | os.PathLike, format: str | None = None,
         **options: Any) -> Path:
    """Draw ``root`` (``options`` as for ``draw``) and write the picture to ``path`` as
    ``autograd.files.write_atomically`` does (a symlink's target, atomically, keeping
    its permissions; a device or FIFO in place); the format comes from the suffix
    (``.svg``, ``.png``) unless given.

    RendererNotFound (with an install hint) when nothing can render that format; an
    OSError naming ``path`` when it cannot be written, raised before drawing.
    """
    check_writable(path)  # before the drawing, which can take a while
    fmt = (format or Path(path).suffix.lstrip(".")).lower()
    if not fmt:
        raise ValueError(f"save: cannot tell the format of {os.fspath(path)!r}; "
                         "add .svg or .png")
    return write_atomically(path, draw(root, **options).pipe(format=fmt))
