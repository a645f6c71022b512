"""The course notebooks: in sync with their sources, committed with outputs, and running,
in English and in the Simplified Chinese edition (notebooks/zh-CN/).

Each notebook is executed top to bottom in a fresh kernel of this interpreter; the
lessons assert their key figures in their own cells (the course's z = [4, −2],
a ≈ [0.98, 0.12], held-out digit accuracy ≥ 95%, ...), so a wrong number fails
here just like a crash does, in either language.
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
TRANSLATED = [lang for lang in build.LANGUAGES if lang != "en"]
EDITIONS = [(lang, build.notebook_path(s, lang)) for lang in build.LANGUAGES for s in SOURCES]
"""Every notebook as (language, path): the English lessons, then each translation's."""
EDITION_IDS = [path.relative_to(NOTEBOOKS).as_posix() for _, path in EDITIONS]


def test_there_are_ten_lessons_numbered_in_reading_order():
    assert [name[:2] for name in LESSONS] == [f"{i:02d}" for i in range(1, 11)]


def test_committed_notebooks_match_their_sources_and_have_outputs():
    """Both editions: a source changed without rebuilding either notebook fails here."""
    assert build.out_of_sync(SOURCES) == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_text_of_every_lesson_is_translated(lang):
    """Each markdown cell and each T("...") has a translation, not fuzzy, with the
    English text's {fields}: an English cell changed and not translated again fails."""
    assert build.untranslated(SOURCES, lang) == []


@pytest.mark.parametrize(("lang", "path"), EDITIONS, ids=EDITION_IDS)
def test_notebook_is_small_and_asserts_its_figures(lang, path):
    name = path.relative_to(NOTEBOOKS).as_posix()
    assert path.stat().st_size < 1_000_000, f"{name} is {path.stat().st_size} bytes"
    nb = nbformat.read(path, as_version=4)
    asserts = [c for c in nb.cells if c.cell_type == "code" and "assert " in c.source]
    assert asserts, f"{name} checks none of its figures"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    # built where matplotlib had a font for every character (Chinese too): no boxes
    stderr = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "missing from font" not in stderr and "no font with Chinese" not in stderr


@pytest.mark.parametrize(("lang", "path"), EDITIONS, ids=EDITION_IDS)
def test_notebook_runs_from_a_clean_kernel(lang, path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    try:
        build.execute(nb, timeout=300, lang=lang)
    except CellExecutionError as e:
        pytest.fail(f"{path.relative_to(NOTEBOOKS)} failed:\n{e}", pytrace=False)


# -- the Chinese edition ------------------------------------------------------------

@pytest.mark.parametrize("lang", TRANSLATED)
def test_a_translation_runs_the_english_code_after_choosing_its_language(lang):
    """Code is written once: a translated lesson's code cells are the English ones,
    after a first code cell that sets memograd's language."""
    for source in SOURCES:
        if not build.notebook_path(source, lang).exists():
            continue  # the sync test says it is missing
        english = [c.source for c in nbformat.read(build.notebook_path(source), 4).cells
                   if c.cell_type == "code"]
        translated = [c.source for c in nbformat.read(build.notebook_path(source, lang), 4).cells
                      if c.cell_type == "code"]
        assert translated == [build.preamble(lang), *english], source.name
        assert f'autograd.set_language("{lang}")' in translated[0]


def test_the_chinese_lessons_speak_chinese():
    """Prose, memograd's printed output and the plots' words are Chinese in zh-CN."""
    nb = nbformat.read(NOTEBOOKS / "zh-CN" / "02_backprop_steps.ipynb", as_version=4)
    assert nb.cells[0].source.startswith("# 2. 一步一步看反向传播")
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                      for o in c.outputs)
    assert "备忘录：24 个条目已填 1 个" in printed          # memograd's memo line
    shown = [o.data["text/markdown"] for c in nb.cells if c.cell_type == "code"
             for o in c.outputs if "text/markdown" in o.get("data", {})]
    assert shown[0].startswith("**第 5 步，共 24 步：**")    # T("Step {number} of {count}:")


def test_T_gives_a_plots_words_in_memograds_language():
    import lesson_text

    import autograd

    assert lesson_text.T("One structure, many functions") == "One structure, many functions"
    with autograd.use_language("zh-CN"):
        assert lesson_text.T("One structure, many functions") == "一个结构，许多函数"
        assert lesson_text.T("step {number}").format(number=3) == "第 3 步"
        assert lesson_text.T("not a lesson's text") == "not a lesson's text"


def test_plot_texts_are_the_literals_given_to_T():
    code = ('ax.set_title(T("A title"))\n%matplotlib inline\n'
            'ax.plot(x, label=T("run {n}").format(n=1))\nprint("not this")')
    assert build.plot_texts(code) == ["A title", "run {n}"]
    with pytest.raises(ValueError, match="T\\(\\) takes one string literal"):
        build.plot_texts('T(f"run {n}")')


def test_a_markdown_cell_without_translation_is_reported_and_stays_english(tmp_path):
    source = tmp_path / "01_new.py"
    source.write_text("# %% [markdown]\n# A cell nobody translated.\n\n"
                      "# %%\nx = T(\"One structure, many functions\")\n", encoding="utf-8")
    assert build.untranslated([source], "zh-CN") == [
        "zh-CN: src/01_new.py: no translation for 'A cell nobody translated.'"]
    nb = build.make_notebook(source, "zh-CN")
    assert [c.source for c in nb.cells] == ["A cell nobody translated.", build.preamble("zh-CN"),
                                            'x = T("One structure, many functions")']


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

@pytest.mark.parametrize("lang", build.LANGUAGES)
def test_lesson_8_is_micrograds_demo_but_for_the_imports(lang):
    nb = nbformat.read(build.notebook_path(SOURCES[7], lang), as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    if lang != "en":
        assert code.pop(0) == build.preamble(lang)
    expected = [PORTED_IMPORTS if c.startswith("from micrograd") else c
                for c in MICROGRAD_DEMO_CELLS]
    assert code[:len(expected)] == expected
    assert code[len(expected):] and all("assert " in c for c in code[len(expected):])
