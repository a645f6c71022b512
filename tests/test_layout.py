"""The shape of the code: the engine below nn, names that do not hide modules or
builtins, and a core small enough to read in one sitting."""

import ast
import builtins
import importlib
import inspect
import io
import pkgutil
import tokenize
from pathlib import Path

import autograd

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "autograd"
ENTRY_POINT = ENGINE / "cli.py"  # the memograd command may wire in nn's demo
CORE = ("ops.py", "value.py", "sweep.py")  # the op table, Value, the reverse sweep
CORE_LIMIT = 450


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_the_engine_never_imports_nn():
    offenders = {}
    for path in ENGINE.rglob("*.py"):
        if path == ENTRY_POINT:
            continue
        bad = {m for m in imported_modules(path) if m == "nn" or m.startswith("nn.")}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_the_checker_sees_an_import_of_nn(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f():\n    from nn.layers import MLP\n    import nn\n")
    assert imported_modules(sneaky) == {"nn.layers", "nn"}


def packages() -> list[str]:
    found = ["autograd"]
    for info in pkgutil.walk_packages(autograd.__path__, "autograd."):
        if info.ispkg:
            found.append(info.name)
    return found


def test_no_public_name_hides_a_submodule():
    """``import autograd.backward as m`` once gave the function backward, not its module:
    in every package, no public attribute may be named like one of its submodules."""
    clashes = {}
    for name in packages():
        package = importlib.import_module(name)
        children = {info.name for info in pkgutil.iter_modules(package.__path__)}
        public = set(getattr(package, "__all__", ())) | {
            attr for attr in vars(package) if not attr.startswith("_")
            and callable(getattr(package, attr)) and not inspect.ismodule(getattr(package, attr))}
        if name == "autograd":
            public |= {"compile"}  # autograd.compile is a function loaded on first use
        if public & children:
            clashes[name] = sorted(public & children)
    assert clashes == {}


def test_star_import_shadows_no_builtin():
    assert set(autograd.__all__) & set(dir(builtins)) == set()


def code_lines(path: Path) -> int:
    """Lines holding code: no blank lines, comments or docstrings."""
    source = path.read_text(encoding="utf-8")
    strings = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            strings.update(range(node.lineno, node.end_lineno + 1))
    lines = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            lines.update(n for n in range(token.start[0], token.end[0] + 1) if n not in strings)
    return len(lines)


def test_the_core_reads_in_one_sitting():
    counts = {name: code_lines(ENGINE / name) for name in CORE}
    assert sum(counts.values()) <= CORE_LIMIT, counts


def test_code_lines_counts_code_only(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Doc."""\n\n# a comment\ndef f(x):\n    """Doc\n    more."""\n'
                      "    return (x +\n            1)\n")
    assert code_lines(sample) == 3
