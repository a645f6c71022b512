"""Build the course notebooks from their sources and run them, saving the outputs.

Each lesson's source is a plain Python script in ``notebooks/src/`` written in the
"percent" format that editors (VS Code, Spyder, PyCharm, Jupytext) understand:

    # %% [markdown]
    # ## A title
    # Text of a markdown cell, one ``# `` per line.

    # %%
    x = 1 + 1          # a code cell runs until the next ``# %%``

``python notebooks/build.py`` turns every ``src/NN_name.py`` into ``NN_name.ipynb``,
executes it top to bottom in a fresh kernel of *this* interpreter and writes it
with its outputs (plots as PNG, graphs as SVG). ``python notebooks/build.py 01 05``
builds only the lessons whose names start with those prefixes; ``--check`` only
verifies that every committed notebook's cells equal its source (no kernel).

Needs the ``notebooks`` extra: ``pip install -e ".[notebooks]"``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
KERNEL_NAME = "memograd-python"
CELL_TIMEOUT = 600  # seconds; a lesson that needs this long is a bug in the lesson
_MARKER = re.compile(r"^# %%(?P<rest>.*)$")


# -- sources -> cells --------------------------------------------------------------

def parse_percent(text: str) -> list[tuple[str, str]]:
    """``[(cell_type, source), ...]`` of a percent-format script.

    Text before the first ``# %%`` is ignored (it is for people reading the .py),
    blank lines around a cell are dropped, and markdown lines lose their ``# ``.

    >>> parse_percent("# %% [markdown]\\n# Hi *there*\\n#\\n# %%\\nx = 1\\n\\n")
    [('markdown', 'Hi *there*'), ('code', 'x = 1')]
    """
    cells: list[tuple[str, list[tuple[int, str]]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        m = _MARKER.match(line)
        if m:
            rest = m.group("rest").strip()
            if rest not in ("", "[markdown]"):
                raise ValueError(f"line {number}: unknown cell marker {line!r} "
                                 "(use '# %%' or '# %% [markdown]')")
            cells.append(("markdown" if rest else "code", []))
        elif cells:
            cells[-1][1].append((number, line))
    out = []
    for kind, numbered in cells:
        if kind == "markdown":
            lines = [_unquote(number, line) for number, line in numbered]
        else:
            lines = [line for _, line in numbered]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        out.append((kind, "\n".join(lines)))
    return out


def _unquote(number: int, line: str) -> str:
    if line in ("#", ""):
        return ""
    if line.startswith("# "):
        return line[2:]
    raise ValueError(f"line {number}: a markdown cell's lines must start with '# ': {line!r}")


def source_paths(prefixes: Sequence[str] = ()) -> list[Path]:
    """The lesson sources, in order; with ``prefixes``, those whose names start with one."""
    paths = sorted(SOURCES.glob("[0-9][0-9]_*.py"))
    if prefixes:
        chosen = [p for p in paths if any(p.stem.startswith(x) for x in prefixes)]
        unknown = [x for x in prefixes if not any(p.stem.startswith(x) for p in paths)]
        if unknown:
            raise SystemExit(f"build.py: no lesson source matches {', '.join(unknown)}")
        paths = chosen
    return paths


def notebook_path(source: Path) -> Path:
    """``src/01_function.py`` -> ``01_function.ipynb`` next to this script."""
    return HERE / f"{source.stem}.ipynb"


def make_notebook(source: Path) -> Any:
    """The unexecuted notebook of one lesson source."""
    import nbformat

    try:
        cells = parse_percent(source.read_text(encoding="utf-8"))
    except ValueError as e:
        raise ValueError(f"{source}: {e}") from None
    nb = nbformat.v4.new_notebook()
    for kind, text in cells:
        new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(new(text))
    for i, cell in enumerate(nb.cells):
        cell.id = f"{source.stem[:2]}-{i:02d}"  # stable ids: rebuilding changes no diff
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)",
                                 "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def cells_of(nb: Any) -> list[tuple[str, str]]:
    """``[(cell_type, source), ...]`` of a notebook: what the sync test compares."""
    return [(c.cell_type, c.source) for c in nb.cells]


# -- running -------------------------------------------------------------------------

def kernel_manager(workdir: Path) -> Any:
    """A kernel manager whose kernel is ``sys.executable -m ipykernel_launcher``.

    Not the ``python3`` kernel spec: that one runs whatever ``python`` is first on
    PATH, which need not be the interpreter (and the memograd) being tested.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec_dir = workdir / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--HistoryManager.enabled=False"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "env": {"PYTHONHASHSEED": "0"},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    specs = KernelSpecManager(kernel_dirs=[str(workdir / "kernels")], ensure_native_kernel=False)
    # IPC sockets in the private temp folder: no TCP port, nothing to eavesdrop on.
    # IPC sockets in the private temp folder: no TCP port, nothing to eavesdrop on.
    return KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs,
                         transport="ipc", ip=str(workdir / "kernel"))


