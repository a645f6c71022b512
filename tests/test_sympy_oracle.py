"""The engine against SymPy: the same random graph differentiated symbolically.

Each case from ``autograd.testing.expressions`` is also built as a SymPy
expression of real symbols (constants as exact rationals of the engine's
floats), differentiated by SymPy, and evaluated at the case's point with
40-digit arithmetic. That is the exact derivative of the function the engine
computes, so the only allowed difference is the engine's float64 rounding:

    |engine - exact| <= 1e-9 * |exact| + 1e-12 * scale  (+ 1e-300, for subnormals)

where ``scale`` (``rounding_scale``) bounds how far float64 rounding can move
the engine's result: the sum over paths of |product of local derivatives| (the
backward pass adds one rounded product per path), plus, for every node, its
value times the sensitivity of the derivative to it (the forward pass rounds
every value). The engine's error is about 1e-16 * scale, so the second term
only matters where the exact derivative is far smaller than the numbers it is
made of: ``tanh(x) - x`` near 0, or ``(e**y)**y`` with y = 1e-200, where e**y
rounds to 1.0 and the log(e**y) in the derivative becomes 0.

Cases with a relu/leaky_relu/abs operand within 1e-9 of the kink are left out
(``kink_margin``): there SymPy's Heaviside(0) = 1/2 is a convention, and the
engine's 0 another.

Under the ci profile this checks 4,000 graphs' gradients and 500 graphs'
second derivatives (all of their d2/dxi dxj).
"""

import sympy as sp
from conftest import examples
from hypothesis import given

from autograd import grad
from autograd.testing import expressions, rounding_scale

REL = 1e-9
FLOOR = 1e-12
TINY = 1e-300  # subnormal numbers have fewer digits
DIGITS = 40


def exact_at(case, derivative):
    expr, symbols = case.sympy()
    point = {s: sp.Float(p, DIGITS) for s, p in zip(symbols, case.point)}
    return lambda *wrt: float(derivative(expr, *(symbols[i] for i in wrt)).xreplace(point))


def agree(engine: float, exact: float, scale: float) -> bool:
    return abs(engine - exact) <= REL * abs(exact) + FLOOR * scale + TINY


@examples(4000)
@given(expressions(max_nodes=10, kink_margin=1e-9))
def test_gradient_equals_sympy(case):
    out, leaves = case.graph()
    exact = exact_at(case, sp.diff)
    for i, (g, scale) in enumerate(zip(grad(out, leaves), rounding_scale(out, leaves))):
        want = exact(i)
        assert agree(g, want, scale), f"{case}\nd/d{case.names[i]}: engine {g!r}, SymPy {want!r}"


@examples(500)
@given(expressions(max_nodes=7, max_inputs=2, kink_margin=1e-9))
def test_second_derivatives_equal_sympy(case):
    """grad(grad(f, create_graph=True)[i], x)[j] == d2f/dxi dxj."""
    out, leaves = case.graph()
    exact = exact_at(case, sp.diff)
    for i, first in enumerate(grad(out, leaves, create_graph=True)):
        row, scales = grad(first, leaves), rounding_scale(first, leaves)
        for j, (h, scale) in enumerate(zip(row, scales)):
            want = exact(i, j)
            assert agree(h, want, scale), (
                f"{case}\nd2/d{case.names[i]}d{case.names[j]}: engine {h!r}, SymPy {want!r}")
