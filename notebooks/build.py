"""Build the course notebooks from their sources and run them, saving the outputs.

Each lesson's source is a plain Python script in ``notebooks/src/`` written in the
"percent" format that editors (VS Code, Spyder, PyCharm, Jupytext) understand:

    # %% [markdown]
    # ## A title
    # Text of a markdown cell, one ``# `` per line.

    # %%
    x = 1 + 1          # a code cell runs until the next ``# %%``

``python notebooks/build.py`` turns every ``src/NN_name.py`` into ``NN_name.ipynb``
and its Simplified Chinese edition ``zh-CN/NN_name.ipynb``, executes each top to bottom
in a fresh kernel of *this* interpreter and writes it with its outputs (plots as PNG,
graphs as SVG). ``python notebooks/build.py 01 05`` builds only the lessons whose names
start with those prefixes, ``--lang zh-CN`` only that edition; ``--check`` only verifies
that every committed notebook's cells equal its source and that every text has its
translation (no kernel).

Both editions run the same code. The Chinese one differs in its prose and in the words
of its plots: each English markdown cell is a message of the gettext catalog
``locale/zh_CN/LC_MESSAGES/lessons.po`` and is replaced by its translation, and code
cells write a plot's words as ``T("...")`` (``lesson_text.py``), which looks them up in
the same catalog. A first code cell added before the lesson's own sets memograd's
language, so the library prints in Chinese too. ``--extract`` adds the lessons' new or
changed texts to the catalogs, untranslated (a changed cell is a new message: the old
translation is kept at the end as an obsolete ``#~`` entry to reuse).

Needs the ``notebooks`` extra: ``pip install -e ".[notebooks]"``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from autograd.i18n import Message, brace_fields, read_po

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # lesson_text.py, next to this script, reads the catalogs
    sys.path.append(str(HERE))
import lesson_text  # noqa: E402 - after the path is set

SOURCES = HERE / "src"
KERNEL_NAME = "memograd-python"
CELL_TIMEOUT = 600  # seconds; a lesson that needs this long is a bug in the lesson
_MARKER = re.compile(r"^# %%(?P<rest>.*)$")

LANGUAGES = ("en", "zh-CN")
"""The editions: English (the sources' own text) and Simplified Chinese, in ``zh-CN/``."""


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


def edition_folder(lang: str = "en") -> Path:
    """Where the notebooks of a language are: next to this script in English, else
    in the folder named as the language (``zh-CN/``)."""
    return HERE if lang == "en" else HERE / lang


def notebook_path(source: Path, lang: str = "en") -> Path:
    """``src/01_function.py`` -> ``01_function.ipynb`` next to this script, or
    ``zh-CN/01_function.ipynb`` for another language."""
    return edition_folder(lang) / f"{source.stem}.ipynb"


def lesson_cells(source: Path) -> list[tuple[str, str]]:
    """The cells of a lesson source, a ValueError naming the file if it cannot be read."""
    try:
        return parse_percent(source.read_text(encoding="utf-8"))
    except ValueError as e:
        raise ValueError(f"{source}: {e}") from None


PREAMBLES = {"zh-CN": """\
# 中文版：这一格让 memograd 说简体中文（它打印的步骤、表格、测验、图例和页面都是中文），
# 课程代码里的 T("...") 把图中的英文（标题、坐标轴、图例）换成中文。
import os
import sys

import autograd

autograd.set_language("{lang}")
os.environ["MEMOGRAD_LANG"] = "{lang}"  # 笔记本中运行的 memograd 命令也说中文
sys.path.append(os.path.abspath(".."))  # T 所在的 lesson_text.py 在上一级文件夹 notebooks/ 中"""}
"""The first code cell of each translated edition, by language."""


def preamble(lang: str) -> str:
    """The code cell put before a translated lesson's first one: memograd speaks
    ``lang`` (also in the memograd commands a lesson runs) and ``T`` can be imported
    from the notebook's folder, one below ``lesson_text.py``."""
    return PREAMBLES[lang].format(lang=lang)


def make_notebook(source: Path, lang: str = "en") -> Any:
    """The unexecuted notebook of one lesson source, in ``lang``: a markdown cell
    without a translation stays English (``untranslated`` lists them)."""
    import nbformat

    cells = lesson_cells(source)
    if lang != "en":
        table = lesson_text.translations(lang)
        cells = [(kind, table.get(text, text) if kind == "markdown" else text)
                 for kind, text in cells]
        first_code = next((i for i, (kind, _) in enumerate(cells) if kind == "code"), 0)
        cells.insert(first_code, ("code", preamble(lang)))
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


# -- the texts to translate ----------------------------------------------------------

MARKDOWN_COMMENT = "a markdown cell"
PLOT_COMMENT = "T(): words in a plot; keep the {fields}"
CATALOG_HEADER = ("Project-Id-Version: memograd lessons\n"
                  "Language: {folder}\n"
                  "MIME-Version: 1.0\n"
                  "Content-Type: text/plain; charset=UTF-8\n"
                  "Content-Transfer-Encoding: 8bit\n"
                  "Plural-Forms: nplurals=1; plural=0;\n")
CATALOG_TOP = ("# The memograd course's lessons (notebooks/src/), translated: every markdown\n"
               "# cell, whole, and the words of the plots (T(\"...\") in the code).\n"
               "# python notebooks/build.py --extract adds new texts; fill in each msgstr.\n")


def plot_texts(code: str) -> list[str]:
    """The string literals given to ``T()`` in a code cell, in order."""
    lines = [line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))  # IPython magics aside, a cell is Python
    calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name) and node.func.id == "T"),
                   key=lambda c: (c.lineno, c.col_offset))
    texts = []
    for call in calls:
        arg = call.args[0] if len(call.args) == 1 else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            raise ValueError(f"line {call.lineno} of a code cell: T() takes one string "
                             "literal (fields as {name}, filled with .format())")
        texts.append(arg.value)
    return texts


