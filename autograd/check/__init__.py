"""Checking the engine's derivatives.

- ``gradcheck``, ``gradgradcheck``, ``check_expression`` (``finite_differences.py``):
  the engine against finite differences, for a function or an expression text;
- ``strategies.py``: hypothesis strategies drawing random graphs and Values;
- ``bounds.py``: the interval arithmetic that keeps those graphs inside every
  op's domain and bounded;
- ``oracles.py``: the same graphs as SymPy expressions (exact derivatives) and
  the size of the engine's float64 rounding.

Only ``finite_differences.py`` is imported here, and it needs nothing beyond the
standard library: ``import autograd`` never imports hypothesis or SymPy. The
strategies are public as ``autograd.testing``.
"""

from .finite_differences import (
    FAIL,
    KINK,
    PASS,
    UNDEFINED,
    GradcheckReport,
    Row,
    check_expression,
    gradcheck,
    gradgradcheck,
)

__all__ = [
    "FAIL",
    "KINK",
    "PASS",
    "UNDEFINED",
    "GradcheckReport",
    "Row",
    "check_expression",
    "gradcheck",
    "gradgradcheck",
]
