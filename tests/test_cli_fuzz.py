"""The memograd command on random expressions and values (issue 13).

Whatever the expression holds (the parser's grammar with huge, tiny and
non-finite numbers, or junk: NUL, lone surrogates, line separators, deep
nesting) and whatever the ``--at`` values are, ``main`` returns 0, 1 or 2, a 2
comes with exactly one line on stderr, nothing prints a traceback, and
``main`` itself never raises.
"""

from __future__ import annotations

import contextlib
import io
import re
from unittest import mock

import pytest

pytest.importorskip("hypothesis")
from conftest import examples
from hypothesis import given
from hypothesis import strategies as st

from autograd.cli import main
from autograd.expr import LIST_FUNCTIONS, functions
from autograd.ops import TABLE

NAMES = ["x", "y", "w1", "ξ"]
"""The variables an expression may use (a non-ASCII one too)."""

OPS = {op.function: op for op in TABLE.values() if op.function}
FUNCTIONS = sorted(functions())
ONE_LIST = sorted(f for f in LIST_FUNCTIONS if f != "dot")

ODD_CHARACTERS = ["\x00", "\ud800", "\udfff", "\n", "\r", "\t", "\x0b", "\u2028", "\x85",
                  "\ufeff", "\u200b", "é", "ξ", "σ", "😀", "#", "'", '"', "\\", "[", "]",
                  "(", ")", ",", "=", "**", "-", "--", "lambda", "__import__", ".", ";"]

HOSTILE = ["(" * 500 + "x" + ")" * 500, "-" * 3000 + "x", "x" * 20_000, "+".join(["x"] * 3000),
           "9" * 5000, "x**" * 300 + "x", "sum([" + "x," * 2500 + "])", "[" * 300,
           "exp(" * 150 + "x" + ")" * 150, "", " ", "--", "-", "--at", "\x00", "\ud800"]

small_numbers = st.floats(min_value=0, max_value=10).map(repr) | st.integers(0, 20).map(str)
numbers = st.one_of(  # mostly small, so that many expressions evaluate; now and then extreme
    small_numbers, small_numbers, small_numbers,
    st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(repr),
    st.integers(min_value=0, max_value=10**30).map(str),
    st.sampled_from(["1e400", "1e-400", "1e308", "5e-324", "9" * 320, "0.0", "0x10",
                     "1_000", "2.5e-7", "1e200", "709.8"]),
)
names = st.sampled_from([*NAMES * 5, "z"])  # z is never given a value


def _call(draw_args: tuple[str, list[str]]) -> str:
    name, args = draw_args
    return f"{name}({', '.join(args)})"


