"""Hypothesis strategies and oracles for property tests of derivatives.

- ``values(min_value, max_value)``: ``Value`` leaves;
- ``expressions(max_nodes=8, ops=None)``: random computation graphs
  (``Expression``) that reuse sub-expressions and stay inside every op's domain;
  ``case.sympy()`` is the same graph as a SymPy expression;
- ``gradient_scale`` and ``rounding_scale``: how far float64 rounding can move
  the engine's gradient, for comparing it with an exact one.

The MLP strategy lives with the networks: ``from nn.testing import mlps``.

A property test of your own, for example::

    from hypothesis import given
    from autograd import gradcheck
    from autograd.testing import expressions

    @given(expressions(max_nodes=6))
    def test_engine_matches_finite_differences(case):
        assert gradcheck(case, case.point)

This module needs hypothesis (the ``test`` extra); ``import autograd`` never
imports it. SymPy is imported only when a SymPy form is built. The code lives
in ``autograd.check.strategies``, ``.bounds`` and ``.oracles``.
"""

from .check.bounds import Interval
from .check.oracles import gradient_scale, rounding_scale
from .check.strategies import (
    BOUND,
    GUARD,
    LEAF_RANGE,
    RECIPES,
    SATURATION,
    Expression,
    Node,
    Recipe,
    expressions,
    recipe,
    values,
)

__all__ = [
    "BOUND",
    "GUARD",
    "LEAF_RANGE",
    "RECIPES",
    "SATURATION",
    "Expression",
    "Interval",
    "Node",
    "Recipe",
    "expressions",
    "gradient_scale",
    "recipe",
    "rounding_scale",
    "values",
]