def lesson_messages(sources: Iterable[Path]) -> list[Message]:
    """The texts of the lessons to translate, in reading order: each markdown cell
    whole, and each ``T("...")`` of the code; a text found twice is one message."""
    found: dict[str, Message] = {}
    for source in sources:
        where = f"notebooks/src/{source.name}"
        for kind, text in lesson_cells(source):
            texts = [text] if kind == "markdown" else plot_texts(text)
            for msgid in texts:
                comment = MARKDOWN_COMMENT if kind == "markdown" else PLOT_COMMENT
                message = found.setdefault(msgid, Message(msgid, comments=[comment]))
                if where not in message.references:
                    message.references.append(where)
                if kind == "code" and brace_fields(msgid):
                    message.flags.add("python-brace-format")
    return list(found.values())


def untranslated(sources: Iterable[Path], lang: str) -> list[str]:
    """The lessons' texts without a translation in ``lang`` (or a fuzzy one), and
    translated plot texts whose ``{fields}`` differ from the English."""
    catalog = lesson_text.translations(lang)
    problems = []
    for source in sources:
        for message in lesson_messages([source]):
            text = catalog.get(message.msgid)
            first_line = message.msgid.splitlines()[0] if message.msgid else ""
            if text is None:
                problems.append(f"{lang}: src/{source.name}: no translation for "
                                f"{first_line[:70]!r}")
            elif ("python-brace-format" in message.flags
                  and brace_fields(text) != brace_fields(message.msgid)):
                problems.append(f"{lang}: src/{source.name}: {text!r} has the fields "
                                f"{sorted(brace_fields(text))}, not those of {message.msgid!r}")
    return problems


def extract(lang: str) -> int:
    """Bring ``lang``'s catalog in step with the sources (created if missing):
    translations kept, new texts added untranslated, texts gone from the lessons kept
    at the end as obsolete entries. Returns how many texts lack a translation."""
    tools = _load_tool("extract_messages")
    path = lesson_text.catalog_path(lang)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        header = Message("", msgstr=[CATALOG_HEADER.format(folder=path.parents[1].name)])
        path.write_text(CATALOG_TOP + tools.entry_text(header), "utf-8")
    messages = lesson_messages(source_paths())
    path.write_text(tools.merged_po(path.read_text("utf-8"), messages), "utf-8")
    lesson_text.translations.cache_clear()
    return sum(1 for m in read_po(path.read_text("utf-8")) if m.msgid and not m.translated)


