"""Oracles for the engine's derivatives: SymPy's exact ones, and the size of float64 rounding.

- ``SYMPY``: the math namespace for SymPy (see ``ops.py``), so each op's own
  forward rule builds its SymPy form: ``TABLE["tanh"].forward(SYMPY, (x,), ())``
  is ``tanh(x)``. ``sympy_form(expression)`` does that for a whole generated
  ``Expression``; SymPy differentiates it exactly.
- ``gradient_scale`` and ``rounding_scale``: how far float64 rounding can move
  the engine's gradient, to compare it with the exact one at the right tolerance.

SymPy is imported when a SymPy form is first built, not with this module.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..autodiff import grad
from ..sweep import sweep
from ..value import Value

if TYPE_CHECKING:
    from .strategies import Expression


def _sympy_function(name: str) -> staticmethod:
    """``sympy.<name>``, looked up when called: SymPy takes a second to import."""

    def call(*args: Any) -> Any:
        import sympy

        return getattr(sympy, name)(*args)

    call.__name__ = name
    return staticmethod(call)


def exact(x: Any) -> Any:
    """A float as the exact SymPy rational it stands for (``0.1`` is a binary fraction,
    not 1/10); anything else unchanged."""
    if isinstance(x, float):
        import sympy

        return sympy.Rational(x)
    return x


class SYMPY:
    """The math namespace for SymPy expressions: the op table's rules build SymPy forms."""

    inf = math.inf  # SymPy reads float('inf') as oo
    exp = _sympy_function("exp")
    log = _sympy_function("log")
    sqrt = _sympy_function("sqrt")
    tanh = _sympy_function("tanh")
    sin = _sympy_function("sin")
    cos = _sympy_function("cos")
    floor = _sympy_function("floor")
    abs = _sympy_function("Abs")
    sign = _sympy_function("sign")

    @staticmethod
    def maximum(xs: Sequence[Any]) -> Any:
        import sympy

        return sympy.Max(*xs)

    @staticmethod
    def minimum(xs: Sequence[Any]) -> Any:
        import sympy

        return sympy.Min(*xs)

    @staticmethod
    def where(condition: Any, a: Any, b: Any) -> Any:
        """``a`` where the comparison ``condition`` holds, else ``b``: ``a * step + b *
        (the opposite step)``, the steps Heaviside functions of the comparison's sides
        that take its value where they are equal. Not a Piecewise: SymPy tries to solve
        a Piecewise's conditions, and fails on some (relu of a leaky_relu of sines raised
        KeyError inside solveset). Not ``b + (a - b) * step`` either: evaluated, its two
        b terms cancel only to 40 digits, not to the engine's exact 0 (relu'(x < 0))."""
        import sympy

        a, b = exact(a), exact(b)  # a rule's literal floats (relu's 0.0) become exact too
        if condition in (True, False):  # decided already: a comparison of numbers
            return a if condition else b
        lhs, rhs = condition.lhs, condition.rhs
        gap, at_equal = {"<": (rhs - lhs, 0), "<=": (rhs - lhs, 1),
                         ">": (lhs - rhs, 0), ">=": (lhs - rhs, 1)}[condition.rel_op]
        return a * sympy.Heaviside(gap, at_equal) + b * sympy.Heaviside(-gap, 1 - at_equal)

    @staticmethod
    def heaviside(x: Any) -> Any:
        import sympy

        return sympy.Heaviside(x, 0)  # 0 at 0, as the engine's relu'(0)

    @staticmethod
    def sigmoid(x: Any) -> Any:
        import sympy

        return 1 / (1 + sympy.exp(-x))

    @staticmethod
    def softplus(x: Any) -> Any:
        import sympy

        return sympy.log(1 + sympy.exp(x))

    @staticmethod
    def power(x: Any, p: Any) -> Any:
        return x**p

    @staticmethod
    def data(x: Any) -> Any:
        return x


def sympy_form(expression: Expression) -> tuple[Any, list]:
    """``(expr, symbols)``: a generated Expression as a SymPy expression of real symbols.

    Each node runs its op's forward rule on ``SYMPY``. Constants, in operands and
    in the ops' ctx, become exact rationals of the floats the engine uses, so the
    SymPy expression is the engine's function, exactly.
    """
    import sympy

    symbols = [sympy.Symbol(n, real=True) for n in expression.names]
    vals: list[Any] = list(symbols)
    for node in expression.nodes:  # in topological order: no recursion needed
        operands = [vals[a] if isinstance(a, int) else exact(float(a)) for a in node.args]
        ctx = tuple(exact(float(c)) for c in node.ctx)
        vals.append(node.forward(SYMPY, operands, ctx))
    return vals[-1], symbols


# -- the size of float64 rounding --------------------------------------------------
def _abs_local_grads(node: Value) -> tuple[float, ...]:
    return tuple(abs(g) for g in node.local_grads)


def _abs_memo(output: Value) -> dict[Value, float]:
    """For every node, the sum over its paths to ``output`` of |product of local
    derivatives|: the reverse sweep with every local derivative in absolute value."""
    return dict(sweep(output, 1.0, _abs_local_grads))


def gradient_scale(output: Value, inputs: Sequence[Value]) -> list[float]:
    """For each input, the sum over all paths to ``output`` of |product of local derivatives|.

    The engine's gradient adds up one product per path, each rounded to a few
    ulps, so its rounding error is a few ulps of *this* number, not of the
    gradient itself (which may be tiny after cancellation, as in ``tanh(x) - x``
    near 0). Compare gradients within ``rel * max(|exact|, scale)``.

    >>> x = Value(0.5); gradient_scale(x * 3.0 - x, [x])
    [4.0]
    """
    memo = _abs_memo(output)
    return [memo.get(x, 0.0) for x in inputs]


def rounding_scale(output: Value, inputs: Sequence[Value]) -> list[float]:
    """For each input, a size that the float64 rounding of d(output)/d(input) stays far below.

    Two terms. The backward pass's: ``gradient_scale``. The forward pass's:
    every node's value is rounded (relative error ~1e-16), and the gradient
    computed from the rounded values moves by (d gradient / d node) times that.
    So add, over every node of the derivative's graph (``grad(...,
    create_graph=True)``, which holds the forward nodes and the local
    derivatives' nodes), |d gradient / d node| * |node|, with every path taken
    in absolute value. This matters where the exact function is ill
    conditioned: ``log(a)`` with ``a = x**y`` rounded to 1.0 for a tiny y.
    The engine's rounding error is about 1e-16 times this number.
    """
    scales = gradient_scale(output, inputs)
    for i, first in enumerate(grad(output, list(inputs), create_graph=True)):
        memo = _abs_memo(first)
        scales[i] += sum(memo[n] * abs(n.data) for n in memo if not n.is_leaf)
    return scales


__all__ = ["SYMPY", "exact", "gradient_scale", "rounding_scale", "sympy_form"]