def execute(nb: Any, timeout: int = CELL_TIMEOUT, cell_times: list | None = None) -> Any:
    """Run ``nb`` top to bottom in a fresh kernel, in place.

    The kernel's working folder is a new temporary one, so a run leaves nothing
    behind in the repository (and two runs never share files).

    Raises ``nbclient.exceptions.CellExecutionError`` on the first failing cell.
    ``cell_times``, if given, receives (seconds, cell index) for every code cell.
    """
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="memograd-kernel-") as tmp:
        km = kernel_manager(Path(tmp))
        client = NotebookClient(nb, km=km, timeout=timeout, record_timing=False,
                                coalesce_streams=True,  # a progress bar's last state only
                                resources={"metadata": {"path": tmp}})
        if cell_times is not None:
            started = {}
            client.on_cell_execute = lambda cell, cell_index: started.update(
                {cell_index: time.perf_counter()})
            client.on_cell_executed = lambda cell, cell_index, execute_reply: cell_times.append(
                (time.perf_counter() - started[cell_index], cell_index))
        try:
            client.execute()
        finally:  # nbclient leaves a kernel manager it was given running
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    return nb


def write(nb: Any, path: Path) -> None:
    """Write ``nb`` as ``autograd.files.write_atomically`` writes files: through a
    temporary file renamed over the target (a symlink's target), keeping its mode."""
    import nbformat

    from autograd.files import write_atomically

    nbformat.validate(nb)
    text = nbformat.writes(nb)
    write_atomically(path, text if text.endswith("\n") else text + "\n")  # as nbformat.write


def build(sources: Iterable[Path], slowest: int = 0) -> dict[str, float]:
    """Build, run and write each lesson; returns seconds per notebook.
    With ``slowest``, also print that many of each notebook's slowest cells."""
    from autograd.files import check_writable

    sources = list(sources)
    for source in sources:  # a notebook that cannot be written fails before the first run
        check_writable(notebook_path(source))
    times = {}
    for source in sources:
        target = notebook_path(source)
        cell_times: list[tuple[float, int]] = []
        start = time.perf_counter()
        nb = execute(make_notebook(source), cell_times=cell_times)
        times[target.name] = time.perf_counter() - start
        write(nb, target)
        size = target.stat().st_size / 1024
        print(f"{target.name:<28} {times[target.name]:6.1f} s  {size:7.0f} KiB", flush=True)
        for seconds, index in sorted(cell_times, reverse=True)[:slowest]:
            first = nb.cells[index].source.splitlines()[0]
            print(f"    {seconds:6.1f} s  cell {index}: {first[:60]}")
    return times


def out_of_sync(sources: Iterable[Path]) -> list[str]:
    """Problems found by comparing each committed notebook with its source."""
    import nbformat

    problems = []
    for source in sources:
        target = notebook_path(source)
        if not target.exists():
            problems.append(f"{target.name}: missing (run python notebooks/build.py)")
            continue
        committed = nbformat.read(target, as_version=4)
        if cells_of(committed) != cells_of(make_notebook(source)):
            problems.append(f"{target.name}: cells differ from src/{source.name}")
        elif any(c.cell_type == "code" and c.execution_count is None for c in committed.cells):
            problems.append(f"{target.name}: committed without outputs")
    built = {notebook_path(s).name for s in source_paths()}
    problems += [f"{p.name}: no source in src/" for p in sorted(HERE.glob("*.ipynb"))
                 if p.name not in built]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build and run the course notebooks.")
    parser.add_argument("lessons", nargs="*", help="name prefixes, e.g. 01 05 (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="only check that the .ipynb files match their sources")
    parser.add_argument("--slowest", type=int, default=0, metavar="N",
                        help="also print each notebook's N slowest cells")
    args = parser.parse_args(argv)
    sources = source_paths(args.lessons)
    if args.check:
        problems = out_of_sync(sources)
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    times = build(sources, args.slowest)
    print(f"{'total':<28} {sum(times.values()):6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