def _load_tool(name: str) -> Any:
    """``tools/<name>.py``: memograd's catalog writer, reused for the lessons' catalogs."""
    spec = importlib.util.spec_from_file_location(name, HERE.parent / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- running -------------------------------------------------------------------------

def kernel_manager(workdir: Path, lang: str = "en") -> Any:
    """A kernel manager whose kernel is ``sys.executable -m ipykernel_launcher``,
    speaking ``lang``.

    Not the ``python3`` kernel spec: that one runs whatever ``python`` is first on
    PATH, which need not be the interpreter (and the memograd) being tested. The
    kernel's ``MEMOGRAD_LANG`` is the notebook's language whatever this machine's
    locale, and ``lesson_text`` (``T``) is importable from its temporary folder.
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
        "env": {"PYTHONHASHSEED": "0", "MEMOGRAD_LANG": lang,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE),
                                                            os.environ.get("PYTHONPATH")]))},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    specs = KernelSpecManager(kernel_dirs=[str(workdir / "kernels")], ensure_native_kernel=False)
    # IPC sockets in the private temp folder: no TCP port, nothing to eavesdrop on.
    return KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs,
                         transport="ipc", ip=str(workdir / "kernel"))


def execute(nb: Any, timeout: int = CELL_TIMEOUT, cell_times: list | None = None,
            lang: str = "en") -> Any:
    """Run ``nb`` top to bottom in a fresh kernel speaking ``lang``, in place.

    The kernel's working folder is a new temporary one, so a run leaves nothing
    behind in the repository (and two runs never share files).

    Raises ``nbclient.exceptions.CellExecutionError`` on the first failing cell.
    ``cell_times``, if given, receives (seconds, cell index) for every code cell.
    """
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="memograd-kernel-") as tmp:
        km = kernel_manager(Path(tmp), lang)
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


def build(sources: Iterable[Path], slowest: int = 0,
          languages: Sequence[str] = LANGUAGES) -> dict[str, float]:
    """Build, run and write each lesson in each language; returns seconds per notebook.
    With ``slowest``, also print that many of each notebook's slowest cells."""
    from autograd.files import check_writable

    sources = list(sources)
    for source in sources:  # a notebook that cannot be written fails before the first run
        for lang in languages:
            edition_folder(lang).mkdir(exist_ok=True)
            check_writable(notebook_path(source, lang))
    if any(lang.startswith("zh") for lang in languages) and lesson_text.cjk_font() is None:
        print("warning: no font with Chinese characters (Debian: apt-get install "
              "fonts-noto-cjk); the Chinese plots' text will be empty boxes", file=sys.stderr)
    times = {}
    for source in sources:
        for lang in languages:
            for problem in untranslated([source], lang) if lang != "en" else []:
                print(f"warning: {problem} (left in English)", file=sys.stderr)
            target = notebook_path(source, lang)
            name = target.relative_to(HERE).as_posix()
            cell_times: list[tuple[float, int]] = []
            start = time.perf_counter()
            nb = execute(make_notebook(source, lang), cell_times=cell_times, lang=lang)
            times[name] = time.perf_counter() - start
            write(nb, target)
            size = target.stat().st_size / 1024
            print(f"{name:<34} {times[name]:6.1f} s  {size:7.0f} KiB", flush=True)
            for seconds, index in sorted(cell_times, reverse=True)[:slowest]:
                first = nb.cells[index].source.splitlines()[0]
                print(f"    {seconds:6.1f} s  cell {index}: {first[:60]}")
    return times


def out_of_sync(sources: Sequence[Path], languages: Sequence[str] = LANGUAGES) -> list[str]:
    """Problems found by comparing each committed notebook with its source, in each
    language: missing, other cells, no outputs, or a notebook without a source."""
    import nbformat

    problems = []
    for lang in languages:
        for source in sources:
            target = notebook_path(source, lang)
            name = target.relative_to(HERE).as_posix()
            if not target.exists():
                problems.append(f"{name}: missing (run python notebooks/build.py)")
                continue
            committed = nbformat.read(target, as_version=4)
            if cells_of(committed) != cells_of(make_notebook(source, lang)):
                problems.append(f"{name}: cells differ from src/{source.name}"
                                + (" and its translation" if lang != "en" else ""))
            elif any(c.cell_type == "code" and c.execution_count is None
                     for c in committed.cells):
                problems.append(f"{name}: committed without outputs")
        built = {notebook_path(s, lang) for s in source_paths()}
        problems += [f"{p.relative_to(HERE).as_posix()}: no source in src/"
                     for p in sorted(edition_folder(lang).glob("*.ipynb")) if p not in built]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build and run the course notebooks.")
    parser.add_argument("lessons", nargs="*", help="name prefixes, e.g. 01 05 (default: all)")
    parser.add_argument("--lang", choices=LANGUAGES, action="append",
                        help="build only this edition (repeatable; default: every language)")
    parser.add_argument("--check", action="store_true",
                        help="only check that the .ipynb files match their sources and "
                             "that every text is translated")
    parser.add_argument("--extract", action="store_true",
                        help="add the lessons' new texts to the translation catalogs")
    parser.add_argument("--slowest", type=int, default=0, metavar="N",
                        help="also print each notebook's N slowest cells")
    args = parser.parse_args(argv)
    languages = args.lang or list(LANGUAGES)
    if args.extract:
        for lang in (lang for lang in languages if lang != "en"):
            missing = extract(lang)
            path = lesson_text.catalog_path(lang).relative_to(HERE.parent)
            print(f"{path}: {missing} texts to translate ({lang})")
        return 0
    sources = source_paths(args.lessons)
    if args.check:
        problems = out_of_sync(sources, languages)
        problems += [p for lang in languages if lang != "en" for p in untranslated(sources, lang)]
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    times = build(sources, args.slowest, languages)
    print(f"{'total':<34} {sum(times.values()):6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
