"""Finding a ``dot`` program to turn DOT text into pictures.

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
glyphs as empty boxes, so ``draw.Drawing`` renders PNGs from an ASCII copy.
We never call ``graphviz.version()``: it cannot parse graphviz-pure's version.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import sysconfig
from pathlib import Path

ENV_VAR = "MEMOGRAD_DOT"
PURE = "graphviz-pure"
PURE_FORMATS = frozenset({
    "canon", "dot", "dot_json", "gv", "jpe", "jpeg", "jpg", "json", "json0", "plain",
    "plain-ext", "png", "svg", "xdot", "xdot1.2", "xdot1.4", "xdot_json",
})
"""What graphviz-pure 0.2 can write (its own list, from ``-T?``)."""

RASTER_FORMATS = frozenset({"png", "jpg", "jpeg", "jpe"})

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
        found = _pure_in(folder)
        if found:
            return found
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
