"""The course notebooks: in sync with their sources, committed with outputs, and running.

Each notebook is executed top to bottom in a fresh kernel of this interpreter; the
lessons assert their key figures in their own cells (the course's z = [4, −2],
a ≈ [0.98, 0.12], held-out digit accuracy ≥ 95%, ...), so a wrong number fails
here just like a crash does.
"""

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest
from micrograd_demo import MICROGRAD_DEMO_CELLS, PORTED_IMPORTS
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _load_build():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


build = _load_build()
SOURCES = build.source_paths()
LESSONS = [build.notebook_path(s).name for s in SOURCES]


def test_there_are_ten_lessons_numbered_in_reading_order():
    assert [name[:2] for name in LESSONS] == [f"{i:02d}" for i in range(1, 11)]


def test_committed_notebooks_match_their_sources_and_have_outputs():
    assert build.out_of_sync(SOURCES) == []


@pytest.mark.parametrize("name", LESSONS)
def test_notebook_is_small_and_asserts_its_figures(name):
    path = NOTEBOOKS / name
    assert path.stat().st_size < 1_000_000, f"{name} is {path.stat().st_size} bytes"
    nb = nbformat.read(path, as_version=4)
    asserts = [c for c in nb.cells if c.cell_type == "code" and "assert " in c.source]
    assert asserts, f"{name} checks none of its figures"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []


@pytest.mark.parametrize("name", LESSONS)
def test_notebook_runs_from_a_clean_kernel(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    try:
        build.execute(nb, timeout=300)
    except CellExecutionError as e:
        pytest.fail(f"{name} failed:\n{e}", pytrace=False)


# -- the builder itself -------------------------------------------------------------

def test_percent_format_cells():
    text = ("# a comment for readers of the .py, not a cell\n"
            "# %% [markdown]\n# # Title\n#\n# Some *text*.\n\n"
            "# %%\nx = 1\n\ny = 2\n\n\n"
            "# %%\nprint(x + y)\n")
    assert build.parse_percent(text) == [
        ("markdown", "# Title\n\nSome *text*."),
        ("code", "x = 1\n\ny = 2"),
        ("code", "print(x + y)"),
    ]


def test_percent_format_rejects_what_it_would_silently_mangle():
    with pytest.raises(ValueError, match="line 2: a markdown cell's lines must start"):
        build.parse_percent("# %% [markdown]\nno hash here\n")
    with pytest.raises(ValueError, match="line 1: unknown cell marker"):
        build.parse_percent("# %% [raw]\nx\n")


def test_a_failing_cell_fails_the_run():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("a = 0.12"),
        nbformat.v4.new_code_cell("assert abs(a - 0.98) < 0.005, a"),
    ])
    with pytest.raises(CellExecutionError, match="AssertionError"):
        build.execute(nb, timeout=60)
    assert nb.cells[0].execution_count == 1


# -- lesson 8 is micrograd's demo, changed only in its imports ------------------------



def test_lesson_8_is_micrograds_demo_but_for_the_imports():
    nb = nbformat.read(NOTEBOOKS / "08_micrograd_demo.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    expected = [PORTED_IMPORTS if c.startswith("from micrograd") else c
                for c in MICROGRAD_DEMO_CELLS]
    assert code[:len(expected)] == expected
    assert code[len(expected):] and all("assert " in c for c in code[len(expected):])
