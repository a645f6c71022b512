"""The op table: every operation the engine knows, one entry each.

An entry names the op and gives three small functions:

- ``forward(xs, ctx)``: the output's value from the operands' values ``xs``;
- ``local(xs, z, ctx)``: the local derivatives dz/dx for each operand, computed
  in the forward pass (for ``z = w * x`` that is ``(x, w)``);
- ``domain(xs, ctx)``: ``None`` when ``xs`` is inside the op's domain, else a
  sentence saying why not.

``ctx`` holds constants that are not operands (the exponent of ``x ** 3``,
the slope of a leaky ReLU, a ``dot``'s partner operands).

The ``local`` rules are written with plain arithmetic and the helpers below,
so they run on floats (the fast path) *and* on ``Value`` objects, which is how
``grad(..., create_graph=True)`` builds the derivative as a new graph and gets
second derivatives for free. Adding an op is one entry here plus its tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class DomainError(ValueError):
    """An operation was asked for a value outside its mathematical domain."""


class ZeroDivisionDomainError(DomainError, ZeroDivisionError):
    """Division by zero (or zero to a negative power): also a ZeroDivisionError."""


@dataclass(frozen=True, slots=True)
class Op:
    """One row of the op table."""

    name: str
    symbol: str
    arity: int  # number of operands; 0 means any number (n-ary)
    forward: Callable[[tuple, tuple], float]
    local: Callable[[tuple, Any, tuple], tuple]
    domain: Callable[[tuple, tuple], str | None] | None = None

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# Helpers the local rules use, so each rule runs on floats and on Values alike.
def _is_number(x: object) -> bool:
    return isinstance(x, (int, float))


def sin(x):
    return math.sin(x) if _is_number(x) else x.sin()


def cos(x):
    return math.cos(x) if _is_number(x) else x.cos()


def log(x):
    return math.log(x) if _is_number(x) else x.log()


def sigmoid(x):
    if not _is_number(x):
        return x.sigmoid()
    if x >= 0:  # two branches so neither exp() can overflow
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def softplus(x: float) -> float:
    """log(1 + e^x) without overflow for large |x|."""
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def step(x) -> float:
    """1 where x > 0, else 0: the derivative of relu (0 at the kink, as PyTorch)."""
    return 1.0 if x > 0 else 0.0


def sign(x) -> float:
    """The derivative of abs (0 at the kink, as PyTorch)."""
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


# Domain checks ---------------------------------------------------------------
def _positive(xs, ctx):
    return None if xs[0] > 0 else "needs a value > 0"


def _non_negative(xs, ctx):
    return None if xs[0] >= 0 else "needs a value >= 0"


def _nonzero_divisor(xs, ctx):
    return None if xs[1] != 0 else "division by zero"


def _power_domain(base: float, exponent: float) -> str | None:
    if base == 0 and exponent < 0:
        return "zero cannot be raised to a negative power"
    if base < 0 and exponent != int(exponent):
        return "a negative base to a non-integer power is not a real number"
    return None


def _pow_const_domain(xs, ctx):
    return _power_domain(xs[0], ctx[0])


def _pow_domain(xs, ctx):
    x, y = xs
    if x < 0:
        return ("a negative base with a Value exponent has no derivative "
                "with respect to the exponent (x**y * log x); use a number as the exponent")
    if x == 0 and y <= 0:
        return "zero to a power <= 0 has no derivative with respect to the exponent"
    return None


# Local rules that need more than one line -----------------------------------
def _d_pow_const(xs, z, ctx):
    (x,), (k,) = xs, ctx
    if k == 0:
        return (0.0,)
    if x == 0 and k < 1:  # d/dx x**k is infinite at 0 for 0 < k < 1
        return (math.inf,)
    return (k * x ** (k - 1),)


def _d_pow(xs, z, ctx):
    x, y = xs
    dx = math.inf if x == 0 and y < 1 else y * x ** (y - 1)
    dy = z * log(x) if x > 0 else 0.0  # x == 0, y > 0: the limit of x**y log x is 0
    return dx, dy


def _d_sqrt(xs, z, ctx):
    return (0.5 / z if z != 0 else math.inf,)


def _data(x) -> float:
    return x if _is_number(x) else x.data


def _dot_forward(xs, ctx):
    ws, vs = ctx
    return sum(_data(w) * _data(v) for w, v in zip(ws, vs))


def _dot_partners(xs, z, ctx):
    """For each operand, the one it multiplies: dz/dw_i = x_i and dz/dx_i = w_i."""
    partners = []
    for w, v in zip(*ctx):
        if not _is_number(w):
            partners.append(v)
        if not _is_number(v):
            partners.append(w)
    return tuple(partners)


def _n_ones(xs, z, ctx):
    return (1.0,) * len(xs)


ADD = Op("add", "+", 2, lambda xs, c: xs[0] + xs[1], lambda xs, z, c: (1.0, 1.0))
SUB = Op("sub", "-", 2, lambda xs, c: xs[0] - xs[1], lambda xs, z, c: (1.0, -1.0))
MUL = Op("mul", "*", 2, lambda xs, c: xs[0] * xs[1], lambda xs, z, c: (xs[1], xs[0]))
DIV = Op("div", "/", 2, lambda xs, c: xs[0] / xs[1],
         lambda xs, z, c: (1.0 / xs[1], -z / xs[1]), _nonzero_divisor)
POW = Op("pow", "**", 2, lambda xs, c: xs[0] ** xs[1], _d_pow, _pow_domain)
POW_CONST = Op("pow_const", "**", 1, lambda xs, c: xs[0] ** c[0], _d_pow_const,
               _pow_const_domain)
NEG = Op("neg", "-", 1, lambda xs, c: -xs[0], lambda xs, z, c: (-1.0,))
EXP = Op("exp", "exp", 1, lambda xs, c: math.exp(xs[0]), lambda xs, z, c: (z,))
LOG = Op("log", "log", 1, lambda xs, c: math.log(xs[0]), lambda xs, z, c: (1.0 / xs[0],),
         _positive)
SQRT = Op("sqrt", "sqrt", 1, lambda xs, c: math.sqrt(xs[0]), _d_sqrt, _non_negative)
TANH = Op("tanh", "tanh", 1, lambda xs, c: math.tanh(xs[0]), lambda xs, z, c: (1.0 - z * z,))
SIGMOID = Op("sigmoid", "σ", 1, lambda xs, c: sigmoid(xs[0]),
             lambda xs, z, c: (z * (1.0 - z),))
RELU = Op("relu", "relu", 1, lambda xs, c: xs[0] if xs[0] > 0 else 0.0,
          lambda xs, z, c: (step(xs[0]),))
LEAKY_RELU = Op("leaky_relu", "leaky_relu", 1,
                lambda xs, c: xs[0] if xs[0] > 0 else c[0] * xs[0],
                lambda xs, z, c: (1.0 if xs[0] > 0 else c[0],))
SOFTPLUS = Op("softplus", "softplus", 1, lambda xs, c: softplus(xs[0]),
              lambda xs, z, c: (sigmoid(xs[0]),))
ABS = Op("abs", "abs", 1, lambda xs, c: abs(xs[0]), lambda xs, z, c: (sign(xs[0]),))
SIN = Op("sin", "sin", 1, lambda xs, c: math.sin(xs[0]), lambda xs, z, c: (cos(xs[0]),))
COS = Op("cos", "cos", 1, lambda xs, c: math.cos(xs[0]), lambda xs, z, c: (-sin(xs[0]),))
SUM = Op("sum", "Σ", 0, lambda xs, c: sum(xs, c[0]), _n_ones)  # ctx: (constant term,)
# dot's operands are the Values among ws and xs; ctx is (ws, xs) as given, numbers
# included. Each operand's local derivative is its partner: the course's dz/dw = x.
DOT = Op("dot", "dot", 0, _dot_forward, _dot_partners)

TABLE: dict[str, Op] = {op.name: op for op in (
    ADD, SUB, MUL, DIV, POW, POW_CONST, NEG, EXP, LOG, SQRT, TANH, SIGMOID, RELU,
    LEAKY_RELU, SOFTPLUS, ABS, SIN, COS, SUM, DOT)}
"""Every op by name: the list the tests and the random-graph strategies cover."""

KINKS: dict[str, float] = {"relu": 0.0, "leaky_relu": 0.0, "abs": 0.0}
"""Points where an op is not differentiable (finite differences are unreliable there)."""