def _listed(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    unary = [f for f in FUNCTIONS if OPS[f].arity == 1]
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**"]), children)
    pairs = st.integers(1, 3).flatmap(  # dot's two lists, of one length
        lambda n: st.lists(st.lists(children, min_size=n, max_size=n).map(_listed),
                           min_size=2, max_size=2))
    return st.one_of(
        binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        binary.map(lambda t: f"{t[0]}{t[1]}{t[2]}"),  # precedence as written
        st.tuples(st.sampled_from(["-", "+"]), children).map("".join),
        st.tuples(st.sampled_from(unary), children.map(lambda e: [e])).map(_call),
        st.tuples(st.just("leaky_relu"), st.tuples(children, numbers).map(list)).map(_call),
        st.tuples(st.sampled_from(ONE_LIST),
                  st.lists(children, min_size=1, max_size=4).map(lambda xs: [_listed(xs)]))
        .map(_call),
        st.tuples(st.just("dot"), pairs).map(_call),
    )


# one_of flattens nested one_ofs and picks a branch evenly: 12 shares of names to 6 of numbers
grammar = st.recursive(st.one_of(*[names] * 12, numbers), _compound, max_leaves=10)


@st.composite
def junk(draw: st.DrawFn) -> str:
    """Odd characters put into an expression, random text, a call with the wrong
    arguments, or a hostile classic."""
    kind = draw(st.sampled_from(["insert", "text", "hostile", "call"]))
    if kind == "hostile":
        return draw(st.sampled_from(HOSTILE))
    if kind == "call":
        arguments = st.lists(grammar | grammar.map(lambda e: f"[{e}]"), max_size=3)
        return _call((draw(st.sampled_from(FUNCTIONS)), draw(arguments)))
    pieces = st.lists(st.sampled_from(ODD_CHARACTERS) | st.text(max_size=3), max_size=6)
    if kind == "text":
        return "".join(draw(pieces))
    base = draw(grammar)
    at = draw(st.integers(min_value=0, max_value=len(base)))
    return base[:at] + "".join(draw(pieces)) + base[at:]


expressions = st.one_of(grammar, grammar, grammar, junk())

good_values = st.floats(min_value=-3, max_value=3).map(repr)
value_texts = st.one_of(
    *[good_values] * 12,
    st.floats().map(repr),  # nan and inf too
    st.sampled_from(["nan", "inf", "-inf", "1e400", "-1e400", "1e-400", "0", "-0", "1e200",
                     "abc", "", " 2 ", "1_0", "0x1", "\x00", "\ud800", "1\n"]),
)


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in ``one_in`` draws. Hypothesis draws the ends of a range more
    often than the rest, so the rare case is a value in the middle."""
    return draw(st.integers(0, one_in - 1)) == one_in // 2


@st.composite
def assignments(draw: st.DrawFn, expression: str) -> list[str]:
    """``--at`` pairs: mostly one per name the expression holds, sometimes one missing,
    doubled, unused or malformed."""
    used = [name for name in NAMES if re.search(rf"\b{name}\b", expression)]
    pairs = [f"{name}={draw(value_texts)}" for name in used if not rarely(draw, 30)]
    if pairs and rarely(draw, 20):
        pairs.append(draw(st.sampled_from(pairs)))  # a name given twice
    if rarely(draw, 20):
        pairs.append(draw(st.sampled_from(["q=1", "x", "=1", "1x=2", "x y=1", "-x=1",
                                           "ﬁ=1", "x\x00=1", "\ud800=1", "x==1"])))
    return draw(st.permutations(pairs))


commands = expressions.flatmap(lambda e: st.tuples(st.just(e), assignments(e)))


def run(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` with stdout and stderr as strict UTF-8 streams, as a terminal has."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    raised: BaseException | None = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except BaseException as e:  # even SystemExit: main returns its exit code
            raised = e
    if raised is not None:
        pytest.fail(f"main raised {raised!r} for {argv!r}")
    return code, out.buffer.getvalue().decode(), err.buffer.getvalue().decode()


def assert_well_behaved(argv: list[str], codes: tuple[int, ...]) -> None:
    code, out, err = run(argv)
    assert code in codes, (argv, code, err)
    assert "Traceback" not in out and "Traceback" not in err, argv
    if code == 2:
        assert err.count("\n") == 1 and err.endswith("\n"), (argv, err)
        assert err.startswith("memograd"), (argv, err)
    else:
        assert err == "", (argv, err)


@examples(300)
@given(commands)
def test_trace(command):
    expression, at = command
    assert_well_behaved(["trace", expression, "--at", *at], (0, 2))


@examples(200)
@given(commands, st.sampled_from([[], [], [], ["--second"], ["--eps", "1"], ["--eps", "1e-300"],
                                  ["--eps", "nan"], ["--atol", "inf"], ["--rtol", "-1"]]))
def test_check(command, options):
    expression, at = command
    assert_well_behaved(["check", expression, "--at", *at, *options], (0, 1, 2))


@examples(40)
@given(commands)
def test_step(command):
    expression, at = command
    assert_well_behaved(["trace", expression, "--at", *at, "--step", "--no-pause"], (0, 2))


@examples(40)
@given(commands, st.sampled_from(["", "1\n", "1\n2\nabc\n1/0\n\ud800\n" * 3]))
def test_quiz(command, answers):
    expression, at = command
    with mock.patch("sys.stdin", io.StringIO(answers)):
        assert_well_behaved(["quiz", expression, "--at", *at], (0, 1, 2))


@examples(40)
@given(commands, st.sampled_from(["order", "overwrite", "set", "zero-grad"]))
def test_mistake(command, kind):
    expression, at = command
    assert_well_behaved(["trace", expression, "--at", *at, "--mistake", kind], (0, 2))


@pytest.mark.parametrize("argv", [
    ["trace", "x", "--at", "x=1", "--bogus"],
    ["trace", "x", "--at", "x=1", "--mistake", "bogus"],
    ["quiz", "x", "--at", "x=1", "--tolerance", "-1"],
    ["trace", "x", "--at", "x=1", "--max-nodes", "many"],
    ["check", "x", "--at", "x=1", "--eps", "small"],
    ["compare", "--depth", "\x00"],
    ["compare", "--width", "\ud800"],
    ["nosuchcommand"],
    [],
    ["trace", "\x00", "--at", "\ud800"],
])
def test_usage_errors_are_one_line_too(argv):
    assert_well_behaved(argv, (2,))


def test_help_returns_0():
    code, out, err = run(["trace", "--help"])
    assert code == 0 and "--at" in out and err == ""
