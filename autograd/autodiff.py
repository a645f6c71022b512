"""Gradients from the sweep: ``backward``, ``memo_table``, ``grad``, and grad mode.

``backward`` adds each final memo entry into ``.grad``; ``memo_table`` keeps
the whole table; ``grad`` returns the entries of the nodes asked for, and with
``create_graph=True`` runs the same sweep on the local derivatives rebuilt as
Values, so its results can be differentiated again. Every pass owns its memo,
so passes over one graph in several threads need no lock.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from . import value
from .ops import FLOAT, TABLE
from .sweep import count_users, levels, sweep
from .value import Value, grad_enabled


def _checked_gradient(gradient: object) -> float:
    if isinstance(gradient, Value) or not isinstance(gradient, numbers.Real):
        raise TypeError(f"backward: gradient must be a real number, got "
                        f"{type(gradient).__name__} {repr(gradient)[:60]}")
    if not math.isfinite(gradient):
        raise ValueError(f"backward: gradient must be finite, got {gradient!r}")
    return float(gradient)


def _checked_root(fn: str, root: object) -> Value:
    if not isinstance(root, Value):
        raise TypeError(f"{fn}: expected a Value, got {type(root).__name__} {repr(root)[:60]}")
    return root


def backward(root: Value, gradient: float = 1.0) -> None:
    """Add dC/dnode into ``node.grad`` for every node of ``root``'s graph, C = gradient * root.

    ``.grad`` accumulates, so calling this twice adds exactly twice the gradient.
    Each entry is added as soon as it is final, so a call interrupted part-way
    (Ctrl-C) leaves some ``.grad`` updated.
    """
    gradient = _checked_gradient(gradient)
    for node, entry in sweep(_checked_root("backward", root), gradient):
        node.grad += entry


def memo_table(root: Value, gradient: float = 1.0) -> dict[Value, float]:
    """The memo: dC/dnode for every node ``root`` depends on, in the order the sweep
    filled it (output first, level by level), with C = gradient * root."""
    return dict(sweep(_checked_root("memo_table", root), _checked_gradient(gradient)))


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after its parents, ``root`` last: the
    sweep's levels deepest first (a net's first layer first), each level in the
    sweep's order (a layer's neurons in order)."""
    level = levels(_checked_root("topological_order", root))
    return sorted(level, key=level.__getitem__, reverse=True)  # stable: keeps ties' order


def zero_grad(root: Value) -> None:
    """Set ``.grad`` to 0 on ``root`` and every node it depends on."""
    for node in count_users(_checked_root("zero_grad", root)):  # every node; no order needed
        node.grad = 0.0


class VALUE_MATH:
    """The math namespace for Values: the op table's local rules run on it to build
    the derivative as a graph (``grad(..., create_graph=True)``)."""

    inf = math.inf
    exp = staticmethod(value.exp)
    log = staticmethod(value.log)
    sqrt = staticmethod(value.sqrt)
    tanh = staticmethod(value.tanh)
    sigmoid = staticmethod(value.sigmoid)
    softplus = staticmethod(value.softplus)
    sin = staticmethod(value.sin)
    cos = staticmethod(value.cos)
    abs = staticmethod(abs)
    floor = staticmethod(math.floor)
    where = staticmethod(FLOAT.where)  # conditions on Values compare their data

    @staticmethod
    def heaviside(x: Value) -> float:  # piecewise constant: its own derivative is 0
        return FLOAT.heaviside(x.data)

    @staticmethod
    def sign(x: Value) -> float:
        return FLOAT.sign(x.data)

    @staticmethod
    def selected(xs: Sequence[Value], z: Value) -> int:  # the pick: constant, as heaviside
        return FLOAT.selected(FLOAT.data(xs), z.data)

    @staticmethod
    def power(x: Value, p: Value | float) -> Value:
        return x**p

    @staticmethod
    def data(xs: Any) -> Any:  # a dot's partners stay nodes, to be differentiated again
        return xs


def local_grads_as_values(node: Value) -> tuple[Value, ...]:
    """``node``'s local derivatives rebuilt from its parents by the op's own rule, as
    Values: the same numbers as ``node.local_grads``, now differentiable."""
    if not node.parents:
        return ()
    op = TABLE[node.op]
    return op.local(VALUE_MATH, node.parents, node, node.ctx)


def grad(output: Value, inputs: Value | Sequence[Value],
         create_graph: bool = False) -> list[Any]:
    """d(output)/d(input) for each input, leaving every ``.grad`` untouched.

    With ``create_graph=True`` the results are Values in a new graph, so they
    can be differentiated again: ``grad(grad(y, x, True)[0], x)`` is d2y/dx2.

    >>> x = Value(3.0); grad(x ** 3, [x])
    [27.0]
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    xs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for x in xs:
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs must be Values, got {type(x).__name__}")
    wanted = set(xs)
    if create_graph:
        with enable_grad():
            found = {node: entry for node, entry in
                     sweep(output, Value(1.0), local_grads_as_values) if node in wanted}
            return [found.get(x, Value(0.0)) for x in xs]
    found = {node: entry for node, entry in sweep(output) if node in wanted}
    return [found.get(x, 0.0) for x in xs]


@contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    token = grad_enabled.set(enabled)
    try:
        yield
    finally:
        grad_enabled.reset(token)


def no_grad() -> Any:
    """Context manager: operations inside record no parents (their results are leaves).
    It affects only the thread (or asyncio task) that enters it.

    >>> with no_grad(): y = Value(2.0) * 3
    >>> y.is_leaf
    True
    """
    return _grad_mode(False)


def enable_grad() -> Any:
    """Context manager: turn recording back on (inside a ``no_grad`` block)."""
    return _grad_mode(True)


def is_grad_enabled() -> bool:
    """Whether operations record their parents here (see ``no_grad``)."""
    return grad_enabled.get()
