"""The op table: every operation the engine knows, one entry each.

An entry holds everything the rest of memograd needs to know about an op:
its name and symbol, how many operands it takes, its forward rule, its local
derivatives, its domain, its kinks and the name an expression may call it by.

The rules are written once, over a *math namespace* ``m`` that supplies the
functions they call (``m.exp``, ``m.where``, ...). The same rule then runs on

- floats (``FLOAT``, below): the engine's forward pass;
- Values (``autograd.autodiff.VALUE_MATH``): ``grad(..., create_graph=True)``
  rebuilds the local derivatives as graph nodes, so second derivatives come free;
- NumPy arrays (``autograd.compiled.kernels``): the batched replay;
- SymPy expressions (``autograd.check.oracles``): the tests' exact derivatives.

(A namespace's ``data(xs)`` turns a sequence of numbers and nodes into what its
rules compute with: the numbers, for floats; the sequence itself elsewhere.)

``forward(m, xs, ctx)`` gives the output from the operands ``xs``;
``local(m, xs, z, ctx)`` gives dz/dx for each operand (for ``z = w * x`` that
is ``(x, w)``: the course's "dz/dw is the input w multiplies"). ``ctx`` holds
the op's constants that are not operands: the 3 of ``x ** 3``, a leaky ReLU's
slope, a ``dot``'s partners. Adding an op is one entry here and its tests.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


class DomainError(ValueError):
    """An operation was asked for a value outside its mathematical domain."""


class ZeroDivisionDomainError(DomainError, ZeroDivisionError):
    """Division by zero (or zero to a negative power): also a ZeroDivisionError."""


Rule = Callable[..., Any]


@dataclass(frozen=True)
class Op:
    """One row of the op table.

    ``domain`` lists ``(outside(m, xs, ctx), reason)`` pairs: ``outside`` is true
    (a mask, on arrays) where the operands are outside the op's domain.
    ``kinks`` are the operand values where the op has no derivative (finite
    differences are unreliable near them); ``ties`` says it has none where two
    operands tie for the one it picks (max, min). ``function`` is the name an
    expression calls the op by (``None`` for operators written with a symbol),
    ``defaults`` its constants when the call gives none (a leaky ReLU's slope).
    """

    name: str
    symbol: str
    arity: int  # number of operands; 0 means any number (n-ary)
    forward: Rule
    local: Rule
    domain: tuple[tuple[Rule, str], ...] = ()
    kinks: tuple[float, ...] = ()
    ties: bool = False
    function: str | None = None
    defaults: tuple[float, ...] = ()  # the ctx when an expression gives none

    def __repr__(self) -> str:
        return f"Op({self.name!r})"

    def outside_domain(self, m: Any, xs: tuple, ctx: tuple = ()) -> str | None:
        """The reason ``xs`` is outside this op's domain, or None (on numbers)."""
        for outside, reason in self.domain:
            if outside(m, xs, ctx):
                return reason
        return None


class FLOAT:
    """The math namespace for plain floats: the engine's forward pass."""

    inf = math.inf
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    tanh = staticmethod(math.tanh)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    floor = staticmethod(math.floor)
    abs = staticmethod(abs)

    @staticmethod
    def where(condition: bool, a: Any, b: Any) -> Any:
        return a if condition else b

    @staticmethod
    def sigmoid(x: float) -> float:
        if x >= 0:  # two branches so neither exp() can overflow
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    @staticmethod
    def softplus(x: float) -> float:
        """log(1 + e^x) without overflow for large |x|."""
        return math.log1p(math.exp(-abs(x))) + max(x, 0.0)

    @staticmethod
    def heaviside(x: float) -> float:
        """1 where x > 0, else 0: relu's derivative (0 at the kink, as PyTorch)."""
        return 1.0 if x > 0 else 0.0

    @staticmethod
    def sign(x: float) -> float:
        """abs's derivative (0 at the kink, as PyTorch)."""
        return 1.0 if x > 0 else -1.0 if x < 0 else 0.0

    @staticmethod
    def maximum(xs: Sequence[float]) -> float:
        """The largest of ``xs``; NaN if any is NaN (as torch.max)."""
        return math.nan if any(x != x for x in xs) else max(xs)

    @staticmethod
    def minimum(xs: Sequence[float]) -> float:
        """The smallest of ``xs``; NaN if any is NaN (as torch.min)."""
        return math.nan if any(x != x for x in xs) else min(xs)

    @staticmethod
    def selected(xs: Sequence[float], z: float) -> int:
        """The position of the operand a max or min ``z`` picked: the first equal to z,
        or the first NaN when z is NaN (as torch.max's index)."""
        return next(i for i, x in enumerate(xs) if x == z or x != x)

    @staticmethod
    def power(x: float, p: float) -> float:
        """x ** p, infinite (not an error) for 0 to a negative power or past float's range:
        a local derivative may be infinite, as sqrt's at 0."""
        try:
            return math.inf if x == 0 and p < 0 else x**p
        except OverflowError:
            return math.inf

    @staticmethod
    def data(xs: Sequence[Any]) -> list[float]:
        """The numbers in ``xs``, which holds numbers and Values (a ``dot``'s ctx)."""
        return [x if type(x) is float else x.data for x in xs]


# -- the rules that need more than a line ------------------------------------------
def _d_pow(m: Any, xs: tuple, z: Any, ctx: tuple) -> tuple:
    x, y = xs
    positive = x > 0
    # at x == 0 (y > 0) the limit of x**y log x is 0
    return y * m.power(x, y - 1), m.where(positive, z * m.log(m.where(positive, x, 1.0)), 0.0)


def _d_pow_const(m: Any, xs: tuple, z: Any, ctx: tuple) -> tuple:
    k = ctx[0]
    return (m.where(k == 0, 0.0, k * m.power(xs[0], k - 1)),)


def _dot_forward(m: Any, xs: tuple, ctx: tuple) -> Any:
    return sum(map(operator.mul, m.data(ctx[0]), m.data(ctx[1])), 0.0)  # Σ w_i x_i


def _dot_local(m: Any, xs: tuple, z: Any, ctx: tuple) -> tuple:
    """For each operand, the one it multiplies: dz/dw_i = x_i and dz/dx_i = w_i.
    The operands are the nodes among ``ws`` and ``xs`` (the numbers there are floats)."""
    ws, vs = ctx
    w_data, v_data = m.data(ws), m.data(vs)
    partners = []
    for w, v, w_num, v_num in zip(ws, vs, w_data, v_data):
        if type(w) is not float:
            partners.append(v_num)
        if type(v) is not float:
            partners.append(w_num)
    return tuple(partners)


def _d_select(m: Any, xs: tuple, z: Any, ctx: tuple) -> tuple:
    """max and min pick one operand: dz/dx is 1 for it and 0 for the others."""
    k = m.selected(xs, z)
    return tuple([m.where(k == i, 1.0, 0.0) for i in range(len(xs))])


def _negative_base(m: Any, xs: tuple, ctx: tuple) -> Any:
    return xs[0] < 0


def _zero_to_non_positive(m: Any, xs: tuple, ctx: tuple) -> Any:
    return (xs[0] == 0) & (xs[1] <= 0)


def _zero_to_negative(m: Any, xs: tuple, ctx: tuple) -> Any:
    return (xs[0] == 0) & (ctx[0] < 0)


def _negative_to_fraction(m: Any, xs: tuple, ctx: tuple) -> Any:
    return (xs[0] < 0) & (ctx[0] != m.floor(ctx[0]))


ADD = Op("add", "+", 2, lambda m, xs, c: xs[0] + xs[1], lambda m, xs, z, c: (1.0, 1.0))
SUB = Op("sub", "-", 2, lambda m, xs, c: xs[0] - xs[1], lambda m, xs, z, c: (1.0, -1.0))
MUL = Op("mul", "*", 2, lambda m, xs, c: xs[0] * xs[1], lambda m, xs, z, c: (xs[1], xs[0]))
DIV = Op("div", "/", 2, lambda m, xs, c: xs[0] / xs[1],
         lambda m, xs, z, c: (1.0 / xs[1], -z / xs[1]),
         domain=((lambda m, xs, c: xs[1] == 0, "division by zero"),))
POW = Op("pow", "**", 2, lambda m, xs, c: xs[0] ** xs[1], _d_pow, domain=(
    (_negative_base, "a negative base with a Value exponent has no derivative with respect "
                     "to the exponent (x**y * log x); use a number as the exponent"),
    (_zero_to_non_positive,
     "zero to a power <= 0 has no derivative with respect to the exponent")))
POW_CONST = Op("pow_const", "**", 1, lambda m, xs, c: xs[0] ** c[0], _d_pow_const, domain=(
    (_zero_to_negative, "zero cannot be raised to a negative power"),
    (_negative_to_fraction, "a negative base to a non-integer power is not a real number")))
NEG = Op("neg", "-", 1, lambda m, xs, c: -xs[0], lambda m, xs, z, c: (-1.0,))
EXP = Op("exp", "exp", 1, lambda m, xs, c: m.exp(xs[0]), lambda m, xs, z, c: (z,),
         function="exp")
LOG = Op("log", "log", 1, lambda m, xs, c: m.log(xs[0]), lambda m, xs, z, c: (1.0 / xs[0],),
         domain=((lambda m, xs, c: xs[0] <= 0, "needs a value > 0"),), function="log")
SQRT = Op("sqrt", "sqrt", 1, lambda m, xs, c: m.sqrt(xs[0]),
          lambda m, xs, z, c: (0.5 * m.power(z, -1.0),),
          domain=((lambda m, xs, c: xs[0] < 0, "needs a value >= 0"),), function="sqrt")
TANH = Op("tanh", "tanh", 1, lambda m, xs, c: m.tanh(xs[0]),
          lambda m, xs, z, c: (1.0 - z * z,), function="tanh")
SIGMOID = Op("sigmoid", "σ", 1, lambda m, xs, c: m.sigmoid(xs[0]),
             lambda m, xs, z, c: (z * (1.0 - z),), function="sigmoid")
RELU = Op("relu", "relu", 1, lambda m, xs, c: m.where(xs[0] < 0, 0.0, xs[0]),
          lambda m, xs, z, c: (m.heaviside(xs[0]),), kinks=(0.0,), function="relu")
LEAKY_RELU = Op("leaky_relu", "leaky_relu", 1,
                lambda m, xs, c: m.where(xs[0] < 0, c[0] * xs[0], xs[0]),
                lambda m, xs, z, c: (m.where(xs[0] > 0, 1.0, c[0]),),
                kinks=(0.0,), function="leaky_relu", defaults=(0.01,))
SOFTPLUS = Op("softplus", "softplus", 1, lambda m, xs, c: m.softplus(xs[0]),
              lambda m, xs, z, c: (m.sigmoid(xs[0]),), function="softplus")
ABS = Op("abs", "abs", 1, lambda m, xs, c: m.abs(xs[0]), lambda m, xs, z, c: (m.sign(xs[0]),),
         kinks=(0.0,), function="abs")
SIN = Op("sin", "sin", 1, lambda m, xs, c: m.sin(xs[0]), lambda m, xs, z, c: (m.cos(xs[0]),),
         function="sin")
COS = Op("cos", "cos", 1, lambda m, xs, c: m.cos(xs[0]), lambda m, xs, z, c: (-m.sin(xs[0]),),
         function="cos")
# sum's ctx is (the constant term,); each local derivative is 1.
SUM = Op("sum", "Σ", 0, lambda m, xs, c: sum(xs, c[0]),
         lambda m, xs, z, c: (1.0,) * len(xs), function="sum")
# dot's operands are the Values among ws and xs; ctx is (ws, xs) as given, numbers
# included. Each operand's local derivative is its partner: the course's dz/dw = x.
DOT = Op("dot", "dot", 0, _dot_forward, _dot_local, function="dot")
# max and min select one operand: softmax and cross-entropy shift by the max so that
# exp() cannot overflow, and the shift is a node, not a number baked into the graph.
MAX = Op("max", "max", 0, lambda m, xs, c: m.maximum(xs), _d_select, ties=True, function="max")
MIN = Op("min", "min", 0, lambda m, xs, c: m.minimum(xs), _d_select, ties=True, function="min")

TABLE: dict[str, Op] = {op.name: op for op in (
    ADD, SUB, MUL, DIV, POW, POW_CONST, NEG, EXP, LOG, SQRT, TANH, SIGMOID, RELU,
    LEAKY_RELU, SOFTPLUS, ABS, SIN, COS, SUM, DOT, MAX, MIN)}
"""Every op by name. The engine, the parser, the compiled replay, the random-graph
strategies, the interval bounds and the SymPy oracle all read their ops from here."""

