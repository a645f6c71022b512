"""The backward pass: dynamic programming over the graph.

The memo entry of a node (``node._memo``; ``memo_table`` returns them as a
dict) holds dC/dnode. Walking the nodes in reverse topological order
guarantees that when we reach a node, every node that uses it has already
passed its share back, so its entry is final; we then pass it on to the
node's parents, each share being ``memo[node] * local`` (the chain rule), and
shares arriving over different paths add up. Each entry is computed once and
reused by every parent: that reuse is why backprop is cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from . import value as _value
from .value import Value, _check_finite_seed


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, parents before children, ``root`` last.

    Depth-first search with an explicit stack instead of recursion, so a
    chain of a million nodes works. A node goes on the stack twice: first to
    visit its parents, then (marked done) to be placed after them.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for parent in node._parents:
                if parent not in visited:
                    stack.append((parent, False))
    return order


def _fill_memo(root: Value, seed: float) -> list[Value]:
    """The dynamic program. Sets ``node._memo = dC/dnode`` (C = seed * root)
    for every node of the graph and returns them in topological order.

    Reverse topological order means every node that uses ``node`` has passed
    its share back before we read ``node._memo``: the entry is final, and we
    hand it on to the node's parents once, instead of once per path.
    """
    seed = _check_finite_seed(seed)
    order = topological_order(root)
    for node in order:
        node._memo = 0.0
    root._memo = seed
    for node in reversed(order):
        g = node._memo
        for parent, local in zip(node._parents, node._locals):
            parent._memo += g * local  # chain rule; paths add up
    return order


def memo_table(root: Value, seed: float = 1.0) -> dict[Value, float]:
    """dC/dnode for every node ``root`` depends on, with C = seed * root."""
    return {node: node._memo for node in _fill_memo(root, seed)}


def backward(root: Value, seed: float = 1.0) -> None:
    """Add dC/dnode into ``node.grad`` for every node of ``root``'s graph.

    The memo is kept apart from ``.grad``, so calling this twice adds exactly
    twice the gradient.
    """
    for node in _fill_memo(root, seed):
        node.grad += node._memo


def zero_grad(root: Value) -> None:
    """Set ``.grad`` to 0 on ``root`` and every node it depends on."""
    for node in topological_order(root):
        node.grad = 0.0


def _symbolic_memo(root: Value) -> dict[Value, Value]:
    """Like memo_table, but each entry is a Value built from the graph's own
    nodes, so it can be differentiated again."""
    memo: dict[Value, Value] = {root: Value(1.0)}
    for node in reversed(topological_order(root)):
        if not node._parents:
            continue
        g = memo[node]
        locals_ = node._op.local(node._parents, node, node._ctx)
        for parent, local in zip(node._parents, locals_):
            share = g * local
            memo[parent] = memo[parent] + share if parent in memo else share
    return memo


def grad(
    output: Value, inputs: Value | Sequence[Value], create_graph: bool = False
) -> list:
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
    if create_graph:
        with enable_grad():
            memo = _symbolic_memo(output)
            return [memo[x] if x in memo else Value(0.0) for x in xs]
    reached = set(_fill_memo(output, 1.0))
    return [x._memo if x in reached else 0.0 for x in xs]


@contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    previous = _value._grad_enabled
    _value._grad_enabled = enabled
    try:
        yield
    finally:
        _value._grad_enabled = previous


def no_grad():
    """Context manager: operations inside record no parents (their results are leaves).

    >>> with no_grad(): y = Value(2.0) * 3
    >>> y.is_leaf
    True
    """
    return _grad_mode(False)


def enable_grad():
    """Context manager: turn recording back on (inside a ``no_grad`` block)."""
    return _grad_mode(True)


def is_grad_enabled() -> bool:
    return _value._grad_enabled
